"""Benchmarks: rdcheck against the bare read of the same file, measured side by side in one run.

    python bench/run.py [--sizes 10000,100000,500000] [--rounds 3] [--large-rounds 3] [--district-files 400]
                        [--batch-rounds 2] [--dir DIR]

For each size, whole processes, pair by pair (a b a c …), median wall time, peak RSS and CPU time:
  (a) the bare read: ``pandas.read_excel(path, sheet_name=None, engine="calamine")``
  (b) ``rdcheck check FILE --format json``
  (c) ``rdcheck check FILE --format xlsx -o …``
and the ratios b/a and c/a (each rdcheck run against the bare read just before it, then the median); then batch
throughput (files/s) over the district with 1 and 2 jobs, alternated. The defaults take ~10 minutes on the
2-core machine (5 with ``--large-rounds 1 --batch-rounds 1``). Not part of ``make test``:
timings belong here, compared with a baseline taken in the same run, never in assertions.
The targets of issue 16 are checked at the end (b/a <= 1.0 and c/a <= 2.5 at 100k lines, b/a <= 1.3 at 10k; peak RSS
at 500k <= 600 MB json, <= 800 MB xlsx; 2 jobs >= 1.9 x 1 job and >= 1.5 x the files/s before the issue); the exit
status is 0 whether they hold or not — the table is the result. bench/dask_sim.py measures the Dask engine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_data import DEFAULT_DIR  # noqa: E402

PY = sys.executable
RDCHECK = [PY, "-m", "rdcheck"]
START = time.perf_counter()
BARE = "import sys, pandas; pandas.read_excel(sys.argv[1], sheet_name=None, engine='calamine')"


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Run a whole process; return its wall time (s), peak RSS (MB) and CPU time (s, user + system, with the
    children it waited for: a check's pre-scan process counts)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def compiled() -> None:
    """Byte-compile rdcheck's modules, as installing the wheel does: an editable install run with
    PYTHONDONTWRITEBYTECODE=1 (this workplace sets it) compiles its ~40 modules in every process (~0.05 s), which a
    user's install never does; pandas and the other libraries are compiled already, for the bare read too."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("rdcheck")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        compileall.compile_dir(folder, quiet=1)


def bench_size(path: Path, rounds: int, out: Path) -> dict[str, Any]:
    run([PY, "-c", BARE, str(path)])  # warm-up, not counted: the file into the page cache
    a, b, c = [], [], []
    for _ in range(rounds):
        a.append(run([PY, "-c", BARE, str(path)]))
        b.append(run([*RDCHECK, "check", str(path), "--format", "json", "--fail-on", "never"]))
        a.append(run([PY, "-c", BARE, str(path)]))
        c.append(run([*RDCHECK, "check", str(path), "--format", "xlsx", "-o", str(out), "--fail-on", "never"]))
    med = {k: statistics.median(x[0] for x in v) for k, v in (("a", a), ("b", b), ("c", c))}
    rss = {k: max(x[1] for x in v) for k, v in (("a", a), ("b", b), ("c", c))}
    cpu = {k: statistics.median(x[2] for x in v) for k, v in (("a", a), ("b", b), ("c", c))}
    # ratios pair by pair: each rdcheck run against the bare read taken just before it
    rbs = [b[i][0] / a[2 * i][0] for i in range(rounds)]
    rcs = [c[i][0] / a[2 * i + 1][0] for i in range(rounds)]
    return {
        **{f"t_{k}": v for k, v in med.items()},
        **{f"rss_{k}": v for k, v in rss.items()},
        **{f"cpu_{k}": v for k, v in cpu.items()},
        "b/a": statistics.median(rbs),
        "c/a": statistics.median(rcs),
        "b/a rounds": rbs,
        "c/a rounds": rcs,
    }


def batch_source(files: list[Path], tmp: Path) -> Path:
    """The district's files in one folder of their own (hard links, else copies: a batch refuses a symbolic link
    that leads outside its folder, and would then time error rows instead of checks)."""
    src = tmp / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir()
    for f in files:
        try:
            os.link(f, src / f.name)
        except OSError:
            shutil.copyfile(f, src / f.name)
    return src


def bench_batch(src: Path, jobs: int, tmp: Path, python: str = PY) -> float:
    """Files per second of a whole ``rdcheck batch`` (feedback workbooks included) with ``python``'s rdcheck."""
    out = tmp / f"batch-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    files = len(list(src.glob("*.xlsx")))
    t0 = time.perf_counter()
    subprocess.run(
        [python, "-m", "rdcheck", "batch", str(src), "-o", str(out), "--jobs", str(jobs), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=tmp,  # not the checkout: `python -m` puts the working folder first, and would run this code as `before`
    )
    rate = files / (time.perf_counter() - t0)
    rows = (out / "results.jsonl").read_text(encoding="utf-8").count('"status": "error"')
    if rows:
        raise SystemExit(f"the batch gave {rows} error rows: the throughput would not be of checks")
    return rate


def rounds_text(r: dict[str, Any]) -> str:
    return f"{' '.join(f'{x:.2f}' for x in r['b/a rounds'])}; {' '.join(f'{x:.2f}' for x in r['c/a rounds'])}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def memory_gb() -> str:
    try:
        return f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f}"
    except (ValueError, OSError):
        return "?"


