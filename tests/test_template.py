"""The standard template: an empty Book when read back, drop-downs on every enumerated column, stable bytes."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from rdcheck.template import LISTS_SHEET, choices_of, header_text, write_template
from rdcheck.workbook import read_book
from rdcheck.workbook.layout import ENTERPRISE, INSTRUCTIONS_SHEET, SHEETS, SUBITEMS


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "模板.xlsx"
    write_template(path)
    return path


def test_reads_back_as_an_empty_book(template):
    book = read_book(template)
    assert book.enterprise.present and book.enterprise.missing == [] and book.enterprise.invalid == {}
    assert all(v is None for v in book.enterprise.values.values())
    for table in book.tables.values():
        assert table.present, table.name
        assert table.header_row == 1
        assert table.missing == [] and table.extra == [] and table.invalid == {}
        assert len(table) == 0
        assert set(table.letters) == {f.name for f in table.layout.fields}


def test_sheets_headers_and_keys(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[0] == INSTRUCTIONS_SHEET
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    ent = wb[ENTERPRISE.name]
    assert [ent.cell(1, 1).value, ent.cell(1, 2).value] == ["项目", "值"]
    assert [ent.cell(r, 1).value for r in range(2, len(ENTERPRISE.fields) + 2)] == [
        header_text(f) for f in ENTERPRISE.fields
    ]
    keys = {ent.cell(r, 1).value for r in range(2, len(ENTERPRISE.fields) + 2)}
    assert {"营业收入(元)", "统计研究开发费用合计(千元)", "统计研究开发人员(人)"} <= keys
    for sheet in SHEETS[1:]:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [header_text(f) for f in sheet.fields]
        assert ws.freeze_panes == "A2"
        assert all(c.comment is not None and c.comment.text for c in ws[1])
    assert "账载金额(元)" in [c.value for c in wb["辅助账明细"][1]]


def _validations(ws):
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord.split(":")[0]] = dv
    return out


def _list_values(wb, formula: str) -> list[str]:
    sheet, ref = formula.lstrip("=").split("!")
    cells = wb[sheet.strip("'")][ref.replace("$", "")]
    return [row[0].value for row in cells]


def test_drop_downs_on_every_enumerated_column_and_key(template):
    wb = openpyxl.load_workbook(template)
    checked = 0
    for sheet in SHEETS:
        ws = wb[sheet.name]
        found = _validations(ws)
        for i, f in enumerate(sheet.fields):
            choices = choices_of(f)
            if not choices:
                continue
            first = f"B{i + 2}" if sheet is ENTERPRISE else f"{openpyxl.utils.get_column_letter(i + 1)}2"
            assert first in found, (sheet.name, f.name)
            dv = found[first]
            assert dv.type == "list"
            assert _list_values(wb, dv.formula1) == list(choices)
            checked += 1
    assert checked >= 14
    ledger = _validations(wb["辅助账明细"])
    subitems = _list_values(wb, ledger["F2"].formula1)
    assert len(subitems) == len(SUBITEMS) and subitems[1] == "1.2 五险一金"
    assert ledger["A2"].type == "date"  # 日期


def test_bytes_are_deterministic(tmp_path):
    write_template(tmp_path / "a.xlsx")
    write_template(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_libreoffice_opens_it(template, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [office, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(template)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert list(tmp_path.glob("*.csv"))
