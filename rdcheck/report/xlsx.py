"""Write the annotated copy of an enterprise workbook: its sheets as values, findings marked, results listed.

The copy is built from the cached values python-calamine reads (never the input's formulas, macros or external
links), streamed row by row with xlsxwriter's constant_memory mode so that a 100k-line ledger stays fast and small
in memory. Fills are decided before a row is written, so marking a cell costs nothing extra; comments live apart
from the cell data and can be added in any order.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from ..errors import RdcheckError, ReadError
from ..model import SEVERITIES, Finding, Report, to_fen
from ..outfile import OutputRefused, replacing, same_file
from ..text import display_width, one_line
from ..workbook.layout import AMOUNT, ENTERPRISE
from ..workbook.safety import inspect, is_interrupt, native_stderr_quiet
from ..workbook.values import name_key
from .i18n import PILLAR, SEVERITY, lang_of, t
from .text import finding_order

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_URLS = 65_530  # Excel's limit of hyperlinks per worksheet
MAX_COMMENT_FINDINGS = 10  # findings spelt out in one cell's comment; the rest are counted
MAX_COMMENT_CHARS = 4_000
MAX_TEXT = 32_767
MAX_COMMENTS = 10_000  # per sheet: beyond it Excel slows to a crawl; fills and 检查结果 still show every finding
WIDTH_SAMPLE = 200  # rows looked at to size the columns
FILLS = {"error": "#FFC7CE", "warning": "#FFE699", "info": "#BDD7EE"}
RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}  # info 0 < warning 1 < error 2
PILLAR_ORDER = ("F", "B", "C", "T")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
NUM_FORMATS = {
    "text": None,
    "number": None,
    "amount": "#,##0.00",
    "count": "0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "time": "hh:mm:ss",
    "duration": "[h]:mm:ss",
}


@dataclass
class SourceSheet:
    """One worksheet of the input; its rows of cached values are read when asked for."""

    title: str
    hidden: bool = False
    _book: Any = None
    refused: ReadError | None = None  # the preflight could not bound it (over the limits, damaged): not copied
    _read: Any = None  # the sheet calamine read ahead (rdcheck.report.ahead), or None: read it here

    def load(self) -> tuple[Iterable[Sequence[Any]], int, int]:
        """Return the sheet's rows and the 0-based (row, col) where they start."""
        try:
            sheet, self._read = self._read or self._book.get_sheet_by_name(self.title), None
        except BaseException as exc:  # calamine raises assorted error types for damaged sheets, panics included
            if is_interrupt(exc):
                raise
            raise ReadError(
                f"无法读取工作表 {self.title}：{one_line(exc)}", f"cannot read sheet {self.title}: {one_line(exc)}"
            ) from None
        start = sheet.start or (0, 0)
        return sheet.iter_rows(), int(start[0]), int(start[1])


@dataclass
class Mark:
    """The findings on one cell of the input."""

    severity: str
    findings: list[Finding] = field(default_factory=list)

    def add(self, f: Finding) -> None:
        self.findings.append(f)
        if RANK.get(f.severity, 0) > RANK.get(self.severity, 0):
            self.severity = f.severity


