"""B: 应建尽建 — every project set up, with its own complete ledger that ties out (spec §3, B01-B12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd

from ..engine.registry import Context, Hit, check
from ..workbook.layout import CATEGORIES, ENTERPRISE, LEDGER, PROJECTS, SUMMARY
from .common import ZERO, as_datetime, dec, ledger, project_column, projects, tax_year

LED, PRJ, SUM = LEDGER.name, PROJECTS.name, SUMMARY.name


def _has_ledger(ctx: Context) -> bool:
    return ctx.book.ledger.present and not ctx.book.ledger.data.empty


def _has_projects(ctx: Context) -> bool:
    return ctx.book.projects.present


@check("B01")
def unknown_project(ctx: Context) -> Iterator[Hit]:
    if not (_has_ledger(ctx) and _has_projects(ctx)):
        return
    pid = ctx.book.ledger.data["项目编号"]
    unknown = pid.notna() & ~pid.isin(set(projects(ctx)["项目编号"]))
    for row, project in pid[unknown].items():
        yield Hit(sheet=LED, row=int(row), column="项目编号", value=project, values={"project": project})


@check("B02")
def active_without_lines(ctx: Context) -> Iterator[Hit]:
    year = tax_year(ctx)
    if year is None or not _has_projects(ctx) or not ctx.book.ledger.present:
        return
    p = projects(ctx)
    lines = ledger(ctx)
    used = set(lines.loc[lines["in_year"], "project"].dropna())
    start, end = as_datetime(p["开始日期"]), as_datetime(p["结束日期"])
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    # A project is active in the year unless its period lies wholly outside it (a missing date does not exclude).
    active = ~(start > last) & ~(end < first)
    idle = active & ~p["项目编号"].isin(used)
    for row in p.index[idle]:
        yield Hit(sheet=PRJ, row=int(row), column="项目编号", values={"project": p.at[row, "项目编号"], "year": year})


@check("B03")
def not_approved(ctx: Context) -> Iterator[Hit]:
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    table = ctx.book.projects
    bad_date = table.invalid.get("立项日期", {})
    for row in p.index[p["立项日期"].isna()]:
        if row not in bad_date:
            yield Hit(sheet=PRJ, row=int(row), column="立项日期", variant="no_date", values=_pv(p, row))
    for row in p.index[p["立项文号"].isna()]:
        yield Hit(sheet=PRJ, row=int(row), column="立项文号", variant="no_number", values=_pv(p, row))
    if not ctx.book.ledger.present:
        return
    lines = ledger(ctx)
    first_line = lines.dropna(subset=["when"]).groupby("project")["when"].min()
    if first_line.empty:
        return
    approved = as_datetime(p["立项日期"])
    first = p["项目编号"].map(first_line)
    late = approved.notna() & first.notna() & (approved > first)
    for row in p.index[late]:
        yield Hit(
            sheet=PRJ,
            row=int(row),
            column="立项日期",
            variant="after_first_line",
            values={**_pv(p, row), "first_date": first[row].date(), "approved": p.at[row, "立项日期"]},
        )


def _pv(p: pd.DataFrame, row: int) -> dict[str, object]:
    return {"project": p.at[row, "项目编号"]}


@check("B04")
def ends_before_start(ctx: Context) -> Iterator[Hit]:
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    start, end = as_datetime(p["开始日期"]), as_datetime(p["结束日期"])
    for row in p.index[start.notna() & end.notna() & (end < start)]:
        yield Hit(
            sheet=PRJ,
            row=int(row),
            column="结束日期",
            values={**_pv(p, row), "start": p.at[row, "开始日期"], "end": p.at[row, "结束日期"]},
        )


@check("B05")
def line_outside_period(ctx: Context) -> Iterator[Hit]:
    if not (_has_ledger(ctx) and _has_projects(ctx)):
        return
    lines = ledger(ctx)
    start = as_datetime(project_column(ctx, "开始日期"))
    end = as_datetime(project_column(ctx, "结束日期"))
    when = lines["when"]
    outside = when.notna() & ((start.notna() & (when < start)) | (end.notna() & (when > end)))
    for row in lines.index[outside]:
        yield Hit(
            sheet=LED,
            row=int(row),
            column="日期",
            values={
                "project": lines.at[row, "project"],
                "start": _date(start[row]),
                "end": _date(end[row]),
            },
        )


def _date(ts: object) -> dt.date | None:
    return ts.date() if isinstance(ts, pd.Timestamp) and not pd.isna(ts) else None


@check("B06")
def summary_does_not_tie(ctx: Context) -> Iterator[Hit]:
    table = ctx.book.summary
    if not table.present or "项目编号" in table.missing:
        return
    tolerance = dec(ctx.params.get("tolerance", Decimal(1)))
    lines = ledger(ctx) if ctx.book.ledger.present else None
    sums: dict[tuple[object, object], Decimal] = {}
    if lines is not None and len(lines):
        year_lines = lines[lines["counted"] & lines["cat"].isin(range(1, 8))]
        grouped = year_lines.groupby(["project", "cat"])["eligible"].sum()
        sums = {k: dec(v) for k, v in grouped.items()}
    data = table.data
    seen: set[object] = set()
    for row, pid in data["项目编号"].items():
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        expected_total = ZERO
        for n in range(1, 8):
            name = CATEGORIES[n][0]
            ledger_sum = sums.get((pid, n), ZERO)
            expected_total += ledger_sum
            shown = dec(data.at[row, name])
            if abs(shown - ledger_sum) > tolerance:
                yield Hit(
                    sheet=SUM,
                    row=int(row),
                    column=name,
                    variant="cell",
                    values={"project": pid, "category": name, "summary": shown, "ledger": ledger_sum},
                )
        if table.has("合计"):
            shown = dec(data.at[row, "合计"])
            if abs(shown - expected_total) > tolerance:
                yield Hit(
                    sheet=SUM,
                    row=int(row),
                    column="合计",
                    variant="cell",
                    values={"project": pid, "category": "合计", "summary": shown, "ledger": expected_total},
                )
    for (pid, _n), amount in sorted(sums.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if pid not in seen and pid is not None and amount != 0:
            seen.add(pid)
            project_total = sum((v for (p, _), v in sums.items() if p == pid), ZERO)
            yield Hit(
                sheet=SUM,
                column="项目编号",
                variant="missing_project",
                values={"project": pid, "ledger": project_total},
            )


@check("B07")
def no_summary(ctx: Context) -> Iterator[Hit]:
    if not ctx.book.summary.present:
        yield Hit(sheet=SUM)


@check("B08")
def capitalisation(ctx: Context) -> Iterator[Hit]:
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    no_start = p["支出类型"].isin(["资本化", "部分资本化"]) & p["资本化开始日期"].isna()
    bad_dates = ctx.book.projects.invalid.get("资本化开始日期", {})
    for row in p.index[no_start]:
        if row not in bad_dates:
            yield Hit(sheet=PRJ, row=int(row), column="资本化开始日期", variant="no_start", values=_pv(p, row))
    if not _has_ledger(ctx):
        return
    lines = ledger(ctx)
    capital = lines["expense"] == "资本化"
    kind = project_column(ctx, "支出类型")
    start = as_datetime(project_column(ctx, "资本化开始日期"))
    for row in lines.index[capital & (kind == "费用化")]:
        yield Hit(
            sheet=LED,
            row=int(row),
            column="支出类型",
            variant="expensed_project",
            values={"project": lines.at[row, "project"]},
        )
    early = capital & (kind != "费用化") & start.notna() & lines["when"].notna() & (lines["when"] < start)
    for row in lines.index[early]:
        yield Hit(
            sheet=LED,
            row=int(row),
            column="日期",
            variant="before_start",
            values={"project": lines.at[row, "project"], "start": _date(start[row])},
        )


@check("B09")
def contract_line_incomplete(ctx: Context) -> Iterator[Hit]:
    if not _has_ledger(ctx):
        return
    table = ctx.book.ledger
    lines = ledger(ctx)
    commissioned = lines["cat"] == 7
    if not commissioned.any():
        return
    for column in ("受托方", "受托方类型", "关联方"):
        bad = table.invalid.get(column, {})
        empty = commissioned & table.data[column].isna() & ~table.data.index.isin(list(bad))
        for row in lines.index[empty]:
            yield Hit(sheet=LED, row=int(row), column=column)


@check("B10")
def no_contract_number(ctx: Context) -> Iterator[Hit]:
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    missing = p["研发形式"].isin(["委托研发", "合作研发"]) & p["技术合同登记号"].isna()
    for row in p.index[missing]:
        yield Hit(
            sheet=PRJ, row=int(row), column="技术合同登记号", values={**_pv(p, row), "form": p.at[row, "研发形式"]}
        )


@check("B11")
def form_and_categories(ctx: Context) -> Iterator[Hit]:
    if not (_has_ledger(ctx) and _has_projects(ctx)):
        return
    p = projects(ctx)
    lines = ledger(ctx)
    cats = lines.dropna(subset=["project", "cat"]).groupby("project")["cat"].agg(lambda s: set(s))
    for row, pid in p["项目编号"].items():
        used = cats.get(pid, set())
        form = p.at[row, "研发形式"]
        if form == "委托研发" and used & set(range(1, 7)):
            own = sorted(used & set(range(1, 7)))
            yield Hit(
                sheet=PRJ,
                row=int(row),
                column="研发形式",
                variant="commissioned",
                values={"project": pid, "categories": own},
            )
        elif form == "自主研发" and 7 in used:
            yield Hit(sheet=PRJ, row=int(row), column="研发形式", variant="own", values={"project": pid})


@check("B12")
def no_ledger(ctx: Context) -> Iterator[Hit]:
    reported = ctx.book.enterprise.values.get("利润表研发费用")
    if not isinstance(reported, Decimal) or reported <= 0:
        return
    if ctx.book.ledger.data.empty:
        yield Hit(sheet=ENTERPRISE.name, column="利润表研发费用", values={"amount": reported})
