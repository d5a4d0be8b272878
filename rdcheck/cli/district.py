"""`rdcheck batch` and `rdcheck rollup`: parse options, draw progress, print results; the work is in the library."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..errors import RdcheckError
from ..text import display_width, terminal_safe

MAX_ERRORS_SHOWN = 20
STATUS_ZH = {"pass": "通过", "warn": "有警告", "fail": "不通过", "error": "无法检查", "superseded": "已被替代"}


class UsageFailure(click.ClickException):
    """A usage error found after parsing (bad district.yaml, bad config): exit 2 with one line."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(terminal_safe(f"rdcheck: {self.format_message()}"), err=True)


class ProgressBar:
    """Progress on stderr: on a terminal, done/total, rate and ETA redrawn on one line; otherwise (a log, a pipe)
    one plain line at each tenth of the way; nothing when quiet."""

    def __init__(self, enabled: bool, label: str = "检查", tty: bool = True, lang: str = "zh") -> None:
        self.enabled = enabled
        self.label = label
        self.tty = tty
        self.lang = lang
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0
        self.step = -1

    def __call__(self, done: int, total: int, result: dict[str, Any]) -> None:
        from . import PROGRESS

        PROGRESS.update(done=done, total=total)  # for the note after Ctrl-C
        if not self.enabled:
            return
        if not self.tty:
            step = 10 * done // total if total else 10
            if step != self.step or done == total:
                self.step = step
                click.echo(f"{self.label} {done}/{total}", err=True)
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0.0
        filled = int(24 * done / total) if total else 24
        bar = "[" + "#" * filled + "." * (24 - filled) + "]"  # ASCII: box glyphs are double width in CJK terminals
        name = terminal_safe(Path(str(result.get("file", ""))).name)
        if len(name) > 30:
            name = "…" + name[-29:]
        speed = f"{rate:.1f} 个/秒  剩余 {_clock(eta)}" if self.lang == "zh" else f"{rate:.1f}/s  ETA {_clock(eta)}"
        line = f"\r{self.label} {bar} {done}/{total}  {speed}  {name}"
        width = display_width(line.replace("\r", ""))
        pad = max(0, self.width - width)  # blank what a longer previous line left behind
        self.width = width
        click.echo(line + " " * pad, err=True, nl=False)
        if done >= total:
            click.echo("", err=True)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


def _check_config(config_path: str | None, lang: str) -> None:
    """Load the bureau configuration once here, so that a bad file is one usage error, not one per workbook."""
    if config_path is None:
        return
    from ..engine import Config

    try:
        Config.load(config_path)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None


def _progress(quiet: bool, lang: str) -> ProgressBar:
    label = "检查" if lang == "zh" else "checking"
    return ProgressBar(enabled=not quiet, label=label, tty=sys.stderr.isatty(), lang=lang)


@click.command("batch")
@click.argument("directory", type=click.Path(exists=True, path_type=str))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for summary.xlsx, results.jsonl and feedback/.")  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")  # fmt: skip
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Bureau configuration.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds one file may take before it is stopped and reported as an error.")  # fmt: skip
@click.option("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
              help="Check on a Dask cluster: 'local' (a LocalCluster of --jobs workers here) or a scheduler's "
                   "address; the input and output folders must be at the same path on every machine.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--follow-links", is_flag=True, help="Also read workbooks that links under DIR lead to outside it.")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the output."
)
@click.option("--register", "register_path", type=click.Path(dir_okay=False, path_type=str),
              help="The season's register (SQLite): this batch becomes a round; writes changes.json.")  # fmt: skip
