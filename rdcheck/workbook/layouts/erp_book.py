"""From read 多栏账 sheets to the standard ledger's records: projects, sub-items, 支出类型 and source cells.

Each :class:`~rdcheck.workbook.layouts.erp.ErpLine` becomes one record of 辅助账明细 (spec §2.3) under the
sub-item its sub-account maps to (:mod:`rdcheck.workbook.layouts.erp_map`), with 可加计金额 left empty: the
layout carries book amounts only, so the tax figures computed from them are an upper bound (F15). The project
comes from the sheet's 项目 line (``RD2024-01 新型离心泵研发`` → 编号 RD2024-01), else from the sheet's name;
支出类型 from the sub-account or the 科目 (530101 费用化 / 530102 资本化), else 费用化.
Every record keeps the cell of each value it was read from, in its own sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .erp import Account, ErpSheet, TieIssue
from .erp_map import ErpMap, Mapping

_PROJECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9\-_./]*)[\s:：、]+(.+)$")
DEFAULT_EXPENSE = "费用化"


@dataclass
class AccountUse:
    """One sub-account of one sheet: how it was mapped, and what it carries (for F14)."""

    sheet: str
    account: Account
    mapping: Mapping
    amount: Decimal = Decimal(0)
    lines: int = 0


@dataclass
class ErpLedger:
    """The standard ledger records read from every 多栏账 sheet of a workbook, and what F14/F15/B14 report."""

    records: list[dict[str, Any]] = field(default_factory=list)  # canonical column -> parsed value
    cells: list[dict[str, str]] = field(default_factory=list)  # per record: canonical column -> cell
    invalid: dict[int, dict[str, str]] = field(default_factory=dict)  # record index -> column -> raw text
    sheets: list[str] = field(default_factory=list)  # per record: the sheet it came from
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # 项目编号 -> 研发项目 record
    uses: list[AccountUse] = field(default_factory=list)
    issues: list[tuple[str, TieIssue]] = field(default_factory=list)
    no_project: list[str] = field(default_factory=list)  # sheets with no 项目 line
    default_expense: list[str] = field(default_factory=list)  # sheets whose 支出类型 was not stated
    year: int | None = None
    company: str | None = None

    @property
    def book_total(self) -> Decimal:
        return sum((r["账载金额"] for r in self.records if r["账载金额"] is not None), Decimal(0))


def project_of(text: str | None, fallback: str) -> tuple[str, str]:
    """(项目编号, 项目名称) from a 项目 line: a leading code when there is one, else the whole text for both."""
    if not text:
        return fallback, fallback
    m = _PROJECT.match(text.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return text.strip(), text.strip()


def erp_ledger(sheets: list[tuple[str, ErpSheet]], emap: ErpMap | None = None, uscc: Any = None) -> ErpLedger:
    """Records of 辅助账明细 from read 多栏账 sheets (in workbook order), mapped for the enterprise ``uscc``."""
    emap = emap or ErpMap()
    out = ErpLedger()
    for title, sheet in sheets:
        out.year = out.year or sheet.year
        out.company = out.company or sheet.company
        pid, pname = project_of(sheet.project, title)
        if sheet.project is None:
            out.no_project.append(title)
        project = out.projects.setdefault(pid, {"项目编号": pid, "项目名称": pname, "支出类型": set()})
        out.issues += [(title, issue) for issue in sheet.issues]
        uses: dict[int, AccountUse] = {}
        for line in sheet.lines:
            use = uses.get(line.account.col)
            if use is None:
                use = uses[line.account.col] = AccountUse(title, line.account, emap.resolve(line.account, uscc))
            use.amount += line.amount or 0
            use.lines += 1
            subitem = use.mapping.subitem
            expense = line.account.expense_type or sheet.expense_type
            if expense is None:
                expense = DEFAULT_EXPENSE
                if title not in out.default_expense:
                    out.default_expense.append(title)
            project["支出类型"].add(expense)
            out.records.append(
                {
                    "日期": line.date,
                    "凭证号": line.voucher,
                    "项目编号": pid,
                    "摘要": line.summary,
                    "费用类别": int(subitem.split(".")[0]),
                    "明细项目": subitem,
                    "账载金额": line.amount,
                    "可加计金额": None,
                    "支出类型": expense,
                }
            )
            if line.amount is None:  # a cell that is not an amount: kept with its text, reported (F04)
                out.invalid[len(out.records) - 1] = {"账载金额": line.raw or ""}
            cells = {"账载金额": line.cell, "明细项目": line.account.header_cell, "费用类别": line.account.header_cell}
            for column, cell in (("日期", line.date_cell), ("凭证号", line.voucher_cell), ("摘要", line.summary_cell)):
                if cell:
                    cells[column] = cell
            out.cells.append(cells)
            out.sheets.append(title)
        out.uses += uses.values()
    for project in out.projects.values():
        kinds = project["支出类型"]
        project["支出类型"] = "部分资本化" if len(kinds) > 1 else (next(iter(kinds)) if kinds else DEFAULT_EXPENSE)
    return out


__all__ = ["AccountUse", "ErpLedger", "erp_ledger", "project_of"]
