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


def test_the_sample_sheets_read_to_the_generators_lines_and_tie_out() -> None:
    for title, grid in filled(ERP / "研发支出多栏账-2024.xlsx"):
        sheet = parse_erp(grid)
        assert sheet.issues == [] and sheet.invalid == [], title
        assert sum(x.amount for x in sheet.lines) == Decimal(str(EXPECTED["sheets"][title]["book"]))
        assert len(sheet.tied_rows) == 24  # 本月合计 and 本年累计 of twelve months


@pytest.fixture(scope="module")
def reports():
    from rdcheck.api import check

    return check(ERP / "研发支出多栏账-2024.xlsx"), check(ERP / "标准辅助账-同一凭证.xlsx")


def test_the_erp_export_gives_the_standard_workbooks_107_2_line_7_and_a_bounded_tax_figure(reports) -> None:
    erp, standard = reports
    line7 = Decimal(str(EXPECTED["line7"]))
    assert Decimal(str(erp.stats["7"])) == Decimal(str(standard.stats["7"])) == line7
    assert Decimal(str(erp.stats["intramural"])) == Decimal(str(EXPECTED["intramural"]))
    line40 = Decimal(str(erp.a107012["40"]))
    assert line40 == Decimal(str(EXPECTED["a107012_line40_upper_bound"])) == Decimal(str(standard.a107012["40"]))
    assert line40 <= line7  # never higher than the books
    assert erp.enterprise["year"] == 2024 and len(erp.book.ledger.data) == EXPECTED["lines"]
    rules = {f.rule for f in erp.findings}
    assert {"F11", "F14", "F15"} <= rules and not {"F01", "F02", "B13"} & rules
    assert "F15" not in {f.rule for f in standard.findings}
    assert "上限" in erp.notes[0]


def test_each_guess_is_marked_once_at_its_sub_accounts_header_cell(reports) -> None:
    erp, _ = reports
    guesses = [f for f in erp.findings if f.rule == "F14"]
    assert len(guesses) == 12  # the twelve sub-accounts, each once although two project sheets show most
    assert all(f.sheet == "RD2024-01" and f.row == 4 for f in guesses)
    assert [f.cell for f in guesses if f.severity == "warning"] == ["T4"]  # 530199 其他费用: no keyword
    wage = next(f for f in guesses if f.cell == "I4")
    assert "1.1 工资薪金" in wage.message and "3,036,079.97" in wage.message


def test_erp_map_in_the_config_replaces_the_guess(tmp_path: Path) -> None:
    from rdcheck.api import check
    from rdcheck.engine import Config
    from rdcheck.workbook.reader import read_enterprise

    config = Config.from_dict({"erp_map": {"913208047581784510": {"530199": "6.1", "业务招待费": 8.2}}})
    bare = check(ERP / "研发支出多栏账-2024.xlsx", config=config)
    # a bare export names no 统一社会信用代码: one enterprise's entries do not apply to it, the guesses stay
    assert "T4" in {f.cell for f in bare.findings if f.rule == "F14"}
    facts = yaml.safe_load((ERP / "企业信息.yaml").read_text(encoding="utf-8"))
    info = read_enterprise("企业信息.yaml", [["项目", "值"], *([k, v] for k, v in facts.items())])
    own = check(ERP / "研发支出多栏账-2024.xlsx", config=config, info=info)
    assert own.enterprise["uscc"] == "913208047581784510"
    assert {"T4", "S4"}.isdisjoint({f.cell for f in own.findings if f.rule == "F14"})
    everyone = Config.from_dict({"erp_map": {"530199": "6.1", "业务招待费": 8.2}})
    report = check(ERP / "研发支出多栏账-2024.xlsx", config=everyone)
    guesses = {f.cell for f in report.findings if f.rule == "F14"}
    assert "T4" not in guesses and "S4" not in guesses and len(guesses) == 10
    other = Decimal(str(EXPECTED["by_subitem"]["8.2"]))
    assert Decimal(str(report.stats["7"])) == Decimal(str(EXPECTED["line7"]))  # the books do not change
    assert Decimal(str(report.a107012["28"])) > Decimal(str(EXPECTED["by_subitem"]["6.5"]))  # 其他 now in 6.1
    assert other > 0


@pytest.mark.parametrize("word", ["上年结转", "结转本月研发费用", "本月合计", "本年累计", "过次页", "承前页"])
def test_no_row_that_is_not_spending_became_a_line(word: str) -> None:
    (title, grid), *_ = filled(ERP / "研发支出多栏账-2024.xlsx")
    sheet = parse_erp(grid)
    rows = {r for r, row in enumerate(grid, start=1) if word in [str(v) for v in row]}
    assert rows and not rows & {x.row for x in sheet.lines}


def test_an_erp_export_with_a_企业信息_sheet_added_is_that_enterprise_and_gets_its_own_map(tmp_path: Path) -> None:
    from rdcheck.api import check
    from rdcheck.engine import Config

    wb = openpyxl.load_workbook(ERP / "研发支出多栏账-2024.xlsx")
    ws = wb.create_sheet("企业信息", 0)
    ws.append(["项目", "值"])
    for k, v in yaml.safe_load((ERP / "企业信息.yaml").read_text(encoding="utf-8")).items():
        ws.append([k, v])
    wb.save(tmp_path / "mixed.xlsx")
    config = Config.from_dict({"erp_map": {"913208047581784510": {"530199": "6.1"}}})
    report = check(tmp_path / "mixed.xlsx", config=config)
    assert report.enterprise["uscc"] == "913208047581784510" and report.enterprise["name"] == "江苏新途泵业有限公司"
    assert "T4" not in {f.cell for f in report.findings if f.rule == "F14"}
    assert Decimal(str(report.stats["7"])) == Decimal(str(EXPECTED["line7"]))
    assert not {"F01", "F02"} & {f.rule for f in report.findings}
