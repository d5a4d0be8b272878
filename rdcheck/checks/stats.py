"""T: 应统尽统 — every R&D cost in the books also reported to statistics (spec §3, T01-T05)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pandas as pd

from ..workbook.layout import ENTERPRISE, LEDGER, PROJECTS
from .common import ZERO, dec, figure, key, ledger, line_in, line_is, project_book_sums, projects, total, unread_cells
from .registry import Context, Hit, check

ENT = ENTERPRISE.name


def book_total(ctx: Context) -> Decimal:
    """账载金额 of every line of the year, categories 1-8, 费用化 and 资本化."""
    if not ctx.book.ledger.present:
        return ZERO
    lines = ledger(ctx)
    return ctx.cached("book_total", lambda: total(lines.loc[lines["counted"], "book"]))


@check("T01")
def not_reported(ctx: Context) -> Iterator[Hit]:
    reported = key(ctx, "统计研究开发费用合计")
    if isinstance(reported, Decimal) and reported != 0:
        return
    costs = book_total(ctx)
    claimed = dec(key(ctx, "申报加计扣除总额"))
    if costs <= 0 and claimed <= 0:
        return
    outside = key(ctx, "规模以上企业") is False
    yield Hit(
        sheet=ENT,
        column="统计研究开发费用合计",
        variant="outside_survey" if outside else "default",
        severity=str(ctx.params.get("severity_below_scale", "info")) if outside else None,
        values={"ledger": costs, "claimed": claimed},
    )


@check("T02")
def under_reported(ctx: Context) -> Iterator[Hit]:
    reported = key(ctx, "统计研究开发费用合计")
    computed = figure(ctx, "stats", "7")
    if not isinstance(reported, Decimal) or reported <= 0 or computed is None:
        return
    if unread_cells(ctx):
        return  # line 7 lacks the lines F04/F05 could not read
    computed = dec(computed)
    tolerance = dec(ctx.params.get("tolerance", Decimal("0.05")))
    if computed - reported > computed * tolerance:
        yield Hit(
            sheet=ENT,
            column="统计研究开发费用合计",
            values={
                "reported": reported,
                "computed": computed,
                "difference": computed - reported,
                "tolerance": tolerance,
            },
        )


@check("T03")
def no_staff_reported(ctx: Context) -> Iterator[Hit]:
    staff = key(ctx, "统计研究开发人员")
    if isinstance(staff, int) and staff > 0:
        return
    if not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    personnel = total(lines.loc[lines["counted"] & line_is(ctx, "cat", 1), "book"])
    if personnel > 0:
        yield Hit(sheet=ENT, column="统计研究开发人员", values={"personnel": personnel})


def intensity_threshold(revenue: Decimal, params: dict) -> Decimal:
    """The 高新 certification's R&D-to-revenue threshold for a revenue (《高新技术企业认定管理办法》第十一条（五）)."""
    small = dec(params.get("small_revenue", Decimal(50_000_000)))
    medium = dec(params.get("medium_revenue", Decimal(200_000_000)))
    if revenue <= small:
        return dec(params.get("small_threshold", Decimal("0.05")))
    if revenue <= medium:
        return dec(params.get("medium_threshold", Decimal("0.04")))
    return dec(params.get("large_threshold", Decimal("0.03")))


def high_tech_caliber(ctx: Context) -> dict[str, Decimal]:
    """The year's R&D in the 高企认定工作指引 caliber, from the ledger's 账载金额 (费用化 and 资本化):
    委托外部 (7.1-7.3) at 80%, 其他费用 (category 6 and 8.2) at most 20% of the total, everything else in full
    (8.1 房屋建筑物折旧及长期待摊 belongs to 折旧费用与长期待摊费用 there). Returns total, overseas (委托境外 at
    80%), other (as counted) and domestic_share."""
    params = ctx.params
    share = dec(params.get("commissioned_share", Decimal("0.8")))
    other_cap = dec(params.get("other_share", Decimal("0.2")))
    return ctx.cached(f"high_tech_caliber:{share}:{other_cap}", lambda: _high_tech_caliber(ctx, share, other_cap))


