"""The Book: what rdcheck knows of one enterprise workbook after reading it (spec §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from .layout import ENTERPRISE, SheetLayout
from .values import Invalid, Noted


def column_letter(index: int) -> str:
    """Return the Excel letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Source:
    """Where one line of a foreign layout came from."""

    sheet: str
    row: int
    cells: dict[str, str]


@dataclass
class Table:
    """One table sheet, read: parsed values indexed by Excel row number, columns by canonical name.

    ``data`` has a column for every field of the layout (absent ones all ``None``); a cell that could not be
    read is ``None`` in ``data`` and its :class:`Invalid` (raw text) is in ``invalid[column][row]``.
    """

    layout: SheetLayout
    title: str | None = None  # the sheet's name in the workbook; None when the sheet is absent
    header_row: int | None = None
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    invalid: dict[str, dict[int, Invalid]] = field(default_factory=dict)
    # cells read from their code, the name typed after it not the official one (``3.2 设备的折旧费``)
    noted: dict[str, dict[int, Noted]] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)  # canonical column -> Excel column letter
    units: dict[str, str] = field(default_factory=dict)  # canonical column -> unit from its header
    missing: list[str] = field(default_factory=list)  # required columns not found
    extra: list[str] = field(default_factory=list)  # headers of unknown columns (kept, ignored)
    # Read from foreign layouts (rdcheck.workbook.layouts): ``data`` is indexed by line number, not Excel row,
    # and each line's source is here: line → (sheet title, Excel row, {column: cell reference}).
    sources: dict[int, Source] | None = None
    carried: frozenset[str] = frozenset()  # columns the foreign layouts carry (``has``)
    skipped_totals: int = 0  # 合计/小计 rows left out of the data

    @property
    def present(self) -> bool:
        return self.title is not None

    @property
    def name(self) -> str:
        return self.layout.name

    def __len__(self) -> int:
        return len(self.data)

    def has(self, column: str) -> bool:
        """Whether the sheet has this column (it may still be empty)."""
        return column in self.letters or column in self.carried

    def locate(self, column: str | None, row: int | None) -> tuple[str, int | None, str | None]:
        """Where a line's column is in the file: (sheet, Excel row, cell) — the canonical sheet name for the
        standard workbook, the workbook's own sheet title for a line read from a foreign layout."""
        if self.sources is not None and row is not None and row in self.sources:
            src = self.sources[row]
            return src.sheet, src.row, src.cells.get(column) if column else None
        return self.name, row, self.cell(column, row) if column else None

    def cell(self, column: str, row: int | None) -> str | None:
        """Return the reference (``G12``) of a column's cell in a row, or None when unknown."""
        if self.sources is not None and row is not None and row in self.sources:
            return self.sources[row].cells.get(column) or None
        letter = self.letters.get(column)
        if letter is None or row is None:
            return None
        return f"{letter}{row}"

    def raw(self, column: str, row: int) -> Any:
        """Return what a cell holds: the parsed value or, when unreadable, its raw text."""
        bad = self.invalid.get(column, {}).get(row)
        if bad is not None:
            return bad.raw
        return self.data.at[row, column]


@dataclass
class Enterprise:
    """The 企业信息 sheet: key -> value, each key with the row and cell of its value."""

    title: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # canonical key -> parsed value (None when empty)
    invalid: dict[str, Invalid] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # canonical key -> Excel row
    cells: dict[str, str] = field(default_factory=dict)  # canonical key -> value cell reference
    units: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # required keys not found

    @property
    def present(self) -> bool:
        return self.title is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def amount(self, key: str) -> Decimal:
        """An optional amount key, empty = 0."""
        value = self.values.get(key)
        return value if isinstance(value, Decimal) else Decimal(0)

    def raw(self, key: str) -> Any:
        bad = self.invalid.get(key)
        return bad.raw if bad is not None else self.values.get(key)


# Ledger columns whose unreadable cell leaves the line out of the figures (F04/F05 report it at the cell).
FIGURE_COLUMNS = ("账载金额", "可加计金额", "费用类别", "明细项目")


@dataclass
class Book:
    """One enterprise workbook: the enterprise record and its tables."""

    path: str
    enterprise: Enterprise
    projects: Table
    ledger: Table
    summary: Table
    staff: Table
    assets: Table
    sheet_titles: list[str] = field(default_factory=list)  # every sheet in the workbook, in order
    # foreign layouts (rdcheck.workbook.layouts.assemble.Foreign): which sheet was read as what, the official
    # 汇总表 rows, tie-outs and what the layouts do not carry; None for a standard workbook
    foreign: Any = None

    @property
    def tables(self) -> dict[str, Table]:
        return {t.name: t for t in (self.projects, self.ledger, self.summary, self.staff, self.assets)}

    def unread_cells(self) -> list[tuple[int, str]]:
        """The ledger cells (Excel row, column) that could not be read and so left their line out of every figure."""
        invalid = self.ledger.invalid if self.ledger.present else {}
        return sorted((row, column) for column in FIGURE_COLUMNS for row in invalid.get(column, {}))

    @property
    def year(self) -> int | None:
        year = self.enterprise.values.get("所属年度")
        return year if isinstance(year, int) else None


__all__ = ["Book", "Enterprise", "Source", "Table", "column_letter", "ENTERPRISE"]
