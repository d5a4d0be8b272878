"""`rollup --lang en`: rollup.xlsx's sheet names, headers and labels and the screening texts are English
(issue 13 point 12, issue 14); the data (enterprise names, regions) stays as given. Chinese stays the default."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from test_screening import DISTRICT, last_year, this_year

from rdcheck.district.plan import District, load_district
from rdcheck.district.results import write_results_jsonl
from rdcheck.district.rollup import rollup
from rdcheck.district.rollup_xlsx import write_rollup
from rdcheck.district.season_sheets import apply_season

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def district(tmp_path: Path) -> District:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    return load_district(tmp_path / "d.yaml")


def _season_rollup(district: District, tmp_path: Path, lang: str):  # noqa: ANN202
    write_results_jsonl(last_year(), tmp_path / "prev.jsonl")  # per enterprise: every screen can fire
    result = rollup(this_year(), district)
    assert apply_season(result, str(tmp_path / "prev.jsonl"), lang) > 0
    return result


def test_rollup_xlsx_in_english(district: District, tmp_path: Path) -> None:
    write_rollup(_season_rollup(district, tmp_path, "en"), tmp_path / "rollup.xlsx", "en")
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    assert wb.sheetnames == [
        "Overview", "By region", "By industry", "By type", "Follow-up", "Enterprises", "Targets", "Year on year"
    ]  # fmt: skip
    for ws in wb.worksheets[1:]:  # every table's header row
        heads = [c.value for c in ws[1] if c.value is not None]
        assert heads and not [h for h in heads if CJK.search(str(h))], ws.title
    overview = wb["Overview"]
    labels = [r[0] for r in overview.iter_rows(min_row=2, max_col=1, values_only=True) if r[0]]
    assert "District R&D spending (100 million yuan)" in labels
    assert [x for x in labels if CJK.search(str(x))] == []
    assert overview["F5"].value == "met"  # 15,020M reported against a 200M target
    assert [c.value for c in overview[4]][:3] == ["Indicator", "Target", "Reported"]
    # the screening reasons on the follow-up list are English; the enterprise names (data) stay Chinese
    follow = {r[2]: r[6] for r in wb["Follow-up"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)}
    assert follow["量级"].startswith("scale jump (yuan / thousand yuan / 10k yuan slip?)")
    assert "this year 10,000,000,000.00 / last year 10,000,000.00 ≈ ×1000" in follow["量级"]
    assert "R&D intensity" in follow["增速"] and "revenue 100,000,000.00 → 105,000,000.00 (×1.05)" in follow["增速"]
    assert not CJK.search(follow["量级"] + follow["增速"])
    types = [r[0] for r in wb["By type"].iter_rows(min_row=2, values_only=True)]
    assert "High-tech enterprises" in types


def test_rollup_xlsx_stays_chinese_by_default(district: District, tmp_path: Path) -> None:
    write_rollup(_season_rollup(district, tmp_path, "zh"), tmp_path / "rollup.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    assert wb.sheetnames == ["概览", "按区域", "按行业", "按类型", "跟进名单", "企业明细", "目标对照", "同比"]
    follow = {r[2]: r[6] for r in wb["跟进名单"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)}
    assert follow["量级"].startswith("量级异常") and "本年 10,000,000,000.00 / 上年" in follow["量级"]
    assert wb["同比"]["C1"].value == "2023 年报送（亿元）"


def test_cli_rollup_lang_en_writes_english_xlsx_and_text(district: District, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rdcheck.cli import main

    write_results_jsonl(this_year(), tmp_path / "now.jsonl")
    write_results_jsonl(last_year(), tmp_path / "prev.jsonl")
    out = tmp_path / "out"
    out.mkdir()
    args = ["rollup", str(tmp_path / "now.jsonl"), "--district", str(tmp_path / "d.yaml"), "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--previous", str(tmp_path / "prev.jsonl"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "R&D grew far faster than revenue" in result.output
    assert "revenue 100,000,000.00 → 105,000,000.00 (×1.05)" in result.output
    assert "营业收入" not in result.output and "本年" not in result.output
    assert openpyxl.load_workbook(out / "rollup.xlsx").sheetnames[0] == "Overview"
