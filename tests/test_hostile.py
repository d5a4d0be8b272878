"""Hostile and messy input (spec §7, issue 6): never crash, never hang, never execute.

Every case of ``tests/hostile/make_corpus.py`` is read in a forked child with a time limit, so that a hang or an
abort in native code (calamine) fails that case, not the suite. ``read_book`` must either return a Book or raise
ReadError with a one-line message in Chinese and English; any other outcome fails.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "hostile"))

from make_corpus import CASES, LEDGER_PART, Case, build, standard  # noqa: E402

from rdcheck.errors import ReadError  # noqa: E402
from rdcheck.workbook import read_book  # noqa: E402
from rdcheck.workbook.reader import load_sheets  # noqa: E402
from rdcheck.workbook.safety import Limits, inspect, preflight  # noqa: E402

TIME_LIMIT = 30  # seconds per case; every case takes well under one


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("hostile"))


def _read(path: str, limits: dict[str, int]) -> dict[str, Any]:
    """What the child does: read, and describe the outcome in plain data."""
    try:
        if limits:
            sheets = load_sheets(path, Limits(**limits))
            return {"outcome": "sheets", "titles": list(sheets)}
        book = read_book(path)
        return {
            "outcome": "book",
            "titles": book.sheet_titles,
            "ledger_rows": len(book.ledger),
            "ledger": {c: list(book.ledger.data[c]) for c in book.ledger.data.columns},
            "invalid": {c: {r: v.raw for r, v in rows.items()} for c, rows in book.ledger.invalid.items()},
        }
    except ReadError as exc:
        return {"outcome": "read_error", "zh": exc.zh, "en": exc.en}
    except BaseException as exc:  # noqa: BLE001 - the point is to report anything else
        return {"outcome": "other", "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}


def _child(conn: Any, path: str, limits: dict[str, int]) -> None:
    conn.send(_read(path, limits))
    conn.close()


def run_isolated(path: Path, limits: dict[str, int] | None = None, timeout: float = TIME_LIMIT) -> dict[str, Any]:
    """Read ``path`` in a forked child; a hang or a crash of the child is reported, never inherited."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, str(path), limits or {}))
    proc.start()
    child.close()
    if not parent.poll(timeout):
        proc.kill()
        proc.join()
        pytest.fail(f"reading {path.name} did not finish within {timeout} s (hang)")
    try:
        result = parent.recv()
    except EOFError:
        proc.join()
        pytest.fail(f"reading {path.name} killed the process (exit code {proc.exitcode})")
    proc.join()
    return result


def assert_one_line_error(result: dict[str, Any], case: Case) -> None:
    assert result["outcome"] == "read_error", result
    zh, en = result["zh"], result["en"]
    for text in (zh, en):
        assert text and "\n" not in text and "\r" not in text and "Traceback" not in text, text
        assert len(text) < 400, text
    assert zh != en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), zh
    assert en[0].isascii() and en[0].isalpha(), en  # an English sentence (it may quote a Chinese sheet name)
    for word in case.words:
        assert word in zh, (word, zh)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_reads_or_fails_cleanly(case: Case, corpus: dict[str, Path]) -> None:
    path = corpus[case.name]
    result = run_isolated(path, case.limits) if (case.isolate or case.limits) else _read(str(path), {})
    assert result["outcome"] != "other", result.get("trace")
    if case.expect == "error":
        assert_one_line_error(result, case)
    elif case.expect == "book":
        assert result["outcome"] == "book", result
    else:
        assert result["outcome"] in ("book", "read_error"), result
        if result["outcome"] == "read_error":
            assert_one_line_error(result, case)


def test_input_files_are_never_modified(corpus: dict[str, Path]) -> None:
    before = {n: (p.stat().st_mtime_ns, p.read_bytes()) for n, p in corpus.items()}
    for case in CASES:
        if not case.isolate and not case.limits:
            _read(str(corpus[case.name]), {})
    assert before == {n: (p.stat().st_mtime_ns, p.read_bytes()) for n, p in corpus.items()}


# ---------------------------------------------------------------- what the Book holds


def test_error_cells_become_invalid_not_blank_or_zero(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["error_cells"])
    assert book.ledger.invalid["账载金额"][2].raw == "#DIV/0!"
    assert book.ledger.invalid["账载金额"][3].raw == "#REF!"
    assert book.ledger.invalid["日期"][4].raw == "#N/A"
    amounts = book.ledger.data["账载金额"]
    assert amounts[2] is None and amounts[3] is None  # never a silent 0
    assert amounts[4] == Decimal(1003)