@click.option("--roster", "roster_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="With --register: enterprises expected to submit (csv or xlsx), for `missing`.")  # fmt: skip
def batch_command(
    directory: str,
    out_dir: str,
    jobs: int | None,
    config_path: str | None,
    timeout: float,
    scheduler: str | None,
    quiet: bool,
    follow_links: bool,
    lang: str,
    register_path: str | None = None,
    roster_path: str | None = None,
) -> None:
    """Check every workbook under DIRECTORY; write summary.xlsx, results.jsonl and feedback/ to -o."""
    from ..district.batch import FEEDBACK_DIR, BatchInterrupted, find_inputs, run_batch

    _check_config(config_path, lang)
    if scheduler is not None and register_path is not None:
        raise UsageFailure(
            "--scheduler 与 --register 不能同时使用" if lang == "zh" else "--scheduler cannot be used with --register"
        )
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageFailure(f"输出位置不是文件夹：{out}" if lang == "zh" else f"output is not a folder: {out}")
    # OUT may be DIR itself; a link leading outside DIR is one row with its reason unless --follow-links
    paths, skipped = find_inputs(directory, exclude=[out, out / FEEDBACK_DIR], follow_links=follow_links)
    if not paths and not skipped:
        click.echo(
            f"{directory} 下没有找到 .xlsx/.xlsm/.xls 工作簿" if lang == "zh" else f"no workbooks under {directory}",
            err=True,
        )
    round_line = None
    try:
        with interrupts_as_keyboard_interrupt():
            if register_path is not None:  # a round of the season (rdcheck.district.rounds; cli/season.py)
                from .season import run_register_round

                result, round_line = run_register_round(
                    register_path,
                    roster_path,
                    directory,
                    paths,
                    out,
                    jobs,
                    config_path,
                    timeout,
                    _progress(quiet, lang),
                    lang,
                    skipped,
                )
            else:
                result = run_batch(
                    paths,
                    out,
                    jobs=jobs,
                    config_path=config_path,
                    timeout=timeout,
                    progress=_progress(quiet, lang),
                    lang=lang,
                    skipped=skipped,
                    scheduler=scheduler,
                )
    except BatchInterrupted as exc:
        click.echo("", err=True)
        click.echo(f"rdcheck: {exc.message(lang)}", err=True)
        sys.exit(128 + getattr(exc, "signum", 2))
    except OSError as exc:
        raise UsageFailure(_write_failure(exc, lang)) from None
    except RdcheckError as exc:  # another run holds OUT, a link planted in OUT, the workers cannot start
        raise UsageFailure(exc.message(lang)) from None
    counts = result.counts
    if lang == "zh":
        parts = "，".join(f"{STATUS_ZH[k]} {v}" for k, v in counts.items())
        click.echo(f"检查 {len(result.results)} 个文件，用时 {result.elapsed:.1f} 秒（{result.jobs} 个进程）：{parts}")
    else:
        parts = ", ".join(f"{k} {v}" for k, v in counts.items())
        click.echo(f"checked {len(result.results)} files in {result.elapsed:.1f} s ({result.jobs} processes): {parts}")
    if round_line is not None:
        click.echo(round_line)
    for key in ("summary", "results", "feedback", "changes"):
        if key in result.outputs:
            click.echo(f"  → {result.outputs[key]}")
    errors = [r for r in result.results if r.get("status") == "error"]
    for r in errors[:MAX_ERRORS_SHOWN]:
        click.echo(terminal_safe(f"  {r.get('file')}: {r.get('error')}"), err=True)
    if len(errors) > MAX_ERRORS_SHOWN:
        more = len(errors) - MAX_ERRORS_SHOWN
        click.echo(
            f"  …另有 {more} 个文件无法检查，见 summary.xlsx" if lang == "zh" else f"  …{more} more, see summary.xlsx",
            err=True,
        )


@click.command("rollup")
@click.argument("src", type=click.Path(exists=True, path_type=str))
@click.option("--district", "district_path", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="district.yaml: name, year, GDP, targets, other performers, 区域.")  # fmt: skip
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=str),
              help="Folder for rollup.json and rollup.xlsx (default: print only).")  # fmt: skip
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=str),
              help="Enterprises expected to submit (csv or xlsx).")  # fmt: skip
