"""The capitalised project's lifecycle (issue 12): formation of the intangible, its dates, its amortisation.

B16 dates that contradict each other on 研发项目; B17 资本化 lines after the intangible formed; C19 a formation this
year with no capitalised spending; C20 a formation this year without the earlier years' capitalised spending the
10% limit pools (公告2021年第28号 三（一）); C21 amortisation that cannot be placed on A107012 line 43 or 44;
C22 the 企业信息 line 43/44 figures against the projects' own amortisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd

from ..compute.lifecycle import AMORTISATION, FORMED, KEY_43, KEY_44, PRIOR_CORE, PRIOR_OTHER, project_lives
from ..workbook.layout import ENTERPRISE, LEDGER, PROJECTS
from .common import ZERO, key, ledger, line_is, project_dates, projects, tax_year
from .registry import Context, Hit, check

ENT, LED, PRJ = ENTERPRISE.name, LEDGER.name, PROJECTS.name
CAPITALISED_KINDS = ("资本化", "部分资本化")


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def _formed(p: pd.DataFrame) -> pd.Series:
    return p[FORMED].map(lambda v: v if isinstance(v, dt.date) else None)


def _capitalised_projects(ctx: Context) -> set[Any]:
    """项目编号 of the projects with a 资本化 line of the year."""
    if not ctx.book.ledger.present or ctx.book.ledger.data.empty:
        return set()
    lines = ledger(ctx)
    return set(lines.loc[lines["in_year"] & line_is(ctx, "expense", "资本化"), "project"].dropna())


def _stated(value: Any) -> bool:
    return isinstance(value, Decimal)


@check("B16")
def lifecycle_dates(ctx: Context) -> Iterator[Hit]:
    """无形资产形成日期 before 资本化开始日期 (the cost is what is spent from capitalisation to formation), and an
    amortisation this year for an intangible that forms after the year (amortisation starts when it is usable)."""
    if not ctx.book.projects.present:
        return
    p = projects(ctx)
    year = tax_year(ctx)
    formed = _formed(p)
    for row in p.index:
        when, start = formed[row], p.at[row, "资本化开始日期"]
        values = {"project": p.at[row, "项目编号"], "formed": _date(when), "start": _date(start)}
        if when is not None and isinstance(start, dt.date) and when < start:
            yield Hit(sheet=PRJ, row=int(row), column=FORMED, variant="before_start", values=values)
        amount = p.at[row, AMORTISATION]
        if when is not None and year is not None and when.year > year and _stated(amount) and amount > 0:
            values.update(amount=amount, year=year)
            yield Hit(sheet=PRJ, row=int(row), column=AMORTISATION, variant="amortised_early", values=values)


@check("B17")
def capitalised_after_formation(ctx: Context) -> Iterator[Hit]:
    """A 资本化 line dated after its project's 无形资产形成日期: spending after the asset is ready is not its cost."""
    if not ctx.book.projects.present or not ctx.book.ledger.present or ctx.book.ledger.data.empty:
        return
    lines = ledger(ctx)
    formed = project_dates(ctx, FORMED)
    late = line_is(ctx, "expense", "资本化") & formed.notna() & lines["when"].notna() & (lines["when"] > formed)
    for row in lines.index[late.astype(bool)]:
        values = {
            "project": lines.at[row, "project"],
            "date": _date(lines.at[row, "when"]),
            "formed": _date(formed[row]),
        }
        yield Hit(sheet=LED, row=int(row), column="支出类型", values=values)


@check("C19")
def formed_without_capitalised_spending(ctx: Context) -> Iterator[Hit]:
    """A project whose intangible forms this year but which capitalised nothing: no 资本化 line this year and no
    earlier years' capitalised amounts — the formation date is wrong, or the spending was not capitalised."""
    year = tax_year(ctx)
    if year is None or not ctx.book.projects.present:
        return
    p = projects(ctx)
    formed = _formed(p)
    with_lines = _capitalised_projects(ctx)
    for row in p.index:
        when = formed[row]
        if when is None or when.year != year or p.at[row, "项目编号"] in with_lines:
            continue
        prior = [p.at[row, c] for c in (PRIOR_CORE, PRIOR_OTHER)]
        if any(_stated(v) and v != 0 for v in prior):
            continue
        values = {"project": p.at[row, "项目编号"], "formed": _date(when), "kind": p.at[row, "支出类型"] or ""}
        yield Hit(sheet=PRJ, row=int(row), column=FORMED, values=values)


