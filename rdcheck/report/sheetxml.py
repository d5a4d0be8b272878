"""The input's rows as sheet XML, streamed straight into an xlsxwriter worksheet's row data.

Rewriting a 100k-line ledger cell by cell through xlsxwriter's ``write_*`` calls spent most of the annotated copy's
time in its per-cell machinery (a cell tuple per value, a dimension check, attribute lists, generic escaping). The
copied sheets are plain: values of a handful of types, a few styles, no formulas. So their ``<row>`` elements are
made here, one string per row, and written to the file xlsxwriter keeps for the sheet's data in constant_memory mode
(``row_data_fh``); everything else about the sheet — column widths, frozen panes, drop-downs, comments and their
VML, print setup, styles.xml, the workbook's parts — stays xlsxwriter's, so the package is assembled exactly as
before. Strings are written inline (``t="inlineStr"``), as xlsxwriter's constant_memory mode writes them; styles
are the xlsxwriter Formats' own indexes.

The XML is the one xlsxwriter writes for the same calls: numbers as ``%.16G``, dates as serial numbers with a date
format (text before 1900 or after 9999), booleans as ``t="b"``, text escaped (``& < >``, control characters as
``_xHHHH_`` and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``) and cut at 32,767 UTF-16 units; only values — nothing in
the input (a formula, a link) can become one in the copy.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from ..model import to_fen
from ..workbook.values import EXCEL_EPOCH

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767  # UTF-16 units, Excel's limit on a cell's text
FIRST_SERIAL_DATE = dt.date(1900, 3, 1)  # from here on, serial = days since EXCEL_EPOCH (Excel's 1900 leap bug)
HALF = MAX_TEXT // 2  # text shorter than this is within the limit whatever its characters
FLUSH_ROWS = 2_000  # rows gathered before one write to the sheet's data file

# a character that needs more than copying: escaped (& < >), a control character, Excel's own _xHHHH_ escapes
_PLAIN_SPECIAL = re.compile("[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")


def escape_text(text: str) -> str:
    """Text as a ``<t>`` element's content: XML-escaped, control characters as Excel's ``_xHHHH_``."""
    if not _SPECIAL.search(text):
        return text
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut_text(text: str) -> str:
    """Text cut to Excel's 32,767 UTF-16 units (a character above U+FFFF counts two), never mid-character."""
    if len(text) <= MAX_TEXT // 2:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:i]
    return text


class Styles:
    """The ``s`` attribute of each (kind, severity) cell format: the xlsxwriter Format's own index, made on demand."""

    def __init__(self, fmts: Any) -> None:
        self._fmts = fmts
        self._attr: dict[tuple[str, str | None], str] = {}

    def attr(self, kind: str, severity: str | None = None) -> str:
        key = (kind, severity)
        got = self._attr.get(key)
        if got is None:
            fmt = self._fmts.get(kind, severity)
            got = self._attr[key] = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
        return got