def _high_tech_caliber(ctx: Context, share: Decimal, other_cap: Decimal) -> dict[str, Decimal]:
    lines = ledger(ctx)
    counted, book = lines["counted"], lines["book"]

    def sub(*codes: str) -> pd.Series:
        return line_in(ctx, "sub", codes)

    def cat(*codes: int) -> pd.Series:
        return line_in(ctx, "cat", codes)

    domestic_commissioned = total(book[counted & sub("7.1")]) * share
    overseas = total(book[counted & sub("7.2", "7.3")]) * share
    other = total(book[counted & (cat(6) | sub("8.2"))])
    rest = total(book[counted & (cat(1, 2, 3, 4, 5) | sub("8.1"))])
    core = rest + domestic_commissioned + overseas
    # other ≤ 20% of (core + other)  ⇔  other ≤ core × 20% / 80%
    allowed_other = min(other, max(ZERO, core * other_cap / (1 - other_cap))) if other_cap < 1 else other
    grand = core + allowed_other
    domestic = grand - overseas
    return {
        "total": grand,
        "overseas": overseas,
        "other": allowed_other,
        "domestic_share": domestic / grand if grand > 0 else Decimal(1),
    }


@check("T04")
def high_tech_intensity(ctx: Context) -> Iterator[Hit]:
    if key(ctx, "高新技术企业") is not True or not ctx.book.ledger.present:
        return
    revenue = key(ctx, "营业收入")
    if not isinstance(revenue, Decimal) or revenue <= 0:
        return
    caliber = high_tech_caliber(ctx)
    costs = caliber["total"]
    threshold = intensity_threshold(revenue, ctx.params)
    ratio = costs / revenue
    if ratio < threshold:
        yield Hit(
            sheet=ENT,
            column="营业收入",
            values={"ratio": ratio, "threshold": threshold, "ledger": costs, "revenue": revenue},
        )
    minimum = dec(ctx.params.get("domestic_min", Decimal("0.6")))
    if costs > 0 and caliber["domestic_share"] < minimum:
        yield Hit(
            sheet=ENT,
            column="营业收入",
            variant="domestic_share",
            values={"share": caliber["domestic_share"], "minimum": minimum, "overseas": caliber["overseas"]},
        )


@check("T06")
def statistics_below_tax_base(ctx: Context) -> Iterator[Hit]:
    """107-2 line 7 as reported against the tax base: the claim filed (申报加计扣除总额 ÷ line 50), or, with no claim,
    computed A107012 line 40. The statistical caliber is the wider one, so a reported figure below the tax base
    means R&D was claimed to the tax bureau but not reported to statistics."""
    if unread_cells(ctx):
        return  # the ledger's figures lack the lines F04/F05 could not read
    reported = key(ctx, "统计研究开发费用合计")
    if not isinstance(reported, Decimal) or reported <= 0:
        return  # T01 reports a missing figure
    a = figure(ctx, "a107012") or {}
    claimed = key(ctx, "申报加计扣除总额")
    rate = a.get(50)
    if isinstance(claimed, Decimal) and claimed > 0 and isinstance(rate, Decimal) and rate > 0:
        base, variant = claimed * 100 / rate, "claimed"
    elif isinstance(a.get(40), Decimal):
        base, variant = a[40], None
    else:
        return
    tolerance = max(dec(ctx.params.get("rounding", Decimal(5))), base * dec(ctx.params.get("tolerance", "0.01")))
    if base - reported > tolerance:
        yield Hit(
            sheet=ENT,
            column="统计研究开发费用合计",
            variant=variant,
            values={"reported": reported, "base": base, "difference": base - reported, "claimed": dec(claimed)},
        )