@click.option("--exclude-failed", is_flag=True, help="Leave out submissions whose check status is fail.")
@click.option("--allow-incomplete", is_flag=True,
              help="Use a results.jsonl that is not complete (cut short, or not a finished batch) as it is.")  # fmt: skip
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Bureau configuration (when SRC is a folder).")  # fmt: skip
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (SRC a folder).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds one file may take (SRC a folder).")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the output."
)
@click.option("--previous", "previous_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Last year's rollup.json, results.jsonl or register: growth and plausibility warnings.")  # fmt: skip
@click.option("--publish", is_flag=True, help="Also write rollup-public.json/xlsx (no names; small cells suppressed).")
def rollup_command(
    src: str,
    district_path: str,
    out_dir: str | None,
    roster_path: str | None,
    exclude_failed: bool,
    allow_incomplete: bool,
    config_path: str | None,
    jobs: int | None,
    timeout: float,
    quiet: bool,
    lang: str,
    previous_path: str | None = None,
    publish: bool = False,
) -> None:
    """Roll SRC (a folder of workbooks, or a batch's results.jsonl) up into the district's R&D figures."""
    from ..district import rollup as rollup_lib
    from ..district.plan import load_district, load_roster

    try:
        district = load_district(district_path)
        roster = load_roster(roster_path) if roster_path else None
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    _check_config(config_path, lang)
    out = None if out_dir is None else Path(out_dir)
    if publish and out is None:
        raise UsageFailure("--publish 需要 -o 输出文件夹" if lang == "zh" else "--publish needs -o OUT")
    if out is not None and out.exists() and not out.is_dir():
        raise UsageFailure(f"输出位置不是文件夹：{out}" if lang == "zh" else f"output is not a folder: {out}")
    try:
        results = rollup_lib.load_results(
            src,
            jobs=jobs,
            config_path=config_path,
            timeout=timeout,
            progress=_progress(quiet, lang),
            lang=lang,
            allow_incomplete=allow_incomplete,
        )
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    figures = rollup_lib.rollup(results, district, roster=roster, exclude_failed=exclude_failed)
    from .season import rollup_season, write_public

    season_lines = rollup_season(figures, previous_path, lang)  # scorecard, year on year, screening (cli/season.py)
    # names come from the enterprises: no escape sequence of theirs reaches the terminal
    click.echo(terminal_safe(rollup_lib.format_summary(figures, lang) + season_lines))
    for warning in figures.warnings(lang):
        click.echo(terminal_safe(("警告：" if lang == "zh" else "warning: ") + warning), err=True)
    if out is not None:
        json_path, xlsx_path = _write_rollup_outputs(figures, out, lang)
        click.echo(f"\n  → {json_path}\n  → {xlsx_path}")
        if publish:
            for path in write_public(figures, out, lang):
                click.echo(f"  → {path}")


def _write_rollup_outputs(figures: Any, out: Path, lang: str) -> tuple[Path, Path]:
    """rollup.json and rollup.xlsx, each atomically, with OUT locked against another run."""
    from ..district.lock import FolderLock, new_run_id
    from ..district.rollup_xlsx import write_rollup
    from ..outfile import replacing, write_text

    json_path, xlsx_path = out / "rollup.json", out / "rollup.xlsx"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with FolderLock(out, "rdcheck rollup", new_run_id()):
            write_text(json_path, json.dumps(figures.to_dict(), ensure_ascii=False, indent=2) + "\n")
            with replacing(xlsx_path) as tmp:
                write_rollup(figures, tmp, lang)
    except OSError as exc:
        raise UsageFailure(_write_failure(exc, lang)) from None
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    return json_path, xlsx_path


# the names rdcheck.cli registers
batch = batch_command
rollup = rollup_command

__all__ = ["batch", "batch_command", "rollup", "rollup_command"]


@contextmanager
def interrupts_as_keyboard_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a long run the way Ctrl-C does: workers stopped, temporaries removed, a last line.

    While the worker pool runs, the handler only leaves it a stop request (acted on within half a second): a
    KeyboardInterrupt raised from a handler can land in a callback that ignores it, a fork hook, and be lost.
    """

    from ..district.pool import request_stop

    def handler(signum: int, frame: Any) -> None:
        if request_stop(signum):
            return  # the running pool stops itself at its next wake-up
        exc = KeyboardInterrupt()
        exc.signum = signum  # type: ignore[attr-defined]
        raise exc

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                previous[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread
                pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _write_failure(exc: OSError, lang: str) -> str:
    """One line for an output that cannot be written: where, and the system's reason (no errno)."""
    where = exc.filename or ""
    reason = exc.strerror or str(exc)
    return f"无法写出结果：{where}（{reason}）" if lang == "zh" else f"cannot write the output: {where} ({reason})"
