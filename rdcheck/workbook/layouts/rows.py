"""What the official and software ledgers share: which rows are spending, tie-outs, vouchers, dates, splitting.

layouts.md §2.3–2.5: a data row becomes one line per amount cell, the non-eligible remainder a line of its own;
totals, balances, page carries, footers and transfers are never lines; the lines must sum to the sheet's own
合计 / 本月合计 / 本年累计 rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..values import Invalid, fold, is_blank, parse_amount, parse_date, parse_text, raw_text
from .base import Tie
from .grid import norm

ZERO = Decimal(0)
FEN = Decimal("0.01")
# rows that close a block: the lines above must add up to them (本月合计: since the previous 本月合计)
MONTH_TOTALS = frozenset({"本月合计", "本期合计", "本月发生额"})
YEAR_TOTALS = frozenset({"合计", "合计金额", "本年累计", "本年合计", "总计", "金额合计", "累计"})
# rows that are never spending and never tied
NOT_SPENDING = frozenset(
    {"小计", "期初余额", "上年结转", "上期结转", "期末余额", "承前页", "过次页", "过下页", "年初余额", "本年结转"}
)
FOOTERS = (
    "会计主管",
    "主办会计",
    "录入人员",
    "复核人员",
    "制表",
    "制单",
    "审核",
    "记账",
    "法定代表人",
    "财务负责人",
    "经办人",
    "填表",
    "编制",
    "打印",
    "单位负责人",
)


def row_kind(first_text: str) -> str:
    """Classify a row by its first non-blank text: ``month`` / ``year`` (a total to tie), ``skip``, or ``data``."""
    if first_text in MONTH_TOTALS:
        return "month"
    if first_text in YEAR_TOTALS:
        return "year"
    if first_text in NOT_SPENDING or first_text.startswith(FOOTERS):
        return "skip"
    return "data"


def amount(value: Any, unit: str | None = "元") -> Decimal | None | Invalid:
    """An amount cell in yuan (blank = None; a printed dash ``-`` or ``—`` = None)."""
    if isinstance(value, str) and fold(value).strip() in {"-", "—", "－", "/", "——"}:
        return None
    return parse_amount(value, unit)


class Running:
    """Running column sums of a sheet's data rows, for tying out its total rows."""

    def __init__(self) -> None:
        self.year: dict[str, Decimal] = {}
        self.month: dict[str, Decimal] = {}

    def add(self, column: str, value: Decimal | None) -> None:
        if isinstance(value, Decimal):
            self.year[column] = self.year.get(column, ZERO) + value
            self.month[column] = self.month.get(column, ZERO) + value

    def tie(self, kind: str, row: int, shown: Iterable[tuple[str, str, Any, str]]) -> list[Tie]:
        """Compare a total row's cells ``(column, printed header, value, cell ref)`` with the sums so far."""
        sums = self.month if kind == "month" else self.year
        out: list[Tie] = []
        for column, header, value, ref in shown:
            got = amount(value)
            if not isinstance(got, Decimal):
                continue  # a blank total cell says nothing; an unreadable one is not a total
            read = sums.get(column, ZERO)
            if got.quantize(FEN) != read.quantize(FEN):
                out.append(Tie(row=row, cell=ref, column=header, shown=got, read=read, kind="total"))
        if kind == "month":
            self.month = {}
        return out


def voucher(kind: Any, number: Any) -> str | None:
    """The 凭证号 from 种类 and 号数 (``记``, ``12`` → ``记-12``); either alone when the other is blank."""

    def text(v: Any) -> str:
        return "" if is_blank(v) else raw_text(v).strip()

    k, n = text(kind), text(number)
    if k and n:
        return n if n.startswith(k) else f"{k}-{n}"
    return k or n or None


