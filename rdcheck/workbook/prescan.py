"""The safety scan of the command's first workbook, in a forked process while the command imports pandas.

``rdcheck check FILE`` spends its first ~0.3 s importing pandas and the reader, then scans the file
(:func:`rdcheck.workbook.safety.inspect`: ~0.35 s for a 100k-line ledger, pure Python, one core) before any
parser may open it. The scan needs only the standard library, so it can start at once in a child process and run
beside the imports: the parent takes the child's result when it reaches the file. It is the same scan of the same
bytes — the parent uses it only when the file is still the one scanned (device, inode, size, modification time)
and the limits are the defaults; otherwise, or when the child fails or the platform has no fork, it scans itself,
and so a bad file is refused with the same words as before.

The child is forked only while the process has one thread (forking beside other threads can inherit a held lock)
and only by the command, at its start; the library never forks on its own.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from pathlib import Path
from typing import Any

from .safety import DEFAULT_LIMITS, Limits, Preflight, inspect


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class Prescan:
    """A scan started in a child process; :meth:`result` gives its Preflight, or None (then scan in-process)."""

    def __init__(self, path: Path, pid: int, fd: int) -> None:
        self.path, self._pid, self._fd = path, pid, fd

    @classmethod
    def start(cls, path: str | os.PathLike[str]) -> Prescan | None:
        """Fork a child that scans ``path`` with the default limits; None where that is not possible here."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return None
        p = Path(path)
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the child: scan, send the result, leave without running the parent's exit handlers
            try:
                os.close(read_fd)
                before = _identity(p)
                scanned = inspect(p, DEFAULT_LIMITS, None)
                data = pickle.dumps((before, scanned), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as fh:
                    fh.write(data)
            except BaseException:  # noqa: BLE001 - nothing is sent: the parent scans itself and says what is wrong
                pass
            finally:
                os._exit(0)
        os.close(write_fd)
        return cls(p, pid, read_fd)

    def result(self, path: str | os.PathLike[str], limits: Limits | None) -> Preflight | None:
        """The child's scan of ``path`` when it holds for the file as it is now and these limits, else None."""
        data = self._collect()
        if not data or Path(path) != self.path or (limits or DEFAULT_LIMITS) != DEFAULT_LIMITS:
            return None
        try:
            before, scanned = pickle.loads(data)  # noqa: S301 - written by this process's own child
        except Exception:  # noqa: BLE001 - a child cut short: scan in-process
            return None
        if before is None or before != _identity(self.path) or not isinstance(scanned, Preflight):
            return None
        return scanned

    def close(self) -> None:
        """Stop and reap the child if its result was not taken (the command stopped before reading the file)."""
        if self._fd >= 0:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:  # gone already
                pass
            self._collect()

    def _collect(self) -> bytes:
        if self._fd < 0:
            return b""
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            self._fd = -1
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
        return b"".join(chunks)


def scanned(prescan: Any, path: str | os.PathLike[str], limits: Limits | None) -> Preflight | None:
    """What a :class:`Prescan` (or None) gives for this file and limits."""
    return prescan.result(path, limits) if prescan is not None else None


__all__ = ["Prescan", "scanned"]
