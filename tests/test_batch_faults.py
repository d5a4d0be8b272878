"""A batch that loses nothing and leaks nothing (issue 11): two runs at once, interrupts and kills, full disks,
links planted in the output folder, outputs that state their own completeness."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from click.testing import CliRunner
from test_batch import report, run, uscc, write_fake

from rdcheck.cli.district import batch_command, rollup_command
from rdcheck.district.lock import LOCK_NAME, FolderBusy, FolderLock
from rdcheck.district.results import read_results_jsonl

ROOT = Path(__file__).resolve().parent.parent


def book(path: Path, code: str, name: str, lines: int = 2) -> Path:
    """A small real workbook of one enterprise (enough for the checker and the annotated copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("企业信息")
    rows = [("项目", "值"), ("统一社会信用代码", code), ("企业名称", name), ("所属年度", 2024), ("行业代码", "C3976"),
            ("所在区域", "高新区"), ("高新技术企业", "是"), ("科技型中小企业", "否"), ("规模以上企业", "是"),
            ("营业收入(元)", 50_000_000)]  # fmt: skip
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    ws = wb.add_worksheet("研发项目")
    ws.write_row(0, 0, ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期"])
    ws.write_row(
        1, 0, ["RD01", f"{name}传感器", "自主研发", "试验发展", "2024-01-05", "研字1号", "2024-01-05", "2024-12-31"]
    )
    ws = wb.add_worksheet("辅助账明细")
    ws.write_row(0, 0, ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额(元)", "可加计金额(元)"])
    for i in range(1, lines + 1):
        ws.write_row(
            i, 0, [f"2024-03-{i:02d}", f"记-{i}", "RD01", "工资", "人员人工费用", "工资薪金", 1000 * i, 1000 * i]
        )
    wb.close()
    return path


def rdcheck(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen:
    full = {**os.environ, **(env or {})}
    full.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.Popen([sys.executable, "-m", "rdcheck", *args], env=full, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # fmt: skip


def leftovers(out: Path) -> list[str]:
    """Temporaries in OUT and OUT/feedback: names starting with '.' other than the lock file."""
    found = []
    for folder in (out, out / "feedback"):
        if folder.is_dir():
            found += [p.name for p in folder.iterdir() if p.name.startswith((".", "tmp")) and p.name != LOCK_NAME]
    return found


# ---------------------------------------------------------------- the lock


def test_a_batch_into_a_locked_folder_exits_2_at_once_naming_the_other_run(tmp_path: Path) -> None:
    write_fake(tmp_path / "in" / "a.xlsx", report(uscc(1)))
    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out, "rdcheck batch", "run-a"):
        started = time.monotonic()
        result = CliRunner().invoke(batch_command, [str(tmp_path / "in"), "-o", str(out), "-q"])
        assert time.monotonic() - started < 5
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert f"进程 {os.getpid()}" in result.output and "rdcheck batch" in result.output
        assert not (out / "results.jsonl").exists()
        with pytest.raises(FolderBusy):
            run([tmp_path / "in" / "a.xlsx"], out)
    # released: the next run takes it
    assert run([tmp_path / "in" / "a.xlsx"], out).counts["pass"] == 1


def test_a_dead_runs_lock_and_temporaries_are_recovered_and_a_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (out / LOCK_NAME).write_text(json.dumps({"pid": pid, "command": "rdcheck batch", "started": "yesterday"}))
    (out / "feedback" / f".rdcheck-run-20260101-000000-{pid}-abcdef").mkdir()
    (out / "feedback" / f".rdcheck-run-20260101-000000-{pid}-abcdef" / "000001.xlsx").write_bytes(b"x")
    (out / f".rdcheck-{pid}-zz.jsonl").write_text("half")
    (out / "feedback" / ".tmp-000003.xlsx").write_bytes(b"old layout")
    live = out / "feedback" / f".rdcheck-{os.getpid()}-keep.xlsx"  # a live process is writing it
    live.write_bytes(b"busy")
    result = run([write_fake(tmp_path / "in" / "a.xlsx", report(uscc(1)))], out)
    assert result.counts["pass"] == 1
    assert sorted(leftovers(out)) == [live.name]


def test_two_real_batches_at_once_never_mix_enterprises(tmp_path: Path) -> None:
    """The second run is refused while the first holds the folder; the first's feedback holds its own data."""
    out = tmp_path / "out"
    for i in range(3):
        book(tmp_path / "a" / f"a{i}.xlsx", uscc(10 + i), f"甲{i}公司")
        book(tmp_path / "b" / f"b{i}.xlsx", uscc(20 + i), f"乙{i}公司")
    first = rdcheck("batch", str(tmp_path / "a"), "-o", str(out), "-q", "-j", "2", "--timeout", "8",
                    env={"RDCHECK_TEST_FAULT": "hang=a2.xlsx"})  # fmt: skip
    deadline = time.monotonic() + 60
    while not (out / LOCK_NAME).exists() or not (out / LOCK_NAME).read_text():
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.05)
    started = time.monotonic()
    second = rdcheck("batch", str(tmp_path / "b"), "-o", str(out), "-q")
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2 and f"进程 {first.pid}" in err, err
    assert first.poll() is None, "the second run was refused while the first still ran"
    assert time.monotonic() - started < 30
    first.communicate(timeout=120)
    assert first.returncode == 0
    lines = read_results_jsonl(out / "results.jsonl")
    assert [Path(r["file"]).name for r in lines] == ["a0.xlsx", "a1.xlsx", "a2.xlsx"]
    names = sorted(p.name for p in (out / "feedback").iterdir() if not p.name.startswith("."))
    checked = [i for i, r in enumerate(lines) if r["status"] != "error"]  # a2 timed out (so may a slow a0, a1)
    assert 2 not in checked and names == [f"{uscc(10 + i)}-甲{i}公司-2024.xlsx" for i in checked]
    from openpyxl import load_workbook

    for i in checked:
        wb = load_workbook(out / "feedback" / f"{uscc(10 + i)}-甲{i}公司-2024.xlsx", read_only=True)
        cells = [c for row in wb["企业信息"].iter_rows(values_only=True) for c in row]
        assert uscc(10 + i) in cells and f"甲{i}公司" in cells
        wb.close()
    assert leftovers(out) == []


# ---------------------------------------------------------------- completeness and stale outputs


def test_rollup_refuses_a_results_file_missing_its_last_reports(tmp_path: Path) -> None:
    paths = [write_fake(tmp_path / "in" / f"{i}.xlsx", report(uscc(i), intramural=1000 * i)) for i in range(1, 4)]
    out = tmp_path / "out"
    run(paths, out)
    district = tmp_path / "district.yaml"
    district.write_text("district: 测试区\nyear: 2024\ngdp: 100\ntargets: {rd_spending: 2, intensity: 2}\n"
                        "regions: [王营街道]\n", encoding="utf-8")  # fmt: skip
    whole = (out / "results.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(whole) == 4 and json.loads(whole[-1])["files"] == 3
    ok = CliRunner().invoke(rollup_command, [str(out / "results.jsonl"), "--district", str(district), "-q"])
    assert ok.exit_code == 0, ok.output
    cut = tmp_path / "cut.jsonl"
    for kept in (whole[:1], whole[:3], [*whole[:2], whole[-1]], [*whole[:3], whole[3][:20]]):
        cut.write_text("".join(kept), encoding="utf-8")
        refused = CliRunner().invoke(rollup_command, [str(cut), "--district", str(district), "-q"])
        assert refused.exit_code == 2, refused.output
        assert len(refused.output.strip().splitlines()) == 1 and "不完整" in refused.output
    cut.write_text("".join(whole[:2]), encoding="utf-8")
    allowed = CliRunner().invoke(rollup_command, [str(cut), "--district", str(district), "-q", "--allow-incomplete"])
    assert allowed.exit_code == 0, allowed.output


def test_a_failed_write_leaves_no_older_output_looking_current(tmp_path: Path, monkeypatch) -> None:
    paths = [write_fake(tmp_path / "in" / f"{i}.xlsx", report(uscc(i))) for i in range(1, 3)]
    out = tmp_path / "out"
    run(paths, out)
    assert (out / "results.jsonl").exists() and (out / "summary.xlsx").exists()

    def full_disk(*args: Any, **kw: Any) -> None:
        Path(args[1]).write_bytes(b"partial")
        raise OSError(28, "No space left on device", str(args[1]))

    before = json.loads((out / "results.jsonl").read_text().splitlines()[-1])["run"]
    monkeypatch.setattr("rdcheck.district.summary_xlsx.write_summary", full_disk)
    with pytest.raises(OSError):
        run(paths, out)
    # results.jsonl is this run's (complete); the older summary.xlsx is gone, not left to describe another run
    assert json.loads((out / "results.jsonl").read_text().splitlines()[-1])["run"] != before
    assert not (out / "summary.xlsx").exists()
    assert leftovers(out) == []

    monkeypatch.setattr("rdcheck.district.outputs.write_results_jsonl", full_disk)
    with pytest.raises(OSError):
        run(paths, out)
    assert not (out / "results.jsonl").exists() and not (out / "summary.xlsx").exists()
    assert leftovers(out) == []


def test_one_unwritable_feedback_file_is_that_files_row_and_a_link_is_not_written_through(tmp_path: Path) -> None:
    paths = [write_fake(tmp_path / "in" / f"{i}.xlsx", report(uscc(i))) for i in range(1, 4)]
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "feedback" / f"{uscc(2)}-企业-2024.xlsx").symlink_to(victim)
    result = run(paths, out)
    assert victim.read_text() == "keep me"
    by_code = {r["enterprise"]["uscc"]: r for r in result.results}
    assert "符号链接" in by_code[uscc(2)]["_feedback_error"] and by_code[uscc(2)]["status"] == "pass"
    assert by_code[uscc(1)]["_feedback"] == f"feedback/{uscc(1)}-企业-2024.xlsx"
    assert by_code[uscc(3)]["_feedback"] == f"feedback/{uscc(3)}-企业-2024.xlsx"
    assert len(read_results_jsonl(out / "results.jsonl")) == 3


@pytest.mark.parametrize("name", ["results.jsonl", "summary.xlsx", "feedback"])
def test_a_link_planted_at_an_output_is_refused_before_checking(tmp_path: Path, name: str) -> None:
    write_fake(tmp_path / "in" / "a.xlsx", report(uscc(1)))
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target"
    if name == "feedback":
        target.mkdir()
    else:
        target.write_text("keep me")
    (out / name).symlink_to(target)
    result = CliRunner().invoke(batch_command, [str(tmp_path / "in"), "-o", str(out), "-q"])
    assert result.exit_code == 2 and "符号链接" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (target.read_text() == "keep me") if name != "feedback" else list(target.iterdir()) == []
    assert (out / name).is_symlink()


def test_rollup_outputs_are_refused_through_a_link_and_locked(tmp_path: Path) -> None:
    paths = [write_fake(tmp_path / "in" / "a.xlsx", report(uscc(1)))]
    run(paths, tmp_path / "b")
    district = tmp_path / "district.yaml"
    district.write_text("district: 测试区\nyear: 2024\ngdp: 100\ntargets: {rd_spending: 2, intensity: 2}\n"
                        "regions: [王营街道]\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "r"
    out.mkdir()
    victim = tmp_path / "victim.json"
    victim.write_text("keep me")
    (out / "rollup.json").symlink_to(victim)
    args = [str(tmp_path / "b" / "results.jsonl"), "--district", str(district), "-o", str(out), "-q"]
    refused = CliRunner().invoke(rollup_command, args)
    assert refused.exit_code == 2 and "符号链接" in refused.output and victim.read_text() == "keep me"
    (out / "rollup.json").unlink()
    with FolderLock(out, "rdcheck batch", "x"):
        busy = CliRunner().invoke(rollup_command, args)
    assert busy.exit_code == 2 and "正被另一次运行使用" in busy.output
    assert CliRunner().invoke(rollup_command, args).exit_code == 0
    assert json.loads((out / "rollup.json").read_text(encoding="utf-8"))["district"] == "测试区"
    assert leftovers(out) == []


# ---------------------------------------------------------------- a small full file system


def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def test_a_full_file_system_leaves_no_half_output_and_no_stale_one(tmp_path: Path) -> None:
    fs = tmp_path / "small"
    if not _mount_tmpfs(fs, "320k"):  # the first run (2 feedback workbooks with their letters) fits
        pytest.skip("cannot mount a size-limited tmpfs here (needs root and mount); the fault is simulated above")
    try:
        out = fs / "out"
        paths = [book(tmp_path / "in" / f"{i}.xlsx", uscc(i), f"企业{i}") for i in range(1, 3)]
        first = CliRunner().invoke(batch_command, [str(tmp_path / "in"), "-o", str(out), "-q", "-j", "1"])
        assert first.exit_code == 0, first.output
        assert len(read_results_jsonl(out / "results.jsonl")) == 2
        # a much bigger run over the same folder cannot fit
        for i in range(3, 12):
            book(tmp_path / "in" / f"{i}.xlsx", uscc(i), f"企业{i}", lines=400)
        second = CliRunner().invoke(batch_command, [str(tmp_path / "in"), "-o", str(out), "-q", "-j", "2"])
        assert second.exit_code == 2, second.output
        assert "No space left" in second.output or "空间" in second.output
        assert not (out / "results.jsonl").exists() and not (out / "summary.xlsx").exists()
        assert leftovers(out) == []
        del paths
    finally:
        subprocess.run(["umount", str(fs)], capture_output=True)


# ---------------------------------------------------------------- interrupts and kills


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        kids += [int(x) for x in task.read_text().split()]
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _hanging_batch(tmp_path: Path, n: int = 3) -> tuple[subprocess.Popen, Path, list[int]]:
    """A batch whose every file hangs, started and seen to run its workers."""
    names = []
    for i in range(n):
        book(tmp_path / "in" / f"h{i}.xlsx", uscc(i + 1), f"企业{i}")
        names.append(f"hang=h{i}.xlsx")
    out = tmp_path / "out"
    proc = rdcheck("batch", str(tmp_path / "in"), "-o", str(out), "-j", "2", "--timeout", "600",
                   env={"RDCHECK_TEST_FAULT": ",".join(names)})  # fmt: skip
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
        workers = [k for k in _children(proc.pid) if _alive(k)]
    return proc, out, workers


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to find the worker processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signalled_batch_stops_its_workers_says_what_it_left_and_leaves_no_temporaries(
    tmp_path: Path, sig: signal.Signals
) -> None:
    proc, out, workers = _hanging_batch(tmp_path)
    (out / "results.jsonl").write_text("an older run's\n")  # stands for last run's outputs
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig
    last = err.strip().splitlines()[-1]
    assert last.startswith("rdcheck: 已中断：已检查 0/3 个文件") and "未改动" in last and "临时文件已清理" in last
    assert "Traceback" not in err
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    assert leftovers(out) == [] and (out / "results.jsonl").read_text() == "an older run's\n"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc to find the worker processes")
def test_workers_die_with_a_killed_parent_and_the_next_run_recovers_the_folder(tmp_path: Path) -> None:
    proc, out, workers = _hanging_batch(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker outlived its SIGKILLed parent"
    assert any(p.name.startswith(".rdcheck-run-") for p in (out / "feedback").iterdir())  # the dead run's
    ok = CliRunner().invoke(batch_command, [str(tmp_path / "in"), "-o", str(out), "-q", "-j", "1"])
    assert ok.exit_code == 0, ok.output  # the lock died with its holder
    assert leftovers(out) == []
