"""The data of a read 多栏账 sheet (layouts.md §1d): the words its header and rows are matched by, its
sub-accounts, lines and tie-out issues. Shared by :mod:`.erp_head` (the head) and :mod:`.erp` (the rows)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..book import column_letter
from ..values import fold, is_blank, raw_text

Grid = Sequence[Sequence[Any]]
ZERO = Decimal(0)
MAX_BAND = 4  # rows a header band may span

_SPACE = re.compile(r"\s+")

DEBIT_WORDS = frozenset({"借方", "借方金额", "借方发生额", "借方发生"})
CREDIT_WORDS = frozenset({"贷方", "贷方金额", "贷方发生额", "贷方发生"})
DIRECTION_WORDS = frozenset({"方向", "借或贷", "借/贷", "余额方向"})
BALANCE_WORDS = frozenset({"余额", "余额金额", "期末余额"})
VOUCHER_WORDS = frozenset({"凭证号数", "凭证字号", "凭证号", "凭证编号", "凭证"})
ROLE_WORDS = DEBIT_WORDS | CREDIT_WORDS | DIRECTION_WORDS | BALANCE_WORDS | VOUCHER_WORDS | {"摘要", "月", "日", "日期"}
TOTAL_LEAVES = frozenset({"合计", "小计", "总计", "借方合计"})

OPENING = frozenset({"期初余额", "期初", "上年结转", "年初余额", "上年余额", "期初数", "上期结转"})
MONTH_TOTAL = frozenset({"本月合计", "本月发生额合计", "本月发生额", "本月小计"})
YEAR_TOTAL = frozenset({"本年累计", "本年累计发生额", "本年合计", "累计"})
PERIOD_TOTAL = frozenset({"本期合计", "本期发生额", "本期发生额合计"})
GRAND_TOTAL = frozenset({"合计", "总计", "合计金额"})
CLOSING = frozenset({"期末余额", "年末余额", "期末"})
CARRY = frozenset({"承前页", "过次页", "承上页", "转下页", "过次页合计", "承前页合计"})
FOOTER = re.compile(
    r"^(会计主管|财务主管|主管|记账|审核|制表|制单|复核|出纳|打印|录入|主办会计|财务负责人|打印日期|打印时间)人?\s*[:：]"
)
PAGE = re.compile(r"^第\d+页")

# row kinds
VOUCHER, TRANSFER, OPEN, MONTH, YEAR, PERIOD, TOTAL, CLOSE, CARRIED, FOOT, OTHER = (
    "voucher",
    "transfer",
    "opening",
    "month_total",
    "year_total",
    "period_total",
    "total",
    "closing",
    "carry",
    "footer",
    "other",
)
TIE_KINDS = (MONTH, YEAR, PERIOD, TOTAL)
LABELS = {MONTH: "本月合计", YEAR: "本年累计", PERIOD: "本期合计", TOTAL: "合计"}


def key(value: Any) -> str:
    """A cell's text for matching: folded (full-width → half-width), spaces removed."""
    return "" if is_blank(value) else _SPACE.sub("", fold(raw_text(value)))


def cell_ref(col: int, row: int) -> str:
    """The reference of a 0-based column in an Excel row (``H12``)."""
    return f"{column_letter(col)}{row}"


@dataclass(frozen=True)
class Account:
    """One column of the analysis block: a sub-account of 研发支出 as the enterprise keeps it."""

    col: int
    label: str  # as printed: "53010101 职工薪酬—工资"
    code: str | None  # "53010101"
    name: str  # "职工薪酬—工资"
    header_cell: str  # where the label is
    expense_type: str | None = None  # 费用化/资本化 when the label says so

    @property
    def letter(self) -> str:
        return column_letter(self.col)


@dataclass(frozen=True)
class ErpLine:
    """One spending line: a non-zero analysis cell of a voucher row, with its own cell and the row's keys."""

    row: int
    cell: str
    account: Account
    amount: Decimal | None  # None: the cell holds something that is not an amount (its text in ``raw``)
    date: dt.date | None
    voucher: str | None
    summary: str | None
    date_cell: str | None = None
    voucher_cell: str | None = None
    summary_cell: str | None = None
    raw: str | None = None


@dataclass(frozen=True)
class TieIssue:
    """A total row (or a voucher row's 借方) that the lines read do not add up to."""

    row: int
    cell: str
    label: str  # 本年累计 / 本月合计 / 本期合计 / 合计 / 借方 (a row whose analysis cells do not add to its 借方)
    column: str  # the column's header (a sub-account label, 借方, 贷方)
    stated: Decimal
    read: Decimal
    kind: str = "total"  # "total": a total row; "row": a voucher row's analysis cells against its own 借方/合计


@dataclass
class ErpSheet:
    """What one 多栏账 sheet says: its lines, its keys and whether it ties out."""

    title: str | None = None
    subject: str | None = None  # 科目：5301 研发支出…
    project: str | None = None  # 项目：…
    company: str | None = None  # 核算单位：…
    period: tuple[dt.date, dt.date] | None = None
    year: int | None = None
    unit: str = "元"
    header_rows: tuple[int, int] | None = None  # Excel rows of the header band
    columns: dict[str, int] = field(default_factory=dict)  # role -> 0-based column
    accounts: list[Account] = field(default_factory=list)
    lines: list[ErpLine] = field(default_factory=list)
    kinds: dict[int, str] = field(default_factory=dict)  # Excel row -> row kind
    issues: list[TieIssue] = field(default_factory=list)
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # (row, cell, raw) amounts not read
    tied_rows: list[int] = field(default_factory=list)  # total rows the lines were checked against
    cells: dict[str, tuple[int, str]] = field(default_factory=dict)  # info label (科目, 项目 …) -> (row, cell)

    @property
    def expense_type(self) -> str | None:
        """费用化/资本化 when the 科目 line names it (530101 费用化支出 …), else None."""
        return expense_type_of(self.subject or "")

    def cell_of(self, role: str, row: int) -> str | None:
        col = self.columns.get(role)
        return None if col is None else cell_ref(col, row)


def expense_type_of(text: str) -> str | None:
    if "资本化" in text:
        return "资本化"
    if "费用化" in text:
        return "费用化"
    return None


def number(value: Any) -> bool:
    """Whether a cell holds a number (not a bool)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
