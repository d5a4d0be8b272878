"""Read a big table sheet through Arrow (fastexcel), column by column, into the same Book as the calamine rows.

calamine's ``to_python`` makes one Python object per cell, every cell of every column, held all at once; a 500k-line
ledger is millions of them. fastexcel parses the same XML (it is calamine underneath) into typed Arrow columns, and
the reader turns into Python only the columns the layout uses, for the rows it keeps.

It is used only where it gives exactly what calamine gives (the Book and every finding's cell stay identical; a
property test in ``tests/test_arrow_reader.py`` compares both). :func:`load` returns None — the caller then reads the
sheet with calamine — unless all of this holds:

- the sheet is in an .xlsx/.xlsm, has no merged ranges, and its row 1 holds text or empty cells only (the safety
  scan says so: ``SheetScan.text_head``), and that row is the table's header (every required column found in it);
- every column holds one kind of value below the header (``dtype_coercion="strict"`` over all rows: a column
  mixing numbers and text, or dates and numbers, is refused rather than coerced to text or null);
- no cell failed its column's type except Excel error cells (put back from the safety scan, as calamine's path
  does); no float column holds NaN or infinity (text such as ``nan`` or ``inf`` would have been read as a number);
- a date/time column is a date field's, its serials at or after 1899-12-31 and before year 10000 (python-calamine
  turns a serial below 1 into a time and one past 9999 into a float), and there is no ISO date or duration cell;
  a date field's column headed by its standard name is read as dates with its other cells (合计, text dates,
  booleans) taken back from fastexcel's cell errors, so a total row does not send the ledger back to calamine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from .fastsheet import MIN_ROWS, load_sheet, may_try
from .values import Invalid

MS_PER_DAY = 86_400_000
# what str.strip() removes: "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_EPOCH = dt.date(1970, 1, 1)
_EPOCH_DT = dt.datetime(1970, 1, 1)
_FIRST_MS = (dt.datetime(1899, 12, 31) - _EPOCH_DT) // dt.timedelta(milliseconds=1) + 1  # serial > 1.0
_LAST_MS = (dt.datetime(9999, 12, 31, 23, 59, 59) - _EPOCH_DT) // dt.timedelta(milliseconds=1)


class Coded:
    """A text column's values for the kept rows: its distinct values and, per row, an index into them."""

    __slots__ = ("distinct", "index")

    def __init__(self, distinct: list[Any], index: np.ndarray) -> None:
        self.distinct, self.index = distinct, index