class Formats:
    """Cell formats made once and reused: one per (kind of value, severity fill)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self._wb = wb
        self.workbook = wb
        self._cache: dict[tuple[str, str | None], Any] = {}
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.link = wb.add_format({"font_color": "blue", "underline": 1, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.bold = wb.add_format({"bold": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def get(self, kind: str, severity: str | None = None) -> Any:
        key = (kind, severity)
        fmt = self._cache.get(key)
        if fmt is None and key not in self._cache:
            props: dict[str, Any] = {}
            if NUM_FORMATS.get(kind):
                props["num_format"] = NUM_FORMATS[kind]
            if severity in FILLS:
                props["bg_color"] = FILLS[severity]
                props["valign"] = "top"  # a filled cell lines up with the wrapped text beside it
            fmt = self._wb.add_format(props) if props else None
            self._cache[key] = fmt
        return fmt


# ---------------------------------------------------------------------------------------------- reading the input


@contextmanager
def open_source(
    path: str | os.PathLike[str], checked: frozenset[str] = frozenset(), ahead: Any = None
) -> Iterator[list[SourceSheet]]:
    """Open the input with python-calamine and give its worksheets (cached values; nothing in the file is run).

    ``checked`` names the sheets the check itself read from these very bytes (:func:`read_by_check`): the
    check's preflight bounded them, so when they are all the copy reads, the file is not scanned a second time.
    ``ahead`` is a :class:`rdcheck.report.ahead.ReadAhead` the check started on this file: its workbook and the
    sheets it read are used when the bytes are the ones checked.
    """
    from python_calamine import CalamineWorkbook

    from ..workbook.reader import open_workbook

    # Every sheet that will be copied is bounded first (calamine allocates a sheet's whole grid, and a 43 kB
    # file can declare 100M cells); one that cannot be is listed, not copied. Unless the check read this file,
    # that is done before calamine opens it (opening reads the shared strings and styles).
    if ahead is not None and not checked:  # not the bytes the check read: start again from the file
        ahead.close()
    wb, read = ahead.take() if ahead is not None and checked else (None, {})
    refused = None if checked else inspect(Path(path), collect=True).refused
    try:
        wb = wb or open_workbook(CalamineWorkbook, Path(path))
    except BaseException as exc:  # calamine raises assorted error types for unreadable files, panics included
        if is_interrupt(exc):
            raise
        raise ReadError(f"无法读取文件：{one_line(exc)}", f"cannot read the file: {one_line(exc)}") from None
    try:
        metadata = list(getattr(wb, "sheets_metadata", []))
        hidden = {m.name for m in metadata if _enum_name(getattr(m, "visible", "Visible")) != "visible"}
        skip = {m.name for m in metadata if _enum_name(getattr(m, "typ", "WorkSheet")) != "worksheet"}
        titles = [title for title in wb.sheet_names if title not in skip]
        if refused is None:
            refused = {} if set(titles) <= checked else inspect(Path(path), collect=True).refused
        yield [SourceSheet(title, title in hidden, wb, refused.get(title), read.get(title)) for title in titles]
    finally:
        close = getattr(wb, "close", None)
        if close:
            close()


def read_by_check(report: Report, src: Path) -> frozenset[str]:
    """The sheets the report's check read from the bytes now at src: none unless the file is the one checked.

    A Book exists only when the reader's preflight bounded every sheet of the file (``read_book`` scans them all
    and refuses the file otherwise), and the SHA-256 says these are the bytes it read.
    """
    book = report.book
    titles = getattr(book, "sheet_titles", None) if book is not None else None
    if not titles or not report.sha256:
        return frozenset()
    from ..api import sha256_of

    try:
        same = sha256_of(src) == report.sha256
    except OSError:
        return frozenset()
    return frozenset(titles) if same else frozenset()


def _enum_name(value: Any) -> str:
    """`SheetVisibleEnum.Hidden` -> `hidden`."""
    return str(value).rsplit(".", 1)[-1].lower()


# ---------------------------------------------------------------------------------------------- where findings point


def sheet_titles(report: Report) -> dict[str, str]:
    """Map each canonical sheet name to the title the workbook gives it (an alias, spaces, …)."""
    titles: dict[str, str] = {}
    book = report.book
    if book is not None:
        if getattr(book.enterprise, "title", None):
            titles[ENTERPRISE.name] = book.enterprise.title
        for name, table in book.tables.items():
            if table.title:
                titles[name] = table.title
    return titles


def resolve_sheet(canonical: str | None, titles: dict[str, str], source_titles: Sequence[str]) -> str | None:
    """The input's title for a finding's sheet, or None when the sheet is not in the input."""
    if canonical is None:
        return None
    title = titles.get(canonical)
    if title in source_titles:
        return title
    if canonical in source_titles:
        return canonical
    key = name_key(canonical)
    for s in source_titles:
        if name_key(s) == key:
            return s
    return None


def anchor(f: Finding) -> tuple[int, int] | None:
    """The 0-based (row, col) a finding marks: its cell, or column A of its row; None for whole-sheet findings."""
    if f.cell:
        try:
            row, col = xl_cell_to_rowcol(f.cell)
        except (ValueError, AttributeError, TypeError):
            row, col = -1, -1
        if 0 <= row < MAX_ROWS and 0 <= col < MAX_COLS:
            return row, col
    if f.row is not None and 1 <= f.row <= MAX_ROWS:
        return f.row - 1, 0
    return None


def collect_marks(
    findings: Iterable[Finding], titles: dict[str, str], source_titles: Sequence[str]
) -> dict[str, dict[int, dict[int, Mark]]]:
    """Group findings by input sheet title, then row, then column."""
    marks: dict[str, dict[int, dict[int, Mark]]] = {}
    for f in findings:
        title = resolve_sheet(f.sheet, titles, source_titles)
        at = anchor(f)
        if title is None or at is None:
            continue
        row, col = at
        cells = marks.setdefault(title, {}).setdefault(row, {})
        mark = cells.get(col)
        if mark is None:
            mark = cells[col] = Mark(f.severity)
        mark.add(f)
    return marks


def amount_cells(report: Report) -> tuple[dict[str, set[int]], dict[str, set[tuple[int, int]]]]:
    """Which input columns (per sheet title) and which single cells hold amounts: shown with #,##0.00."""
    columns: dict[str, set[int]] = {}
    cells: dict[str, set[tuple[int, int]]] = {}
    book = report.book
    if book is None:
        return columns, cells
    for table in book.tables.values():
        if not table.title:
            continue
        cols = set()
        for f in table.layout.fields:
            letter = table.letters.get(f.name)
            if f.kind == AMOUNT and letter:
                cols.add(xl_cell_to_rowcol(f"{letter}1")[1])
        columns[table.title] = cols
    ent = book.enterprise
    if getattr(ent, "title", None):
        found = set()
        for f in ENTERPRISE.fields:
            ref = ent.cells.get(f.name)
            if f.kind == AMOUNT and ref:
                found.add(xl_cell_to_rowcol(ref))
        cells[ent.title] = found
    return columns, cells


