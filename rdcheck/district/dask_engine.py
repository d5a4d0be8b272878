"""`rdcheck batch --scheduler`: the same per-file check as the local pool, run on a dask.distributed cluster.

A province checks its season (tens of thousands of workbooks) on several machines: a Dask scheduler, workers on
each machine, the input folder and the output folder on storage every machine sees at the same path. The client
(this process) submits one task per file and collects one JSON dict per file, exactly as `run_pool` does, so that
results.jsonl is byte for byte the local pool's.

The check itself never runs in a Dask worker's own thread: each worker thread keeps one checking process of the
local pool's kind (rdcheck.district.pool's worker, the same protocol), so a file that hangs is killed at the same
time limit and a file that crashes its process is the same error row as on one machine. A Dask worker lost while
it checks a file (its machine goes away) is the scheduler's business: the file is given to another worker once;
lost twice, it is that file's error row (SCHEDULER_CONFIG below: set on a LocalCluster; a province sets it on
its scheduler, see the README).

Feedback workbooks: a worker that sees the run's folder in OUT writes each file's annotated copy there itself;
otherwise it returns the workbook's bytes with the result and this process writes them.

`distributed` is the optional extra `rdcheck[dask]`; it is imported only here, only when a scheduler is asked for.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import error_dict
from .pool import (
    FAULT_ENV,
    MAX_STARTUP_FAILURES,
    STARTUP_GRACE,
    WorkerSettings,
    WorkerStartError,
    _exit_reason,
    _spawn,
    _stop,
    _Worker,
    timeout_reason,
)

LOCAL = "local"
# The checking process inside a Dask worker is started fresh (spawn): a Dask worker runs several threads, and a
# fork of a threaded process may inherit a lock held by another thread.
CHILD_START_METHOD = "spawn"
FEEDBACK_BYTES = "_feedback_bytes"
# Test hook (with FAULT_ENV): "loseworker=a.xlsx" ends the Dask worker process itself on that file, every time;
# "loseonce=b.xlsx" only the first time (a marker in $RDCHECK_TEST_FAULT_MARKS remembers it).
MARKS_ENV = "RDCHECK_TEST_FAULT_MARKS"
# What the scheduler must be told (a LocalCluster here; a province's scheduler by its config, see the README): a
# file whose worker is lost is retried once, and a worker is handed a file only when it has a free thread, so that
# a lost worker takes down (and counts a loss against) the file it was checking and no file queued behind it.
SCHEDULER_CONFIG = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0}


def _lost(path: str, lang: str) -> dict[str, Any]:
    return error_dict(
        path,
        "检查节点在检查此文件时两次丢失（已重试一次），未能检查"
        if lang == "zh"
        else "the cluster lost the worker checking this file twice (retried once); not checked",
    )


# ---------------------------------------------------------------- the Dask worker side


def _allow_children() -> None:
    """Let this Dask worker start its checking process.

    A nanny starts its worker as a daemonic process, and multiprocessing refuses children to those (it could not
    join them at exit). Ours are joined or killed by the runner, and end with their parent by themselves.
    """
    me = mp.current_process()
    if me.daemon:
        me._config["daemon"] = False  # type: ignore[attr-defined]


class _Runner:
    """One checking process of the local pool's kind, kept alive across the files a Dask worker thread checks."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.ctx = mp.get_context(CHILD_START_METHOD)
        self.worker: _Worker | None = None

    def close(self) -> None:
        if self.worker is not None:
            _stop(self.worker, kill=False)
            self.worker = None

    def _drop(self) -> None:
        if self.worker is not None:
            _stop(self.worker, kill=True)
            self.worker = None

    def check(self, index: int, path: str, timeout: float) -> dict[str, Any]:
        lang = self.settings.lang
        exitcode: int | None = None
        for _attempt in range(MAX_STARTUP_FAILURES):
            if self.worker is None or not self.worker.process.is_alive():
                self._drop()
                _allow_children()
                self.worker = _spawn(self.ctx, self.settings)
            w = self.worker
            try:
                w.conn.send((index, path))
            except OSError:  # the idle process died: not the file's fault
                exitcode = w.process.exitcode
                self._drop()
                continue
            started, deadline = False, time.monotonic() + timeout + STARTUP_GRACE
            while True:
                ready = wait([w.conn, w.process.sentinel], timeout=max(0.0, deadline - time.monotonic()))
                broken = False
                if ready:
                    try:
                        while w.conn.poll():
                            message = w.conn.recv()
                            if message[0] == "start" and message[1] == index:
                                started, deadline = True, time.monotonic() + timeout
                            elif message[0] == "done" and message[1] == index:
                                return message[2]
                    except (EOFError, OSError):
                        broken = True
                dead = broken or not w.process.is_alive()
                expired = time.monotonic() >= deadline
                if not (dead or expired):
                    continue
                if dead:  # the pipe's end-of-file can come before the exit is reaped: wait for the exit code
                    w.process.join(timeout=5)
                exitcode = w.process.exitcode
                self._drop()
                if not started:  # died or stuck before it touched the file: a fresh process gets it
                    break
                if dead:
                    return error_dict(path, _exit_reason(exitcode, lang))
                return error_dict(path, timeout_reason(timeout, lang))
        raise WorkerStartError(
            f"无法启动检查进程（退出码 {exitcode}）", f"cannot start the checking processes (exit code {exitcode})"
        )


