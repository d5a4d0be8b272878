"""`rdcheck waive` and `rdcheck register`, and the register round behind `rdcheck batch --register`.

Thin: options are parsed here, the work is in rdcheck.district.register / rounds / waivers / register_xlsx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import RdcheckError
from ..text import display_width
from . import UsageFailure


def run_register_round(
    register_path: str,
    roster_path: str | None,
    directory: str,
    paths: list[Any],
    out: Path,
    jobs: int | None,
    config_path: str | None,
    timeout: float,
    progress: Any,
    lang: str,
    skipped: dict[str, tuple[str, str]] | None = None,
) -> tuple[Any, str]:
    """Run a round for `rdcheck batch --register`; return the batch's result and the terminal's changes line."""
    from ..district.changes import summary_line
    from ..district.plan import load_roster
    from ..district.rounds import run_round

    roster = load_roster(roster_path) if roster_path else None
    done = run_round(
        register_path,
        paths,
        out,
        roster=roster,
        source=str(Path(directory).resolve()),
        jobs=jobs,
        config_path=config_path,
        timeout=timeout,
        progress=progress,
        lang=lang,
        skipped=skipped,
    )
    line = summary_line(done.changes, lang)
    if done.reused:
        line += (
            f"（{done.reused} 个文件与已检查的文件相同，沿用结果）"
            if lang == "zh"
            else f" ({done.reused} file(s) identical to ones already checked: results reused)"
        )
    return done.batch, line


def rollup_season(figures: Any, previous_path: str | None, lang: str) -> str:
    """For `rdcheck rollup`: the scorecard, year on year and screening; return the terminal lines to add."""
    from ..district.season_sheets import apply_season, render

    try:
        apply_season(figures, previous_path, lang)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    text = render(figures, lang)
    return "\n" + text if text else ""


def write_public(figures: Any, out: Path, lang: str) -> list[Path]:
    """For `rdcheck rollup --publish`: rollup-public.json and rollup-public.xlsx, each written atomically."""
    import json

    from ..district.publish import public_figures, write_public_xlsx
    from ..outfile import replacing, write_text

    public = public_figures(figures)
    paths = [out / "rollup-public.json", out / "rollup-public.xlsx"]
    try:
        write_text(paths[0], json.dumps(public, ensure_ascii=False, indent=2) + "\n")
        with replacing(paths[1]) as tmp:
            write_public_xlsx(public, tmp, lang)
    except OSError as exc:
        raise UsageFailure(
            f"无法写出 {exc.filename}（{exc.strerror}）" if lang == "zh" else f"cannot write {exc.filename}"
        ) from None
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    return paths


def _open(register_path: str, lang: str, create: bool = False) -> Any:
    from ..district.register import Register

    try:
        return Register.open(register_path, create=create)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None


_LANG = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the output."
)


@click.command("waive")
@click.argument("register_path", metavar="REGISTER", type=click.Path(dir_okay=False, path_type=str))
@click.option("--uscc", required=True, help="The enterprise's 统一社会信用代码.")
@click.option("--rule", "rule", required=True, help="The rule whose findings are accepted, e.g. B03.")
@click.option("--reason", required=True, help="Why the bureau accepted the explanation (shown with the findings).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Only this year's ledger.")
@click.option("--cell", default=None, help="Only the finding at this cell, written SHEET!A1 (e.g. 辅助账明细!C186).")
@_LANG
def waive_command(
    register_path: str, uscc: str, rule: str, reason: str, year: int | None, cell: str | None, lang: str
) -> None:
    """Record in REGISTER that the bureau accepts an enterprise's explanation for a rule; later rounds mark the
    matching findings as waived and judge the status without them."""
    from ..district.waivers import make_waiver
    from ..engine import load_catalogue

    try:
        waiver = make_waiver(uscc, rule, reason, year=year, cell=cell)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    if waiver.rule not in load_catalogue():
        raise UsageFailure(f"没有规则 {waiver.rule}（rdcheck rules 列出全部规则）" if lang == "zh" else
                           f"no rule {waiver.rule} (rdcheck rules lists them)")  # fmt: skip
    reg = _open(register_path, lang, create=True)
    try:
        known = any(s["uscc"] == waiver.uscc for s in reg.submissions())
        stored = reg.add_waiver(waiver)
    finally:
        reg.close()
    where = f" {stored.where}" if stored.where else ""
    when = f" {stored.year}" if stored.year else ""
    if lang == "zh":
        click.echo(f"已登记豁免 #{stored.id}：{stored.uscc}{when} {stored.rule}{where} —— {stored.reason}")
        click.echo("下一轮 rdcheck batch --register 起，相应问题标注“已豁免”，不再计入结论。")
    else:
        click.echo(f"waiver #{stored.id} recorded: {stored.uscc}{when} {stored.rule}{where} — {stored.reason}")
        click.echo("From the next rdcheck batch --register on, matching findings are marked waived and not counted.")
    if not known:
        click.echo(
            f"注意：登记簿中还没有 {stored.uscc} 的报送"
            if lang == "zh"
            else f"note: no submission from {stored.uscc} yet",
            err=True,
        )


def _table(rows: list[list[Any]], heads: list[str]) -> list[str]:
    texts = [[("" if v is None else str(v)) for v in row] for row in [heads, *rows]]
    widths = [max(display_width(r[c]) for r in texts) for c in range(len(heads))]
    return ["  " + "  ".join(v + " " * (w - display_width(v)) for v, w in zip(r, widths, strict=True)).rstrip()
            for r in texts]  # fmt: skip


@click.command("register")
@click.argument("register_path", metavar="REGISTER", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=str),
              help="Also write the whole register to this .xlsx.")  # fmt: skip
@_LANG
def register_command(register_path: str, export_path: str | None, lang: str) -> None:
    """List REGISTER's rounds, each enterprise's latest status and the waivers; --export writes it all to xlsx."""
    from ..district.register_xlsx import latest_rows, round_rows, waiver_rows, write_register

    reg = _open(register_path, lang)
    try:
        en = lang == "en"
        heads, rows = round_rows(reg, lang)
        keep = [0, 1, 2, 3, 5, *range(7, len(heads))]  # without the finish time and the folder
        click.echo(("Rounds" if en else "轮次") + f" ({len(rows)})")
        click.echo("\n".join(_table([[r[i] for i in keep] for r in rows], [heads[i] for i in keep])))
        heads, rows = latest_rows(reg, lang)
        click.echo("\n" + ("Enterprises, latest status" if en else "企业最新结论") + f" ({len(rows)})")
        click.echo("\n".join(_table([r[:-1] for r in rows], heads[:-1])))
        heads, rows = waiver_rows(reg, lang)
        click.echo("\n" + ("Waivers" if en else "豁免") + f" ({len(rows)})")
        if rows:
            click.echo("\n".join(_table(rows, heads)))
        if export_path is not None:
            try:
                write_register(reg, export_path, lang)
            except OSError as exc:
                raise UsageFailure(
                    f"无法写出 {export_path}（{exc.strerror or exc}）" if not en else f"cannot write {export_path}"
                ) from None
            click.echo(f"\n  → {export_path}")
    finally:
        reg.close()


waive = waive_command
register = register_command

__all__ = [
    "register",
    "register_command",
    "rollup_season",
    "run_register_round",
    "waive",
    "waive_command",
    "write_public",
]
