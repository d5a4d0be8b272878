"""The district plan's scorecard: each target of district.yaml against what the submissions can tell.

The plan (e.g. 2024年全区科技创新工作要点) sets targets the ledgers speak to — R&D spending, intensity, basic
research (rollup's own figures), 有效期内高新技术企业, 科技型中小企业, 重点企业研发人员, 技术合同成交额 — and targets
they cannot measure at all (高新技术产业产值占比, 外国专家, 新招引科技项目). Each row says which: `full` (the rollup's
figure, with the other performers of district.yaml), `partial` (counted over the enterprises that submitted a ledger,
a lower bound, with how many gave the figure) or `none` (the ledgers carry nothing about it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import json_value
from .plan import YI
from .rollup import Rollup, plain_number

FULL, PARTIAL, NONE = "full", "partial", "none"


@dataclass(frozen=True)
class PlanTarget:
    key: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    measurable: str
    scale: Decimal = Decimal(1)  # district.yaml's unit → the unit the figure is computed in


# district.yaml `plan:` keys (the rd_spending, intensity and basic_research targets stay under `targets:`)
PLAN_TARGETS = (
    PlanTarget("high_tech", "有效期内高新技术企业", "high-tech enterprises (valid certificate)", "家", "", PARTIAL),
    PlanTarget("tech_sme", "科技型中小企业", "tech-based SMEs", "家", "", PARTIAL),
    PlanTarget("rd_staff", "重点企业研发人员", "R&D staff of key enterprises", "人", "people", PARTIAL),
    PlanTarget("tech_contracts", "技术合同成交额", "technology contract turnover", "亿元", "100m yuan", PARTIAL, YI),
    PlanTarget("high_tech_output_share", "高新技术产业产值占规上工业总产值比重", "high-tech share of industrial output",
               "%", "%", NONE),
    PlanTarget("foreign_experts", "外国专家来华工作人数", "foreign experts", "人", "people", NONE),
    PlanTarget("new_projects", "新招引科技项目数", "new science and technology projects", "个", "", NONE),
    PlanTarget("rd_institutions", "新建企业研发机构", "new enterprise R&D institutions", "家", "", PARTIAL),
)  # fmt: skip
PLAN_KEYS = tuple(t.key for t in PLAN_TARGETS)
INSTITUTION_LEVELS = ("市级", "省级", "国家级")

NOTES = {
    PARTIAL: (
        "只计报送辅助账的企业，是下限；{n} 家企业提供了此项",
        "counted over the enterprises that submitted a ledger, a lower bound; {n} gave it",
    ),
    NONE: ("辅助账不含此项，无法据报送测算", "the ledgers carry nothing about this: not measurable from submissions"),
}


def _sum(rows: list[dict[str, Any]], key: str) -> tuple[Decimal | None, int]:
    """The sum over the enterprises that give the figure, and how many do (None when none does)."""
    values = [Decimal(str(e[key])) for e in rows if isinstance(e.get(key), (int, float, Decimal, str)) and e[key] != ""]
    return (sum(values, Decimal(0)) if values else None), len(values)


def _round(value: Decimal, places: str) -> int | float | None:
    return plain_number(value.quantize(Decimal(places)))


def _measure(key: str, counted: list[dict[str, Any]]) -> tuple[Decimal | None, int]:
    if key in ("high_tech", "tech_sme"):
        return Decimal(sum(1 for e in counted if e[key])), len(counted)
    if key == "rd_staff":
        return _sum(counted, "rd_staff")
    if key == "tech_contracts":
        total, n = _sum(counted, "tech_contracts")
        return total, n
    if key == "rd_institutions":
        given = [e for e in counted if e.get("rd_institution") not in (None, "")]
        if not given:
            return None, 0
        return Decimal(sum(1 for e in given if e["rd_institution"] in INSTITUTION_LEVELS)), len(given)
    return None, 0


def _row(key: str, zh: str, en: str, unit: tuple[str, str], target: Any, measured: Any, n: int, how: str, lang: str):
    return {
        "key": key,
        "name": en if lang == "en" else zh,
        "unit": unit[1] if lang == "en" else unit[0],
        "target": target,
        "measured": measured,
        "enterprises": n,
        "measurable": how,
        "note": (NOTES[how][1] if lang == "en" else NOTES[how][0]).format(n=n) if how in NOTES else "",
    }


def scorecard(result: Rollup, lang: str = "zh") -> list[dict[str, Any]]:
    """One row per target the district has: what the plan wants, what the submissions show, how far they can tell."""
    d, district = result.data, result.district
    n = len(result.enterprises)
    rows = []
    if district.target_rd_spending is not None:
        rows.append(_row("rd_spending", "全社会研发经费支出", "R&D spending", ("亿元", "100m yuan"),
                         plain_number(district.target_rd_spending / YI),
                         _round(Decimal(str(d["rd_spending"]["reported"])) / YI, "0.0001"), n, FULL, lang))  # fmt: skip
    if district.target_intensity is not None:
        rows.append(_row("intensity", "研发投入强度", "R&D intensity", ("%", "%"), plain_number(district.target_intensity),
                         _round(Decimal(str(d["intensity"]["reported"])), "0.01"), n, FULL, lang))  # fmt: skip
    if district.target_basic_research is not None:
        rows.append(_row("basic_research", "基础研究经费", "basic research", ("亿元", "100m yuan"),
                         plain_number(district.target_basic_research / YI),
                         _round(Decimal(str(d["basic_research"]["amount"])) / YI, "0.0001"), n, FULL, lang))  # fmt: skip
    for target in PLAN_TARGETS:
        goal = district.plan.get(target.key)
        if goal is None:
            continue
        measured, count = _measure(target.key, result.enterprises)
        shown = None if measured is None else _round(measured / target.scale, "0.0001")
        rows.append(_row(target.key, target.zh, target.en, (target.unit_zh, target.unit_en), plain_number(goal),
                         shown, count, target.measurable, lang))  # fmt: skip
    for row in rows:
        if row["measured"] is not None and row["target"] is not None:
            row["gap"] = json_value(Decimal(str(row["target"])) - Decimal(str(row["measured"])))
        else:
            row["gap"] = None
    return rows


def unmeasurable(rows: list[dict[str, Any]]) -> list[str]:
    return [r["name"] for r in rows if r["measurable"] == NONE]


__all__ = ["FULL", "NONE", "PARTIAL", "PLAN_KEYS", "PLAN_TARGETS", "scorecard", "unmeasurable"]
