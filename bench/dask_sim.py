"""A province's season, simulated here: `rdcheck batch` over N enterprise workbooks on the local pool and on a
Dask LocalCluster, alternated, and what 50,000 workbooks would cost (issue 16 point 4).

    python bench/dask_sim.py [--files 400] [--rounds 2] [--jobs 2] [--dir DIR]

The workbooks are bench/make_data.py's district (2k-5k ledger lines each, like a real enterprise's year). Each run
is a whole `rdcheck batch DIR -o OUT` with feedback workbooks, timed from start to exit (the cluster's start-up
included), with the CPU time of its whole process tree; the two engines' results.jsonl are compared report by
report. Prints files/s and CPU seconds per file per engine (medians of the rounds) and the extrapolation from the
CPU seconds (a loaded machine stretches the wall time, not the work): core-hours for 50,000 workbooks and hours on
clusters of 8, 32 and 64 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_data import DEFAULT_DIR  # noqa: E402

RDCHECK = [sys.executable, "-m", "rdcheck"]
SEASON = 50_000


def batch(src: Path, out: Path, jobs: int, scheduler: str | None) -> tuple[float, float]:
    """Run one whole batch; return its wall time and the CPU time (user + system) of its whole process tree."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*RDCHECK, "batch", str(src), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # children's usage includes the workers they waited for
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"batch failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def reports(out: Path) -> list[bytes]:
    return (out / "results.jsonl").read_bytes().splitlines()[:-1]  # the closing record holds the run's id and time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    gen = [sys.executable, str(HERE / "make_data.py"), "--dir", str(args.dir), "--sizes", ""]
    subprocess.run([*gen, "--district", str(args.files)], check=True, stdout=subprocess.DEVNULL)
    files = sorted((args.dir / "district").glob("*.xlsx"))[: args.files]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        src = tmp / "src"
        src.mkdir()
        for f in files:
            os.symlink(f, src / f.name)
        times: dict[str, list[tuple[float, float]]] = {"pool": [], "dask": []}
        for r in range(args.rounds):
            times["pool"].append(batch(src, tmp / "pool", args.jobs, None))
            times["dask"].append(batch(src, tmp / "dask", args.jobs, "local"))
            same = reports(tmp / "pool") == reports(tmp / "dask")
            (pw, pc), (dw, dc) = times["pool"][-1], times["dask"][-1]
            print(
                f"round {r + 1}: pool {pw:.1f} s wall {pc:.1f} s CPU, dask {dw:.1f} s wall {dc:.1f} s CPU, "
                f"results.jsonl {'identical' if same else 'DIFFERENT'}",
                flush=True,
            )
    n, jobs = len(files), args.jobs
    print(f"\n{n} workbooks, {jobs} workers, medians of {args.rounds} rounds:")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        # the season's cost from the CPU seconds per file (a loaded machine stretches the wall time, not the work)
        core_hours = SEASON * cpu / n / 3600
        print(
            f"  {name}: {wall:.1f} s wall ({n / wall:.2f} files/s), {cpu:.0f} s CPU = {cpu / n:.2f} CPU s per file; "
            f"{SEASON:,} workbooks = {core_hours:.1f} core-hours: "
            + ", ".join(f"{core_hours / c:.2f} h on {c} cores" for c in (8, 32, 64))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