# ---------------------------------------------------------------------------------------------- writing values


def value_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, dt.timedelta):
        return "duration"
    return "text"


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmts: Formats, kind: str | None = None, sev=None):
    """Write one value by its type: text always as text (never a formula), numbers, dates, booleans."""
    if value is None or value == "":
        if sev is not None:
            ws.write_blank(row, col, None, fmts.get("text", sev))
        return
    vk = value_kind(value)
    if vk == "number":
        number = float(to_fen(value)) if isinstance(value, Decimal) else float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmts.get(kind if kind in ("amount", "count") else "number", sev))
            return
        ws.write_string(row, col, str(value), fmts.get("text", sev))
    elif vk == "bool":
        ws.write_boolean(row, col, value, fmts.get("text", sev))
    elif vk in ("date", "datetime"):
        if value.year < 1900 or value.year > 9999:
            ws.write_string(row, col, value.isoformat(), fmts.get("text", sev))
        else:
            ws.write_datetime(row, col, value, fmts.get(vk, sev))
    elif vk in ("time", "duration"):
        ws.write_datetime(row, col, value, fmts.get(vk, sev))
    else:
        ws.write_string(row, col, _text(value), fmts.get("text", sev))


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_TEXT]


def _write_header(ws: Worksheet, headers: Sequence[str], fmts: Formats, widths: Sequence[int]) -> None:
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(0, c, h, fmts.header)
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)


