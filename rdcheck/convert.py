"""Convert a readable workbook, in any layout rdcheck reads, into the standard workbook (spec §2; issue 10 point 7).

What was read is written back in the template's look (headers with units and notes, drop-down lists, 填表说明),
one ledger line a row, each with the cell it came from in an extra column 来源单元格 (``'RD2024-01'!I6``), so
that an accountant can trace every line of the converted file to the file the enterprise kept. A value that
could not be read is written as the text it held, and a key or column that was missing stays missing: checking
the converted file finds the same rules and computes the same figures as checking the original.

The file is written beside its destination under a temporary name and moved into place (never half-written);
it is never written over the input.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from .errors import RdcheckError
from .template import (
    COLUMN_WIDTHS,
    CREATED,
    _comment,
    _field_note,
    _Formats,
    _Lists,
    _print_setup,
    _validate,
    _write_instructions,
    header_text,
)
from .text import display_width
from .workbook import Book
from .workbook.book import Table
from .workbook.layout import (
    AMOUNT,
    BOOL,
    CATEGORIES,
    CATEGORY,
    ENTERPRISE,
    ENTERPRISE_KEY_HEADERS,
    ENTERPRISE_VALUE_HEADERS,
    INSTRUCTIONS_SHEET,
    LEDGER,
    SHEETS,
    SUBITEM,
    SUBITEMS,
    UNITS,
    Field,
)

SOURCE_COLUMN = "来源单元格"
SOURCE_NOTE = "来源单元格：这一行的金额在原文件中的位置（工作表!单元格）；检查时忽略此列"


class ConvertError(RdcheckError):
    """The conversion cannot be done as asked (output over the input, output not writable)."""


@dataclass
class Converted:
    """What was written: where, how many ledger lines and projects, from which layouts."""

    path: str
    lines: int
    projects: int


def quote_sheet(title: str) -> str:
    """A sheet name as Excel writes it in a reference: quoted when it is not a plain word."""
    plain = title.replace("_", "").isalnum() and not title[0].isdigit()
    return title if plain else "'" + title.replace("'", "''") + "'"


def line_sources(book: Book) -> dict[int, str]:
    """Each ledger row's source cell in the file the enterprise sent (``sheet!cell``).

    A layout reader that turns wide rows into lines says where each came from in ``Table.sources`` (row →
    reference); for the standard ledger the line's own 账载金额 cell is its source.
    """
    table = book.ledger
    given = getattr(table, "sources", None)
    if given:  # row → Source(sheet, row, cells) (rdcheck.workbook.book.Source)
        out: dict[int, str] = {}
        for row, src in given.items():
            if isinstance(src, str):
                out[row] = src
                continue
            ref = src.cells.get("账载金额") or next(iter(src.cells.values()), f"A{src.row}")
            out[row] = f"{quote_sheet(src.sheet)}!{ref}"
        return out
    if not table.present:
        return {}
    letter = table.letters.get("账载金额") or next(iter(table.letters.values()), "A")
    sheet = quote_sheet(table.title or LEDGER.name)
    return {int(row): f"{sheet}!{letter}{row}" for row in table.data.index}


def convert_book(book: Book, out: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> Converted:
    """Write a Book as the standard workbook at ``out``, atomically; refuse to write over ``source``."""
    dst = Path(out)
    if source is not None and _same_file(Path(source), dst):
        raise ConvertError(
            f"输出文件不能是输入文件本身：{dst}（请用 -o 指定另一个文件名）",
            f"the output must not be the input itself: {dst} (give another file name with -o)",
        )
    if dst.is_dir():
        raise ConvertError(f"输出路径是文件夹：{dst}", f"the output path is a folder: {dst}")
    folder = dst.parent if str(dst.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rdcheck-", suffix=".xlsx", dir=folder)
    except OSError as exc:
        raise ConvertError(
            f"无法写入 {dst}：{exc.strerror or exc}", f"cannot write {dst}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    try:
        lines = _write(book, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the converted workbook is an ordinary file
        os.replace(tmp, dst)
    except OSError as exc:
        raise ConvertError(
            f"无法写入 {dst}：{exc.strerror or exc}", f"cannot write {dst}: {exc.strerror or exc}"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return Converted(str(dst), lines, len(book.projects.data) if book.projects.present else 0)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _write(book: Book, path: str) -> int:
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        wb.set_properties(
            {"title": "研发支出辅助账（由 rdcheck convert 转换）", "author": "rdcheck", "created": CREATED}
        )
        fmt = _Formats(wb)
        instructions = wb.add_worksheet(INSTRUCTIONS_SHEET)
        sheets = {}
        for layout in SHEETS:
            present = book.enterprise.present if layout is ENTERPRISE else book.tables[layout.name].present
            present = present or layout.name in _synthesised(book)
            if present:
                sheets[layout.name] = wb.add_worksheet(layout.name)
        lists = _Lists(wb)
        _write_instructions(instructions, fmt)
        lines = 0
        for name, ws in sheets.items():
            if name == ENTERPRISE.name:
                _write_enterprise(ws, book, fmt, lists)
            else:
                table = book.tables[name]
                sources = line_sources(book) if name == LEDGER.name else None
                _write_table(ws, book, table, fmt, lists, sources)
                if name == LEDGER.name:
                    lines = len(table.data)
        _print_setup(instructions, landscape=True)
        for ws in sheets.values():
            _print_setup(ws, landscape=ws.name != ENTERPRISE.name, repeat_header=True)
        (sheets.get(LEDGER.name) or instructions).activate()
    finally:
        wb.close()
    return lines


def cell_value(f: Field, value: Any, unit: str | None = None) -> Any:
    """A parsed value as the standard workbook writes it (amounts in the header's unit)."""
    if value is None:
        return None
    if f.kind == AMOUNT and isinstance(value, Decimal):
        scale = UNITS.get(unit or f.unit or "元", 1)
        return value / scale if scale != 1 else value
    if f.kind == BOOL and isinstance(value, bool):
        return "是" if value else "否"
    if f.kind == CATEGORY and isinstance(value, int) and value in CATEGORIES:
        return f"{value} {CATEGORIES[value][0]}"
    if f.kind == SUBITEM and isinstance(value, str) and value in SUBITEMS:
        return f"{value} {SUBITEMS[value][1]}"
    return value


def _put(ws: Any, r: int, c: int, value: Any, fmt: _Formats, f: Field) -> None:
    if value is None or (isinstance(value, float) and value != value):  # None, or pandas' NaN for a blank
        ws.write_blank(r, c, None, fmt.of(f))
    elif isinstance(value, float) and value in (float("inf"), float("-inf")):
        ws.write_string(r, c, str(value), fmt.plain)
    elif value is None:
        ws.write_blank(r, c, None, fmt.of(f))
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, fmt.date)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt.date)
    elif isinstance(value, Decimal):
        ws.write_number(r, c, float(value), fmt.of(f))
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt.plain)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt.of(f))
    else:
        ws.write_string(r, c, str(value), fmt.plain)