class SheetXml:
    """Writes one copied sheet's rows, in order, as ``<row>`` XML into an xlsxwriter constant_memory worksheet."""

    def __init__(self, ws: Any, wb: Any, fmts: Any) -> None:
        if not getattr(ws, "constant_memory", False) or getattr(ws, "row_data_fh", None) is None:
            raise RuntimeError("the copied sheets are streamed into a constant_memory worksheet's row data")
        self.ws = ws
        self.styles = Styles(fmts)
        self._letters: list[str] = []
        self._held: tuple[int, Sequence[Any], int, set[int], dict[int, Any] | None] | None = None  # the last row
        self._plain: tuple[str | None, str | None, str | None] = (None, None, None)
        self._buf: list[str] = []
        self.rowmin: int | None = None
        self.rowmax = -1
        self.colmin: int | None = None
        self.colmax = -1

    # ---------------------------------------------------------------------------------------- pieces of a cell

    def letters(self, upto: int) -> list[str]:
        """Column letters, A… up to column ``upto`` (0-based) at least."""
        letters = self._letters
        while len(letters) <= upto:
            letters.append(xl_col_to_name(len(letters)))
        return letters

    def string(self, ref: str, text: str, style: str) -> str:
        """A text cell, as an inline string (as xlsxwriter's constant_memory mode writes them)."""
        text = cut_text(text)
        if not text:
            return f'<c r="{ref}"{style}/>' if style else ""
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>'

    def value(self, ref: str, value: Any, kind: str | None, severity: str | None) -> str:
        """Any value, as :func:`rdcheck.report.xlsx.write_value` writes it ("" for an empty cell without a mark)."""
        attr = self.styles.attr
        if value is None or value == "":
            return f'<c r="{ref}"{attr("text", severity)}/>' if severity is not None else ""
        tv = type(value)
        if tv is bool:
            return f'<c r="{ref}"{attr("text", severity)} t="b"><v>{int(value)}</v></c>'
        if tv is float or tv is int or isinstance(value, (int, float, Decimal)):
            number = float(to_fen(value)) if isinstance(value, Decimal) else float(value)
            if math.isfinite(number):
                style = attr(kind if kind in ("amount", "count") else "number", severity)
                return f'<c r="{ref}"{style}><v>{number:.16G}</v></c>'
            return self.string(ref, str(value), attr("text", severity))
        if isinstance(value, (dt.date, dt.datetime)):
            vk = "datetime" if isinstance(value, dt.datetime) else "date"
            if value.year < 1900 or value.year > 9999:
                return self.string(ref, value.isoformat(), attr("text", severity))
            serial = self.ws._convert_date_time(value)  # what write_datetime does
            return f'<c r="{ref}"{attr(vk, severity)}><v>{serial:.16G}</v></c>'
        if isinstance(value, (dt.time, dt.timedelta)):
            vk = "time" if isinstance(value, dt.time) else "duration"
            serial = self.ws._convert_date_time(value)  # what write_datetime does
            return f'<c r="{ref}"{attr(vk, severity)}><v>{serial:.16G}</v></c>'
        return self.string(ref, value if tv is str else str(value), attr("text", severity))

    # ---------------------------------------------------------------------------------------- rows

    def plain_row(self, r: int, values: Sequence[Any], col0: int, amount_cols: set[int]) -> None:
        """A row without marks (almost every row): values by type, amount columns as #,##0.00."""
        for v in values:
            if v is not None and v != "":
                break
        else:
            return  # nothing to write
        if self._held is not None:
            self._release()
        self._held = (r, values, col0, amount_cols, None)

    def cells_row(self, r: int, cells: dict[int, tuple[Any, str | None, str | None]]) -> None:
        """A row given as column -> (value, kind, severity) (a marked row), written in column order."""
        if not any(sev is not None or (v is not None and v != "") for v, _, sev in cells.values()):
            return
        if self._held is not None:
            self._release()
        self._held = (r, (), 0, set(), cells)

    def _release(self) -> None:
        assert self._held is not None
        r, values, col0, amount_cols, cells = self._held
        self._held = None
        if cells is None:
            self._plain_xml(r, values, col0, amount_cols)
        else:
            self._cells_xml(r, cells)

    def _plain_xml(self, r: int, values: Sequence[Any], col0: int, amount_cols: set[int]) -> None:
        """The inner loop of the copy: plain text (no character to escape, no edge whitespace), finite floats and
        dates go straight into the XML; anything else through :meth:`value`."""
        letters = self._letters
        if len(letters) < col0 + len(values):
            letters = self.letters(col0 + len(values))
        rn = str(r + 1)
        number_s, amount_s, date_s = self._plain  # None until first used: a style is made where first needed
        special = _PLAIN_SPECIAL.search
        cells: list[str] = []
        add = cells.append
        for c, value in enumerate(values, col0):
            tv = type(value)
            if tv is str:
                if not value:
                    continue
                if special(value) is None and not value[0].isspace() and not value[-1].isspace() and len(value) < HALF:
                    add(f'<c r="{letters[c]}{rn}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    add(self.string(letters[c] + rn, value, ""))
            elif tv is float and value - value == 0.0:  # finite
                if c in amount_cols:
                    if amount_s is None:
                        amount_s = self._plain_style(1, "amount")
                    add(f'<c r="{letters[c]}{rn}"{amount_s}><v>{value:.16G}</v></c>')
                else:
                    if number_s is None:
                        number_s = self._plain_style(0, "number")
                    add(f'<c r="{letters[c]}{rn}"{number_s}><v>{value:.16G}</v></c>')
            elif tv is dt.date and value >= FIRST_SERIAL_DATE:
                if date_s is None:
                    date_s = self._plain_style(2, "date")
                add(f'<c r="{letters[c]}{rn}"{date_s}><v>{(value - EXCEL_EPOCH).days}</v></c>')
            elif value is not None:
                xml = self.value(letters[c] + rn, value, "amount" if c in amount_cols else None, None)
                if xml:
                    add(xml)
        if not cells:
            return
        first = col0
        for v in values:
            if v is not None and v != "":
                break
            first += 1
        last = col0 + len(values) - 1
        for v in reversed(values):
            if v is not None and v != "":
                break
            last -= 1
        self._row(r, rn, cells, first, last)

    def _plain_style(self, i: int, kind: str) -> str:
        got = self.styles.attr(kind)
        plain = list(self._plain)
        plain[i] = got
        self._plain = (plain[0], plain[1], plain[2])
        return got

    def _cells_xml(self, r: int, cells: dict[int, tuple[Any, str | None, str | None]]) -> None:
        order = sorted(cells)
        letters = self.letters(order[-1])
        rn = str(r + 1)
        made = [(c, self.value(f"{letters[c]}{rn}", *cells[c])) for c in order]
        made = [(c, xml) for c, xml in made if xml]
        if made:
            self._row(r, rn, [xml for _, xml in made], made[0][0], made[-1][0])

    def _row(self, r: int, rn: str, cells: list[str], first: int, last: int) -> None:
        if r <= self.rowmax:
            raise ValueError(f"rows must be written in order: row {r + 1} after row {self.rowmax + 1}")
        self._buf.append(f'<row r="{rn}">{"".join(cells)}</row>')
        if self.rowmin is None:
            self.rowmin = r
        self.rowmax = r
        if self.colmin is None or first < self.colmin:
            self.colmin = first
        if last > self.colmax:
            self.colmax = last
        if len(self._buf) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self.ws.row_data_fh.write("".join(self._buf))
            self._buf.clear()

    def close(self, write_value: Callable[[int, int, Any, str | None, str | None], Any]) -> None:
        """Write what is gathered and give xlsxwriter the sheet's extent; all comments are added before this.

        The last row goes through xlsxwriter's own calls (``write_value(row, col, value, kind, severity)``) and is
        written when xlsxwriter packs the sheet, as it was when every row went that way: its formats then get their
        numbers in the same order, and the copy is the same file byte for byte.
        """
        held = self._held
        if held is not None and _has_rich_lookalike(held):
            self._release()  # xlsxwriter would write such a text raw, as rich-text XML: it goes out here, escaped
        held, self._held = self._held, None
        self.flush()
        ws = self.ws
        if self.rowmin is not None:
            for row, col in ((self.rowmin, self.colmin), (self.rowmax, self.colmax)):
                ws._check_dimensions(row, col, ignore_row=False, ignore_col=False)
        ws.table.clear()
        if held is None:
            # nothing for xlsxwriter to write when it packs the sheet: its "previous row" past Excel's last one
            ws.previous_row = MAX_ROWS
            return
        r, values, col0, amount_cols, cells = held
        ws.previous_row = r  # the row xlsxwriter holds and writes at the end, after the rows above
        if cells is None:
            cells = {c: (v, "amount" if c in amount_cols else None, None) for c, v in enumerate(values, col0)}
        for c in sorted(cells):
            write_value(r, c, *cells[c])


def _has_rich_lookalike(held: tuple[Any, ...]) -> bool:
    """Whether a held row has a text xlsxwriter would take for rich-text XML ("<r>…</r>") and write unescaped."""
    _, values, _, _, cells = held
    texts = values if cells is None else [spec[0] for spec in cells.values()]
    return any(isinstance(v, str) and v.startswith("<r>") and v.endswith("</r>") for v in texts)
