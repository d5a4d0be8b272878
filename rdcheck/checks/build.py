"""B: 应建尽建 — every project set up, with its own complete ledger that ties out (spec §3, B01-B12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd

from ..workbook.layout import CATEGORIES, ENTERPRISE, LEDGER, PROJECTS, SUMMARY
from .common import (
    ZERO,
    as_datetime,
    dec,
    distinct,
    empty_ledger_reported,
    given,
    ledger,
    line_in,
    line_is,
    project_column,
    project_dates,
    projects,
    repeated_lines,
    tax_year,
)
from .registry import Context, Hit, check

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
    if empty_ledger_reported(ctx):
        return  # B12: the whole ledger is empty, one finding rather than one per project
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
    # lines of another year are F07's and left out of the figures: they do not make a project 事后立项
    first_line = (
        lines.loc[lines["in_year"], ["project", "when"]].dropna(subset=["when"]).groupby("project")["when"].min()
    )
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
    start = project_dates(ctx, "开始日期")
    end = project_dates(ctx, "结束日期")
    when = lines["when"]
    inverted = start.notna() & end.notna() & (end < start)  # B04 reports the project; its lines are not at fault
    outside = when.notna() & ~inverted & ((start.notna() & (when < start)) | (end.notna() & (when > end)))
    outside &= lines["in_year"]  # a line of another year is F07's alone
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
    if not table.present or "项目编号" in table.missing or not _has_summary_rows(table):
        return  # an empty optional 汇总表 (the template's, unfilled) is absent, not wrong: B07 says so once
    led = ctx.book.ledger
    if not led.present or any(c in led.missing for c in ("项目编号", "费用类别", "明细项目", "账载金额")):
        return  # F01/F02 say why the ledger cannot be summed; every 汇总表 cell failing would repeat it
    tolerance = dec(ctx.params.get("tolerance", Decimal(1)))
    lines = ledger(ctx)
    strict, loose, unsure = _summary_sums(ctx, lines)
    projects_known = set(projects(ctx)["项目编号"]) if _has_projects(ctx) else None
    data = table.data
    seen: set[object] = set()
    for row, pid in data["项目编号"].items():
        if pid is None or pid in seen:
            continue
        seen.add(pid)
        totals = [ZERO, ZERO]
        whole_unsure = (pid, None) in unsure
        for n in range(1, 8):
            name = CATEGORIES[n][0]
            got = (strict.get((pid, n), ZERO), loose.get((pid, n), ZERO))
            totals = [totals[0] + got[0], totals[1] + got[1]]
            if whole_unsure or (pid, n) in unsure or not table.has(name):
                continue
            shown = dec(data.at[row, name])
            if min(abs(shown - got[0]), abs(shown - got[1])) > tolerance:
                yield _b06_cell(row, pid, name, shown, got[0])
        if table.has("合计") and not whole_unsure and not any(p == pid for p, _ in unsure):
            shown = dec(data.at[row, "合计"])
            if min(abs(shown - totals[0]), abs(shown - totals[1])) > tolerance:
                yield _b06_cell(row, pid, "合计", shown, totals[0])
    for (pid, _n), amount in sorted(strict.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if pid in seen or pid is None or amount == 0:
            continue
        if projects_known is not None and pid not in projects_known:
            continue  # a project missing from 研发项目 is B01's, line by line
        seen.add(pid)
        project_total = sum((v for (p, _), v in strict.items() if p == pid), ZERO)
        yield Hit(
            sheet=SUM,
            column="项目编号",
            variant="missing_project",
            values={"project": pid, "ledger": project_total},
        )


def _b06_cell(row: int, pid: object, name: str, shown: Decimal, ledger_sum: Decimal) -> Hit:
    return Hit(
        sheet=SUM,
        row=int(row),
        column=name,
        variant="cell",
        values={"project": pid, "category": name, "summary": shown, "ledger": ledger_sum},
    )


def _summary_sums(ctx: Context, lines: pd.DataFrame) -> tuple[dict, dict, set]:
    """Per (project, category 1-7): the year's 可加计金额 (strict), the same sum with the lines other rules already
    report taken as the enterprise wrote them (loose: lines dated in another year (F07) and lines whose sub-item is
    not of their category (F05) in, repeated lines (F09) out), and the pairs that cannot be summed at all because
    a line's amount or category could not be read (F04/F05); ``(project, None)`` marks a whole project."""
    if not len(lines):
        return {}, {}, set()
    cats = line_in(ctx, "cat", range(1, 8))
    readable = given(ctx, "账载金额")
    strict_mask = lines["counted"] & cats
    flagged = cats & readable & ~lines["counted"]
    loose_mask = (strict_mask | flagged) & ~repeated_lines(ctx)
    strict = {k: dec(v) for k, v in lines[strict_mask].groupby(["project", "cat"])["eligible"].sum().items()}
    loose = {k: dec(v) for k, v in lines[loose_mask].groupby(["project", "cat"])["eligible"].sum().items()}
    unsure: set[tuple[object, object]] = set()
    invalid = ctx.book.ledger.invalid
    for column in ("账载金额", "可加计金额"):
        for row in invalid.get(column, {}):
            unsure.add(
                (lines.at[row, "project"], lines.at[row, "cat"] if lines.at[row, "cat"] in range(1, 9) else None)
            )
    for row in invalid.get("费用类别", {}):
        unsure.add((lines.at[row, "project"], None))
    return strict, loose, unsure