_RUNNERS: dict[int, _Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def _runner(settings: WorkerSettings) -> _Runner:
    key = threading.get_ident()
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(key)
        if runner is not None and runner.settings != settings:  # another batch on the same cluster
            runner.close()
            runner = None
        if runner is None:
            runner = _RUNNERS[key] = _Runner(settings)
    return runner


def close_runners() -> None:
    """Stop this process's checking processes (a worker shutting down; a test)."""
    with _RUNNERS_LOCK:
        for runner in _RUNNERS.values():
            runner.close()
        _RUNNERS.clear()


def _lose_worker_hook(path: str) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    name = Path(path).name
    for item in spec.split(","):
        kind, _, target = (part.strip() for part in item.partition("="))
        if target != name:
            continue
        if kind == "loseworker":
            os._exit(71)
        if kind == "loseonce":
            mark = Path(os.environ.get(MARKS_ENV, tempfile.gettempdir())) / f"lost-{name}"
            try:
                mark.touch(exist_ok=False)
            except FileExistsError:
                return
            os._exit(71)


def check_on_worker(
    index: int, path: str, settings: WorkerSettings, timeout: float, return_feedback: bool
) -> dict[str, Any]:
    """The Dask task: check one file in this worker's checking process; return the pool's JSON dict.

    With return_feedback the annotated workbook is written to a private temporary folder here and its bytes
    travel back with the result (the client cannot count on this machine's disk).
    """
    _lose_worker_hook(path)
    if not return_feedback or settings.feedback_dir is None:
        return _runner(settings).check(index, path, timeout)
    local = Path(tempfile.gettempdir()) / f"rdcheck-dask-{os.getpid()}"
    local.mkdir(mode=0o700, exist_ok=True)
    here = WorkerSettings(**{**settings.__dict__, "feedback_dir": str(local)})
    result = _runner(here).check(index, path, timeout)
    tmp = result.pop("_feedback_tmp", None)
    if tmp is not None:
        try:
            result[FEEDBACK_BYTES] = Path(tmp).read_bytes()
        except OSError as exc:
            result["_feedback_error"] = f"{type(exc).__name__}: {exc}"
        finally:
            Path(tmp).unlink(missing_ok=True)
    return result


def _sees(folder: str) -> bool:
    return os.path.isdir(folder) and os.access(folder, os.W_OK)


# ---------------------------------------------------------------- the client side


def _client(scheduler: str, jobs: int) -> tuple[Any, Any]:
    """Return (client, cluster): a LocalCluster of `jobs` one-thread workers for "local", else a connection."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "--scheduler 需要 dask.distributed：pip install 'rdcheck[dask]'",
            "--scheduler needs dask.distributed: pip install 'rdcheck[dask]'",
        ) from None
    import logging

    if scheduler == LOCAL:
        with dask.config.set(SCHEDULER_CONFIG | {"distributed.worker.daemon": False}):
            cluster = LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=30), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(
            f"无法连接 Dask 调度器 {scheduler}：{exc}", f"cannot reach the Dask scheduler {scheduler}: {exc}"
        ) from None


def run_dask(
    paths: Sequence[str],
    jobs: int,
    settings: WorkerSettings,
    timeout: float,
    on_result: Callable[[int, dict[str, Any]], None],
    scheduler: str,
) -> None:
    """Check paths on a Dask cluster; call on_result(index, result) once per path, in any order (as run_pool).

    scheduler: "local" (a LocalCluster of `jobs` workers on this machine) or a scheduler's address
    ("tcp://host:8786"); `jobs` is ignored for an existing cluster, whose size is its own.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    try:
        from distributed import KilledWorker
    except ImportError:  # older releases
        from distributed.scheduler import KilledWorker

    client, cluster = _client(scheduler, jobs)
    try:
        feedback = settings.feedback_dir
        shared = True
        if feedback is not None:
            seen = client.run(_sees, feedback)
            shared = bool(seen) and all(seen.values())
        lang = settings.lang
        futures = {}
        run = os.urandom(6).hex()  # task keys unique to this run on a shared scheduler
        for index, path in enumerate(paths):
            future = client.submit(
                check_on_worker, index, path, settings, timeout, not shared, key=f"rdcheck-{run}-{index}"
            )
            futures[future] = index
        for future in as_completed(futures):
            index = futures.pop(future)
            try:
                result = future.result()
            except KilledWorker:
                result = _lost(paths[index], lang)
            except WorkerStartError:
                raise
            except FutureCancelledError:
                result = _lost(paths[index], lang)
            except Exception as exc:  # the task itself failed outside the checker: that file's row
                head = "内部错误" if lang == "zh" else "internal error"
                result = error_dict(paths[index], f"{head}：{type(exc).__name__}: {exc}")
            data = result.pop(FEEDBACK_BYTES, None)
            if data is not None and feedback is not None:
                tmp = Path(feedback) / f"{index:06d}.xlsx"
                try:
                    tmp.write_bytes(data)
                    result["_feedback_tmp"] = str(tmp)
                except OSError as exc:
                    tmp.unlink(missing_ok=True)
                    result["_feedback_error"] = f"{type(exc).__name__}: {exc}"
            on_result(index, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["LOCAL", "check_on_worker", "close_runners", "run_dask"]
