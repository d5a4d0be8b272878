"""A batch with a register (`rdcheck batch DIR -o OUT --register REG`): one round of the bureau's season.

The batch itself is rdcheck.district.batch.run_batch; this module adds, through its two hooks:
- before checking: a file whose bytes (sha256) the register already holds, checked by this rdcheck version with
  this configuration and with the same waivers in force for its enterprise, is not checked again (its stored
  result and a copy of its feedback workbook stand for it);
- while checking: every result goes into the register in its own transaction as it arrives;
- after checking: the round is compared with the previous round of the same year (changes.json, the 本轮变化
  sheet of summary.xlsx) and closed.
Waivers in force are applied by the workers (rdcheck.district.waivers.check_with_waivers).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import RdcheckError
from ..outfile import TEMP_PREFIX, write_text
from .batch import DEFAULT_START_METHOD, DEFAULT_TIMEOUT, FEEDBACK_DIR, BatchResult, Progress, display_path, run_batch
from .changes import compare, counted_by_enterprise, round_year, sheet_writer
from .plan import RosterEntry, normalise_uscc
from .register import Register
from .waivers import Waiver, apply_to_result, check_with_waivers, fingerprint, for_enterprise

CHANGES_NAME = "changes.json"


class RegisterError(RdcheckError):
    """The register cannot be written (locked past the timeout, disk full): the round stops, unfinished."""


def config_key(config_path: str | os.PathLike[str] | None, lang: str) -> str:
    """What 'the same config' means for reusing a result: the configuration file's bytes and the language."""
    digest = hashlib.sha256(f"lang={lang}\0".encode())
    if config_path is not None:
        digest.update(Path(config_path).read_bytes())
    return digest.hexdigest()


def _file_facts(name: str) -> tuple[str | None, str]:
    """(sha256, modification time as ISO UTC) of a file; (None, now) when it cannot be read."""
    from ..api import sha256_of

    try:
        mtime = os.stat(name).st_mtime
        return sha256_of(name), dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(timespec="seconds")
    except OSError:
        return None, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RoundResult:
    """A register round: the batch, the round's id and number, its changes and how many results were reused."""

    batch: BatchResult
    round_id: int
    changes: dict[str, Any]
    reused: int = 0

    @property
    def number(self) -> int | None:
        return self.changes.get("round")


class _Round:
    """The state one round's hooks share."""

    def __init__(self, reg: Register, round_id: int, key: str, waivers: list[Waiver], out: Path, roster: Any):
        self.reg, self.round_id, self.key, self.waivers, self.out, self.roster = (
            reg,
            round_id,
            key,
            waivers,
            out,
            roster,
        )
        self.facts: dict[str, tuple[str | None, str]] = {}
        self.reused = 0
        self.recorded = 0
        self.changes: dict[str, Any] = {}

    def reuse(self, name: str) -> dict[str, Any] | None:
        sha, _ = self.facts[display_path(name)]
        if sha is None:
            return None
        stored = self.reg.stored(sha, __version__, self.key)
        if stored is None:
            return None
        mine = for_enterprise(self.waivers, stored["uscc"])
        if fingerprint(mine) != stored["waiver_key"]:
            return None  # the waivers for this enterprise changed: check again, so the feedback says so
        result = stored["report"]
        apply_to_result(result, mine)
        result["_reused"] = True
        if stored["feedback"] and stored["output"]:
            earlier = Path(stored["output"]) / stored["feedback"]
            # named like rdcheck's other temporaries, so that a killed run's copy is cleaned by the next run
            tmp = self.out / FEEDBACK_DIR / f"{TEMP_PREFIX}{os.getpid()}-reuse-{self.reused:06d}.xlsx"
            try:
                shutil.copyfile(earlier, tmp)
                result["_feedback_tmp"] = str(tmp)
            except OSError:  # the earlier round's folder is gone: check again to write the workbook
                tmp.unlink(missing_ok=True)
                return None
        self.reused += 1
        return result

    def record(self, result: dict[str, Any]) -> None:
        sha, received = self.facts.get(str(result.get("file", "")), (None, ""))
        ent = result.get("enterprise") if isinstance(result.get("enterprise"), dict) else {}
        try:
            self.reg.record(
                self.round_id,
                result,
                sha256=sha,
                received=received,
                version=__version__,
                config_key=self.key,
                waiver_key=fingerprint(for_enterprise(self.waivers, ent.get("uscc"))),
                reused=bool(result.get("_reused")),
            )
            self.recorded += 1
        except sqlite3.Error as exc:
            raise RegisterError(
                f"无法写入登记簿 {self.reg.path}：{exc}", f"cannot write the register {self.reg.path}: {exc}"
            ) from None

    def after_check(self, results: list[dict[str, Any]]) -> Any:
        year = round_year(results)
        current = counted_by_enterprise(results, year)
        previous = None
        previous_id = self.reg.previous_round(year, self.round_id) if year is not None else None
        if previous_id is not None:
            previous = {code: row["report"] for code, row in self.reg.counted(previous_id, year).items()}
        changes = compare(current, previous, self.roster, year=year)
        try:
            number = self.reg.finish_round(self.round_id, year, results, changes)
        except sqlite3.Error as exc:
            raise RegisterError(
                f"无法写入登记簿 {self.reg.path}：{exc}", f"cannot write the register {self.reg.path}: {exc}"
            ) from None
        self.changes = {**changes, "round": number or None, "previous_round": number - 1 if previous else None}
        return sheet_writer(self.changes)