def test_formulas_give_their_cached_values(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["formulas_cached"])
    assert list(book.ledger.data["账载金额"]) == [Decimal(1001), Decimal(1002), Decimal(1003)]
    assert list(book.ledger.data["可加计金额"]) == [Decimal("500.5"), Decimal(501), Decimal("501.5")]


def test_formulas_without_cached_values_are_empty(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["formulas_uncached"])
    assert list(book.ledger.data["账载金额"]) == [None, None, None]
    assert not book.ledger.invalid


def test_external_link_is_not_followed_and_its_cached_value_is_used(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["external_link"])  # the link points at a closed local port: following it would fail
    assert list(book.ledger.data["账载金额"]) == [Decimal(4321)]


def test_macro_workbook_is_read_as_data(corpus: dict[str, Path]) -> None:
    assert preflight(corpus["xlsm_macro"]) == "xlsm"
    book = read_book(corpus["xlsm_macro"])
    assert len(book.ledger) == 3 and book.enterprise.values["企业名称"] == "淮安某某科技有限公司"


def test_hidden_sheets_are_read(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["hidden_sheets"])
    assert len(book.projects) == 1 and "隐藏" in book.sheet_titles


def test_merged_title_rows_are_skipped(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["merged_headers"])
    assert book.projects.header_row == 2 and len(book.projects) == 1
    assert book.ledger.header_row == 3


def test_long_strings_and_control_characters_survive(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["long_strings"])
    assert book.ledger.data["摘要"].iloc[0] == "长" * 100_000
    book = read_book(corpus["control_chars"])
    assert "0001" in book.ledger.data["凭证号"].iloc[0]
    assert book.ledger.invalid["账载金额"][2].raw == "1\x00234"


def test_lookalike_names_do_not_match(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["mixed_scripts"])
    assert list(book.ledger.data["项目编号"]) == ["RD01", "\u0420D01"]
    assert book.ledger.title == "辅助账明细"  # the Cyrillic "lеdger" sheet is not taken for it
    assert book.ledger.data["账载金额"].iloc[1] == Decimal("1234.5")


def test_empty_tables(corpus: dict[str, Path]) -> None:
    book = read_book(corpus["zero_data_rows"])
    assert len(book.ledger) == 0 and book.ledger.header_row == 1 and not book.ledger.missing
    book = read_book(corpus["sheet_only_header"])
    assert len(book.ledger) == 0 and not book.enterprise.present


def test_old_xls_is_read(corpus: dict[str, Path]) -> None:
    assert preflight(corpus["old_xls"]) == "xls"
    book = read_book(corpus["old_xls"])
    assert len(book.ledger) == 1 and book.ledger.data["凭证号"].iloc[0] == "记-0001"


# ---------------------------------------------------------------- the decisions the preflight relies on


