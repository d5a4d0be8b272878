"""What the standard template gives a sheet, put back on the annotated copy: drop-downs, notes, a frozen header.

The copy is written from cached values (never the input's own validations or comments), so the template's help
would be lost on the very workbook the enterprise corrects. It is derived again from the layout, at the columns
the reader found (in whatever order the enterprise put them): the drop-down lists and date/year checks of
:mod:`rdcheck.template`, each header's note as the prompt shown when the header (or a 企业信息 value) is selected
— a prompt, because the copy streams its rows and the header's comment slot holds the findings — and the header
row frozen. Long lists live on one hidden sheet, written row by row (the copy streams every sheet).
"""

from __future__ import annotations

from typing import Any

import xlsxwriter

from ..template import DATE_MAX, DATE_MIN, LAST_ROW, _field_note, choices_of
from ..workbook.layout import DATE, ENTERPRISE, YEAR, Field

MAX_PROMPT = 255  # Excel's limit on a validation's input message
MAX_TITLE = 32


class ListSheet:
    """The hidden sheet of drop-down lists: gathered first, written row by row at the end."""

    def __init__(self) -> None:
        self.lists: list[tuple[str, ...]] = []
        self.title: str | None = None

    def column(self, choices: tuple[str, ...]) -> int:
        if choices not in self.lists:
            self.lists.append(choices)
        return self.lists.index(choices)

    def write(self, wb: Any, title: str) -> None:
        if not self.lists:
            return
        ws = wb.add_worksheet(title)
        for r in range(max(len(c) for c in self.lists)):
            for c, choices in enumerate(self.lists):
                if r < len(choices):
                    ws.write_string(r, c, choices[r])
        ws.hide()


def _source(lists: ListSheet, title: str, choices: tuple[str, ...]) -> str | list[str]:
    """A short list inline (Excel allows 255 characters), a long one on the hidden sheet."""
    if len(",".join(choices)) < 250:
        return list(choices)
    col = xlsxwriter.utility.xl_col_to_name(lists.column(choices))
    quoted = "'" + title.replace("'", "''") + "'"
    return f"={quoted}!${col}$1:${col}${len(choices)}"


def _validation(f: Field, lists: ListSheet, lists_title: str) -> dict[str, Any] | None:
    choices = choices_of(f)
    base = {"error_type": "warning", "error_title": f.name[:MAX_TITLE]}
    if choices:
        return {"validate": "list", "source": _source(lists, lists_title, choices), **base,
                "error_message": "请从下拉列表中选择。"}  # fmt: skip
    if f.kind == DATE:
        return {"validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX, **base,
                "error_message": "请填写日期，格式 yyyy-mm-dd。"}  # fmt: skip
    if f.kind == YEAR:
        return {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2099, **base,
                "error_message": "请填写4位年度，如 2024。"}  # fmt: skip
    return None


def _prompt(f: Field) -> dict[str, Any]:
    note = _field_note(f)
    return {
        "validate": "any",
        "input_title": f.name[:MAX_TITLE],
        "input_message": note if len(note) <= MAX_PROMPT else note[: MAX_PROMPT - 1] + "…",
    }


def restore_table(ws: Any, table: Any, lists: ListSheet, lists_title: str) -> None:
    """Drop-downs under each known column, its note as the header's prompt, the header row frozen."""
    if not table.title or table.header_row is None or getattr(table, "sources", None):
        return  # a foreign layout's sheet is not the template's: nothing of the template to restore
    header = table.header_row - 1
    for f in table.layout.fields:
        letter = table.letters.get(f.name)
        if not letter:
            continue
        col = xlsxwriter.utility.xl_cell_to_rowcol(f"{letter}1")[1]
        rule = _validation(f, lists, lists_title)
        if rule is not None:
            ws.data_validation(header + 1, col, LAST_ROW, col, rule)
        ws.data_validation(header, col, header, col, _prompt(f))
    ws.freeze_panes(header + 1, 0)


def restore_enterprise(ws: Any, ent: Any, lists: ListSheet, lists_title: str) -> None:
    """Each 企业信息 value cell: its drop-down (or date/year check) and its note as the prompt; header frozen."""
    if not getattr(ent, "title", None):
        return
    for f in ENTERPRISE.fields:
        ref = ent.cells.get(f.name)
        if not ref:
            continue
        row, col = xlsxwriter.utility.xl_cell_to_rowcol(ref)
        rule = _validation(f, lists, lists_title)
        prompt = _prompt(f)
        ws.data_validation(row, col, row, col, {**rule, **{k: v for k, v in prompt.items() if k != "validate"}}
                           if rule else prompt)  # fmt: skip
    ws.freeze_panes(1, 0)
