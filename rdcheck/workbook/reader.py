"""Read a workbook into a :class:`Book`: sheet and header matching, units, value normalisation (spec §2)."""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReadError
from ..text import one_line
from .arrow import ArrowSheet, Coded, Floats
from .book import Book, Enterprise, Table, column_letter
from .fastsheet import date_names, source_of, table_layout
from .layout import (
    AMOUNT,
    ASSETS,
    BOOL,
    CATEGORY,
    DATE,
    ENTERPRISE,
    ENTERPRISE_KEY_HEADERS,
    ENTERPRISE_VALUE_HEADERS,
    ENUM,
    INT,
    LEDGER,
    PROJECTS,
    RATIO,
    STAFF,
    SUBITEM,
    SUMMARY,
    TOTAL_WORDS,
    UNITS,
    YEAR,
    Field,
    SheetLayout,
)
from .values import (
    Invalid,
    Noted,
    fold,
    is_blank,
    name_key,
    parse_amount,
    parse_bool,
    parse_category,
    parse_column,
    parse_date,
    parse_enum,
    parse_int,
    parse_ratio,
    parse_subitem,
    parse_text,
    parse_year,
    split_unit,
)

HEADER_SCAN_ROWS = 10
Rows = Sequence[Sequence[Any]]
_LEADING_NUMBER = re.compile(r"^[\(（]?\d+[\)）]?[\s、.．]*")
_SPACES = re.compile(r"\s+")


def _scale_unit(f: Field, unit: str | None) -> str | None:
    """The unit an amount column's numbers are in: its header's, else the field's documented one."""
    return unit if unit in UNITS else f.unit or "元"


def _parser(f: Field, unit: str | None) -> Callable[[Any], Any]:
    """Return the value parser for a field, given the unit its header carries."""
    if f.kind == AMOUNT:
        scale_unit = _scale_unit(f, unit)
        return lambda v: parse_amount(v, scale_unit)
    if f.kind == DATE:
        return parse_date
    if f.kind == RATIO:
        return parse_ratio
    if f.kind == BOOL:
        return parse_bool
    if f.kind == INT:
        return parse_int
    if f.kind == YEAR:
        return parse_year
    if f.kind == ENUM:
        return lambda v: parse_enum(v, f.choices)
    if f.kind == CATEGORY:
        return parse_category
    if f.kind == SUBITEM:
        return parse_subitem
    return parse_text


def _field_index(layout: SheetLayout) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in layout.fields:
        for n in f.names:
            index.setdefault(name_key(n), f)
    return index


_INDEXES = {layout.name: _field_index(layout) for layout in (ENTERPRISE, PROJECTS, LEDGER, SUMMARY, STAFF, ASSETS)}


def _match_header(cell: Any, index: dict[str, Field]) -> tuple[Field | None, str | None]:
    if is_blank(cell):
        return None, None
    key, unit = split_unit(str(cell))
    f = index.get(key)
    if f is None:
        # 汇总表 headers may carry the category's number: "1 人员人工费用", "(1)人员人工费用"
        f = index.get(_LEADING_NUMBER.sub("", key))
    return f, unit


def _find_sheet(titles: Sequence[str], layout: SheetLayout) -> str | None:
    wanted = {name_key(n) for n in (layout.name, layout.alias, *layout.aliases)}
    for title in titles:
        if name_key(title) in wanted:
            return title
    return None


# cell types that are never blank and never a total word (a float may be NaN: not here)
_PLAIN_FIRST = frozenset({dt.date, dt.datetime, int})


def _first_value(row: Sequence[Any]) -> Any:
    """A row's first non-blank value, or None for a blank row."""
    for value in row:
        if isinstance(value, str):
            if value.strip():
                return value
        elif value is not None and not (isinstance(value, float) and math.isnan(value)):
            return value
    return None


@lru_cache(maxsize=4096)
def _is_total_word(text: str) -> bool:
    return _SPACES.sub("", fold(text)) in TOTAL_WORDS


