"""Small text helpers shared by the readers, writers and the CLI: terminal width and one-line error text."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Return the columns a string takes on a terminal or in a cell (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def one_line(text: object, limit: int = 200) -> str:
    """Return an error's text on one line, at most ``limit`` characters; an exception with no text gives its type."""
    line = " ".join(str(text).split())[:limit]
    if not line and isinstance(text, BaseException):
        return type(text).__name__
    return line
