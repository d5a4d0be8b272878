"""The `rdcheck` command: parse options, call the library, choose a writer. No checking logic lives here."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import RdcheckError
from .report.i18n import PILLAR, SEVERITY, lang_of, t

FAIL_ON = {"error": ("error",), "warning": ("error", "warning"), "never": ()}
DEFAULT_TEMPLATE = "研发支出辅助账模板.xlsx"
REPORT_SUFFIX = "-检查结果.xlsx"


class UsageFailure(click.ClickException):
    """A usage error found after parsing (bad config, output over the input): exit 2 with one line."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"rdcheck: {self.format_message()}", err=True)


def _fail(file: str, reason: str) -> None:
    click.echo(f"rdcheck: {file}: {' '.join(reason.split())}", err=True)


_CLICK_DETAILS: tuple[tuple[str, str], ...] = (
    (r"'?(.*?)'? is not one of (.+)\.", "“{0}”不是可选值（可选：{1}）"),
    (r"'?(.*?)'? is not a valid (?:integer|float|number)(?: range)?\.", "“{0}”不是数字"),
    (r"(.+) is not in the range (.+)\.", "{0} 超出范围（{1}）"),
    (r"(?:File|Directory|Path) '(.+)' does not exist\.", "“{0}”不存在"),
    (r"File '(.+)' is a directory\.", "“{0}”是文件夹，不是文件（检查整个文件夹请用 rdcheck batch）"),
    (r"Directory '(.+)' is a file\.", "“{0}”是文件，不是文件夹"),
    (r"No such command '(.+)'\.", "没有命令“{0}”（可用：check, batch, rollup, template, rules）"),
    (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}"),
    (r"No such option:? '?([^' ]+)'?\.?(?: Did you mean '?([^' ?]+)'?\?)?", "没有选项 {0}"),
    (r"Option '(.+)' requires an argument\.", "选项 {0} 后面需要一个值"),
)


def _usage_line(exc: click.UsageError, lang: str) -> str:
    """A click usage error as one line: Chinese unless --lang en, naming the option and pointing at --help."""
    import re

    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "rdcheck"
    message = " ".join(exc.format_message().split())
    if lang == "en":
        return f"{message} (see {path} --help)"
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None) or (param.get_error_hint(ctx) if param is not None and ctx else None)
    hint = hint.replace("'", "") if isinstance(hint, str) else None
    if isinstance(exc, click.MissingParameter):
        kind = "参数" if isinstance(param, click.Argument) or exc.param_type == "argument" else "选项"
        return f"缺少{kind} {hint or ''}（运行 {path} --help 查看用法）"
    detail = exc.message if isinstance(exc, click.BadParameter) else message
    for pattern, text in _CLICK_DETAILS:
        m = re.fullmatch(pattern, " ".join(str(detail).split()))
        if m:
            groups = [(g or "").replace("'", "") for g in m.groups()]
            detail = text.format(*groups)
            if text.startswith("没有选项") and groups[-1] and len(groups) > 1:
                detail += f"，是否要用 {groups[-1]}"
            break
    where = f"{hint} 的值无效：" if isinstance(exc, click.BadParameter) and hint else ""
    return f"{where}{detail}（运行 {path} --help 查看用法）"


class _Main(click.Group):
    """The top-level group: a usage error is one line (Chinese by default) and exit 2, never click's usage block."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:  # fmt: skip
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        english = "--lang=en" in argv or any(a == "--lang" and b == "en" for a, b in zip(argv, argv[1:], strict=False))
        lang = "en" if english else "zh"
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            click.echo(f"rdcheck: {_usage_line(exc, lang)}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止" if lang == "zh" else "Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="rdcheck")
def main() -> None:
    """Check R&D auxiliary ledgers (研发支出辅助账) and roll them up into district R&D statistics."""


@main.command()
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
def check(
    files: tuple[str, ...], fmt: str, output: str | None, fail_on: str, lang: str, config_path: str | None
) -> None:
    """Check one or more ledgers (FILE...); exit 0 clean, 1 findings at --fail-on, 2 unreadable or usage error."""
    from .api import check as check_file
    from .engine import Config
    from .report import json as json_report
    from .report import text as text_report

    try:
        config = Config.load(config_path)
    except RdcheckError as exc:
        raise UsageFailure(exc.message(lang)) from None

    out_paths = _xlsx_outputs(files, output, lang) if fmt == "xlsx" else {}
    results: list[Any] = []
    unreadable = failing = False
    for file in files:
        try:
            report = check_file(file, config=config, lang=lang)
            if fmt == "xlsx":
                _write_xlsx(report, out_paths[file], lang)
        except RdcheckError as exc:
            reason = exc.message(lang)
        except Exception as exc:  # one bad file must not stop the others, nor show a traceback
            reason = t("unexpected", lang, error=f"{type(exc).__name__}: {exc}")
        else:
            results.append(report)
            failing = failing or any(f.severity in FAIL_ON[fail_on] for f in report.findings)
            continue
        unreadable = True
        _fail(file, reason)
        results.append(json_report.unreadable(file, reason))

    reports = [r for r in results if not isinstance(r, dict)]
    if fmt == "json":
        _emit(json_report.render(results[0] if len(files) == 1 else results), output)
    elif fmt == "text":
        color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        _emit("\n".join(text_report.render(r, lang=lang, color=color) for r in reports), output, color=color)
    else:
        for r in reports:
            click.echo(f"{r.file}: {text_report.summary_line(r, lang)} — {t('written', lang, path=out_paths[r.file])}")
    sys.exit(2 if unreadable else 1 if failing else 0)


def _write_xlsx(report: Any, out: Path, lang: str) -> None:
    from .report.xlsx import write_annotated

    try:
        write_annotated(report, out, lang=lang)
    except OSError as exc:  # the output, not the input, is at fault: say so
        raise RdcheckError(
            f"无法写入 {out}：{exc.strerror or exc}", f"cannot write {out}: {exc.strerror or exc}"
        ) from None


def _emit(text: str, output: str | None, color: bool = False) -> None:
    if not text:
        return
    if output is None:
        click.echo(text, nl=False, color=color)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageFailure(f"{output}: {exc.strerror or exc}") from None


def _xlsx_outputs(files: tuple[str, ...], output: str | None, lang: str) -> dict[str, Path]:
    """Where each annotated copy goes: -o for one file, -o/<name>-检查结果.xlsx for several; never over an input."""
    if len(files) == 1 and output is not None and not Path(output).is_dir():
        outs = {files[0]: Path(output)}
    else:
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
    inputs = {Path(f).resolve() for f in files}
    for out in outs.values():
        if out.resolve() in inputs:
            raise UsageFailure(t("would_overwrite", lang, path=out))
    return outs


@main.command()
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str),
              help=f"Where to write the empty standard workbook (default {DEFAULT_TEMPLATE}).")  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite the default file if it exists.")
def template(output: str | None, force: bool) -> None:
    """Write the empty standard workbook (标准模板) with drop-down lists and 填表说明."""
    from .template import write_template

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


@main.command()
@click.argument("rule_id", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def rules(rule_id: str | None, lang: str) -> None:
    """List the rule catalogue, or show one rule's documentation with its examples."""
    from .engine import load_catalogue

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
    from .report.text import pad

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


def _register_district() -> None:
    """Add `batch` and `rollup` when the district commands are installed."""
    name = f"{__package__}.cli_district"
    try:
        cli_district = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but is broken: say so rather than hide the commands
            raise
        return
    for name in ("batch", "rollup"):
        command = getattr(cli_district, name, None)
        if isinstance(command, click.Command):
            main.add_command(command, name)


_register_district()