def _safe_title(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts and no other sheet of the copy uses (case-insensitively)."""
    name = _BAD_TITLE.sub("_", title).strip("'") or "Sheet"
    name = name[:31]
    if name.lower() == "history":  # reserved by Excel
        taken.add(name.lower())
    base, n = name, 2
    while name.lower() in taken:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------- the sheets


def _write_results(
    ws: Worksheet, report: Report, fmts: Formats, lang: str, links: dict[str, str], titles, source_titles
) -> None:
    """The 检查结果 sheet: every finding, its cell a link into the copy; filterable, header frozen."""
    keys = (
        "rule", "severity", "pillar", "sheet", "row", "column", "cell", "message", "hint", "value", "basis", "waived"
    )  # fmt: skip
    widths = (6, 8, 11, 11, 6, 12, 8, 48, 48, 14, 30, 20)
    _write_header(ws, [t(f"col_{k}", lang) for k in keys], fmts, widths)
    ws.set_row(0, 30)  # two lines: a wrapped header shows whole
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, fmts.top)  # every cell of a finding's row starts at its top line
    wrapped = {7: widths[7], 8: widths[8], 10: widths[10]}
    findings = sorted(
        report.findings,
        key=lambda f: (PILLAR_ORDER.index(f.pillar) if f.pillar in PILLAR_ORDER else 9, *finding_order(f)),
    )
    urls = 0
    r = 0
    for r, f in enumerate(findings, start=1):
        if r >= MAX_ROWS:
            break
        sev = f.severity
        ws.write_string(r, 0, f.rule, fmts.top)
        ws.write_string(r, 1, SEVERITY[lang].get(sev, sev), fmts.get("text", sev))
        ws.write_string(r, 2, f"{f.pillar} {PILLAR[lang].get(f.pillar, '')}".strip())
        write_value(ws, r, 3, f.sheet, fmts)
        write_value(ws, r, 4, f.row, fmts, "count")
        write_value(ws, r, 5, f.column, fmts)
        title = resolve_sheet(f.sheet, titles, source_titles)
        target = links.get(title) if title else None
        at = anchor(f)
        shown = f.cell or ""
        if target is not None and urls < MAX_URLS:
            ref = xlsxwriter.utility.xl_rowcol_to_cell(*at) if at else "A1"
            ws.write_url(r, 6, f"internal:{_quote(target)}!{ref}", fmts.link, string=shown or ref)
            urls += 1
        else:
            write_value(ws, r, 6, shown, fmts)
        texts = {7: f.message, 8: f.hint, 10: f.basis}
        lines = max(_wrapped_lines(text, wrapped[c]) for c, text in texts.items())
        if lines > 1:
            ws.set_row(r, 15 * min(lines, 12))
        for c, text in texts.items():
            if text:
                ws.write_string(r, c, _text(text), fmts.wrap)
        write_value(ws, r, 9, f.value, fmts, "amount" if isinstance(f.value, Decimal) else None)
        if f.waived is not None:  # shown, not hidden: the row stays, saying the bureau accepted it
            ws.write_string(r, 11, _text(t("waived", lang, reason=f.waived)), fmts.wrap)
    ws.autofilter(0, 0, max(r, 1), len(keys) - 1)


def _wrapped_lines(text: str | None, width: int) -> int:
    """Lines a wrapped cell of ``width`` characters needs for the text (a Chinese character is two wide)."""
    if not text:
        return 1
    return sum(max(1, -(-display_width(part) // max(width - 1, 1))) for part in str(text).split("\n"))


def _comment(mark: Mark, lang: str) -> str:
    lines = []
    for f in sorted(mark.findings, key=lambda f: -RANK.get(f.severity, 0))[:MAX_COMMENT_FINDINGS]:
        waived = f"（{t('waived', lang, reason=f.waived)}）" if f.waived is not None else ""
        lines.append(f"{f.rule} {SEVERITY[lang].get(f.severity, f.severity)}{waived}：{f.message}")
        if f.hint:
            lines.append(f"  → {f.hint}")
    more = len(mark.findings) - MAX_COMMENT_FINDINGS
    if more > 0:
        lines.append(t("more_findings", lang, n=more))
    text = "\n".join(lines)
    return text if len(text) <= MAX_COMMENT_CHARS else text[: MAX_COMMENT_CHARS - 1] + "…"


def _write_source(
    ws: Worksheet,
    sheet: SourceSheet,
    fmts: Formats,
    marks: dict[int, dict[int, Mark]],
    amount_cols: set[int],
    amount_at: set[tuple[int, int]],
    lang: str,
) -> None:
    """Stream one input sheet into the copy, filling marked cells by severity and commenting them.

    The rows go out as sheet XML in order (:mod:`rdcheck.report.sheetxml`): marked rows without data are written
    in their turn, between data rows; comments (kept apart by xlsxwriter) are all added before the sheet is closed.
    """
    if sheet.refused is not None:
        _write_refused(ws, sheet, fmts, lang)
        return
    from .sheetxml import SheetXml

    rows, row0, col0 = sheet.load()
    out = SheetXml(ws, fmts.workbook, fmts)
    widths: dict[int, int] = {}
    pending = sorted(marks)
    p = 0
    r = row0 - 1
    comments = Budget(MAX_COMMENTS)
    for i, values in enumerate(rows):
        r = row0 + i
        if r >= MAX_ROWS:
            break
        while p < len(pending) and pending[p] < r:
            _write_marks_only(out, marks[pending[p]], pending[p])
            _write_comments(ws, marks[pending[p]], pending[p], lang, comments)
            p += 1
        if i < WIDTH_SAMPLE:
            _measure(widths, values, col0, amount_cols)
        row_marks = marks.get(r)
        if row_marks is None and not amount_at:
            out.plain_row(r, values, col0, amount_cols)  # almost every row: no marks, values by type
            continue
        cells: dict[int, tuple[Any, str | None, str | None]] = {}
        for c, value in enumerate(values, col0):
            mark = row_marks.get(c) if row_marks else None
            kind = "amount" if c in amount_cols or (r, c) in amount_at else None
            cells[c] = (value, kind, mark.severity if mark else None)
        if row_marks:
            p += 1 if p < len(pending) and pending[p] == r else 0
            # marked cells outside the row's data: an empty required cell at the end of a short row
            for k, mark in row_marks.items():
                if k not in cells:
                    cells[k] = (None, None, mark.severity)
            _write_comments(ws, row_marks, r, lang, comments)
        out.cells_row(r, cells)
    for row in pending[p:]:
        if row > r:
            _write_marks_only(out, marks[row], row)
            _write_comments(ws, marks[row], row, lang, comments)
    out.close(lambda row, col, value, kind, sev: write_value(ws, row, col, value, fmts, kind, sev))
    for c, w in widths.items():
        ws.set_column(c, c, min(max(w, 8), 50))
    if sheet.hidden:
        ws.hide()


def _write_refused(ws: Worksheet, sheet: SourceSheet, fmts: Formats, lang: str) -> None:
    """In place of a sheet the copy cannot bound: its name (the tab) and why it was not copied."""
    assert sheet.refused is not None
    if lang == "en":
        text = f"Sheet '{sheet.title}' was not copied: {sheet.refused.en}"
    else:
        text = f"工作表「{sheet.title}」未复制：{sheet.refused.zh}"
    ws.write_string(0, 0, text[:MAX_TEXT], fmts.bold)
    ws.set_column(0, 0, 100)


class Budget:
    """How many more of something (comments) a sheet may still take."""

    def __init__(self, left: int) -> None:
        self.left = left

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def _measure(widths: dict[int, int], values: Sequence[Any], col0: int, amount_cols: set[int]) -> None:
    """Widen each column to fit a sample row's values."""
    for c, value in enumerate(values, col0):
        if value == "" or value is None:
            continue
        if isinstance(value, str):
            w = _width(value)
        elif c in amount_cols:
            w = 14
        else:
            w = 11
        if w > widths.get(c, 0):
            widths[c] = w


def _write_comments(ws: Worksheet, cells: dict[int, Mark], row: int, lang: str, budget: Budget) -> None:
    for col, mark in cells.items():
        if not budget.take():
            return
        ws.write_comment(row, col, _comment(mark, lang), {"x_scale": 2.5, "y_scale": min(1 + len(mark.findings), 6)})


def _write_marks_only(out: Any, cells: dict[int, Mark], row: int) -> None:
    """A marked row the input has no data in: its marked cells, empty and filled."""
    out.cells_row(row, {c: (None, None, m.severity) for c, m in cells.items()})


def _width(text: str) -> int:
    return display_width(text.split("\n", 1)[0]) + 2


def _labels(lang: str) -> tuple[dict[int, str], dict[str, str]]:
    """The A107012 and 107-2 line texts (English where the computation gives them, else the form's Chinese)."""
    try:
        from ..compute import labels
    except ImportError:  # the computation is optional for hand-built reports
        return {}, {}
    a107012 = dict(labels.A107012_LABELS)
    if lang == "en":
        a107012.update(getattr(labels, "A107012_LABELS_EN", {}))
    return a107012, dict(labels.STATS_LABELS)


def _get_line(a107012: dict[Any, Any], n: int) -> Any:
    return a107012.get(n, a107012.get(str(n)))


def _write_a107012(ws: Worksheet, report: Report, fmts: Formats, lang: str, labels: dict[int, str]) -> None:
    a = report.calc.a107012 if report.calc is not None and getattr(report.calc, "a107012", None) else report.a107012
    amount = t("col_amount", lang)
    if any(f.rule == "F15" for f in report.findings):  # an ERP ledger: the figures are an upper bound
        amount += t("upper_bound", lang)
    _write_header(ws, [t("col_line", lang), t("col_item", lang), amount], fmts, (7, 60, 18))
    r = 0
    for r, n in enumerate(range(1, 53), start=1):
        ws.write_number(r, 0, n)
        write_value(ws, r, 1, labels.get(n, ""), fmts)
        write_value(ws, r, 2, _get_line(a, n), fmts, "count" if n in (1, 50) else "amount")
    r += 1
    if report.tax_saving is not None:
        write_value(ws, r, 1, t("tax_saving", lang), fmts)
        write_value(ws, r, 2, report.tax_saving, fmts, "amount")
        r += 1
    for note in report.notes:
        write_value(ws, r, 1, note, fmts)
        r += 1


def _write_records(ws: Worksheet, records: Sequence[dict[str, Any]], fmts: Formats, headers: dict[str, str]) -> None:
    keys: list[str] = []
    for rec in records:
        for k in rec:
            if k not in keys:
                keys.append(k)
    _write_header(ws, [headers.get(k, str(k)) for k in keys], fmts, [16] * len(keys))
    for r, rec in enumerate(records, start=1):
        for c, k in enumerate(keys):
            v = rec.get(k)
            if isinstance(v, (list, tuple, set)):
                v = "、".join(str(x) for x in v)
            elif isinstance(v, dict):
                v = str(v)
            write_value(ws, r, c, v, fmts, "amount" if isinstance(v, (Decimal, float)) else None)


def _write_stats(ws: Worksheet, report: Report, fmts: Formats, lang: str, labels: dict[str, str]) -> None:
    headers = [t(k, lang) for k in ("col_line", "col_item", "col_amount", "col_amount_k", "col_mark")]
    _write_header(ws, headers, fmts, (12, 40, 18, 18, 10))
    r = 0
    for r, (key, value) in enumerate(report.stats.items(), start=1):
        write_value(ws, r, 0, int(key) if key.isdigit() else None, fmts, "count")
        write_value(ws, r, 1, labels.get(key, key), fmts)
        write_value(ws, r, 2, value, fmts, "amount")
        if value is not None and not isinstance(value, bool):
            write_value(ws, r, 3, Decimal(str(value)) / 1000, fmts, "amount")
        if key.startswith("intramural"):
            write_value(ws, r, 4, t("estimate", lang), fmts)


def _write_reconciliation(ws: Worksheet, report: Report, fmts: Formats, lang: str) -> None:
    keys = ("caliber", "item", "computed", "reported", "difference", "explained_by")
    _write_records(ws, report.reconciliation, fmts, {k: t(f"col_{k}", lang) for k in keys})


# ---------------------------------------------------------------------------------------------- the entry point


KEPT_COLUMNS = ("日期",)  # what the copy reads of a table's rows (rdcheck.report.reading)


def for_copy(report: Report) -> Report:
    """A copy of the report without what only the checking needed: the tables' columns and the computation's frames.

    For a caller that hands its report to :func:`write_annotated` and keeps nothing else of it (``check --format
    xlsx``): while the copy reads the input a second time, the checked rows are no longer held (at 500k lines the
    ledger's frame and the computation's line frames are ~200 MB). Titles, columns' letters, findings and figures
    stay, and each table keeps its rows' dates (what :mod:`rdcheck.report.reading` counts): the copy is the same.
    """
    light = copy.copy(report)
    book = report.book
    if book is not None:
        book = light.book = copy.copy(book)
        for name in ("projects", "ledger", "summary", "staff", "assets"):
            table = getattr(book, name, None)
            data = getattr(table, "data", None)
            if data is not None and hasattr(data, "iloc"):
                table = copy.copy(table)
                kept = [c for c in KEPT_COLUMNS if c in data.columns]
                table.data = data[kept].copy()  # its rows' count and dates, for the letter's reading line
                setattr(book, name, table)
    calc = report.calc
    if calc is not None:
        calc = light.calc = copy.copy(calc)
        for name in ("lines", "line_amounts", "columns"):  # columns: the factorized ledger, which holds its frame
            if getattr(calc, name, None) is not None:
                setattr(calc, name, None)
    return light


def write_annotated(
    report: Report,
    out_path: str | os.PathLike[str],
    lang: str = "zh",
    source: str | os.PathLike[str] | None = None,
    ahead: Any = None,
) -> Path:
    """Write the annotated copy of the report's workbook to out_path; return the path written.

    The input (``source``, by default ``report.file``) is only read; the copy is written to a temporary file
    beside out_path and moved into place when complete, so a failure never leaves half a workbook. ``ahead`` is
    the :class:`rdcheck.report.ahead.ReadAhead` started while the report was made (``api.check(on_read=…)``).
    """
    lang = lang_of(lang)
    src = Path(source if source is not None else report.file)
    out = Path(out_path)
    if src.exists() and same_file(out, src):
        if ahead is not None:
            ahead.close()
        raise OutputRefused(f"输出文件与输入文件相同：{out}", f"the output is the input file: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if ahead is not None:
        ahead.wait()  # its thread quietens descriptor 2 while it reads: not at the same time as the copy below
    with replacing(out) as tmp:
        try:
            with native_stderr_quiet():
                _write(report, src, str(tmp), lang, ahead)
        except (RdcheckError, OSError, MemoryError):
            raise
        except BaseException as exc:  # a sheet that panics calamine part-way through its rows, say
            if is_interrupt(exc):
                raise
            raise ReadError(f"无法复制工作簿：{one_line(exc)}", f"cannot copy the workbook: {one_line(exc)}") from None
    return out


def _restore_template(report: Report, sheets: dict[str, Worksheet], taken: set[str]) -> tuple[Any, str]:
    """Put the template's drop-downs, notes and frozen header back on the copy's standard sheets."""
    from .inputs import ListSheet, restore_enterprise, restore_table

    lists = ListSheet()
    title = _safe_title("下拉列表", taken)
    book = report.book
    if book is None:
        return lists, title
    ent_title = getattr(book.enterprise, "title", None)
    if ent_title in sheets:
        restore_enterprise(sheets[ent_title], book.enterprise, lists, title)
    for table in book.tables.values():
        if table.title in sheets:
            restore_table(sheets[table.title], table, lists, title)
    return lists, title


def _remove_row_files(wb: xlsxwriter.Workbook) -> None:
    """Remove the row-data files xlsxwriter leaves beside the output: a sheet without cells keeps its file."""
    for ws in wb.worksheets():
        name = getattr(ws, "row_data_filename", None)
        fh = getattr(ws, "row_data_fh", None)
        if fh is not None:
            fh.close()
        if name:
            try:
                os.unlink(name)
            except OSError:  # gone already: packed into the workbook
                pass


def _write(report: Report, src: Path, tmp: str, lang: str, ahead: Any = None) -> None:
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "tmpdir": os.path.dirname(tmp) or None,
    }
    wb = xlsxwriter.Workbook(tmp, options)
    with ExitStack() as stack:
        stack.callback(_remove_row_files, wb)  # after close (callbacks run last first)
        stack.callback(wb.close)
        fmts = Formats(wb)
        taken: set[str] = set()
        from .letter import sheet_name, write_letter

        letter = wb.add_worksheet(_safe_title(sheet_name(lang), taken))
        write_letter(letter, wb, report, lang)
        results = wb.add_worksheet(_safe_title(t("results_sheet", lang), taken))
        sources = stack.enter_context(open_source(src, read_by_check(report, src), ahead))
        source_titles = [s.title for s in sources]
        links = {s.title: _safe_title(s.title, taken) for s in sources}
        sheets = {s.title: wb.add_worksheet(links[s.title]) for s in sources}
        titles = sheet_titles(report)
        marks = collect_marks(report.findings, titles, source_titles)
        amount_cols, amount_at = amount_cells(report)

        _write_results(results, report, fmts, lang, links, titles, source_titles)
        for s in sources:
            _write_source(
                sheets[s.title],
                s,
                fmts,
                marks.get(s.title, {}),
                amount_cols.get(s.title, set()),
                amount_at.get(s.title, set()),
                lang,
            )
        lists, lists_title = _restore_template(report, sheets, taken)
        if report.calc is not None or report.a107012:
            a_labels, s_labels = _labels(lang)
            _write_a107012(wb.add_worksheet(_safe_title(t("calc_sheet", lang), taken)), report, fmts, lang, a_labels)
            summary = getattr(report.calc, "summary2021", None) if report.calc is not None else None
            if summary:
                ws = wb.add_worksheet(_safe_title(t("summary2021_sheet", lang), taken))
                _write_records(ws, summary, fmts, {})
            if report.stats:
                ws = wb.add_worksheet(_safe_title(t("stats_sheet", lang), taken))
                _write_stats(ws, report, fmts, lang, s_labels)
            if report.reconciliation:
                ws = wb.add_worksheet(_safe_title(t("recon_sheet", lang), taken))
                _write_reconciliation(ws, report, fmts, lang)
        for ws in wb.worksheets():  # printed by the bureau: A4 landscape, one page wide
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        lists.write(wb, lists_title)
        results.repeat_rows(0)
        letter.fit_to_pages(1, 1)  # the letter is one page
        letter.activate()
