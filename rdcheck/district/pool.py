"""The worker pool behind `rdcheck batch`: fault-isolated processes that check one file at a time.

Each worker is a long-lived process that checks one file at a time and sends back a JSON-able dict (never a
Report, so big books never cross the process boundary); it writes the feedback workbook itself. The parent
watches every worker: a worker that dies (even by a segfault or os._exit) or runs past the per-file time limit
is killed and replaced, and its file becomes one `error` row. A worker that dies before it touched its file is
not the file's fault: the file goes to a fresh worker.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from ..errors import RdcheckError
from ..model import error_dict
from ..text import one_line
from ..workbook.safety import is_interrupt
from .lock import close_inherited_locks

DEFAULT_TIMEOUT = 300.0
STARTUP_GRACE = 120.0  # how long a fresh worker may take to boot and acknowledge its first file
MAX_STARTUP_FAILURES = 3  # workers that die before acknowledging a file, in a row, before the batch gives up
# fork starts workers at once and works from any caller (a REPL, stdin, a notebook); spawn elsewhere
DEFAULT_START_METHOD = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
# Test hook: RDCHECK_TEST_FAULT="crash=a.xlsx,hang=b.xlsx,segv=c.xlsx,raise=d.xlsx" makes the worker fail on
# the files with those names, so that tests can prove no file is lost. Unset in normal use.
FAULT_ENV = "RDCHECK_TEST_FAULT"

CheckFunction = Callable[[str, Any, str], Any]
PARENT_POLL = 1.0  # seconds between a worker's looks at whether its parent is still there
WAIT_SLICE = 0.5  # the parent wakes this often, so that a signal (and a stop request) is acted on at once
_STOP_REQUESTS: list[int] = []  # signals asked to stop the pool (see request_stop)
_RUNNING: list[bool] = []  # one entry while run_pool runs


def request_stop(signum: int) -> bool:
    """Ask a running pool to stop (from a signal handler); return False when no pool runs (the caller acts).

    The pool raises KeyboardInterrupt (with .signum) at its next wake-up, within WAIT_SLICE. A handler's own
    KeyboardInterrupt could land anywhere, even in a callback that ignores exceptions (a fork hook), and be lost.
    """
    _STOP_REQUESTS.append(signum)
    return bool(_RUNNING)


_PARENT_ENDS: set[Any] = set()  # this process's ends of its workers' pipes: never inherited by a forked child


def _after_fork_in_child() -> None:
    """In any child forked from here: close the parent's pipe ends and folder locks it inherited.

    A worker holding the parent's end of its own pipe would never see end-of-file when the parent dies, and would
    wait in recv forever; one holding the output folder's lock would keep the folder locked after its parent.
    """
    for conn in list(_PARENT_ENDS):
        try:
            conn.close()
        except OSError:
            pass
    _PARENT_ENDS.clear()
    close_inherited_locks()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ---------------------------------------------------------------- the worker side


@dataclass
class WorkerSettings:
    """What a worker needs; picklable so that it crosses into spawned processes."""

    config_path: str | None = None
    lang: str = "zh"
    check: CheckFunction | str | None = None  # default rdcheck.api.check; a callable or "module:function"
    feedback_dir: str | None = None  # this run's own folder: each file's annotated workbook goes to <index>.xlsx
    writer: Callable[..., Any] | str | None = None  # default rdcheck.report.xlsx:write_annotated


def _resolve(target: Any, default: str) -> Callable[..., Any]:
    target = target or default
    if callable(target):
        return target
    module, _, name = str(target).partition(":")
    return getattr(importlib.import_module(module), name)


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
                from ..engine import Config

                self._config = Config.load(self.settings.config_path)
        return self._config

    def __call__(self, index: int, path: str) -> dict[str, Any]:
        lang = self.settings.lang
        try:
            _fault_hook(path)
            check = _resolve(self.settings.check, "rdcheck.api:check")
            report = check(path, self.config(), lang)
        except RdcheckError as exc:
            return error_dict(path, one_line(exc.message(lang), 300))
        except MemoryError:
            return error_dict(path, "内存不足，无法检查此文件" if lang == "zh" else "out of memory checking this file")
        except BaseException as exc:  # a bug, or a native panic (a BaseException), must cost one row, not the batch
            if is_interrupt(exc):
                raise
            head = "内部错误" if lang == "zh" else "internal error"
            return error_dict(path, one_line(f"{head}：{type(exc).__name__}: {exc}", 300))
        result = report.to_dict() if hasattr(report, "to_dict") else dict(report)
        result["file"] = path
        if self.settings.feedback_dir is not None and hasattr(report, "to_dict"):
            tmp = Path(self.settings.feedback_dir) / f"{index:06d}.xlsx"
            try:
                writer = _resolve(self.settings.writer, "rdcheck.report.xlsx:write_annotated")
                writer(report, str(tmp), lang)
                result["_feedback_tmp"] = str(tmp)
            except BaseException as exc:  # a native panic too: the file's feedback is lost, not the worker
                if is_interrupt(exc):
                    raise
                tmp.unlink(missing_ok=True)
                result["_feedback_error"] = one_line(f"{type(exc).__name__}: {exc}", 300)
        return result


def _die_with_parent(expected: int | None) -> None:
    """End this worker when its parent ends, however the parent ends (SIGKILL included).

    `expected` is the pid of the process that started the worker when it is its parent (fork, spawn); under
    forkserver the parent is the fork server, which itself ends with the process it serves.

    On Linux the kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG); everywhere a daemon thread looks
    at the parent's pid every PARENT_POLL seconds. SIGTERM and SIGHUP end a worker at once (a handler inherited
    from the parent must not turn them into a Python exception the checker could catch); Ctrl-C is the parent's
    to handle: it stops its workers itself.
    """
    import signal
    import threading

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):  # not Linux
        pass
    parent_pid = os.getppid()
    if expected is not None and parent_pid != expected:  # the parent went before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="rdcheck-parent-watch", daemon=True).start()


def _worker_main(conn: Any, settings: WorkerSettings, parent_pid: int | None = None) -> None:
    """Serve (index, path) tasks until told to stop: ('start', index) then ('done', index, result)."""
    import faulthandler
    import sys
    import warnings

    _die_with_parent(parent_pid)
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
    _PARENT_ENDS.add(parent)
    expected = os.getpid() if ctx.get_start_method() in ("fork", "spawn") else None
    process = ctx.Process(target=_worker_main, args=(child, settings, expected), daemon=True)
    try:
        process.start()
    except BaseException:
        _PARENT_ENDS.discard(parent)
        parent.close()
        raise
    finally:
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
    _PARENT_ENDS.discard(worker.conn)
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


def timeout_reason(timeout: float, lang: str) -> str:
    return (
        f"检查超时（超过 {timeout:g} 秒），已终止"
        if lang == "zh"
        else f"timed out (over {timeout:g} s) and was stopped"
    )


def run_pool(
    paths: Sequence[str],
    jobs: int,
    settings: WorkerSettings,
    timeout: float,
    on_result: Callable[[int, dict[str, Any]], None],
    start_method: str | None,
) -> None:
    """Check paths in `jobs` worker processes; call on_result(index, result) once per path, in any order."""
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

    _STOP_REQUESTS.clear()
    _RUNNING.append(True)
    try:
        while pending or any(w.index is not None for w in workers):
            if _STOP_REQUESTS:
                stop = KeyboardInterrupt()
                stop.signum = _STOP_REQUESTS[-1]  # type: ignore[attr-defined]
                raise stop
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
            wait_for = min(WAIT_SLICE, max(0.0, min(w.deadline for w in busy_workers) - now))
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
                    finish(w, error_dict(paths[w.index], timeout_reason(timeout, lang)))
                    workers.remove(w)
    finally:
        _RUNNING.pop()
        for w in workers:
            _stop(w, kill=w.index is not None)


def preload(feedback: bool) -> None:
    """Import the checker once here, so that forked workers share it instead of each importing pandas."""
    modules = ["rdcheck.api", "rdcheck.checks", "rdcheck.compute", "rdcheck.engine", "rdcheck.workbook.reader"]
    if feedback:
        modules.append("rdcheck.report.xlsx")
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a worker will report the same problem against each file, with its reason
            return
    try:
        from ..engine import load_catalogue
        from ..schema import warm_up

        load_catalogue()
        warm_up()  # pandera's first validation, paid here once instead of in every worker
    except Exception:
        return


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_here(
    paths: Sequence[str], settings: WorkerSettings, on_result: Callable[[int, dict[str, Any]], None]
) -> None:
    """Check paths one by one in this process (no protection against crashes or hangs; for debugging)."""
    checker = _Checker(settings)
    for i, path in enumerate(paths):
        on_result(i, checker(i, path))


__all__ = [
    "DEFAULT_START_METHOD",
    "DEFAULT_TIMEOUT",
    "FAULT_ENV",
    "WorkerSettings",
    "WorkerStartError",
    "check_here",
    "default_jobs",
    "preload",
    "request_stop",
    "run_pool",
    "timeout_reason",
]
