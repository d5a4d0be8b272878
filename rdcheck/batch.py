"""Batch validation: check every workbook under a folder in fault-isolated worker processes (spec §5).

Each worker is a long-lived process that checks one file at a time and sends back a JSON-able dict (never a
Report, so big books never cross the process boundary); it writes the feedback workbook itself. The parent
watches every worker: a worker that dies (even by a segfault or os._exit) or runs past the per-file time limit
is killed and replaced, and its file becomes one `error` row. Every input appears exactly once in the output.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing as mp
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from .district import normalise_uscc
from .errors import RdcheckError
from .model import error_dict

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
DEFAULT_TIMEOUT = 300.0
STARTUP_GRACE = 120.0  # how long a fresh worker may take to boot and acknowledge its first file
MAX_STARTUP_FAILURES = 3  # workers that die before acknowledging a file, in a row, before the batch gives up
# fork starts workers at once and works from any caller (a REPL, stdin, a notebook); spawn elsewhere
DEFAULT_START_METHOD = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
FEEDBACK_DIR = "feedback"
SUMMARY_NAME = "summary.xlsx"
RESULTS_NAME = "results.jsonl"
# Test hook: RDCHECK_TEST_FAULT="crash=a.xlsx,hang=b.xlsx,segv=c.xlsx,raise=d.xlsx" makes the worker fail on
# the files with those names, so that tests can prove no file is lost. Unset in normal use.
FAULT_ENV = "RDCHECK_TEST_FAULT"

Progress = Callable[[int, int, dict[str, Any]], None]
CheckFunction = Callable[[str, Any, str], Any]


# ---------------------------------------------------------------- finding the files


def find_workbooks(root: str | os.PathLike[str], exclude: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Return every .xlsx/.xlsm/.xls under root, recursively, sorted by path; skip Office lock files (~$*)."""
    root = Path(root)
    if root.is_file():
        return [root]
    skipped = {Path(p).resolve() for p in exclude}
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if (here / d).resolve() not in skipped)
        for name in filenames:
            if name.startswith(("~$", "._")):  # Office lock files and macOS resource forks
                continue
            if Path(name).suffix.lower() in WORKBOOK_SUFFIXES:
                found.append(here / name)
    return sorted(found, key=str)


