"""Prepare the ledger lines every computation starts from: the lines of the year, with their amounts and scope."""

from __future__ import annotations

import datetime as dt
import operator
from decimal import Decimal
from functools import reduce
from typing import Any

import numpy as np
import pandas as pd

from ..workbook import Book
from ..workbook.layout import SUBITEM_CATEGORY, SUBITEMS
from .columns import Columns, Distinct, pair_mask
from .lifecycle import Life, project_lives

ZERO = Decimal(0)
_SUB_LINE = {code: line for code, (_, _, line) in SUBITEMS.items() if line is not None}
# A107012 line of a category whose line has no sub-item (the 2021 official ledger carries none for 1-6)
CATEGORY_LINE = {1: 3, 2: 7, 3: 16, 4: 19, 5: 23, 6: 28}

# Columns of the prepared frame (index: Excel row of the ledger line).
LINE_COLUMNS = (
    "project",  # 项目编号 (str or None)
    "category",  # 费用类别 1-8
    "subitem",  # 明细项目 code, e.g. "1.2"
    "line",  # A107012 line (0 for category 8)
    "book",  # 账载金额 (Decimal)
    "eligible",  # 可加计金额, empty = 账载金额 (category 8: empty = 0)
    "capitalised",  # 支出类型 is 资本化 (an empty or unreadable 支出类型 is taken as 费用化; F03/F05 report it)
    "in_scope",  # inside the 10% limit's scope: 费用化, or 资本化 of a project whose intangible forms this year
    # (its 无形资产形成日期 in 所属年度; without that date, its 项目状态 is 已完成 — see compute/lifecycle.py)
    "contractor_type",  # 受托方类型 (category 7)
    "date",  # 日期 (a date, or None when empty or unreadable)
    "for_client",  # the project is 受托研发 (R&D for a client who owns the results): outside the tax base
)


# The ledger columns prepare_lines reads
USED = ["费用类别", "明细项目", "账载金额", "可加计金额", "支出类型", "项目编号", "受托方类型", "日期"]


def empty_lines() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in LINE_COLUMNS})
    frame.index.name = "row"
    return frame


def counted_mask(book: Book, year: int | None, columns: Columns | None = None) -> pd.Series:
    """Return which ledger rows the computation counts (a boolean Series indexed by Excel row).

    A line counts when its 费用类别, 明细项目 and 账载金额 could be read, its sub-item belongs to its category
    (otherwise F05 reports it and it is left out), and it is a line of the year: its 日期 lies in 所属年度, or
    its 日期 is empty or unreadable (F03/F04 report it; it is still the enterprise's spending, so it counts).
    Lines dated in another year (F07) are left out. When 所属年度 is unknown every dated line counts.
    ``columns``: the ledger's factorized columns, when the caller has them.
    """
    data = book.ledger.data
    if data.empty:
        return pd.Series([], index=data.index, dtype=bool)
    cols = columns if columns is not None and columns.serve(data) else Columns(data)
    category = data["费用类别"]
    subitem = data["明细项目"]
    readable = category.notna() & data["账载金额"].notna()
    belongs = pd.Series(belongs_to(cols["明细项目"], cols["费用类别"]), index=data.index)
    if not book.ledger.has("明细项目") or book.ledger.sources is not None:
        # a layout without sub-items (the 2021 official ledger): a line of category 1-6 counts by its category
        belongs |= subitem.isna() & category.isin(range(1, 7))
    mask = readable & belongs
    if year is not None:
        low, high = dt.date(year, 1, 1), dt.date(year, 12, 31)
        mask &= cols["日期"].mask(lambda date: date.isna() | ((date >= low) & (date <= high)))
    return mask.astype(bool)


