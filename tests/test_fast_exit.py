"""`rdcheck check` leaves without the interpreter's teardown once its outputs are whole and flushed
(cli.run); its exit codes and outputs are the command's, and every other command exits as usual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAWED = ROOT / "samples" / "ledgers" / "flaw_bad_category.xlsx"
CLEAN = ROOT / "samples" / "ledgers" / "clean.xlsx"
TEARDOWN = "import atexit, sys; atexit.register(lambda: print('TEARDOWN')); sys.argv = ['rdcheck', *sys.argv[1:]]; "


def rdcheck(*args: str, code: str = "from rdcheck.cli import run; run()") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TEARDOWN + code, *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_check_skips_the_teardown_and_keeps_its_exit_codes_and_output(tmp_path: Path) -> None:
    flawed = rdcheck("check", str(FLAWED), "--format", "json")
    assert flawed.returncode == 1 and "TEARDOWN" not in flawed.stdout
    assert any(f["rule"] for f in json.loads(flawed.stdout)["findings"])  # the whole report, flushed
    clean = rdcheck("check", str(CLEAN), "--format", "text", "-o", str(tmp_path / "r.txt"))
    assert clean.returncode == 0 and (tmp_path / "r.txt").read_text(encoding="utf-8").strip()
    missing = rdcheck("check", str(tmp_path / "none.xlsx"))
    assert missing.returncode == 2 and "TEARDOWN" not in missing.stdout and "none.xlsx" in missing.stderr


def test_other_commands_and_the_click_group_exit_as_usual() -> None:
    rules = rdcheck("rules")
    assert rules.returncode == 0 and rules.stdout.rstrip().endswith("TEARDOWN")
    group = rdcheck("check", str(FLAWED), code="from rdcheck.cli import main; main()")
    assert group.returncode == 1 and "TEARDOWN" in group.stdout