def _columns(body: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    """The body's first ``width`` columns (rows may be short or ragged: missing cells are None)."""
    if not body:
        return [()] * width
    lengths = set(map(len, body))
    if len(lengths) == 1 and min(lengths) >= width:  # calamine gives every row the sheet's width
        return list(zip(*body, strict=True))[:width]
    padded = [list(row[:width]) + [None] * (width - len(row)) for row in body]
    return list(zip(*padded, strict=True))


def _has_voucher(row: Sequence[Any], col: int) -> bool:
    """Whether a row carries a real 凭证号 (a total word in that column is not one)."""
    if col >= len(row) or is_blank(row[col]):
        return False
    return not (isinstance(row[col], str) and _SPACES.sub("", fold(row[col])) in TOTAL_WORDS)


def read_table(layout: SheetLayout, title: str | None, rows: Rows) -> Table:
    """Read a table sheet's rows (row 0 = Excel row 1) into a Table."""
    table = Table(layout=layout, title=title)
    index = _INDEXES[layout.name]
    required = [f.name for f in layout.fields if f.required]
    best: tuple[int, int, dict[str, tuple[int, str | None]]] | None = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, tuple[int, str | None]] = {}
        for c, cell in enumerate(row):
            f, unit = _match_header(cell, index)
            if f is not None and f.name not in found:
                found[f.name] = (c, unit)
        hits = sum(1 for n in required if n in found)
        if found and (best is None or hits > best[1] or (hits == best[1] and len(found) > len(best[2]) and hits)):
            best = (r, hits, found)
        if hits == len(required):
            best = (r, hits, found)
            break
    columns = [f.name for f in layout.fields]
    if best is None:
        table.missing = required
        table.data = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        return table
    header_r, _, found = best
    table.header_row = header_r + 1
    table.missing = [n for n in required if n not in found]
    table.letters = {n: column_letter(c) for n, (c, _) in found.items()}
    table.units = {n: u for n, (_, u) in found.items() if u}
    known_cols = {c for c, _ in found.values()}
    table.extra = [
        str(cell).strip() for c, cell in enumerate(rows[header_r]) if c not in known_cols and not is_blank(cell)
    ]

    voucher_col = found.get("凭证号", (None,))[0] if layout.name == LEDGER.name else None
    if isinstance(rows, ArrowSheet) and header_r == 0:
        body_rows, by_col, table.skipped_totals = rows.body(voucher_col, [c for c, _ in found.values()], _is_total_word)
        _parse_fields(table, layout, found, body_rows, by_col)
        return table
    body_rows: list[int] = []
    body: list[Sequence[Any]] = []
    for r in range(header_r + 1, len(rows)):
        row = rows[r]
        if row and type(row[0]) in _PLAIN_FIRST:  # a date or amount in column A: neither blank nor a total row
            body_rows.append(r + 1)
            body.append(row)
            continue
        first = _first_value(row)
        if first is None:
            continue
        if (
            isinstance(first, str)
            and _is_total_word(first)
            and not (voucher_col is not None and _has_voucher(row, voucher_col))
        ):
            table.skipped_totals += 1
            continue
        body_rows.append(r + 1)
        body.append(row)

    columns_of = _columns(body, 1 + max(c for c, _ in found.values()))
    _parse_fields(table, layout, found, body_rows, dict(enumerate(columns_of)))
    return table


def _parse_fields(
    table: Table,
    layout: SheetLayout,
    found: dict[str, tuple[int, str | None]],
    body_rows: list[int],
    columns_of: dict[int, Sequence[Any]],
) -> None:
    """Parse the found columns' values (one per body row) into ``table.data``, ``invalid`` and ``noted``.

    The values go straight into the frame's one block of objects, a column at a time: a 500k-line ledger would
    otherwise hold each column three times over (the parsed lists, pandas' per-column arrays, the block).
    """
    block = np.empty((len(body_rows), len(layout.fields)), dtype=object)  # None where a field has no column
    for j, f in enumerate(layout.fields):
        if f.name not in found:
            continue
        c, unit = found[f.name]
        values = columns_of[c]
        parse, scale_unit = _parser(f, unit), _scale_unit(f, unit)
        if isinstance(values, Coded):  # from Arrow: the column's distinct values, and an index per row
            block[:, j] = _parse_coded(table, f, values, parse, scale_unit, body_rows)
            continue
        if isinstance(values, Floats):  # from Arrow: a float column
            if f.kind == AMOUNT and UNITS.get(scale_unit, 1) == 1:
                parsed, any_bad = values.yuan(parse)
            else:
                parsed, any_bad = parse_column(values.tolist(), parse, f.kind, scale_unit)
        else:
            parsed, any_bad = parse_column(values, parse, f.kind, scale_unit)
        if any_bad:
            bad = {body_rows[i]: v for i, v in enumerate(parsed) if isinstance(v, Invalid)}
            table.invalid[f.name] = bad
            parsed = [None if isinstance(v, Invalid) else v for v in parsed]
        if f.kind in (CATEGORY, SUBITEM):
            noted = {body_rows[i]: v for i, v in enumerate(parsed) if isinstance(v, Noted)}
            if noted:  # read from the code, the name typed after it noted for F05's warning
                table.noted[f.name] = noted
                parsed = [v.value if isinstance(v, Noted) else v for v in parsed]
        block[:, j] = parsed
    table.data = pd.DataFrame(
        block, index=pd.Index(body_rows, name="row"), columns=[f.name for f in layout.fields], dtype=object, copy=False
    )


