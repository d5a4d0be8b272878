"""The statistical caliber: 107-2 lines 7-19 from the ledger's book amounts, and the intramural estimate (spec §4.2)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from ..workbook import Book
from .labels import STATS_LINES
from .lines import ZERO, dsum, dsum_by

# 受托方类型 → 107-2 line (15 境内研究机构, 16 境内高等学校, 17 境内企业, 18 境外机构).
CONTRACTOR_LINES = {
    "境内研究机构": "15",
    "境内高等学校": "16",
    "境内企业": "17",
    "境内个人": "17",
    "境外机构": "18",
    "境外个人": "18",
}
# A category-7 line without a readable 受托方类型 (B09 reports it) goes by its sub-item.
SUBITEM_CONTRACTOR_LINES = {"7.1": "17", "7.2": "18", "7.3": "18"}
# 企业信息 keys of the reported 107-2 lines (in yuan after reading) and of line 20.
REPORTED_KEYS = {"7": "统计研究开发费用合计", "14": "统计委托外部研究开发费用", "10": "统计折旧费用与长期待摊费用"}
FIXED_ASSETS_KEY = "当年形成研发固定资产"


def stats_lines(lines: pd.DataFrame) -> dict[str, Decimal]:
    """Return 107-2 lines "7".."19" (yuan) from the 账载金额 of the counted ledger lines."""
    by_cat = dsum_by(lines, "category", "book")
    by_sub = dsum_by(lines, "subitem", "book")

    def cat(n: int) -> Decimal:
        return by_cat.get(n, ZERO)

    def sub(*codes: str) -> Decimal:
        return sum((by_sub.get(c, ZERO) for c in codes), ZERO)

    s = dict.fromkeys(STATS_LINES, ZERO)
    s["8"] = cat(1)
    s["9"] = cat(2)
    s["10"] = cat(3) + sub("8.1")
    s["11"] = cat(4)
    # a category-5 line without a sub-item (2021 official ledger) is taken as design (设计费用), line 12
    unsplit5 = dsum(lines.loc[(lines["category"] == 5) & lines["subitem"].isna(), "book"]) if len(lines) else ZERO
    s["12"] = sub("5.1", "5.2") + unsplit5
    s["13"] = sub("5.3", "5.4")
    s["14"] = cat(7)
    s["19"] = cat(6) + sub("8.2")
    commissioned = lines[lines["category"] == 7]
    if not commissioned.empty:
        target = commissioned["contractor_type"].map(CONTRACTOR_LINES)
        target = target.where(target.notna(), commissioned["subitem"].map(SUBITEM_CONTRACTOR_LINES))
        for line, total in dsum_by(commissioned.assign(target=target), "target", "book").items():
            s[line] += total
    s["7"] = sum((s[n] for n in ("8", "9", "10", "11", "12", "13", "14", "19")), ZERO)
    return s


def intramural(lines_by_key: Mapping[str, Decimal], formula: Mapping[str, Any]) -> Decimal:
    """Apply the intramural formula (Σ plus − Σ minus, floored) to 107-2 lines given by key ("20" = fixed assets)."""
    value = sum((lines_by_key.get(k, ZERO) for k in formula["plus"]), ZERO)
    value -= sum((lines_by_key.get(k, ZERO) for k in formula["minus"]), ZERO)
    floor = formula.get("floor")
    return value if floor is None else max(floor, value)


def formula_text(formula: Mapping[str, Any], lang: str = "zh") -> str:
    """Show the intramural formula in words, e.g. 第7行 + 第20行 − 第14行 − 第10行."""
    line = "第{}行" if lang == "zh" else "line {}"
    text = " + ".join(line.format(k) for k in formula["plus"])
    text += "".join(" − " + line.format(k) for k in formula["minus"])
    if formula.get("floor") is not None:
        text += f"，不低于{formula['floor']}" if lang == "zh" else f", at least {formula['floor']}"
    return text


def compute_stats(book: Book, lines: pd.DataFrame, formula: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """Return the `stats` object: lines "7".."19", intramural (ledger), intramural_reported, basic_research."""
    values = book.enterprise.values
    s: dict[str, Decimal | None] = dict(stats_lines(lines))
    fixed_assets = values.get(FIXED_ASSETS_KEY)
    fixed_assets = fixed_assets if isinstance(fixed_assets, Decimal) else ZERO
    ledger = {**{k: v for k, v in s.items() if v is not None}, "20": fixed_assets}
    s["intramural"] = intramural(ledger, formula)

    reported_7 = values.get(REPORTED_KEYS["7"])
    if isinstance(reported_7, Decimal):
        reported = dict(ledger)
        for line, key in REPORTED_KEYS.items():
            value = values.get(key)
            # A reported line 14 or 10 that is empty is taken from the ledger (spec §4.2).
            if isinstance(value, Decimal):
                reported[line] = value
        s["intramural_reported"] = intramural(reported, formula)
    else:
        s["intramural_reported"] = None

    projects = book.projects.data
    basic: set[Any] = set()
    if not projects.empty:
        basic = set(projects.loc[projects["研究类型"] == "基础研究", "项目编号"].dropna())
    s["basic_research"] = dsum(lines.loc[lines["project"].isin(basic), "book"]) if basic else ZERO
    return s
