"""The safety scan's fast path (rdcheck/workbook/safety.py): its cheap searches say exactly what the plain ones say.

The fast path accepts a sheet on a few searches per chunk; what it accepts must have no cell outside the declared
``<dimension>`` (calamine allocates the grid the cells span), so its cell search is checked here against the
definition, and the memchr-driven searches against the plain ``in``/``re.search`` they replace.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rdcheck.workbook import safety


def _col_text(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4)
digits = st.text(alphabet="0123456789", min_size=1, max_size=9)


@settings(max_examples=400, deadline=None)
@given(cols=st.integers(1, 20_000), rows=st.integers(1, 2_000_000), col=letters, row=digits)
def test_a_cell_the_fast_path_passes_lies_inside(cols: int, rows: int, col: str, row: str) -> None:
    flagged = safety._cell_check(_col_text(cols), rows).search(f'<c r="{col}{row}">'.encode()) is not None
    inside = safety._col_number(col.encode()) <= cols and int(row) <= rows
    if not flagged:
        assert inside, (cols, rows, col, row)
    if not row.startswith("0"):  # a plain reference is flagged exactly when it lies outside
        assert flagged == (not inside), (cols, rows, col, row)


@pytest.mark.parametrize(
    "tag,flagged",
    [
        ('<c r="B2">', False),
        ('<c r="B2"/>', False),
        ("<c>", True),
        ("<c/>", True),
        ('<c s="1" r="B2">', True),
        ('<c  r="B2">', True),
        ('<c\tr="B2">', True),
        ('<c r="B0">', True),
        ('<c r="B01">', False),  # row 1 (a zero in front of a row only counts when it is all there is)
        ('<col min="1">', False),
        ('<c r="L2">', True),
        ('<c r="AA2">', True),
        ('<c r="K101">', True),
    ],
)
def test_cell_tags_that_leave_the_fast_path(tag: str, flagged: bool) -> None:
    assert (safety._cell_check("K", 100).search(tag.encode()) is not None) is flagged


chunks = st.text(alphabet=":cmergeCl\"'e <>/\tx", max_size=300).map(str.encode)


@settings(max_examples=300, deadline=None)
@given(chunk=chunks, tries=st.integers(0, 3), cut=st.integers(0, 300))
def test_rare_byte_searches_equal_plain_ones(chunk: bytes, tries: int, cut: int) -> None:
    end = min(cut, len(chunk))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(safety, "RARE_TRIES", tries)  # past RARE_TRIES candidates the plain search takes over
        assert safety._found(safety._PREFIXED_CELL, chunk, end) == bool(re.search(rb":c[\s/>]", chunk[:end]))
        assert safety._found(safety._MERGE, chunk, end) == (b"mergeCell" in chunk[:end])
        assert safety._quoted_e(chunk, end) == (b'"e"' in chunk[:end] or b"'e'" in chunk[:end])
