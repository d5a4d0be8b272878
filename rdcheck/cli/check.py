"""`rdcheck check`, `template` and `rules`: the enterprise's commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import RdcheckError
from ..outfile import OutputRefused, same_file, write_text
from ..report.i18n import PILLAR, SEVERITY, lang_of, t
from ..text import terminal_safe
from . import UsageFailure, _fail

FAIL_ON = {"error": ("error",), "warning": ("error", "warning"), "never": ()}
DEFAULT_TEMPLATE = "研发支出辅助账模板.xlsx"
REPORT_SUFFIX = "-检查结果.xlsx"


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text", show_default=True,
    help="Output: text for the terminal, JSON (spec §6), or the annotated workbook.",
)  # fmt: skip
@click.option(
    "-o", "--output", "output", type=click.Path(path_type=str),
    help="Write here instead of standard output; with xlsx and several files, a directory.",
)  # fmt: skip
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True,
    help="Exit 1 when a finding at or above this severity is found.",
)  # fmt: skip
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the output."
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str), help="Bureau configuration.")
@click.option("--force", is_flag=True, help="Overwrite annotated workbooks (<name>-检查结果.xlsx) that already exist.")
@click.option(
    "--info", "info_path", type=click.Path(dir_okay=False, path_type=str),
    help="Enterprise information (YAML, or a workbook with a 企业信息 sheet) for a workbook that has none.",
)  # fmt: skip
@click.option("--register", "register_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="The bureau's register: mark findings it has waived (rdcheck waive).")  # fmt: skip
def check(
    files: tuple[str, ...],
    fmt: str,
    output: str | None,
    fail_on: str,
    lang: str,
    config_path: str | None,
    force: bool,
    info_path: str | None,
    register_path: str | None = None,
) -> None:
    """Check one or more ledgers (FILE...); exit 0 clean, 1 findings at --fail-on, 2 unreadable or usage error."""
    from ..workbook.prescan import prescanning

    with prescanning(files[0]) as prescan:  # the first file's safety scan, beside the imports below (prescan.py)
        from ..api import check as check_file
        from ..report import json as json_report
        from ..report import text as text_report

        config, info = load_config_and_info(config_path, info_path, lang)

        waivers = _waivers(register_path, lang)
        if output is not None and fmt != "xlsx" and any(same_file(output, f) for f in files):
            raise UsageFailure(t("would_overwrite", lang, path=output))
        out_paths = _xlsx_outputs(files, output, lang, force) if fmt == "xlsx" else {}
        results: list[Any] = []
        unreadable = failing = False
        for file in files:
            ahead = None
            try:
                if fmt == "xlsx":
                    from ..report.ahead import ReadAhead

                    ahead = ReadAhead(file)  # the copy's second read of the file, on the other core during the check
                report = check_file(
                    file,
                    config=config,
                    lang=lang,
                    info=info,
                    on_read=ahead.start if ahead else None,
                    prescan=prescan if file == files[0] else None,
                )
                if waivers:
                    from ..district.waivers import apply_to_report

                    apply_to_report(report, waivers)
                if fmt == "xlsx":
                    from ..report.xlsx import for_copy

                    report = for_copy(report)  # the checked rows are freed before the copy reads the input again
                    _write_xlsx(report, out_paths[file], lang, ahead)
            except RdcheckError as exc:
                reason = exc.message(lang)
            except Exception as exc:  # one bad file must not stop the others, nor show a traceback
                reason = t("unexpected", lang, error=f"{type(exc).__name__}: {exc}")
            else:
                results.append(report)
                failing = failing or any(f.severity in FAIL_ON[fail_on] and f.waived is None for f in report.findings)
                continue
            finally:
                if ahead is not None:
                    ahead.close()  # what the copy did not take (the check or the copy failed)
            unreadable = True
            _fail(file, reason)
            results.append(json_report.unreadable(file, reason))

        reports = [r for r in results if not isinstance(r, dict)]
        if fmt == "json":
            _emit(json_report.render(results[0] if len(files) == 1 else results), output, lang=lang)
        elif fmt == "text":
            color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            text = "\n".join(text_report.render(r, lang=lang, color=color) for r in reports)
            _emit(text, output, color=color, lang=lang)
        else:
            for r in reports:
                line = f"{r.file}: {text_report.summary_line(r, lang)} — {t('written', lang, path=out_paths[r.file])}"
                click.echo(terminal_safe(line))
        sys.exit(2 if unreadable else 1 if failing else 0)


def _waivers(register_path: str | None, lang: str) -> list[Any]:
    """The waivers in force in the bureau's register (none without --register)."""
    if register_path is None:
        return []
    from ..district.register import Register

    try:
        with Register.open(register_path, create=False) as reg:
            return reg.waivers()
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None


def _write_xlsx(report: Any, out: Path, lang: str, ahead: Any = None) -> None:
    from ..report.xlsx import write_annotated

    try:
        write_annotated(report, out, lang=lang, ahead=ahead)
    except OSError as exc:  # the output, not the input, is at fault: say so
        raise RdcheckError(
            f"无法写入 {out}：{exc.strerror or exc}", f"cannot write {out}: {exc.strerror or exc}"
        ) from None


def _emit(text: str, output: str | None, color: bool = False, lang: str = "zh") -> None:
    if not text:
        return
    if output is None:
        click.echo(terminal_safe(text, keep_colour=color), nl=False, color=color)
        return
    if Path(output).is_dir():
        raise UsageFailure(t("output_is_dir", lang, path=output))
    try:
        write_text(output, text)  # a temporary beside it, renamed into place: never half a report
    except OutputRefused as exc:
        raise UsageFailure(exc.message(lang)) from None
    except OSError as exc:
        raise UsageFailure(f"{output}: {exc.strerror or exc}") from None
    click.echo(t("written", lang, path=output), err=True)


