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
    counts = {r.sheet: len(r.summary) if r.summary_edition else len(r.lines) for r in foreign.reads}
    for use in foreign.sheets:
        variant = "standard" if use.layout == STANDARD else ("summary" if use.kind == "summary" else "ledger")
        count = len(ctx.book.ledger) if use.kind == "辅助账明细" else counts.get(use.sheet, 0)
        yield Hit(
            sheet=use.sheet,
            values={"layout": use.label["zh"], "layout_en": use.label["en"], "lines": count},
            variant=variant,
        )


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


# official 汇总表 column code → the computed 2021 汇总表's column (compute.labels.SUMMARY2021_COLUMNS)
_COMPUTED = dict(
    zip(("total", "1", "2", "3", "4", "5", "6", "7.1", "7.2", "8.1", "8.2", "8.3", "8.4"), range(4, 17), strict=True)
)
PRE_LIMIT = ("1", "2", "3", "4", "5", "6", "7.1", "8.1", "8.3")
POST_LIMIT = ("7.2", "8.2", "8.4", "total")


@check("B14")
def official_summary(ctx: Context) -> Iterator[Hit]:
    foreign = ctx.book.foreign
    if foreign is None or not foreign.summaries:
        return
    from ..compute.labels import SUMMARY2021_COLUMNS

    tolerance = dec(ctx.params.get("tolerance", Decimal(1)))
    year = ctx.book.year
    computed: dict[tuple[object, str], dict] = {}
    for row in getattr(ctx.calc, "summary2021", None) or []:
        computed[(row["项目编号"], row["支出类型"])] = row
    finished = _finished(ctx)
    for sheet, edition, rows in foreign.summaries:
        if edition == "2015":
            if year is not None and year >= 2021:
                yield Hit(sheet=sheet, variant="old_limit", severity="warning", values={"year": year})
            yield from _summary_2015(ctx, sheet, rows, tolerance)
            continue
        seen: set[tuple[object, str]] = set()
        for srow in rows:
            key = (srow.project, srow.expense or "费用化")
            seen.add(key)
            mine = computed.get(key)
            for code in (*PRE_LIMIT, *POST_LIMIT):
                if code not in srow.amounts:
                    continue
                shown = srow.amounts[code]
                if shown is None and mine is None:
                    continue
                got = dec(mine[SUMMARY2021_COLUMNS[_COMPUTED[code]]]) if mine else Decimal(0)
                if abs(dec(shown) - got) > tolerance:
                    yield Hit(
                        sheet=sheet,
                        row=srow.row,
                        cell=srow.cells.get(code),
                        variant="post" if code in POST_LIMIT else "pre",
                        value=shown,
                        values={
                            "project": srow.project,
                            "expense": key[1],
                            "header": srow.labels.get(code, code),
                            "shown": dec(shown),
                            "ledger": got,
                        },
                    )
        for key, mine in computed.items():
            if key in seen or (key[1] == "资本化" and key[0] not in finished):
                continue  # a capitalised project enters the 汇总表 in the year its intangible forms (28号 三)
            pre = sum((dec(mine[SUMMARY2021_COLUMNS[_COMPUTED[c]]]) for c in ("6", "7.1", "8.1", "8.3")), Decimal(0))
            if pre:
                yield Hit(
                    sheet=sheet,
                    variant="missing_row",
                    values={"project": key[0], "expense": key[1], "ledger": pre, "header": "", "shown": Decimal(0)},
                )


def _finished(ctx: Context) -> set[object]:
    data = ctx.book.projects.data
    if data.empty:
        return set()
    return set(data.loc[data["项目状态"] == "已完成", "项目编号"])


def _summary_2015(ctx: Context, sheet: str, rows: list, tolerance: Decimal) -> Iterator[Hit]:
    """附件5: each sub-item cell (and 8 第1至5类费用合计) against the ledgers' eligible amounts, per project and 支出类型."""
    lines = getattr(ctx.calc, "lines", None)
    if lines is None:
        return
    sums: dict[tuple[object, str, str], Decimal] = {}
    for pid, cap, sub, cat, e in zip(
        lines["project"], lines["capitalised"], lines["subitem"], lines["category"], lines["eligible"], strict=True
    ):
        expense = "资本化" if cap else "费用化"
        for code in {sub or str(cat), str(cat)} | ({"8"} if cat <= 5 else set()):
            sums[(pid, expense, code)] = sums.get((pid, expense, code), Decimal(0)) + dec(e)
    for srow in rows:
        for code, shown in srow.amounts.items():
            if not (code == "8" or code[0] in "123456" and (len(code) == 1 or code[1] == ".")):
                continue
            got = sums.get((srow.project, srow.expense or "费用化", code), Decimal(0))
            if abs(dec(shown) - got) > tolerance:
                yield Hit(
                    sheet=sheet,
                    row=srow.row,
                    cell=srow.cells.get(code),
                    variant="pre",
                    value=shown,
                    values={
                        "project": srow.project,
                        "expense": srow.expense or "费用化",
                        "header": srow.labels.get(code, code),
                        "shown": dec(shown),
                        "ledger": got,
                    },
                )
