"""Tie a 多栏账 sheet out against its own total rows (layouts.md §2.5), column by column.

Every movement row (voucher entries and month-end transfers) is summed per analysis column, and for 借方 and 贷方.
本月合计 is checked against the rows since the previous 本月合计, 本期合计 and 合计 against every row, 本年累计
against every row too — or, when the sheet starts after January (its 期间, or its first month), by the change since
the previous 本年累计, since the first one also holds months the sheet does not show. Software differs on whether
a transfer's negative analysis cells are netted into the totals: a total cell is accepted either way. A voucher
row whose analysis cells do not add up to its own 借方 is reported at that row. Exact decimals; a blank total cell
states nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .erp import LABELS, MONTH, VOUCHER, YEAR, ZERO, ErpSheet, TieIssue, cell_ref

CENT = Decimal("0.005")


class Tally:
    """Running sums of one sheet's movement rows, and the checks of its total rows."""

    def __init__(self, sheet: ErpSheet) -> None:
        self.sheet = sheet
        self.cols: dict[int, str] = {a.col: a.label for a in sheet.accounts}
        self.analysis = set(self.cols)
        for role, label in (("debit", "借方"), ("credit", "贷方")):
            if role in sheet.columns:
                self.cols[sheet.columns[role]] = label
        # (all movement rows, voucher rows only): since the start, and since the last 本月合计
        self.cum: tuple[dict[int, Decimal], dict[int, Decimal]] = ({}, {})
        self.seg: tuple[dict[int, Decimal], dict[int, Decimal]] = ({}, {})
        self.year_seen: tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]] | None = None
        self.first_month: int | None = None

    def add(
        self,
        r: int,
        amounts: dict[int, Decimal],
        debit: Decimal | None,
        credit: Decimal | None,
        analysis_total: Decimal | None = None,
        date: Any = None,
    ) -> None:
        kind = self.sheet.kinds.get(r)
        values = dict(amounts)
        if debit is not None:
            values[self.sheet.columns["debit"]] = debit
        if credit is not None:
            values[self.sheet.columns["credit"]] = credit
        for version, only_vouchers in enumerate((False, True)):
            if only_vouchers and kind != VOUCHER:
                continue
            for col, v in values.items():
                self.cum[version][col] = self.cum[version].get(col, ZERO) + v
                self.seg[version][col] = self.seg[version].get(col, ZERO) + v
        if self.first_month is None and kind == VOUCHER and date is not None:
            self.first_month = date.month
        if kind == VOUCHER and self.analysis:
            spread = sum(amounts.values(), ZERO)
            for label, stated, col in (
                ("借方", debit, self.sheet.columns.get("debit")),
                ("合计", analysis_total, self.sheet.columns.get("analysis_total")),
            ):
                if stated is not None and col is not None and abs(stated - spread) > CENT:
                    self.sheet.issues.append(TieIssue(r, cell_ref(col, r), label, label, stated, spread, "row"))

    def check(self, r: int, kind: str, row: Sequence[Any]) -> None:
        from .erp import _amount  # the same reading as the movement rows (unit, invalid cells)

        sheet = self.sheet
        stated = {col: v for col in self.cols if (v := _amount(sheet, row, col, r)) is not None}
        if kind == MONTH:
            expected = self.seg
            self.seg = ({}, {})
        elif kind == YEAR:
            expected = self.cum
            if self.year_seen is not None:
                prev_stated, prev_all, prev_vouch = self.year_seen
                stated_delta = {c: v - prev_stated.get(c, ZERO) for c, v in stated.items()}
                expected = (_minus(self.cum[0], prev_all), _minus(self.cum[1], prev_vouch))
                self.year_seen = (stated, dict(self.cum[0]), dict(self.cum[1]))
                self._compare(r, kind, stated_delta, expected, stated)
                return
            self.year_seen = (stated, dict(self.cum[0]), dict(self.cum[1]))
            if self._starts_late():
                sheet.tied_rows.append(r)  # the first 本年累计 also holds months before the sheet: a baseline
                return
        else:
            expected = self.cum
        self._compare(r, kind, stated, expected, stated)

    def _starts_late(self) -> bool:
        period = self.sheet.period
        if period is not None:
            return period[0].month > 1
        return self.first_month is not None and self.first_month > 1

    def _compare(
        self,
        r: int,
        kind: str,
        stated: dict[int, Decimal],
        expected: tuple[dict[int, Decimal], dict[int, Decimal]],
        shown: dict[int, Decimal],
    ) -> None:
        self.sheet.tied_rows.append(r)
        for col, value in sorted(stated.items()):
            every, vouchers = expected[0].get(col, ZERO), expected[1].get(col, ZERO)
            if abs(value - every) <= CENT or (col in self.analysis and abs(value - vouchers) <= CENT):
                continue
            read = every if col not in self.analysis or abs(value - every) <= abs(value - vouchers) else vouchers
            offset = shown[col] - value  # a 本年累计 checked by its change: show the cell's own figures
            self.sheet.issues.append(
                TieIssue(r, cell_ref(col, r), LABELS.get(kind, kind), self.cols[col], shown[col], read + offset)
            )

    def finish(self) -> None:
        """Nothing to close: the issues and tied rows are on the sheet."""


def _minus(a: dict[int, Decimal], b: dict[int, Decimal]) -> dict[int, Decimal]:
    return {c: v - b.get(c, ZERO) for c, v in a.items()}


__all__ = ["Tally"]