@check("T07")
def personnel_cost_per_person(ctx: Context) -> Iterator[Hit]:
    """The ledger's 人员人工费用 per reported R&D person (107-2 line 1) outside a plausible band."""
    if unread_cells(ctx):
        return  # the ledger's figures lack the lines F04/F05 could not read
    staff = key(ctx, "统计研究开发人员")
    if not isinstance(staff, int) or isinstance(staff, bool) or staff <= 0 or not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    personnel = total(lines.loc[lines["counted"] & line_is(ctx, "cat", 1), "book"])
    if personnel <= 0:
        return
    per = personnel / staff
    low = dec(ctx.params.get("min_per_person", Decimal(10000)))
    high = dec(ctx.params.get("max_per_person", Decimal(1000000)))
    if per < low or per > high:
        yield Hit(
            sheet=ENT,
            column="统计研究开发人员",
            variant="low" if per < low else "high",
            values={"per_person": per, "personnel": personnel, "staff": staff, "bound": low if per < low else high},
        )


@check("T08")
def intensity_outlier(ctx: Context) -> Iterator[Hit]:
    """R&D (107-2 line 7 from the ledger) against 营业收入: above ``high`` (15%) is worth a look; a 高新技术企业 below
    ``low_high_tech`` (0.5%) too. Growth needs last year's figures, which the workbook does not hold."""
    if unread_cells(ctx):
        return  # the ledger's figures lack the lines F04/F05 could not read
    revenue = key(ctx, "营业收入")
    computed = figure(ctx, "stats", "7")
    if not isinstance(revenue, Decimal) or revenue <= 0 or not isinstance(computed, Decimal) or computed <= 0:
        return
    ratio = computed / revenue
    high = dec(ctx.params.get("high", Decimal("0.15")))
    low = dec(ctx.params.get("low_high_tech", Decimal("0.005")))
    values = {"ratio": ratio, "rd": computed, "revenue": revenue}
    if ratio > high:
        yield Hit(sheet=ENT, column="营业收入", variant="high", values={**values, "bound": high})
    elif key(ctx, "高新技术企业") is True and ratio < low:
        yield Hit(sheet=ENT, column="营业收入", variant="low_high_tech", values={**values, "bound": low})


@check("T09")
def structure_outlier(ctx: Context) -> Iterator[Hit]:
    """The ledger's structure: 委托外部 (category 7) above ``commissioned`` (50%) of 107-2 line 7, or 材料 (2.1)
    above ``materials`` (60%) — shares a bureau asks about."""
    if unread_cells(ctx):
        return  # the ledger's figures lack the lines F04/F05 could not read
    computed = figure(ctx, "stats", "7")
    if not isinstance(computed, Decimal) or computed <= 0 or not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    counted, book = lines["counted"], lines["book"]
    parts = {
        "commissioned": total(book[counted & line_is(ctx, "cat", 7)]),
        "materials": total(book[counted & line_is(ctx, "sub", "2.1")]),
    }
    defaults = {"commissioned": Decimal("0.5"), "materials": Decimal("0.6")}
    for name, amount in parts.items():
        bound = dec(ctx.params.get(name, defaults[name]))
        if amount / computed > bound:
            yield Hit(
                sheet=LEDGER.name,
                column="费用类别" if name == "commissioned" else "明细项目",
                variant=name,
                values={"share": amount / computed, "amount": amount, "rd": computed, "bound": bound},
            )


@check("T05")
def basic_research(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.projects.present or not ctx.book.ledger.present:
        return
    p = projects(ctx)
    basic = p[p["研究类型"] == "基础研究"]
    if basic.empty:
        return
    sums = project_book_sums(ctx)
    for row, pid in basic["项目编号"].items():
        amount = dec(sums.get(pid, ZERO))
        if amount != 0:
            yield Hit(sheet=PROJECTS.name, row=int(row), column="研究类型", values={"project": pid, "amount": amount})
