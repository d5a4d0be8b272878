"""F: the file itself — sheets, columns, keys, cell types and values (spec §3, F01-F10)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd

from ..schema import validate_book
from ..workbook.layout import (
    CATEGORIES,
    CATEGORY_CHOICES,
    DATE,
    ENTERPRISE,
    LEDGER,
    SHEETS,
    SUBITEM_CATEGORY,
    SUBITEMS,
    choices_of,
)
from .common import REPEAT_KEYS, ZERO, given, ledger, ledger_columns, repeated_lines, tax_year
from .nearest import nearest
from .registry import Context, Hit, check

ENT = ENTERPRISE.name
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(f"^[{USCC_CHARS}]{{18}}$")


@check("F01")
def required_sheet_missing(ctx: Context) -> Iterator[Hit]:
    book = ctx.book
    made = book.foreign.synthesised if book.foreign is not None else set()
    for layout in SHEETS:
        if not layout.required or layout.name in made:  # made from foreign layouts: F12 says what they lack
            continue
        present = book.enterprise.present if layout.name == ENT else book.tables[layout.name].present
        if not present:
            yield Hit(sheet=layout.name, values={"names": [layout.name, layout.alias, *layout.aliases]})


@check("F02")
def required_column_missing(ctx: Context) -> Iterator[Hit]:
    book = ctx.book
    if book.enterprise.present:
        for name in book.enterprise.missing:
            yield Hit(sheet=ENT, column=name, variant="key")
    for table in book.tables.values():
        if table.present:
            for name in table.missing:
                yield Hit(sheet=table.name, column=name, variant="column")


def _schema_hits(ctx: Context, rule: str) -> Iterator[Hit]:
    for f in ctx.cached("schema", lambda: validate_book(ctx.book, ledger_columns(ctx))):
        if f.rule == rule:
            yield Hit(sheet=f.sheet, row=f.row, column=f.column, value=f.value, variant=f.check)


def _key_hits(ctx: Context, rule: str) -> Iterator[Hit]:
    ent = ctx.book.enterprise
    if not ent.present:
        return
    for f in ENTERPRISE.fields:
        if f.name not in ent.rows:
            continue
        bad = ent.invalid.get(f.name)
        if rule == "F03" and f.required and bad is None and ent.values.get(f.name) is None:
            yield Hit(sheet=ENT, column=f.name)
        elif bad is not None and RULE_OF_REASON.get(bad.reason) == rule:
            variant = ("date" if f.kind == DATE else "number") if rule == "F04" else "choice"
            yield Hit(sheet=ENT, column=f.name, value=bad.raw, variant=variant)


RULE_OF_REASON = {"type": "F04", "choice": "F05"}


@check("F03")
def required_cell_empty(ctx: Context) -> Iterator[Hit]:
    yield from _key_hits(ctx, "F03")
    yield from _schema_hits(ctx, "F03")


@check("F04")
def wrong_type(ctx: Context) -> Iterator[Hit]:
    yield from _key_hits(ctx, "F04")
    for hit in _schema_hits(ctx, "F04"):
        kind = ctx.book.tables[hit.sheet].layout.field(hit.column).kind
        variant = "date" if kind == DATE else "number"
        yield Hit(sheet=hit.sheet, row=hit.row, column=hit.column, value=hit.value, variant=variant)


@check("F05")
def not_allowed(ctx: Context) -> Iterator[Hit]:
    """A value outside its list, with the allowed values and the nearest one for the fix hint."""
    for hit in (*_key_hits(ctx, "F05"), *_schema_hits(ctx, "F05")):
        if hit.variant == "subitem_category":
            code = ctx.book.ledger.data.at[hit.row, "明细项目"] if hit.row is not None else None
            cat = SUBITEM_CATEGORY.get(code) if isinstance(code, str) else None
            values = {"suggestion": CATEGORY_CHOICES[cat - 1]} if cat else {}
            yield Hit(hit.sheet, hit.row, hit.column, hit.value, values, hit.variant, hint=None if cat else "choice")
            continue
        layout = ENTERPRISE if hit.sheet == ENT else ctx.book.tables[hit.sheet].layout
        allowed = choices_of(layout.field(hit.column))
        near = nearest(hit.value, allowed)
        values = {"allowed": list(allowed), "suggestion": near}
        yield Hit(hit.sheet, hit.row, hit.column, hit.value, values, "choice", hint="choice_near" if near else None)
    yield from _noted_hits(ctx)


def _noted_hits(ctx: Context) -> Iterator[Hit]:
    """A code read while the name typed after it is not the official one: a warning, the line counts by its code.

    A sub-item whose code is not of the line's 费用类别 is left to the ``subitem_category`` error instead."""
    for table in ctx.book.tables.values():
        for column, typed in table.noted.items():
            for row, got in typed.items():
                if column == "明细项目":
                    cat = table.data.at[row, "费用类别"] if "费用类别" in table.data.columns else None
                    if isinstance(cat, int) and SUBITEM_CATEGORY.get(got.value) != cat:
                        continue
                    official = SUBITEMS[got.value][1]
                else:
                    official = CATEGORIES[got.value][0]
                values = {"code": str(got.value), "name": got.name, "official": official}
                yield Hit(table.name, row, column, got.raw, values, "noted", severity="warning")