def _parse_coded(
    table: Table, f: Field, values: Coded, parse: Callable[[Any], Any], scale_unit: str | None, body_rows: list[int]
) -> np.ndarray:
    """A coded column's values parsed: each distinct value once, the rows taking theirs by index (what parsing
    every row gives, Invalid and Noted cells recorded the same way)."""
    parsed, any_bad = parse_column(values.distinct, parse, f.kind, scale_unit)
    lookup = np.empty(len(parsed), dtype=object)
    lookup[:] = parsed
    index = values.index
    if any_bad:
        flags = np.array([isinstance(v, Invalid) for v in parsed], dtype=bool)
        table.invalid[f.name] = {body_rows[i]: lookup[index[i]] for i in np.flatnonzero(flags[index]).tolist()}
        lookup[flags] = None
    if f.kind in (CATEGORY, SUBITEM):
        flags = np.array([isinstance(v, Noted) for v in lookup.tolist()], dtype=bool)
        rows = np.flatnonzero(flags[index]).tolist() if flags.any() else []
        if rows:  # read from the code, the name typed after it noted for F05's warning
            table.noted[f.name] = {body_rows[i]: lookup[index[i]] for i in rows}
            for k in np.flatnonzero(flags).tolist():
                lookup[k] = lookup[k].value
    return lookup[index]


def read_enterprise(title: str | None, rows: Rows) -> Enterprise:
    """Read the 企业信息 sheet: each row's first known key, its value in the value column or the next cell."""
    ent = Enterprise(title=title)
    index = _INDEXES[ENTERPRISE.name]
    value_col: int | None = None
    key_words = {name_key(h) for h in ENTERPRISE_KEY_HEADERS}
    value_words = {name_key(h) for h in ENTERPRISE_VALUE_HEADERS}
    for row in rows[:HEADER_SCAN_ROWS]:
        keys = [c for c, v in enumerate(row) if not is_blank(v) and name_key(str(v)) in key_words]
        values = [c for c, v in enumerate(row) if not is_blank(v) and name_key(str(v)) in value_words]
        if keys and values:
            value_col = values[0]
            break
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if not isinstance(cell, str) or is_blank(cell):
                continue
            f, unit = _match_header(cell, index)
            if f is None:
                continue
            if f.name not in ent.rows:
                vc = value_col if value_col is not None and value_col > c else c + 1
                value = row[vc] if vc < len(row) else None
                parsed = _parser(f, unit)(value)
                if isinstance(parsed, Invalid):
                    ent.invalid[f.name] = parsed
                    parsed = None
                ent.values[f.name] = parsed
                ent.rows[f.name] = r + 1
                ent.cells[f.name] = f"{column_letter(vc)}{r + 1}"
                if unit:
                    ent.units[f.name] = unit
            break
    for f in ENTERPRISE.fields:
        ent.values.setdefault(f.name, None)
    ent.missing = [f.name for f in ENTERPRISE.fields if f.required and f.name not in ent.rows]
    return ent


def book_from_sheets(
    sheets: dict[str, Rows], path: str = "<memory>", merged: dict[str, Any] | None = None, info: Any = None
) -> Book:
    """Build a Book from sheets given as rows of cell values (row 0 = Excel row 1).

    Every sheet is first offered to the foreign layouts (``workbook.layouts``: the official 2021/2015 ledgers and
    汇总表, …), after filling its merged ranges (``merged``: title → calamine's ranges); a sheet no layout
    recognises is read as the standard sheet its title names. ``info`` (an :class:`Enterprise` read from an
    ``--info`` file) stands in for a missing 企业信息 sheet.
    """
    foreign = _foreign_sheets(sheets, merged or getattr(sheets, "merged", {}))
    if foreign:
        sheets = {t: ([] if t in foreign else rows) for t, rows in sheets.items()}
    titles = [t for t in sheets if t not in foreign]

    def table(layout: SheetLayout) -> Table:
        title = _find_sheet(titles, layout)
        if title is None:
            t = Table(layout=layout)
            t.data = pd.DataFrame({f.name: pd.Series([], dtype=object) for f in layout.fields})
            return t
        return read_table(layout, title, sheets[title])

    ent_title = _find_sheet(titles, ENTERPRISE)
    enterprise = read_enterprise(ent_title, sheets[ent_title] if ent_title else [])
    book = Book(
        path=path,
        enterprise=enterprise,
        projects=table(PROJECTS),
        ledger=table(LEDGER),
        summary=table(SUMMARY),
        staff=table(STAFF),
        assets=table(ASSETS),
        sheet_titles=list(sheets),
    )
    if not foreign:
        return book
    from .layouts.assemble import assemble

    return assemble(book, [(layout, layout.read(grid)) for layout, grid in foreign.values()], info, path)


