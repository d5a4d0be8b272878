"""Publishable figures (`rollup … --publish`): rollup-public.json and rollup-public.xlsx for release.

No enterprise names or codes and no follow-up list. A region/industry/type cell is suppressed (primary) when it
holds fewer than MIN_ENTERPRISES enterprises, or when one enterprise holds more than DOMINANCE of any published
measure of it. Regions and industries each partition the district's enterprises, and the district total is
published, so one suppressed cell in a table could be recovered by subtraction: more cells are suppressed
(secondary, smallest first) until the suppressed cells of the table, taken together, pass both rules themselves —
what subtraction can recover is then only a sum that is itself safe to publish. The types (高新 / 科小 / 规上)
overlap, so no cell of theirs is the difference of published figures; they get the primary rule. The district's
own enterprise total obeys the same rules.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import json_value
from .industry import section_name
from .rollup import OTHER_TYPE, TYPES, Rollup, plain_number

MIN_ENTERPRISES = 3
DOMINANCE = Decimal("0.85")
MEASURES = ("reported", "potential", "basic_research")
PRIMARY_FEW, PRIMARY_DOMINANT, SECONDARY = "fewer_than_3", "dominant", "secondary"
REASON_NAMES = {
    "zh": {
        PRIMARY_FEW: "少于3家企业",
        PRIMARY_DOMINANT: "单家企业占比超过85%",
        SECONDARY: "次级抑制（防止由合计倒推）",
    },
    "en": {
        PRIMARY_FEW: "fewer than 3 enterprises",
        PRIMARY_DOMINANT: "one enterprise holds more than 85%",
        SECONDARY: "secondary (prevents recovery from the totals)",
    },
}
RULES_ZH = (
    "本表不含任何企业名称、统一社会信用代码或逐户数据，不含跟进名单。",
    f"主抑制：某区域/行业/企业类型的格子少于 {MIN_ENTERPRISES} 家企业，或其中一家企业占该格任一发布数值"
    f"（研发经费报送数、潜在数、基础研究）超过 {int(DOMINANCE * 100)}%，该格数值不予发布（显示为“—”）。",
    "次级抑制：区域表、行业表各自合计为全区数，若只抑制一格即可由合计倒推；因此按数值从小到大再抑制其他格，"
    "直到被抑制各格之和本身也满足以上两条规则。",
    "企业类型（高新、科小、规上）相互重叠，不能相减倒推，只做主抑制。",
    "全区企业合计同样适用上述规则；高等学校、科研机构等非企业执行部门的数据来自公开统计，照常发布。",
)
RULES_EN = (
    "No enterprise names, 统一社会信用代码 or per-enterprise figures; no follow-up list.",
    f"Primary: a region/industry/type cell with fewer than {MIN_ENTERPRISES} enterprises, or where one enterprise "
    f"holds more than {int(DOMINANCE * 100)}% of any published measure (reported, potential, basic research), "
    "is not published (shown as —).",
    "Secondary: the region and the industry tables each add up to the district total, so one suppressed cell could "
    "be recovered by subtraction; further cells, smallest first, are suppressed until the suppressed cells together "
    "pass both rules themselves.",
    "Types (高新, 科小, 规上) overlap and cannot be subtracted: primary suppression only.",
    "The district's enterprise total follows the same rules; non-enterprise performers come from public statistics.",
)


@dataclass
class Cell:
    key: str
    label: str
    members: list[dict[str, Any]]
    suppressed: str | None = None

    def total(self, measure: str) -> Decimal:
        return sum((e[measure] for e in self.members), Decimal(0))


def primary_reason(members: Sequence[dict[str, Any]]) -> str | None:
    """Why a group of enterprises may not be published on its own, or None when it may."""
    if len(members) < MIN_ENTERPRISES:
        return PRIMARY_FEW
    for measure in MEASURES:
        total = sum((e[measure] for e in members), Decimal(0))
        if total > 0 and max(e[measure] for e in members) > DOMINANCE * total:
            return PRIMARY_DOMINANT
    return None


def suppress_partition(cells: list[Cell]) -> None:
    """Primary, then secondary suppression over cells that partition a published total (in place)."""
    for c in cells:
        c.suppressed = primary_reason(c.members)
    hidden = [c for c in cells if c.suppressed and c.members]  # an empty cell hides nothing and reveals nothing
    if not hidden:
        return
    while primary_reason([e for c in hidden for e in c.members]) is not None:
        candidates = [c for c in cells if not c.suppressed and c.members]
        if not candidates:
            break  # everything is hidden already
        nxt = min(candidates, key=lambda c: (c.total("reported"), len(c.members), c.key))
        nxt.suppressed = SECONDARY
        hidden.append(nxt)
    if len(hidden) == 1:  # defensive: never leave a single recoverable cell
        rest = [c for c in cells if not c.suppressed and c.members]
        if rest:
            min(rest, key=lambda c: (c.total("reported"), c.key)).suppressed = SECONDARY


def _cell_json(c: Cell, name: str) -> dict[str, Any]:
    if c.suppressed:
        return {name: c.label, "enterprises": None, **dict.fromkeys(MEASURES), "suppressed": c.suppressed}
    return {
        name: c.label,
        "enterprises": len(c.members),
        **{m: json_value(c.total(m)) for m in MEASURES},
        "suppressed": None,
    }


def public_figures(result: Rollup) -> dict[str, Any]:
    """rollup-public.json: the district's figures with every disclosive cell suppressed."""
    counted = result.enterprises
    regions = [Cell(b.key, b.key, [e for e in counted if e["region"] == b.key]) for b in result.by_region]
    industries = [
        Cell(b.key, f"{b.key} {section_name(b.key) or ''}".strip(), [e for e in counted if e["section"] == b.key])
        for b in result.by_industry
    ]
    types = [
        Cell(key, key, [e for e in counted if (e[key] if key in TYPES else not any(e[t] for t in TYPES))])
        for key in (*TYPES, OTHER_TYPE)
    ]
    suppress_partition(regions)
    suppress_partition(industries)
    for c in types:
        c.suppressed = primary_reason(c.members)
    d = result.data
    whole = primary_reason(counted)
    rd = dict(d["rd_spending"])
    intensity = dict(d["intensity"])
    basic = dict(d["basic_research"])
    if whole:
        for key in ("enterprises_reported", "enterprises_potential", "reported", "potential", "gap"):
            rd[key] = None
        intensity["reported"] = intensity["potential"] = None
        basic["amount"] = basic["gap"] = None
    return {
        "district": d["district"],
        "year": d["year"],
        "gdp": d["gdp"],
        "enterprises": len(counted),
        "suppressed": whole,
        "rd_spending": rd,
        "intensity": intensity,
        "basic_research": basic,
        "by_region": [_cell_json(c, "region") for c in regions],
        "by_industry": [_cell_json(c, "industry") for c in industries],
        "by_type": [_cell_json(c, "type") for c in types],
        "rules": {
            "min_enterprises": MIN_ENTERPRISES,
            "dominance": plain_number(DOMINANCE),
            "zh": list(RULES_ZH),
            "en": list(RULES_EN),
        },
    }


