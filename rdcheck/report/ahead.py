"""The annotated copy's big sheets, read by calamine on the other core while the check runs.

``check --format xlsx`` reads the input twice: once to check it, once to copy it. The second read of a 100k-line
ledger (calamine parsing the sheet's XML, ~0.6 s) used to wait until the check was done, although python-calamine
releases the GIL while it parses: started as soon as the check has its Book, it runs beside compute and the rules
(pure Python, one core). Only after the check's own read, so the safety scan has bounded every sheet first (the
file is opened by calamine only once the scan said it may be), and only for sheets of a size that keeps the copy's
memory where it was (a parsed sheet is held until the copy reaches it); the rest are read when the copy needs them.

Nothing here changes what is written: the copy uses a sheet read ahead only when the bytes it would read now are
the ones the check read (:func:`rdcheck.report.xlsx.read_by_check`), else it reads the file afresh.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..workbook.fastsheet import HELD_CELLS, MIN_ROWS  # worth a thread; not more than this held beside the check


class ReadAhead:
    """Starts calamine on the checked workbook's big table sheets; :meth:`take` gives what it read."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._thread: threading.Thread | None = None
        self._workbook: Any = None
        self._sheets: dict[str, Any] = {}

    def start(self, book: Any) -> None:
        """Read ahead the Book's table sheets of MIN_ROWS lines or more (the Book's reader has bounded them)."""
        titles = []
        for table in book.tables.values():
            if not table.title or table.sources is not None:  # a foreign layout's lines come from several sheets
                continue
            rows, cols = len(table.data), max(len(table.data.columns), len(table.letters))  # about: extra columns
            if MIN_ROWS <= rows and rows * cols <= HELD_CELLS:
                titles.append(table.title)
        if not titles or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._read, args=(titles,), name="rdcheck-read-ahead", daemon=True)
        self._thread.start()

    def _read(self, titles: list[str]) -> None:
        from python_calamine import CalamineWorkbook

        from ..workbook.reader import open_workbook
        from ..workbook.safety import native_stderr_quiet

        try:
            # a Rust panic writes to descriptor 2 before Python sees it; this window closes before the copy opens its
            # own (write_annotated waits for this thread first) and before the command says anything (it closes
            # this first)
            with native_stderr_quiet():
                self._workbook = open_workbook(CalamineWorkbook, self.path)
                for title in titles:
                    self._sheets[title] = self._workbook.get_sheet_by_name(title)
        except BaseException:  # noqa: BLE001 - the copy reads it again, and says what is wrong in its own words
            self._sheets.clear()

    def wait(self) -> None:
        """Wait until the read is done (what it read stays to be taken)."""
        if self._thread is not None:
            self._thread.join()

    def take(self) -> tuple[Any, dict[str, Any]]:
        """The opened workbook and the sheets read (None and {} when nothing was read); the caller closes it."""
        if self._thread is None:
            return None, {}
        self._thread.join()
        self._thread = None
        workbook, sheets = self._workbook, dict(self._sheets)
        self._workbook, self._sheets = None, {}
        if not sheets and workbook is not None:
            _close(workbook)
            workbook = None
        return workbook, sheets

    def close(self) -> None:
        """Let go of whatever was read (the copy did not use it)."""
        workbook, _ = self.take()
        if workbook is not None:
            _close(workbook)


def _close(workbook: Any) -> None:
    close = getattr(workbook, "close", None)
    if close:
        close()


__all__ = ["ReadAhead"]
