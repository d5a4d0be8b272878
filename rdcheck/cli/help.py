"""`--help` in the user's language: Chinese by default, English with --lang en (click's own words included).

The commands' decorators carry English help; the Chinese texts live here, keyed by command and parameter name
(``"check"``, ``"check.fmt"``). :func:`localise` puts one language's texts on every command before click parses,
and :class:`Formatter` translates click's own words (Usage, Options, [default: …], FILE).
A command added without its Chinese text here fails ``tests/test_first_contact.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import click

from ..text import display_width

ZH: dict[str, str] = {
    "": "检查研发支出辅助账，并汇总为全区研发统计数据。\n\n\b\n"
    "企业：rdcheck template 取得标准模板，填写后 rdcheck check 文件.xlsx 检查。\n"
    "科技局：rdcheck batch 文件夹 -o 输出 批量检查并生成反馈，rdcheck rollup 汇总全区数据。",
    "version": "显示版本并退出。",
    "check": "检查一个或多个辅助账（FILE...）。退出码：0 通过，1 有达到 --fail-on 的问题，2 文件无法读取或用法错误。",
    "check.fmt": "输出格式：text 终端文字，json（规范 §6），xlsx 带批注的反馈工作簿。",
    "check.output": "写入此处而不是屏幕；xlsx 且多个文件时为文件夹。",
    "check.fail_on": "发现此严重程度及以上的问题时退出码为 1。",
    "check.lang": "输出语言（zh 中文，en 英文）。",
    "check.config_path": "科技局配置文件。",
    "check.register_path": "科技局的登记簿：标注其中已豁免的问题（rdcheck waive），不计入结论。",
    "check.force": "覆盖已存在的反馈工作簿（<文件名>-检查结果.xlsx）。",
    "check.info_path": "企业信息文件（YAML，或含“企业信息”工作表的工作簿），供不含企业信息的工作簿（如税务机关样式辅助账）使用。",
    "template": "生成空白标准模板（含下拉列表和填表说明）。",
    "template.output": "模板写到哪里（默认 研发支出辅助账模板.xlsx）。",
    "template.force": "默认文件已存在时覆盖。",
    "rules": "列出规则目录，或显示一条规则的说明和示例。",
    "rules.lang": "输出语言（zh 中文，en 英文）。",
    "convert": "把 FILE（2021/2015 官方辅助账、会计软件多栏账或标准模板）转换为标准模板，每行保留来源单元格。",
    "convert.output": "写出的标准模板（不能是输入文件本身）。",
    "convert.config_path": "配置文件（多栏账明细科目映射 erp_map、读取限制）。",
    "convert.info_path": "企业信息文件（YAML，或含“企业信息”工作表的工作簿），供不含企业信息的工作簿（如会计软件多栏账）使用。",
    "convert.lang": "输出语言（zh 中文，en 英文）。",
    "batch": "检查 DIRECTORY 下的全部工作簿；把 summary.xlsx、results.jsonl、feedback/ 和跟进名单写到 -o。",
    "batch.out_dir": "输出文件夹（summary.xlsx、results.jsonl、feedback/）。",
    "batch.jobs": "并行进程数（默认：全部 CPU 核）。",
    "batch.config_path": "科技局配置文件。",
    "batch.timeout": "单个文件最多用时（秒），超时记为无法检查。",
    "batch.scheduler": "在 Dask 集群上检查：local 为本机的 LocalCluster（--jobs 个节点），或调度器地址 tcp://主机:端口；"
    "输入和输出文件夹须在每台机器的同一路径可见。",
    "batch.quiet": "不在 stderr 显示进度。",
    "batch.follow_links": "也读取 DIR 中符号链接指向 DIR 之外的工作簿（默认跳过并说明）。",
    "batch.lang": "输出语言（zh 中文，en 英文）。",
    "batch.register_path": "本年度的登记簿（SQLite）：本次批量检查记为一轮，并写出 changes.json（与上一轮对比）。",
    "batch.roster_path": "与 --register 同用：应报送企业名单（csv 或 xlsx），未报送的列入“缺报”。",
    "waive": "在登记簿 REGISTER 中登记：科技局已认可某企业对某条规则的说明。此后各轮相应问题标注“已豁免”，不计入结论。",
    "waive.uscc": "企业的统一社会信用代码。",
    "waive.rule": "被认可的规则编号，如 B03。",
    "waive.reason": "认可的理由（随问题一同显示）。",
    "waive.year": "只豁免这一年度的辅助账。",
    "waive.cell": "只豁免这个单元格的问题，写作 工作表!A1（如 辅助账明细!C186）。",
    "waive.lang": "输出语言（zh 中文，en 英文）。",
    "register": "列出登记簿 REGISTER 的各轮、每家企业的最新结论和豁免；--export 导出为 xlsx。",
    "register.export_path": "同时把整个登记簿写入这个 .xlsx。",
    "register.lang": "输出语言（zh 中文，en 英文）。",
    "rollup": "把 SRC（工作簿文件夹、batch 的输出文件夹或 results.jsonl）汇总为全区研发数据。",
    "rollup.district_path": "district.yaml：区名、年度、GDP、目标、其他执行部门、区域列表。",
    "rollup.out_dir": "rollup.json 和 rollup.xlsx 的输出文件夹（默认只显示在屏幕上）。",
    "rollup.roster_path": "应报送企业名单（csv 或 xlsx）。",
    "rollup.exclude_failed": "不计入检查结论为“不通过”的报送。",
    "rollup.allow_incomplete": "results.jsonl 不完整（被截断或不是一次完整的批量检查）时仍按现有内容汇总。",
    "rollup.config_path": "科技局配置文件（SRC 为工作簿文件夹时）。",
    "rollup.jobs": "并行进程数（SRC 为工作簿文件夹时）。",
    "rollup.timeout": "单个文件最多用时（秒）（SRC 为工作簿文件夹时）。",
    "rollup.quiet": "不在 stderr 显示进度。",
    "rollup.lang": "输出语言（zh 中文，en 英文）。",
    "rollup.previous_path": "上年的 rollup.json、results.jsonl 或登记簿：计算同比，并做量级、增速、强度合理性筛查。",
    "rollup.publish": "另写 rollup-public.json/xlsx 供公开发布（无企业名称和代码，少于3家或单家超85%的格子抑制）。",
    "serve": "启动网页服务：企业自查页面（/）、JSON 接口（/api/check、/docs）和科技局办公桌（/bureau）。",
    "serve.host": "监听地址（0.0.0.0 表示所有网卡）。",
    "serve.port": "监听端口。",
    "serve.register_path": "本季报送登记簿（SQLite）；上传的文件保存在其旁边。",
    "serve.config_path": "科技局配置文件（规则、限额，以及 web: bureau_password、max_upload_mb、timeout）。",
    "serve.district_path": "district.yaml，用于办公桌的全区汇总和跟进名单。",
    "serve.roster_path": "应报送企业名单（csv 或 xlsx），用于跟进名单。",
    "serve.workers": "同时检查的文件数，每个在独立进程中（默认：CPU 核数）。",
    "serve.proxy_headers": "信任本机反向代理的 X-Forwarded-For/-Proto（HTTPS 下的安全 Cookie 需要）。",
}
HELP_OPTION = {"zh": "显示此帮助并退出。", "en": "Show this message and exit."}
HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
METAVARS = (
    (r"\bINTEGER RANGE\b", "整数"),
    (r"\bFLOAT RANGE\b", "数字"),
    (r"\bINTEGER\b", "整数"),
    (r"\bFLOAT\b", "数字"),
    (r"\bDIRECTORY\b", "文件夹"),
    (r"\bFILE\b", "文件"),
    (r"\bPATH\b", "路径"),
    (r"\bTEXT\b", "文本"),
)
EXTRAS = ((r"default: ", "默认："), (r"\brequired\b", "必填"), (r"; ", "；"))

_lang = {"value": "zh"}
_english: dict[int, str | None] = {}  # id(command or param) -> the English text its decorator gave


def localise(group: click.Group, lang: str) -> None:
    """Give every command of the group (and the group) its help in ``lang``."""
    _lang["value"] = "en" if lang == "en" else "zh"
    _apply("", group)
    for p in group.params:
        if p.name == "version":
            _apply("version", p)
    for name, command in group.commands.items():
        _apply(name, command)
        for p in command.params:
            _apply(f"{name}.{p.name}", p)
        command.context_settings.setdefault("help_option_names", ["-h", "--help"])


def _apply(key: str, obj: Any) -> None:
    if not hasattr(obj, "help"):
        return
    if id(obj) not in _english:
        _english[id(obj)] = obj.help
    english = _english[id(obj)]
    obj.help = ZH.get(key, english) if _lang["value"] == "zh" else english
    if isinstance(obj, click.Command):
        first = re.split(r"[。；;]", obj.help or "", maxsplit=1)[0] if _lang["value"] == "zh" else None
        obj.short_help = first or None


def missing_chinese(group: click.Group) -> list[str]:
    """The commands and options whose help has no Chinese text (a test keeps this empty)."""
    keys = [""] + [
        k for name, c in group.commands.items() for k in [name] + [f"{name}.{p.name}" for p in _options(c.params)]
    ]
    return [k for k in keys if k not in ZH]


def _options(params: Iterable[click.Parameter]) -> list[click.Parameter]:
    return [p for p in params if isinstance(p, click.Option)]


class Formatter(click.HelpFormatter):
    """click's help formatter, with click's own words in Chinese unless the output is English."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if _lang["value"] == "zh" and prefix is None:
            args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
            prefix = "用法："
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if _lang["value"] != "zh":
            super().write_heading(heading)
            return
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """Two columns aligned by display width (a Chinese character takes two columns of a terminal)."""
        if _lang["value"] != "zh":
            super().write_dl(rows, col_max, col_spacing)
            return
        rows = [(_zh(first, METAVARS), _zh(_help_option(second), EXTRAS)) for first, second in rows]
        first_width = min(max((display_width(a) for a, _ in rows), default=0), col_max)
        indent = " " * self.current_indent
        text_width = max(self.width - self.current_indent - first_width - col_spacing, 20)
        for first, second in rows:
            self.write(indent + first)
            if not second:
                self.write("\n")
                continue
            gap = first_width - display_width(first) + col_spacing
            if display_width(first) > first_width:
                self.write("\n" + indent)
                gap = first_width + col_spacing
            lines = _wrap(" ".join(second.split()), text_width)
            self.write(" " * gap + lines[0] + "\n")
            for line in lines[1:]:
                self.write(indent + " " * (first_width + col_spacing) + line + "\n")


_NO_LINE_START = set("。，、；：？！）」』》】")  # Chinese punctuation never starts a line
_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|.")  # a run of ASCII (a word, an option, a file name) or one character


def _wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most ``width`` display columns, between Chinese characters or ASCII words."""
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if line and display_width(line + token) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line] if line or not lines else lines


def _help_option(text: str) -> str:
    return HELP_OPTION["zh"] if text == HELP_OPTION["en"] else text


def _zh(text: str, table: Sequence[tuple[str, str]]) -> str:
    for pattern, replacement in table:
        text = re.sub(pattern, replacement, text)
    return text


class Context(click.Context):
    formatter_class = Formatter


def use_localised_help(group: click.Group) -> None:
    """Make the group and its commands format help with :class:`Formatter`."""
    group.context_class = Context
    for command in group.commands.values():
        command.context_class = Context