TYPE_NAMES = {
    "high_tech": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "above_scale": "规模以上企业",
    "other": "其他企业",
}


def write_public_xlsx(public: dict[str, Any], out_path: str | os.PathLike[str], lang: str = "zh") -> None:
    """rollup-public.xlsx: 概览, one sheet per breakdown (suppressed cells shown as — with the reason), 发布规则."""
    import xlsxwriter

    en = lang == "en"
    wb = xlsxwriter.Workbook(str(out_path), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        yi = wb.add_format({"num_format": "#,##0.0000"})
        note = wb.add_format({"text_wrap": True, "valign": "top"})
        reasons = REASON_NAMES["en" if en else "zh"]
        unit = Decimal(100_000_000)

        def yi_value(ws: Any, r: int, c: int, value: Any) -> None:
            if value is None:
                ws.write_string(r, c, "—")
            else:
                ws.write_number(r, c, float(Decimal(str(value)) / unit), yi)

        ws = wb.add_worksheet("overview" if en else "概览")
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 18)
        title = f"{public['district']} {public['year']} " + ("R&D (public)" if en else "研发经费（公开版）")
        ws.write_string(0, 0, title, head)
        rows: list[tuple[str, str, Any, Callable[..., None] | None]] = [
            ("enterprises counted", "计入企业数", public["enterprises"], None),
            ("R&D reported (100m yuan)", "研发经费（报送，亿元）", public["rd_spending"]["reported"], yi_value),
            ("R&D potential (100m yuan)", "研发经费（潜在，亿元）", public["rd_spending"]["potential"], yi_value),
            ("target (100m yuan)", "目标（亿元）", public["rd_spending"]["target"], yi_value),
            ("intensity reported (%)", "研发投入强度（报送，%）", public["intensity"]["reported"], None),
            ("intensity target (%)", "强度目标（%）", public["intensity"]["target"], None),
            ("basic research (100m yuan)", "基础研究（亿元）", public["basic_research"]["amount"], yi_value),
        ]
        for r, (label_en, label_zh, value, writer) in enumerate(rows, start=1):
            ws.write_string(r, 0, label_en if en else label_zh)
            if writer is not None:
                writer(ws, r, 1, value)
            elif value is None:
                ws.write_string(r, 1, "—")
            else:
                ws.write_number(r, 1, float(value))
        breakdowns = (
            ("by_region", "region", "regions" if en else "按区域", "region" if en else "区域"),
            ("by_industry", "industry", "industries" if en else "按行业", "industry" if en else "行业门类"),
            ("by_type", "type", "types" if en else "按企业类型", "type" if en else "企业类型"),
        )
        for key, name, title, first in breakdowns:
            ws = wb.add_worksheet(title)
            heads = [first] + (
                ["enterprises", "reported (100m)", "potential (100m)", "basic research (100m)", "suppressed"]
                if en
                else ["企业数", "报送（亿元）", "潜在（亿元）", "基础研究（亿元）", "抑制说明"]
            )
            for c, h in enumerate(heads):
                ws.write_string(0, c, h, head)
                ws.set_column(c, c, 16 if c else 28)
            for r, row in enumerate(public[key], start=1):
                label = str(row[name])
                ws.write_string(r, 0, TYPE_NAMES.get(label, label) if key == "by_type" and not en else label)
                if row["enterprises"] is None:
                    ws.write_string(r, 1, "—")
                else:
                    ws.write_number(r, 1, row["enterprises"])
                for c, m in enumerate(MEASURES, start=2):
                    yi_value(ws, r, c, row[m])
                if row["suppressed"]:
                    ws.write_string(r, 5, reasons[row["suppressed"]])
            ws.freeze_panes(1, 1)
        ws = wb.add_worksheet("rules" if en else "发布规则")
        ws.set_column(0, 0, 110)
        ws.write_string(0, 0, "Disclosure rules" if en else "发布规则（统计数据保密）", head)
        for r, text in enumerate(public["rules"]["en" if en else "zh"], start=1):
            ws.write_string(r, 0, text, note)
        for sheet in wb.worksheets():
            sheet.set_landscape()
            sheet.set_paper(9)
            sheet.fit_to_pages(1, 0)
            sheet.set_footer("&C" + ("Rules on the last sheet" if en else "发布规则见“发布规则”工作表"))
    finally:
        wb.close()


__all__ = [
    "DOMINANCE",
    "MIN_ENTERPRISES",
    "primary_reason",
    "public_figures",
    "suppress_partition",
    "write_public_xlsx",
]