def _foreign_sheets(sheets: dict[str, Rows], merged: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The sheets a foreign layout recognises: title → (layout, the sheet's Grid with merged ranges filled)."""
    from .layouts import HEAD_ROWS, recognise
    from .layouts.grid import Grid

    found: dict[str, tuple[Any, Any]] = {}
    for title, rows in sheets.items():
        if not rows:
            continue
        ranges = list(merged.get(title, ()))
        head = Grid.of(title, rows[:HEAD_ROWS], [m for m in ranges if m[1][0] < HEAD_ROWS])
        layout = recognise(head)
        if layout is not None:
            found[title] = (layout, Grid.of(title, rows, ranges))
    return found


class Sheets(dict):
    """Sheet title → rows, with each sheet's merged ranges in ``merged`` (title → [((r0, c0), (r1, c1))])."""

    merged: dict[str, list[Any]]


def wanted_sheet(title: str) -> bool:
    key = name_key(title)
    for layout in (ENTERPRISE, PROJECTS, LEDGER, SUMMARY, STAFF, ASSETS):
        if key in {name_key(n) for n in (layout.name, layout.alias, *layout.aliases)}:
            return True
    return False


def load_sheets(
    path: str | os.PathLike[str], limits: Any = None, arrow: str = "auto", scanned: Any = None, parsed: Any = None
) -> Sheets:
    """Load the rows of the sheets rdcheck reads (cached values; nothing in the file is run).

    ``safety.inspect`` looks at the file first (spec §7: empty, not Excel, encrypted, zip bomb, XML entities,
    a sheet over the limits) and finds the cells holding an error (#REF!, #DIV/0!, #N/A), which calamine returns
    as empty strings: they are put back as their error text so that the value parsers make them Invalid (F04).
    ``limits`` is a :class:`rdcheck.workbook.safety.Limits` (None = defaults).

    A big table sheet of an .xlsx is read through Arrow (``arrow.py``: an :class:`ArrowSheet` in place of its rows)
    when that gives exactly calamine's values; ``arrow="never"`` reads every sheet with calamine, ``"always"``
    tries Arrow whatever the sheet's size (the tests compare both). ``scanned`` is the Preflight of this file
    made already (the command's pre-scan, ``prescan.py``): it is not scanned again; ``parsed`` the big table sheets
    its thread parsed with fastexcel since (``fastsheet.load_sheet``, for ``arrow="auto"``).
    """
    from python_calamine import CalamineWorkbook, PasswordError

    from .safety import inspect, is_interrupt

    p = Path(path)
    # every sheet (a foreign layout's sheets may have any name); a missing file, a FIFO or a device is said here
    checked = scanned if scanned is not None else inspect(p, limits, None)
    try:
        wb = open_workbook(CalamineWorkbook, p)
    except PasswordError:
        raise ReadError(
            "工作簿有密码保护，请取消密码后重新提交",
            "the workbook is password-protected; remove the password and submit it again",
        ) from None
    except BaseException as exc:  # calamine raises assorted types, a Rust panic (BaseException) included
        if is_interrupt(exc):
            raise
        raise ReadError(
            f"无法读取文件（不是有效的 Excel 工作簿或已损坏）：{one_line(exc)}",
            f"cannot read the file (not a valid Excel workbook, or damaged): {one_line(exc)}",
        ) from None
    sheets = Sheets()
    sheets.merged = {}
    fast = _ArrowReader(p, checked, arrow, parsed)
    try:
        for title in wb.sheet_names:
            arrow_sheet = fast.load(title)
            if arrow_sheet is not None:
                sheets[title] = arrow_sheet
                continue
            sheet = wb.get_sheet_by_name(title)
            rows = sheet.to_python(skip_empty_area=False)
            scan = checked.sheets.get(title)
            for (r, c), text in scan.errors.items() if scan else ():
                if r <= len(rows) and c <= len(rows[r - 1]) and rows[r - 1][c - 1] == "":
                    rows[r - 1][c - 1] = text
            sheets[title] = rows
            ranges = getattr(sheet, "merged_cell_ranges", None)
            if ranges:
                sheets.merged[title] = list(ranges)
    except PasswordError:
        raise ReadError(
            "工作簿有密码保护，请取消密码后重新提交",
            "the workbook is password-protected; remove the password and submit it again",
        ) from None
    except BaseException as exc:  # a Rust panic too (PanicException derives from BaseException)
        if is_interrupt(exc):
            raise
        raise ReadError(f"无法读取工作表：{one_line(exc)}", f"cannot read a sheet: {one_line(exc)}") from None
    finally:
        close = getattr(wb, "close", None)
        if close:
            close()
    return sheets


class _ArrowReader:
    """The Arrow path of :func:`load_sheets`: which sheets take it, and the fastexcel reader, opened once."""

    def __init__(self, path: Path, checked: Any, mode: str, parsed: dict[str, Any] | None = None) -> None:
        self.path, self.checked, self.mode = path, checked, mode
        self.parsed = parsed or {}  # title -> a fastexcel sheet the pre-scan's thread parsed (None: it failed)
        self.reader: Any = None
        self.failed = mode == "never" or checked.kind not in ("xlsx", "xlsm")

    def load(self, title: str) -> ArrowSheet | None:
        from . import arrow
        from .safety import is_interrupt

        scan = self.checked.sheets.get(title)
        layout = table_layout(title)
        if self.failed or layout is None or scan is None:
            return None
        if self.mode == "auto" and scan.rows < arrow.MIN_ROWS:
            return None
        try:
            fits = lambda sheet: _arrow_fits(sheet, layout)  # noqa: E731
            if title in self.parsed:
                sheet = self.parsed.pop(title)  # not held once read: a big sheet's parse is hundreds of MB
                return arrow.load(None, title, scan, fits, date_names(layout), sheet) if sheet is not None else None
            if self.reader is None:
                import fastexcel

                self.reader = fastexcel.read_excel(source_of(self.path))
            return arrow.load(self.reader, title, scan, fits, date_names(layout))
        except BaseException as exc:  # noqa: BLE001 - whatever fastexcel cannot do, calamine does (or says why not)
            if is_interrupt(exc):
                raise
            return None


def _arrow_fits(sheet: ArrowSheet, layout: SheetLayout) -> bool:
    """Whether calamine's path would read this sheet with its header in row 1 and no foreign layout, and every
    date/time column lies under a date field (where a date and a midnight datetime read the same)."""
    import pyarrow as pa

    from .layouts import HEAD_ROWS, recognise
    from .layouts.grid import Grid

    index = _INDEXES[layout.name]
    found: dict[str, int] = {}
    for c, cell in enumerate(sheet.names):
        f, _ = _match_header(cell, index)
        if f is not None and f.name not in found:
            found[f.name] = c
    if any(f.required and f.name not in found for f in layout.fields):
        return False
    kinds = {c: f.kind for f in layout.fields if f.name in found for c in [found[f.name]]}
    for c, arr in sheet.columns.items():
        if pa.types.is_timestamp(arr.type) and c in kinds and kinds[c] != DATE:
            return False
    return recognise(Grid.of(sheet.title, sheet[:HEAD_ROWS], [])) is None


def open_workbook(calamine: Any, path: Path) -> Any:
    """Open with calamine by path, or through a file object when the path is not valid UTF-8.

    A name from a Windows zip can arrive as GBK bytes, which Python keeps as surrogate escapes that calamine
    (Rust) cannot take as a path.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fh:
            return calamine.from_filelike(fh)
    return calamine.from_path(str(path))


def read_book(path: str | os.PathLike[str], limits: Any = None, info: Any = None, prescan: Any = None) -> Book:
    """Read one enterprise workbook into a Book; raise ReadError when the file cannot be read.

    ``limits`` is a :class:`rdcheck.workbook.safety.Limits` (None = defaults): what rdcheck agrees to read.
    ``info`` is an :class:`Enterprise` from an ``--info`` file, for a workbook without 企业信息.
    ``prescan`` is the command's :class:`rdcheck.workbook.prescan.Prescan` of this file, if it started one.
    """
    from .safety import native_stderr_quiet

    got = prescan.result(path, limits) if prescan is not None else None
    scanned, parsed = (got.preflight, got.parsed) if got is not None else (None, None)
    del got
    with gc_paused(), native_stderr_quiet():  # a calamine panic is a one-line ReadError, not a Rust backtrace
        sheets = load_sheets(path, limits, scanned=scanned, parsed=parsed)
        return book_from_sheets(sheets, path=str(path), info=info)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while millions of cells are made (none of them in a cycle).

    Every few hundred allocations the collector would walk the young objects, and every so often all of them:
    at 100k lines that is ~20% of reading and parsing. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
