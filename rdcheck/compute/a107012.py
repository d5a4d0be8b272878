"""A107012 研发费用加计扣除优惠明细表 (52 lines) and the 2021 汇总表 from the ledger lines (spec §4.1).

Everything is exact ``Decimal``; rounding to the fen happens only when shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from ..workbook import Book
from .columns import Distinct
from .labels import SUMMARY2021_COLUMNS
from .lifecycle import Amortisation
from .lines import ZERO, dsum, dsum_by
from .policy import Policy, YearRate

ONE = Decimal(1)
HUNDRED = Decimal(100)
# Sub-total lines and the lines they sum (the form's printed formulas).
SUBTOTALS = {
    3: (4, 5, 6),
    7: tuple(range(8, 16)),
    16: (17, 18),
    19: (20, 21, 22),
    23: (24, 25, 26, 27),
    28: tuple(range(29, 34)),
}
# 企业信息 keys for the lines not built from the ledger (empty = 0).
ENTERPRISE_LINES = {
    43: "本年形成无形资产摊销额",
    44: "以前年度形成无形资产本年摊销额",
    46: "特殊收入",
    48: "销售研发产品对应材料",
    49: "以前年度结转扣减额",
}
NON_TAXABLE_KEY = "不征税收入用于研发"


@dataclass
class TaxResult:
    """What the tax caliber produced: the form, the limits, and each line's deductible amount."""

    a107012: dict[int, Decimal]
    other_limit: dict[str, Decimal]
    overseas: dict[str, Decimal]
    deductible: pd.Series  # per counted ledger line, indexed by Excel row
    summary2021: list[dict[str, Any]] = field(default_factory=list)
    factors: dict[str, Decimal] = field(default_factory=dict)  # "6" (in the limit's scope), "7.1", "7.2"
    later_share: Decimal = ZERO  # share of the base at the later rate (2022 Q4)


def line_factor(subitem: str, in_scope: bool, factors: Mapping[str, Decimal]) -> Decimal:
    """The factor taking a line's 可加计金额 to its deductible amount (spec §4.1), by sub-item and scope."""
    category = subitem.split(".")[0]
    if category in ("1", "2", "3", "4", "5"):
        return ONE
    if category == "6":
        return factors.get("6", ONE) if in_scope else ONE
    if subitem in ("7.1", "7.2"):
        return factors[subitem]
    return ZERO  # 7.3 and category 8


def _amount(values: Mapping[str, Any], key: str) -> Decimal:
    value = values.get(key)
    return value if isinstance(value, Decimal) else ZERO


def later_share(lines: pd.DataFrame, deductible: pd.Series, rate: YearRate, values: Mapping[str, Any]) -> Decimal:
    """The share of the year's base that gets ``rate.later_rate`` (2022 Q4, 公告2022年第28号), in [0, 1].

    By the lines' dates (按实际发生数: the deductible amounts of lines dated on or after ``later_from`` over all
    deductible amounts; undated lines count before), or, when 企业信息 says 按经营月份比例, the months operated
    from ``later_from`` over the months operated in the year (2022年度实际经营月份数, empty = 12)."""
    if rate.later_from is None or rate.later_rate is None:
        return ZERO
    if values.get("2022年四季度研发费用计算方法") == "按经营月份比例":
        months = values.get("2022年度实际经营月份数")
        months = months if isinstance(months, int) and not isinstance(months, bool) and 1 <= months <= 12 else 12
        after = 12 - (rate.later_from.month - 1)  # months from later_from to the year's end (3 for October)
        return Decimal(min(after, months)) / Decimal(months)
    total = dsum(deductible)
    if total <= 0:
        return ZERO
    dated = lines["date"].map(lambda d: isinstance(d, dt.date) and d >= rate.later_from).astype(bool)
    share = dsum(deductible[dated]) / total
    return min(ONE, max(ZERO, share))