@check("B07")
def no_summary(ctx: Context) -> Iterator[Hit]:
    table = ctx.book.summary
    foreign = ctx.book.foreign
    if foreign is not None and foreign.summaries and not table.present:
        return  # an official 汇总表 (B14 checks it)
    if not table.present:
        yield Hit(sheet=SUM)
    elif "项目编号" not in table.missing and not _has_summary_rows(table) and len(ctx.book.ledger.data):
        yield Hit(sheet=SUM, variant="empty")  # an empty 汇总表 of an empty ledger summarises it rightly


def _has_summary_rows(table) -> bool:
    """Whether a 汇总表 holds at least one row with a 项目编号 (the template's empty sheet holds none)."""
    return bool(len(table.data)) and "项目编号" in table.data.columns and table.data["项目编号"].notna().any()


@check("B08")
def capitalisation(ctx: Context) -> Iterator[Hit]:
    """Line-level (spec §3): each 资本化 line that is wrong — on a 费用化 project, before the project's
    资本化开始日期, or on a project without one — at its 支出类型. A 资本化/部分资本化 project without
    资本化开始日期 and with no 资本化 line to point at is reported at that empty cell of 研发项目."""
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    bad_dates = ctx.book.projects.invalid.get("资本化开始日期", {})
    no_start = (
        p["支出类型"].isin(["资本化", "部分资本化"]) & p["资本化开始日期"].isna() & ~p.index.isin(list(bad_dates))
    )
    lines = ledger(ctx) if _has_ledger(ctx) else None
    capital = line_is(ctx, "expense", "资本化") if lines is not None else None
    with_lines = set(lines.loc[capital, "project"].dropna()) if lines is not None else set()
    for row in p.index[no_start]:
        if p.at[row, "项目编号"] not in with_lines:
            yield Hit(sheet=PRJ, row=int(row), column="资本化开始日期", variant="no_start", values=_pv(p, row))
    if lines is None:
        return
    kind = project_column(ctx, "支出类型")
    start = project_dates(ctx, "资本化开始日期")
    no_start_ids = set(p.loc[no_start, "项目编号"])
    missing = distinct(ctx, "project").mask(lambda ids: ids.isin(no_start_ids))
    for row in lines.index[capital]:
        values = {"project": lines.at[row, "project"]}
        if kind[row] == "费用化":
            yield Hit(sheet=LED, row=int(row), column="支出类型", variant="expensed_project", values=values)
        elif missing[row]:
            yield Hit(sheet=LED, row=int(row), column="支出类型", variant="line_no_start", values=values)
        elif pd.notna(start[row]) and pd.notna(lines.at[row, "when"]) and lines.at[row, "when"] < start[row]:
            values.update({"start": _date(start[row]), "date": _date(lines.at[row, "when"])})
            yield Hit(sheet=LED, row=int(row), column="支出类型", variant="before_start", values=values)
    # The converse (国家税务总局公告2017年第40号 七（三）: 资本化的时点与会计处理保持一致): on a project whose
    # 支出类型 is 资本化, a 费用化 line dated on or after its 资本化开始日期.
    when = lines["when"]
    late = line_is(ctx, "expense", "费用化") & (kind == "资本化") & start.notna() & when.notna() & (when >= start)
    for row in lines.index[late.astype(bool)]:
        values = {"project": lines.at[row, "project"], "start": _date(start[row]), "date": _date(when[row])}
        yield Hit(sheet=LED, row=int(row), column="支出类型", variant="expensed_after_start", values=values)


