"""Which sheets take the Arrow path, and the one fastexcel call that parses them.

Apart from ``arrow.py`` (numpy) and ``reader.py`` (pandas) so that the command's pre-scan (``prescan.py``) can
start the parse on a thread of its own as soon as the safety scan has bounded the file, while the main thread is
still importing pandas.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .layout import ASSETS, DATE, LEDGER, PROJECTS, STAFF, SUMMARY, SheetLayout
from .values import name_key

# fastexcel logs a warning for an all-empty column ("falling back to string"); that is not the user's business
logging.getLogger("fastexcel").addHandler(logging.NullHandler())
logging.getLogger("fastexcel").setLevel(logging.ERROR)

MIN_ROWS = 2000  # below this calamine's rows cost less than a second parse of nothing: not worth the Arrow path
# ~200k lines of a ledger: the biggest sheet parsed on a thread beside the check (the pre-scan's, the copy's read-ahead);
# a parse in a thread's malloc arena is not reused by the main thread's allocations, so a bigger one would raise the
# peak memory: it is parsed where it is used, as before
HELD_CELLS = 2_500_000
TABLES = (PROJECTS, LEDGER, SUMMARY, STAFF, ASSETS)


def table_layout(title: str) -> SheetLayout | None:
    """The standard table (not 企业信息) a sheet's title names, if any."""
    key = name_key(title)
    for layout in TABLES:
        if key in {name_key(n) for n in (layout.name, layout.alias, *layout.aliases)}:
            return layout
    return None


def date_names(layout: SheetLayout) -> list[str]:
    """The names a date field of the table may be headed by: those columns are read as dates."""
    return [n for f in layout.fields if f.kind == DATE for n in f.names]


def may_try(scan: Any) -> bool:
    """Whether a sheet's safety scan lets the Arrow path try it at all (``arrow.load`` decides the rest)."""
    return scan is not None and not scan.merged and scan.text_head and scan.rows >= 2


def wanted(preflight: Any) -> list[tuple[str, SheetLayout]]:
    """The big table sheets of an .xlsx the Arrow path tries when reading it as ``load_sheets(arrow="auto")``."""
    if preflight.kind not in ("xlsx", "xlsm"):
        return []
    out = []
    for title, scan in preflight.sheets.items():
        layout = table_layout(title)
        if layout is not None and may_try(scan) and scan.rows >= MIN_ROWS:
            out.append((title, layout))
    return out


def source_of(path: str | Path) -> str | bytes:
    """fastexcel takes a path or the file's bytes; a name that is not valid UTF-8 (a GBK zip entry) goes as bytes."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return Path(path).read_bytes()
    return str(path)


def load_sheet(reader: Any, title: str, dates: Sequence[str] = ()) -> Any:
    """Parse sheet ``title`` with ``reader`` (a ``fastexcel.ExcelReader``; the GIL is released meanwhile): row 1
    the header, every column of one type or refused cell by cell (``dtype_coercion="strict"``), the ``dates``
    columns pinned to dates."""
    pinned_types = {name: "datetime" for name in dates} or None
    return reader.load_sheet(
        title, header_row=0, skip_rows=0, schema_sample_rows=None, dtype_coercion="strict", dtypes=pinned_types
    )


__all__ = ["HELD_CELLS", "MIN_ROWS", "date_names", "load_sheet", "may_try", "source_of", "table_layout", "wanted"]
