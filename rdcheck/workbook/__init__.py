"""Reading workbooks: the standard layout, value normalisation and the Book."""

from .book import Book, Enterprise, Table, column_letter
from .reader import book_from_sheets, load_sheets, read_book

__all__ = ["Book", "Enterprise", "Table", "book_from_sheets", "column_letter", "load_sheets", "read_book"]