def prepare_lines(
    book: Book, year: int | None, lives: dict[Any, Life] | None = None, columns: Columns | None = None
) -> pd.DataFrame:
    """Return the counted ledger lines with the columns of LINE_COLUMNS, indexed by Excel row (``lives``: the
    book's project_lives, ``columns`` its ledger's factorized columns, when the caller has them)."""
    data = book.ledger.data
    if data.empty:
        return empty_lines()
    cols = columns if columns is not None and columns.serve(data) else Columns(data)
    counted = counted_mask(book, year, cols)
    keep = counted.to_numpy()
    data = data.loc[counted, USED]
    if data.empty:
        return empty_lines()
    category = data["费用类别"].astype(int)
    subitem = data["明细项目"].astype(object)
    book_amount = data["账载金额"].astype(object)
    eligible = data["可加计金额"].astype(object)
    fill = book_amount.where(category != 8, ZERO)
    eligible = eligible.where(eligible.notna(), fill)
    capitalised = cols["支出类型"].take(keep, data["支出类型"]).mask(lambda s: s == "资本化")
    project = data["项目编号"].astype(object)
    projects = book.projects.data
    if not projects.empty:
        first = projects.drop_duplicates("项目编号").set_index("项目编号")
        lives = project_lives(book) if lives is None else lives
        forms = {pid: life.forms_in(year) for pid, life in lives.items()}
        # (a project not in `forms`: NaN; None/NaN are not True)
        ids, client = cols["项目编号"].take(keep, project), first["受托研发"]
        finished = ids.mask(lambda p: p.map(forms) == True)  # noqa: E712
        for_client = ids.mask(lambda p: p.map(client) == True)  # noqa: E712
    else:
        finished = pd.Series(False, index=data.index)
        for_client = pd.Series(False, index=data.index)
    frame = pd.DataFrame(
        {
            "project": project,
            "category": category,
            "subitem": subitem,
            "line": _lines(cols["明细项目"].take(keep, subitem), category),
            "book": book_amount,
            "eligible": eligible,
            "capitalised": capitalised,
            "in_scope": (~capitalised) | finished,
            "contractor_type": data["受托方类型"].astype(object),
            "date": data["日期"].astype(object),
            "for_client": for_client,
        },
        index=data.index,
    )
    frame.index.name = "row"
    return frame


def belongs_to(subitem: pd.Series | Distinct, category: pd.Series | Distinct) -> np.ndarray:
    """Whether each line's 明细项目 is a sub-item of its 费用类别 (False when either is empty or unknown)."""
    get = SUBITEM_CATEGORY.get
    subs = subitem if isinstance(subitem, Distinct) else Distinct(subitem)
    cats = category if isinstance(category, Distinct) else Distinct(category)
    return pair_mask(subs, cats, lambda s, c: get(s) is not None and get(s) == c)


def _lines(subitem: Distinct, category: pd.Series) -> np.ndarray:
    """Each line's A107012 line: its sub-item's, else its category's (2021 official ledger), else 0."""
    sub_line = subitem.lookup(_SUB_LINE)
    by_category = category.map(CATEGORY_LINE).fillna(0).to_numpy()
    found = np.fromiter((v is not None for v in sub_line), dtype=bool, count=len(sub_line))
    return np.where(found, sub_line, by_category).astype(int)


def dsum(values: pd.Series) -> Decimal:
    """Sum Decimal values exactly (0 for none)."""
    if values.empty:
        return ZERO
    items = values.tolist()
    if set(map(type, items)) == {Decimal}:  # no empty cell: added first to last, as pandas does, without its
        total = reduce(operator.add, items)  # missing-value mask and copy
    else:
        total = values.sum()
    return total if isinstance(total, Decimal) else Decimal(total)


def dsum_by(frame: pd.DataFrame, key: str | list[str], column: str) -> dict:
    """Sum a Decimal column by a key, exactly: {key value: Decimal}."""
    if frame.empty:
        return {}
    sums = frame.groupby(key, sort=False)[column].sum()
    return {k: (v if isinstance(v, Decimal) else Decimal(v)) for k, v in sums.items()}