def compute_a107012(
    lines: pd.DataFrame,
    values: Mapping[str, Any],
    policy: Policy,
    year: int | None,
    rate: YearRate,
    excluded: bool,
    known_projects: set[Any] | None = None,
    prior: tuple[Decimal, Decimal] = (ZERO, ZERO),
    amortisation: Amortisation | None = None,
) -> TaxResult:
    """Fill the 52 lines from the prepared ledger lines (see lines.prepare_lines) and 企业信息.

    ``excluded``: the enterprise may not claim at all (negative list by its stated revenue share, or 核定征收):
    line 50 and 51 are 0. ``known_projects``: the 项目编号 of 研发项目 (line 1 counts only those), None when the
    sheet is absent. Lines of 受托研发 projects are left out of the form (the client claims, 119号 二（一）).
    Both limits are floored at 0: reversals that make the base negative allow nothing, never a negative amount.
    ``prior``: (五项费用, 其他相关费用) capitalised in earlier years by the projects whose intangible forms this year
    (lifecycle.prior_pool): they join the 10% limit's pool (公告2021年第28号 三（一）); the ratio allowed/actual
    then applies to this year's in-scope 其他相关费用 lines. ``amortisation``: lines 43/44 (lifecycle); None = the
    企业信息 keys, empty = 0.
    """
    all_lines = lines
    if "for_client" in lines and lines["for_client"].astype(bool).any():
        lines = lines[~lines["for_client"].astype(bool)]
    subs = Distinct(lines["subitem"])  # compared below once per distinct 明细项目

    def sub_is(code: str) -> pd.Series:
        return subs.mask(lambda s: s == code)

    a: dict[int, Decimal] = dict.fromkeys(range(1, 53), ZERO)
    for line, total in dsum_by(lines.loc[lines["line"] > 0, ["line", "eligible"]], "line", "eligible").items():
        a[int(line)] = total
    # Line 39 asks for what was incurred (委托境外个人进行研发活动所发生的费用): the book amount, never deductible.
    a[39] = dsum(lines.loc[sub_is("7.3"), "book"])
    for total_line, parts in SUBTOTALS.items():
        # a line without a sub-item (2021 official ledger) sits on its category line itself
        a[total_line] += sum((a[n] for n in parts), ZERO)

    category = lines["category"]
    in_scope = lines["in_scope"]
    is_cat6 = category == 6

    # 其他相关费用: one limit over all projects, on the lines in its scope (2021年第28号 三; spec §4.1), with the
    # earlier years' capitalised spending of the projects whose intangible forms this year ("资本化项目发生的费用在
    # 形成无形资产的年度统一纳入计算").
    rate10 = policy.other_expenses_limit(year)
    prior_core, prior_other = prior
    year_base = dsum(lines.loc[(category <= 5) & in_scope, "eligible"])
    year_cat6 = dsum(lines.loc[is_cat6 & in_scope, "eligible"])
    base = year_base + prior_core
    cat6_in = year_cat6 + prior_other
    cat6_out = dsum(lines.loc[is_cat6 & ~in_scope, "eligible"])
    limit = max(ZERO, base * rate10 / (ONE - rate10))
    allowed = min(cat6_in, limit)
    ratio = allowed / cat6_in if cat6_in > 0 else ONE
    a[34] = (allowed if not prior_other else year_cat6 * ratio) + cat6_out
    a[2] = a[3] + a[7] + a[16] + a[19] + a[23] + a[34]
    a[35] = a[36] + a[37] + a[39]

    # 委托研发: 80% of what was paid; 委托境外机构 at most 2/3 of the domestic base (财税〔2018〕64号 一).
    share = policy.commissioned_share(year)
    num, den = policy.overseas_limit(year)
    overseas_cap = max(ZERO, (a[2] + a[36] * share) * num / den)
    a[38] = min(a[37] * share, overseas_cap)
    a[40] = a[2] + a[36] * share + a[38]

    # Each line's deductible amount: its 可加计金额 × its factor; Σ over all lines = line 40.
    factor = pd.Series(ONE, index=lines.index, dtype=object)
    factors = {
        "6": ratio,  # category 6 in the limit's scope (allowed / actual over the pool); outside it: 1
        "7.1": share,
        "7.2": a[38] / a[37] if a[37] else share,
    }
    factor[is_cat6 & in_scope] = factors["6"]
    factor[sub_is("7.1")] = factors["7.1"]
    factor[sub_is("7.2")] = factors["7.2"]
    factor[sub_is("7.3") | (category == 8)] = ZERO
    deductible = (lines["eligible"] * factor).astype(object)
    deductible = deductible.reindex(all_lines.index, fill_value=ZERO)
    deductible.name = "deductible"

    a[42] = dsum(deductible[all_lines["capitalised"]])
    a[41] = a[40] - a[42]
    for line, key in ENTERPRISE_LINES.items():
        a[line] = _amount(values, key)
    amort_total = a[43] + a[44]
    if amortisation is not None:
        a[43], a[44], amort_total = amortisation.line43, amortisation.line44, amortisation.total  # type: ignore[assignment]
    # 不征税收入用于研发 (国家税务总局公告2015年第97号 二（五）): not deductible, taken off the allowed total.
    a[45] = a[41] + amort_total - _amount(values, NON_TAXABLE_KEY)
    a[47] = max(ZERO, a[45] - a[46])
    rest = a[47] - a[48] - a[49]
    later = later_share(all_lines, deductible, rate, values) if not excluded else ZERO
    if excluded:
        a[50] = ZERO
    elif later:
        a[50] = rate.rate + (rate.later_rate - rate.rate) * later  # blended: Σ of the two parts (spec §4.1)
    else:
        a[50] = rate.rate
    a[51] = max(ZERO, rest) * a[50] / HUNDRED
    a[52] = -rest if rest < 0 else ZERO

    counted = lines.loc[(category <= 6) | subs.mask(lambda s: s.isin(("7.1", "7.2"))), "project"].dropna()
    if known_projects is not None:
        counted = counted[counted.isin(known_projects)]
    a[1] = Decimal(int(counted.nunique()))

    other_limit = {
        "prior_base": prior_core,
        "prior_cat6": prior_other,
        "base": base,
        "in_scope_cat6": cat6_in,
        "out_of_scope_cat6": cat6_out,
        "limit": limit,
        "allowed": allowed,
        "excess": cat6_in - allowed,
    }
    overseas = {
        "line37": a[37],
        "line38": a[38],
        "limit": overseas_cap,
        "excess": a[37] * share - a[38],
    }
    return TaxResult(
        a107012=a,
        other_limit=other_limit,
        overseas=overseas,
        deductible=deductible,
        factors=factors,
        later_share=later,
    )