def uscc_valid(code: str) -> bool:
    """Check an 18-character unified social credit code and its check digit (GB 32100-2015)."""
    if not _USCC.match(code):
        return False
    weighted = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - weighted % 31) % 31] == code[17]


@check("F06")
def uscc_invalid(ctx: Context) -> Iterator[Hit]:
    code = ctx.book.enterprise.values.get("统一社会信用代码")
    if code is None:
        return
    text = str(code).strip().upper()
    if not uscc_valid(text):
        yield Hit(sheet=ENT, column="统一社会信用代码", value=code)


@check("F07")
def date_outside_year(ctx: Context) -> Iterator[Hit]:
    year = tax_year(ctx)
    if year is None or not ctx.book.ledger.present:
        return
    when = ledger(ctx)["when"]
    outside = when.notna() & (when.dt.year != year)
    for row in when.index[outside]:
        yield Hit(sheet=LEDGER.name, row=int(row), column="日期", values={"year": year})


@check("F08")
def bad_amount(ctx: Context) -> Iterator[Hit]:
    table = ctx.book.ledger
    if not table.present or table.data.empty:
        return
    data = table.data
    pattern = str(ctx.params.get("reversal_pattern") or "")
    places = int(ctx.params.get("decimals", 2))
    unit = Decimal(1).scaleb(-places)
    for column in ("账载金额", "可加计金额"):
        if not table.has(column):
            continue
        amounts = data[column]
        present = given(ctx, column)  # an amount column holds Decimals or None
        if not present.any():
            continue
        fine = amounts[present]
        too_precise = pd.Series(_too_precise(fine.tolist(), places, unit), index=fine.index, dtype=bool)
        values = fine.to_numpy(dtype=object)
        zero = ZERO if set(map(type, values)) <= {Decimal} else 0  # a Decimal against a Decimal: the quick compare
        negative = pd.Series(np.less(values, zero).astype(bool), index=fine.index)
        if negative.any() and pattern:
            summary = data.loc[negative[negative].index, "摘要"].map(lambda v: v if isinstance(v, str) else "")
            negative[summary.index] = ~summary.str.contains(pattern, regex=True).astype(bool)
        for row in fine.index[too_precise]:
            exact = f"{fine[row]:,f}"  # every decimal shown: rounding to the fen would hide the fault
            values = {"decimals": places, "exact": exact}
            yield Hit(sheet=LEDGER.name, row=int(row), column=column, variant="decimals", values=values)
        for row in fine.index[negative & ~too_precise]:
            values = {"amount": fine[row]}
            yield Hit(sheet=LEDGER.name, row=int(row), column=column, variant="negative", values=values)


def _too_precise(amounts: list[Decimal], places: int, unit: Decimal) -> list[bool]:
    """Which amounts have more than ``places`` decimals that are not trailing zeros (1.500 is fine).

    The digits after the point of a Decimal's plain text are its exponent; only amounts with more of them than
    ``places`` (or written with an exponent, 1E-7) are quantized to be sure."""
    out = []
    for v in amounts:
        text = str(v)
        point = text.find(".")
        maybe = ("E" in text) or (point >= 0 and len(text) - point - 1 > places)
        out.append(maybe and v.as_tuple().exponent < -places and v != v.quantize(unit))
    return out


@check("F09")
def duplicate_line(ctx: Context) -> Iterator[Hit]:
    table = ctx.book.ledger
    if not table.present or table.data.empty:
        return
    data = table.data
    repeated = repeated_lines(ctx)
    if not repeated.any():
        return
    frame = data[REPEAT_KEYS]
    group = frame.groupby(REPEAT_KEYS, dropna=False, sort=False).ngroup()
    first = pd.Series(frame.index, index=frame.index).groupby(group).transform("min")
    for row in data.index[repeated]:
        yield Hit(sheet=LEDGER.name, row=int(row), column="凭证号", values={"first": int(first[row])})


@check("F10")
def year_out_of_range(ctx: Context) -> Iterator[Hit]:
    year = ctx.book.year
    if year is None:
        return
    low = int(ctx.params.get("min_year", 2021))
    today = dt.date.today().year
    if year < low:
        yield Hit(sheet=ENT, column="所属年度", variant="early", values={"min_year": low})
    elif year > today:
        yield Hit(sheet=ENT, column="所属年度", variant="future", values={"this_year": today})