class Floats:
    """A float column's values for the kept rows: the Arrow array, and the cells put over it (position -> value:
    an error cell's text from the safety scan)."""

    __slots__ = ("array", "patched")

    def __init__(self, array: Any, patched: dict[int, Any]) -> None:
        self.array, self.patched = array, patched

    def __len__(self) -> int:
        return len(self.array)

    def tolist(self) -> list[Any]:
        out = self.array.to_pylist()
        for i, value in self.patched.items():
            out[i] = value
        return out

    def yuan(self, parse: Any) -> tuple[np.ndarray, bool]:
        """``parse_column(self.tolist(), parse, "amount", "元")`` as an object array, and whether any came out
        Invalid: an amount in yuan within ±10^15 is ``Decimal(int(v))`` when whole, else ``Decimal(repr(v))`` —
        made here from Arrow's text of the float (the same shortest round-trip digits as ``repr``, so the same
        Decimal: tests/test_arrow_reader.py); nulls, other floats and the patched cells go through ``parse``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = self.array
        v = arr.to_numpy(zero_copy_only=False)  # a null reads NaN, which fails both comparisons
        out = np.empty(len(v), dtype=object)
        with np.errstate(invalid="ignore"):
            fine = (v >= -1e15) & (v <= 1e15)
            whole = fine & (np.trunc(v) == v)
        rows = np.flatnonzero(whole)
        out[rows] = list(map(Decimal, v[rows].astype(np.int64).tolist()))
        rows = np.flatnonzero(fine & ~whole)
        if len(rows):
            out[rows] = list(map(Decimal, pc.cast(arr.take(pa.array(rows)), pa.string()).to_pylist()))
        bad = False
        valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else None
        for i in np.flatnonzero(~fine).tolist():
            if i in self.patched:
                continue
            if valid is not None and not valid[i]:
                out[i] = parse(None)
            else:
                out[i] = r = parse(float(v[i]))
                bad = bad or type(r) is Invalid
        for i, value in self.patched.items():
            out[i] = r = parse(value)
            bad = bad or type(r) is Invalid
        return out, bad


class ArrowSheet:
    """A sheet read through Arrow: row 1 as text (the header), then one typed column per sheet column.

    Indexing gives calamine's rows (``rows[:30]`` for the header scan and the foreign-layout fingerprints);
    :meth:`body` gives the kept rows' values of the wanted columns without building the other rows.
    """

    def __init__(
        self, title: str, names: list[str], columns: dict[int, Any], n_body: int, patches: dict[tuple[int, int], Any]
    ) -> None:
        self.title = title
        self.names = names  # row 1, one text per sheet column from A ("" where empty)
        self.columns = columns  # 0-based sheet column -> pyarrow array of the rows below the header
        self.n_body = n_body
        # (0-based body row, 0-based column) -> calamine's value where the column's array has none: an error cell's
        # text from the safety scan, or the text or boolean a date column (read as dates) holds
        self.patches = patches
        self.width = len(names)

    # ------------------------------------------------------------ calamine's rows, for the few that need them

    def __len__(self) -> int:
        return 1 + self.n_body

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            return self[key : key + 1][0] if -len(self) <= key < len(self) else [][0]
        start, stop, step = key.indices(len(self))
        if step != 1:
            raise ValueError("ArrowSheet rows are sliced with step 1")
        out: list[list[Any]] = []
        if start == 0 and stop > 0:
            out.append(list(self.names))
        lo, hi = max(start, 1) - 1, max(stop, 1) - 1
        if hi > lo:
            cols = [self._python(c, lo, hi) for c in range(self.width)]
            out.extend([list(row) for row in zip(*cols, strict=True)])
        return out

    def _python(self, c: int, lo: int, hi: int) -> list[Any]:
        """Calamine's values of column ``c`` for body rows lo..hi-1 ("" for an empty cell)."""
        arr = self.columns.get(c)
        if arr is None:
            values: list[Any] = [""] * (hi - lo)
        else:
            part = arr.slice(lo, hi - lo)
            values = _datetimes(part) if _is_timestamp(part.type) else part.to_pylist()
            values = ["" if v is None else v for v in values]
        for (r, cc), value in self.patches.items():
            if cc == c and lo <= r < hi:
                values[r - lo] = value
        return values

    # ------------------------------------------------------------ the table's body, column by column

    def body(self, voucher_col: int | None, wanted: Sequence[int], total_word: Any) -> tuple[list[int], dict, int]:
        """The body rows kept (Excel row numbers), the wanted columns' values for them, and the totals skipped.

        The same rows ``read_table`` keeps from calamine's rows: a row is kept when some cell is not blank, unless
        its first non-blank cell is a total word (合计, 小计 …) and, on the ledger, its 凭证号 is not a voucher.
        A text or date column's values (and an empty column's) come as :class:`Coded` (distinct values, index per
        kept row), a float column's as :class:`Floats`, the rest as lists.
        """
        import pyarrow.compute as pc

        n = self.n_body
        first = np.full(n, -1, dtype=np.int64)
        nonblank: dict[int, np.ndarray] = {}
        for c in range(self.width):
            arr = self.columns.get(c)
            if arr is None or arr.null_count == len(arr):
                mask = np.zeros(n, dtype=bool)
            elif _is_text(arr.type):  # blank as str.strip() says: trimmed of exactly Python's whitespace
                trimmed = pc.utf8_trim(arr, characters=_WHITESPACE)
                mask = pc.fill_null(pc.not_equal(trimmed, ""), False).to_numpy(zero_copy_only=False).copy()
            else:
                mask = arr.is_valid().to_numpy(zero_copy_only=False).copy()
            for (r, cc), value in self.patches.items():
                if cc == c:
                    mask[r] = _filled(value)
            nonblank[c] = mask
            first[(first < 0) & mask] = c
        total = np.zeros(n, dtype=bool)
        for c, arr in self.columns.items():
            if _is_text(arr.type):
                rows = np.flatnonzero(first == c)
                if len(rows):
                    total[rows] = self._words(c, rows, total_word)
        for (r, c), value in self.patches.items():
            if first[r] == c:
                total[r] = isinstance(value, str) and bool(total_word(value))
        if voucher_col is not None and total.any():
            if voucher_col < self.width:
                voucher = nonblank[voucher_col].copy()
                arr = self.columns.get(voucher_col)
                if arr is not None and _is_text(arr.type):
                    rows = np.flatnonzero(voucher)
                    voucher[rows] = ~self._words(voucher_col, rows, total_word)
                for (r, c), value in self.patches.items():
                    if c == voucher_col:
                        voucher[r] = _filled(value) and not (isinstance(value, str) and total_word(value))
                total &= ~voucher
        keep = np.flatnonzero((first >= 0) & ~total)
        skipped = int(total.sum())
        values = {c: self._column(c, keep) for c in wanted}
        return (keep + 2).tolist(), values, skipped  # body row 0 is Excel row 2

    def _words(self, c: int, rows: np.ndarray, total_word: Any) -> np.ndarray:
        """Whether the text in column c at these rows is a total word (patched cells are the caller's)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(self.columns[c].take(pa.array(rows)))
        flags = np.array([total_word(s) for s in enc.dictionary.to_pylist()] + [False], dtype=bool)
        return flags[enc.indices.fill_null(len(flags) - 1).to_numpy(zero_copy_only=False)]

    def _column(self, c: int, keep: np.ndarray) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = self.columns.get(c)
        if arr is None or arr.null_count == len(arr):  # one value (None) for every row
            out: Any = Coded([None], np.zeros(len(keep), dtype=np.intp))
        elif _is_text(arr.type):
            enc = pc.dictionary_encode(_rows(arr, keep))
            uniques = [*enc.dictionary.to_pylist(), None]
            idx = enc.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False).copy()
            out = Coded(uniques, idx)
        elif _is_timestamp(arr.type):  # a date field's column (load() refuses any other): the day of each serial
            ms = arr.cast("int64").fill_null(0).to_numpy(zero_copy_only=False)[keep]
            valid = arr.is_valid().to_numpy(zero_copy_only=False)[keep]
            days, inverse = np.unique(np.floor_divide(ms, MS_PER_DAY), return_inverse=True)
            distinct = [_EPOCH + dt.timedelta(days=int(d)) for d in days.tolist()] + [None]
            out = Coded(distinct, np.where(valid, inverse.reshape(-1), len(days)))
        elif pa.types.is_floating(arr.type):
            out = Floats(_rows(arr, keep), {})
        else:
            out = _rows(arr, keep).to_pylist()
        patches = [(int(r), value) for (r, cc), value in self.patches.items() if cc == c]
        if patches:
            where = {int(r): i for i, r in enumerate(keep)}
            for r, text in patches:
                if r not in where:
                    continue
                if isinstance(out, Coded):
                    out.distinct.append(text)
                    out.index[where[r]] = len(out.distinct) - 1
                elif isinstance(out, Floats):
                    out.patched[where[r]] = text
                else:
                    out[where[r]] = text
        return out


def _rows(arr: Any, keep: np.ndarray) -> Any:
    """The array's values at the kept rows (itself when every row is kept: ``keep`` is then 0 … n-1)."""
    import pyarrow as pa

    return arr if len(keep) == len(arr) else arr.take(pa.array(keep))


