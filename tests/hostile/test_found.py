"""Workbooks the fuzzer (tests/hostile/fuzz.py) found giving a traceback, kept so that they never do again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdcheck.api import check
from rdcheck.engine.catalogue import show

FOUND = Path(__file__).resolve().parent / "found"


def test_a_project_row_without_its_id_leaves_the_lines_dates_unknown():
    """研发项目's only row has no 项目编号 (fuzz seed 7, case 143): mapping the projects' dates onto the ledger's lines
    raised 'Cannot cast DatetimeArray to dtype float64'; now every line's project dates are unknown."""
    report = check(FOUND / "project-row-without-id.xlsx")
    rules = {f.rule for f in report.findings}
    assert "B01" in rules  # the ledger's project is not in 研发项目: reported, not a crash
    assert "B05" not in rules  # no project dates to compare the lines with


def test_a_value_too_long_for_the_fen_is_shown_not_raised():
    """A ratio typed as 1E+30 (fuzz seed 7, case 197) made the percent placeholder's quantize raise."""
    assert show(Decimal("1E+30"), "percent") == "1E+32%"
    assert show(Decimal("1E+40"), "amount") == "1E+40"
    assert show(Decimal("0.123"), "percent") == "12.3%" and show(Decimal("1234.5"), "amount") == "1,234.50"
