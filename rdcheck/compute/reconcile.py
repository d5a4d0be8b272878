"""The three-caliber reconciliation (三表比对): accounting, tax and statistics figures side by side (spec §4.3).

Each row is ``{caliber, item, computed, reported, difference, explained_by}`` with difference = computed −
reported (None when nothing was reported). ``explained_by`` names the factors that account for a difference:
a factor is named only when it is present in this ledger (its effect is non-zero) and pushes the difference in
the direction seen. Every factor makes the tax figure smaller than the book figure, so:
- tax rows (line 40, line 51 vs 申报加计扣除总额): a negative difference (the claim is above what the ledger
  supports) is explained by the limits, the 80%, 委托境外个人 and category 8; capitalisation lowers line 51 but not
  line 40, so it explains a negative line-51 difference and a positive line-40 difference (the claim excludes
  line 42);
- the statistics row (107-2 line 7, which takes every book amount): a positive difference (less reported than
  booked) is explained by the same factors when the enterprise reported its tax or expensed figure;
- the accounting row on the ledger's total book amount: a positive difference is explained by capitalisation
  (资本化 spending is not in the income statement's 研发费用).
A difference within the reported figure's rounding (``rounding`` by caliber, a policy parameter) is shown but
explained by nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .labels import (
    CAPITALISED,
    CATEGORY_8,
    COMMISSIONED_80,
    OTHER_LIMIT,
    OVERSEAS_LIMIT,
    OVERSEAS_PERSON,
)
from .lines import ZERO

TAX_FACTORS = (OTHER_LIMIT, COMMISSIONED_80, OVERSEAS_LIMIT, OVERSEAS_PERSON, CATEGORY_8)


def factor_effects(
    a107012: Mapping[int, Decimal],
    other_limit: Mapping[str, Decimal],
    overseas: Mapping[str, Decimal],
    share: Decimal,
    category8_book: Decimal,
    capitalised_book: Decimal,
) -> dict[str, Decimal]:
    """Return by how much each factor lowers the tax figure below the book figure (0 when absent)."""
    return {
        OTHER_LIMIT: other_limit["excess"],
        COMMISSIONED_80: (a107012[36] + a107012[37]) * (1 - share),
        OVERSEAS_LIMIT: overseas["excess"],
        OVERSEAS_PERSON: a107012[39],
        CATEGORY_8: category8_book,
        CAPITALISED: capitalised_book,
    }


def _row(
    caliber: str,
    item: str,
    computed: Decimal,
    reported: Any,
    effects: Mapping[str, Decimal],
    explains_negative: tuple[str, ...] = (),
    explains_positive: tuple[str, ...] = (),
    rounding: Mapping[str, Decimal] | None = None,
) -> dict[str, Any]:
    reported = reported if isinstance(reported, Decimal) else None
    difference = None if reported is None else computed - reported
    explained: list[str] = []
    tolerance = (rounding or {}).get(caliber, ZERO)
    if difference is not None and abs(difference) > tolerance:
        names = explains_negative if difference < 0 else explains_positive
        explained = [n for n in names if effects.get(n, ZERO) > 0]
    return {
        "caliber": caliber,
        "item": item,
        "computed": computed,
        "reported": reported,
        "difference": difference,
        "explained_by": explained,
    }


def reconcile(
    values: Mapping[str, Any],
    a107012: Mapping[int, Decimal],
    stats: Mapping[str, Decimal | None],
    expensed_book_total: Decimal,
    book_total: Decimal,
    effects: Mapping[str, Decimal],
    capitalised_line42: Decimal,
    rounding: Mapping[str, Decimal] | None = None,
) -> list[dict[str, Any]]:
    """Return the reconciliation rows: 会计 ×2, 税务 ×2, 统计 ×1."""
    income_statement = values.get("利润表研发费用")
    claimed = values.get("申报加计扣除总额")
    tax_effects = {**effects, CAPITALISED: capitalised_line42}
    stat_7 = stats.get("7") or ZERO
    return [
        _row(
            "会计",
            "利润表研发费用 — 辅助账费用化账载金额",
            expensed_book_total,
            income_statement,
            effects,
            rounding=rounding,
        ),
        _row(
            "会计",
            "利润表研发费用 — 辅助账账载金额合计（费用化+资本化）",
            book_total,
            income_statement,
            effects,
            explains_positive=(CAPITALISED,),
            rounding=rounding,
        ),
        _row(
            "税务",
            "A107012第40行 年度研发费用小计 — 申报加计扣除总额",
            a107012[40],
            claimed,
            tax_effects,
            explains_negative=TAX_FACTORS,
            explains_positive=(CAPITALISED,),
            rounding=rounding,
        ),
        _row(
            "税务",
            "A107012第51行 本年研发费用加计扣除总额 — 申报加计扣除总额",
            a107012[51],
            claimed,
            tax_effects,
            explains_negative=(*TAX_FACTORS, CAPITALISED),
            rounding=rounding,
        ),
        _row(
            "统计",
            "107-2第7行 研究开发费用合计 — 统计研究开发费用合计（报送）",
            stat_7,
            values.get("统计研究开发费用合计"),
            effects,
            explains_positive=(*TAX_FACTORS, CAPITALISED),
            rounding=rounding,
        ),
    ]
