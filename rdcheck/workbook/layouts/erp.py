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
from decimal import Decimal
from typing import Any

from ..values import Invalid, fold, is_blank, parse_amount, parse_date, raw_text
from .erp_head import _account, _band, _header_row, _info, _paths, _roles
from .erp_model import (
    CARRIED,
    CARRY,
    CLOSE,
    CLOSING,
    FOOT,
    FOOTER,
    GRAND_TOTAL,
    LABELS,
    MONTH,
    MONTH_TOTAL,
    OPEN,
    OPENING,
    OTHER,
    PAGE,
    PERIOD,
    PERIOD_TOTAL,
    TIE_KINDS,
    TOTAL,
    TRANSFER,
    VOUCHER,
    YEAR,
    YEAR_TOTAL,
    ZERO,
    Account,
    ErpLine,
    ErpSheet,
    Grid,
    TieIssue,
    cell_ref,
    key,
)


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


_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")


def _date(sheet: ErpSheet, row: Sequence[Any], last: list[int | None]) -> dt.date | None:
    cols = sheet.columns
    if "date" in cols and cols["date"] < len(row):
        got = parse_date(row[cols["date"]])
        if isinstance(got, dt.date):
            return got
        m = _MONTH_DAY.match(key(row[cols["date"]]))  # 01-05, 1/5, 1月5日: the year is the header's
        if m and sheet.year is not None:
            try:
                return dt.date(sheet.year, int(m.group(1)), int(m.group(2)))
            except ValueError:
                return None
        return None
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


__all__ = [
    "LABELS",
    "MONTH",
    "VOUCHER",
    "YEAR",
    "ZERO",
    "Account",
    "ErpLine",
    "ErpSheet",
    "TieIssue",
    "cell_ref",
    "looks_like_erp",
    "parse_erp",
]

from . import erp_layout  # noqa: E402, F401  (registers the layout: this is the module the registry imports)
