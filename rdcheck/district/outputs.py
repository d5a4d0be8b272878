"""The end of a batch: feedback workbooks placed, results.jsonl and summary.xlsx written, temporaries cleaned.

Every output is written to a temporary in its own folder and moved into place (rdcheck.outfile). What cannot
be written costs its own row (a feedback workbook) or stops with nothing stale left behind (results.jsonl and
summary.xlsx). An interrupted batch says what it did and what it left.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RdcheckError
from ..outfile import TEMP_PREFIX, drop_stale, refuse_link, replacing
from ..text import one_line
from .lock import LOCK_NAME
from .names import feedback_stem, unique_name
from .results import write_results_jsonl

FEEDBACK_DIR = "feedback"
SUMMARY_NAME = "summary.xlsx"
RESULTS_NAME = "results.jsonl"
RUN_DIR_PREFIX = f"{TEMP_PREFIX}run-"  # feedback/.rdcheck-run-<run id>/: one run's temporaries, removed at its end


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by an interrupt (Ctrl-C, SIGTERM, SIGHUP): what was done and what is left in OUT."""

    def __init__(
        self, done: int, total: int, written: list[str], dropped: list[str], out: Path, signum: int = 2
    ) -> None:
        super().__init__()
        self.done, self.total, self.written, self.dropped, self.out = done, total, written, dropped, out
        self.signum = signum  # 2 SIGINT, 15 SIGTERM, 1 SIGHUP

    def message(self, lang: str = "zh") -> str:
        """One line: how far the batch got, which outputs are this run's, which older ones were removed."""
        zh = lang != "en"
        parts = [
            f"已中断：已检查 {self.done}/{self.total} 个文件"
            if zh
            else f"interrupted: {self.done}/{self.total} files checked"
        ]
        if self.written:
            parts.append(("已写出 " if zh else "written: ") + "、".join(self.written))
        if self.dropped:
            parts.append(("已删除上次的 " if zh else "removed the previous ") + "、".join(self.dropped))
        if not self.written and not self.dropped:
            parts.append(
                f"本次未写出任何结果，{self.out} 中原有的输出（如有）未改动"
                if zh
                else f"nothing written; what {self.out} held before (if anything) is unchanged"
            )
        parts.append("临时文件已清理" if zh else "temporary files removed")
        return ("；" if zh else "; ").join(parts)


@dataclass
class _Written:
    """What the output phase has done so far (for an interrupted batch to say)."""

    written: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _place_feedback(results: list[dict[str, Any]], out: Path, log: _Written) -> None:
    """Give each counted file's annotated workbook its final name; drop those of superseded files.

    A feedback file that cannot be placed (a link planted at its name, a full disk) is that file's
    `_feedback_error`; an older workbook under the name it would have had is removed, so that it is not taken
    for this run's.
    """
    feedback = out / FEEDBACK_DIR
    taken: set[str] = set()
    placed = 0
    for r in results:
        tmp = r.pop("_feedback_tmp", None)
        if r.get("status") == "superseded":
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            continue
        if tmp is None and not r.get("_feedback_error"):
            continue
        name = unique_name(feedback_stem(r), ".xlsx", taken)
        target = feedback / name
        try:
            if tmp is None:
                raise OSError(0, r["_feedback_error"])
            refuse_link(target)
            os.replace(tmp, target)
        except (OSError, RdcheckError) as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
                r["_feedback_error"] = _why(exc)
            drop_stale(target)
            continue
        r["_feedback"] = f"{FEEDBACK_DIR}/{name}"
        placed += 1
    if placed:
        log.written.append(f"{FEEDBACK_DIR}/（{placed}）")


def _why(exc: BaseException) -> str:
    if isinstance(exc, RdcheckError):
        return exc.message("zh")
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''} {exc.strerror}".strip()
    return one_line(exc, 300)


def write_outputs(
    results: list[dict[str, Any]],
    out: Path,
    feedback: bool,
    lang: str,
    run_id: str,
    log: _Written | None = None,
    after_check: Any = None,
) -> dict[str, Path]:
    """Place the feedback workbooks, then write results.jsonl and summary.xlsx, each atomically.

    after_check(results), when given, runs once the feedback names are settled and before anything is written;
    what it returns adds sheets to summary.xlsx (a register round: rdcheck.district.rounds).

    When results.jsonl or summary.xlsx cannot be written, neither older file is left behind: they would describe
    another run as if it were this one.
    """
    from .summary_xlsx import write_summary

    log = log if log is not None else _Written()
    if feedback:
        _place_feedback(results, out, log)
    for r in results:
        r.pop("_feedback_tmp", None)
    extra = after_check(results) if after_check is not None else None
    outputs = {"results": out / RESULTS_NAME, "summary": out / SUMMARY_NAME}
    try:
        write_results_jsonl(results, outputs["results"], run=run_id)
        log.written.append(RESULTS_NAME)
        with replacing(outputs["summary"]) as tmp:
            write_summary(results, tmp, lang=lang, extra=extra)
        log.written.append(SUMMARY_NAME)
    except BaseException:
        for key, name in (("results", RESULTS_NAME), ("summary", SUMMARY_NAME)):
            if name not in log.written and (drop_stale(outputs[key]) or not outputs[key].exists()):
                log.dropped.append(name)
        raise
    if feedback:
        outputs["feedback"] = out / FEEDBACK_DIR
    return outputs


_TEMP_PID = re.compile(r"^\.rdcheck-(?:run-\d{8}-\d{6}-)?(\d+)-")


def _pid_of(name: str) -> int | None:
    """The pid in a temporary's name (`.rdcheck-run-<date>-<time>-<pid>-…` or `.rdcheck-<pid>-…`)."""
    m = _TEMP_PID.match(name)
    return int(m.group(1)) if m else None


def _pid_alive(pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return True  # not ours to judge: leave it
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale_temporaries(out: Path) -> list[Path]:
    """Remove temporaries that dead runs left in OUT and OUT/feedback (their pid is gone); return what went.

    Called with OUT's lock held, so no live batch or rollup is writing there; a temporary whose pid still runs
    (a `rdcheck check -o` writing into the folder) is left alone.
    """
    removed = []
    for folder in (out, out / FEEDBACK_DIR):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in folder.iterdir():
            legacy = entry.name.startswith(".tmp-") and entry.suffix == ".xlsx"
            if not (entry.name.startswith(TEMP_PREFIX) or legacy) or entry.name == LOCK_NAME:
                continue
            if not legacy and _pid_alive(_pid_of(entry.name)):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


__all__ = [
    "BatchInterrupted",
    "FEEDBACK_DIR",
    "RESULTS_NAME",
    "RUN_DIR_PREFIX",
    "SUMMARY_NAME",
    "clean_stale_temporaries",
    "write_outputs",
]
