"""`check --format xlsx` reads the copy's big sheets ahead, on the other core, while the check runs
(``rdcheck.report.ahead``): the copy is the same workbook byte for byte, and a file changed in between is copied
as it is now, as before."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rdcheck import api
from rdcheck.cli import main
from rdcheck.report import ahead as ahead_mod
from rdcheck.report.ahead import ReadAhead
from rdcheck.report.xlsx import for_copy, write_annotated

ROOT = Path(__file__).resolve().parent.parent
LEDGERS = ROOT / "samples" / "ledgers"
# a clean book, flawed ones (fills and comments on the ledger and on the projects), a 2015-style book
SAMPLES = ["clean.xlsx", "flaw_bad_category.xlsx", "flaw_big_voucher.xlsx", "flaw_asset_over_limit.xlsx"]


def parts(path: Path) -> dict[str, bytes]:
    """The copy's parts, but for its creation time."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Read ahead every table sheet (not only those of 2,000 lines); record what each copy took."""
    monkeypatch.setattr(ahead_mod, "MIN_ROWS", 1)
    got: list[list[str]] = []
    real = ReadAhead.take

    def take(self: ReadAhead):
        workbook, sheets = real(self)
        if workbook is not None:
            got.append(sorted(sheets))
        return workbook, sheets

    monkeypatch.setattr(ReadAhead, "take", take)
    return got


def test_the_copy_is_the_same_whether_its_sheets_were_read_ahead_or_not(
    tmp_path: Path, taken: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SAMPLES:
        src = LEDGERS / name
        ahead, plain = tmp_path / f"ahead-{name}", tmp_path / f"plain-{name}"
        result = CliRunner().invoke(main, ["check", str(src), "--format", "xlsx", "-o", str(ahead)])
        assert result.exit_code in (0, 1), result.output
        with monkeypatch.context() as m:
            m.setattr(ReadAhead, "start", lambda self, book: None)
            result = CliRunner().invoke(main, ["check", str(src), "--format", "xlsx", "-o", str(plain)])
        assert result.exit_code in (0, 1), result.output
        assert parts(ahead) == parts(plain), name
    # each copy used what was read ahead: the ledger and the projects, the tables the check read
    assert len(taken) == len(SAMPLES) and all("辅助账明细" in t and "研发项目" in t for t in taken)


def test_a_file_changed_after_the_check_is_copied_as_it_is_now(tmp_path: Path, taken: list[list[str]]) -> None:
    src = tmp_path / "book.xlsx"
    shutil.copy(LEDGERS / "flaw_bad_category.xlsx", src)
    ahead = ReadAhead(src)
    report = for_copy(api.check(src, on_read=ahead.start))
    shutil.copy(LEDGERS / "clean.xlsx", src)  # replaced between the check and the copy
    write_annotated(report, tmp_path / "ahead.xlsx", ahead=ahead)
    write_annotated(report, tmp_path / "plain.xlsx")
    assert taken and "辅助账明细" in taken[0]  # it was read ahead, from the bytes checked …
    assert parts(tmp_path / "ahead.xlsx") == parts(tmp_path / "plain.xlsx")  # … and not copied: the file now is


def test_when_nothing_could_be_read_ahead_the_copy_reads_the_file(tmp_path: Path, taken: list[list[str]]) -> None:
    src = LEDGERS / "flaw_bad_category.xlsx"
    report = for_copy(api.check(src))
    broken = ReadAhead(tmp_path / "gone.xlsx")  # not there: the thread reads nothing
    broken.start(report.book)
    write_annotated(report, tmp_path / "ahead.xlsx", ahead=broken)
    write_annotated(report, tmp_path / "plain.xlsx")
    assert taken == [] and parts(tmp_path / "ahead.xlsx") == parts(tmp_path / "plain.xlsx")