def test_calamine_stops_at_the_declared_size(corpus: dict[str, Path]) -> None:
    """Why declared sizes are enough: calamine's zip reader refuses a part that inflates past its header."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(corpus["lying_header"]))
    with pytest.raises(Exception, match="larger than its declared"):
        wb.get_sheet_by_name("辅助账明细").to_python()


def test_calamine_does_not_expand_entities(tmp_path: Path) -> None:
    """calamine 0.9 fails on an entity rather than expanding it; the preflight refuses the DTD before that."""
    from make_corpus import _entities_in_strings
    from python_calamine import CalamineWorkbook

    path = _entities_in_strings(tmp_path / "laughs.xlsx")
    with pytest.raises(Exception, match="entity"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("辅助账明细").to_python()


def test_zip_bomb_refused_from_the_directory_alone(corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ReadError, match="压缩炸弹"):
        preflight(corpus["zip_bomb"])
    assert opened == []


def test_total_size_limit(corpus: dict[str, Path]) -> None:
    with pytest.raises(ReadError, match="压缩炸弹"):
        preflight(corpus["formulas_cached"], Limits(max_total_bytes=1000))


def test_cell_limit_counts_the_grid(tmp_path: Path) -> None:
    path = standard(tmp_path / "wide.xlsx", lines=30)
    assert inspect(path).sheets["辅助账明细"].rows == 31
    with pytest.raises(ReadError, match="过大"):
        preflight(path, Limits(max_cells=200))
    with pytest.raises(ReadError, match="过大"):
        preflight(path, Limits(max_cols=5))


def test_ordinary_sheets_take_the_fast_path(tmp_path: Path) -> None:
    """A sheet as Excel or a library writes it is checked by a few searches, not tag by tag."""
    from rdcheck.workbook import safety

    path = standard(tmp_path / "plain.xlsx", lines=200)
    with zipfile.ZipFile(path) as zf:
        scan = safety._scan_fast(zf, zf.getinfo(LEDGER_PART), "辅助账明细", safety.DEFAULT_LIMITS)
    assert scan is not None and (scan.rows, scan.cols) == (201, 9)


def test_error_cells_found_by_the_exact_scan_too(tmp_path: Path) -> None:
    from make_corpus import patch_ledger

    path = standard(tmp_path / "noref.xlsx", lines=1)
    patch_ledger(
        path, b"</sheetData>", b'<row><c t="e"><v>#N/A</v></c><c r="G3" t="e"><v>#VALUE!</v></c></row></sheetData>'
    )
    scan = inspect(path).sheets["辅助账明细"]
    assert scan.errors == {(3, 7): "#VALUE!"}  # a cell without a reference cannot be placed, and is left to calamine


def test_limits_from_config_mapping() -> None:
    limits = Limits.from_mapping({"max_rows": 10, "unknown": 1, "max_cells": "x"})
    assert limits.max_rows == 10 and limits.max_cells == Limits().max_cells
    assert Limits.from_mapping(None) == Limits()


@pytest.mark.parametrize(
    "column,cell",
    [("E", b"<v>1e999</v>"), ("D", b"<v>1e999</v>"), ("G", b"<v>1E100</v>")],
    ids=["category_inf", "summary_inf", "amount_1e100_wan"],
)
def test_extreme_numbers_do_not_crash_the_reader(tmp_path: Path, column: str, cell: bytes) -> None:
    from make_corpus import patch_ledger

    path = standard(tmp_path / "extreme.xlsx", lines=1)
    if column == "G":
        from make_corpus import part, rewrite_zip

        sst = part(path, "xl/sharedStrings.xml")
        rewrite_zip(path, {"xl/sharedStrings.xml": sst.replace("账载金额(元)".encode(), "账载金额(万元)".encode())})
    patch_ledger(path, b"</sheetData>", b'<row r="3"><c r="%s3">%s</c></row></sheetData>' % (column.encode(), cell))
    result = run_isolated(path)
    assert result["outcome"] == "book", result.get("trace") or result


def test_missing_file() -> None:
    with pytest.raises(ReadError, match="不存在"):
        read_book("/nonexistent/ledger.xlsx")


# ---------------------------------------------------------------- the command line


def _cli_available() -> bool:
    try:
        import rdcheck.cli  # noqa: F401
    except Exception:
        return False
    return True


CLI_CASES = [c for c in CASES if c.expect == "error" and not c.limits]


@pytest.mark.skipif(not _cli_available(), reason="rdcheck.cli not there yet")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_exits_2_with_one_line(lang: str, corpus: dict[str, Path]) -> None:
    from click.testing import CliRunner

    from rdcheck.cli import main

    runner = CliRunner()
    for case in CLI_CASES:
        result = runner.invoke(main, ["check", str(corpus[case.name]), "--lang", lang])
        assert result.exit_code == 2, (case.name, result.output, result.exception)
        err = result.stderr.strip()
        assert err and "\n" not in err and "Traceback" not in err, (case.name, err)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err) == (lang == "zh") or corpus[case.name].name in err


@pytest.mark.skipif(not _cli_available(), reason="rdcheck.cli not there yet")
@pytest.mark.parametrize(
    "name",
    [
        "error_cells",
        "long_strings",
        "control_chars",
        "external_link",
        "xlsm_macro",
    ],
)
def test_cli_checks_messy_books(name: str, corpus: dict[str, Path]) -> None:
    from click.testing import CliRunner

    from rdcheck.cli import main

    result = CliRunner().invoke(main, ["check", str(corpus[name]), "--format", "json"])
    assert result.exit_code in (0, 1), (result.output, result.stderr, result.exception)
    assert "Traceback" not in result.output + result.stderr and "内部错误" not in result.stderr


@pytest.mark.skipif(not _cli_available(), reason="rdcheck.cli not there yet")
def test_cli_checks_a_book_with_zero_rows(corpus: dict[str, Path]) -> None:
    from click.testing import CliRunner

    from rdcheck.cli import main

    result = CliRunner().invoke(main, ["check", str(corpus["zero_data_rows"]), "--format", "json"])
    assert result.exit_code in (0, 1) and "内部错误" not in result.stderr, result.stderr


def test_no_traceback_when_run_as_a_program(corpus: dict[str, Path]) -> None:
    import subprocess

    if not _cli_available():
        pytest.skip("rdcheck.cli not there yet")
    proc = subprocess.run(
        [sys.executable, "-m", "rdcheck", "check", str(corpus["zip_bomb"])],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 2 and "压缩炸弹" in proc.stderr and "Traceback" not in proc.stderr
