"""T: 应统尽统 — every R&D cost in the books also reported to statistics (spec §3, T01-T05)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..workbook.layout import ENTERPRISE, PROJECTS
from .common import ZERO, dec, figure, key, ledger, projects, total, unread_cells
from .registry import Context, Hit, check

ENT = ENTERPRISE.name


def book_total(ctx: Context) -> Decimal:
    """账载金额 of every line of the year, categories 1-8, 费用化 and 资本化."""
    if not ctx.book.ledger.present:
        return ZERO
    lines = ledger(ctx)
    return total(lines.loc[lines["counted"], "book"])


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
    personnel = total(lines.loc[lines["counted"] & (lines["cat"] == 1), "book"])
    if personnel > 0:
        yield Hit(sheet=ENT, column="统计研究开发人员", values={"personnel": personnel})


def intensity_threshold(revenue: Decimal, params: dict) -> Decimal:
    """The 高新 certification's R&D-to-revenue threshold for a revenue (国科发火〔2016〕32号 第十一条(四))."""
    small = dec(params.get("small_revenue", Decimal(50_000_000)))
    medium = dec(params.get("medium_revenue", Decimal(200_000_000)))
    if revenue <= small:
        return dec(params.get("small_threshold", Decimal("0.05")))
    if revenue <= medium:
        return dec(params.get("medium_threshold", Decimal("0.04")))
    return dec(params.get("large_threshold", Decimal("0.03")))


@check("T04")
def high_tech_intensity(ctx: Context) -> Iterator[Hit]:
    if key(ctx, "高新技术企业") is not True:
        return
    revenue = key(ctx, "营业收入")
    if not isinstance(revenue, Decimal) or revenue <= 0:
        return
    costs = book_total(ctx)
    threshold = intensity_threshold(revenue, ctx.params)
    ratio = costs / revenue
    if ratio < threshold:
        yield Hit(
            sheet=ENT,
            column="营业收入",
            values={"ratio": ratio, "threshold": threshold, "ledger": costs, "revenue": revenue},
        )


@check("T05")
def basic_research(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.projects.present or not ctx.book.ledger.present:
        return
    p = projects(ctx)
    basic = p[p["研究类型"] == "基础研究"]
    if basic.empty:
        return
    lines = ledger(ctx)
    sums = lines[lines["counted"]].groupby("project")["book"].sum()
    for row, pid in basic["项目编号"].items():
        amount = dec(sums.get(pid, ZERO))
        if amount != 0:
            yield Hit(sheet=PROJECTS.name, row=int(row), column="研究类型", values={"project": pid, "amount": amount})