@check("C20")
def formed_without_prior_spending(ctx: Context) -> Iterator[Hit]:
    """A project whose intangible forms this year, capitalising since an earlier year, with both earlier-years
    columns empty: the 10% limit then pools only this year's capitalised spending (28号 三（一）)."""
    year = tax_year(ctx)
    if year is None or not ctx.book.projects.present:
        return
    p = projects(ctx)
    formed = _formed(p)
    for row in p.index:
        when, start = formed[row], p.at[row, "资本化开始日期"]
        if when is None or when.year != year or not isinstance(start, dt.date) or start.year >= year:
            continue
        if p.at[row, "支出类型"] not in CAPITALISED_KINDS:
            continue
        if _stated(p.at[row, PRIOR_CORE]) or _stated(p.at[row, PRIOR_OTHER]):
            continue
        values = {"project": p.at[row, "项目编号"], "formed": _date(when), "start": _date(start)}
        yield Hit(sheet=PRJ, row=int(row), column=PRIOR_CORE, values=values)


@check("C21")
def amortisation_unplaced(ctx: Context) -> Iterator[Hit]:
    """Amortisation A107012 cannot place on line 43 or 44: a project's 无形资产本年摊销额 without 无形资产形成日期;
    a project forming its intangible this year with no amortisation stated (line 43 left empty); 本年形成无形资产摊销额
    claimed while no project's intangible forms this year."""
    year = tax_year(ctx)
    if not ctx.book.projects.present:
        return
    p = projects(ctx)
    formed = _formed(p)
    key43 = key(ctx, KEY_43)
    own = p["受托研发"] != True  # noqa: E712 (None/NaN are not True)
    lives = project_lives(ctx.book)
    for row in p.index[own.astype(bool)]:
        pid, when, amount = p.at[row, "项目编号"], formed[row], p.at[row, AMORTISATION]
        placed = year is not None and pid in lives and lives[pid].forms_in(year)  # by 已完成, as the 10% pool
        if _stated(amount) and when is None and not placed:
            yield Hit(sheet=PRJ, row=int(row), column=FORMED, variant="no_formation", values={"project": pid})
        elif year is not None and when is not None and when.year == year and not _stated(amount) and key43 is None:
            values = {"project": pid, "formed": _date(when)}
            yield Hit(sheet=PRJ, row=int(row), column=AMORTISATION, variant="no_amortisation", values=values)
    if year is None or not isinstance(key43, Decimal) or key43 <= 0:
        return
    if ctx.book.foreign is not None and not ctx.book.projects.has(FORMED):
        return  # a foreign layout (official 2021/2015, ERP) has no place for the date to ask for
    forming = formed.map(lambda d: d is not None and d.year == year)
    by_status = (p["项目状态"] == "已完成") & p["支出类型"].isin(CAPITALISED_KINDS) & formed.isna()
    if not (forming | by_status).any():
        yield Hit(sheet=ENT, column=KEY_43, variant="no_project", values={"amount": key43, "year": year})


@check("C22")
def amortisation_keys_disagree(ctx: Context) -> Iterator[Hit]:
    """企业信息 本年形成 / 以前年度形成无形资产本年摊销额 differ from the projects' 无形资产本年摊销额 placed by
    formation year, when both are given for a line."""
    year = tax_year(ctx)
    if year is None or not ctx.book.projects.present:
        return
    p = projects(ctx)
    formed = _formed(p)
    own = (p["受托研发"] != True).astype(bool)  # noqa: E712
    sums = {KEY_43: ZERO, KEY_44: ZERO}
    seen = {KEY_43: False, KEY_44: False}
    for row in p.index[own]:
        when, amount = formed[row], p.at[row, AMORTISATION]
        if not _stated(amount) or when is None or when.year > year:
            continue
        name = KEY_43 if when.year == year else KEY_44
        sums[name] += amount
        seen[name] = True
    tolerance = Decimal(str(ctx.params.get("rounding", 1)))
    for name in (KEY_43, KEY_44):
        given = key(ctx, name)
        if seen[name] and isinstance(given, Decimal) and abs(given - sums[name]) > tolerance:
            values = {"given": given, "projects": sums[name], "difference": given - sums[name]}
            yield Hit(sheet=ENT, column=name, variant="current" if name == KEY_43 else "prior", values=values)
