"""T10: R&D year on year, for one enterprise, from last year's figures stated in 企业信息 (issue 12).

The same screens as the bureau's ``rollup --previous`` (district/screening.py), on one workbook: a unit slip (this
year's R&D ×1000 or ×10000 last year's, or the reverse), and R&D growing far faster than revenue (or, without
revenue figures, R&D at least ``jump`` times last year's). Plausibility only: no clause sets these bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..workbook.layout import ENTERPRISE
from .common import dec, figure, key, unread_cells
from .registry import Context, Hit, check

ENT = ENTERPRISE.name
PREVIOUS_RD = "上年研究开发费用合计"
PREVIOUS_REVENUE = "上年营业收入"
SCALES = (1000, 10000)


def _positive(value: object) -> bool:
    return isinstance(value, Decimal) and value > 0


@check("T10")
def year_on_year(ctx: Context) -> Iterator[Hit]:
    last = key(ctx, PREVIOUS_RD)
    if not _positive(last):
        return
    reported = key(ctx, "统计研究开发费用合计")
    if _positive(reported):
        now, source = reported, "reported"
    else:
        if unread_cells(ctx):
            return  # the ledger's figure lacks the lines F04/F05 could not read
        now, source = figure(ctx, "stats", "7"), "ledger"
        if not _positive(now):
            return
    assert isinstance(now, Decimal) and isinstance(last, Decimal)
    minimum = dec(ctx.params.get("min_amount", 10000))
    if max(now, last) < minimum:
        return
    ratio = now / last
    values = {
        "now": now,
        "last": last,
        "growth": ratio - 1,
        "source": "报送数" if source == "reported" else "按辅助账计算",
    }
    tolerance = dec(ctx.params.get("scale_tolerance", Decimal("1.5")))
    for factor in SCALES:
        for r in (ratio, 1 / ratio):
            if factor / tolerance <= r <= factor * tolerance:
                yield Hit(sheet=ENT, column=PREVIOUS_RD, variant="scale", values={**values, "factor": factor})
                return
    revenue, last_revenue = key(ctx, "营业收入"), key(ctx, PREVIOUS_REVENUE)
    growth_min = dec(ctx.params.get("growth_min", Decimal("1.5")))
    if _positive(revenue) and _positive(last_revenue):
        revenue_ratio = revenue / last_revenue
        factor = dec(ctx.params.get("growth_factor", 3))
        if ratio >= growth_min and ratio >= factor * revenue_ratio:
            values.update(revenue_growth=revenue_ratio - 1, revenue=revenue, last_revenue=last_revenue)
            yield Hit(sheet=ENT, column=PREVIOUS_RD, variant="outpaces_revenue", values=values)
        return
    if ratio >= dec(ctx.params.get("jump", 3)):
        yield Hit(sheet=ENT, column=PREVIOUS_RD, variant="jump", values=values)