def _filled(value: Any) -> bool:
    return bool(value.strip()) if isinstance(value, str) else True


def _is_text(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _is_timestamp(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_timestamp(t)


def _datetimes(part: Any) -> list[Any]:
    """python-calamine's value for each serial: a date when it is a whole day, else a datetime (to the ms)."""
    out: list[Any] = []
    for ms in part.cast("int64").to_pylist():
        if ms is None:
            out.append(None)
        elif ms % MS_PER_DAY == 0:
            out.append(_EPOCH + dt.timedelta(days=ms // MS_PER_DAY))
        else:
            out.append(_EPOCH_DT + dt.timedelta(milliseconds=ms))
    return out


def load(
    reader: Any, title: str, scan: Any, layout_check: Any, dates: Sequence[str] = (), sheet: Any = None
) -> ArrowSheet | None:
    """Read sheet ``title`` through fastexcel, or None when it cannot be read identically to calamine (see above).

    ``reader`` is a ``fastexcel.ExcelReader``; ``scan`` the safety scan of the sheet; ``layout_check(head_rows)``
    says whether row 1 is the table's header and no foreign layout claims the sheet. The columns headed by one of
    ``dates`` (a date field's names) are read as dates whatever else they hold: a total row's 合计, a date typed as
    text or a boolean comes back from fastexcel's cell errors as calamine has it; a number that is not a whole day
    (which fastexcel would turn into a date and time) sends the sheet back to calamine. ``sheet`` is the sheet
    parsed already by :func:`rdcheck.workbook.fastsheet.load_sheet` with the same ``dates`` (the pre-scan's thread).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not may_try(scan):
        return None
    if sheet is None:
        sheet = load_sheet(reader, title, dates)
    infos = sheet.selected_columns
    batch, cell_errors = sheet.to_arrow_with_errors()
    width = max((ci.absolute_index + 1 for ci in infos), default=0)
    names = [""] * width
    columns: dict[int, Any] = {}
    seen: set[str] = set()
    for ci, arr in zip(infos, batch.columns, strict=True):
        if ci.column_name_from == "looked_up":
            if ci.name in seen:
                return None
            names[ci.absolute_index] = ci.name
        seen.add(ci.name)
        t = arr.type
        if pa.types.is_floating(t):
            if arr.null_count < len(arr) and (pc.any(pc.is_nan(arr)).as_py() or pc.any(pc.is_inf(arr)).as_py()):
                return None
        elif pa.types.is_timestamp(t):
            ms = arr.cast("int64")
            if arr.null_count < len(arr) and (pc.min(ms).as_py() < _FIRST_MS or pc.max(ms).as_py() > _LAST_MS):
                return None
            if ci.dtype_from != "guessed" and np.any(np.mod(ms.drop_null().to_numpy(), MS_PER_DAY)):
                return None  # a time of day: a datetime cell, or a plain number fastexcel made a date of
        elif not (pa.types.is_string(t) or pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_null(t)):
            return None  # ISO dates and durations: python-calamine's conversion is not reproduced here
        columns[ci.absolute_index] = arr
    if any(n.endswith(tuple(f"_{i}" for i in range(10))) and n.rsplit("_", 1)[0] in seen for n in names if n):
        return None  # fastexcel renamed a repeated header ("金额" twice → "金额_1"): calamine's row 1 is not known
    offset = (infos[0].absolute_index - infos[0].index) if infos else 0
    pinned = {ci.index for ci in infos if ci.dtype_from != "guessed"}
    # error cells: their text from the safety scan, as calamine's path puts it back (one the scan did not see
    # reads as calamine's "", which None reads the same as)
    patches: dict[tuple[int, int], Any] = {
        (r - 2, c - 1): text for (r, c), text in scan.errors.items() if r >= 2 and c <= width
    }
    for e in cell_errors.errors if cell_errors else ():
        r, c = e.position  # r: the row below the header row 0; c: the column from the sheet's first
        got = e.detail.partition("but got '")[2]
        if got.startswith("Error("):
            continue
        if c not in pinned:
            return None  # a value fastexcel could not read as its column's type
        value = _debug_value(got.removesuffix("'"))
        if value is None:
            return None
        patches[(r - 1, c + offset)] = value
    result = ArrowSheet(title, names, columns, batch.num_rows, patches)
    if not layout_check(result):
        return None
    return result


def _debug_value(text: str) -> str | bool | None:
    """The cell a fastexcel error detail shows (Rust's Debug form): ``String("合计")`` → 合计, ``Bool(true)`` → True;
    None for anything else, or a text Rust escaped (a backslash: quotes, control characters), not taken back."""
    if text in ("Bool(true)", "Bool(false)"):
        return text == "Bool(true)"
    if text.startswith('String("') and text.endswith('")') and "\\" not in text:
        return text[8:-2]
    return None


__all__ = ["MIN_ROWS", "ArrowSheet", "Coded", "Floats", "load"]
