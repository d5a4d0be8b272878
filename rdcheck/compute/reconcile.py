"""The three-caliber reconciliation (三表比对): accounting, tax and statistics figures side by side (spec §4.3).

Each row is ``{caliber, item, computed, reported, difference, explained_by}`` with difference = computed −
reported (None when nothing was reported).

``explained_by`` names what accounts for the difference **in size**, not merely what is present: each row has a
model of how the enterprise could have arrived at its reported figure from this ledger by leaving out one or
more of the rules (the factors below), and the factors named are the smallest set whose model reproduces the
reported figure within the tolerance — the reported figure's rounding (``reconciliation_rounding``) or
``reconciliation_explained_share`` (5%) of the difference, whichever is larger. When no set does, the row is
unexplained (``[]``): a bureau officer should ask. The factors, each an amount taken per ledger line
(book − deductible = the sum of a line's factor amounts):
- 可加计金额小于账载金额: 账载金额 − 可加计金额 of categories 1-7 (spend the tax caliber excludes);
- 其他相关费用10%限额: category 6 above the limit; 委托研发按80%计入: 20% of 7.1 and 7.2; 委托境外2/3限额: 7.2 above
  the 2/3 cap; 委托境外个人不予加计: 7.3; 第8类不予加计: category 8's 账载金额;
- 资本化: the capitalised lines (tax rows: their deductible amount, line 42; other rows: their 账载金额).

The models:
- 会计, 利润表研发费用 against the ledger's 费用化 (or total) book amount: the income statement holds (or leaves
  out) the capitalised spending → 资本化;
- 税务, line 51 against 申报加计扣除总额: the claim is line 51 recomputed with the named factors not applied
  (资本化 not applied = line 42 claimed as this year's expense); lines 43-50 apply as filed. The line-40 row
  names the same set, plus the form's own path from line 40 to 51 when it is not trivial (资本化 taken out as
  line 42, 加计扣除比例 ≠ 100%, 第43-49行调整) — a factor both in the set and on the path cancels; when no such set
  exists the claim is tried as line 40 itself with factors not applied;
- 统计, 107-2 line 7 against the reported line 7: the enterprise reported its book total less the named factors
  (资本化: the capitalised lines left out altogether, e.g. a reported 费用化 total or line 41).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import Any

import pandas as pd

from .a107012 import line_factor
from .labels import (
    ADJUSTMENTS,
    CAPITALISED,
    CATEGORY_8,
    COMMISSIONED_80,
    EXPLANATIONS,
    NON_ELIGIBLE,
    OTHER_LIMIT,
    OVERSEAS_LIMIT,
    OVERSEAS_PERSON,
    RATE,
)
from .lines import ZERO

# Factors taken per ledger line, in the order they are shown.
LINE_FACTORS = (NON_ELIGIBLE, OTHER_LIMIT, COMMISSIONED_80, OVERSEAS_LIMIT, OVERSEAS_PERSON, CATEGORY_8)
DEFAULT_SHARE = Decimal("0.05")
HALF_FEN = Decimal("0.005")


@dataclass(frozen=True)
class Effects:
    """By how much each factor separates book from deductible amounts, on 费用化 and on 资本化 lines."""

    expensed: Mapping[str, Decimal]
    capitalised: Mapping[str, Decimal]
    capitalised_book: Decimal  # 账载金额 of the capitalised lines
    line42: Decimal  # deductible amount of the capitalised lines

    def total(self, name: str) -> Decimal:
        return self.expensed.get(name, ZERO) + self.capitalised.get(name, ZERO)

    def removed(self, names: Iterable[str], capitalised_out: bool) -> Decimal:
        """Σ of the factors' amounts: on 费用化 lines only when the capitalised lines are left out, else all."""
        if capitalised_out:
            return sum((self.expensed.get(n, ZERO) for n in names), ZERO)
        return sum((self.total(n) for n in names), ZERO)


