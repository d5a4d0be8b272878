"""Uploaded workbooks checked in the fault-isolated worker pool, and the expiring store of their results.

Each upload becomes a Job with an unguessable id (its report page and download link). The upload is written
under the server's own work folder, in a folder named by the job id, as `upload<suffix>` — no name from the
request ever reaches the disk. Jobs queue for `workers` threads, each of which runs one check through
`rdcheck.district.pool.run_pool` (a fresh worker process from the fork server, killed at the time-out), so a
hostile workbook costs its own error page and never the server. The upload is deleted once checked unless it
is to be kept (a register is configured); the annotated copy lives until the job expires.
"""

from __future__ import annotations

import multiprocessing as mp
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..district.pool import WorkerSettings, run_pool
from ..model import error_dict

PRELOAD = "rdcheck.web.preload"
START_METHOD = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


@dataclass
class Job:
    """One uploaded workbook: queued, then checking, then done (with its JSON result and annotated copy)."""

    id: str
    name: str  # the file name the user gave, for showing only
    folder: Path
    upload: Path
    lang: str
    created: float = field(default_factory=time.monotonic)
    state: str = "queued"  # queued, checking, done
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    feedback: Path | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.monotonic()) - self.started


class JobStore:
    """Runs checks on `workers` threads and keeps each job until `ttl` seconds after it was created."""

    def __init__(
        self,
        work_dir: str | None,
        workers: int,
        timeout: float,
        ttl: float,
        config_path: str | None = None,
        keep_dir: str | None = None,
        max_queue: int = 64,
    ) -> None:
        self._own_dir = work_dir is None
        self.root = Path(work_dir or tempfile.mkdtemp(prefix="rdcheck-serve-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.workers = max(1, workers)
        self.timeout = timeout
        self.ttl = ttl
        self.config_path = config_path
        self.keep_dir = Path(keep_dir) if keep_dir else None
        self.max_queue = max_queue
        self.start_method = START_METHOD
        self.running = 0  # checks under way now
        self.peak = 0  # the most that were ever under way at once (never above workers)
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []  # queued job ids, oldest first (for the queue position)
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="rdcheck-check")

    # ------------------------------------------------------------ jobs

    def new(self, name: str, suffix: str, lang: str) -> Job:
        """A job with its own folder; the caller writes the upload to job.upload, then calls submit()."""
        self.purge()
        job_id = secrets.token_urlsafe(24)
        folder = self.root / secrets.token_hex(16)
        folder.mkdir()
        return Job(id=job_id, name=name, folder=folder, upload=folder / f"upload{suffix}", lang=lang)

    def load(self) -> dict[str, int]:
        """How many checks are under way and how many wait (for /healthz)."""
        with self._lock:
            return {"checking": self.running, "queued": len(self._order) - self.running}

    def busy(self) -> bool:
        """True when the queue is full: a new upload should be told to come back later."""
        with self._lock:
            return len(self._order) >= self.max_queue

    def submit(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
            self._order.append(job.id)
        self._executor.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or time.monotonic() - job.created > self.ttl:
            return None
        return job

    def position(self, job: Job) -> int:
        """How many checks wait before this one (0 when it is being checked or done)."""
        with self._lock:
            if job.state != "queued" or job.id not in self._order:
                return 0
            return max(0, self._order.index(job.id) - self.workers + 1)

    def wait(self, job: Job) -> Job:
        job.done.wait()
        return job

    # ------------------------------------------------------------ checking

    def _run(self, job: Job) -> None:
        try:
            with self._lock:
                job.state, job.started = "checking", time.monotonic()
                self.running += 1
                self.peak = max(self.peak, self.running)
            job.result = self._check(job)
        except Exception as exc:  # the pool itself failed (workers cannot start): one error page, not a 500
            head = "内部错误" if job.lang == "zh" else "internal error"
            job.result = error_dict(job.name, f"{head}：{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                if job.id in self._order:
                    self._order.remove(job.id)
                if job.state == "checking":
                    self.running -= 1
                job.state, job.finished = "done", time.monotonic()
            if self.keep_dir is None:
                job.upload.unlink(missing_ok=True)
            job.done.set()

    def _check(self, job: Job) -> dict[str, Any]:
        settings = WorkerSettings(config_path=self.config_path, lang=job.lang, feedback_dir=str(job.folder))
        results: list[dict[str, Any]] = []
        run_pool([str(job.upload)], 1, settings, self.timeout, lambda _i, r: results.append(r), self.start_method)
        result = dict(results[0])
        tmp = result.pop("_feedback_tmp", None)
        result.pop("_feedback_error", None)
        if tmp:
            feedback = job.folder / "annotated.xlsx"
            Path(tmp).replace(feedback)
            job.feedback = feedback
        # the report names the file as the user knows it; an error never shows the server's own path
        if "error" in result:
            result["error"] = str(result["error"]).replace(str(job.upload), job.name)
        result["file"] = job.name
        if self.keep_dir is not None and result.get("sha256"):
            self.keep_dir.mkdir(parents=True, exist_ok=True)
            kept = self.keep_dir / f"{result['sha256']}{job.upload.suffix}"
            shutil.move(str(job.upload), kept)
            result["_kept"] = str(kept)
        return result

    # ------------------------------------------------------------ housekeeping

    def purge(self) -> None:
        """Forget and delete the jobs whose links have expired."""
        now = time.monotonic()
        with self._lock:
            old = [j for j in self._jobs.values() if j.state == "done" and now - j.created > self.ttl]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._own_dir:
            shutil.rmtree(self.root, ignore_errors=True)


def start_fork_server() -> None:
    """Start the fork server now, with the checker imported, so that each check forks a ready process."""
    if START_METHOD != "forkserver":
        return
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    from multiprocessing import forkserver

    forkserver.ensure_running()
