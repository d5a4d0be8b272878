"""C: 应提尽提 — every eligible cost collected and the super-deduction claimed right (spec §3, C01-C14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd

from ..workbook.layout import ASSETS, ENTERPRISE, LEDGER, PROJECTS
from .common import (
    ZERO,
    dec,
    distinct,
    empty_ledger_reported,
    figure,
    key,
    ledger,
    line_in,
    line_is,
    projects,
    tax_year,
    total,
    unread_cells,
)
from .common import (
    given as given_cells,
)
from .registry import Context, Hit, check

ENT, LED, PRJ = ENTERPRISE.name, LEDGER.name, PROJECTS.name


@check("C01")
def other_costs_over_limit(ctx: Context) -> Iterator[Hit]:
    excess = figure(ctx, "other_limit", "excess")
    if isinstance(excess, Decimal) and excess > 0:
        prior = figure(ctx, "other_limit", "prior_cat6")  # earlier years pooled in the formation year (28号 三（一）)
        yield Hit(
            sheet=LED,
            column="费用类别",
            value=excess,
            variant="with_prior" if isinstance(prior, Decimal) and prior else None,
            values={
                "excess": excess,
                "limit": figure(ctx, "other_limit", "limit"),
                "actual": figure(ctx, "other_limit", "in_scope_cat6"),
                "prior": prior,
            },
        )


@check("C02")
def overseas_over_limit(ctx: Context) -> Iterator[Hit]:
    excess = figure(ctx, "overseas", "excess")
    line37 = figure(ctx, "overseas", "line37")
    # Only when there is a 委托境外机构 amount to cap (a negative base with no 7.2 line is not an overseas excess).
    if isinstance(excess, Decimal) and excess > 0 and isinstance(line37, Decimal) and line37 > 0:
        yield Hit(
            sheet=LED,
            column="明细项目",
            value=excess,
            values={
                "excess": excess,
                "line37": figure(ctx, "overseas", "line37"),
                "line38": figure(ctx, "overseas", "line38"),
            },
        )


@check("C03")
def overseas_individual(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    for row in lines.index[line_is(ctx, "sub", "7.3")]:
        yield Hit(sheet=LED, row=int(row), column="明细项目", values={"amount": lines.at[row, "book"]})


def policy_of(ctx: Context):
    """The policy the computation used (rules/policy.yaml with the config's overrides)."""
    from ..compute.policy import load_policy

    pol = getattr(ctx.calc, "policy", None)
    return pol if pol is not None else load_policy()


def negative_industry(ctx: Context) -> str | None:
    """The negative-list industry that excludes the enterprise (a stated share above the threshold), or None."""
    if ctx.calc is not None and hasattr(ctx.calc, "negative_list"):
        return ctx.calc.negative_list or None
    from ..compute import negative_status

    return negative_status(ctx.book.enterprise.values, policy_of(ctx), tax_year(ctx))[0]


def excluded(ctx: Context) -> bool:
    """No deduction at all: on the negative list by the stated share, or 核定征收 (C04 says why)."""
    return bool(negative_industry(ctx)) or key(ctx, "征收方式") == "核定征收"


@check("C04")
def negative_list(ctx: Context) -> Iterator[Hit]:
    """国家税务总局公告2015年第97号 四 and 财税〔2015〕119号 五（一）: 核定征收 → error at 征收方式; a stated
    负面清单行业收入占比 above the threshold → error at that key; a negative-list 行业代码 with no stated share →
    a warning at 行业代码 asking for the share (the code alone decides nothing)."""
    if key(ctx, "征收方式") == "核定征收":
        yield Hit(sheet=ENT, column="征收方式", value="核定征收", variant="deemed_profit")
    from ..compute.policy import negative_list_entry

    pol = policy_of(ctx)
    year = tax_year(ctx)
    code = key(ctx, "行业代码")
    listed = negative_list_entry(code, pol, year) if code is not None else None
    share = key(ctx, "负面清单行业收入占比")
    threshold = pol.negative_list_share(year)
    if isinstance(share, Decimal):
        if share > threshold:
            yield Hit(
                sheet=ENT,
                column="负面清单行业收入占比",
                value=share,
                variant="share" if listed else "share_unnamed",  # a code off the list has no industry to name
                values={"industry": listed, "share": share, "threshold": threshold},
            )
        return
    if listed:
        yield Hit(
            sheet=ENT,
            column="行业代码",
            value=code,
            variant="code_only",
            severity=str(ctx.params.get("severity_code_only", "warning")),
            values={"industry": listed, "threshold": threshold},
        )


@check("C05")
def eligible_over_book(ctx: Context) -> Iterator[Hit]:
    table = ctx.book.ledger
    if not table.present or table.data.empty:
        return
    data = table.data
    lines = ledger(ctx)
    given = given_cells(ctx, "可加计金额")  # Decimals or None
    if not given.any():
        return
    elig = data.loc[given, "可加计金额"]
    book = data.loc[given, "账载金额"].map(dec)
    cat8 = (lines.loc[given, "cat"] == 8) & (elig != 0)
    over = ~cat8 & (elig.map(abs) > book.map(abs))
    for row in elig.index[cat8.astype(bool)]:
        yield Hit(sheet=LED, row=int(row), column="可加计金额", variant="category8", values={"eligible": elig[row]})
    for row in elig.index[over.astype(bool)]:
        yield Hit(
            sheet=LED,
            row=int(row),
            column="可加计金额",
            variant="over_book",
            values={"eligible": elig[row], "book": book[row]},
        )


@check("C06")
def salary_without_insurance(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.projects.present or not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    salary = set(lines.loc[line_is(ctx, "sub", "1.1"), "project"].dropna())
    insurance = set(lines.loc[line_is(ctx, "sub", "1.2"), "project"].dropna())
    p = projects(ctx)
    for row in p.index[p["项目编号"].isin(salary - insurance)]:
        yield Hit(sheet=PRJ, row=int(row), column="项目编号", values={"project": p.at[row, "项目编号"]})


@check("C07")
def asset_not_depreciated(ctx: Context) -> Iterator[Hit]:
    assets = ctx.book.assets
    if not assets.present or assets.data.empty or not ctx.book.ledger.present or empty_ledger_reported(ctx):
        return
    data = assets.data
    kinds = [str(k) for k in ctx.params.get("asset_types", ["仪器", "设备"])]
    used = data["资产类别"].isin(kinds) & data["研发使用比例"].map(lambda v: isinstance(v, Decimal) and v > 0).astype(
        bool
    )
    used &= data["资产编号"].notna()
    if not used.any():
        return
    depreciation = line_is(ctx, "cat", 3)
    if ctx.book.ledger.has("资产编号"):
        named = set(ctx.book.ledger.data.loc[depreciation, "资产编号"].dropna().map(str))
        for row in data.index[used & ~data["资产编号"].map(str).isin(named)]:
            yield Hit(
                sheet=ASSETS.name,
                row=int(row),
                column="资产编号",
                variant="by_asset",
                values={"asset": data.at[row, "资产编号"]},
            )
    elif not depreciation.any():
        for row in data.index[used]:
            yield Hit(
                sheet=ASSETS.name,
                row=int(row),
                column="资产编号",
                variant="no_depreciation",
                values={"asset": data.at[row, "资产编号"]},
            )


def expensed_book_total(ctx: Context) -> Decimal:
    """账载金额 of the year's 费用化 lines."""
    lines = ledger(ctx)
    return total(lines.loc[lines["counted"] & line_is(ctx, "expense", "费用化"), "book"])


def self_developed_amortisation(ctx: Context) -> Decimal:
    """本年形成 + 以前年度形成无形资产本年摊销额 (A107012 lines 43 and 44): the income statement's 研发费用 line holds
    "计入管理费用的自行开发无形资产的摊销" (财会〔2018〕15号 and later format notices), the ledger does not. The
    computation's figure (企业信息 keys, or the projects' 无形资产本年摊销额: compute/lifecycle.py) when there is one."""
    computed = figure(ctx, "amortisation")
    if isinstance(computed, Decimal):
        return computed
    return dec(key(ctx, "本年形成无形资产摊销额")) + dec(key(ctx, "以前年度形成无形资产本年摊销额"))


@check("C08")
def income_statement_differs(ctx: Context) -> Iterator[Hit]:
    reported = key(ctx, "利润表研发费用")
    if not isinstance(reported, Decimal) or ctx.book.ledger.data.empty:
        return  # an empty ledger is B12's
    if unread_cells(ctx):
        return  # the ledger total is incomplete: F04/F05 point at the unread cells
    book_total = expensed_book_total(ctx)
    amortisation = self_developed_amortisation(ctx)
    expected = book_total + amortisation
    tolerance = dec(ctx.params.get("tolerance", Decimal("0.05")))
    diff = reported - expected
    # the same total with the lines of another year (F07 reports them) as the enterprise booked them: a
    # difference that those lines explain is F07's alone
    lines = ledger(ctx)
    other_year = total(lines.loc[~lines["in_year"] & line_is(ctx, "expense", "费用化"), "book"])
    explained = other_year and abs(reported - expected - other_year) <= abs(expected + other_year) * tolerance
    if abs(diff) > abs(expected) * tolerance and not explained:
        yield Hit(
            sheet=ENT,
            column="利润表研发费用",
            variant="with_amortisation" if amortisation else None,
            values={
                "reported": reported,
                "ledger": book_total,
                "amortisation": amortisation,
                "expected": expected,
                "difference": diff,
                "tolerance": tolerance,
            },
        )


def _claim(ctx: Context) -> tuple[Decimal, Decimal] | None:
    """The claim and computed line 51, when they can be compared: not when 所属年度 is one rdcheck does not
    implement (F10 says so; line 51 would be built on another year's lines and rates), nor when the industry is
    on the negative list (C04 says no super-deduction applies at all; line 51 is 0 for that one reason)."""
    claimed = key(ctx, "申报加计扣除总额")
    line51 = figure(ctx, "a107012", 51)
    if not isinstance(claimed, Decimal) or line51 is None:
        return None
    if unread_cells(ctx):
        return None  # line 51 lacks the lines F04/F05 could not read: comparing the claim with it would accuse
    if ctx.book.year is not None and tax_year(ctx) is None:
        return None
    if excluded(ctx):
        return None
    return claimed, dec(line51)


def _modelled_severity(ctx: Context) -> str | None:
    modelled = getattr(ctx.calc, "rate_modelled", True)
    return None if modelled else str(ctx.params.get("severity_not_modelled", "info"))


@check("C09")
def under_claimed(ctx: Context) -> Iterator[Hit]:
    got = _claim(ctx)
    if got is None or getattr(ctx.book, "erp", None) is not None:
        return  # from an ERP 多栏账, line 51 is an upper bound (F15): above the claim says nothing of 少享
    claimed, line51 = got
    tolerance = dec(ctx.params.get("tolerance", Decimal("0.01")))
    if line51 - claimed > line51 * tolerance and line51 > 0:
        yield Hit(
            sheet=ENT,
            column="申报加计扣除总额",
            severity=_modelled_severity(ctx),
            values={"claimed": claimed, "computed": line51, "difference": line51 - claimed},
        )


def _above_any_rate(ctx: Context, claimed: Decimal) -> bool:
    """The claim exceeds the base (line 47 − 48 − 49) at the highest rate the year allows: an over-claim whatever
    the rate details rdcheck does not model (issue 12 point 4)."""
    a = figure(ctx, "a107012") or {}
    rate = getattr(ctx.calc, "rate", None)
    if rate is None or any(not isinstance(a.get(n), Decimal) for n in (47, 48, 49)):
        return False
    top = max(rate.rate, rate.later_rate or ZERO)
    return claimed > max(ZERO, a[47] - a[48] - a[49]) * top / 100


@check("C10")
def over_claimed(ctx: Context) -> Iterator[Hit]:
    got = _claim(ctx)
    if got is None:
        return
    claimed, line51 = got
    tolerance = dec(ctx.params.get("tolerance", Decimal("0.01")))
    if claimed - line51 > line51 * tolerance and claimed > line51:
        yield Hit(
            sheet=ENT,
            column="申报加计扣除总额",
            severity=None if _above_any_rate(ctx, claimed) else _modelled_severity(ctx),
            values={"claimed": claimed, "computed": line51, "difference": claimed - line51},
        )


@check("C11")
def excluded_activity(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.projects.present:
        return
    p = projects(ctx)
    words = [str(w) for w in ctx.params.get("words", []) if str(w)]
    rd_words = [str(w) for w in ctx.params.get("rd_words", []) if str(w)]
    if not words:
        return
    names = p["项目名称"].map(lambda v: v if isinstance(v, str) else "")
    flagged = names.str.contains("|".join(map(re.escape, words)), regex=True)
    if rd_words:
        flagged &= ~names.str.contains("|".join(map(re.escape, rd_words)), regex=True)
    for row in p.index[flagged]:
        found = [w for w in words if w in names[row]]
        yield Hit(sheet=PRJ, row=int(row), column="项目名称", values={"project": p.at[row, "项目编号"], "words": found})


def _over_allowance(ctx: Context, by: str, mask: pd.Series, sheet, base: str, ratio: str) -> Iterator[Hit]:
    table = sheet
    if not table.present or table.data.empty or not ctx.book.ledger.has(by):
        return
    lines = ledger(ctx)
    ids = ctx.book.ledger.data[by].map(lambda v: None if v is None else str(v))
    charged = lines.loc[mask & ids.notna()].assign(_id=ids).groupby("_id")["book"].sum()
    tolerance = dec(ctx.params.get("tolerance", Decimal(1)))
    data = table.data
    seen: set[str] = set()
    for row, ident in data[by].items():
        if ident is None or str(ident) in seen:
            continue
        seen.add(str(ident))
        amount, share = data.at[row, base], data.at[row, ratio]
        if not isinstance(amount, Decimal) or not isinstance(share, Decimal):
            continue
        allowed = amount * share
        used = dec(charged.get(str(ident), ZERO))
        if used - allowed > tolerance:
            yield Hit(
                sheet=table.name,
                row=int(row),
                column=base,
                values={"id": ident, "charged": used, "allowed": allowed, "base": amount, "ratio": share},
            )


@check("C12")
def staff_over_allowance(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.ledger.present:
        return
    yield from _over_allowance(ctx, "工号", line_is(ctx, "sub", "1.1"), ctx.book.staff, "全年工资薪金", "研发工时占比")


@check("C13")
def asset_over_allowance(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.ledger.present:
        return
    yield from _over_allowance(
        ctx, "资产编号", line_in(ctx, "cat", [3, 4]), ctx.book.assets, "本年折旧摊销额", "研发使用比例"
    )


@check("C14")
def large_line(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.ledger.present or ctx.book.ledger.data.empty:
        return
    lines = ledger(ctx)
    share = dec(ctx.params.get("share", Decimal("0.5")))
    min_lines = int(ctx.params.get("min_lines", 2))
    ids = distinct(ctx, "project")
    keep = (lines["project"].notna() & given_cells(ctx, "账载金额")).to_numpy()
    unsure = {lines.at[row, "project"] for row, _ in unread_cells(ctx)}  # their totals lack an unread line
    if unsure:
        keep = keep & ~lines["project"].isin(unsure).to_numpy()
    # grouped by the project's code (the same groups as by 项目编号, first seen first), summed exactly
    codes, books, rows = ids.codes[keep], lines["book"].to_numpy(dtype=object)[keep], lines.index[keep]
    grouped = pd.Series(books, dtype=object).groupby(codes, sort=False)
    totals = {ids.values[c]: dec(t) for c, t in grouped.sum().items()}
    # a project with enough lines and a positive total: its threshold (total × share), compared line by line
    counts = {ids.values[c]: n for c, n in grouped.count().items()}
    limits = {p: totals[p] * share for p, n in counts.items() if n >= min_lines and totals[p] > 0}
    if not limits:
        return
    by_code = np.array([limits.get(v) for v in ids.values] + [None], dtype=object)
    limit = by_code[codes]
    has = np.fromiter((v is not None for v in by_code), dtype=bool, count=len(by_code))[codes]
    big = np.zeros(len(books), dtype=bool)
    big[has] = np.greater(books[has], limit[has]).astype(bool)
    for i in np.flatnonzero(big):
        row, pid = rows[i], ids.values[codes[i]]
        yield Hit(
            sheet=LED,
            row=int(row),
            column="账载金额",
            values={"project": pid, "amount": books[i], "total": totals[pid]},
        )
