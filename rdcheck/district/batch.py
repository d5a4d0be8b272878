"""Batch validation: check every workbook under a folder, mark superseded submissions, write the outputs (spec §5).

Every input appears exactly once in the output, in path order. The checking itself runs in the fault-isolated
worker pool of rdcheck.district.pool. results.jsonl holds the spec §6 JSON report of each file; keys that start with `_`
(the check status of a superseded file, the feedback workbook, a failed feedback write) live only in memory, for
summary.xlsx and the terminal, and are never written.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import error_dict
from ..outfile import refuse_link
from .inputs import WORKBOOK_SUFFIXES, find_inputs, find_workbooks
from .lock import FolderLock, new_run_id
from .names import MAX_NAME_BYTES, cut_bytes, display_path, feedback_stem, safe_name, unique_name, valid_uscc
from .outputs import (
    FEEDBACK_DIR,
    RESULTS_NAME,
    RUN_DIR_PREFIX,
    SUMMARY_NAME,
    BatchInterrupted,
    _Written,
    clean_stale_temporaries,
    write_outputs,
)
from .plan import normalise_uscc
from .pool import (
    DEFAULT_START_METHOD,
    DEFAULT_TIMEOUT,
    FAULT_ENV,
    CheckFunction,
    WorkerSettings,
    WorkerStartError,
    check_here,
    default_jobs,
    preload,
    run_pool,
)
from .results import IncompleteResults, read_results_jsonl, results_line, write_results_jsonl

Progress = Callable[[int, int, dict[str, Any]], None]
# reuse(path) -> the result of an identical file checked before, or None to check it (rdcheck.district.rounds)
Reuse = Callable[[str], dict[str, Any] | None]
# after_check(results) runs once the results are final, before the outputs are written; it may return a function
# that adds sheets to summary.xlsx, called as extra(workbook, header_format, lang)
AfterCheck = Callable[[list[dict[str, Any]]], Callable[[Any, Any, str], None] | None]


# ---------------------------------------------------------------- finding the files


# ---------------------------------------------------------------- superseded submissions


def submission_key(result: dict[str, Any]) -> tuple[str, Any] | None:
    """Return (统一社会信用代码, 年度) of a checked submission, or None when it cannot be grouped."""
    if result.get("status") in ("error", "superseded"):
        return None
    enterprise = result.get("enterprise") or {}
    code = normalise_uscc(enterprise.get("uscc"))
    year = enterprise.get("year")
    if not code or year is None or isinstance(year, (dict, list)):
        return None
    return code, year


def mark_superseded(results: list[dict[str, Any]], mtimes: Sequence[float] | None = None) -> None:
    """Keep the newest submission of each (统一社会信用代码, 年度); mark the others `superseded` in place.

    Newest by modification time; on a tie (or without times), the path that sorts last (spec §5).
    "superseded_by" names the file that counts; the check status moves to the in-memory "_check_status".
    """
    groups: dict[tuple[str, Any], list[int]] = {}
    for i, r in enumerate(results):
        key = submission_key(r)
        if key is not None:
            groups.setdefault(key, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        winner = max(members, key=lambda i: (mtimes[i] if mtimes else 0.0, str(results[i].get("file", ""))))
        for i in members:
            if i != winner:
                r = results[i]
                r["_check_status"] = r.get("status")
                r["status"] = "superseded"
                r["superseded_by"] = results[winner].get("file")


# ---------------------------------------------------------------- running


@dataclass
class BatchResult:
    """What a batch produced: one JSON dict per input (sorted by path) and where the outputs went."""

    results: list[dict[str, Any]]
    out_dir: Path | None = None
    elapsed: float = 0.0
    jobs: int = 1
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("pass", "warn", "fail", "error", "superseded"), 0)
        for r in self.results:
            counts[r.get("status", "error")] = counts.get(r.get("status", "error"), 0) + 1
        return counts


def check_files(
    paths: Sequence[str | os.PathLike[str]],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    lang: str = "zh",
    check: CheckFunction | str | None = None,
    feedback_dir: str | os.PathLike[str] | None = None,
    writer: Callable[..., Any] | str | None = None,
    isolate: bool = True,
    start_method: str | None = DEFAULT_START_METHOD,
    reuse: Reuse | None = None,
    scheduler: str | None = None,
) -> list[dict[str, Any]]:
    """Check files in parallel; return one JSON dict per path, in the paths' order, superseded ones marked.

    isolate=False runs in this process (no protection against crashes or hangs; for debugging). A path for which
    reuse(path) returns a result is not checked: that result stands for it. scheduler runs the same checks on a
    Dask cluster instead of the local pool ("local" or "tcp://host:port"; dask_engine).
    """
    names = [str(p) for p in paths]
    settings = WorkerSettings(
        config_path=None if config_path is None else str(config_path),
        lang=lang,
        check=check,
        feedback_dir=None if feedback_dir is None else str(feedback_dir),
        writer=writer,
    )
    if feedback_dir is not None:
        Path(feedback_dir).mkdir(parents=True, exist_ok=True)
    mtimes = []
    for name in names:
        try:
            mtimes.append(os.stat(name).st_mtime)
        except OSError:
            mtimes.append(0.0)
    results: list[dict[str, Any] | None] = [None] * len(names)
    done = 0

    def on_result(index: int, result: dict[str, Any]) -> None:
        nonlocal done
        if results[index] is not None:  # never twice; a late duplicate is ignored
            return
        result["file"] = display_path(names[index])
        results[index] = result
        done += 1
        if progress is not None:
            progress(done, len(names), result)

    todo = list(range(len(names)))
    if reuse is not None:
        todo = []
        for i, name in enumerate(names):
            known = reuse(name)
            if known is None:
                todo.append(i)
            else:
                on_result(i, known)
    pending = [names[i] for i in todo]

    def on_checked(j: int, result: dict[str, Any]) -> None:
        on_result(todo[j], result)

    jobs = max(1, jobs or default_jobs())
    if scheduler is not None:
        if pending:
            from .dask_engine import run_dask

            run_dask(pending, jobs, settings, timeout, on_checked, scheduler)
    elif not isolate:
        check_here(pending, settings, on_checked)
    elif pending:
        if start_method == "fork" and check is None:
            preload(feedback_dir is not None)
        run_pool(pending, min(jobs, len(pending)), settings, timeout, on_checked, start_method)
    final = [
        r if r is not None else error_dict(display_path(names[i]), "未得到检查结果") for i, r in enumerate(results)
    ]
    mark_superseded(final, mtimes)
    return final


def run_batch(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    lang: str = "zh",
    check: CheckFunction | str | None = None,
    writer: Callable[..., Any] | str | None = None,
    feedback: bool = True,
    isolate: bool = True,
    start_method: str | None = DEFAULT_START_METHOD,
    reuse: Reuse | None = None,
    after_check: AfterCheck | None = None,
    skipped: dict[str, tuple[str, str]] | None = None,
    scheduler: str | None = None,
) -> BatchResult:
    """Check every path and write summary.xlsx, results.jsonl and feedback/ to out_dir. Never prints.

    `skipped` (path -> (zh, en) reason, from find_inputs) are inputs not read: each is an `error` row in its
    place, so that every input found appears once.

    The run holds OUT's lock throughout (FolderBusy when another run has it). Workers write into this run's own
    temporary folder (feedback/.rdcheck-run-<run id>/), removed at the end however the run ends. An interrupt
    becomes BatchInterrupted, saying what was done and what is left in OUT.

    reuse and after_check are the register's hooks (rdcheck.district.rounds): a result kept from an identical
    file, and a step over the final results before the outputs are written.
    """
    started = time.monotonic()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in (RESULTS_NAME, SUMMARY_NAME, FEEDBACK_DIR):
        refuse_link(out / name)  # before a minute of checking, not after
    ordered = sorted(str(p) for p in paths)
    run_id = new_run_id()
    log = _Written()
    done = 0

    def counting(n: int, total: int, result: dict[str, Any]) -> None:
        nonlocal done
        done = n
        if progress is not None:
            progress(n, total, result)

    with FolderLock(out, "rdcheck batch", run_id):
        clean_stale_temporaries(out)
        work = out / FEEDBACK_DIR / f"{RUN_DIR_PREFIX}{run_id}" if feedback else None
        try:
            results = check_files(
                ordered,
                jobs=jobs,
                config_path=config_path,
                timeout=timeout,
                progress=counting,
                lang=lang,
                check=check,
                feedback_dir=work,
                writer=writer,
                isolate=isolate,
                start_method=start_method,
                reuse=reuse,
                scheduler=scheduler,
            )
            if skipped:
                rows = dict(zip(ordered, results, strict=True))
                for path, (zh, en) in skipped.items():
                    rows[path] = error_dict(display_path(path), en if lang == "en" else zh)
                results = [rows[p] for p in sorted(rows)]
            outputs = write_outputs(results, out, feedback, lang, run_id, log, after_check=after_check)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", 2)
            raise BatchInterrupted(done, len(ordered), log.written, log.dropped, out, signum) from None
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
    return BatchResult(
        results=results,
        out_dir=out,
        elapsed=time.monotonic() - started,
        jobs=max(1, jobs or default_jobs()),
        outputs=outputs,
    )


def load_results(
    src: str | os.PathLike[str],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    progress: Any = None,
    check: Any = None,
    start_method: str | None = None,
    lang: str = "zh",
    allow_incomplete: bool = False,
) -> list[dict[str, Any]]:
    """Return the JSON reports of SRC: a batch's results.jsonl, or every workbook in a folder, checked now.

    A batch's output folder (it holds results.jsonl) is read as its results.jsonl; a folder with neither
    results.jsonl nor a workbook is refused rather than rolled up as an empty district. A results.jsonl that is
    not complete raises IncompleteResults unless allow_incomplete.
    """
    p = Path(src)
    if p.is_dir() and (p / RESULTS_NAME).is_file():
        return read_results_jsonl(p / RESULTS_NAME, allow_incomplete=allow_incomplete)
    if p.is_dir():
        paths = find_workbooks(p)
        if not paths:
            raise ConfigError(
                f"{p} 下既没有 {RESULTS_NAME} 也没有工作簿（.xlsx/.xlsm/.xls）",
                f"{p} holds neither {RESULTS_NAME} nor any workbook (.xlsx/.xlsm/.xls)",
            )
        return check_files(
            paths,
            jobs=jobs,
            config_path=config_path,
            timeout=timeout or DEFAULT_TIMEOUT,
            progress=progress,
            lang=lang,
            check=check,
            **({"start_method": start_method} if start_method else {}),
        )
    if p.is_file() and p.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return read_results_jsonl(p, allow_incomplete=allow_incomplete)
    if p.is_file():
        raise ConfigError(
            f"{p} 既不是文件夹也不是 results.jsonl", f"{p} is neither a folder nor a batch's results.jsonl"
        )
    raise ConfigError(f"找不到 {p}", f"not found: {p}")


__all__ = [
    "load_results",
    "BatchInterrupted",
    "BatchResult",
    "IncompleteResults",
    "MAX_NAME_BYTES",
    "clean_stale_temporaries",
    "cut_bytes",
    "unique_name",
    "write_outputs",
    "DEFAULT_START_METHOD",
    "DEFAULT_TIMEOUT",
    "FAULT_ENV",
    "FEEDBACK_DIR",
    "RESULTS_NAME",
    "SUMMARY_NAME",
    "WorkerStartError",
    "WORKBOOK_SUFFIXES",
    "check_files",
    "default_jobs",
    "display_path",
    "feedback_stem",
    "find_inputs",
    "find_workbooks",
    "mark_superseded",
    "read_results_jsonl",
    "results_line",
    "submission_key",
    "run_batch",
    "safe_name",
    "valid_uscc",
    "write_results_jsonl",
]
