"""What the season adds to a rollup: the scorecard (district.yaml `plan:`), year on year and the screening warnings
(`--previous`), as rollup.json keys, rollup.xlsx sheets and terminal lines. The figures themselves come from
rdcheck.district.scorecard and rdcheck.district.screening; this module only puts them in place and shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..text import display_width
from .plan import YI
from .rollup import Rollup
from .scorecard import NONE, PARTIAL, scorecard
from .screening import REASONS, add_warnings, load_previous, screen, year_on_year

MEASURABLE = {
    "zh": {"full": "可测算", "partial": "部分可测（下限）", "none": "辅助账无法测算"},
    "en": {"full": "measured", "partial": "partly (a lower bound)", "none": "not measurable from ledgers"},
}


def apply_season(figures: Rollup, previous: str | None = None, lang: str = "zh") -> int:
    """Add `scorecard` (when district.yaml has a plan) and, with previous, `year_on_year` and the screening
    warnings to the rollup; return how many warnings. Raises ConfigError for an unusable previous."""
    if figures.district.plan:
        figures.data["scorecard"] = scorecard(figures, lang)
    if previous is None:
        return 0
    prev = load_previous(previous, figures.district)
    figures.data["year_on_year"] = year_on_year(figures, prev)
    warnings = screen(figures, prev, figures.district.screening, lang)
    add_warnings(figures, warnings, lang)
    return len(warnings)


def _yi(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)) / YI:,.4f}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c + " " * (w - display_width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]  # fmt: skip


def render(figures: Rollup, lang: str = "zh") -> str:
    """Terminal lines for the scorecard, year on year and the screening warnings ('' when there are none)."""
    en = lang == "en"
    d = figures.data
    lines: list[str] = []
    card = d.get("scorecard")
    if card:
        lines += ["", "Scorecard (district plan)" if en else "规划目标对照"]
        head = ["target", "goal", "from submissions", "enterprises", "how far"] if en else [
            "目标", "目标值", "据报送测算", "涉及企业", "能否测算"]  # fmt: skip
        rows = [head] + [
            [f"{r['name']}（{r['unit']}）" if r["unit"] else r["name"], str(r["target"]),
             "—" if r["measured"] is None else str(r["measured"]), str(r["enterprises"]) if r["measurable"] != NONE
             else "—", MEASURABLE["en" if en else "zh"][r["measurable"]]]
            for r in card
        ]  # fmt: skip
        lines += _table(rows)
        missing = [r["name"] for r in card if r["measurable"] == NONE]
        if missing:
            lines.append(("Not measurable from the ledgers: " if en else "辅助账无法测算的目标：") + "、".join(missing))
        if any(r["measurable"] == PARTIAL for r in card):
            lines.append(
                "partly: counted over the enterprises that submitted a ledger (a lower bound)"
                if en
                else "部分可测：只计报送辅助账的企业，是下限"
            )
    yoy = d.get("year_on_year")
    if yoy:
        growth = yoy["district"]["growth"]
        lines += [
            "",
            (f"Year on year (against {yoy['previous_year']}, {yoy['source']}): R&D reported "
             f"{_yi(yoy['district']['previous'])} → {_yi(yoy['district']['reported'])} 100m yuan"
             if en else
             f"同比（对比 {yoy['previous_year']} 年，来自 {yoy['source']}）：研发经费报送数 "
             f"{_yi(yoy['district']['previous'])} → {_yi(yoy['district']['reported'])} 亿元")
            + ("" if growth is None else f"（{growth:+.2f}%）"),
        ]  # fmt: skip
        screened = [f for f in figures.follow_up if any(r in REASONS for r in f.reasons)]
        if screened:
            lines.append(
                f"screening: {len(screened)} enterprise(s) to look at"
                if en
                else f"合理性筛查：{len(screened)} 家企业需核实"
            )
            for f in screened:
                lines.append(f"  {f.name or f.uscc}  {('; ' if en else '；').join(f.figures)}")
    return "\n".join(lines)


def write_season_sheets(wb: Any, header: Any, d: dict[str, Any], lang: str = "zh") -> None:
    """rollup.xlsx: 目标对照 (the scorecard) and 同比 (year on year), when the rollup has them."""
    from .rollup_words import words

    w = words(lang)
    card = d.get("scorecard")
    if card:
        ws = wb.add_worksheet(w("目标对照"))
        heads = ["目标", "单位", "目标值", "据报送测算", "差距", "涉及企业数", "能否测算", "说明"]
        for c, (text, width) in enumerate(zip(heads, (30, 8, 12, 14, 12, 12, 18, 50), strict=True)):
            ws.write_string(0, c, w(text), header)
            ws.set_column(c, c, width)
        for r, row in enumerate(card, start=1):
            ws.write_string(r, 0, str(row["name"]))
            ws.write_string(r, 1, str(row["unit"]))
            for c, key in ((2, "target"), (3, "measured"), (4, "gap")):
                if row[key] is not None:
                    ws.write_number(r, c, float(row[key]))
            if row["measurable"] != NONE:
                ws.write_number(r, 5, row["enterprises"])
            ws.write_string(r, 6, MEASURABLE["en" if lang == "en" else "zh"][row["measurable"]])
            ws.write_string(r, 7, str(row["note"]))
        ws.freeze_panes(1, 1)
    yoy = d.get("year_on_year")
    if yoy:
        ws = wb.add_worksheet(w("同比"))
        heads = ["范围", "名称", "年报送（亿元）", "本年报送（亿元）", "增长（%）"]
        for c, (text, width) in enumerate(zip(heads, (10, 24, 18, 16, 10), strict=True)):
            ws.write_string(0, c, f"{yoy['previous_year']} {w(text)}" if c == 2 else w(text), header)
            ws.set_column(c, c, width)
        rows = [(w("全区"), d["district"], yoy["district"])]
        rows += [(w("区域"), r["region"], r) for r in yoy["by_region"]]
        rows += [(w("行业"), r["industry"], r) for r in yoy["by_industry"]]
        for r, (scope, name, row) in enumerate(rows, start=1):
            ws.write_string(r, 0, scope)
            ws.write_string(r, 1, str(name))
            for c, key in ((2, "previous"), (3, "reported")):
                if row[key] is not None:
                    ws.write_number(r, c, float(Decimal(str(row[key])) / YI))
            if row["growth"] is not None:
                ws.write_number(r, 4, float(row["growth"]))
        ws.freeze_panes(1, 2)


__all__ = ["apply_season", "render", "write_season_sheets"]
