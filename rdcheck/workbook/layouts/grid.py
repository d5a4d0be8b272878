"""A sheet as a grid of cells with its merged ranges filled, and the helpers every layout reader shares.

Official and accounting-software layouts print their headers as merged bands over several rows. Filling each merged
range with its top-left value (layouts.md §2.1) turns a band into one *path* of texts per column
(``费用明细（税法规定） › 委托研发费用 › 委托境外机构…``), which is what readers match — by text, never by column
letter or printed number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..book import column_letter
from ..values import fold, is_blank, raw_text

# ((first_row, first_col), (last_row, last_col)), 0-based and inclusive, as calamine gives them
MergedRange = tuple[tuple[int, int], tuple[int, int]]

_SPACES = re.compile(r"\s+")
# a printed code before a header's words: (1) （8.2） 1.1 7.1 "1 " "1、" 一、 — never the digits of "2024年"
_LEADING_CODE = re.compile(
    r"^(?:[\(（]\d+(?:\.\d+)*[\)）]|\d+\.\d+|\d+(?:\s+|[、.．:：]+)|[一二三四五六七八九十]+[、.．])[\s、.．:：]*(?=\D)"
)
_BRACKETS = re.compile(r"[\(（][^\)）]*[\)）]")
# codes printed in a numbering row: 1, 7.1, (1), （8.2）, 1.1
_CODE = re.compile(r"^[\(（]?\d+(?:\.\d+)?[\)）]?$")
_NUMBERING_WORDS = frozenset({"序号", "行次", "栏次"})


def norm(value: Any) -> str:
    """Fold a cell's text for matching: full-width folded, spaces removed, a leading code (``1.``, ``(1)``,
    ``一、``) dropped, a trailing colon dropped."""
    return _norm_text(value) if type(value) is str else _norm(value)


def _norm(value: Any) -> str:
    text = _LEADING_CODE.sub("", fold(raw_text(value)))
    return _SPACES.sub("", text).rstrip(":：")


# The layouts' fingerprints look at the same head cells over and over (~5,000 times a workbook): a text's folding
# is made once. Texts only: 1, 1.0 and True are equal keys with different texts.
_norm_text = lru_cache(maxsize=16384)(_norm)


def norm_plain(value: Any) -> str:
    """Like :func:`norm`, with every bracketed part removed too (``费用明细（税法规定）`` → ``费用明细``)."""
    return _norm_plain_text(value) if type(value) is str else _BRACKETS.sub("", _norm(value))


@lru_cache(maxsize=16384)
def _norm_plain_text(text: str) -> str:
    return _BRACKETS.sub("", _norm_text(text))


def is_code(value: Any) -> bool:
    """Whether a cell holds only a printed column number (``1``, ``7.1``, ``(8)``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = _SPACES.sub("", fold(raw_text(value)))
    return bool(_CODE.match(text)) or text in _NUMBERING_WORDS


@dataclass
class Grid:
    """One sheet of the workbook as a layout reader receives it.

    ``rows[r][c]`` is the value of Excel row ``r + 1``, column ``c`` (0 = A) — calamine's cached values, with every
    merged range's value copied into each cell it covers; every row is padded to the same width. ``merged`` keeps
    the ranges (0-based, inclusive). :meth:`ref` gives a cell's reference (``G12``) for a line's source.
    """

    title: str
    rows: list[list[Any]]
    merged: list[MergedRange] = field(default_factory=list)

    @classmethod
    def of(cls, title: str, rows: Sequence[Sequence[Any]], merged: Iterable[MergedRange] = ()) -> Grid:
        """Build a Grid from raw rows and merged ranges (the input rows are not modified)."""
        merged = [((int(a), int(b)), (int(c), int(d))) for (a, b), (c, d) in merged]
        height = max([len(rows)] + [r1 + 1 for (_, _), (r1, _) in merged])
        width = max([len(r) for r in rows] + [c1 + 1 for (_, _), (_, c1) in merged] + [0])
        grid = [list(r) + [None] * (width - len(r)) for r in rows]
        grid += [[None] * width for _ in range(height - len(grid))]
        for (r0, c0), (r1, c1) in merged:
            value = grid[r0][c0]
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0) and is_blank(grid[r][c]):
                        grid[r][c] = value
        return cls(title=title, rows=grid, merged=merged)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def ref(self, r: int, c: int) -> str:
        """The reference of the 0-based cell (r, c): ``ref(11, 6)`` → ``G12``."""
        return f"{column_letter(c)}{r + 1}"

    def value(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def texts(self, r: int) -> list[str]:
        """Row r's cells folded by :func:`norm` ("" for blank)."""
        return ["" if is_blank(v) else norm(v) for v in self.rows[r]] if 0 <= r < len(self.rows) else []

    def find(self, predicate, rows: Iterable[int] | None = None) -> tuple[int, int] | None:
        """The first (r, c) whose normalised text satisfies ``predicate``."""
        for r in rows if rows is not None else range(len(self.rows)):
            for c, text in enumerate(self.texts(r)):
                if text and predicate(text):
                    return r, c
        return None

    def first_text(self, r: int) -> str:
        """Row r's first non-blank cell, normalised ("" for a blank row)."""
        for text in self.texts(r):
            if text:
                return text
        return ""


def header_paths(grid: Grid, top: int, bottom: int) -> list[list[str]]:
    """One path of header texts per column for the band of rows ``top..bottom`` (inclusive).

    Consecutive repeats (a merged cell filled down) are kept once; numbering-row cells are left out.
    """
    paths: list[list[str]] = []
    for c in range(grid.width):
        path: list[str] = []
        for r in range(top, bottom + 1):
            v = grid.value(r, c)
            if is_blank(v) or is_code(v):
                continue
            text = norm(v)
            if text and (not path or path[-1] != text):
                path.append(text)
        paths.append(path)
    return paths


def label_values(grid: Grid, rows: Iterable[int], labels: Sequence[str]) -> dict[str, tuple[Any, str]]:
    """Read label/value pairs (``项目编号：`` ``P001``) in the given rows: label → (value, cell reference).

    The value is the text after the label in the same cell (``项目编号：P001``), or else the next cell to the right
    that is not blank and not the label again (a merged label is filled into several cells).
    """
    keys = [(label, norm_plain(label)) for label in labels]
    found: dict[str, tuple[Any, str]] = {}
    for r in rows:
        row = grid.rows[r] if 0 <= r < len(grid.rows) else []
        for c, cell in enumerate(row):
            if is_blank(cell) or not isinstance(cell, str):
                continue
            text = _SPACES.sub("", fold(cell))
            for label, key in keys:
                if label in found:
                    continue
                head = _BRACKETS.sub("", text.split(":")[0].split("：")[0])
                if head != key:
                    continue
                rest = re.split(r"[:：]", text, maxsplit=1)
                if len(rest) == 2 and rest[1].strip():
                    found[label] = (rest[1].strip(), grid.ref(r, c))
                    break
                for c2 in range(c + 1, len(row)):
                    v = row[c2]
                    if is_blank(v) or v == cell:
                        continue
                    if isinstance(v, str) and _is_label(v, keys):
                        break
                    found[label] = (v.strip() if isinstance(v, str) else v, grid.ref(r, c2))
                    break
                break
    return found


def _is_label(text: str, keys: Sequence[tuple[str, str]]) -> bool:
    folded = _SPACES.sub("", fold(text))
    head = _BRACKETS.sub("", re.split(r"[:：]", folded, maxsplit=1)[0])
    return any(head == key for _, key in keys) or folded.endswith((":", "："))


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def year_in(text: Any) -> int | None:
    """The year a title or period names (``2024年研发支出辅助账``, ``2024年1月1日至2024年12月31日``)."""
    if is_blank(text):
        return None
    folded = fold(raw_text(text))
    m = _YEAR.search(folded) or re.search(r"((?:19|20)\d{2})(?:[-./]\d{1,2}|年度|$)", folded)
    return int(m.group(1)) if m else None


__all__ = ["Grid", "MergedRange", "header_paths", "is_code", "label_values", "norm", "norm_plain", "year_in"]
