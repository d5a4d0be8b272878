"""The writers over one Report: text grouped by pillar, §6 JSON, and the annotated workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from rdcheck.engine.examples import example_sheets
from rdcheck.model import Finding, Report
from rdcheck.report import json as json_report
from rdcheck.report import text
from rdcheck.report.xlsx import write_annotated
from rdcheck.workbook import read_book

SPEC_KEYS = {
    "file",
    "sha256",
    "rdcheck",
    "status",
    "enterprise",
    "counts",
    "findings",
    "a107012",
    "tax_saving",
    "stats",
    "reconciliation",
}
# spec §6, plus the fix hint every finding carries (issue 13 point 7)
FINDING_KEYS = {"rule", "severity", "pillar", "sheet", "row", "column", "cell", "message", "value", "basis", "hint"}
RED, AMBER, BLUE = "FFFFC7CE", "FFFFE699", "FFBDD7EE"


def write_book(
    path: Path, given: dict[str, Any] | None = None, extra: dict[str, list[list[Any]]] | None = None
) -> Path:
    """Write the engine's minimal clean book, with an example's changes, as a real .xlsx (strings stay strings)."""
    sheets = example_sheets(given or {})
    sheets.update(extra or {})
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, v, date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def finding(rule: str, severity: str, pillar: str, sheet: str | None, cell: str | None, **kw: Any) -> Finding:
    row = int("".join(ch for ch in cell if ch.isdigit())) if cell else kw.pop("row", None)
    return Finding(
        rule=rule,
        severity=severity,
        pillar=pillar,
        sheet=sheet,
        row=row,
        column=kw.pop("column", None),
        cell=cell,
        message=kw.pop("message", f"{rule} 的说明"),
        value=kw.pop("value", None),
        basis=kw.pop("basis", ""),
    )


def hand_report(path: Path, findings: list[Finding], **kw: Any) -> Report:
    return Report(
        file=str(path),
        sha256=None,
        version="test",
        enterprise={"uscc": "91320804MA1N2K3L40", "name": "淮阴示例科技有限公司", "year": 2024},
        findings=findings,
        book=read_book(path) if path.exists() else None,
        **kw,
    )


A107012 = {str(n): Decimal(n * 1000) for n in range(1, 53)}
STATS = {"7": Decimal("61000"), "intramural": Decimal("61000"), "intramural_reported": None}


# ---------------------------------------------------------------------------------------------- text


def test_text_groups_by_pillar_then_sheet_and_row() -> None:
    report = hand_report(
        Path("none.xlsx"),
        [
            finding("T05", "info", "T", "研发项目", "B2"),
            finding("C14", "info", "C", "辅助账明细", "G5"),
            finding("F04", "error", "F", "辅助账明细", "G12"),
            finding("B07", "warning", "B", "汇总表", None),
            finding("F03", "error", "F", "辅助账明细", "A3"),
            finding("F06", "error", "F", "企业信息", "B2"),
            finding("F01", "error", "F", None, None),
            finding("F05", "error", "F", "辅助账明细", "AB3"),
        ],
    )
    out = text.render(report)
    lines = out.splitlines()
    headings = [line for line in lines if line.startswith("【")]
    assert headings == ["【F 文件】", "【B 应建尽建】", "【C 应提尽提】", "【T 应统尽统】"]
    rules = [line.split()[1] for line in lines if line.startswith("  ") and line.split()[1][:1] in "FBCT"]
    assert rules == ["F01", "F06", "F03", "F05", "F04", "B07", "C14", "T05"]
    assert "  错误  F04  辅助账明细!G12  F04 的说明" in lines
    assert "  警告  B07  汇总表  B07 的说明" in lines
    assert lines[-1] == "共 8 项：错误 5，警告 1，提示 2 —— 结论：不通过"
    assert "\x1b[" not in out


def test_text_shows_the_computed_summary_and_notes() -> None:
    report = hand_report(
        Path("none.xlsx"),
        [],
        a107012=A107012,
        tax_saving=Decimal("15250"),
        stats=STATS,
        notes=["研发经费内部支出为估算值"],
    )
    out = text.render(report)
    assert "第40行 可加计扣除基数" in out and "40,000.00 元" in out
    assert "第51行 本年允许加计扣除额" in out and "51,000.00 元" in out
    assert "预计少缴企业所得税" in out and "15,250.00 元" in out
    assert "研发经费内部支出（估算）" in out and "61,000.00 元" in out
    assert "按报送数" not in out  # intramural_reported is null: not shown
    assert "研发经费内部支出为估算值" in out
    assert "未发现问题" in out
    assert out.splitlines()[-1] == "共 0 项：错误 0，警告 0，提示 0 —— 结论：通过"


def test_text_in_english_and_in_colour() -> None:
    report = hand_report(Path("none.xlsx"), [finding("B07", "warning", "B", "汇总表", None)], a107012=A107012)
    out = text.render(report, lang="en")
    assert "[B projects set up (应建尽建)]" in out
    assert "  warning  B07  汇总表" in out
    assert "line 51 super-deduction" in out
    assert out.splitlines()[-1] == "Findings: 1 (errors 0, warnings 1, info 0) — status: warnings"
    coloured = text.render(report, color=True)
    assert "\x1b[33m" in coloured  # the warning in yellow
    assert text.render(report, color=False).count("\x1b[") == 0


# ---------------------------------------------------------------------------------------------- json


def test_json_has_the_spec_shape_and_keeps_chinese() -> None:
    report = hand_report(
        Path("none.xlsx"),
        [finding("F04", "error", "F", "辅助账明细", "G12", value=Decimal("1.005"), column="账载金额")],
        a107012=A107012,
        tax_saving=Decimal("1.005"),
        stats=STATS,
    )
    out = json_report.render(report)
    data = json.loads(out)
    assert set(data) == SPEC_KEYS
    assert set(data["findings"][0]) == FINDING_KEYS
    assert data["findings"][0]["value"] == 1.01 and data["tax_saving"] == 1.01
    assert data["status"] == "fail" and data["counts"] == {"error": 1, "warning": 0, "info": 0}
    assert "辅助账明细" in out  # ensure_ascii False: Chinese as is


def test_json_list_for_several_and_the_error_object() -> None:
    report = hand_report(Path("none.xlsx"), [])
    bad = json_report.unreadable("x.xlsx", "无法读取文件\n（已损坏）")
    data = json.loads(json_report.render([report, bad]))
    assert isinstance(data, list) and len(data) == 2
    assert data[1] == {"file": "x.xlsx", "status": "error", "error": "无法读取文件 （已损坏）"}
    assert json.loads(json_report.render_line(bad)) == data[1]


# ---------------------------------------------------------------------------------------------- annotated workbook


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Report]:
    """A workbook with a formula-looking 摘要, a hidden sheet, a formula, and findings by hand on known cells."""
    src = write_book(
        tmp_path / "in.xlsx",
        {"辅助账明细": {"set": {3: {"摘要": "=1+1"}, 4: {"账载金额": "abc"}}}},
        extra={"备注": [["@note", "+1", "-1", "=SUM(A1:A2)"]]},
    )
    # a formula with a cached value and a hidden sheet, added with openpyxl would lose the cache: patch by xlsxwriter
    findings = [
        finding("F04", "error", "F", "辅助账明细", "G4", column="账载金额", value="abc"),
        finding("C14", "info", "C", "辅助账明细", "G4", message='=HYPERLINK("x")'),
        finding("C08", "warning", "C", "企业信息", "B12", value="-5"),
        finding("B09", "error", "B", "辅助账明细", "Z5"),  # past the row's data: still filled
        finding("B07", "warning", "B", "汇总表", None),
        finding("C01", "info", "C", None, None),
        finding("B02", "warning", "B", "研发项目", None, row=2),  # a row without a cell: column A
    ]
    return src, hand_report(src, findings, a107012=A107012, tax_saving=Decimal("15250"), stats=STATS)


def test_annotated_copy_fills_and_comments_the_planted_cells(tmp_path: Path, planted: tuple[Path, Report]) -> None:
    src, report = planted
    before = digest(src)
    out = write_annotated(report, tmp_path / "out.xlsx")
    assert digest(src) == before  # the input is never modified
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["检查结论", "检查结果"]  # the letter first (issue 13 point 9)
    ledger = wb["辅助账明细"]
    g4 = ledger["G4"]
    assert g4.value == "abc" and g4.fill.fgColor.rgb == RED  # error wins over info
    assert g4.comment.text.splitlines() == ["F04 错误：F04 的说明", 'C14 提示：=HYPERLINK("x")']
    assert ledger["Z5"].fill.fgColor.rgb == RED and "B09" in ledger["Z5"].comment.text
    assert wb["企业信息"]["B12"].fill.fgColor.rgb == AMBER
    assert wb["研发项目"]["A2"].fill.fgColor.rgb == AMBER
    assert ledger["G2"].fill.fgColor.rgb != RED and ledger["G2"].comment is None
    assert ledger["G2"].value == 30000 and ledger["G2"].number_format == "#,##0.00"
    assert isinstance(ledger["A2"].value, dt.datetime) and ledger["A2"].number_format == "yyyy-mm-dd"


def test_annotated_copy_writes_formula_looking_text_as_text(tmp_path: Path, planted: tuple[Path, Report]) -> None:
    src, report = planted
    out = write_annotated(report, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(out)
    cell = wb["辅助账明细"]["D3"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert [(c.value, c.data_type) for c in wb["备注"][1]] == [
        ("@note", "s"),
        ("+1", "s"),
        ("-1", "s"),
        ("=SUM(A1:A2)", "s"),
    ]
    results = wb["检查结果"]
    messages = {c.value: c.data_type for c in results["H"][1:]}
    assert messages['=HYPERLINK("x")'] == "s"
    values = {c.value: c.data_type for c in results["J"][1:] if c.value is not None}
    assert values["-5"] == "s"
    # no formula anywhere in the copy
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_results_sheet_lists_every_finding_with_links_filter_and_frozen_header(
    tmp_path: Path, planted: tuple[Path, Report]
) -> None:
    src, report = planted
    wb = openpyxl.load_workbook(write_annotated(report, tmp_path / "out.xlsx"))
    ws = wb["检查结果"]
    header = [c.value for c in ws[1]]
    assert header == [
        "规则",
        "严重程度",
        "类别",
        "工作表",
        "行",
        "列",
        "单元格",
        "问题说明",
        "修改建议",
        "值",
        "政策依据",
        "豁免",
    ]
    assert ws.max_row == 1 + len(report.findings)
    assert ws.auto_filter.ref == f"A1:L{ws.max_row}"
    assert ws.freeze_panes == "A2"
    links = {row[0].value + ":" + (row[6].value or ""): row[6].hyperlink for row in ws.iter_rows(min_row=2)}
    assert links["F04:G4"].location == "'辅助账明细'!G4"
    assert links["C08:B12"].location == "'企业信息'!B12"
    assert links["B07:A1"].location == "'汇总表'!A1"
    assert links["C01:"] is None  # about the whole workbook: nowhere to go
    assert [r[0].value for r in ws.iter_rows(min_row=2)][:4] == [
        "F04",
        "B02",
        "B09",
        "B07",
    ]  # F, then B (sheet order), C, T


def test_calc_sheets(tmp_path: Path, planted: tuple[Path, Report]) -> None:
    src, report = planted
    report.reconciliation = [
        {
            "caliber": "税务",
            "item": "加计扣除额",
            "computed": Decimal("51000"),
            "reported": Decimal("50000"),
            "difference": Decimal("1000"),
            "explained_by": ["其他相关费用10%限额", "资本化"],
        }
    ]
    wb = openpyxl.load_workbook(write_annotated(report, tmp_path / "out.xlsx"))
    a = wb["加计扣除测算"]
    assert [c.value for c in a[1]] == ["行次", "项目", "金额（元）"]
    assert [a.cell(r, 1).value for r in range(2, 54)] == list(range(1, 53))
    assert a["C41"].value == 40000 and a["C41"].number_format == "#,##0.00"
    assert "加计扣除" in a["B52"].value  # line 51's label from rdcheck.compute.labels
    s = wb["统计口径"]
    rows = {r[1].value: [c.value for c in r] for r in s.iter_rows(min_row=2)}
    line7 = next(v for k, v in rows.items() if k and "研究开发费用合计" in k)
    assert line7[0] == 7 and line7[2] == 61000 and line7[3] == 61
    assert any(v[4] == "估算" for v in rows.values())
    r = wb["三表比对"]
    assert [c.value for c in r[2]] == ["税务", "加计扣除额", 51000, 50000, 1000, "其他相关费用10%限额、资本化"]


def test_annotated_copy_of_a_real_check_has_every_sheet_and_the_computation(tmp_path: Path) -> None:
    from rdcheck.api import check

    src = write_book(tmp_path / "in.xlsx", {"辅助账明细": {"set": {4: {"账载金额": "abc"}}}})
    report = check(src)
    out = write_annotated(report, tmp_path / "out.xlsx", lang="en")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Verdict", "Findings"]  # English sheet names with --lang en (issue 13)
    for name in (
        "企业信息",
        "研发项目",
        "辅助账明细",
        "汇总表",
        "A107012 computed",
        "Summary 2021 computed",
        "Statistics 107-2",
        "Reconciliation",
    ):
        assert name in wb.sheetnames
    assert [c.value for c in wb["Findings"][1]][0] == "rule"
    assert "F04" in wb["辅助账明细"]["G4"].comment.text
    summary = wb["Summary 2021 computed"]
    assert summary["A1"].value == "项目编号" and summary["A2"].value == "P001"


def test_sheet_aliases_hidden_sheets_and_control_characters(tmp_path: Path) -> None:
    src = tmp_path / "alias.xlsx"
    sheets = example_sheets({"辅助账明细": {"set": {2: {"摘要": "bad\x01text"}}}})
    wb = xlsxwriter.Workbook(str(src))
    names = {"辅助账明细": "ledger", "企业信息": "企业信息"}
    for name, rows in sheets.items():
        ws = wb.add_worksheet(names.get(name, name))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write_string(r, c, str(v)) if isinstance(v, (str, dt.date)) else ws.write(r, c, v)
    hidden = wb.add_worksheet("隐藏")
    hidden.write_formula("A1", "=1+2", None, 3)
    hidden.hide()
    wb.close()
    report = hand_report(src, [finding("F04", "error", "F", "辅助账明细", "G3")])
    out = openpyxl.load_workbook(write_annotated(report, tmp_path / "out.xlsx"))
    assert out["ledger"]["G3"].fill.fgColor.rgb == RED
    link = out["检查结果"]["G2"].hyperlink
    assert link.location == "'ledger'!G3"
    assert out["隐藏"].sheet_state == "hidden"
    assert out["隐藏"]["A1"].value == 3  # the cached value, never the formula
    assert "text" in out["ledger"]["D2"].value


def test_output_over_the_input_is_refused(planted: tuple[Path, Report]) -> None:
    from rdcheck.errors import RdcheckError

    src, report = planted
    before = digest(src)
    with pytest.raises(RdcheckError):
        write_annotated(report, src)
    assert digest(src) == before


def test_a_large_ledger_is_written_whole(tmp_path: Path) -> None:
    n = 20_000
    base = example_sheets({})["辅助账明细"]
    rows = [base[0]] + [base[1 + i % (len(base) - 1)][:1] + [f"记-{i:06d}"] + base[1][2:] for i in range(n)]
    src = write_book(tmp_path / "big.xlsx", extra={"辅助账明细": rows})
    book = read_book(src)
    findings = [finding("C14", "info", "C", "辅助账明细", f"G{r}") for r in range(2, n + 2, 7)]
    report = Report(file=str(src), sha256=None, version="t", findings=findings, book=book)
    out = write_annotated(report, tmp_path / "out.xlsx")  # how long it takes is bench/'s business, not a test's
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb["辅助账明细"].max_row == n + 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_copy(tmp_path: Path, planted: tuple[Path, Report]) -> None:
    src, report = planted
    out = write_annotated(report, tmp_path / "out.xlsx")
    run = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(out)],
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0 and (tmp_path / "csv" / "out.csv").exists()


def test_input_sheet_names_that_clash_or_excel_reserves(tmp_path: Path) -> None:
    src = write_book(tmp_path / "in.xlsx", extra={"检查结果": [["企业自己的表"]], "History": [["x"]]})
    report = hand_report(src, [finding("F04", "error", "F", "辅助账明细", "G3")])
    wb = openpyxl.load_workbook(write_annotated(report, tmp_path / "out.xlsx"))
    assert wb.sheetnames[1] == "检查结果" and wb["检查结果"]["A2"].value == "F04"
    assert wb["检查结果(2)"]["A1"].value == "企业自己的表"
    assert wb["History(2)"]["A1"].value == "x"


def test_annotated_copy_is_an_ordinary_readable_file(tmp_path) -> None:
    import os
    import stat

    from rdcheck.api import check
    from rdcheck.report.xlsx import write_annotated

    src = Path(__file__).resolve().parent.parent / "samples" / "ledgers" / "clean.xlsx"
    out = write_annotated(check(src), tmp_path / "out.xlsx")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_annotated_copy_of_a_file_whose_name_is_not_utf8(tmp_path) -> None:
    import os

    from rdcheck.api import check
    from rdcheck.report.xlsx import write_annotated

    src = Path(__file__).resolve().parent.parent / "samples" / "ledgers" / "flaw_bad_uscc.xlsx"
    odd = tmp_path / os.fsdecode("研发账".encode("gbk") + b".xlsx")  # a name from a Windows zip
    shutil.copy(src, odd)
    out = write_annotated(check(odd), tmp_path / "out.xlsx")
    assert "企业信息" in openpyxl.load_workbook(out, read_only=True).sheetnames
