"""The bureau's rounds as the server keeps them: a zip of a round, unpacked safely and checked by `run_batch`.

Without a register the rounds live in memory for the server's life (the page says so); the latest submission
of each enterprise across the rounds makes the follow-up list and the rollup.
"""

from __future__ import annotations

import secrets
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RdcheckError
from ..model import error_dict
from .jobs import START_METHOD
from .settings import WORKBOOK_TYPES

MAX_MEMBERS = 2000  # workbooks in one round's zip
MAX_UNPACKED = 2 * 1024 * 1024 * 1024  # bytes, all members together: a zip bomb stops here


class BadZip(RdcheckError):
    """The round's zip cannot be used (not a zip, no workbooks, too large when unpacked)."""


@dataclass
class Round:
    id: str
    number: int
    name: str
    folder: Path
    created: float = field(default_factory=time.time)
    state: str = "checking"  # checking, done, error
    done: int = 0
    total: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # the server's path of each workbook -> its name in the zip
    summary: Path | None = None
    error: str | None = None
    register_id: int | None = None  # the register's round, when there is a register


def unpack(zip_path: Path, into: Path) -> dict[str, str]:
    """Write each workbook of the zip into `into`; return the server's path -> the member's name in the zip.

    On disk a workbook is NNNN-<its base name made safe> (names.safe_name: no folders, no '..', no control
    characters), numbered in the members' name order, with the member's own time as its modification time, so
    that the batch's rule for duplicates (newest, then the name sorting last) sees what the bureau would.
    """
    import datetime as dt
    import os

    from ..district.names import safe_name

    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadZip("不是有效的 zip 文件", f"not a valid zip file ({exc})") from None
    names: dict[str, str] = {}
    total = 0
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        books = [m for m in members if Path(_member_name(m)).suffix.lower() in WORKBOOK_TYPES]
        books = [m for m in books if not Path(_member_name(m)).name.startswith(("~$", "."))]
        if not books:
            raise BadZip("zip 中没有 .xlsx/.xlsm/.xls 工作簿", "the zip holds no .xlsx/.xlsm/.xls workbook")
        if len(books) > MAX_MEMBERS:
            raise BadZip(f"zip 中的工作簿超过 {MAX_MEMBERS} 个", f"more than {MAX_MEMBERS} workbooks in the zip")
        into.mkdir(parents=True, exist_ok=True)
        for i, member in enumerate(sorted(books, key=_member_name), 1):
            name = _member_name(member)
            base = Path(name)
            target = into / f"{i:04d}-{safe_name(base.stem, 60)}{base.suffix.lower()}"
            with archive.open(member) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_UNPACKED:
                        raise BadZip("zip 解压后过大", "the zip is too large when unpacked")
                    out.write(chunk)
            try:
                stamp = dt.datetime(*member.date_time).timestamp()
                os.utime(target, (stamp, stamp))
            except (ValueError, OverflowError, OSError):
                pass
            names[str(target)] = name
    return names


def _member_name(member: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it: zips from Chinese Windows carry GBK names without the UTF-8 flag."""
    name = member.filename
    if not member.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")


class Season:
    """The rounds uploaded to this server; each is checked on its own thread, `workers` files at a time."""

    def __init__(
        self, root: Path, workers: int, timeout: float, config_path: str | None,
        register_path: str | None = None, roster: Any = None,
    ) -> None:  # fmt: skip
        self.workers = workers
        self.timeout = timeout
        self.config_path = config_path
        self.register_path = register_path  # each round is a register round, kept beside the register
        self.roster = roster
        self.root = Path(register_path).resolve().parent / "rounds" if register_path else root
        self.rounds: list[Round] = []
        self._lock = threading.Lock()

    def get(self, round_id: str) -> Round | None:
        return next((r for r in self.rounds if r.id == round_id), None)

    def start(self, zip_path: Path, name: str, lang: str) -> Round:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = self.root / f"round-{stamp}-{secrets.token_hex(4)}"
        names = unpack(zip_path, folder / "in")
        with self._lock:
            rnd = Round(id=secrets.token_urlsafe(12), number=len(self.rounds) + 1, name=name, folder=folder)
            rnd.names, rnd.total = names, len(names)
            self.rounds.append(rnd)
        threading.Thread(target=self._run, args=(rnd, lang), name=f"rdcheck-round-{rnd.number}", daemon=True).start()
        return rnd

    def _run(self, rnd: Round, lang: str) -> None:
        from ..district.batch import run_batch

        def progress(done: int, total: int, _result: dict[str, Any]) -> None:
            rnd.done, rnd.total = done, total

        try:
            if self.register_path is not None:
                from ..district.rounds import run_round

                done = run_round(
                    self.register_path, list(rnd.names), rnd.folder / "out", roster=self.roster, source=rnd.name,
                    jobs=self.workers, config_path=self.config_path, timeout=self.timeout, progress=progress,
                    lang=lang, start_method=START_METHOD,
                )  # fmt: skip
                result, rnd.register_id = done.batch, done.round_id
            else:
                result = run_batch(
                    list(rnd.names), rnd.folder / "out", jobs=self.workers, config_path=self.config_path,
                    timeout=self.timeout, progress=progress, lang=lang, start_method=START_METHOD,
                )  # fmt: skip
            results = []
            for r in result.results:
                shown = dict(r)
                shown["file"] = rnd.names.get(str(r.get("file")), str(r.get("file")))
                results.append(shown)
            rnd.results, rnd.summary, rnd.state = results, result.outputs.get("summary"), "done"
        except Exception as exc:  # the pool could not start, the disk is full: the round says so
            rnd.error, rnd.state = f"{type(exc).__name__}: {exc}", "error"
            rnd.results = [error_dict(n, rnd.error) for n in rnd.names.values()]

    def latest(self) -> list[dict[str, Any]]:
        """Every finished round's results, a later round's submission of an enterprise replacing earlier ones.

        With a register: each enterprise's latest counted submission there (rounds of earlier server runs too).
        """
        if self.register_path is not None and Path(self.register_path).exists():
            from .register_pages import latest_reports

            return latest_reports(self.register_path)
        from ..district.batch import submission_key

        chosen: dict[Any, dict[str, Any]] = {}
        for rnd in self.rounds:
            if rnd.state != "done":
                continue
            for i, r in enumerate(rnd.results):
                if r.get("status") == "superseded":
                    continue
                key = submission_key(r) or ("file", rnd.number, i)
                chosen[key] = {**r, "round": rnd.number}
        return list(chosen.values())