def summary_2021(book: Book, lines: pd.DataFrame, deductible: pd.Series) -> list[dict[str, Any]]:
    """Return the computed 2021 汇总表: one row per project and 支出类型 (费用化 first), amounts exact.

    Amounts are 可加计金额 before any limit, except 7.2, 8.2, 8.4 and 允许加计扣除金额合计, which are the per-line
    deductible amounts summed per project (the limits spread back pro rata, 2021年第28号 附件2).
    """
    keep = (lines["category"] <= 7) & ~lines["for_client"].astype(bool)
    if not keep.any():
        return []
    relevant = lines.loc[keep, ["project", "capitalised", "category", "subitem", "eligible"]]
    category = relevant["category"]
    # the category as text, once per distinct category (as astype(str) writes it)
    bucket = Distinct(category).apply(lambda c: c.map(str)).where(category != 7, relevant["subitem"])
    frame = pd.DataFrame(
        {
            "project": relevant["project"].fillna(""),
            "capitalised": relevant["capitalised"],
            "bucket": bucket,
            "eligible": relevant["eligible"],
            "deductible": deductible.loc[relevant.index],
        }
    )
    sums = frame.groupby(["project", "capitalised", "bucket"], sort=False)[["eligible", "deductible"]].sum()
    eligible = {k: Decimal(v) for k, v in sums["eligible"].items()}
    allowed = {k: Decimal(v) for k, v in sums["deductible"].items()}
    totals: dict[tuple[Any, bool], Decimal] = {}
    for (pid, capitalised, _), value in allowed.items():
        totals[(pid, capitalised)] = totals.get((pid, capitalised), ZERO) + value

    projects = book.projects.data
    info: dict[Any, tuple[Any, Any]] = {}
    order: list[Any] = []
    if not projects.empty:
        for pid, name, status in zip(projects["项目编号"], projects["项目名称"], projects["项目状态"], strict=True):
            if pid is not None and pid not in info:
                info[pid] = (name, status)
                order.append(pid)
    for pid in frame["project"].drop_duplicates():
        if pid not in info:
            info[pid] = (None, None)
            order.append(pid)

    rows: list[dict[str, Any]] = []
    for pid in order:
        for capitalised in (False, True):
            if (pid, capitalised) not in totals:
                continue

            def e(bucket: str, pid: Any = pid, capitalised: bool = capitalised) -> Decimal:
                return eligible.get((pid, capitalised, bucket), ZERO)

            def d(bucket: str, pid: Any = pid, capitalised: bool = capitalised) -> Decimal:
                return allowed.get((pid, capitalised, bucket), ZERO)

            five = [e(str(n)) for n in range(1, 6)]
            name, status = info[pid]
            values = [
                pid or None,
                name,
                status,
                "资本化" if capitalised else "费用化",
                totals[(pid, capitalised)],
                *five,
                sum(five, ZERO),
                e("6"),
                d("6"),
                e("7.1"),
                d("7.1"),
                e("7.2"),
                d("7.2"),
            ]
            rows.append(dict(zip(SUMMARY2021_COLUMNS, values, strict=True)))
    return rows
