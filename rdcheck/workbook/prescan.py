"""The safety scan of the command's first workbook, in a forked process while the command imports pandas.

``rdcheck check FILE`` spends its first ~0.3 s importing pandas and the reader, then scans the file
(:func:`rdcheck.workbook.safety.inspect`, pure Python, one core) before any parser may open it, then parses its big
table sheets with fastexcel (~0.45 s at 100k lines). The scan needs only the standard library, so it starts at once
in a child process, beside the imports; a thread of the parent waits for the child's result and, the file bounded,
has fastexcel parse those sheets (the GIL released) while the main thread is still importing. The parent uses what
they give only while the file is still the one scanned (device, inode, size, modification time) and the limits are
the defaults; otherwise, or when the child fails or the platform has no fork, it scans and parses itself, and so a
bad file is refused with the same words as before.

The child is forked only while the process has one thread (forking beside other threads can inherit a held lock)
and only by the command, at its start; the library never forks on its own.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from .fastsheet import HELD_CELLS, date_names, load_sheet, source_of, wanted
from .safety import DEFAULT_LIMITS, Limits, Preflight, inspect, native_stderr_quiet


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class Prescanned(NamedTuple):
    """The child's scan of the file, and the big table sheets parsed by fastexcel since (None where that failed)."""

    preflight: Preflight
    parsed: dict[str, Any]


class Prescan:
    """A scan started in a child process; :meth:`result` gives it, or None (then the parent scans in-process).

    A thread of the parent waits for the scan and, as soon as it has it, has fastexcel parse the file's big table
    sheets (``fastsheet.wanted``: what ``load_sheets`` would parse) — fastexcel releases the GIL, so the parse runs
    beside the main thread's imports instead of after them. The thread imports only fastexcel itself (nothing that
    pandas imports).
    """

    def __init__(self, path: Path, pid: int, fd: int) -> None:
        self.path, self._pid, self._fd = path, pid, fd
        self._scan: tuple[Any, Preflight] | None = None  # what the child sent: the file's identity, its scan
        self._parsed: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._parse, name="rdcheck-prescan", daemon=True)
        self._thread.start()

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

    def _parse(self) -> None:
        """On the parent's thread: take the child's scan, then parse the sheets it bounded (never another file)."""
        try:
            self._scan = self._load(self._collect())
            if self._scan is None or self._scan[0] != _identity(self.path):
                return
            sheets = self._scan[1].sheets
            todo = [(t, lay) for t, lay in wanted(self._scan[1]) if sheets[t].rows * sheets[t].cols <= HELD_CELLS]
            if not todo:
                return
            import fastexcel

            # a Rust panic writes to descriptor 2 before Python sees it; this window closes before the main thread
            # opens its own (it joins this thread first) and before the command says anything (close() joins too)
            with native_stderr_quiet():
                reader = fastexcel.read_excel(source_of(self.path))
                for title, layout in todo:
                    try:
                        self._parsed[title] = load_sheet(reader, title, date_names(layout))
                    except BaseException:  # noqa: BLE001 - the reader tries again in-process (or calamine does)
                        self._parsed[title] = None
        except BaseException:  # noqa: BLE001 - nothing parsed: the reader parses in-process
            self._parsed.clear()

    def result(self, path: str | os.PathLike[str], limits: Limits | None) -> Prescanned | None:
        """The child's scan of ``path`` (and the sheets parsed since) when it holds for the file as it is now and
        these limits, else None."""
        self._thread.join()
        if Path(path) != self.path or (limits or DEFAULT_LIMITS) != DEFAULT_LIMITS:
            return None
        got = self._scan
        if got is None or got[0] is None or got[0] != _identity(self.path):
            return None
        parsed, self._parsed = self._parsed, {}  # handed over: the reader lets each sheet go once it has read it
        return Prescanned(got[1], parsed)

    def close(self) -> None:
        """Stop and reap the child if its result was not taken (the command stopped before reading the file), and
        wait for the thread (so that descriptor 2 is the terminal again before the command says why it stopped)."""
        if self._thread.is_alive():
            try:
                os.kill(self._pid, signal.SIGKILL)
            except OSError:  # gone already
                pass
        self._thread.join()

    @staticmethod
    def _load(data: bytes) -> tuple[Any, Preflight] | None:
        if not data:
            return None
        try:
            before, scanned = pickle.loads(data)  # noqa: S301 - written by this process's own child
        except Exception:  # noqa: BLE001 - a child cut short: scan in-process
            return None
        return (before, scanned) if isinstance(scanned, Preflight) else None

    def _collect(self) -> bytes:
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


@contextmanager
def prescanning(path: str | os.PathLike[str]) -> Iterator[Prescan | None]:
    """A :class:`Prescan` of ``path`` (None where none can start) for the command's work, closed after it."""
    prescan = Prescan.start(path)
    try:
        yield prescan
    finally:
        if prescan is not None:
            prescan.close()


__all__ = ["Prescan", "Prescanned", "prescanning"]
