"""The command's safety scan of its first file, run in a forked child beside the imports (workbook/prescan.py):
the same Preflight as the scan in-process, used only while the file is the one scanned and the limits are the
defaults; a bad file is refused in the same words."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_arrow_reader import differences
from test_report import write_book

from rdcheck.cli import main
from rdcheck.engine.examples import example_sheets
from rdcheck.workbook import prescan as prescan_mod
from rdcheck.workbook import reader
from rdcheck.workbook.prescan import Prescan
from rdcheck.workbook.safety import DEFAULT_LIMITS, Limits, inspect

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "ledgers" / "flaw_bad_category.xlsx"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def started(path: Path) -> Prescan:
    if threading.active_count() > 1:
        pytest.skip("another thread is running in this test process: the pre-scan does not fork beside it")
    got = Prescan.start(path)
    assert got is not None
    return got


def test_the_child_scans_as_the_process_would(tmp_path: Path) -> None:
    src = shutil.copy(SAMPLE, tmp_path / "book.xlsx")
    got = started(src).result(src, None)
    assert got is not None and got.preflight == inspect(src, DEFAULT_LIMITS, None)
    assert got.parsed == {}  # its ledger is under 2,000 lines: calamine reads it, nothing was parsed ahead
    scan = got.preflight
    assert scan.kind == "xlsx" and "辅助账明细" in scan.sheets and scan.sheets["辅助账明细"].rows > 1


def test_a_file_replaced_after_the_scan_or_other_limits_are_scanned_again(tmp_path: Path) -> None:
    src = shutil.copy(SAMPLE, tmp_path / "book.xlsx")
    pre = started(src)
    pre._thread.join()  # the child has scanned, and the thread has its result
    other = shutil.copy(ROOT / "samples" / "ledgers" / "clean.xlsx", tmp_path / "other.xlsx")
    os.replace(other, src)  # a new file at the same path
    assert pre.result(src, None) is None
    assert started(src).result(src, Limits(max_rows=10)) is None
    assert started(src).result(tmp_path / "another.xlsx", None) is None


def test_a_bad_file_sends_nothing_and_the_command_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert started(bad).result(bad, None) is None
    result = subprocess.run(
        [sys.executable, "-m", "rdcheck", "check", str(bad), "--format", "json"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "损坏" in json.loads(result.stdout)["error"]


def test_a_child_not_waited_for_is_stopped(tmp_path: Path) -> None:
    src = shutil.copy(SAMPLE, tmp_path / "book.xlsx")
    pre = started(src)
    pre.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pre._pid, os.WNOHANG)  # reaped


def test_the_command_gives_the_same_report_with_the_pre_scan_and_without(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    real = Prescan.result

    def spy(self, path, limits):
        got = real(self, path, limits)
        calls.append(got is not None)
        return got

    monkeypatch.setattr(Prescan, "result", spy)
    if threading.active_count() > 1:
        pytest.skip("another thread is running in this test process")
    with_pre = CliRunner().invoke(main, ["check", str(SAMPLE), "--format", "json"])
    monkeypatch.setattr(Prescan, "start", classmethod(lambda cls, path: None))
    without = CliRunner().invoke(main, ["check", str(SAMPLE), "--format", "json"])
    assert calls == [True]  # the first used the child's scan; the second had no child
    drop = ("elapsed",)
    a, b = json.loads(with_pre.output), json.loads(without.output)
    assert {k: v for k, v in a.items() if k not in drop} == {k: v for k, v in b.items() if k not in drop}
    assert any(f["cell"] for f in a["findings"])


def big_book(path: Path, lines: int = 2_100) -> Path:
    """The engine's minimal clean book with its ledger repeated to ``lines`` lines (the Arrow path's size)."""
    base = example_sheets({})["辅助账明细"]
    rows = [base[0]] + [
        base[1 + i % (len(base) - 1)][:1] + [f"记-{i:06d}"] + base[1 + i % (len(base) - 1)][2:] for i in range(lines)
    ]
    return write_book(path, extra={"辅助账明细": rows})


def test_a_big_ledger_is_parsed_by_the_pre_scan_thread_into_the_same_book(tmp_path: Path) -> None:
    src = big_book(tmp_path / "big.xlsx")
    got = started(src).result(src, None)
    assert got is not None and list(got.parsed) == ["辅助账明细"] and got.parsed["辅助账明细"] is not None
    with reader.gc_paused():
        ahead = reader.book_from_sheets(reader.load_sheets(src, None, scanned=got.preflight, parsed=got.parsed))
        plain = reader.book_from_sheets(reader.load_sheets(src, None, "never"))
    assert len(ahead.ledger) == 2_100
    assert differences(plain, ahead) == []


def test_close_waits_until_the_thread_gives_descriptor_2_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the thread quietens descriptor 2 while fastexcel parses: the command says why it stopped only after close()
    src = big_book(tmp_path / "big.xlsx")
    terminal = os.fstat(2)
    seen: list[bool] = []

    def slow(reader, title, dates):
        seen.append(os.path.samestat(os.fstat(2), terminal))
        time.sleep(0.5)
        return None

    monkeypatch.setattr(prescan_mod, "load_sheet", slow)
    pre = started(src)
    time.sleep(0.2)
    pre.close()
    assert seen == [False]  # it parsed with descriptor 2 quietened …
    assert os.path.samestat(os.fstat(2), terminal)  # … and close() returned once it was given back