def versions() -> str:
    names = ["pandas", "pandera", "openpyxl", "xlsxwriter", "python-calamine", "fastexcel", "pyarrow", "numpy"]
    return ", ".join(f"{n} {metadata.version(n)}" for n in names)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--sizes", default="10000,100000,500000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--large-rounds", type=int, default=3, help="rounds for workbooks of 500k lines and more")
    ap.add_argument("--district-files", type=int, default=400)
    ap.add_argument("--batch-rounds", type=int, default=2)
    ap.add_argument(
        "--before",
        metavar="PYTHON",
        help="also run the batch with this interpreter's rdcheck (an install of the code before a change), "
        "alternated with this one, for the files/s target side by side",
    )
    args = ap.parse_args(argv)
    compiled()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    gen = [PY, str(HERE / "make_data.py"), "--dir", str(args.dir), "--sizes", args.sizes]
    subprocess.run([*gen, "--district", str(args.district_files)], check=True, stdout=subprocess.DEVNULL)
    global START
    START = time.perf_counter()

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gb()} GB, Python {platform.python_version()}")
    print(f"libraries: {versions()}")
    print()
    header = (
        "| lines | (a) bare read | (b) check json | (c) check xlsx | b/a | c/a | RSS a / b / c (MB) "
        "| CPU a / b / c (s) | b/a, c/a by round |"
    )
    print(header)
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        results: dict[int, dict[str, Any]] = {}
        for size in sizes:
            rounds = args.large_rounds if size >= 500_000 else args.rounds
            r = results[size] = bench_size(args.dir / f"ledger-{size}.xlsx", rounds, tmp / f"report-{size}.xlsx")
            print(
                f"| {size:,} | {r['t_a']:.2f} s | {r['t_b']:.2f} s | {r['t_c']:.2f} s | {r['b/a']:.2f} | "
                f"{r['c/a']:.2f} | {r['rss_a']:.0f} / {r['rss_b']:.0f} / {r['rss_c']:.0f} | "
                f"{r['cpu_a']:.2f} / {r['cpu_b']:.2f} / {r['cpu_c']:.2f} | {rounds_text(r)} |",
                flush=True,
            )
        speedup = rate = rate_before = None
        files = sorted((args.dir / "district").glob("*.xlsx"))[: args.district_files]
        if files:
            src = batch_source(files, tmp)
            one, two, before = [], [], []
            for _ in range(args.batch_rounds):
                one.append(bench_batch(src, 1, tmp))
                two.append(bench_batch(src, 2, tmp))
                if args.before:
                    before.append(bench_batch(src, 2, tmp, args.before))
            r1, r2 = statistics.median(one), statistics.median(two)
            print()
            speedup, rate = r2 / r1, r2
            print(
                f"batch of {len(files)} files: 1 job {r1:.2f} files/s, 2 jobs {r2:.2f} files/s, speed-up {speedup:.2f}×"
            )
            if before:
                rate_before = statistics.median(before)
                print(f"the same batch, 2 jobs, with {args.before}: {rate_before:.2f} files/s (alternated)")
    print()
    print(f"total {time.perf_counter() - START:.0f} s")
    for name, value, limit, holds in targets(results, speedup, rate, rate_before):
        print(f"target {name}: {value} (limit {limit}) — {'holds' if holds else 'MISSED'}")
    return 0


# issue 16's targets; "today" = the batch throughput measured before it (bench/RESULTS.md, 2026-11-28: 2 jobs)
BATCH_BEFORE = 7.2  # files/s, 2 jobs, 400 district files


def targets(
    results: dict[int, dict[str, Any]],
    speedup: float | None,
    rate: float | None = None,
    rate_before: float | None = None,
) -> list[tuple[str, str, str, bool]]:
    out = []
    if 100_000 in results:
        r = results[100_000]
        out.append(("check json / bare read, 100k lines", f"{r['b/a']:.2f}", "<= 1.0", r["b/a"] <= 1.0))
        out.append(("check xlsx / bare read, 100k lines", f"{r['c/a']:.2f}", "<= 2.5", r["c/a"] <= 2.5))
    if 10_000 in results:
        r = results[10_000]
        out.append(("check json / bare read, 10k lines", f"{r['b/a']:.2f}", "<= 1.3", r["b/a"] <= 1.3))
    if 500_000 in results:
        r = results[500_000]
        out.append(("peak RSS json, 500k lines", f"{r['rss_b']:.0f} MB", "<= 600 MB", r["rss_b"] <= 600))
        out.append(("peak RSS xlsx, 500k lines", f"{r['rss_c']:.0f} MB", "<= 800 MB", r["rss_c"] <= 800))
    if speedup is not None:
        out.append(("batch 2 jobs / 1 job", f"{speedup:.2f}", ">= 1.9", speedup >= 1.9))
    if rate is not None:
        before = rate_before if rate_before is not None else BATCH_BEFORE
        side = "side by side" if rate_before is not None else "not side by side"
        gain = rate / before
        out.append(
            (
                f"batch files/s, 2 jobs, against {before:.2f} before ({side})",
                f"{rate:.2f} ({gain:.2f}x)",
                ">= 1.5x",
                gain >= 1.5,
            )
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
