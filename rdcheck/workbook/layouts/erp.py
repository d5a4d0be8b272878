"""ERP 多栏账: a 研发支出 multi-column ledger exported from 用友 U8/T+ or 金蝶 K/3/KIS (layouts.md §1d).

Pure functions over a filled grid (rows of cell values, merged ranges already copied into every cell they cover;
row 0 = Excel row 1). :func:`parse_erp` finds the title and the 科目 / 项目 / 期间 lines, reads the header band as
paths (``2024年`` over ``月`` ``日``; ``借方金额分析`` over one column per sub-account ``code name``), classifies every
row and turns each non-zero analysis cell of a voucher row into one :class:`ErpLine` that keeps its own cell.

Rows that are not spending never become lines: 期初/上年结转, month-end transfers (摘要 ``结转…``, or an amount in
贷方 only, whose analysis cells may be negative), 本月合计 / 本年累计 / 本期合计 / 合计, 期末余额, 承前页 / 过次页 and
footers. The lines are tied out against the sheet's own total rows, column by column (:class:`TieIssue`).
Nothing is mapped to rdcheck's sub-items here: that is :mod:`rdcheck.workbook.layouts.erp_map`'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..book import column_letter
from ..values import Invalid, fold, is_blank, parse_amount, parse_date, raw_text

Grid = Sequence[Sequence[Any]]
ZERO = Decimal(0)
HEADER_SCAN = 30  # rows searched for the 摘要 header
MAX_BAND = 4  # rows a header band may span

_SPACE = re.compile(r"\s+")
_YEAR_HEAD = re.compile(r"^(\d{4})年度?$")
_CODE_NAME = re.compile(r"^(\d{4,}(?:\.\d+)*)[\s\-_—–.·:：]*(.*)$")
_PERIOD = re.compile(
    r"(\d{4})\s*[年.\-/]\s*(?:第\s*)?(\d{1,2})\s*[期月]?(?:[.\-/]\d{1,2}日?)?\s*"
    r"(?:-|—|–|~|～|至|到)+\s*(\d{4})\s*[年.\-/]\s*(?:第\s*)?(\d{1,2})"
)
_INFO = re.compile(
    r"^(科目|会计科目|项目|辅助项目|期间|会计期间|日期|核算单位|单位名称|公司名称|单位|金额单位)[:：]\s*(.*)$"
)

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
        return _expense_type(self.subject or "")

    def cell_of(self, role: str, row: int) -> str | None:
        col = self.columns.get(role)
        return None if col is None else cell_ref(col, row)


def _expense_type(text: str) -> str | None:
    if "资本化" in text:
        return "资本化"
    if "费用化" in text:
        return "费用化"
    return None


def _header_row(rows: Grid) -> int | None:
    for r, row in enumerate(rows[:HEADER_SCAN]):
        if any(key(v) == "摘要" for v in row):
            return r
    return None


def _is_header_word(k: str) -> bool:
    return bool(k) and (k in ROLE_WORDS or bool(_YEAR_HEAD.match(k)) or "分析" in k or k.startswith("凭证"))


def _band(rows: Grid, r_sum: int) -> tuple[int, int]:
    """The header band around the 摘要 row: rows above holding header words, rows below holding labels only."""
    top = r_sum
    while top > 0 and r_sum - top < MAX_BAND - 1 and any(_is_header_word(key(v)) for v in rows[top - 1]):
        if any(_INFO.match(key(v)) for v in rows[top - 1]):
            break
        top -= 1
    summary_cols = [c for c, v in enumerate(rows[r_sum]) if key(v) == "摘要"]
    bottom = r_sum
    while bottom + 1 < len(rows) and bottom - top < MAX_BAND - 1:
        nxt = rows[bottom + 1]
        if any(_number(v) for v in nxt) or all(is_blank(v) for v in nxt):
            break
        below = [key(nxt[c]) if c < len(nxt) else "" for c in summary_cols]
        if any(k and k != "摘要" for k in below):
            break  # a data row (期初余额 …) or a note, not a header
        bottom += 1
    return top, bottom


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _paths(rows: Grid, top: int, bottom: int) -> list[list[str]]:
    width = max(len(rows[r]) for r in range(top, bottom + 1))
    paths: list[list[str]] = []
    for c in range(width):
        path: list[str] = []
        for r in range(top, bottom + 1):
            v = rows[r][c] if c < len(rows[r]) else None
            text = "" if is_blank(v) else fold(raw_text(v))
            if text and (not path or _SPACE.sub("", path[-1]) != _SPACE.sub("", text)):
                path.append(text)
        paths.append(path)
    return paths


def _analysis_top(k: str) -> bool:
    """Whether a header above a leaf opens the debit analysis block (``借方``, ``借方金额分析`` …)."""
    if "贷方" in k:
        return False
    return k in DEBIT_WORDS or "分析" in k or k in {"借方明细", "费用明细", "明细"}


def _account(col: int, path: list[str], header_cell: str) -> Account:
    leaf = path[-1]
    m = _CODE_NAME.match(_SPACE.sub(" ", leaf).strip())
    code, name = (m.group(1), m.group(2).strip()) if m else (None, leaf.strip())
    if code is None and len(path) > 2:  # 借方金额分析 › 职工薪酬 › 工资
        name = f"{path[-2].strip()}—{name}"
    return Account(col, leaf.strip(), code, name or leaf.strip(), header_cell, _expense_type(" ".join(path[1:])))


def _roles(sheet: ErpSheet, paths: list[list[str]], bottom_row: int) -> None:
    for c, path in enumerate(paths):
        if not path:
            continue
        keys = [_SPACE.sub("", p) for p in path]
        leaf = keys[-1]
        for k in keys:
            m = _YEAR_HEAD.match(k)
            if m and sheet.year is None:
                sheet.year = int(m.group(1))
        above = keys[:-1]
        if above and any(_analysis_top(k) for k in above) and leaf not in ROLE_WORDS:
            if leaf in TOTAL_LEAVES:
                sheet.columns.setdefault("analysis_total", c)
            else:
                sheet.accounts.append(_account(c, path, cell_ref(c, bottom_row)))
            continue
        if any("分析" in k for k in above):
            continue  # a 贷方金额分析 column: transfers, never spending
        role = None
        if leaf == "月":
            role = "month"
        elif leaf == "日":
            role = "day"
        elif leaf == "日期":
            role = "date"
        elif leaf == "摘要":
            role = "summary"
        elif leaf in VOUCHER_WORDS:
            role = "voucher"
        elif leaf in ("字", "凭证字") and (leaf == "凭证字" or any("凭证" in k for k in above)):
            role = "voucher_kind"
        elif leaf in ("号", "号数") and any("凭证" in k for k in above):
            role = "voucher_no"
        elif leaf in DEBIT_WORDS:
            role = "debit"
        elif leaf in CREDIT_WORDS:
            role = "credit"
        elif leaf in DIRECTION_WORDS:
            role = "direction"
        elif leaf in BALANCE_WORDS:
            role = "balance"
        if role is not None:
            sheet.columns.setdefault(role, c)
    if "voucher_kind" in sheet.columns and "voucher" in sheet.columns and "voucher_no" not in sheet.columns:
        sheet.columns["voucher_no"] = sheet.columns.pop("voucher")  # 凭证字 | 凭证号: kind and number


def _info(sheet: ErpSheet, rows: Grid, top: int) -> None:
    for r, row in enumerate(rows[:top]):
        texts = [(c, fold(raw_text(v))) for c, v in enumerate(row) if not is_blank(v)]
        for i, (c, text) in enumerate(texts):
            m = _INFO.match(text)
            if m is None:
                k = _SPACE.sub("", text)
                if sheet.title is None and "账" in k and len(k) <= 30:
                    sheet.title = text
                continue
            value, at = m.group(2).strip(), c
            if not value and i + 1 < len(texts) and not _INFO.match(texts[i + 1][1]):
                value, at = texts[i + 1][1], texts[i + 1][0]
            label = m.group(1)
            if value and label not in sheet.cells:
                sheet.cells[label] = (r + 1, cell_ref(at, r + 1))
            _info_value(sheet, label, value)


def _info_value(sheet: ErpSheet, label: str, text: str) -> None:
    if label in ("科目", "会计科目"):
        sheet.subject = sheet.subject or text or None
    elif label in ("项目", "辅助项目"):
        sheet.project = sheet.project or text or None
    elif label in ("期间", "会计期间", "日期"):
        m = _PERIOD.search(text)
        if m:
            y1, m1, y2, m2 = (int(g) for g in m.groups())
            if 1 <= m1 <= 12 and 1 <= m2 <= 12:
                end = dt.date(y2 + (m2 == 12), 1 if m2 == 12 else m2 + 1, 1) - dt.timedelta(days=1)
                sheet.period = (dt.date(y1, m1, 1), end)
    elif label == "金额单位" or (label == "单位" and _SPACE.sub("", text) in ("元", "千元", "万元", "亿元")):
        unit = _SPACE.sub("", text)
        if unit in ("元", "千元", "万元", "亿元"):
            sheet.unit = unit
    elif label in ("核算单位", "单位名称", "公司名称", "单位"):
        sheet.company = sheet.company or text or None


def _row_kind(sheet: ErpSheet, row: Sequence[Any], amounts: dict[int, Decimal], debit: Decimal, credit: Decimal) -> str:
    texts = [key(v) for v in row if isinstance(v, str) and not is_blank(v)]
    if any(FOOTER.match(t) or PAGE.match(t) for t in texts):
        return FOOT
    col = sheet.columns.get("summary")
    summary = key(row[col]) if col is not None and col < len(row) else ""
    words = [summary, *texts[:3]] if summary else texts[:3]
    for w in words:
        for kind, group in ((OPEN, OPENING), (MONTH, MONTH_TOTAL), (YEAR, YEAR_TOTAL), (PERIOD, PERIOD_TOTAL),
                            (TOTAL, GRAND_TOTAL), (CLOSE, CLOSING), (CARRIED, CARRY)):  # fmt: skip
            if w in group:
                return kind
    if "结转" in summary and debit <= 0:  # 结转本月研发费用: in 贷方, or printed as a negative 借方
        return TRANSFER
    if credit != 0 and debit == 0:
        return TRANSFER
    if debit == 0 and any(v < 0 for v in amounts.values()) and not any(v > 0 for v in amounts.values()):
        return TRANSFER  # negative analysis cells with no debit: a transfer out printed in the analysis block
    if debit != 0 or any(v != 0 for v in amounts.values()):
        return VOUCHER
    return OTHER


def parse_erp(rows: Grid) -> ErpSheet | None:
    """Read a 多栏账 grid; None when it has no 摘要 header or no analysis block and no 借方 column."""
    r_sum = _header_row(rows)
    if r_sum is None:
        return None
    top, bottom = _band(rows, r_sum)
    sheet = ErpSheet(header_rows=(top + 1, bottom + 1))
    _info(sheet, rows, top)
    _roles(sheet, _paths(rows, top, bottom), bottom + 1)
    if not sheet.accounts and "debit" not in sheet.columns:
        return None
    if sheet.year is None and sheet.period is not None:
        sheet.year = sheet.period[1].year
    _read_rows(sheet, rows, bottom + 1)
    return sheet


def _amount(
    sheet: ErpSheet, row: Sequence[Any], col: int | None, r: int, bad: list[tuple[int, str, str]] | None = None
) -> Decimal | None:
    if col is None or col >= len(row):
        return None
    got = parse_amount(row[col], sheet.unit)
    if isinstance(got, Invalid):
        (sheet.invalid if bad is None else bad).append((r, cell_ref(col, r), got.raw))
        return None
    return got


def _text(row: Sequence[Any], col: int | None) -> str | None:
    if col is None or col >= len(row) or is_blank(row[col]):
        return None
    return fold(raw_text(row[col]))


def _voucher(sheet: ErpSheet, row: Sequence[Any]) -> str | None:
    cols = sheet.columns
    if "voucher_kind" in cols:
        kind, number = _text(row, cols["voucher_kind"]), _text(row, cols.get("voucher_no"))
        return "-".join(p for p in (kind, number) if p) or None
    return _text(row, cols.get("voucher"))


def _date(sheet: ErpSheet, row: Sequence[Any], last: list[int | None]) -> dt.date | None:
    cols = sheet.columns
    if "date" in cols and cols["date"] < len(row):
        got = parse_date(row[cols["date"]])
        return got if isinstance(got, dt.date) else None
    month, day = _int(row, cols.get("month")), _int(row, cols.get("day"))
    if month is None:  # printed ledgers leave a repeated month (and day) blank
        month = last[0]
    if day is None and month == last[0]:
        day = last[1]
    last[0], last[1] = month, day
    if sheet.year is None or month is None or day is None:
        return None
    try:
        return dt.date(sheet.year, month, day)
    except ValueError:
        return None


def _int(row: Sequence[Any], col: int | None) -> int | None:
    if col is None or col >= len(row) or is_blank(row[col]):
        return None
    text = key(row[col]).removesuffix("月").removesuffix("日")
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    return int(number) if number == number.to_integral_value() else None


def _read_rows(sheet: ErpSheet, rows: Grid, start: int) -> None:
    from .erp_tie import Tally

    cols = sheet.columns
    tally = Tally(sheet)
    last: list[int | None] = [None, None]
    for r0 in range(start, len(rows)):
        row, r = rows[r0], r0 + 1
        if all(is_blank(v) for v in row):
            continue
        bad: list[tuple[int, str, str]] = []
        amounts = {a.col: v for a in sheet.accounts if (v := _amount(sheet, row, a.col, r, bad)) is not None}
        debit = _amount(sheet, row, cols.get("debit"), r, bad)
        credit = _amount(sheet, row, cols.get("credit"), r, bad)
        kind = _row_kind(sheet, row, amounts, debit or ZERO, credit or ZERO)
        if kind == OTHER and bad:
            kind = VOUCHER  # amounts that cannot be read are not nothing: the row is reported, never dropped
        sheet.kinds[r] = kind
        if kind not in (FOOT, CARRIED, OPEN, CLOSE):
            sheet.invalid += bad
        if kind in (VOUCHER, TRANSFER):
            date = _date(sheet, row, last)
            total = _amount(sheet, row, cols.get("analysis_total"), r)
            tally.add(r, amounts, debit, credit, analysis_total=total, date=date)
        if kind == VOUCHER:
            unread = {int(_col_of(cell)): raw for _, cell, raw in bad}
            _voucher_lines(sheet, row, r, amounts, date, unread)
        elif kind in TIE_KINDS:
            tally.check(r, kind, row)
    tally.finish()


def _col_of(cell: str) -> int:
    """The 0-based column of a reference (``I6`` → 8)."""
    n = 0
    for ch in cell:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch) - 64
    return n - 1


def _voucher_lines(
    sheet: ErpSheet, row: Sequence[Any], r: int, amounts: dict[int, Decimal], date: Any, unread: dict[int, str]
) -> None:
    cols = sheet.columns
    voucher, summary = _voucher(sheet, row), _text(row, cols.get("summary"))
    keys = {
        "date": date,
        "voucher": voucher,
        "summary": summary,
        "date_cell": sheet.cell_of("date", r) or sheet.cell_of("day", r) or sheet.cell_of("month", r),
        "voucher_cell": sheet.cell_of("voucher", r) or sheet.cell_of("voucher_no", r),
        "summary_cell": sheet.cell_of("summary", r),
    }
    if not sheet.accounts:  # a plain 明细账: the 借方 is the line, under the sheet's own 科目
        debit = _amount(sheet, row, cols.get("debit"), r)
        if debit:
            whole = _account(cols["debit"], [sheet.subject or "研发支出"], sheet.cell_of("debit", r) or "")
            sheet.lines.append(ErpLine(r, cell_ref(cols["debit"], r), whole, debit, **keys))
        return
    for account in sheet.accounts:
        amount = amounts.get(account.col)
        if amount:
            sheet.lines.append(ErpLine(r, cell_ref(account.col, r), account, amount, **keys))
        elif account.col in unread:
            sheet.lines.append(ErpLine(r, cell_ref(account.col, r), account, None, raw=unread[account.col], **keys))


def looks_like_erp(rows: Grid) -> bool:
    """The fingerprint: a 摘要 header with 借方 (or a 借方 analysis block), 贷方 and 余额, and either a title that
    says 多栏 or an analysis block of sub-accounts; not the official 2015/2021 ledgers (费用明细, 会计凭证记载金额)."""
    r_sum = _header_row(rows)
    if r_sum is None:
        return False
    top, bottom = _band(rows, r_sum)
    words = {key(v) for r in range(top, bottom + 1) for v in rows[r]}
    if "会计凭证记载金额" in words or "税法规定的归集金额" in words or any(w.startswith("费用明细") for w in words):
        return False
    titled = any("多栏" in key(v) for row in rows[:top] for v in row)
    sheet = ErpSheet()
    _roles(sheet, _paths(rows, top, bottom), bottom + 1)
    has_money = ("debit" in sheet.columns or sheet.accounts) and "credit" in sheet.columns
    return bool(has_money and "balance" in sheet.columns and (titled or sheet.accounts))


__all__ = ["Account", "ErpLine", "ErpSheet", "TieIssue", "looks_like_erp", "parse_erp"]

from . import erp_layout  # noqa: E402, F401  (registers the layout: this is the module the registry imports)
