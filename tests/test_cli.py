"""The `rdcheck` command: exit codes (spec §6), one-line errors for bad input, JSON, English, the xlsx report."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from test_report import FINDING_KEYS, SPEC_KEYS, digest, write_book

from rdcheck import __version__
from rdcheck.cli import main

BAD = {"辅助账明细": {"set": {3: {"摘要": "=1+1"}, 4: {"账载金额": "abc"}}}}  # F04 at G4 (error), C08 (warning)
WARN_ONLY = {"drop": ["汇总表"]}  # B07, a warning


def rdcheck(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def books(tmp_path: Path) -> dict[str, Path]:
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"this is not a workbook\n" * 10)
    return {
        "clean": write_book(tmp_path / "clean.xlsx"),
        "bad": write_book(tmp_path / "bad.xlsx", BAD),
        "warn": write_book(tmp_path / "warn.xlsx", WARN_ONLY),
        "garbage": garbage,
    }


@pytest.mark.parametrize(
    ("book", "fail_on", "code"),
    [
        ("clean", "error", 0),
        ("clean", "never", 0),
        ("warn", "error", 0),
        ("warn", "warning", 1),
        ("warn", "never", 0),
        ("bad", "error", 1),
        ("bad", "warning", 1),
        ("bad", "never", 0),
    ],
)
def test_exit_codes(books: dict[str, Path], book: str, fail_on: str, code: int) -> None:
    result = rdcheck("check", books[book], "--fail-on", fail_on)
    assert result.exit_code == code, result.output


def test_default_fail_on_is_error(books: dict[str, Path]) -> None:
    assert rdcheck("check", books["bad"]).exit_code == 1
    assert rdcheck("check", books["warn"]).exit_code == 0


def test_unreadable_file_is_one_line_on_stderr_and_exit_2(books: dict[str, Path], tmp_path: Path) -> None:
    result = rdcheck("check", books["garbage"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"rdcheck: {books['garbage']}: ")
    assert "Traceback" not in result.stderr + result.stdout
    missing = rdcheck("check", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2 and missing.stderr.startswith(f"rdcheck: {tmp_path / 'nope.xlsx'}: 文件不存在")


def test_exit_2_wins_over_1_and_the_other_files_are_still_checked(books: dict[str, Path]) -> None:
    result = rdcheck("check", books["bad"], books["garbage"], books["clean"], "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [d["status"] for d in data] == ["fail", "error", "pass"]
    assert len(result.stderr.splitlines()) == 1


def test_an_unexpected_error_is_one_line_and_exit_2(books: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something broke\nover two lines")

    monkeypatch.setattr("rdcheck.api.check", boom)
    result = rdcheck("check", books["clean"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "RuntimeError: something broke over two lines" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(books: dict[str, Path], tmp_path: Path) -> None:
    assert rdcheck("check").exit_code == 2
    assert rdcheck("check", books["clean"], "--format", "pdf").exit_code == 2
    assert rdcheck("check", books["clean"], "--fail-on", "sometimes").exit_code == 2
    bad_config = tmp_path / "config.yaml"
    bad_config.write_text("rules: [unclosed\n", encoding="utf-8")
    result = rdcheck("check", books["clean"], "--config", bad_config)
    assert result.exit_code == 2 and result.stderr.startswith("rdcheck: ") and result.stderr.count("\n") == 1


def test_click_usage_errors_are_one_chinese_line_naming_the_option(books: dict[str, Path], tmp_path: Path) -> None:
    # click's own errors (missing option, bad choice, a folder given to check) used to print its English
    # "Usage: … Try … Error: …" block; a user gets one line, in Chinese unless --lang en, and exit 2
    cases = {
        ("batch", tmp_path): "缺少选项 -o / --output",
        ("check",): "缺少参数 FILES",
        ("check", tmp_path): "是文件夹，不是文件（检查整个文件夹请用 rdcheck batch）",
        ("check", books["clean"], "--format", "pdf"): "--format 的值无效：“pdf”不是可选值（可选：text, json, xlsx）",
        ("batch", tmp_path, "-o", tmp_path / "out", "--jobs", "0"): "--jobs / -j 的值无效",
        ("check", books["clean"], "--formt", "json"): "没有选项 --formt，是否要用 --force 或 --format",
        ("nosuch",): "没有命令“nosuch”",
    }
    for args, expected in cases.items():
        result = rdcheck(*args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("rdcheck: "), result.stderr
        assert expected in result.stderr and "Usage:" not in result.stderr, result.stderr
    english = rdcheck("check", books["clean"], "--lang", "en", "--format", "pdf")
    assert english.exit_code == 2 and english.stderr.startswith("rdcheck: Invalid value for '--format'")
    assert english.stderr.count("\n") == 1
    missing = rdcheck("check", books["clean"], "--config", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and missing.stderr == f"rdcheck: 找不到配置文件：{tmp_path / 'nope.yaml'}\n"


def test_json_has_exactly_the_spec_keys(books: dict[str, Path]) -> None:
    result = rdcheck("check", books["bad"], "--format", "json")
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    assert set(data) == SPEC_KEYS
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    assert data["file"] == str(books["bad"]) and len(data["sha256"]) == 64 and data["rdcheck"] == __version__
    assert set(data["a107012"]) == {str(n) for n in range(1, 53)}
    f04 = next(f for f in data["findings"] if f["rule"] == "F04")
    assert (f04["sheet"], f04["row"], f04["cell"]) == ("辅助账明细", 4, "G4")


def test_json_error_object_and_output_file(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = rdcheck("check", books["garbage"], "--format", "json", "-o", out)
    assert result.exit_code == 2 and result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"file", "status", "error"} and data["status"] == "error"


def test_english(books: dict[str, Path]) -> None:
    result = rdcheck("check", books["bad"], "--lang", "en")
    assert "status: fail" in result.stdout and "错误" not in result.stdout
    assert "[F file]" in result.stdout
    err = rdcheck("check", books["garbage"], "--lang", "en")
    assert "cannot read" in err.stderr or "not" in err.stderr
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in err.stderr.split(": ", 2)[-1])


def test_text_report_in_chinese_by_default(books: dict[str, Path]) -> None:
    result = rdcheck("check", books["bad"])
    assert "【F 文件】" in result.stdout and "F04  辅助账明细!G4" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].endswith("结论：不通过")
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_xlsx_report(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    before = digest(books["bad"])
    result = rdcheck("check", books["bad"], "--format", "xlsx", "-o", out)
    assert result.exit_code == 1, result.output
    assert digest(books["bad"]) == before
    wb = openpyxl.load_workbook(out)
    assert "检查结果" in wb.sheetnames
    results = wb["检查结果"]
    link = next(row[6].hyperlink for row in results.iter_rows(min_row=2) if row[0].value == "F04")
    assert link is not None and link.location == "'辅助账明细'!G4"
    planted = wb["辅助账明细"]["G4"]
    assert planted.comment is not None and "F04" in planted.comment.text
    formula_like = wb["辅助账明细"]["D3"]
    assert formula_like.value == "=1+1" and formula_like.data_type == "s"


def test_xlsx_several_files_go_into_a_directory(books: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = rdcheck("check", books["clean"], books["bad"], "--format", "xlsx", "-o", out)
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["bad-检查结果.xlsx", "clean-检查结果.xlsx"]


def test_xlsx_never_overwrites_the_input(books: dict[str, Path]) -> None:
    before = digest(books["bad"])
    result = rdcheck("check", books["bad"], "--format", "xlsx", "-o", books["bad"])
    assert result.exit_code == 2 and "rdcheck: " in result.stderr
    assert digest(books["bad"]) == before


def test_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert rdcheck("template").exit_code == 0
    assert (tmp_path / "研发支出辅助账模板.xlsx").exists()
    again = rdcheck("template")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert rdcheck("template", "--force").exit_code == 0
    assert rdcheck("template", "-o", tmp_path / "t.xlsx").exit_code == 0
    assert rdcheck("template", "-o", tmp_path / "t.xlsx").exit_code == 0  # a named file is overwritten
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames


def test_rules(tmp_path: Path) -> None:
    table = rdcheck("rules")
    assert table.exit_code == 0
    ids = [line.split()[0] for line in table.stdout.splitlines()]
    assert ids[0] == "F01" and "T05" in ids and len(ids) == len(set(ids)) >= 41
    one = rdcheck("rules", "f04")
    assert one.exit_code == 0 and one.stdout.startswith("F04 ")
    assert "示例" in one.stdout and "[不通过]" in one.stdout and "[通过]" in one.stdout
    assert rdcheck("rules", "F04", "--lang", "en").stdout.count("Examples") == 1
    unknown = rdcheck("rules", "X99")
    assert unknown.exit_code == 2 and unknown.stderr.startswith("rdcheck: ")


def test_version_and_district_commands() -> None:
    assert __version__ in rdcheck("--version").stdout
    help_text = rdcheck("--help").stdout
    for command in ("check", "template", "rules"):
        assert command in help_text
    if importlib.util.find_spec("rdcheck.cli.district") is None:
        return
    assert "batch" in help_text and "rollup" in help_text
