"""`rdcheck convert`: any readable layout to the standard workbook, each line with its source cell."""

from __future__ import annotations

import click

from ..errors import RdcheckError
from . import _fail


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=str),
              help="The standard workbook to write (never the input itself).")  # fmt: skip
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str),
              help="Configuration (erp_map for ERP sub-accounts, limits).")  # fmt: skip
@click.option("--info", "info_path", type=click.Path(dir_okay=False, path_type=str),
              help="Enterprise information (YAML, or a workbook with a 企业信息 sheet) for a workbook that has none.")  # fmt: skip
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the messages."
)
def convert(file: str, output: str, config_path: str | None, info_path: str | None, lang: str) -> None:
    """Convert FILE (official 2021/2015 ledgers, ERP 多栏账, or the standard workbook) to the standard workbook."""
    from ..api import load_book
    from ..convert import convert_book
    from .check import load_config_and_info

    config, info = load_config_and_info(config_path, info_path, lang)
    try:
        book = load_book(file, config, info)
        done = convert_book(book, output, source=file)
    except RdcheckError as exc:
        _fail(file, exc.message(lang))
        raise SystemExit(2) from None
    except Exception as exc:  # never a traceback: one line, exit 2
        _fail(file, ("unexpected error: " if lang == "en" else "意外错误：") + f"{type(exc).__name__}: {exc}")
        raise SystemExit(2) from None
    if lang == "en":
        click.echo(f"{done.path}: {done.lines} ledger lines, {done.projects} projects (source cells in 来源单元格)")
    else:
        click.echo(
            f"已转换为标准模板：{done.path}（辅助账 {done.lines} 行，研发项目 {done.projects} 个；来源单元格见最后一列）"
        )
