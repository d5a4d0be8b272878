"""`rdcheck convert` (issue 10 point 7): any readable layout to the standard workbook, each line with its source.

Checking the converted file finds the same rules and computes the same figures as checking the original; the
converted ledger has one more column, 来源单元格, naming the cell each line came from; the output is written
atomically and never over the input.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rdcheck.api import check, load_book
from rdcheck.cli import main
from rdcheck.convert import SOURCE_COLUMN, ConvertError, convert_book

LEDGERS = Path(__file__).resolve().parent.parent / "samples" / "ledgers"
# an unreadable value (F04), a value not allowed (F05), a missing column (F02), a missing sheet (F01), a clean one
SAMPLES = ["clean", "flaw_not_a_number", "flaw_bad_category", "flaw_missing_column", "flaw_sheet_missing"]


def same(a, b) -> None:
    assert sorted({f.rule for f in a.findings}) == sorted({f.rule for f in b.findings})
    assert sorted((f.rule, f.column) for f in a.findings) == sorted((f.rule, f.column) for f in b.findings)
    assert (a.a107012, a.stats, a.tax_saving, a.enterprise) == (b.a107012, b.stats, b.tax_saving, b.enterprise)


@pytest.mark.parametrize("name", SAMPLES)
def test_the_converted_standard_workbook_checks_the_same(name: str, tmp_path: Path) -> None:
    src = LEDGERS / f"{name}.xlsx"
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "std.xlsx"
    done = convert_book(load_book(src), out, source=src)
    same(check(src), check(out))
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # the input is never modified
    assert done.lines == len(load_book(src).ledger.data)


def test_each_line_names_its_source_cell_and_the_look_is_the_templates(tmp_path: Path) -> None:
    src = LEDGERS / "clean.xlsx"
    convert_book(load_book(src), tmp_path / "std.xlsx", source=src)
    wb = openpyxl.load_workbook(tmp_path / "std.xlsx")
    assert wb.sheetnames[:4] == ["填表说明", "企业信息", "研发项目", "辅助账明细"]
    ws = wb["辅助账明细"]
    heads = [c.value for c in ws[1]]
    assert heads[-1] == SOURCE_COLUMN and heads[6] == "账载金额(元)"
    original = openpyxl.load_workbook(src)["辅助账明细"]
    for r in (2, 3, ws.max_row):
        sheet, cell = ws.cell(r, len(heads)).value.split("!")
        assert sheet == "辅助账明细"
        assert original[cell].value == ws.cell(r, 7).value  # the source cell holds the line's 账载金额
    assert any("明细项目" in str(dv.sqref) or dv.type == "list" for dv in ws.data_validations.dataValidation)


def test_never_over_the_input_and_never_half_written(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    src.write_bytes((LEDGERS / "clean.xlsx").read_bytes())
    before = src.read_bytes()
    with pytest.raises(ConvertError, match="输出文件不能是输入文件本身"):
        convert_book(load_book(src), tmp_path / "." / "in.xlsx", source=src)
    assert src.read_bytes() == before
    with pytest.raises(ConvertError, match="无法写入"):
        convert_book(load_book(src), tmp_path / "no" / "such" / "out.xlsx", source=src)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]  # no temporary file left behind


def test_cli_convert(tmp_path: Path) -> None:
    src = LEDGERS / "clean.xlsx"
    result = CliRunner().invoke(main, ["convert", str(src), "-o", str(tmp_path / "std.xlsx")])
    assert result.exit_code == 0 and "已转换为标准模板" in result.output and "345" in result.output
    over = CliRunner().invoke(main, ["convert", str(src), "-o", str(src)])
    assert over.exit_code == 2 and "输出文件不能是输入文件本身" in over.output and "Traceback" not in over.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    bad = CliRunner().invoke(main, ["convert", str(broken), "-o", str(tmp_path / "x.xlsx"), "--lang", "en"])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and not (tmp_path / "x.xlsx").exists()
    missing = CliRunner().invoke(main, ["convert", str(src)])
    assert missing.exit_code == 2 and "-o" in missing.output


def test_an_erp_export_converts_to_a_standard_workbook_with_the_same_figures(tmp_path: Path) -> None:
    import yaml

    erp = LEDGERS.parent / "erp"
    src = erp / "研发支出多栏账-2024.xlsx"
    out = tmp_path / "std.xlsx"
    done = convert_book(load_book(src), out, source=src)
    original, converted = check(src), check(out)
    assert (original.a107012, original.stats, original.tax_saving) == (
        converted.a107012,
        converted.stats,
        converted.tax_saving,
    )
    expected = yaml.safe_load((erp / "expected.yaml").read_text(encoding="utf-8"))
    assert done.lines == expected["lines"] and done.projects == 2
    ws = openpyxl.load_workbook(out)["辅助账明细"]
    heads = [c.value for c in ws[1]]
    assert heads[-1] == SOURCE_COLUMN and "可加计金额(元)" in heads  # blank: for the enterprise to fill
    sources = [ws.cell(r, len(heads)).value for r in range(2, 7)]
    assert sources == [f"'RD2024-01'!{c}" for c in expected["line_cells"]]
    # what the layout said about itself (read as, lacks, guessed, upper bound) becomes, in the standard
    # workbook, the standard checks of what is still to fill: the rules the export could not run, and F03
    said_by_layout = {"F11", "F12", "F14", "F15"}
    skipped = original.book.foreign.skipped
    before, after = {f.rule for f in original.findings}, {f.rule for f in converted.findings}
    assert before - said_by_layout <= after
    assert after - before <= skipped | {"F03"}
    empty = {(f.sheet, f.column) for f in converted.findings if f.rule == "F03"}
    not_carried = original.book.foreign.not_carried
    assert all(column in not_carried.get(sheet, ()) for sheet, column in empty)


def test_cli_convert_an_erp_export_with_its_enterprise_from_info(tmp_path: Path) -> None:
    erp = LEDGERS.parent / "erp"
    out = tmp_path / "std.xlsx"
    args = ["convert", str(erp / "研发支出多栏账-2024.xlsx"), "--info", str(erp / "企业信息.yaml"), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    ent = {r[0].value: r[1].value for r in openpyxl.load_workbook(out)["企业信息"].iter_rows(min_row=2)}
    assert ent["统一社会信用代码"] == "913208047581784510" and ent["所属年度"] == 2024
    bad = CliRunner().invoke(main, [*args[:3], "--info", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "x.xlsx")])
    assert bad.exit_code == 2 and not (tmp_path / "x.xlsx").exists()