def run_round(
    register: str | os.PathLike[str] | Register,
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    roster: Sequence[RosterEntry] | None = None,
    source: str | None = None,
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    lang: str = "zh",
    isolate: bool = True,
    start_method: str | None = DEFAULT_START_METHOD,
    skipped: dict[str, tuple[str, str]] | None = None,
) -> RoundResult:
    """Run one register round over paths: the batch's outputs plus OUT/changes.json. Never prints.

    ``skipped`` (path -> (zh, en) reason, from find_inputs) become error rows of the batch, as without a register.
    """
    reg = register if isinstance(register, Register) else Register.open(register)
    try:
        out = Path(out_dir)
        (out / FEEDBACK_DIR).mkdir(parents=True, exist_ok=True)
        key = config_key(config_path, lang)
        waivers = reg.waivers()
        state = _Round(reg, reg.start_round(source, str(out.resolve()), __version__, key), key, waivers, out, roster)
        for p in paths:
            state.facts[display_path(str(p))] = _file_facts(str(p))

        def on_progress(done: int, total: int, result: dict[str, Any]) -> None:
            state.record(result)
            if progress is not None:
                progress(done, total, result)

        if isolate and start_method == "fork":
            from .pool import preload

            preload(True)  # the workers run check_with_waivers, which the batch does not preload by itself
        try:
            batch = _run(
                paths,
                out,
                state,
                on_progress,
                jobs,
                config_path,
                timeout,
                lang,
                waivers,
                isolate,
                start_method,
                skipped,
            )
        except BaseException:
            if not state.recorded:  # refused before checking anything (OUT busy, a bad link): no empty round left
                reg.discard_round(state.round_id)
            raise
        path = out / CHANGES_NAME
        write_text(path, json.dumps(state.changes, ensure_ascii=False, indent=2) + "\n")
        batch.outputs["changes"] = path
        return RoundResult(batch=batch, round_id=state.round_id, changes=state.changes, reused=state.reused)
    finally:
        if not isinstance(register, Register):
            reg.close()


def _run(paths: Any, out: Path, state: _Round, on_progress: Any, jobs: Any, config_path: Any, timeout: float,
         lang: str, waivers: list[Waiver], isolate: bool, start_method: str | None,
         skipped: dict[str, tuple[str, str]] | None = None) -> BatchResult:  # fmt: skip
    return run_batch(
        paths,
        out,
        jobs=jobs,
        config_path=config_path,
        timeout=timeout,
        progress=on_progress,
        lang=lang,
        check=functools.partial(check_with_waivers, tuple(waivers)),
        isolate=isolate,
        start_method=start_method,
        reuse=state.reuse,
        after_check=state.after_check,
        skipped=skipped,
    )


__all__ = ["CHANGES_NAME", "RegisterError", "RoundResult", "config_key", "normalise_uscc", "run_round"]
