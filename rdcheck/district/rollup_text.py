"""The rollup's terminal summary: targets vs actuals (reported and potential), gaps, submissions, follow-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..text import display_width

YI = Decimal(100_000_000)
WAN = Decimal(10_000)
FOLLOW_UP_SHOWN = 10

_WORDS = {
    "zh": {
        "title": "{district} {year} 年研发投入汇总（地区生产总值 {gdp} 亿元）",
        "head": ("指标", "目标", "报送", "潜在(应统尽统)", "差距(目标−报送)"),
        "rd": "全区研发支出(亿元)",
        "enterprises": "  其中企业(亿元)",
        "others": "  其中其他执行单位(亿元)",
        "intensity": "研发投入强度(%)",
        "points": " 个百分点",
        "basic": "基础研究(亿元)",
        "submissions": "报送 {total} 份：计入 {counted}，无法检查 {error}，辅助账无法读取 {unread}，已被替代 {superseded}，"
        "未计入 {excluded}（其他年度 {other_year}，因不通过剔除 {failed}）",
        "unread_reported": "辅助账无法读取的报送另有统计报送数 {amount} 亿元，未计入上表",
        "counts": "高新技术企业 {high_tech} 家，科技型中小企业 {tech_sme} 家，规模以上企业 {above_scale} 家",
        "verdict": "结论：",
        "met": "{name}已达标",
        "unmet": "{name}未达标",
        "names": ("研发支出", "强度", "基础研究"),
        "follow": "需跟进 {n} 家（按涉及金额排序，前 {shown}）：",
        "unreadable": "无法检查的文件 {n} 个（见 summary.xlsx 或 rollup.xlsx 的跟进名单）",
        "amount": "{amount} 万元",
        "warning": "注意：",
        "sep": "，",
        "reasons": {
            "T01": "T01 漏统（有研发支出未报统计）",
            "T02": "T02 少统（统计报送数偏低）",
            "fail": "校验不通过",
            "未报送": "未报送",
            "unread": "辅助账无法读取（未计入，不按 0 计）",
            "error": "文件无法检查",
        },
    },
    "en": {
        "title": "{district} {year}: R&D rollup (GDP {gdp_bn} billion yuan)",
        "head": ("figure", "target", "reported", "potential", "gap (target - reported)"),
        "rd": "R&D spending (100M yuan)",
        "enterprises": "  of which enterprises",
        "others": "  of which other performers",
        "intensity": "R&D intensity (%)",
        "points": " points",
        "basic": "basic research (100M yuan)",
        "submissions": "{total} submissions: {counted} counted, {error} unreadable, {unread} with an unreadable "
        "ledger, {superseded} superseded, {excluded} excluded ({other_year} another year, {failed} failing)",
        "unread_reported": "submissions with an unreadable ledger reported {amount} × 100M yuan to statistics besides: "
        "not in the table above",
        "counts": "{high_tech} high-tech enterprises, {tech_sme} tech SMEs, {above_scale} above designated size",
        "verdict": "Verdict: ",
        "met": "{name} met",
        "unmet": "{name} not met",
        "names": ("R&D spending", "intensity", "basic research"),
        "follow": "{n} enterprises to follow up (largest amount at stake first, top {shown}):",
        "unreadable": "{n} file(s) could not be checked (see summary.xlsx or rollup.xlsx)",
        "amount": "{amount_m} million yuan",
        "warning": "warning: ",
        "sep": ", ",
        "reasons": {
            "T01": "T01 not reported to statistics",
            "T02": "T02 under-reported to statistics",
            "fail": "fails validation",
            "未报送": "not submitted (未报送)",
            "unread": "ledger could not be read (left out, not counted as 0)",
            "error": "file cannot be checked",
        },
    },
}


def _yi(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)) / YI:,.4f}"


def _pp(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.4f}"


def _pad(text: str, width: int, left: bool = False) -> str:
    space = " " * (width - display_width(text))
    return text + space if left else space + text


def reason_text(reasons: list[str], lang: str = "zh") -> str:
    """The follow-up reasons in words."""
    from .screening import REASONS

    words = _WORDS["en" if lang == "en" else "zh"]
    screened = {k: v[1] if lang == "en" else v[0] for k, v in REASONS.items()}
    return words["sep"].join(words["reasons"].get(r) or screened.get(r, r) for r in reasons)


def note_text(follow_up: Any, lang: str = "zh") -> str:
    """What a follow-up row adds to its reason: the other years a 未报送 enterprise submitted, a file's error,
    the figures side by side of a screening warning (rollup --previous)."""
    figures = getattr(follow_up, "figures", None)
    if figures:
        return ("：" + "；".join(figures)) if lang != "en" else (": " + "; ".join(figures))
    if follow_up.years:
        years = "、".join(str(y) for y in follow_up.years)
        return f"（仅报送了 {years} 年度）" if lang != "en" else f" (submitted {years} only)"
    if follow_up.note:
        return f"：{follow_up.note}" if lang != "en" else f": {follow_up.note}"
    return ""


def _plain_number(value: Decimal) -> str:
    """77.6, 10, 1,234.5: thousands separated, no trailing zeros."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def render(result: Any, lang: str = "zh") -> str:
    """Return the terminal summary of a rdcheck.district.rollup.Rollup."""
    w = _WORDS["en" if lang == "en" else "zh"]
    d, x = result.to_dict(), result.extra
    rd, it, br, sub = d["rd_spending"], d["intensity"], d["basic_research"], d["submissions"]
    rows = [
        w["head"],
        (w["rd"], _yi(rd["target"]), _yi(rd["reported"]), _yi(rd["potential"]), _yi(rd["gap"])),
        (w["enterprises"], "", _yi(rd["enterprises_reported"]), _yi(rd["enterprises_potential"]), ""),
        (w["others"], "", _yi(rd["other_performers"]), _yi(rd["other_performers"]), ""),
        (w["intensity"], _pp(it["target"]), _pp(it["reported"]), _pp(it["potential"]),
         _pp(x["intensity_gap"]) + (w["points"] if x["intensity_gap"] is not None else "")),
        (w["basic"], _yi(br["target"]), _yi(br["amount"]), _yi(br["amount"]), _yi(br["gap"])),
    ]  # fmt: skip
    widths = [max(display_width(r[i]) for r in rows) for i in range(5)]
    gdp_bn = _plain_number(Decimal(str(d["gdp"])) / 10) if d.get("gdp") is not None else "—"
    lines = [w["title"].format(district=d["district"], year=d["year"], gdp=d["gdp"], gdp_bn=gdp_bn), ""]
    for r in rows:
        cells = [_pad(r[0], widths[0], left=True)] + [_pad(r[i], widths[i]) for i in range(1, 5)]
        lines.append("  ".join(cells).rstrip())

    # spending and basic research are targets to reach (≥); intensity must exceed its target (>)
    verdicts = []
    for name, gap, strict in zip(
        w["names"], (rd["gap"], x["intensity_gap"], br["gap"]), (False, True, False), strict=True
    ):
        if gap is not None:
            met = gap < 0 if strict else gap <= 0
            verdicts.append((w["met"] if met else w["unmet"]).format(name=name))
    total = sum(sub.values())
    lines += [
        "",
        w["submissions"].format(total=total, other_year=x["excluded_other_year"], failed=x["excluded_failed"], **sub),
        w["counts"].format(above_scale=x["above_scale"], **d["counts"]),
    ]
    if x.get("unread_reported"):
        lines.insert(-1, w["unread_reported"].format(amount=_yi(x["unread_reported"])))
    if verdicts:
        lines.append(w["verdict"] + w["sep"].join(verdicts))
    follow = [f for f in result.follow_up if f.reasons != ["error"]]
    unreadable = len(result.follow_up) - len(follow)
    if follow:
        lines += ["", w["follow"].format(n=len(follow), shown=min(FOLLOW_UP_SHOWN, len(follow)))]
        for f in follow[:FOLLOW_UP_SHOWN]:
            who = f.name or f.uscc or f.file or ""
            shown = (
                {"amount": f"{f.amount / WAN:,.2f}", "amount_m": f"{f.amount / WAN / 100:,.2f}"}
                if f.amount is not None
                else {}
            )
            amount = "" if f.amount is None else "  " + w["amount"].format(**shown)
            note = note_text(f, lang)
            lines.append(f"  {who}  {reason_text(f.reasons, lang)}{note}{amount}")
    if unreadable:
        lines += ["", w["unreadable"].format(n=unreadable)]
    return "\n".join(lines)


__all__ = ["note_text", "reason_text", "render"]
