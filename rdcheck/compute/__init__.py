"""What rdcheck computes for one workbook: A107012, 107-2, the reconciliation and the tax saved (spec §4).

``compute(book, policy)`` is the one entry point; ``policy`` is a config's policy overrides (or None, or a
:class:`Policy`). The ledger lines counted are described in :func:`rdcheck.compute.lines.counted_mask`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..model import json_value
from ..workbook import Book
from .a107012 import NON_TAXABLE_KEY, compute_a107012, summary_2021
from .columns import Columns
from .labels import (
    NOTE_AMORTISATION_UNKNOWN,
    NOTE_DEEMED_PROFIT,
    NOTE_FOR_CLIENT,
    NOTE_INTRAMURAL_ESTIMATE,
    NOTE_LATER_RATE_DATES,
    NOTE_LATER_RATE_MONTHS,
    NOTE_NEGATIVE_CODE,
    NOTE_NEGATIVE_LIST,
    NOTE_NO_YEAR,
    NOTE_NON_TAXABLE,
    NOTE_PRIOR_CAPITALISED,
    NOTE_SMALL_LOW_PROFIT_NOT_MODELLED,
    NOTE_YEAR_OUT_OF_POLICY,
    STATS_LINES,
)
from .lifecycle import amortisation_lines, prior_pool, project_lives
from .lines import ZERO, dsum, empty_lines, prepare_lines
from .policy import Policy, YearRate, enterprise_kinds, is_negative_list, load_policy, negative_list_entry
from .reconcile import line_effects, line_groups, reconcile
from .stats import compute_stats, formula_text


@dataclass
class Computation:
    """Everything computed for one workbook; amounts exact (round with model.to_fen only to show)."""

    a107012: dict[int, Decimal]  # 1..52; line 1 a count, line 50 a percent
    tax_saving: Decimal
    stats: dict[str, Decimal | None]  # "7".."19", "intramural", "intramural_reported", "basic_research"
    reconciliation: list[dict[str, Any]]
    summary2021: list[dict[str, Any]]
    notes: list[str]  # Chinese; notes_en the same in English
    rate_modelled: bool
    other_limit: dict[
        str, Decimal
    ]  # prior_base, prior_cat6, base, in_scope_cat6, out_of_scope_cat6, limit, allowed, excess (pooled)
    overseas: dict[str, Decimal]  # line37, line38, limit, excess
    expensed_book_total: Decimal  # 账载金额 of the counted 费用化 lines
    book_total: Decimal  # 账载金额 of every counted line
    line_amounts: pd.Series  # deductible amount per ledger row (Excel row); 0 for rows not counted
    lines: pd.DataFrame = field(default_factory=empty_lines)  # the counted lines (lines.LINE_COLUMNS)
    notes_en: list[str] = field(default_factory=list)
    year: int | None = None
    policy_year: int | None = None  # the policy entry used
    rate: YearRate | None = None
    tax_rate: Decimal = ZERO  # 企业所得税税率 used for tax_saving
    negative_list: str | None = None  # the negative-list industry, when the enterprise is excluded by it
    listed_industry: str | None = None  # the negative-list industry its 行业代码 names (decides nothing alone)
    deemed_profit: bool = False  # 征收方式 is 核定征收: no deduction
    policy: Policy | None = None
    amortisation: Decimal = ZERO  # self-developed intangibles' amortisation in line 45 (lines 43 + 44 as known)
    # the ledger's factorized columns (compute/columns.py), shared with the schema and the checks of this check
    columns: Columns | None = field(default=None, repr=False, compare=False)

    def a107012_json(self) -> dict[str, Any]:
        """The `a107012` object of the JSON report: {"1": .., "52": ..}, amounts rounded to the fen."""
        return {str(n): json_value(self.a107012[n]) for n in range(1, 53)}

    def stats_json(self) -> dict[str, Any]:
        """The `stats` object of the JSON report."""
        keys = (*STATS_LINES, "intramural", "intramural_reported", "basic_research")
        return {k: json_value(self.stats.get(k)) for k in keys}


def _tax_rate(values: Mapping[str, Any], policy: Policy, year: int | None) -> tuple[Decimal, bool]:
    """The income-tax rate for the tax saved, and whether a 小型微利 rate was wanted but is not modelled."""
    given = values.get("企业所得税税率")
    if isinstance(given, Decimal):
        return given, False
    if values.get("小型微利企业") is True:
        small = policy.small_low_profit_rate(year)
        if small is not None:
            return small, False
        return policy.tax_rate(year, values.get("高新技术企业") is True), True
    return policy.tax_rate(year, values.get("高新技术企业") is True), False


def negative_status(values: Mapping[str, Any], policy: Policy, year: int | None) -> tuple[str | None, str | None]:
    """(the industry that excludes the enterprise, the negative-list industry its 行业代码 names).

    国家税务总局公告2015年第97号 四: excluded when the negative-list business is "主营业务" with revenue above 50% of
    (收入总额 − 不征税收入 − 投资收益). The 行业代码 alone names the industry but does not decide: only a stated
    负面清单行业收入占比 above the threshold excludes (rule C04)."""
    listed = negative_list_entry(values.get("行业代码"), policy, year)
    share = values.get("负面清单行业收入占比")
    if isinstance(share, Decimal) and share > policy.negative_list_share(year):
        return listed or "负面清单行业", listed
    return None, listed


def _line_amounts(rows: pd.Index, counted: pd.Index, deductible: pd.Series) -> pd.Series:
    """Each ledger row's deductible amount (0 for a row not counted): placed by position when the rows are unique
    and ``deductible`` is in the counted lines' order (it is), instead of a label-aligned assignment."""
    if len(counted) and rows.is_unique and deductible.index.equals(counted):
        values = np.full(len(rows), ZERO, dtype=object)
        values[rows.get_indexer(counted)] = deductible.to_numpy(dtype=object)
        return pd.Series(values, index=rows, dtype=object, name="deductible")
    line_amounts = pd.Series(ZERO, index=rows, dtype=object, name="deductible")
    if len(counted):
        line_amounts.loc[counted] = deductible
    return line_amounts


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _hand_back_freed_memory() -> None:
    """Give the system back the heap memory freed since the last trim (the reader's buffers) before computing.

    glibc keeps freed heap memory until a large enough free happens to trim it; the computation used to copy the
    whole ledger frame, which did, and no longer does. A 500k-line json check peaked at 884 MB RSS without this,
    826 MB with it (838 MB with the old copies); the trim itself takes microseconds."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def compute(book: Book, policy: Mapping[str, Any] | Policy | None = None) -> Computation:
    """Compute A107012, the 2021 汇总表, 107-2, the reconciliation and the tax saved for one Book."""
    _hand_back_freed_memory()
    pol = load_policy(policy)
    values = book.enterprise.values
    year = book.year
    entry = pol.entry_year(year)
    notes: list[str] = []
    notes_en: list[str] = []

    def note(text: dict[str, str], **values: Any) -> None:
        notes.append(text["zh"].format(**values))
        notes_en.append(text["en"].format(**values))

    if year is None:
        note(NOTE_NO_YEAR, entry=entry)
    elif year < pol.years[0]:
        note(NOTE_YEAR_OUT_OF_POLICY, year=year, entry=entry)

    columns = Columns(book.ledger.data)  # each ledger column factorized once, for compute and the checks
    lives = project_lives(book, columns) if book.projects.present else {}
    lines = prepare_lines(book, year, lives if book.projects.present else None, columns)
    rate = pol.deduction_rate(year, enterprise_kinds(values, pol, year))
    negative, listed = negative_status(values, pol, year)
    deemed = values.get("征收方式") == "核定征收"
    projects = book.projects.data
    known = set(projects["项目编号"].dropna()) if book.projects.present else None
    prior = prior_pool(lives, year)
    amortisation = amortisation_lines(values, lives, year)
    tax = compute_a107012(lines, values, pol, year, rate, negative is not None or deemed, known, prior, amortisation)
    a = tax.a107012
    if any(prior):
        note(NOTE_PRIOR_CAPITALISED, core=f"{prior[0]:,.2f}", other=f"{prior[1]:,.2f}")
    if a[43] is None or a[44] is None:
        missing = [*amortisation.unknown_current, *amortisation.unplaced]
        note(NOTE_AMORTISATION_UNKNOWN, projects="、".join(str(p) for p in missing), total=f"{amortisation.total:,.2f}")
    if deemed:
        note(NOTE_DEEMED_PROFIT)
    elif negative is not None:
        note(
            NOTE_NEGATIVE_LIST, industry=f"（{listed}）" if listed else "", industry_en=f" ({listed})" if listed else ""
        )
    elif listed is not None:
        note(NOTE_NEGATIVE_CODE, industry=listed)
    if rate.note and negative is None and not deemed:
        note({"zh": rate.note, "en": rate.note_en or rate.note})
    if tax.later_share and rate.later_from is not None:
        by_months = values.get("2022年四季度研发费用计算方法") == "按经营月份比例"
        note(
            NOTE_LATER_RATE_MONTHS if by_months else NOTE_LATER_RATE_DATES,
            start=rate.later_from.isoformat(),
            later=rate.later_rate,
            rate=rate.rate,
            share=f"{tax.later_share * 100:.2f}%",
            blended=f"{a[50]:.2f}",
        )
    for_client = dsum(lines.loc[lines["for_client"].astype(bool), "book"]) if not lines.empty else ZERO
    if for_client:
        note(NOTE_FOR_CLIENT, amount=f"{for_client:,.2f}")
    non_taxable = values.get(NON_TAXABLE_KEY)
    if isinstance(non_taxable, Decimal) and non_taxable:
        note(NOTE_NON_TAXABLE, amount=f"{non_taxable:,.2f}")

    formula = pol.intramural(year)
    stats = compute_stats(book, lines, formula)
    notes.append(NOTE_INTRAMURAL_ESTIMATE["zh"].format(formula=formula_text(formula)))
    notes_en.append(NOTE_INTRAMURAL_ESTIMATE["en"].format(formula=formula_text(formula, "en")))

    groups = line_groups(lines)
    capitalised = groups.index.get_level_values(0).astype(bool) if len(groups) else []
    book_total = sum((Decimal(v) for v in groups["book"]), ZERO)
    expensed_book_total = sum((Decimal(v) for v, c in zip(groups["book"], capitalised, strict=True) if not c), ZERO)
    effects = line_effects(groups, tax.factors, pol.commissioned_share(year))
    recon = reconcile(
        values,
        a,
        stats,
        expensed_book_total,
        book_total,
        effects,
        pol.reconciliation_rounding(year),
        pol.reconciliation_explained_share(year),
    )

    tax_rate, small_note = _tax_rate(values, pol, year)
    if small_note:
        note(NOTE_SMALL_LOW_PROFIT_NOT_MODELLED, year=year if year is not None else "?")
    if year is None:
        a = {**a, 50: None}  # no year, no rate: line 50 is left empty (line 51 uses the newest year, see the note)
    line_amounts = _line_amounts(book.ledger.data.index, lines.index, tax.deductible)
    return Computation(
        a107012=a,
        tax_saving=(a[51] or ZERO) * tax_rate,
        stats=stats,
        reconciliation=recon,
        summary2021=summary_2021(book, lines, tax.deductible),
        notes=notes,
        notes_en=notes_en,
        rate_modelled=rate.modelled or negative is not None or deemed,
        other_limit=tax.other_limit,
        overseas=tax.overseas,
        expensed_book_total=expensed_book_total,
        book_total=book_total,
        line_amounts=line_amounts,
        lines=lines,
        year=year,
        policy_year=entry,
        rate=rate,
        tax_rate=tax_rate,
        negative_list=negative,
        listed_industry=listed,
        deemed_profit=deemed,
        policy=pol,
        amortisation=amortisation.total,
        columns=columns,
    )


__all__ = ["Computation", "Policy", "compute", "is_negative_list", "load_policy", "negative_status"]
