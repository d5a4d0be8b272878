"""The ERP 多栏账 layout in the registry: fingerprint, read into a SheetRead, and the erp_map applied to a Book.

Each :class:`~rdcheck.workbook.layouts.erp.ErpLine` becomes one :class:`~rdcheck.workbook.layouts.base.Line` of
辅助账明细 under the sub-item its sub-account maps to, with 可加计金额 left empty: the layout carries book amounts
only, so the tax figures computed from them are an upper bound (F15). The project comes from the sheet's 项目 line
(``RD2024-01 新型离心泵研发`` → 编号 RD2024-01), else from the sheet's name (said with F11); 支出类型 from the sub-account or
the 科目 (530101 费用化 / 530102 资本化), else 费用化. A sheet is read with the built-in keyword guess;
:func:`apply_erp_map` then applies the configuration's ``erp_map`` for the enterprise the Book turned out to be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..values import Invalid
from . import Layout, register
from .base import Fact, Line, ProjectFact, SheetRead, Tie
from .erp import Account, ErpSheet, looks_like_erp, parse_erp
from .erp_map import ErpMap, Mapping
from .grid import Grid

NAME = "erp_multicolumn"
DEFAULT_EXPENSE = "费用化"
_PROJECT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9\-_./]*)[\s:：、]+(.+)$")
# what the layout gives every line: no 可加计金额, no contractor, staff or asset columns
CARRIES = frozenset({"日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "支出类型"})


@dataclass
class AccountUse:
    """One sub-account of one sheet: how it was mapped, and what it carries (for F14)."""

    sheet: str
    account: Account
    mapping: Mapping
    amount: Decimal = Decimal(0)
    lines: int = 0


@dataclass
class ErpRead(SheetRead):
    """A SheetRead that also keeps the sheet as parsed and, per line, its sub-account."""

    erp: ErpSheet | None = None
    accounts: list[Account] = field(default_factory=list)  # parallel to ``lines``
    uses: list[AccountUse] = field(default_factory=list)
    has_project: bool = True


def project_of(text: str | None, fallback: str) -> tuple[str, str]:
    """(项目编号, 项目名称) from a 项目 line: a leading code when there is one, else the whole text for both."""
    if not text:
        return fallback, fallback
    m = _PROJECT.match(text.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return text.strip(), text.strip()


def fingerprint(grid: Grid) -> int:
    """10 + the sub-account columns (at most 9) when the sheet looks like a 多栏账, else 0."""
    if not looks_like_erp(grid.rows):
        return 0
    sheet = parse_erp(grid.rows)
    return 10 + min(9, len(sheet.accounts)) if sheet is not None else 0


def read(grid: Grid) -> ErpRead:
    sheet = parse_erp(grid.rows)
    out = ErpRead(layout=NAME, sheet=grid.title, carries=CARRIES, erp=sheet)
    if sheet is None:
        return out
    pid, pname = project_of(sheet.project, grid.title)
    out.has_project = sheet.project is not None
    kinds: set[str] = set()
    for line in sheet.lines:
        expense = line.account.expense_type or sheet.expense_type or DEFAULT_EXPENSE
        kinds.add(expense)
        values: dict[str, Any] = {
            "日期": line.date,
            "凭证号": line.voucher,
            "项目编号": pid,
            "摘要": line.summary,
            "账载金额": line.amount,
            "可加计金额": None,
            "支出类型": expense,
        }
        cells = {"账载金额": line.cell, "明细项目": line.account.header_cell, "费用类别": line.account.header_cell}
        for column, cell in (("日期", line.date_cell), ("凭证号", line.voucher_cell), ("摘要", line.summary_cell)):
            if cell:
                cells[column] = cell
        invalid = {"账载金额": Invalid(line.raw or "")} if line.amount is None else {}
        out.lines.append(Line(row=line.row, values=values, cells=cells, invalid=invalid))
        out.accounts.append(line.account)
    _map(out, ErpMap(), None)
    at = sheet.cells.get("项目") or sheet.cells.get("辅助项目")
    row, cell = at if at else ((sheet.header_rows or (1, 1))[0], None)
    cells = {"项目编号": cell, "项目名称": cell} if cell else {}
    kind = "部分资本化" if len(kinds) > 1 else next(iter(kinds), sheet.expense_type or DEFAULT_EXPENSE)
    out.projects.append(
        ProjectFact(row=row, values={"项目编号": pid, "项目名称": pname, "支出类型": kind}, cells=cells)
    )
    if sheet.year is not None:
        at = sheet.cells.get("期间") or sheet.cells.get("会计期间")
        out.enterprise["所属年度"] = Fact(sheet.year, at[1] if at else None, at[0] if at else None)
    if sheet.company:
        at = next((sheet.cells[k] for k in ("核算单位", "单位名称", "公司名称", "单位") if k in sheet.cells), None)
        out.enterprise["企业名称"] = Fact(sheet.company, at[1] if at else None, at[0] if at else None)
    for issue in sheet.issues:
        header = f"{issue.label}：{issue.column}" if issue.kind == "total" else issue.label
        out.ties.append(Tie(issue.row, issue.cell, header, issue.stated, issue.read, issue.kind))
    if not out.has_project and out.lines:
        out.notes.append(
            {
                "zh": f"没有“项目：”行（未按研发项目导出），支出分不到项目，暂按一个项目“{pid}”计；请按项目分别导出多栏账",
                "en": f"no 项目 line (not exported by project): its spending counts as one project '{pid}'; "
                "export one ledger per project",
            }
        )
    if sheet.expense_type is None and any(a.expense_type is None for a in out.accounts):
        out.notes.append(
            {
                "zh": "科目未注明费用化或资本化，按费用化计",
                "en": "the account does not say 费用化 or 资本化: taken as 费用化",
            }
        )
    return out


def _map(read: ErpRead, emap: ErpMap, uscc: Any) -> dict[int, Mapping]:
    """Map every sub-account of a read sheet for an enterprise; set its lines' 费用类别/明细项目; note the uses."""
    uses: dict[int, AccountUse] = {}
    for line, account in zip(read.lines, read.accounts, strict=True):
        use = uses.get(account.col)
        if use is None:
            use = uses[account.col] = AccountUse(read.sheet, account, emap.resolve(account, uscc))
        use.amount += line.values.get("账载金额") or 0
        use.lines += 1
        line.values["明细项目"] = use.mapping.subitem
        line.values["费用类别"] = int(use.mapping.subitem.split(".")[0])
    read.uses = list(uses.values())
    return {col: use.mapping for col, use in uses.items()}


