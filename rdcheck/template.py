"""Write the standard workbook (标准模板), empty, with drop-down lists and a 填表说明 sheet (spec §2).

Everything here is derived from :mod:`rdcheck.workbook.layout`: sheet, key and column names, units, allowed
values and the category/sub-item table. The bytes are deterministic (a fixed document date), so the template
can be compared and committed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .errors import RdcheckError
from .report.printing import print_setup
from .text import display_width
from .workbook.layout import (
    AMOUNT,
    BOOL,
    CATEGORIES,
    CATEGORY,
    DATE,
    ENTERPRISE,
    ENTERPRISE_KEY_HEADERS,
    ENTERPRISE_VALUE_HEADERS,
    ENUM,
    INSTRUCTIONS_SHEET,
    INT,
    RATIO,
    SHEETS,
    SUBITEM,
    TEXT,
    YEAR,
    Field,
    SheetLayout,
    choices_of,
)

# A fixed document date keeps the template's bytes identical from run to run.
CREATED = dt.datetime(2024, 1, 1, 0, 0, 0)
LISTS_SHEET = "下拉列表"
LAST_ROW = 1048575  # 0-based index of Excel's last row
DATE_MIN, DATE_MAX = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

KIND_LABELS = {
    TEXT: "文本",
    AMOUNT: "金额（数字）",
    DATE: "日期 yyyy-mm-dd",
    RATIO: "比例（0.6、60% 或 60）",
    BOOL: "是/否",
    INT: "整数",
    YEAR: "年度（4位数字）",
    ENUM: "下拉选择",
    CATEGORY: "下拉选择（序号+名称，也可只填序号或名称）",
    SUBITEM: "下拉选择（代码+名称，也可只填代码或名称）",
}
COLUMN_WIDTHS = {"摘要": 36, "项目名称": 32, "企业名称": 30, "受托方": 28, "资产名称": 24, "明细项目": 30}

__all__ = ["CREATED", "LISTS_SHEET", "choices_of", "header_text", "write_template"]


def header_text(f: Field) -> str:
    """Return the header (or 企业信息 key) a field is written under: its name with its unit, ``营业收入(元)``."""
    return f"{f.name}({f.unit})" if f.unit else f.name


def _field_note(f: Field) -> str:
    """Return the comment text of a header or key: meaning, required or not, type and allowed values."""
    parts = [f.name + (f"（{f.alias}）" if f.alias else "")]
    if f.doc:
        parts.append(f.doc)
    parts.append("必填" if f.required else "选填")
    parts.append("类型：" + KIND_LABELS.get(f.kind, f.kind))
    if f.unit:
        parts.append(f"单位：{f.unit}")
    choices = choices_of(f)
    if choices and f.kind not in (CATEGORY, SUBITEM):
        parts.append("可选值：" + " / ".join(choices))
    return "\n".join(parts)


class _Lists:
    """The hidden sheet that holds every drop-down list, one per column (lists over 255 characters)."""

    def __init__(self, wb: Workbook) -> None:
        self.ws = wb.add_worksheet(LISTS_SHEET)
        self.ws.hide()
        self.ranges: dict[tuple[str, ...], str] = {}

    def source(self, choices: tuple[str, ...]) -> str:
        if choices not in self.ranges:
            col = len(self.ranges)
            for r, value in enumerate(choices):
                self.ws.write_string(r, col, value)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self.ranges[choices] = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(choices)}"
        return self.ranges[choices]


def _validate(ws: Worksheet, first: int, col: int, last: int, f: Field, lists: _Lists) -> None:
    """Add the data validation a field needs on rows first..last (0-based) of one column."""
    choices = choices_of(f)
    if choices:
        ws.data_validation(
            first,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": lists.source(choices),
                "error_type": "warning",
                "error_title": f.name,
                "error_message": "请从下拉列表中选择。",
            },
        )
    elif f.kind == DATE:
        ws.data_validation(
            first,
            col,
            last,
            col,
            {
                "validate": "date",
                "criteria": "between",
                "minimum": DATE_MIN,
                "maximum": DATE_MAX,
                "error_type": "warning",
                "error_title": f.name,
                "error_message": "请填写日期，格式 yyyy-mm-dd。",
            },
        )
    elif f.kind == YEAR:
        ws.data_validation(
            first,
            col,
            last,
            col,
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": 2000,
                "maximum": 2099,
                "error_type": "warning",
                "error_title": f.name,
                "error_message": "请填写4位年度，如 2024。",
            },
        )


class _Formats:
    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11}
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        self.header_required = wb.add_format(
            {**base, "bold": True, "bg_color": "#FCE4D6", "border": 1, "valign": "vcenter"}
        )
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.section = wb.add_format({**base, "bold": True, "font_size": 12, "font_color": "#1F4E78"})
        self.text = wb.add_format({**base, "valign": "top", "text_wrap": True})
        self.plain = wb.add_format(base)
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.amount = wb.add_format({**base, "num_format": "#,##0.00"})
        self.ratio = wb.add_format({**base, "num_format": "0%"})
        self.integer = wb.add_format({**base, "num_format": "0"})

    def of(self, f: Field):
        return {DATE: self.date, AMOUNT: self.amount, RATIO: self.ratio, INT: self.integer, YEAR: self.integer}.get(
            f.kind, self.plain
        )


def _write_instructions(ws: Worksheet, fmt: _Formats) -> None:
    """Write 填表说明: every sheet, key and column, then the category/sub-item table of spec §2.4."""
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 30)
    ws.set_column(4, 4, 8)
    ws.set_column(5, 5, 60)
    r = 0
    ws.write(r, 0, "研发支出辅助账标准模板 — 填表说明", fmt.title)
    r += 2
    notes = (
        "1. 每户企业每个税款所属年度填报一个工作簿；工作表名称、列名请勿修改，列的顺序可以调整，可增加其他列（检查时忽略）。",
        "2. 表头第1行为列名；列名括号内为单位（元、千元等），金额按该单位填写，读入时统一换算为元。",
        "3. 带下拉箭头的列请从下拉列表中选择；费用类别、明细项目也可只填序号/代码或名称。",
        "4. 日期填写 yyyy-mm-dd 格式（如 2024-03-05）；是/否 列填“是”或“否”。",
        "5. 企业信息、研发项目、辅助账明细为必需工作表；汇总表、研发人员、研发设备为可选工作表，填写后将与辅助账核对。",
        "6. 合计、小计等合计行可以保留，检查时跳过。",
    )
    for note in notes:
        ws.write(r, 0, note, fmt.plain)
        r += 1
    r += 1
    for sheet in SHEETS:
        r = _write_sheet_doc(ws, r, sheet, fmt)
    ws.write(r, 0, "费用类别与明细项目（对应 A107012《研发费用加计扣除优惠明细表》行次）", fmt.section)
    r += 1
    for c, h in enumerate(("费用类别", "明细项目代码", "", "明细项目名称", "", "A107012 行次")):
        ws.write(r, c, h, fmt.header)
    r += 1
    for n, (name, subs) in CATEGORIES.items():
        for code, (sub, line) in subs.items():
            ws.write(r, 0, f"{n} {name}", fmt.text)
            ws.write(r, 1, code, fmt.text)
            ws.write(r, 3, sub, fmt.text)
            ws.write(r, 5, f"第{line}行" if line else "不予加计扣除（计入会计和统计口径）", fmt.text)
            r += 1


def _write_sheet_doc(ws: Worksheet, r: int, sheet: SheetLayout, fmt: _Formats) -> int:
    need = "必需" if sheet.required else "可选"
    ws.write(r, 0, f"工作表：{sheet.name}（{need}）— {sheet.doc}", fmt.section)
    r += 1
    what = "项目（A列）" if sheet is ENTERPRISE else "列名（第1行）"
    for c, h in enumerate((what, "英文别名", "必填", "类型", "单位", "说明与可选值")):
        ws.write(r, c, h, fmt.header)
    r += 1
    for f in sheet.fields:
        choices = choices_of(f)
        allowed = "见下方费用类别与明细项目表" if f.kind in (CATEGORY, SUBITEM) else " / ".join(choices)
        note = "；".join(x for x in (f.doc, f"可选值：{allowed}" if allowed else "") if x)
        ws.write(r, 0, header_text(f), fmt.text)
        ws.write(r, 1, f.alias, fmt.text)
        ws.write(r, 2, "是" if f.required else "", fmt.text)
        ws.write(r, 3, KIND_LABELS.get(f.kind, f.kind), fmt.text)
        ws.write(r, 4, f.unit or "", fmt.text)
        ws.write(r, 5, note, fmt.text)
        r += 1
    return r + 1


def _comment(ws: Worksheet, row: int, col: int, text: str) -> None:
    lines = text.count("\n") + 1
    ws.write_comment(row, col, text, {"x_scale": 2.2, "y_scale": max(1.0, lines * 0.3), "font_size": 9})


def _write_enterprise(ws: Worksheet, fmt: _Formats, lists: _Lists) -> None:
    ws.write(0, 0, ENTERPRISE_KEY_HEADERS[0], fmt.header)
    ws.write(0, 1, ENTERPRISE_VALUE_HEADERS[0], fmt.header)
    ws.set_column(0, 0, max(display_width(header_text(f)) for f in ENTERPRISE.fields) + 4)
    ws.set_column(1, 1, 36)
    for r, f in enumerate(ENTERPRISE.fields, start=1):
        ws.write_string(r, 0, header_text(f), fmt.header_required if f.required else fmt.header)
        ws.write_blank(r, 1, None, fmt.of(f))
        _comment(ws, r, 0, _field_note(f))
        _validate(ws, r, 1, r, f, lists)
    ws.freeze_panes(1, 0)


def _write_table(ws: Worksheet, sheet: SheetLayout, fmt: _Formats, lists: _Lists) -> None:
    for c, f in enumerate(sheet.fields):
        text = header_text(f)
        ws.write_string(0, c, text, fmt.header_required if f.required else fmt.header)
        width = COLUMN_WIDTHS.get(f.name, max(display_width(text) + 4, 12))
        ws.set_column(c, c, width, fmt.of(f))
        _comment(ws, 0, c, _field_note(f))
        _validate(ws, 1, c, LAST_ROW, f, lists)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(sheet.fields) - 1)


def write_template(path: str | os.PathLike[str]) -> None:
    """Write the standard workbook, empty, to ``path``: 填表说明, the six sheets, and a hidden list sheet.

    The workbook is written beside ``path`` under a temporary name and moved into place when complete; a folder
    that does not exist or cannot be written is one :class:`~rdcheck.errors.RdcheckError`, never half a file.
    """
    out = Path(path)
    folder = out.parent
    if not folder.is_dir():
        raise RdcheckError(f"文件夹不存在：{folder}", f"folder not found: {folder}")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rdcheck-", suffix=".xlsx", dir=folder)
    except OSError as exc:
        raise RdcheckError(
            f"无法写入 {out}：{exc.strerror or exc}", f"cannot write {out}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    try:
        _write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        raise RdcheckError(
            f"无法写入 {out}：{exc.strerror or exc}", f"cannot write {out}: {exc.strerror or exc}"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write(path: str) -> None:
    wb = xlsxwriter.Workbook(path)
    try:
        wb.set_properties({"title": "研发支出辅助账标准模板", "author": "rdcheck", "created": CREATED})
        fmt = _Formats(wb)
        instructions = wb.add_worksheet(INSTRUCTIONS_SHEET)
        sheets = {sheet.name: wb.add_worksheet(sheet.name) for sheet in SHEETS}
        lists = _Lists(wb)
        _write_instructions(instructions, fmt)
        for sheet in SHEETS:
            if sheet is ENTERPRISE:
                _write_enterprise(sheets[sheet.name], fmt, lists)
            else:
                _write_table(sheets[sheet.name], sheet, fmt, lists)
        # printed to be filled by hand or kept on file: A4, one page wide, the header row on every page
        print_setup(instructions, landscape=True, header_rows=0)
        for sheet in SHEETS:
            print_setup(sheets[sheet.name], landscape=len(sheet.fields) > 4)
        instructions.activate()
    finally:
        wb.close()


def _print_setup(ws: Worksheet, landscape: bool, repeat_header: bool = False) -> None:
    """The template's print setup, for the converter's sheets (rdcheck.convert) to print the same way."""
    print_setup(ws, landscape=landscape, header_rows=1 if repeat_header else 0)
