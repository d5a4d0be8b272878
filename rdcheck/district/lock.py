"""An advisory lock on an output folder, so that two runs never write into one folder at once.

The lock is ``fcntl.flock`` on ``OUT/.rdcheck.lock``, held for the whole run. The kernel releases it when the
holding process ends however it ends (a crash, SIGKILL), so a lock left by a dead run is recovered simply by
taking it: the file stays, its content (who holds it) is rewritten by the next holder. The descriptor is never
inherited by a worker process (close-on-exec, and closed in forked children), so a worker cannot keep the folder
locked after its parent is gone. Where flock does not exist (Windows), an O_EXCL file with the holder's pid is
used instead, and recovered when that pid is no longer running.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from ..errors import RdcheckError
from ..outfile import refuse_link

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".rdcheck.lock"
_HELD: list[FolderLock] = []  # closed in forked children (see rdcheck.district.pool)


class FolderBusy(RdcheckError):
    """Another run holds the output folder's lock."""


def new_run_id() -> str:
    """A name for this run, unique on this machine and readable: time, pid and a random tail."""
    return f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{os.urandom(3).hex()}"


class FolderLock:
    """``with FolderLock(out, "batch", run_id):`` holds out's lock or raises FolderBusy naming the other run."""

    def __init__(self, folder: str | os.PathLike[str], command: str, run_id: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.command = command
        self.run_id = run_id
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def _holder(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "command": self.command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def acquire(self) -> None:
        refuse_link(self.path)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        if fcntl is None:  # pragma: no cover - Windows
            self._acquire_exclusive(flags)
            return
        fd = os.open(self.path, flags, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            other = _read_holder(fd)
            os.close(fd)
            raise self._busy(other) from None
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(self._holder(), ensure_ascii=False) + "\n").encode("utf-8"))
        self.fd = fd
        _HELD.append(self)

    def _acquire_exclusive(self, flags: int) -> None:  # pragma: no cover - Windows
        for _ in range(2):
            try:
                fd = os.open(self.path, flags | os.O_EXCL, 0o644)
            except FileExistsError:
                with open(self.path, "rb") as fh:
                    other = _parse_holder(fh.read(4096))
                if _alive(other.get("pid")):
                    raise self._busy(other) from None
                os.unlink(self.path)  # a dead run's lock
                continue
            os.write(fd, (json.dumps(self._holder(), ensure_ascii=False) + "\n").encode("utf-8"))
            self.fd = fd
            _HELD.append(self)
            return
        raise self._busy({})

    def _busy(self, other: dict[str, Any]) -> FolderBusy:
        who_zh = f"{other.get('command', 'rdcheck')}，进程 {other.get('pid', '?')}，开始于 {other.get('started', '?')}"
        who_en = f"{other.get('command', 'rdcheck')}, pid {other.get('pid', '?')}, started {other.get('started', '?')}"
        if other.get("host") and other.get("host") != socket.gethostname():
            who_zh += f"，主机 {other['host']}"
            who_en += f", host {other['host']}"
        return FolderBusy(
            f"输出文件夹 {self.folder} 正被另一次运行使用（{who_zh}）；请等它结束或换一个 -o 文件夹",
            f"the output folder {self.folder} is in use by another run ({who_en}); wait for it or use another -o",
        )

    def release(self) -> None:
        if self.fd is None:
            return
        if self in _HELD:
            _HELD.remove(self)
        try:
            if fcntl is not None:
                os.ftruncate(self.fd, 0)  # the file stays (unlinking it would race a waiting run); it is free
            else:  # pragma: no cover - Windows
                os.close(self.fd)
                self.fd = None
                os.unlink(self.path)
                return
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


def close_inherited_locks() -> None:
    """In a forked child: drop the parent's lock descriptors (the parent keeps its lock)."""
    for lock in list(_HELD):
        if lock.fd is not None:
            try:
                os.close(lock.fd)
            except OSError:
                pass
            lock.fd = None
    _HELD.clear()


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return _parse_holder(os.read(fd, 4096))
    except OSError:
        return {}


def _parse_holder(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _alive(pid: Any) -> bool:  # pragma: no cover - Windows
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


__all__ = ["FolderBusy", "FolderLock", "LOCK_NAME", "close_inherited_locks", "new_run_id"]