def _synthesised(book: Book) -> set[str]:
    """The standard sheets rdcheck made from foreign layouts (no such sheet in the file): written in full."""
    foreign = getattr(book, "foreign", None)
    return set(getattr(foreign, "synthesised", ()) or ())


def _write_enterprise(ws: Any, book: Book, fmt: _Formats, lists: _Lists) -> None:
    ent = book.enterprise
    every = ENTERPRISE.name in _synthesised(book)  # a new form to complete: every key, blank where unknown
    ws.write(0, 0, ENTERPRISE_KEY_HEADERS[0], fmt.header)
    ws.write(0, 1, ENTERPRISE_VALUE_HEADERS[0], fmt.header)
    ws.set_column(0, 0, max(display_width(header_text(f)) for f in ENTERPRISE.fields) + 4)
    ws.set_column(1, 1, 36)
    r = 1
    for f in ENTERPRISE.fields:
        if not every and f.name not in ent.rows and ent.values.get(f.name) is None:
            continue  # a key the original lacks stays missing (F02 then, as before)
        ws.write_string(r, 0, header_text(f), fmt.header_required if f.required else fmt.header)
        bad = ent.invalid.get(f.name)
        value = bad.raw if bad is not None else cell_value(f, ent.values.get(f.name))
        _put(ws, r, 1, value, fmt, f)
        _comment(ws, r, 0, _field_note(f))
        _validate(ws, r, 1, r, f, lists)
        r += 1
    ws.freeze_panes(1, 0)


def _fields(book: Book, table: Table) -> list[Field]:
    """The columns written: every one of a sheet made from foreign layouts (a form to complete), else those the
    file had; a ledger read from foreign layouts also gets 可加计金额 (blank = 账载金额) for the enterprise to fill."""
    if table.name in _synthesised(book):
        return list(table.layout.fields)
    foreign = table.sources is not None and any(not s.sheet == LEDGER.name for s in table.sources.values())
    return [f for f in table.layout.fields if table.has(f.name) or (foreign and f.name == "可加计金额")]


def _write_table(
    ws: Any, book: Book, table: Table, fmt: _Formats, lists: _Lists, sources: dict[int, str] | None
) -> None:
    fields = _fields(book, table)
    last = max(len(table.data), 1)
    for c, f in enumerate(fields):
        text = header_text(f)
        ws.write_string(0, c, text, fmt.header_required if f.required else fmt.header)
        ws.set_column(c, c, COLUMN_WIDTHS.get(f.name, max(display_width(text) + 4, 12)), fmt.of(f))
        _comment(ws, 0, c, _field_note(f))
        _validate(ws, 1, c, last + 1000, f, lists)
    width = len(fields)
    if sources is not None:
        ws.write_string(0, width, SOURCE_COLUMN, fmt.header)
        ws.set_column(width, width, 22)
        _comment(ws, 0, width, SOURCE_NOTE)
        width += 1
    for r, (row, record) in enumerate(table.data.iterrows(), start=1):
        for c, f in enumerate(fields):
            bad = table.invalid.get(f.name, {}).get(row)
            value = bad.raw if bad is not None else cell_value(f, record[f.name])
            _put(ws, r, c, value, fmt, f)
        if sources is not None and row in sources:
            ws.write_string(r, len(fields), sources[row], fmt.plain)
    ws.freeze_panes(1, 0)
    if width:
        ws.autofilter(0, 0, max(len(table.data), 1), width - 1)


__all__ = ["SOURCE_COLUMN", "ConvertError", "Converted", "cell_value", "convert_book", "line_sources", "quote_sheet"]
