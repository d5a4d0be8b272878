"""Hostile sheets, names and inputs against check, the annotated copy and the batch (issue 11).

Each case is a file an enterprise (or a careless operator) could hand the bureau: a notes sheet with one cell at
XFD1048576, a date-styled cell holding -1e20 (calamine panics), an .xls whose DIMENSIONS record underflows into a
300 GB allocation, names that collide only after sanitising, links and pipes among the inputs, escape sequences in
企业名称. Each must give a clean result or a one-line error (exit 2), never a traceback or a crash, and leave no
temporary behind.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from make_corpus import ledger_row, old_xls, standard  # noqa: E402
from test_batch import report, run, uscc, write_fake  # noqa: E402
from test_batch_faults import book, leftovers  # noqa: E402

from rdcheck.api import check  # noqa: E402
from rdcheck.cli import main  # noqa: E402
from rdcheck.district.batch import MAX_NAME_BYTES, find_inputs, read_results_jsonl, safe_name  # noqa: E402
from rdcheck.district.names import feedback_stem  # noqa: E402
from rdcheck.errors import ReadError  # noqa: E402
from rdcheck.report.xlsx import write_annotated  # noqa: E402
from rdcheck.text import terminal_safe  # noqa: E402
from rdcheck.workbook.safety import inspect  # noqa: E402


def rdcheck(*args: object) -> subprocess.CompletedProcess[str]:
    """The installed command in its own process: what a user sees, stderr and all."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env["RUST_BACKTRACE"] = "1"  # a panic would print its backtrace: it must not reach the user
    return subprocess.run([sys.executable, "-m", "rdcheck", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip


def far_cell_notes(path: Path) -> Path:
    def extra(wb: xlsxwriter.Workbook) -> None:
        ws = wb.add_worksheet("备注")
        ws.write_string(0, 0, "说明")
        ws.write_blank(1_048_575, 16_383, None, wb.add_format({"bold": True}))

    return standard(path, extra=extra)


def date_panic(path: Path, where: str) -> Path:
    """-1e20 under a date format: calamine's date conversion panics (PanicException, a BaseException)."""

    def extra(wb: xlsxwriter.Workbook) -> None:
        ws = wb.add_worksheet("备注")
        ws.write_number(0, 0, -1e20, wb.add_format({"num_format": "yyyy-mm-dd"}))

    def ledger(wb: xlsxwriter.Workbook, ws: object) -> None:
        for i in range(1, 4):
            ws.write_row(i, 0, ledger_row(i))  # type: ignore[attr-defined]
        ws.write_number(2, 0, -1e20, wb.add_format({"num_format": "yyyy-mm-dd"}))  # type: ignore[attr-defined]

    return standard(path, extra=extra) if where == "extra" else standard(path, ledger=ledger)


def underflowing_xls(path: Path) -> Path:
    """An .xls whose DIMENSIONS record puts the first row after the last: calamine asked for 343 GB and aborted."""
    old_xls(path)
    data = bytearray(path.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes (BIFF8)
    assert at > 0
    struct.pack_into("<I", data, at + 4, 225)  # first row 225 > last row
    path.write_bytes(bytes(data))
    return path


# ---------------------------------------------------------------- sheets calamine cannot take


@pytest.mark.parametrize("case", ["far_extra", "panic_extra", "panic_ledger", "xls_underflow"])
def test_a_hostile_file_is_one_line_exit_2_from_check_in_every_format(tmp_path: Path, case: str) -> None:
    path = tmp_path / ("bad.xls" if case == "xls_underflow" else "bad.xlsx")
    if case == "far_extra":
        far_cell_notes(path)
    elif case == "xls_underflow":
        underflowing_xls(path)
    else:
        date_panic(path, case.split("_")[1])
    with pytest.raises(ReadError) as caught:
        check(path)
    assert "\n" not in caught.value.zh and caught.value.en != caught.value.zh
    for fmt in ("text", "xlsx"):
        result = rdcheck("check", path, "--format", fmt, "-o", tmp_path / f"out.{fmt}")
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("rdcheck: "), result.stderr
        assert "panicked" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no output, no temporary


def test_the_annotated_copy_leaves_out_a_sheet_it_cannot_bound_and_names_it(tmp_path: Path) -> None:
    good = standard(tmp_path / "good.xlsx")
    hostile = far_cell_notes(tmp_path / "hostile.xlsx")
    assert set(inspect(hostile, collect=True).refused) == {"备注"}
    out = write_annotated(check(good), tmp_path / "copy.xlsx", source=hostile)
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    assert "备注" in wb.sheetnames and "辅助账明细" in wb.sheetnames
    note = next(wb["备注"].iter_rows(values_only=True))[0]
    assert note.startswith("工作表「备注」未复制：") and "过大" in note
    assert wb["备注"].max_row == 1
    wb.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.xlsx", "good.xlsx", "hostile.xlsx"]


def test_a_batch_of_hostile_files_costs_their_rows_only_and_leaves_nothing_behind(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    far_cell_notes(inputs / "far.xlsx")
    date_panic(inputs / "panic.xlsx", "ledger")
    underflowing_xls(inputs / "under.xls")
    book(inputs / "good.xlsx", uscc(5), "好企业")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(inputs), "-o", str(out), "-q", "-j", "2"])
    assert result.exit_code == 0, result.output
    rows = {Path(r["file"]).name: r for r in read_results_jsonl(out / "results.jsonl")}
    assert rows["good.xlsx"]["status"] != "error"
    for name in ("far.xlsx", "panic.xlsx", "under.xls"):
        assert rows[name]["status"] == "error"
        assert not rows[name]["error"].startswith(("内部错误", "检查进程")), rows[name]["error"]
    assert [p.name for p in (out / "feedback").iterdir()] == [f"{feedback_stem(rows['good.xlsx'])}.xlsx"]
    assert leftovers(out) == []


# ---------------------------------------------------------------- names


def test_names_are_byte_bounded_and_colliding_long_names_cost_only_their_own_rows(tmp_path: Path) -> None:
    wide = "𠀀" * 60  # 4 bytes each in UTF-8: 240 bytes, near the file system's 255
    assert len(safe_name(wide * 2).encode()) <= MAX_NAME_BYTES - len("-9999.xlsx")
    inputs = tmp_path / "in"
    # two names that agree on their first 200 bytes (so collide once cut), and an .xls whose .xlsx name is long
    a = write_fake(inputs / f"{wide}甲.xlsx", report(None, name="甲"))
    b = write_fake(inputs / f"{wide}乙.xlsx", report(None, name="乙"))
    c = write_fake(inputs / (("长" * 83) + ".xls"), report(None, name="丙"))
    assert len(c.name.encode()) == 253
    result = run([a, b, c, write_fake(inputs / "ok.xlsx", report(uscc(1)))], tmp_path / "out")
    names = [r["_feedback"] for r in result.results]
    assert len(set(names)) == 4 and all(len(Path(n).name.encode()) <= MAX_NAME_BYTES for n in names)
    assert {r["status"] for r in result.results} == {"pass"}
    assert sum(1 for n in names if n.endswith("-2.xlsx")) == 1  # the collision, resolved within the limit


# ---------------------------------------------------------------- inputs: links, pipes, devices


def test_a_link_leading_outside_dir_is_skipped_with_a_reason_unless_follow_links(tmp_path: Path) -> None:
    inputs, outside = tmp_path / "in", tmp_path / "elsewhere"
    book(inputs / "own.xlsx", uscc(1), "本区企业")
    book(outside / "secret.xlsx", uscc(2), "区外企业")
    (inputs / "link.xlsx").symlink_to(outside / "secret.xlsx")
    (inputs / "dirlink").symlink_to(outside, target_is_directory=True)
    (inputs / "inside.xlsx").symlink_to(inputs / "own.xlsx")  # inside DIR: the same file, read once
    paths, skipped = find_inputs(inputs)
    assert [p.name for p in paths] == ["own.xlsx"] or [p.name for p in paths] == ["inside.xlsx"]
    assert set(skipped) == {str(inputs / "link.xlsx"), str(inputs / "dirlink")}
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(inputs), "-o", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    rows = {Path(r["file"]).name: r for r in read_results_jsonl(out / "results.jsonl")}
    assert "--follow-links" in rows["link.xlsx"]["error"] and rows["link.xlsx"]["status"] == "error"
    assert not any(r.get("enterprise", {}) and r["enterprise"].get("uscc") == uscc(2) for r in rows.values())
    followed = CliRunner().invoke(main, ["batch", str(inputs), "-o", str(out), "-q", "-j", "1", "--follow-links"])
    assert followed.exit_code == 0, followed.output
    codes = {(r.get("enterprise") or {}).get("uscc") for r in read_results_jsonl(out / "results.jsonl")}
    assert uscc(2) in codes


def test_a_register_round_reports_a_link_leading_outside_dir_too(tmp_path: Path) -> None:
    inputs, outside = tmp_path / "in", tmp_path / "elsewhere"
    book(inputs / "own.xlsx", uscc(1), "本区企业")
    book(outside / "secret.xlsx", uscc(2), "区外企业")
    (inputs / "link.xlsx").symlink_to(outside / "secret.xlsx")
    out, reg = tmp_path / "out", tmp_path / "season.sqlite"
    result = CliRunner().invoke(main, ["batch", str(inputs), "-o", str(out), "-q", "-j", "1", "--register", str(reg)])
    assert result.exit_code == 0, result.output
    rows = {Path(r["file"]).name: r for r in read_results_jsonl(out / "results.jsonl")}
    assert rows["link.xlsx"]["status"] == "error" and "--follow-links" in rows["link.xlsx"]["error"]
    assert not any((r.get("enterprise") or {}).get("uscc") == uscc(2) for r in rows.values())


def test_a_fifo_and_a_device_are_said_to_be_what_they_are(tmp_path: Path) -> None:
    fifo = tmp_path / "in" / "pipe.xlsx"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="命名管道"):
        check(fifo)  # never opened: a FIFO would block
    with pytest.raises(ReadError, match="字符设备"):
        check("/dev/null")
    result = CliRunner().invoke(main, ["batch", str(fifo.parent), "-o", str(tmp_path / "out"), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    (row,) = read_results_jsonl(tmp_path / "out" / "results.jsonl")
    assert row["status"] == "error" and "命名管道" in row["error"]


# ---------------------------------------------------------------- the terminal and -o


def test_escape_sequences_in_enterprise_data_never_reach_the_terminal(tmp_path: Path) -> None:
    assert terminal_safe("甲\x1b]0;owned\x07公司\r\u202e") == "甲]0;owned公司"
    assert terminal_safe("\x1b[31m错\x1b[0m\x1b]8;;x\x07", keep_colour=True) == "\x1b[31m错\x1b[0m]8;;x"
    name = "恶意\x1b]0;owned\x07\x1b[2J公司"
    path = book(tmp_path / "e.xlsx", "not-a-code", name)
    result = rdcheck("check", path)
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "恶意]0;owned[2J公司" in result.stdout or "恶意" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "xlsx"])
def test_o_equal_to_an_input_is_refused_for_every_format(tmp_path: Path, fmt: str) -> None:
    path = standard(tmp_path / "a.xlsx")
    before = path.read_bytes()
    (tmp_path / "hard.xlsx").hardlink_to(path)
    for target in (path, tmp_path / "hard.xlsx"):
        result = rdcheck("check", path, "--format", fmt, "-o", target)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert path.read_bytes() == before
