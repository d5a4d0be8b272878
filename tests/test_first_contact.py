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