def line_groups(lines: pd.DataFrame) -> pd.DataFrame:
    """Sum 账载金额 and 可加计金额 by (capitalised, in_scope, subitem): one pass that serves the book totals and
    the factor amounts (each factor is constant within a group, so group sums give the per-line amounts' sums)."""
    if lines.empty:
        return pd.DataFrame({"book": [], "eligible": []})
    keys = [lines["capitalised"].astype(bool), lines["in_scope"].astype(bool), lines["subitem"]]
    return lines[["book", "eligible"]].groupby(keys, sort=False).sum()


def line_effects(groups: pd.DataFrame, factors: Mapping[str, Decimal], share: Decimal) -> Effects:
    """Split the counted lines' book − deductible amount into the factors above, by 支出类型 (from line_groups)."""
    out: dict[bool, dict[str, Decimal]] = {False: dict.fromkeys(LINE_FACTORS, ZERO), True: {}}
    out[True] = dict(out[False])
    capitalised_book = line42 = ZERO
    for (capitalised, in_scope, subitem), book, eligible in zip(
        groups.index, groups["book"], groups["eligible"], strict=True
    ):
        book, eligible, subitem = Decimal(book), Decimal(eligible), str(subitem)
        deducted = eligible * line_factor(subitem, bool(in_scope), factors)
        effects = out[bool(capitalised)]
        if capitalised:
            capitalised_book += book
            line42 += deducted
        category = int(subitem.split(".")[0])
        if category == 8:
            effects[CATEGORY_8] += book
            continue
        effects[NON_ELIGIBLE] += book - eligible
        if category == 6:
            effects[OTHER_LIMIT] += eligible - deducted
        elif subitem == "7.1":
            effects[COMMISSIONED_80] += eligible - deducted
        elif subitem == "7.2":
            effects[COMMISSIONED_80] += eligible * (1 - share)
            effects[OVERSEAS_LIMIT] += eligible * share - deducted
        elif subitem == "7.3":
            effects[OVERSEAS_PERSON] += eligible - deducted
    return Effects(out[False], out[True], capitalised_book, line42)


def _smallest_set(
    names: Iterable[str],
    model: Callable[[frozenset[str]], Decimal],
    reported: Decimal,
    exact: Decimal,
    tolerance: Decimal,
) -> frozenset[str] | None:
    """Return the set of names whose model reproduces the reported figure, or None.

    A set that fits to the fen wins over one that fits within ``exact`` (the reported figure's own rounding),
    which wins over one that only fits within ``tolerance``; within each, the fewest names win, then the closest.
    """
    names = list(names)
    fits: list[tuple[int, int, Decimal, frozenset[str]]] = []
    for size in range(1, len(names) + 1):
        for combo in combinations(names, size):
            chosen = frozenset(combo)
            residual = abs(model(chosen) - reported)
            if residual <= tolerance:
                fits.append((0 if residual < HALF_FEN else 1 if residual <= exact else 2, size, residual, chosen))
    if not fits:
        return None
    return min(fits, key=lambda fit: fit[:3])[3]


def _ordered(names: Iterable[str]) -> list[str]:
    chosen = set(names)
    return [n for n in EXPLANATIONS if n in chosen]


def _row(caliber: str, item: str, computed: Decimal, reported: Any) -> dict[str, Any]:
    reported = reported if isinstance(reported, Decimal) else None
    return {
        "caliber": caliber,
        "item": item,
        "computed": computed,
        "reported": reported,
        "difference": None if reported is None else computed - reported,
        "explained_by": [],
    }