def erp_reads(book: Any) -> list[ErpRead]:
    """The 多栏账 sheets a Book was read from (none for a workbook in other layouts)."""
    foreign = getattr(book, "foreign", None)
    return [r for r in foreign.reads if isinstance(r, ErpRead)] if foreign is not None else []


def apply_erp_map(book: Any, emap: ErpMap | None) -> None:
    """Re-map the Book's 多栏账 lines with the configuration's ``erp_map`` for this enterprise (in place)."""
    reads = erp_reads(book)
    if not reads or not emap:
        return
    uscc = book.enterprise.values.get("统一社会信用代码")
    table = book.ledger
    data, sources = table.data, table.sources or {}
    for read in reads:
        by_cell = {line.cells["账载金额"]: account for line, account in zip(read.lines, read.accounts, strict=True)}
        mappings = _map(read, emap, uscc)
        for n, src in sources.items():
            if src.sheet != read.sheet:
                continue
            account = by_cell.get(src.cells.get("账载金额", ""))
            if account is not None:
                subitem = mappings[account.col].subitem
                data.at[n, "明细项目"] = subitem
                data.at[n, "费用类别"] = int(subitem.split(".")[0])


LAYOUT = register(
    Layout(
        name=NAME,
        label={
            "zh": "会计软件多栏账（用友/金蝶 研发支出多栏明细账）",
            "en": "accounting-software multi-column ledger (用友/金蝶)",
        },
        kind="ledger",
        fingerprint=fingerprint,
        read=read,
    )
)


__all__ = ["AccountUse", "ErpRead", "LAYOUT", "NAME", "apply_erp_map", "erp_reads", "project_of"]
