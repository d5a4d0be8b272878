"""Batch validation: every input exactly once, fault isolation (crash, segfault, hang), superseded, outputs."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rdcheck.district.batch import (
    FAULT_ENV,
    feedback_stem,
    find_workbooks,
    mark_superseded,
    read_results_jsonl,
    run_batch,
    safe_name,
    valid_uscc,
)
from rdcheck.errors import ReadError

SPEC6_KEYS = ("file", "sha256", "rdcheck", "status", "enterprise", "counts", "findings", "a107012", "tax_saving",
              "stats", "reconciliation")  # fmt: skip
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(n: int) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015 check digit) numbered n."""
    body = f"91320800MA{n:07d}"
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def report(
    code: str | None,
    name: str = "企业",
    year: int | None = 2024,
    region: str | None = "王营街道",
    industry: str | None = "C3976",
    intramural: float | None = 0,
    reported: float | None = None,
    basic: float = 0,
    rules: tuple[str, ...] = (),
    high_tech: bool = False,
    tech_sme: bool = False,
    above_scale: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A JSON report in the spec §6 shape, with only what batch and rollup read."""
    findings = [
        {"rule": r, "severity": "error" if r.startswith(("F", "T01")) else "warning", "pillar": r[0]} for r in rules
    ]
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in ("error", "warning", "info")}
    status = "fail" if counts["error"] else "warn" if counts["warning"] else "pass"
    return {
        "file": "",
        "sha256": None,
        "rdcheck": "test",
        "status": status,
        "enterprise": {
            "uscc": code,
            "name": name,
            "year": year,
            "region": region,
            "industry": industry,
            "high_tech": high_tech,
            "tech_sme": tech_sme,
            "above_scale": above_scale,
        },
        "counts": counts,
        "findings": findings,
        "a107012": {"40": 1000, "51": 1000},
        "tax_saving": 150,
        "stats": {"7": intramural, "intramural": intramural, "intramural_reported": reported, "basic_research": basic},
        "reconciliation": [],
        **extra,
    }


def write_fake(path: Path, data: dict[str, Any] | str) -> Path:
    """A stand-in workbook: the JSON report it should produce (or text that makes the fake checker fail)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


class FakeReport:
    """Quacks like rdcheck.model.Report for the worker: to_dict() and something for the feedback writer."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


def fake_check(path: str, config: Any, lang: str) -> FakeReport:
    """Read the JSON a fake workbook holds; the `_fault` key injects crashes, hangs and exceptions."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ReadError("无法读取文件（不是有效的 Excel 工作簿或已损坏）", "cannot read the file") from None
    fault = data.pop("_fault", None)
    if fault == "exit":
        os._exit(3)
    if fault == "segv":
        import signal

        os.kill(os.getpid(), signal.SIGSEGV)
    if fault == "hang":
        time.sleep(3600)
    if fault == "raise":
        raise KeyError("boom")
    data["file"] = path
    return FakeReport(data)


def fake_writer(report: FakeReport, out_path: str, lang: str) -> None:
    Path(out_path).write_text(json.dumps({"feedback_for": report.data["file"]}), encoding="utf-8")


def run(paths: list[Path], out: Path, **kw: Any):
    kw.setdefault("jobs", 2)
    kw.setdefault("timeout", 30)
    return run_batch(paths, out, check=fake_check, writer=fake_writer, **kw)


# ---------------------------------------------------------------- finding files, names


def test_find_workbooks_recurses_sorts_and_skips_lock_files_and_the_output(tmp_path: Path) -> None:
    for name in ("b.xlsx", "a/c.XLSM", "a/d.xls", "~$b.xlsx", "notes.txt", "a/z.csv", "out/feedback/x.xlsx"):
        write_fake(tmp_path / name, "x")
    found = find_workbooks(tmp_path, exclude=[tmp_path / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/c.XLSM", "a/d.xls", "b.xlsx"]


def test_uscc_check_digit() -> None:
    assert valid_uscc("91350100M000100Y43")  # a published example
    assert valid_uscc(uscc(1))
    assert not valid_uscc(uscc(1)[:-1] + ("0" if uscc(1)[-1] != "0" else "1"))
    assert not valid_uscc("91320800MA1XXXXXXX") and not valid_uscc("")


@pytest.mark.parametrize("text", ["../../etc/passwd", "a/b\\c", "..", "", "CON", "=cmd|' /C calc'!A0", "x" * 500])
def test_safe_name_stays_one_plain_name(text: str) -> None:
    name = safe_name(text)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".") and len(name) <= 80
    assert name.upper() != "CON"


def test_feedback_name_from_code_and_year_else_from_the_file() -> None:
    assert feedback_stem({"file": "x.xlsx", "enterprise": {"uscc": uscc(7), "year": 2024}}) == f"{uscc(7)}-2024"
    assert feedback_stem({"file": "d/../甲 公司.xlsx", "enterprise": {"uscc": "../../x", "year": 2024}}) == "甲_公司"
    assert feedback_stem({"file": "d/乙.xlsx", "enterprise": {"uscc": uscc(7), "year": None}}) == "乙"


# ---------------------------------------------------------------- superseded


def test_superseded_newest_by_mtime_tie_path_sorting_last() -> None:
    results = [
        report(uscc(1), file="a.xlsx"),
        report(uscc(1), file="b.xlsx"),
        report(uscc(2), file="c.xlsx", rules=("F03",)),
        report(uscc(2), file="d.xlsx"),
        report(uscc(2), year=2023, file="e.xlsx"),  # another year: its own group
        {"file": "f.xlsx", "status": "error", "error": "x"},
    ]
    mark_superseded(results, [10, 5, 7, 7, 1, 99])
    statuses = [r["status"] for r in results]
    assert statuses == ["pass", "superseded", "superseded", "pass", "pass", "error"]
    assert results[1]["_check_status"] == "pass" and results[1]["superseded_by"] == "a.xlsx"
    assert results[2]["_check_status"] == "fail" and results[2]["superseded_by"] == "d.xlsx"


def test_superseded_without_times_keeps_the_path_sorting_last() -> None:
    results = [report(uscc(1), file="z/old.xlsx"), report(uscc(1), file="a/new.xlsx")]
    mark_superseded(results)
    assert [r["status"] for r in results] == ["pass", "superseded"]


# ---------------------------------------------------------------- the batch end to end (fake checker)


def district_of_fakes(root: Path) -> list[Path]:
    paths = [
        write_fake(root / "a.xlsx", report(uscc(1), "甲", intramural=100)),
        write_fake(root / "sub/b.xlsx", report(uscc(2), "乙", rules=("T02",))),
        write_fake(root / "c.xlsx", report("BAD-CODE/..", '=HYPERLINK("x")', rules=("F06",))),
        write_fake(root / "broken.xlsx", "PK\x03\x04 this is not a workbook"),
        write_fake(root / "old/a-old.xlsx", report(uscc(1), "甲（旧）")),
    ]
    now = time.time()
    os.utime(root / "old/a-old.xlsx", (now - 3600, now - 3600))
    return paths


def test_batch_writes_every_file_once_sorted_with_feedback_and_superseded(tmp_path: Path) -> None:
    paths = district_of_fakes(tmp_path / "in")
    out = tmp_path / "out"
    result = run(paths, out)
    lines = read_results_jsonl(out / "results.jsonl")
    assert [r["file"] for r in lines] == sorted(str(p) for p in paths)
    assert [r["file"] for r in result.results] == [r["file"] for r in lines]
    by_name = {Path(r["file"]).name: r for r in lines}
    assert by_name["broken.xlsx"] == {
        "file": str(paths[3]),
        "status": "error",
        "error": by_name["broken.xlsx"]["error"],
    }
    assert "\n" not in by_name["broken.xlsx"]["error"]
    assert by_name["a-old.xlsx"]["status"] == "superseded"
    assert by_name["a-old.xlsx"]["superseded_by"] == str(paths[0])
    # results.jsonl: the §6 report, plus superseded_by on a superseded line and nothing else
    for line in lines:
        if line["status"] != "error":
            assert set(line) - set(SPEC6_KEYS) == ({"superseded_by"} if line["status"] == "superseded" else set())
            assert set(SPEC6_KEYS) <= set(line)
    memory = {Path(r["file"]).name: r for r in result.results}
    assert memory["a-old.xlsx"]["_check_status"] == "pass"
    assert by_name["a.xlsx"]["status"] == "pass" and by_name["b.xlsx"]["status"] == "warn"
    assert result.counts == {"pass": 1, "warn": 1, "fail": 1, "error": 1, "superseded": 1}

    feedback = sorted(p.name for p in (out / "feedback").iterdir())
    assert feedback == sorted([f"{uscc(1)}-甲-2024.xlsx", f"{uscc(2)}-乙-2024.xlsx", "c.xlsx"])
    winner = json.loads((out / "feedback" / f"{uscc(1)}-甲-2024.xlsx").read_text())
    assert winner["feedback_for"].endswith("in/a.xlsx")  # the newest submission's feedback, not the old one's
    assert memory["a.xlsx"]["_feedback"] == f"feedback/{uscc(1)}-甲-2024.xlsx"
    assert "_feedback" not in memory["a-old.xlsx"]


def test_summary_xlsx_has_a_row_per_file_filter_frozen_header_status_colours_and_rule_counts(tmp_path: Path) -> None:
    import openpyxl

    paths = district_of_fakes(tmp_path / "in")
    run(paths, tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    sheet = wb["汇总"]
    header = [c.value for c in sheet[1]]
    # spec §5's columns, headed in Chinese in Chinese mode (issue 13 point 12)
    assert header[:4] == ["文件", "统一社会信用代码", "企业名称", "状态"]
    for column in ("错误", "警告", "提示", "文件(F)", "应建尽建(B)", "应提尽提(C)", "应统尽统(T)"):
        assert column in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(paths)
    assert [r[0] for r in rows] == sorted(str(p) for p in paths)
    assert sheet.auto_filter.ref and sheet.freeze_panes == "B2"
    assert len(sheet.conditional_formatting) >= 1
    names = {r[2] for r in rows}
    assert '=HYPERLINK("x")' in names  # written as text, not a formula
    cell = next(c for c in sheet["C"] if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"
    statuses = [r[header.index("状态")] for r in rows]
    assert sorted(statuses) == sorted(["无法检查", "不通过", "通过", "已被替代", "有警告"])
    words = [r[header.index("结论")] for r in rows]
    assert "已被替代（本身：通过）" in words and "无法检查" in words
    t_col = header.index("应统尽统(T)")
    assert rows[[Path(r[0]).name for r in rows].index("b.xlsx")][t_col] == 1
    rules = {r[0]: r for r in wb["规则统计"].iter_rows(min_row=2, values_only=True)}
    assert rules["T02"][4] == 1 and rules["F06"][5] == 1


@pytest.mark.parametrize(
    ("fault", "start_method"), [("exit", "fork"), ("segv", "fork"), ("raise", "fork"), ("exit", "spawn")]
)
def test_a_crashing_worker_costs_one_error_row_and_no_file_is_lost(
    tmp_path: Path, fault: str, start_method: str
) -> None:
    paths = [write_fake(tmp_path / f"f{i:02d}.xlsx", report(uscc(i))) for i in range(8)]
    write_fake(paths[3], {**report(uscc(3)), "_fault": fault})
    result = run(paths, tmp_path / "out", jobs=2, start_method=start_method)
    assert [r["file"] for r in result.results] == [str(p) for p in paths]
    assert [r["status"] for r in result.results] == ["pass"] * 3 + ["error"] + ["pass"] * 4
    reason = result.results[3]["error"]
    assert reason and "\n" not in reason
    if fault == "segv":
        assert "SIGSEGV" in reason
    assert len(read_results_jsonl(tmp_path / "out" / "results.jsonl")) == len(paths)


def test_a_file_past_the_time_limit_is_stopped_and_the_batch_goes_on(tmp_path: Path) -> None:
    paths = [write_fake(tmp_path / f"f{i}.xlsx", report(uscc(i))) for i in range(5)]
    write_fake(paths[1], {**report(uscc(1)), "_fault": "hang"})
    started = time.monotonic()
    result = run(paths, tmp_path / "out", jobs=2, timeout=1.5)
    assert time.monotonic() - started < 30
    assert [r["status"] for r in result.results] == ["pass", "error", "pass", "pass", "pass"]
    assert "1.5" in result.results[1]["error"]


def test_workers_that_cannot_start_are_one_clear_error_not_an_error_per_file(tmp_path: Path) -> None:
    import sys
    import types

    from rdcheck.district.batch import WorkerStartError

    ghost = types.ModuleType("ghost_module_not_on_disk")  # a spawned worker cannot import it, so it dies at boot

    def check(path: str, config: Any, lang: str) -> FakeReport:
        return fake_check(path, config, lang)

    check.__module__ = ghost.__name__
    check.__qualname__ = "check"
    ghost.check = check
    sys.modules[ghost.__name__] = ghost
    try:
        paths = [write_fake(tmp_path / f"f{i}.xlsx", report(uscc(i))) for i in range(3)]
        with pytest.raises(WorkerStartError):
            run_batch(paths, tmp_path / "out", jobs=2, check=check, start_method="spawn")
    finally:
        del sys.modules[ghost.__name__]


def test_fault_hook_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [write_fake(tmp_path / f"f{i}.xlsx", report(uscc(i))) for i in range(4)]
    monkeypatch.setenv(FAULT_ENV, "crash=f0.xlsx,hang=f2.xlsx")
    result = run(paths, tmp_path / "out", jobs=1, timeout=1)
    assert [r["status"] for r in result.results] == ["error", "pass", "error", "pass"]


def test_in_process_run_gives_the_same_results(tmp_path: Path) -> None:
    paths = district_of_fakes(tmp_path / "in")
    pooled = run(paths, tmp_path / "o1", jobs=2).results
    local = run(paths, tmp_path / "o2", isolate=False).results
    assert json.dumps(pooled, sort_keys=True) == json.dumps(local, sort_keys=True)


def test_progress_reports_every_file(tmp_path: Path) -> None:
    paths = [write_fake(tmp_path / f"f{i}.xlsx", report(uscc(i))) for i in range(5)]
    seen: list[tuple[int, int]] = []
    run(paths, tmp_path / "out", progress=lambda done, total, r: seen.append((done, total)))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_empty_folder_writes_empty_outputs(tmp_path: Path) -> None:
    result = run([], tmp_path / "out")
    assert result.results == [] and (tmp_path / "out" / "summary.xlsx").is_file()
    assert read_results_jsonl(tmp_path / "out" / "results.jsonl") == []  # complete: its closing record says 0
    assert json.loads((tmp_path / "out" / "results.jsonl").read_text())["files"] == 0
    with zipfile.ZipFile(tmp_path / "out" / "summary.xlsx") as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()


# ---------------------------------------------------------------- the command line


def test_cli_batch_usage_errors_exit_2(tmp_path: Path) -> None:
    from rdcheck.cli.district import batch_command

    runner = CliRunner()
    missing = runner.invoke(batch_command, [str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert missing.exit_code == 2
    no_out = runner.invoke(batch_command, [str(tmp_path)])
    assert no_out.exit_code == 2
    bad_jobs = runner.invoke(batch_command, [str(tmp_path), "-o", str(tmp_path / "o"), "--jobs", "0"])
    assert bad_jobs.exit_code == 2
    (tmp_path / "file").write_text("x")
    out_is_file = runner.invoke(batch_command, [str(tmp_path), "-o", str(tmp_path / "file")])
    assert out_is_file.exit_code == 2


# ---------------------------------------------------------------- found in the conformance review


def test_feedback_named_after_the_file_when_f06_fails_even_if_the_folded_code_is_valid() -> None:
    spaced = uscc(7)[:4] + " " + uscc(7)[4:]  # F06 reads the code as written; a space makes it invalid there
    result = {"file": "d/丙公司.xlsx", "enterprise": {"uscc": spaced, "year": 2024}, "findings": [{"rule": "F06"}]}
    assert feedback_stem(result) == "丙公司"


@pytest.mark.parametrize("text", ["CON.txt", "nul.tar", "Com1.x"])
def test_safe_name_avoids_reserved_device_names_with_an_extension(text: str) -> None:
    assert safe_name(text).split(".")[0].upper() not in {"CON", "NUL", "COM1"}


def test_find_workbooks_lists_a_file_once_when_a_link_points_at_it(tmp_path: Path) -> None:
    write_fake(tmp_path / "a.xlsx", "x")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "a.xlsx")
    assert [p.name for p in find_workbooks(tmp_path)] == ["a.xlsx"]


def test_find_workbooks_skips_an_earlier_batchs_outputs_inside_the_tree(tmp_path: Path) -> None:
    write_fake(tmp_path / "a.xlsx", "x")
    for name in ("out/results.jsonl", "out/summary.xlsx", "out/feedback/X-2024.xlsx", "r/rollup.json", "r/rollup.xlsx"):
        write_fake(tmp_path / name, "x")
    write_fake(tmp_path / "r/企业.xlsx", "x")  # a workbook beside a rollup's output is still an input
    assert [p.relative_to(tmp_path).as_posix() for p in find_workbooks(tmp_path)] == ["a.xlsx", "r/企业.xlsx"]


def test_cli_batch_progress_on_stderr_when_not_a_terminal_and_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rdcheck.district.batch as batch_lib
    from rdcheck.cli import district as cli_district

    paths = [write_fake(tmp_path / "in" / f"f{i}.xlsx", report(uscc(i))) for i in range(3)]
    monkeypatch.setattr(batch_lib, "run_batch", _fake_run_batch)
    result = CliRunner().invoke(
        cli_district.batch_command, [str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "checking 3/3" in result.stderr and "checking" not in result.stdout
    assert result.stdout.startswith("checked 3 files") and len(paths) == 3
    quiet = CliRunner().invoke(cli_district.batch_command, [str(tmp_path / "in"), "-o", str(tmp_path / "o2"), "-q"])
    assert quiet.exit_code == 0 and "检查 3/3" not in quiet.stderr


def _fake_run_batch(paths: list[Path], out: Path, **kw: Any):
    """The CLI's run_batch with the fake checker (the CLI passes progress and lang through)."""
    return run(paths, Path(out), progress=kw["progress"], lang=kw["lang"])


def test_a_file_name_that_is_not_utf8_is_one_row_not_a_crash(tmp_path: Path) -> None:
    import sys

    if sys.platform != "linux":
        pytest.skip("needs a file system that takes any bytes")
    gbk = os.fsdecode(str(tmp_path / "in").encode() + "/甲公司.xlsx".encode("gbk"))  # unzipped from Windows
    bad = os.fsdecode(str(tmp_path / "in").encode() + b"/x\xff.xlsx")
    write_fake(Path(gbk), report(uscc(1)))
    write_fake(Path(bad), "junk")
    result = run(find_workbooks(tmp_path / "in"), tmp_path / "out")
    files = sorted(r["file"] for r in read_results_jsonl(tmp_path / "out" / "results.jsonl"))
    assert files == sorted([str(tmp_path / "in" / "甲公司.xlsx"), str(tmp_path / "in") + "/x\\xff.xlsx"])
    assert sorted(result.counts.items()) == [("error", 1), ("fail", 0), ("pass", 1), ("superseded", 0), ("warn", 0)]


def test_an_output_that_cannot_be_written_is_one_line_without_errno(tmp_path) -> None:
    from click.testing import CliRunner

    from rdcheck.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["batch", str(tmp_path), "-o", str(blocker / "out"), "--quiet"])
    assert result.exit_code == 2
    err = result.stderr.strip().splitlines()[-1]  # after the note that the folder holds no workbook
    assert err.startswith("rdcheck: 无法写出结果") and "Errno" not in err
