"""The bureau's register: one SQLite file holding every round, every submitted file, its findings, and the waivers.

The library interface (for the CLI and the bureau's web pages):

    reg = Register.open("淮阴区-2024.sqlite")        # creates or migrates; ConfigError with one line otherwise
    reg.rounds()                                     # [RoundInfo], oldest first
    reg.submissions(round_id=None)                   # [dict] one per file per round (report JSON excluded)
    reg.report(submission_id)                        # the file's spec §6 JSON, as results.jsonl held it
    reg.latest()                                     # [dict] each enterprise's latest counted submission
    reg.waivers()                                    # [Waiver] in force
    reg.add_waiver(make_waiver(uscc, rule, reason, year, cell))   # → the stored Waiver, with its id
    reg.revoke_waiver(waiver_id)
    reg.close()                                      # or use `with Register.open(...) as reg:`

Storage: standard-library sqlite3 in WAL mode (a reader never blocks the batch writing), the schema versioned with
`PRAGMA user_version` and moved forward by the numbered SQL files in migrations/ (each in one transaction).
A batch writes one transaction per checked file (`record`), so a batch that is killed leaves every file it
finished in the register and the round marked unfinished.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .plan import normalise_uscc
from .waivers import Waiver

BUSY_TIMEOUT_MS = 30_000
_MIGRATION = re.compile(r"^(\d{4})_[\w-]+\.sql$")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def migrations() -> list[tuple[int, str, str]]:
    """The forward migrations shipped with rdcheck: (version, file name, SQL), in order."""
    found = []
    for entry in resources.files("rdcheck.district").joinpath("migrations").iterdir():
        m = _MIGRATION.match(entry.name)
        if m:
            found.append((int(m[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"register migrations are not numbered 1..n: {[n for _, n, _ in found]}")
    return found


SCHEMA_VERSION = len(migrations())


@dataclass
class RoundInfo:
    id: int
    year: int | None
    number: int | None
    started: str
    finished: str | None
    source: str | None
    output: str | None
    rdcheck: str
    config_key: str
    files: int = 0
    changes: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        if self.year is None or self.number is None:
            return f"#{self.id}"
        return f"{self.year}-{self.number}"


def _amount(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return str(d) if d.is_finite() else None


def key_figures(result: dict[str, Any]) -> dict[str, str | None]:
    """The figures a submission row keeps (exact decimal text, yuan) and that changes.json compares."""
    stats = result.get("stats") or {}
    a = result.get("a107012") or {}
    return {
        "rd_spending": _amount(stats.get("7")),
        "intramural": _amount(stats.get("intramural")),
        "intramural_reported": _amount(stats.get("intramural_reported")),
        "deduction_base": _amount(a.get("40")),
        "deduction": _amount(a.get("51")),
        "basic_research": _amount(stats.get("basic_research")),
    }


FIGURES = tuple(key_figures({}))
_SUBMISSION_COLUMNS = (
    "id, round_id, file, sha256, received, checked, uscc, name, year, status, check_status, reused, rdcheck, "
    "config_key, waiver_key, " + ", ".join(FIGURES) + ", errors, warnings, feedback"
)


def _year(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Register:
    """An open register. Not shared between threads; every process opens its own."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = True) -> Register:
        """Open (and create or migrate) the register at path; a bad file is a ConfigError with one line."""
        p = Path(path)
        if p.is_dir():
            raise ConfigError(f"登记簿是文件夹，不是文件：{p}", f"the register is a folder, not a file: {p}")
        if not p.exists() and not create:
            raise ConfigError(f"找不到登记簿：{p}", f"register not found: {p}")
        try:
            conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise ConfigError(f"无法打开登记簿 {p}：{exc}", f"cannot open the register {p}: {exc}") from None
        reg = cls(conn, str(p))
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            reg._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ConfigError(
                f"{p} 不是 rdcheck 登记簿（SQLite：{exc}）", f"{p} is not an rdcheck register (SQLite: {exc})"
            ) from None
        except BaseException:
            conn.close()
            raise
        return reg

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"登记簿 {self.path} 由更新版本的 rdcheck 建立（结构版本 {version}），请升级 rdcheck",
                f"the register {self.path} was made by a newer rdcheck (schema {version}); upgrade rdcheck",
            )
        if version == 0:
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise ConfigError(
                    f"{self.path} 是其他程序的 SQLite 数据库，不是 rdcheck 登记簿",
                    f"{self.path} is another program's SQLite database, not an rdcheck register",
                )
        for number, _name, sql in migrations():
            if number <= version:
                continue
            try:
                self.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _write(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self._transaction():
            return self.conn.execute(sql, params)

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    # ------------------------------------------------------------ rounds

    def start_round(self, source: str | None, output: str | None, version: str, config_key: str) -> int:
        cur = self._write(
            "INSERT INTO rounds (started, source, output, rdcheck, config_key) VALUES (?, ?, ?, ?, ?)",
            (now(), source, output, version, config_key),
        )
        return int(cur.lastrowid or 0)

    def record(
        self,
        round_id: int,
        result: dict[str, Any],
        *,
        sha256: str | None,
        received: str,
        version: str,
        config_key: str,
        waiver_key: str = "",
        reused: bool = False,
    ) -> int:
        """Keep one checked file (its row and its findings) in one transaction; return the submission's id."""
        from .results import results_line

        ent = result.get("enterprise") if isinstance(result.get("enterprise"), dict) else {}
        findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
        counts = result.get("counts") or {}
        figures = key_figures(result)
        status = str(result.get("status") or "error")
        row = {
            "round_id": round_id,
            "file": str(result.get("file", "")),
            "sha256": sha256 or result.get("sha256"),
            "received": received,
            "checked": now(),
            "uscc": normalise_uscc(ent.get("uscc")) or None,
            "name": None if ent.get("name") is None else str(ent.get("name")),
            "year": _year(ent.get("year")),
            "status": status,
            "check_status": status,
            "reused": int(reused),
            "rdcheck": version,
            "config_key": config_key,
            "waiver_key": waiver_key,
            **figures,
            "errors": int(counts.get("error") or 0),
            "warnings": int(counts.get("warning") or 0),
            "report": json.dumps(results_line(result), ensure_ascii=False),
        }
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        with self._transaction():
            cur = self.conn.execute(f"INSERT OR REPLACE INTO submissions ({names}) VALUES ({marks})", row)
            sid = int(cur.lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO findings (submission_id, rule, severity, sheet, cell, message, waived, waiver) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        sid,
                        str(f.get("rule", "")),
                        str(f.get("severity", "")),
                        f.get("sheet"),
                        f.get("cell"),
                        str(f.get("message", "")),
                        int(bool(f.get("waived"))),
                        f.get("waiver"),
                    )
                    for f in findings
                ],
            )
        return sid

    def finish_round(
        self, round_id: int, year: int | None, results: list[dict[str, Any]], changes: dict[str, Any]
    ) -> int:
        """Close a round: superseded files and feedback names as the batch settled them, its changes; → its number."""
        with self._transaction():
            for r in results:
                self.conn.execute(
                    "UPDATE submissions SET status = ?, feedback = ? WHERE round_id = ? AND file = ?",
                    (r.get("status"), r.get("_feedback"), round_id, str(r.get("file", ""))),
                )
            number = None
            if year is not None:
                number = (
                    1
                    + self.conn.execute(
                        "SELECT count(*) FROM rounds WHERE year = ? AND finished IS NOT NULL AND id < ?",
                        (year, round_id),
                    ).fetchone()[0]
                )
            changes = {**changes, "round": number}
            self.conn.execute(
                "UPDATE rounds SET finished = ?, year = ?, number = ?, changes = ? WHERE id = ?",
                (now(), year, number, json.dumps(changes, ensure_ascii=False), round_id),
            )
        return number or 0

    def discard_round(self, round_id: int) -> bool:
        """Remove a round that recorded no file (a batch refused before it checked anything)."""
        with self._transaction():
            if self.conn.execute("SELECT 1 FROM submissions WHERE round_id = ? LIMIT 1", (round_id,)).fetchone():
                return False
            self.conn.execute("DELETE FROM rounds WHERE id = ?", (round_id,))
        return True

    def rounds(self) -> list[RoundInfo]:
        rows = self.conn.execute(
            "SELECT r.*, (SELECT count(*) FROM submissions s WHERE s.round_id = r.id) AS files "
            "FROM rounds r ORDER BY r.id"
        ).fetchall()
        return [
            RoundInfo(
                id=row["id"],
                year=row["year"],
                number=row["number"],
                started=row["started"],
                finished=row["finished"],
                source=row["source"],
                output=row["output"],
                rdcheck=row["rdcheck"],
                config_key=row["config_key"],
                files=row["files"],
                changes=None if row["changes"] is None else json.loads(row["changes"]),
            )
            for row in rows
        ]

    def previous_round(self, year: int, before: int) -> int | None:
        """The latest finished round of `year` before round `before`."""
        row = self.conn.execute(
            "SELECT id FROM rounds WHERE year = ? AND finished IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1",
            (year, before),
        ).fetchone()
        return None if row is None else int(row[0])

    # ------------------------------------------------------------ submissions

    def submissions(self, round_id: int | None = None) -> list[dict[str, Any]]:
        """One dict per file per round (without the report JSON), oldest round first, by file."""
        where, params = ("WHERE round_id = ?", (round_id,)) if round_id is not None else ("", ())
        rows = self.conn.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions {where} ORDER BY round_id, file", params
        ).fetchall()
        return [dict(row) for row in rows]

    def report(self, submission_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT report FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    def counted(self, round_id: int, year: int) -> dict[str, dict[str, Any]]:
        """The round's counted submission of each enterprise for `year` (uscc → row with `report` parsed)."""
        rows = self.conn.execute(
            f"SELECT {_SUBMISSION_COLUMNS}, report FROM submissions WHERE round_id = ? AND year = ? "
            "AND uscc IS NOT NULL AND status NOT IN ('superseded', 'error') ORDER BY file",
            (round_id, year),
        ).fetchall()
        out: dict[str, dict[str, Any]] = {}
        for row in rows:
            item = dict(row)
            item["report"] = json.loads(item["report"])
            out[item["uscc"]] = item
        return out

    def stored(self, sha256: str, version: str, config_key: str) -> dict[str, Any] | None:
        """The latest submission of identical bytes checked by this version with this config (report parsed)."""
        row = self.conn.execute(
            "SELECT s.id, s.waiver_key, s.uscc, s.feedback, s.report, r.output FROM submissions s "
            "JOIN rounds r ON r.id = s.round_id WHERE s.sha256 = ? AND s.rdcheck = ? AND s.config_key = ? "
            "AND s.check_status != 'error' ORDER BY s.id DESC LIMIT 1",
            (sha256, version, config_key),
        ).fetchone()
        if row is None:
            return None
        item = dict(row)
        item["report"] = json.loads(item["report"])
        return item

    def latest(self) -> list[dict[str, Any]]:
        """Each (enterprise, year)'s submission in the latest finished round that counted one, by code."""
        rows = self.conn.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions s WHERE s.uscc IS NOT NULL "
            "AND s.status NOT IN ('superseded', 'error') AND s.round_id = ("
            "  SELECT max(t.round_id) FROM submissions t JOIN rounds r ON r.id = t.round_id"
            "  WHERE t.uscc = s.uscc AND t.year IS s.year AND r.finished IS NOT NULL"
            "  AND t.status NOT IN ('superseded', 'error')) ORDER BY s.uscc, s.year"
        ).fetchall()
        return [dict(row) for row in rows]

    def findings(self, submission_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT rule, severity, sheet, cell, message, waived, waiver FROM findings WHERE submission_id = ? "
            "ORDER BY id",
            (submission_id,),
        ).fetchall()
        return [dict(row) for row in rows]

    # ------------------------------------------------------------ waivers

    def waivers(self, include_revoked: bool = False) -> list[Waiver]:
        sql = "SELECT * FROM waivers" + ("" if include_revoked else " WHERE revoked IS NULL") + " ORDER BY id"
        return [
            Waiver(
                uscc=row["uscc"],
                rule=row["rule"],
                reason=row["reason"],
                year=row["year"],
                sheet=row["sheet"],
                cell=row["cell"],
                id=row["id"],
                created=row["created"],
            )
            for row in self.conn.execute(sql).fetchall()
        ]

    def add_waiver(self, waiver: Waiver) -> Waiver:
        created = now()
        cur = self._write(
            "INSERT INTO waivers (uscc, rule, year, sheet, cell, reason, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (waiver.uscc, waiver.rule, waiver.year, waiver.sheet, waiver.cell, waiver.reason, created),
        )
        return Waiver(**{**waiver.__dict__, "id": int(cur.lastrowid or 0), "created": created})

    def revoke_waiver(self, waiver_id: int) -> bool:
        cur = self._write("UPDATE waivers SET revoked = ? WHERE id = ? AND revoked IS NULL", (now(), waiver_id))
        return cur.rowcount > 0


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception (a killed process leaves SQLite to roll back)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


__all__ = ["FIGURES", "Register", "RoundInfo", "SCHEMA_VERSION", "key_figures", "migrations"]
