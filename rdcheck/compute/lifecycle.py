"""The capitalised project's lifecycle: the year its intangible asset forms, and what that year changes (issue 12).

国家税务总局公告2021年第28号 三（一）: the 其他相关费用 limit is computed once over all projects, "其中资本化项目发生的
费用在形成无形资产的年度统一纳入计算". So a capitalised project's spending enters the limit in the year its
intangible forms — this year's 资本化 lines *and* what it capitalised in earlier years (研发项目 columns
以前年度资本化五项费用 / 以前年度资本化其他相关费用) — and in no other year.

The formation year is the year of 研发项目.无形资产形成日期; a project without that date is taken to form its
intangible in the year its 项目状态 is 已完成 (spec §4.1, 执行指引2.0 四（二）4 "当年已结束的资本化项目") when it
capitalised something to form it: 资本化 lines this year, or earlier years' capitalised amounts stated. The same
test places its amortisation on line 43; a 已完成 project with neither (an intangible of an earlier year, most
likely, still listed for its amortisation) is not assumed to form one this year.

A107012 lines 43/44 (本年形成 / 以前年度形成无形资产本年摊销额): the 企业信息 keys when given; otherwise the projects'
无形资产本年摊销额, placed by formation year (this year → 43, an earlier year → 44). A line that cannot be placed is
None (unknown), never a made-up number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from ..workbook import Book
from .columns import Columns, Distinct

ZERO = Decimal(0)
FORMED = "无形资产形成日期"
PRIOR_CORE = "以前年度资本化五项费用"
PRIOR_OTHER = "以前年度资本化其他相关费用"
AMORTISATION = "无形资产本年摊销额"
KEY_43 = "本年形成无形资产摊销额"
KEY_44 = "以前年度形成无形资产本年摊销额"


def _amount(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


@dataclass(frozen=True)
class Life:
    """One project's lifecycle facts as the workbook states them (None = not stated)."""

    formed: dt.date | None
    finished: bool  # 项目状态 is 已完成
    for_client: bool
    prior_core: Decimal | None
    prior_other: Decimal | None
    amortisation: Decimal | None
    capitalised_now: bool = False  # it has 资本化 lines dated in the book's year (or undated)

    def forms_in(self, year: int | None) -> bool:
        """The project's intangible forms in ``year``: by 无形资产形成日期 when given, else by 项目状态 已完成 with
        something capitalised to form it (this year's 资本化 lines, or earlier years' amounts stated)."""
        if self.formed is not None and year is not None:
            return self.formed.year == year
        return self.finished and (self.capitalised_now or self.prior_core is not None or self.prior_other is not None)


def project_lives(book: Book, columns: Columns | None = None) -> dict[Any, Life]:
    """项目编号 → Life, from 研发项目 (the first row of a repeated 项目编号); ``columns``: the ledger's factorized
    columns, when the caller has them."""
    data = book.projects.data
    if data.empty:
        return {}
    lives: dict[Any, Life] = {}
    capitalised_now = _capitalised_now(book, columns)
    for _, row in data.iterrows():
        pid = row.get("项目编号")
        if pid is None or (isinstance(pid, float) and pd.isna(pid)) or pid in lives:
            continue
        formed = row.get(FORMED)
        lives[pid] = Life(
            formed=formed if isinstance(formed, dt.date) else None,
            finished=row.get("项目状态") == "已完成",
            for_client=row.get("受托研发") is True,
            prior_core=_amount(row.get(PRIOR_CORE)),
            prior_other=_amount(row.get(PRIOR_OTHER)),
            amortisation=_amount(row.get(AMORTISATION)),
            capitalised_now=pid in capitalised_now,
        )
    return lives


def _capitalised_now(book: Book, columns: Columns | None = None) -> set[Any]:
    """The projects with a 资本化 ledger line dated in the book's year (or undated)."""
    data = book.ledger.data
    if data.empty or "支出类型" not in data.columns:
        return set()
    kind = columns["支出类型"] if columns is not None and columns.serve(data) else Distinct(data["支出类型"])
    capitalised = data.loc[kind.mask(lambda s: s == "资本化"), ["日期", "项目编号"]]
    year = book.year
    return {
        pid
        for when, pid in zip(capitalised["日期"].tolist(), capitalised["项目编号"].tolist(), strict=True)
        if pd.notna(pid) and (year is None or pd.isna(when) or (isinstance(when, dt.date) and when.year == year))
    }


def prior_pool(lives: Mapping[Any, Life], year: int | None) -> tuple[Decimal, Decimal]:
    """(五项费用, 其他相关费用) capitalised in earlier years by the projects whose intangible forms this year: they
    join this year's lines in the 10% limit (28号 三（一）). 受托研发 projects are outside the base altogether."""
    core = other = ZERO
    for life in lives.values():
        if life.for_client or not life.forms_in(year):
            continue
        core += life.prior_core or ZERO
        other += life.prior_other or ZERO
    return core, other


@dataclass
class Amortisation:
    """A107012 lines 43 and 44 and what line 45 adds for them."""

    line43: Decimal | None
    line44: Decimal | None
    total: Decimal  # added to line 45: every amount known, placed or not
    unplaced: list[Any] = field(default_factory=list)  # projects with an amortisation but no 无形资产形成日期
    unknown_current: list[Any] = field(default_factory=list)  # forming this year, no amortisation stated


def amortisation_lines(values: Mapping[str, Any], lives: Mapping[Any, Life], year: int | None) -> Amortisation:
    """Lines 43 and 44 (see the module's docstring).

    A 企业信息 key, when given, is its line. Otherwise the line is the sum of the projects' 无形资产本年摊销额 placed
    by formation year (this year → 43, earlier → 44), or None when it cannot be known: some amortisation has no
    formation date (43 and 44 both unknown), or a project forms its intangible this year with no amortisation
    stated (43 unknown). With no key and no project data, both lines are 0 (empty = 0, as before). Line 45 adds
    every amount known. An amortisation of an intangible that forms after the year is left out (B16 reports it)."""
    key43, key44 = _amount(values.get(KEY_43)), _amount(values.get(KEY_44))
    own = {pid: life for pid, life in lives.items() if not life.for_client}
    current = earlier = loose = ZERO
    unplaced: list[Any] = []
    stated = False
    for pid, life in own.items():
        if life.amortisation is None:
            continue
        if year is not None and life.formed is None and life.forms_in(year):
            stated = True  # no date, but 已完成 with this year's or earlier capitalised spending: as the pool takes it
            current += life.amortisation
        elif life.formed is None or year is None:
            stated = True
            unplaced.append(pid)
            loose += life.amortisation
        elif life.formed.year == year:
            stated = True
            current += life.amortisation
        elif life.formed.year < year:
            stated = True
            earlier += life.amortisation
    unknown_current = [
        pid
        for pid, life in own.items()
        if life.formed is not None and year is not None and life.formed.year == year and life.amortisation is None
    ]
    line43: Decimal | None
    line44: Decimal | None
    if key43 is not None:
        line43, unknown_current = key43, []
    elif unplaced or unknown_current:
        line43 = None
    else:
        line43 = current
    if key44 is not None:
        line44 = key44
    elif unplaced:
        line44 = None
    else:
        line44 = earlier if stated else ZERO
    if key43 is not None or key44 is not None:
        # a key stands for its whole line; the other line counts what the projects place on it
        total = (key43 if key43 is not None else current) + (key44 if key44 is not None else earlier)
        if key43 is not None and key44 is not None:
            unplaced = []
    else:
        total = current + earlier + loose
    return Amortisation(line43, line44, total, unplaced, unknown_current)