# ---------------------------------------------------------------- names built from enterprise data

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_UNSAFE = re.compile(r"[^\w\-.()（）\u4e00-\u9fff]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def valid_uscc(code: str) -> bool:
    """Check a 统一社会信用代码's format and GB 32100-2015 check digit."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def safe_name(text: str, limit: int = 80) -> str:
    """Turn text into one file name that stays inside its folder (no separators, no '..', no control chars)."""
    name = _UNSAFE.sub("_", text).strip("._ ")[:limit].strip("._ ")
    if not name or name.upper() in _WINDOWS_RESERVED:
        name = f"file_{name}" if name else "file"
    return name


def feedback_stem(result: dict[str, Any]) -> str:
    """`<统一社会信用代码>-<年度>` when the code is valid and the year known, else the input file's sanitised name."""
    enterprise = result.get("enterprise") or {}
    code = normalise_uscc(enterprise.get("uscc"))
    year = enterprise.get("year")
    if valid_uscc(code) and isinstance(year, int) and not isinstance(year, bool):
        return f"{code}-{year}"
    return safe_name(Path(str(result.get("file", ""))).stem)


# ---------------------------------------------------------------- the worker side


@dataclass
class WorkerSettings:
    """What a worker needs; picklable so that it crosses into spawned processes."""

    config_path: str | None = None
    lang: str = "zh"
    check: CheckFunction | str | None = None  # default rdcheck.api.check; a callable or "module:function"
    feedback_dir: str | None = None  # write each file's annotated workbook here (as .tmp-<index>.xlsx)
    writer: Callable[..., Any] | str | None = None  # default rdcheck.report.xlsx:write_annotated


def _resolve(target: Any, default: str) -> Callable[..., Any]:
    target = target or default
    if callable(target):
        return target
    module, _, name = str(target).partition(":")
    return getattr(importlib.import_module(module), name)


def _one_line(text: object, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def _fault_hook(path: str) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    name = Path(path).name
    for item in spec.split(","):
        kind, _, target = item.partition("=")
        if target and target.strip() == name:
            kind = kind.strip()
            if kind == "crash":
                os._exit(70)
            if kind == "segv":
                import signal

                os.kill(os.getpid(), signal.SIGSEGV)
            if kind == "hang":
                while True:
                    time.sleep(60)
            if kind == "raise":
                raise RuntimeError(f"injected failure on {name}")


class _Checker:
    """Check one file and return its JSON dict; the config and functions are loaded once per process."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self._config: Any = None
        self._loaded = False

    def config(self) -> Any:
        if not self._loaded:
            self._loaded = True
            if self.settings.config_path is not None or self.settings.check is None:
                from .engine import Config

                self._config = Config.load(self.settings.config_path)
        return self._config

    def __call__(self, index: int, path: str) -> dict[str, Any]:
        lang = self.settings.lang
        try:
            _fault_hook(path)
            check = _resolve(self.settings.check, "rdcheck.api:check")
            report = check(path, self.config(), lang)
        except RdcheckError as exc:
            return error_dict(path, _one_line(exc.message(lang)))
        except MemoryError:
            return error_dict(path, "内存不足，无法检查此文件" if lang == "zh" else "out of memory checking this file")
        except Exception as exc:  # a bug in a checker must cost one row, not the batch
            head = "内部错误" if lang == "zh" else "internal error"
            return error_dict(path, _one_line(f"{head}：{type(exc).__name__}: {exc}"))
        result = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        result["file"] = path
        if self.settings.feedback_dir is not None and hasattr(report, "to_dict"):
            tmp = Path(self.settings.feedback_dir) / f".tmp-{index:06d}.xlsx"
            try:
                writer = _resolve(self.settings.writer, "rdcheck.report.xlsx:write_annotated")
                writer(report, str(tmp), lang)
                result["_feedback_tmp"] = str(tmp)
            except Exception as exc:
                tmp.unlink(missing_ok=True)
                result["feedback_error"] = _one_line(f"{type(exc).__name__}: {exc}")
        return result


def _worker_main(conn: Any, settings: WorkerSettings) -> None:
    """Serve (index, path) tasks until told to stop: ('start', index) then ('done', index, result)."""
    import faulthandler
    import sys
    import warnings

    warnings.simplefilter("ignore")
    # Stray output (prints, warnings, a native library's panic message, a crash dump) must not break the
    # parent's progress bar: the worker's own stdout and stderr go nowhere, at the descriptor level too.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the worker's whole life
    checker = _Checker(settings)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path = task
        conn.send(("start", index))
        conn.send(("done", index, checker(index, path)))


# ---------------------------------------------------------------- the parent side


class WorkerStartError(RdcheckError):
    """Worker processes die before they check anything: the environment is broken, not a file."""


@dataclass
class _Worker:
    process: Any
    conn: Any
    index: int | None = None
    deadline: float = 0.0
    started: bool = False


def _spawn(ctx: Any, settings: WorkerSettings) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_worker_main, args=(child, settings), daemon=True)
    process.start()
    child.close()
    return _Worker(process=process, conn=parent)


def _stop(worker: _Worker, kill: bool) -> None:
    if kill:
        worker.process.kill()
    else:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    worker.process.join(timeout=None if kill else 5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


def _exit_reason(exitcode: int | None, lang: str) -> str:
    if exitcode is not None and exitcode < 0:
        import signal

        try:
            sig = signal.Signals(-exitcode).name
        except ValueError:
            sig = str(-exitcode)
        return f"检查进程崩溃（信号 {sig}）" if lang == "zh" else f"the checking process crashed (signal {sig})"
    return (
        f"检查进程异常退出（退出码 {exitcode}）"
        if lang == "zh"
        else f"the checking process exited unexpectedly (exit code {exitcode})"
    )


def _run_pool(
    paths: Sequence[str],
    jobs: int,
    settings: WorkerSettings,
    timeout: float,
    on_result: Callable[[int, dict[str, Any]], None],
    start_method: str | None,
) -> None:
    ctx = mp.get_context(start_method)
    pending = deque(range(len(paths)))
    workers: list[_Worker] = []
    lang = settings.lang
    startup_failures = 0

    def finish(worker: _Worker, result: dict[str, Any]) -> None:
        index = worker.index
        worker.index = None
        assert index is not None
        on_result(index, result)

    try:
        while pending or any(w.index is not None for w in workers):
            busy = sum(1 for w in workers if w.index is not None)
            while len(workers) < min(jobs, busy + len(pending)):
                workers.append(_spawn(ctx, settings))
            for w in workers:
                if w.index is None and pending:
                    index = pending.popleft()
                    try:
                        w.conn.send((index, paths[index]))
                    except OSError:  # the idle worker died; give the file to a fresh one
                        pending.appendleft(index)
                        continue
                    w.index, w.started = index, False
                    w.deadline = time.monotonic() + timeout + STARTUP_GRACE
            busy_workers = [w for w in workers if w.index is not None]
            dead_idle = [w for w in workers if w.index is None and not w.process.is_alive()]
            for w in dead_idle:
                _stop(w, kill=True)
                workers.remove(w)
            if not busy_workers:
                continue
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline for w in busy_workers) - now)
            handles = [w.conn for w in busy_workers] + [w.process.sentinel for w in busy_workers]
            ready = set(wait(handles, timeout=wait_for))
            now = time.monotonic()
            for w in busy_workers:
                broken = False
                if w.conn in ready or w.process.sentinel in ready:
                    try:
                        while w.index is not None and w.conn.poll():
                            message = w.conn.recv()
                            if message[0] == "start" and message[1] == w.index:
                                w.started, w.deadline = True, time.monotonic() + timeout
                                startup_failures = 0
                            elif message[0] == "done" and message[1] == w.index:
                                finish(w, message[2])
                    except (EOFError, OSError):
                        broken = True
                if w.index is None:
                    continue
                dead = broken or not w.process.is_alive()
                if not w.started and (dead or now >= w.deadline):
                    # The worker died before it touched the file: not the file's fault. Give the file to a
                    # fresh worker; if workers cannot even start, say so instead of failing every file.
                    _stop(w, kill=True)
                    workers.remove(w)
                    pending.appendleft(w.index)
                    w.index = None
                    startup_failures += 1
                    if startup_failures >= MAX_STARTUP_FAILURES:
                        raise WorkerStartError(
                            f"无法启动检查进程（退出码 {w.process.exitcode}）",
                            f"cannot start the checking processes (exit code {w.process.exitcode})",
                        )
                    continue
                if dead:
                    _stop(w, kill=True)
                    finish(w, error_dict(paths[w.index], _exit_reason(w.process.exitcode, lang)))
                    workers.remove(w)
                elif now >= w.deadline:
                    _stop(w, kill=True)
                    reason = (
                        f"检查超时（超过 {timeout:g} 秒），已终止"
                        if lang == "zh"
                        else f"timed out (over {timeout:g} s) and was stopped"
                    )
                    finish(w, error_dict(paths[w.index], reason))
                    workers.remove(w)
    finally:
        for w in workers:
            _stop(w, kill=w.index is not None)


# ---------------------------------------------------------------- superseded submissions


def mark_superseded(results: list[dict[str, Any]], mtimes: Sequence[float]) -> None:
    """Keep the newest submission of each (统一社会信用代码, 年度); mark the others `superseded` in place.

    Newest by modification time; on a tie, the path that sorts last (spec §5). The check status moves to
    "check_status"; "superseded_by" names the file that counts.
    """
    groups: dict[tuple[str, Any], list[int]] = {}
    for i, r in enumerate(results):
        if r.get("status") in ("error", "superseded"):
            continue
        enterprise = r.get("enterprise") or {}
        code = normalise_uscc(enterprise.get("uscc"))
        year = enterprise.get("year")
        if code and year is not None:
            groups.setdefault((code, year), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        winner = max(members, key=lambda i: (mtimes[i], str(results[i].get("file", ""))))
        for i in members:
            if i != winner:
                r = results[i]
                r["check_status"] = r.get("status")
                r["status"] = "superseded"
                r["superseded_by"] = results[winner].get("file")


# ---------------------------------------------------------------- running


@dataclass
class BatchResult:
    """What a batch produced: one JSON dict per input (sorted by path) and where the outputs went."""

    results: list[dict[str, Any]]
    out_dir: Path | None = None
    elapsed: float = 0.0
    jobs: int = 1
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("pass", "warn", "fail", "error", "superseded"), 0)
        for r in self.results:
            counts[r.get("status", "error")] = counts.get(r.get("status", "error"), 0) + 1
        return counts


def _preload(feedback: bool) -> None:
    """Import the checker once here, so that forked workers share it instead of each importing pandas."""
    modules = ["rdcheck.api", "rdcheck.compute", "rdcheck.engine", "rdcheck.workbook.reader"]
    if feedback:
        modules.append("rdcheck.report.xlsx")
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a worker will report the same problem against each file, with its reason
            return


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_files(
    paths: Sequence[str | os.PathLike[str]],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    lang: str = "zh",
    check: CheckFunction | str | None = None,
    feedback_dir: str | os.PathLike[str] | None = None,
    writer: Callable[..., Any] | str | None = None,
    isolate: bool = True,
    start_method: str | None = DEFAULT_START_METHOD,
) -> list[dict[str, Any]]:
    """Check files in parallel; return one JSON dict per path, in the paths' order, superseded ones marked.

    isolate=False runs in this process (no protection against crashes or hangs; for debugging).
    """
    names = [str(p) for p in paths]
    settings = WorkerSettings(
        config_path=None if config_path is None else str(config_path),
        lang=lang,
        check=check,
        feedback_dir=None if feedback_dir is None else str(feedback_dir),
        writer=writer,
    )
    if feedback_dir is not None:
        Path(feedback_dir).mkdir(parents=True, exist_ok=True)
    mtimes = []
    for name in names:
        try:
            mtimes.append(os.stat(name).st_mtime)
        except OSError:
            mtimes.append(0.0)
    results: list[dict[str, Any] | None] = [None] * len(names)
    done = 0

    def on_result(index: int, result: dict[str, Any]) -> None:
        nonlocal done
        if results[index] is not None:  # never twice; a late duplicate is ignored
            return
        results[index] = result
        done += 1
        if progress is not None:
            progress(done, len(names), result)

    jobs = max(1, jobs or default_jobs())
    if isolate and names and start_method == "fork" and check is None:
        _preload(feedback_dir is not None)
    if not isolate:
        checker = _Checker(settings)
        for i, name in enumerate(names):
            on_result(i, checker(i, name))
    elif names:
        _run_pool(names, min(jobs, len(names)), settings, timeout, on_result, start_method)
    final = [r if r is not None else error_dict(names[i], "未得到检查结果") for i, r in enumerate(results)]
    mark_superseded(final, mtimes)
    return final


def _place_feedback(results: list[dict[str, Any]], out_dir: Path) -> None:
    """Give each counted file's annotated workbook its final name; drop those of superseded files."""
    feedback = out_dir / FEEDBACK_DIR
    taken: set[str] = set()
    for r in results:
        tmp = r.pop("_feedback_tmp", None)
        if tmp is None:
            continue
        if r.get("status") == "superseded":
            Path(tmp).unlink(missing_ok=True)
            continue
        stem = feedback_stem(r)
        name, n = f"{stem}.xlsx", 2
        while name.lower() in taken:
            name, n = f"{stem}-{n}.xlsx", n + 1
        taken.add(name.lower())
        target = feedback / name
        os.replace(tmp, target)
        r["feedback"] = f"{FEEDBACK_DIR}/{name}"
    for leftover in feedback.glob(".tmp-*.xlsx"):  # a worker that died while writing
        leftover.unlink(missing_ok=True)


def write_results_jsonl(results: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in results:
            fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False, allow_nan=False, default=str))
            fh.write("\n")


def read_results_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a batch's results.jsonl; raise ConfigError naming the line that is not a JSON report."""
    from .errors import ConfigError

    results = []
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 JSON：{exc.msg}", f"{path}: line {n} is not JSON: {exc.msg}"
                    ) from None
                if not isinstance(item, dict) or "file" not in item or "status" not in item:
                    raise ConfigError(
                        f"{path}: 第 {n} 行不是 rdcheck 检查结果", f"{path}: line {n} is not an rdcheck report"
                    )
                results.append(item)
    except OSError as exc:
        raise ConfigError(f"无法读取 {path}：{exc.strerror}", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} 不是 UTF-8 文本", f"{path} is not UTF-8 text") from None
    return results