def line_head(
    grid: Any, r: int, cols: dict[str, int], project: dict[str, tuple[Any, str | None]], year: int | None
) -> tuple[dict[str, Any], dict[str, str], dict[str, Invalid]]:
    """Return what every line of ledger row r shares, with its cells and its unreadable values.

    The fields are the sheet's 项目编号 and 支出类型 (from ``project``: value and cell), the date (a 日期 column, or
    月 and 日 in the header's year), the 凭证号 (种类 + 号数, or one 凭证号 column) and the 摘要.
    """
    row = grid.rows[r]
    common: dict[str, Any] = {"项目编号": project["项目编号"][0], "支出类型": project["支出类型"][0]}
    cells: dict[str, str] = {k: ref for k, (_, ref) in project.items() if ref}
    invalid: dict[str, Invalid] = {}
    d: dt.date | None | Invalid = None
    if "date" in cols:
        d = line_date(row[cols["date"]], year)
        cells["日期"] = grid.ref(r, cols["date"])
    elif "month" in cols or "day" in cols:
        m, dd = (row[cols[k]] if k in cols else None for k in ("month", "day"))
        d = month_day(year, m, dd, f"{m}月{dd}日")
        cells["日期"] = grid.ref(r, cols.get("day", cols.get("month", 0)))
    if isinstance(d, Invalid):
        invalid["日期"] = d
    elif d is not None:
        common["日期"] = d
    if "voucher" in cols or "number" in cols or "kind" in cols:
        kind = row[cols["kind"]] if "kind" in cols else None
        number = row[cols["number"]] if "number" in cols else row[cols["voucher"]] if "voucher" in cols else None
        common["凭证号"] = voucher(kind, number)
        cells["凭证号"] = grid.ref(r, cols.get("number", cols.get("voucher", cols.get("kind", 0))))
    if "summary" in cols:
        common["摘要"] = parse_text(row[cols["summary"]])
        cells["摘要"] = grid.ref(r, cols["summary"])
    return common, cells, invalid


_MONTH_DAY = re.compile(r"^(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?$")


def line_date(value: Any, year: int | None) -> dt.date | None | Invalid:
    """A line's date: a full date, or a month and day (``3月5日``, ``03-05``) in the ledger's year."""
    got = parse_date(value)
    if not isinstance(got, Invalid):
        return got
    m = _MONTH_DAY.match(fold(raw_text(value)))
    if m and year is not None:
        return month_day(year, m.group(1), m.group(2), raw_text(value))
    return got


def month_day(year: int | None, month: Any, day: Any, raw: str) -> dt.date | None | Invalid:
    """The date of 月 and 日 cells in the header's year (2015 and software ledgers)."""
    if is_blank(month) and is_blank(day):
        return None
    try:
        m = int(float(raw_text(month)))
        d = int(float(raw_text(day)))
        if year is None:
            return Invalid(raw)
        return dt.date(year, m, d)
    except (ValueError, TypeError):
        return Invalid(raw)


# where the 摘要 of a row with a non-eligible remainder points it (see remainder_subitem)
_OVERSEAS_PERSON = ("境外个人",)
_BUILDINGS = ("房屋", "建筑物", "厂房", "长期待摊", "装修", "折旧", "摊销")


def remainder_subitem(summary: Any, categories: Iterable[str]) -> str:
    """The sub-item of a row's non-eligible remainder (book − eligible).

    7.3 委托境外个人 where 摘要 says 境外个人 (never deductible; its amount is kept as 可加计金额, as the standard
    workbook's empty cell does, so that A107012 line 39 reports it; 107-2 line 18); 8.1 房屋建筑物折旧及长期待摊费用
    where the row's eligible part is depreciation or amortisation (category 3 or 4) or 摘要 names a building, a
    long-term prepaid cost, depreciation or amortisation — so 107-2 line 10 (折旧与长期待摊) keeps it, as the
    standard workbook would; 8.2 其他不予加计支出 otherwise (entertainment, spending beyond the tax amount …).
    """
    text = norm(summary) if not is_blank(summary) else ""
    if any(w in text for w in _OVERSEAS_PERSON):
        return "7.3"
    if any(c in ("3", "4") for c in categories) or any(w in text for w in _BUILDINGS):
        return "8.1"
    return "8.2"


__all__ = [
    "FOOTERS",
    "MONTH_TOTALS",
    "NOT_SPENDING",
    "Running",
    "YEAR_TOTALS",
    "ZERO",
    "amount",
    "line_date",
    "month_day",
    "remainder_subitem",
    "row_kind",
    "voucher",
]
