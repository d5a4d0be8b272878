"""What a person meets first (issue 13): the template's empty sheets, usage mistakes, one mistake one finding."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from test_report import write_book

from rdcheck.api import check
from rdcheck.cli import main
from rdcheck.engine.examples import example_sheets
from rdcheck.template import write_template
from rdcheck.workbook.layout import ENTERPRISE


def rdcheck(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _bare(header: Any) -> str:
    return re.sub(r"[（(].*$", "", str(header or "")).strip()


def fill_template(path: Path, given: dict[str, Any] | None = None) -> Path:
    """Fill the real template as an accountant would: 企业信息, 研发项目 and 辅助账明细; 汇总表 left as shipped."""
    write_template(path)
    sheets = example_sheets(given or {})
    wb = openpyxl.load_workbook(path)
    ent = wb[ENTERPRISE.name]
    values = dict(sheets[ENTERPRISE.name][1:])
    for row in ent.iter_rows(min_row=2):
        key = _bare(row[0].value)
        if key in values:
            row[1].value = values[key]
    for name in ("研发项目", "辅助账明细"):
        ws = wb[name]
        header, *rows = sheets[name]
        where = {_bare(c.value): c.column for c in ws[1]}
        for r, values_row in enumerate(rows, start=2):
            for h, v in zip(header, values_row, strict=False):
                if v is not None and h in where:
                    ws.cell(r, where[h], v)
    wb.save(path)
    return path


# ------------------------------------------------------------------------------------- 1. the template's 汇总表


def test_template_empty_summary_is_absent_not_wrong(tmp_path: Path) -> None:
    report = check(fill_template(tmp_path / "filled.xlsx"))
    rules = [f.rule for f in report.findings]
    assert "B06" not in rules
    assert rules.count("B07") == 1
    assert report.status == "warn", report.flatten(["rule", "cell", "message"])


# ------------------------------------------------------------------------------------- 2. rollup of a batch folder


DISTRICT = "district: 测试区\nyear: 2024\ngdp: 100\ntargets: {rd_spending: 1, intensity: 1, basic_research: 0.1}\n"


def test_rollup_of_a_batch_folder_reads_its_results(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write_book(src / "a.xlsx")
    district = tmp_path / "d.yaml"
    district.write_text(DISTRICT, encoding="utf-8")
    out = tmp_path / "out"
    assert rdcheck("batch", src, "-o", out, "-q").exit_code == 0
    from_folder = rdcheck("rollup", out, "--district", district, "-q", "-o", tmp_path / "r1")
    assert rdcheck("rollup", out / "results.jsonl", "--district", district, "-q", "-o", tmp_path / "r2").exit_code == 0
    assert from_folder.exit_code == 0, from_folder.output
    one = json.loads((tmp_path / "r1" / "rollup.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "r2" / "rollup.json").read_text(encoding="utf-8"))
    assert one["submissions"]["counted"] == 1
    assert one["rd_spending"] == two["rd_spending"]


def test_rollup_refuses_a_folder_without_workbooks(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    district = tmp_path / "d.yaml"
    district.write_text(DISTRICT, encoding="utf-8")
    result = rdcheck("rollup", empty, "--district", district, "-q")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "没有工作簿" in result.stderr


# ------------------------------------------------------------------------------------- 3. template to nowhere


def test_template_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = rdcheck("template", "-o", tmp_path / "missing" / "dir" / "t.xlsx")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "文件夹不存在" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


# ------------------------------------------------------------------------------------- 6. check -o


def test_several_files_into_a_workbook_name_is_refused(tmp_path: Path) -> None:
    a, b = write_book(tmp_path / "a.xlsx"), write_book(tmp_path / "b.xlsx")
    result = rdcheck("check", a, b, "--format", "xlsx", "-o", tmp_path / "single.xlsx")
    assert result.exit_code == 2 and "应为文件夹" in result.stderr
    assert not (tmp_path / "single.xlsx").exists()


def test_xlsx_default_name_is_not_overwritten_silently(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    book = write_book(tmp_path / "a.xlsx")
    assert rdcheck("check", book, "--format", "xlsx").exit_code == 0
    again = rdcheck("check", book, "--format", "xlsx")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert rdcheck("check", book, "--format", "xlsx", "--force").exit_code == 0


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_text_and_json_to_a_file_say_where(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    result = rdcheck("check", write_book(tmp_path / "a.xlsx"), "--format", fmt, "-o", out)
    assert result.exit_code == 0
    assert out.stat().st_size > 0
    assert result.stderr.strip() == f"已写入 {out}"


def test_not_a_workbook_and_missing_file_say_it_once(tmp_path: Path) -> None:
    md = tmp_path / "notes.md"
    md.write_text("# 研发\n\n说明文字\n", encoding="utf-8")
    result = rdcheck("check", md)
    assert result.exit_code == 2
    assert ".md" in result.stderr and "纯文本" not in result.stderr
    missing = rdcheck("check", tmp_path / "nope.xlsx")
    assert missing.stderr.count("nope.xlsx") == 1


# ------------------------------------------------------------------------------------- 12. Chinese throughout


def _commands() -> list[str]:
    return sorted(main.commands)


def test_every_command_and_option_has_chinese_help() -> None:
    from rdcheck.cli.help import missing_chinese

    assert missing_chinese(main) == []


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("command", [None, *_commands()])
def test_help_is_chinese_by_default_and_english_with_lang_en(command: str | None) -> None:
    args = [command] if command else []
    zh = rdcheck(*args, "--help")
    assert zh.exit_code == 0
    assert zh.stdout.startswith("用法：") and "Options" not in zh.stdout and "Show this message" not in zh.stdout
    lines = zh.stdout.splitlines()
    described = [line + nxt for line, nxt in zip(lines, [*lines[1:], ""], strict=True) if line.startswith("  -")]
    assert described and all(CJK.search(line) for line in described), zh.stdout
    if command is None or "--lang" not in zh.stdout:
        return  # the group and the template (a Chinese form) have no --lang of their own
    en = rdcheck(*args, "--help", "--lang", "en")
    assert en.stdout.startswith("Usage:") and "Options:" in en.stdout and "用法" not in en.stdout


def test_click_errors_are_chinese() -> None:
    result = rdcheck("chekc")
    assert result.exit_code == 2 and "没有命令“chekc”" in result.stderr


# ------------------------------------------------------------------------------------- 4. one mistake, one finding


def _rules(path: Path) -> list[str]:
    return [f.rule for f in check(path).findings if f.severity in ("error", "warning")]


def test_prior_year_voucher_is_f07_alone(tmp_path: Path) -> None:
    book = write_book(tmp_path / "a.xlsx", {"辅助账明细": {"set": {3: {"日期": "2023-12-30"}}}})
    assert _rules(book) == ["F07"]


def test_unreadable_amount_is_f04_alone_and_the_figures_say_incomplete(tmp_path: Path) -> None:
    given = {
        "企业信息": {"申报加计扣除总额": 61000, "统计研究开发费用合计": 30},
        "辅助账明细": {"set": {4: {"账载金额": "八万元"}}},
    }
    book = write_book(tmp_path / "a.xlsx", given)
    report = check(book)
    assert [f.rule for f in report.findings if f.severity != "info"] == ["F04"]
    assert not {"C08", "C09", "C10", "T02", "C14"} & {f.rule for f in report.findings}
    text = rdcheck("check", book).stdout
    computed = text[text.index("测算结果") :]
    assert "测算不完整：辅助账明细 G4 未能识别" in computed


# ------------------------------------------------------------------------------------- 7. a fix hint with every finding


def test_every_rule_has_a_hint_in_both_languages() -> None:
    from rdcheck.engine import load_catalogue

    missing = [
        r.id
        for r in load_catalogue()
        if not r.hints or any(not h.get("zh") or not h.get("en") for h in r.hints.values())
    ]
    assert missing == []


def test_every_finding_on_the_samples_carries_a_hint() -> None:
    samples = sorted((Path(__file__).parent.parent / "samples" / "ledgers").glob("*.xlsx"))
    assert samples
    for path in samples:
        for f in check(path).findings:
            assert f.hint and "—" not in f.hint, (path.name, f.rule, f.hint)


def test_hint_names_the_nearest_allowed_value_and_travels_to_json_and_xlsx(tmp_path: Path) -> None:
    book = write_book(tmp_path / "a.xlsx", {"辅助账明细": {"set": {3: {"费用类别": "人工"}}}})
    report = check(book)
    f05 = next(f for f in report.findings if f.rule == "F05")
    assert f05.hint.startswith("改为“1 人员人工费用”？")
    data = json.loads(rdcheck("check", book, "--format", "json").stdout)
    assert next(f for f in data["findings"] if f["rule"] == "F05")["hint"] == f05.hint
    en = json.loads(rdcheck("check", book, "--format", "json", "--lang", "en").stdout)
    assert next(f for f in en["findings"] if f["rule"] == "F05")["hint"].startswith("Did you mean '1 人员人工费用'?")
    out = tmp_path / "r.xlsx"
    rdcheck("check", book, "--format", "xlsx", "-o", out)
    ws = openpyxl.load_workbook(out)["检查结果"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    assert next(r for r in rows if r["规则"] == "F05")["修改建议"] == f05.hint


def test_amounts_typed_with_wan_are_read() -> None:
    from rdcheck.workbook.values import parse_amount

    assert parse_amount("2.2万") == parse_amount("2.2万元") == 22000


# ------------------------------------------------------------------------------------- 8. what was read


def test_text_report_starts_with_what_was_read(tmp_path: Path) -> None:
    given = {"辅助账明细": {"add": [{"日期": None, "凭证号": None, "项目编号": None, "摘要": "合计"}]}}
    given["辅助账明细"]["set"] = {4: {"账载金额": "八万元"}}
    book = write_book(tmp_path / "a.xlsx", given)
    lines = rdcheck("check", book).stdout.splitlines()
    assert lines[2] == "读取辅助账 4 行，跳过合计行 1 行，1 个金额或类别未能识别（未计入测算）"


# ------------------------------------------------------------------------------------- 9, 10. the feedback workbook


def test_feedback_opens_on_a_letter_naming_enterprise_year_verdict_and_figures(tmp_path: Path) -> None:
    from rdcheck.report.xlsx import write_annotated

    book = write_book(tmp_path / "a.xlsx", {"辅助账明细": {"set": {4: {"账载金额": "八万元"}}}})
    wb = openpyxl.load_workbook(write_annotated(check(book), tmp_path / "out.xlsx"))
    assert wb.sheetnames[0] == "检查结论" and wb.active.title == "检查结论"
    letter = wb["检查结论"]
    cells = {c.value: c for row in letter.iter_rows() for c in row if c.value is not None}
    text = " ".join(str(v) for v in cells)
    for expected in (
        "淮阴示例科技有限公司",
        "91320804MA1N2K3L40",
        "2024",
        "不通过",
        "第40行",
        "第51行",
        "预计少缴企业所得税",
    ):
        assert expected in text, expected
    assert "测算不完整：辅助账明细 G4 未能识别" in text
    assert "请在原文件中修改后重新提交" in text and "rdcheck " in text
    assert letter.page_setup.orientation == "landscape"
    assert letter.sheet_properties.pageSetUpPr.fitToPage
    assert letter.page_setup.fitToWidth in (None, 1) and letter.page_setup.fitToHeight in (None, 1)


def test_results_sheet_wraps_and_prints_with_its_header(tmp_path: Path) -> None:
    from rdcheck.report.xlsx import write_annotated

    book = write_book(tmp_path / "a.xlsx", {"辅助账明细": {"set": {3: {"费用类别": "人工"}}}})
    wb = openpyxl.load_workbook(write_annotated(check(book), tmp_path / "out.xlsx"))
    ws = wb["检查结果"]
    header = [c.value for c in ws[1]]
    message, hint = header.index("问题说明") + 1, header.index("修改建议") + 1
    f05 = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "F05")
    assert ws.cell(f05, message).alignment.wrap_text and ws.cell(f05, hint).alignment.wrap_text
    assert ws.row_dimensions[f05].height >= 30  # the hint lists eight categories: several lines shown
    assert ws.row_dimensions[1].height >= 30
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.fitToWidth in (None, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


# ------------------------------------------------------------------------------------- 5, 13. the officer's list


def _district(tmp_path: Path, roster: str) -> dict[str, Any]:
    src = tmp_path / "in"
    src.mkdir()
    write_book(src / "ok.xlsx")
    (src / "91320804MA1N2K3L40-淮安联创纺织科技有限公司.xlsx").write_bytes(b"PK\x03\x04 broken")
    district = tmp_path / "d.yaml"
    district.write_text(DISTRICT + "regions: [王营街道, 高新区]\n", encoding="utf-8")
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    assert rdcheck("batch", src, "-o", tmp_path / "b", "-q", "-j", "1").exit_code == 0
    result = rdcheck(
        "rollup", tmp_path / "b", "--district", district, "--roster", tmp_path / "roster.csv", "-o", tmp_path / "r"
    )
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / "r" / "rollup.json").read_text(encoding="utf-8"))


ROSTER = (
    "统一社会信用代码,企业名称,所在区域,联系人,联系电话\n"
    "91320804MA1N2K3L40,淮阴示例科技有限公司,王营街道,王会计,13900000001\n"
    "913208040230759295,淮安联创纺织科技有限公司,高新区,李会计,13900000002\n"
    "91320804038393874Y,淮安未交科技有限公司,高新区,赵会计,13900000003\n"
)


def test_unreadable_file_of_a_roster_enterprise_is_listed_once_by_name(tmp_path: Path) -> None:
    data = _district(tmp_path, ROSTER)
    names = [f["name"] for f in data["follow_up"]]
    assert names.count("淮安联创纺织科技有限公司") == 1
    row = next(f for f in data["follow_up"] if f["name"] == "淮安联创纺织科技有限公司")
    assert row["reason"].startswith("error") and "未报送" not in row["reason"]
    assert next(f for f in data["follow_up"] if f["name"] == "淮安未交科技有限公司")["reason"] == "未报送"


def test_follow_up_sheet_groups_by_region_with_whom_to_call(tmp_path: Path) -> None:
    _district(tmp_path, ROSTER)
    ws = openpyxl.load_workbook(tmp_path / "r" / "rollup.xlsx")["跟进名单"]
    header = [c.value for c in ws[1]]
    assert {"联系人", "联系电话", "原因代码", "原因"} <= set(header)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    groups = [r[0] for r in rows if isinstance(r[0], str)]
    assert groups[0] == "高新区（2 家）"  # region headings, the fuller region first
    called = {r[2]: (r[3], r[4]) for r in rows if isinstance(r[0], int)}
    assert called["淮安未交科技有限公司"] == ("赵会计", "13900000003")
    assert called["淮安联创纺织科技有限公司"] == ("李会计", "13900000002")
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.fitToWidth in (None, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_feedback_files_are_named_by_code_name_and_year(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write_book(src / "whatever.xlsx")
    assert rdcheck("batch", src, "-o", tmp_path / "b", "-q", "-j", "1").exit_code == 0
    names = [p.name for p in (tmp_path / "b" / "feedback").iterdir()]
    assert names == ["91320804MA1N2K3L40-淮阴示例科技有限公司-2024.xlsx"]


def test_ctrl_c_exits_130_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("rdcheck.api.check", interrupted)
    result = rdcheck("check", write_book(tmp_path / "a.xlsx"))
    assert result.exit_code == 130
    assert "已中止（Ctrl-C）" in result.stderr and "不会留下写了一半的文件" in result.stderr


def test_annotated_copy_keeps_the_templates_drop_downs_notes_and_frozen_header(tmp_path: Path) -> None:
    from rdcheck.report.xlsx import write_annotated

    filled = fill_template(tmp_path / "filled.xlsx")
    wb = openpyxl.load_workbook(write_annotated(check(filled), tmp_path / "out.xlsx"))
    ws = wb["辅助账明细"]
    assert ws.freeze_panes == "A2"
    header = {c.value.split("(")[0]: c.column_letter for c in ws[1] if c.value}
    rules = {str(d.sqref): d for d in ws.data_validations.dataValidation}
    category = rules[f"{header['费用类别']}2:{header['费用类别']}1048576"]
    assert category.type == "list" and "1 人员人工费用" in category.formula1
    subitem = rules[f"{header['明细项目']}2:{header['明细项目']}1048576"]
    lists_sheet = subitem.formula1.split("!")[0].strip("='")
    assert wb[lists_sheet].sheet_state == "hidden"
    assert "1.1 工资薪金" in [c.value for row in wb[lists_sheet].iter_rows() for c in row]
    prompt = rules[f"{header['账载金额']}1"]
    assert prompt.promptTitle == "账载金额" and "必填" in prompt.prompt
    ent = wb["企业信息"]
    assert any(d.type == "list" and "是" in (d.formula1 or "") for d in ent.data_validations.dataValidation)


def test_a_damaged_file_is_explained_in_chinese_only(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    assert rdcheck("batch", src, "-o", tmp_path / "b", "-q", "-j", "1").exit_code == 0
    line = json.loads((tmp_path / "b" / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["status"] == "error" and "zip 目录无法读取" in line["error"]
    assert "File is not a zip file" not in line["error"]


def test_english_rollup_has_no_chinese_units(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write_book(src / "a.xlsx", {"企业信息": {"统计研究开发费用合计": None}})
    district = tmp_path / "d.yaml"
    district.write_text(DISTRICT, encoding="utf-8")
    result = rdcheck("rollup", src, "--district", district, "--lang", "en", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "测试区 2024: R&D rollup (GDP 10 billion yuan)"
    assert "亿元" not in result.stdout and "万元" not in result.stdout
    assert "million yuan" in result.stdout  # the follow-up amount