def run_batch(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    lang: str = "zh",
    check: CheckFunction | str | None = None,
    writer: Callable[..., Any] | str | None = None,
    feedback: bool = True,
    isolate: bool = True,
    start_method: str | None = DEFAULT_START_METHOD,
) -> BatchResult:
    """Check every path and write summary.xlsx, results.jsonl and feedback/ to out_dir. Never prints."""
    started = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ordered = sorted(str(p) for p in paths)
    feedback_dir = out / FEEDBACK_DIR if feedback else None
    results = check_files(
        ordered,
        jobs=jobs,
        config_path=config_path,
        timeout=timeout,
        progress=progress,
        lang=lang,
        check=check,
        feedback_dir=feedback_dir,
        writer=writer,
        isolate=isolate,
        start_method=start_method,
    )
    if feedback_dir is not None:
        _place_feedback(results, out)
    for r in results:
        r.pop("_feedback_tmp", None)
    outputs = {"results": out / RESULTS_NAME, "summary": out / SUMMARY_NAME}
    write_results_jsonl(results, outputs["results"])
    from .report.summary_xlsx import write_summary

    write_summary(results, outputs["summary"], lang=lang)
    if feedback_dir is not None:
        outputs["feedback"] = feedback_dir
    return BatchResult(
        results=results,
        out_dir=out,
        elapsed=time.monotonic() - started,
        jobs=max(1, jobs or default_jobs()),
        outputs=outputs,
    )


__all__ = [
    "BatchResult",
    "DEFAULT_START_METHOD",
    "DEFAULT_TIMEOUT",
    "WorkerStartError",
    "WORKBOOK_SUFFIXES",
    "check_files",
    "default_jobs",
    "feedback_stem",
    "find_workbooks",
    "mark_superseded",
    "read_results_jsonl",
    "run_batch",
    "safe_name",
    "valid_uscc",
    "write_results_jsonl",
]
