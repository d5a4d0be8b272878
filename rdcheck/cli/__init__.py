"""The `rdcheck` command group: one-line usage errors (Chinese unless --lang en) and the commands of cli/*.py.

No checking logic lives in cli/: each command parses options, calls the library and chooses a writer.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from .. import __version__
from ..text import terminal_safe
from .help import localise, use_localised_help


class UsageFailure(click.ClickException):
    """A usage error found after parsing (bad config, output over the input): exit 2 with one line."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(terminal_safe(f"rdcheck: {self.format_message()}"), err=True)


def _fail(file: str, reason: str) -> None:
    click.echo(terminal_safe(f"rdcheck: {file}: {' '.join(reason.split())}"), err=True)


_CLICK_DETAILS: tuple[tuple[str, str], ...] = (
    (r"'?(.*?)'? is not one of (.+)\.", "“{0}”不是可选值（可选：{1}）"),
    (r"'?(.*?)'? is not a valid (?:integer|float|number)(?: range)?\.", "“{0}”不是数字"),
    (r"(.+) is not in the range (.+)\.", "{0} 超出范围（{1}）"),
    (r"(?:File|Directory|Path) '(.+)' does not exist\.", "“{0}”不存在"),
    (r"File '(.+)' is a directory\.", "“{0}”是文件夹，不是文件（检查整个文件夹请用 rdcheck batch）"),
    (r"Directory '(.+)' is a file\.", "“{0}”是文件，不是文件夹"),
    (r"No such command '([^']+)'\.(?: Did you mean '([^']+)'\?)?", "没有命令“{0}”"),
    (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}"),
    (r"No such option:? '?([^' ]+)'?\.?(?: \(?Did you mean (?:one of: )?(.+?)\?\)?)?", "没有选项 {0}"),
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
            if text.startswith(("没有选项", "没有命令")) and groups[-1] and len(groups) > 1:
                detail += f"，是否要用 {groups[-1].replace(', ', ' 或 ')}"
            if text.startswith("没有命令"):
                detail += f"（可用：{', '.join(sorted(main.commands))}）"
            break
    where = f"{hint} 的值无效：" if isinstance(exc, click.BadParameter) and hint else ""
    return f"{where}{detail}（运行 {path} --help 查看用法）"


PROGRESS: dict[str, int] = {}  # files done and in all, kept by the commands that show progress


def interrupted_note(lang: str) -> str:
    """What is left after Ctrl-C: how far the work got; every output is written whole or not at all."""
    done, total = PROGRESS.get("done"), PROGRESS.get("total")
    if lang == "en":
        got = f" after {done} of {total} files" if total else ""
        return (
            f"rdcheck: interrupted (Ctrl-C){got}. Outputs are written to a temporary file and renamed when complete, "
            "so none is left half-written; run the command again for complete results."
        )
    got = f"：已检查 {done}/{total} 个文件" if total else ""
    return (
        f"rdcheck: 已中止（Ctrl-C）{got}。输出先写入临时文件、完成后才改名，不会留下写了一半的文件；"
        "请重新运行以得到完整结果。"
    )


class _Main(click.Group):
    """The top-level group: a usage error is one line (Chinese by default) and exit 2, never click's usage block."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:  # fmt: skip
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        english = "--lang=en" in argv or any(a == "--lang" and b == "en" for a, b in zip(argv, argv[1:], strict=False))
        lang = "en" if english else "zh"
        localise(self, lang)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            click.echo(f"rdcheck: {_usage_line(exc, lang)}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                click.echo(interrupted_note(lang), err=True)
                sys.exit(130)  # 128 + SIGINT, as shells expect
            click.echo("已中止" if lang == "zh" else "Aborted!", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(interrupted_note(lang), err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)


def run() -> None:
    """The ``rdcheck`` command (``main`` is the click group the tests invoke).

    ``rdcheck check`` ends without the interpreter's teardown: once its outputs are written whole (each through a
    temporary file renamed into place), closed, and standard output and error flushed, unloading pandas, pyarrow
    and pandera module by module only costs time (~0.15 s a run). Every other command exits as usual.
    """
    if len(sys.argv) < 2 or sys.argv[1] != "check":
        main()
        return
    try:
        main()
    except SystemExit as exc:
        code = exc.code
        if not isinstance(code, int):
            if code is not None:
                print(code, file=sys.stderr)
            code = 0 if code is None else 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more can be said there
                pass
        os._exit(code)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="rdcheck")
def main() -> None:
    """Check R&D auxiliary ledgers (研发支出辅助账) and roll them up into district R&D statistics."""


def _register() -> None:
    """Add every command module's commands to the group (the district ones only when installed)."""
    from . import check, convert, serve

    for command in (check.check, check.template, check.rules, convert.convert, serve.serve):
        main.add_command(command)
    name = f"{__package__}.district"
    try:
        district = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but is broken: say so rather than hide the commands
            raise
        return
    for name in ("batch", "rollup"):
        command = getattr(district, name, None)
        if isinstance(command, click.Command):
            main.add_command(command, name)
    from . import season

    for command in (season.waive, season.register):
        main.add_command(command)
    use_localised_help(main)


_register()
