"""The ERP 多栏账 sample (samples/make_erp_sample.py, written from layouts.md §1d) against its generator's figures.

The generator also writes the same vouchers as a standard workbook: read as an ERP export, the sample gives the
same 107-2 line 7, and a tax figure no higher than the books (an upper bound, since the layout has no eligible
amounts).
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from rdcheck.workbook.layouts.erp import parse_erp
from rdcheck.workbook.layouts.erp_book import erp_ledger

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ERP = SAMPLES / "erp"
EXPECTED = yaml.safe_load((ERP / "expected.yaml").read_text(encoding="utf-8"))


def filled(path: Path) -> list[tuple[str, list[list]]]:
    """Each sheet's grid with merged ranges filled (what a reader does before recognising a layout)."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        grid = [[c.value for c in row] for row in ws.iter_rows()]
        for rng in ws.merged_cells.ranges:
            value = grid[rng.min_row - 1][rng.min_col - 1]
            for r in range(rng.min_row - 1, rng.max_row):
                for c in range(rng.min_col - 1, rng.max_col):
                    grid[r][c] = value
        out.append((ws.title, grid))
    return out


def test_generator_is_deterministic_and_committed(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "make_erp_sample.py"), "--out", str(tmp_path)], check=True)
    for f in sorted(ERP.iterdir()):
        assert (tmp_path / "erp" / f.name).read_bytes() == f.read_bytes(), f"run samples/make_erp_sample.py: {f}"


def test_the_sample_reads_to_the_generators_lines_and_ties_out() -> None:
    sheets = [(title, parse_erp(grid)) for title, grid in filled(ERP / "研发支出多栏账-2024.xlsx")]
    for title, sheet in sheets:
        assert sheet.issues == [] and sheet.invalid == [], title
        assert sum(x.amount for x in sheet.lines) == Decimal(str(EXPECTED["sheets"][title]["book"]))
        assert len(sheet.tied_rows) == 24  # 本月合计 and 本年累计 of twelve months
    ledger = erp_ledger(sheets)
    assert len(ledger.records) == EXPECTED["lines"]
    assert ledger.book_total == Decimal(str(EXPECTED["line7"]))
    assert [c["账载金额"] for c in ledger.cells[:5]] == EXPECTED["line_cells"]
    by_sub: dict[str, Decimal] = {}
    for r in ledger.records:
        by_sub[r["明细项目"]] = by_sub.get(r["明细项目"], Decimal(0)) + r["账载金额"]
    assert {k: float(v) for k, v in by_sub.items()} == EXPECTED["by_subitem"]  # the keyword guess, account by account


@pytest.mark.parametrize("word", ["上年结转", "结转本月研发费用", "本月合计", "本年累计", "过次页", "承前页"])
def test_no_row_that_is_not_spending_became_a_line(word: str) -> None:
    (title, grid), *_ = filled(ERP / "研发支出多栏账-2024.xlsx")
    sheet = parse_erp(grid)
    rows = {r for r, row in enumerate(grid, start=1) if word in [str(v) for v in row]}
    assert rows and not rows & {x.row for x in sheet.lines}
