"""Reading workbooks: the standard layout, value normalisation and the Book.

The names are imported when first used (PEP 562), so that ``rdcheck.workbook.safety`` — what the command's
pre-scan runs before anything else (``prescan.py``) — can be imported without pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .book import Book, Enterprise, Table, column_letter
    from .reader import book_from_sheets, load_sheets, read_book

_FROM = {
    "Book": "book",
    "Enterprise": "book",
    "Table": "book",
    "column_letter": "book",
    "book_from_sheets": "reader",
    "load_sheets": "reader",
    "read_book": "reader",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["Book", "Enterprise", "Table", "book_from_sheets", "column_letter", "load_sheets", "read_book"]
