"""An ERP 多栏账 submission in the bureau's outputs: its tax figures are an upper bound, said in summary.xlsx,
and a rollup never takes them (nor anything else from the ledger) as a reported figure."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from rdcheck.api import check
from rdcheck.district.plan import load_district
from rdcheck.district.rollup import rollup
from rdcheck.district.summary_xlsx import summary_row

ERP = Path(__file__).resolve().parent.parent / "samples" / "erp" / "研发支出多栏账-2024.xlsx"


@pytest.fixture(scope="module")
def result() -> dict:
    return json.loads(json.dumps(check(ERP).to_dict(), ensure_ascii=False))  # as results.jsonl holds it


def test_summary_xlsx_says_the_tax_figures_are_an_upper_bound(result: dict) -> None:
    row = summary_row(result)
    assert "上限" in row["reason"] and "F15" in row["reason"]
    assert row["a40"] == result["a107012"]["40"] and row["stats7"] == result["stats"]["7"]
    assert "upper bound" in summary_row(result, "en")["reason"]


def test_a_rollup_counts_the_erp_ledger_as_potential_never_as_reported(result: dict, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("district: 测试区\nyear: 2024\ngdp: 100\nregions: [高新区]\n", encoding="utf-8")
    figures = rollup([result], load_district(tmp_path / "d.yaml")).to_dict()
    assert figures["submissions"]["counted"] == 1 and figures["submissions"]["unread"] == 0
    rd = figures["rd_spending"]
    assert rd["enterprises_reported"] == 0  # nothing reported to statistics; the deduction is not a report
    assert Decimal(str(rd["enterprises_potential"])) == Decimal(str(result["stats"]["intramural"]))


def test_an_erp_sheet_that_does_not_tie_is_withheld_and_unread_in_the_rollup(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(ERP)
    ws = wb["RD2024-01"]
    last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == "本年累计")
    ws.cell(last, 9).value = ws.cell(last, 9).value + 100  # 本年累计 of 工资 says 100 yuan more than the vouchers
    wb.save(tmp_path / "untied.xlsx")
    report = check(tmp_path / "untied.xlsx")
    ties = [f for f in report.findings if f.rule == "B13"]
    assert [(f.sheet, f.cell) for f in ties] == [("RD2024-01", f"I{last}")]
    assert report.withheld and report.stats["7"] is None and report.a107012["40"] is None
    (tmp_path / "d.yaml").write_text("district: 测试区\nyear: 2024\ngdp: 100\nregions: [高新区]\n", encoding="utf-8")
    result = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    figures = rollup([result], load_district(tmp_path / "d.yaml")).to_dict()
    assert figures["submissions"]["unread"] == 1 and figures["submissions"]["counted"] == 0
    (follow,) = figures["follow_up"]
    assert follow["reason"].startswith(f"unread: B13 I{last}")