def _xlsx_outputs(files: tuple[str, ...], output: str | None, lang: str, force: bool = False) -> dict[str, Path]:
    """Where each annotated copy goes: -o for one file, -o/<name>-检查结果.xlsx for several; never over an input,
    never over a file rdcheck named itself without --force, and several files never into a folder named like a
    workbook."""
    named = len(files) == 1 and output is not None and not Path(output).is_dir()
    if named:  # -o names the file to (over)write, as for `rdcheck template -o`
        outs = {files[0]: Path(output)}
    else:
        if output is not None and not Path(output).is_dir() and Path(output).suffix.lower() in (".xlsx", ".xls"):
            raise UsageFailure(t("several_need_dir", lang, path=output))
        folder = Path(output) if output is not None else Path.cwd()
        outs, used = {}, set()
        for file in files:
            stem, n = Path(file).stem, 1
            name = f"{stem}{REPORT_SUFFIX}"
            while name in used:
                n += 1
                name = f"{stem}-{n}{REPORT_SUFFIX}"
            used.add(name)
            outs[file] = folder / name
    for out in outs.values():
        if any(same_file(out, f) for f in files):  # the same path, a link to it, a hard link
            raise UsageFailure(t("would_overwrite", lang, path=out))
        if out.exists() and not force and not named:
            raise UsageFailure(t("exists", lang, path=out))
    return outs


@click.command()
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str),
              help=f"Where to write the empty standard workbook (default {DEFAULT_TEMPLATE}).")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite the default file if it exists.")
def template(output: str | None, force: bool) -> None:
    """Write the empty standard workbook (标准模板) with drop-down lists and 填表说明."""
    from ..template import write_template

    # -o names the file to (over)write; the default name may be a template already being filled in: keep it
    if output is None:
        output = DEFAULT_TEMPLATE
        if Path(output).exists() and not force:
            raise UsageFailure(t("exists", "zh", path=output))
    try:
        write_template(output)
    except (RdcheckError, OSError) as exc:
        raise UsageFailure(exc.message("zh") if isinstance(exc, RdcheckError) else str(exc)) from None
    click.echo(t("written", "zh", path=output))


@click.command()
@click.argument("rule_id", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def rules(rule_id: str | None, lang: str) -> None:
    """List the rule catalogue, or show one rule's documentation with its examples."""
    from ..engine import load_catalogue

    try:
        catalogue = load_catalogue()
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
    if rule_id is None:
        click.echo(_rule_table(catalogue, lang), nl=False)
        return
    rid = rule_id.strip().upper()
    if rid not in catalogue:
        raise UsageFailure(t("no_rule", lang, id=rule_id))
    click.echo(_rule_doc(catalogue[rid], lang), nl=False)


def _rule_table(catalogue: Any, lang: str) -> str:
    from ..report.text import pad

    lines = []
    for rule in catalogue:
        sev = pad(SEVERITY[lang].get(rule.severity, rule.severity), 8)
        pillar = pad(f"{rule.pillar} {PILLAR[lang].get(rule.pillar, '')}", 10 if lang == "zh" else 30)
        lines.append(f"{rule.id}  {sev}{pillar}  {rule.title.get(lang) or rule.title.get('zh', '')}")
    return "\n".join(lines) + "\n"


def _rule_doc(rule: Any, lang: str) -> str:
    import yaml

    lang = lang_of(lang)
    title = rule.title.get(lang) or rule.title.get("zh", "")
    lines = [f"{rule.id}  {title}", ""]
    description = (getattr(rule, "description", None) or {}).get(lang) or (rule.description or {}).get("zh")
    if description:
        lines += [description.strip(), ""]
    lines.append(f"{t('rule_pillar', lang)}: {rule.pillar} {PILLAR[lang].get(rule.pillar, '')}")
    lines.append(f"{t('rule_severity', lang)}: {SEVERITY[lang].get(rule.severity, rule.severity)}")
    lines.append(f"{t('rule_basis', lang)}: {rule.basis}")
    for variant, texts in rule.messages.items():
        label = t("rule_message", lang) + ("" if variant == "default" else f" ({variant})")
        lines.append(f"{label}: {texts.get(lang) or texts.get('zh', '')}")
    for variant, texts in getattr(rule, "hints", {}).items():
        label = t("rule_hint", lang) + ("" if variant == "default" else f" ({variant})")
        lines.append(f"{label}: {texts.get(lang) or texts.get('zh', '')}")
    if rule.params:
        lines.append(f"{t('rule_params', lang)}:")
        lines += [f"  {k}: {_plain(v)}" for k, v in rule.params.items()]
    if rule.examples:
        lines += ["", f"{t('rule_examples', lang)}:"]
        for ex in rule.examples:
            verdict = t("rule_failing" if ex.kind == "fail" else "rule_passing", lang)
            lines.append(f"  [{verdict}] {ex.id}  {ex.note}".rstrip())
            if not ex.given:
                lines.append(f"      {t('rule_base_book', lang)}")
                continue
            given = yaml.safe_dump(_plain(ex.given), allow_unicode=True, sort_keys=False, default_flow_style=None)
            lines += [f"      {line}" for line in given.rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> Any:
    """Values as YAML can show them (Decimals and dates as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def load_config_and_info(config_path: str | None, info_path: str | None, lang: str) -> tuple[Any, Any]:
    """Return the bureau's config and the --info enterprise record; a bad file is a one-line usage error."""
    from ..engine import Config

    try:
        config = Config.load(config_path)
        if info_path is None:
            return config, None
        from ..workbook.info import read_info

        return config, read_info(info_path)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None