@check("B09")
def contract_line_incomplete(ctx: Context) -> Iterator[Hit]:
    if not _has_ledger(ctx):
        return
    table = ctx.book.ledger
    lines = ledger(ctx)
    commissioned = line_is(ctx, "cat", 7)
    if not commissioned.any():
        return
    for column in ("受托方", "受托方类型", "关联方"):
        bad = table.invalid.get(column, {})
        empty = commissioned & table.data[column].isna() & ~table.data.index.isin(list(bad))
        for row in lines.index[empty]:
            yield Hit(sheet=LED, row=int(row), column=column)


def overseas_projects(ctx: Context) -> set[object]:
    """项目编号 of the projects with a 委托境外机构 (7.2) line of the year."""
    if not _has_ledger(ctx):
        return set()
    lines = ledger(ctx)
    return set(lines.loc[lines["counted"] & line_is(ctx, "sub", "7.2"), "project"].dropna())


@check("B10")
def no_contract_number(ctx: Context) -> Iterator[Hit]:
    if not _has_projects(ctx):
        return
    p = projects(ctx)
    missing = p["研发形式"].isin(["委托研发", "合作研发"]) & p["技术合同登记号"].isna()
    missing &= ~p["项目编号"].isin(overseas_projects(ctx))  # B15 reports those, about 委托境外 registration
    for row in p.index[missing]:
        yield Hit(
            sheet=PRJ, row=int(row), column="技术合同登记号", values={**_pv(p, row), "form": p.at[row, "研发形式"]}
        )


def _categories_by_project(ctx: Context) -> dict[object, set]:
    """项目编号 → the 费用类别 of its ledger lines, from the distinct (project, category) pairs of the lines."""
    ids, cats = distinct(ctx, "project"), distinct(ctx, "cat")
    both = (ids.codes >= 0) & (cats.codes >= 0)
    pairs = np.unique(ids.codes[both] * (len(cats.values) + 1) + cats.codes[both])
    out: dict[object, set] = {}
    for pair in pairs.tolist():
        project, category = divmod(pair, len(cats.values) + 1)
        out.setdefault(ids.values[project], set()).add(cats.values[category])
    return out


@check("B11")
def form_and_categories(ctx: Context) -> Iterator[Hit]:
    if not (_has_ledger(ctx) and _has_projects(ctx)):
        return
    p = projects(ctx)
    cats = _categories_by_project(ctx)
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


def _income_statement_rd(ctx: Context) -> Decimal:
    reported = ctx.book.enterprise.values.get("利润表研发费用")
    return reported if isinstance(reported, Decimal) else ZERO


@check("B12")
def no_ledger(ctx: Context) -> Iterator[Hit]:
    """An income statement with 研发费用 beyond the amortisation of self-developed intangibles (which the line holds,
    财会〔2018〕15号, and no ledger line does) and an empty ledger."""
    from .claim import self_developed_amortisation

    reported = _income_statement_rd(ctx)
    amortisation = self_developed_amortisation(ctx)
    if reported - amortisation <= 0:
        return
    if ctx.book.ledger.data.empty:
        yield Hit(
            sheet=ENTERPRISE.name,
            column="利润表研发费用",
            variant="with_amortisation" if amortisation else None,
            values={"amount": reported, "amortisation": amortisation, "beyond": reported - amortisation},
        )


@check("B15")
def overseas_not_registered(ctx: Context) -> Iterator[Hit]:
    """财税〔2018〕64号 二: 委托境外进行研发活动应签订技术开发合同，并由委托方到科技行政主管部门进行登记 — whatever
    the project's 研发形式, a project with 委托境外机构 spending needs its 技术合同登记号."""
    if not _has_projects(ctx):
        return
    abroad = overseas_projects(ctx)
    if not abroad:
        return
    p = projects(ctx)
    lines = ledger(ctx)
    spent = lines.loc[lines["counted"] & line_is(ctx, "sub", "7.2")].groupby("project")["book"].sum()
    for row in p.index[p["项目编号"].isin(abroad) & p["技术合同登记号"].isna()]:
        pid = p.at[row, "项目编号"]
        yield Hit(
            sheet=PRJ,
            row=int(row),
            column="技术合同登记号",
            values={"project": pid, "form": p.at[row, "研发形式"], "amount": dec(spent.get(pid, ZERO))},
        )