def reconcile(
    values: Mapping[str, Any],
    a107012: Mapping[int, Decimal],
    stats: Mapping[str, Decimal | None],
    expensed_book_total: Decimal,
    book_total: Decimal,
    effects: Effects,
    rounding: Mapping[str, Decimal] | None = None,
    explained_share: Decimal = DEFAULT_SHARE,
) -> list[dict[str, Any]]:
    """Return the reconciliation rows: 会计 ×2, 税务 ×2, 统计 ×1, each with what explains its difference."""
    a = a107012
    rounding = rounding or {}
    rows = [
        _row("会计", "利润表研发费用 — 辅助账费用化账载金额", expensed_book_total, values.get("利润表研发费用")),
        _row("会计", "利润表研发费用 — 辅助账账载金额合计（费用化+资本化）", book_total, values.get("利润表研发费用")),
        _row("税务", "A107012第40行 年度研发费用小计 — 申报加计扣除总额", a[40], values.get("申报加计扣除总额")),
        _row(
            "税务", "A107012第51行 本年研发费用加计扣除总额 — 申报加计扣除总额", a[51], values.get("申报加计扣除总额")
        ),
        _row(
            "统计",
            "107-2第7行 研究开发费用合计 — 统计研究开发费用合计（报送）",
            stats.get("7") or ZERO,
            values.get("统计研究开发费用合计"),
        ),
    ]

    def tolerance(row: dict[str, Any]) -> Decimal:
        return max(rounding.get(row["caliber"], ZERO), abs(row["difference"]) * explained_share)

    def limits(row: dict[str, Any]) -> tuple[Decimal, Decimal]:
        return rounding.get(row["caliber"], ZERO), tolerance(row)

    def needs(row: dict[str, Any]) -> bool:
        return row["difference"] is not None and abs(row["difference"]) > rounding.get(row["caliber"], ZERO)

    present = [n for n in LINE_FACTORS if effects.total(n) != 0]
    cap_book, line42 = effects.capitalised_book, effects.line42

    # 会计: the income statement's 研发费用 holds the capitalised spending (row 1) or leaves it out (row 2).
    for row, model_value in ((rows[0], expensed_book_total + cap_book), (rows[1], book_total - cap_book)):
        if needs(row) and cap_book != 0 and abs(row["reported"] - model_value) <= tolerance(row):
            row["explained_by"] = [CAPITALISED]

    # 税务: the claim as line 51 recomputed with some factors not applied.
    def line51_without(chosen: frozenset[str]) -> Decimal:
        capitalised_in = CAPITALISED in chosen
        extra = effects.removed(chosen - {CAPITALISED}, capitalised_out=not capitalised_in)
        if capitalised_in:
            extra += line42
        line47 = max(ZERO, a[45] + extra - a[46])
        return max(ZERO, line47 - a[48] - a[49]) * a[50] / 100

    line40_row, line51_row = rows[2], rows[3]
    tax_names = [*present, *([CAPITALISED] if line42 != 0 else [])]
    found: frozenset[str] | None = frozenset()  # the claim matches line 51
    if needs(line51_row):
        found = _smallest_set(tax_names, line51_without, line51_row["reported"], *limits(line51_row))
        line51_row["explained_by"] = _ordered(found or ())
    if needs(line40_row):
        claim = line40_row["reported"]
        if found is not None:
            path = set()
            if line42 != 0:
                path.add(CAPITALISED)
            if a[50] != 100:
                path.add(RATE)
            if any(a[n] != 0 for n in (43, 44, 46, 48, 49)):
                path.add(ADJUSTMENTS)
            line40_row["explained_by"] = _ordered(set(found) ^ path)
        else:
            base = _smallest_set(
                present, lambda c: a[40] + effects.removed(c, capitalised_out=False), claim, *limits(line40_row)
            )
            if base:
                line40_row["explained_by"] = _ordered(base)

    # 统计: the reported line 7 is the book total less some factors (资本化: capitalised lines left out).
    stats_row = rows[4]
    if needs(stats_row):

        def reported_without(chosen: frozenset[str]) -> Decimal:
            capitalised_out = CAPITALISED in chosen
            less = effects.removed(chosen - {CAPITALISED}, capitalised_out=capitalised_out)
            return stats_row["computed"] - less - (cap_book if capitalised_out else ZERO)

        stat_names = [*present, *([CAPITALISED] if cap_book != 0 else [])]
        found = _smallest_set(stat_names, reported_without, stats_row["reported"], *limits(stats_row))
        if found:
            stats_row["explained_by"] = _ordered(found)
    return rows


__all__ = ["Effects", "LINE_FACTORS", "line_effects", "line_groups", "reconcile"]
