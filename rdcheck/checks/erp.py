"""ERP 多栏账 (layouts.md §2.8): sub-items guessed from sub-account names (F14), tax figures that are an upper
bound (F15). They look at the Book's 多栏账 reads
(:func:`rdcheck.workbook.layouts.erp_layout.erp_reads`): the sub-accounts, how each was mapped, and the lines."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..workbook.layout import SUBITEMS
from ..workbook.layouts.erp_map import CONFIG, GUESS
from .registry import Context, Hit, check


def erp_reads(book: Any) -> list[Any]:
    """The Book's 多栏账 reads. Imported when a check runs, never when the checks are imported: the checks are
    imported on another thread while the reader registers the layouts (api._warm_up)."""
    from ..workbook.layouts.erp_layout import erp_reads as reads

    return reads(book)


def subitem_text(code: str) -> str:
    return f"{code} {SUBITEMS[code][1]}" if code in SUBITEMS else code


def _row_of(cell: str) -> int:
    return int("".join(ch for ch in cell if ch.isdigit()))


@check("F14")
def guessed_subitem(ctx: Context) -> Iterator[Hit]:
    """One hit per sub-account mapped by keyword or by no keyword at all, at its header cell in the first sheet
    that shows it (a sub-account in several project sheets is one guess); an erp_map entry is not a guess."""
    seen: dict[str, list[Any]] = {}
    for read in erp_reads(ctx.book):
        for use in read.uses:
            if use.mapping.source == CONFIG:
                continue
            first = seen.setdefault(use.account.label, [use, Decimal(0), 0])
            first[1] += use.amount
            first[2] += use.lines
    for use, amount, lines in seen.values():
        guessed = use.mapping.source == GUESS
        yield Hit(
            sheet=use.sheet,
            row=_row_of(use.account.header_cell),
            cell=use.account.header_cell,
            value=use.account.label,
            variant="guess" if guessed else "none",
            severity="info" if guessed else None,  # a keyword guess is a note; no keyword at all is the warning
            values={
                "account": use.account.label,
                "keyword": use.mapping.keyword or "",
                "subitem": subitem_text(use.mapping.subitem),
                "amount": amount,
                "lines": lines,
            },
        )


@check("F15")
def upper_bound(ctx: Context) -> Iterator[Hit]:
    """Once per workbook whose ledger has 多栏账 lines: the tax figures are computed on book amounts."""
    reads = [r for r in erp_reads(ctx.book) if r.lines]
    if not reads:
        return
    eligible = Decimal(0)
    for read in reads:
        for line in read.lines:
            amount = line.values.get("账载金额")
            if amount is not None and line.values.get("费用类别") != 8:
                eligible += amount
    yield Hit(values={"sheets": [r.sheet for r in reads], "amount": eligible})
