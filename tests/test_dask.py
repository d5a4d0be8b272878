"""rdcheck batch on a real Dask cluster (issue 16 point 4): a `dask scheduler` and two `dask worker` processes
on loopback, the same results.jsonl as the local pool, and the pool's fault isolation per file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import uscc
from test_batch_faults import book

pytest.importorskip("distributed")

from rdcheck.district.batch import FAULT_ENV, run_batch  # noqa: E402
from rdcheck.district.dask_engine import MARKS_ENV, check_on_worker, close_runners  # noqa: E402
from rdcheck.district.pool import WorkerSettings  # noqa: E402

# a fresh checking process imports pandas and pandera within its first file's time: room for a loaded machine
TIMEOUT = 30.0
# the workers' fault hooks: a checking process that crashes or hangs, a Dask worker lost once or every time
FAULTS = "crash=crash.xlsx,hang=hang.xlsx,loseonce=lose-once.xlsx,loseworker=lose-always.xlsx"


def _dask(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    full = {**os.environ, **env}
    full.pop("PYTEST_CURRENT_TEST", None)
    with open(log, "w") as fh:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], env=full, stdout=fh, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scheduler (a file lost twice is given up: allowed-failures 1) and two one-thread workers, on 127.0.0.1."""
    here = tmp_path_factory.mktemp("dask")
    marks = here / "marks"
    marks.mkdir()
    info = here / "scheduler.json"
    scheduler = _dask(
        "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info),
        env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1", "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}, log=here / "scheduler.log",
    )  # fmt: skip
    procs = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert info.exists(), (here / "scheduler.log").read_text()
        address = json.loads(info.read_text())["address"]
        for i in range(2):
            procs.append(
                _dask(
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--memory-limit",
                    "0",
                    "--name",
                    f"w{i}",
                    env={FAULT_ENV: FAULTS, MARKS_ENV: str(marks)},
                    log=here / f"worker{i}.log",
                )  # fmt: skip
            )
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
        yield address, here
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _jsonl(out: Path) -> tuple[list[str], dict]:
    lines = (out / "results.jsonl").read_bytes().decode("utf-8").splitlines()
    return lines[:-1], json.loads(lines[-1])


def test_a_dask_batch_writes_the_local_pools_results_byte_for_byte(cluster: tuple[str, Path], tmp_path: Path) -> None:
    address, _ = cluster
    src = tmp_path / "in"
    for n in range(5):
        book(src / f"企业{n}.xlsx", uscc(100 + n), f"企业{n}", lines=2 + n)
    book(src / "older.xlsx", uscc(100), "企业0")  # the same enterprise and year again: one of the two is superseded
    (src / "broken.xlsx").write_bytes(b"not a workbook")
    paths = sorted(src.glob("*.xlsx"))
    local = run_batch(paths, tmp_path / "pool", jobs=2, timeout=60)
    remote = run_batch(paths, tmp_path / "dask", timeout=60, scheduler=address)
    pool_lines, pool_end = _jsonl(tmp_path / "pool")
    dask_lines, dask_end = _jsonl(tmp_path / "dask")
    assert dask_lines == pool_lines  # every report, byte for byte, in the same order
    assert dask_end["files"] == pool_end["files"] == 7  # the closing record differs only by its run id and time
    statuses = [r["status"] for r in remote.results]
    assert statuses.count("superseded") == 1 and statuses.count("error") == 1
    assert [r["status"] for r in local.results] == statuses
    # the annotated copies the workers wrote to the shared OUT: the same names, real workbooks
    pool_fb = sorted(p.name for p in (tmp_path / "pool" / "feedback").iterdir())
    dask_fb = sorted(p.name for p in (tmp_path / "dask" / "feedback").iterdir())
    assert dask_fb == pool_fb and len(dask_fb) == 5
    for name in dask_fb:
        assert zipfile.is_zipfile(tmp_path / "dask" / "feedback" / name)


def test_a_dask_batch_isolates_each_files_faults(cluster: tuple[str, Path], tmp_path: Path) -> None:
    """A crash or a hang costs that file's row; a worker lost once is retried; lost twice, the file's row."""
    address, _ = cluster
    src = tmp_path / "in"
    for n, name in enumerate(("good1", "crash", "hang", "lose-once", "lose-always", "good2")):
        book(src / f"{name}.xlsx", uscc(200 + n), name)
    result = run_batch(sorted(src.glob("*.xlsx")), tmp_path / "out", timeout=TIMEOUT, scheduler=address)
    by_name = {Path(r["file"]).stem: r for r in result.results}
    assert len(by_name) == 6
    for name in ("good1", "good2", "lose-once"):
        assert by_name[name]["status"] in ("pass", "warn", "fail"), by_name[name]
        assert by_name[name]["enterprise"]["name"] == name
    assert by_name["crash"]["status"] == "error" and "退出码 70" in by_name["crash"]["error"]
    assert by_name["hang"]["status"] == "error" and f"超过 {TIMEOUT:g} 秒" in by_name["hang"]["error"]
    assert by_name["lose-always"]["status"] == "error" and "丢失" in by_name["lose-always"]["error"]
    lines, end = _jsonl(tmp_path / "out")
    assert len(lines) == end["files"] == 6


def test_a_worker_that_cannot_see_out_returns_the_annotated_copy(tmp_path: Path) -> None:
    """The feedback workbook travels back as bytes; nothing is left in the worker's own temporary folder."""
    path = book(tmp_path / "a.xlsx", uscc(300), "甲公司")
    settings = WorkerSettings(feedback_dir=str(tmp_path / "not-seen"))
    try:
        result = check_on_worker(0, str(path), settings, 60.0, True)
    finally:
        close_runners()
    assert "_feedback_tmp" not in result and result["enterprise"]["name"] == "甲公司"
    data = result["_feedback_bytes"]
    assert data[:2] == b"PK"
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(data)
    assert zipfile.is_zipfile(copy)
    assert not (tmp_path / "not-seen").exists()


def test_scheduler_and_register_together_are_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from rdcheck.cli.district import batch_command

    book(tmp_path / "in" / "a.xlsx", uscc(400), "甲公司")
    args = [str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--scheduler", "local"]
    result = CliRunner().invoke(batch_command, [*args, "--register", str(tmp_path / "reg.sqlite")])
    assert result.exit_code == 2 and "--register" in result.output
    assert not (tmp_path / "out" / "results.jsonl").exists()
