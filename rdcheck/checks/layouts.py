"""Foreign layouts (layouts.md): which layout each sheet was read as (F11), what they lack (F12), tie-outs (B13)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..workbook.layouts.assemble import STANDARD
from .common import dec
from .registry import Context, Hit, check


@check("F11")
def layout_read_as(ctx: Context) -> Iterator[Hit]:
    foreign = ctx.book.foreign
    if foreign is None:
        return
    lines = {r.sheet: len(r.lines) for r in foreign.reads}
    for use in foreign.sheets:
        count = lines.get(use.sheet, len(ctx.book.ledger) if use.layout == STANDARD and use.kind == "辅助账明细" else 0)
        yield Hit(sheet=use.sheet, values={"layout": use.label.get("zh"), "lines": count}, variant=None)


@check("F12")
def not_carried(ctx: Context) -> Iterator[Hit]:
    foreign = ctx.book.foreign
    if foreign is None or not foreign.not_carried:
        return
    missing = "；".join(f"{sheet}（{'、'.join(columns)}）" for sheet, columns in foreign.not_carried.items())
    yield Hit(values={"missing": missing, "rules": sorted(foreign.skipped) or ["—"]})


@check("B13")
def sheet_does_not_tie(ctx: Context) -> Iterator[Hit]:
    foreign = ctx.book.foreign
    if foreign is None:
        return
    tolerance = dec(ctx.params.get("tolerance", Decimal(0)))
    for sheet, tie in foreign.ties:
        if abs(tie.shown - tie.read) <= tolerance and tie.kind != "book":
            continue
        yield Hit(
            sheet=sheet,
            row=tie.row,
            cell=tie.cell,
            variant=tie.kind,
            value=tie.shown,
            values={"shown": tie.shown, "read": tie.read, "header": tie.column},
        )
