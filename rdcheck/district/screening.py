"""Year on year and plausibility (`rollup … --previous PREV`): growth, and warnings with the figures side by side.

PREV is last year's rollup.json (district and per region/industry growth only), a batch's results.jsonl or the
season's register (then also per enterprise). Per enterprise, three screens, each a warning on the follow-up list
and never a correction:
- scale_jump: R&D ×1000 or ×10000 against last year, or the reported statistics ×1000/×10000 against the ledger
  (the classic 元/千元/万元 slip);
- rd_outpaces_revenue: R&D grew far faster than revenue;
- intensity_outlier: R&D / revenue far from the enterprise's industry (median ± k·MAD, robust to the outliers).
Parameters: district.yaml `screening:` (see SCREENING_DEFAULTS).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from statistics import median
from typing import Any

from ..errors import ConfigError
from ..model import json_value
from .plan import District
from .rollup import FollowUp, Rollup, plain_number, rollup

SCREENING_DEFAULTS: dict[str, Decimal] = {
    "scale_tolerance": Decimal("1.5"),  # a ratio within ×/÷1.5 of 1000 or 10000 is a unit slip
    "growth_factor": Decimal(3),  # R&D growth (this/last) at least this many times the revenue growth …
    "growth_min": Decimal("1.5"),  # … and R&D at least ×1.5
    "mad_k": Decimal("3.5"),  # intensity outside median ± k · 1.4826 · MAD within the industry
    "min_group": Decimal(5),  # industries with fewer enterprises giving revenue are not screened
    "min_amount": Decimal(10_000),  # figures below this (yuan) are too small to judge
}
SCALE_FACTORS = (1000, 10000)
REASONS = {
    "scale_jump": ("量级异常（疑似元/千元/万元填错）", "scale jump (yuan / thousand yuan / 10k yuan slip?)"),
    "rd_outpaces_revenue": ("研发增速远超营业收入增速", "R&D grew far faster than revenue"),
    "intensity_outlier": ("研发强度在同行业中异常", "R&D intensity an outlier in its industry"),
}


@dataclasses.dataclass
class Previous:
    year: int
    data: dict[str, Any]  # rollup.json's keys (district total, by_region, by_industry)
    enterprises: dict[str, dict[str, Any]] | None  # key (统一社会信用代码) → rollup row; None from a rollup.json
    source: str


def screening_params(raw: Any, path: str = "district.yaml") -> dict[str, Decimal]:
    params = dict(SCREENING_DEFAULTS)
    if raw is None:
        return params
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: screening 须为映射", f"{path}: screening must be a mapping")
    for key, value in raw.items():
        if key not in params:
            raise ConfigError(
                f"{path}: screening.{key}：未知的键；可用的键：{', '.join(params)}",
                f"{path}: screening.{key}: unknown key; known keys: {', '.join(params)}",
            )
        try:
            number = Decimal(str(value))
        except Exception:
            number = Decimal(-1)
        if isinstance(value, bool) or not number.is_finite() or number <= 0:
            raise ConfigError(
                f"{path}: screening.{key}：须为正数，实际为 {value!r}",
                f"{path}: screening.{key}: must be a positive number, got {value!r}",
            )
        params[key] = number
    return params


def load_previous(path: str | Path, district: District) -> Previous:
    """Last year's figures from a rollup.json, a results.jsonl or a register (.sqlite)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"找不到上年数据：{p}", f"previous year's figures not found: {p}")
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"SQLite format 3"):
        from .register import Register

        year = district.year - 1
        with Register.open(p, create=False) as reg:
            reports = [reg.report(s["id"]) for s in reg.latest() if s["year"] == year]
        return _from_reports([r for r in reports if r], district, year, "register")
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        from .results import read_results_jsonl

        return _from_reports(read_results_jsonl(p), district, district.year - 1, "results")
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{p} 不是 rollup.json：{exc}", f"{p} is not a rollup.json: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rd_spending"), dict) or "year" not in data:
        raise ConfigError(
            f"{p} 不是 rollup.json（缺少 year、rd_spending）", f"{p} is not a rollup.json (no year, rd_spending)"
        )
    return Previous(int(data["year"]), data, None, "rollup.json")


def _from_reports(reports: Sequence[dict[str, Any]], district: District, year: int, source: str) -> Previous:
    last = rollup(reports, dataclasses.replace(district, year=year))
    return Previous(year, last.data, {e["key"]: e for e in last.enterprises if e["key"]}, source)


def _growth(now: Any, then: Any) -> int | float | None:
    if now is None or then is None:
        return None
    a, b = Decimal(str(now)), Decimal(str(then))
    return None if b == 0 else plain_number(((a / b - 1) * 100).quantize(Decimal("0.01")))


def year_on_year(result: Rollup, prev: Previous) -> dict[str, Any]:
    """rollup.json's `year_on_year`: the district's and each region's and industry's reported R&D, both years."""
    d = result.data
    out: dict[str, Any] = {"previous_year": prev.year, "source": prev.source}
    now, then = d["rd_spending"]["reported"], prev.data["rd_spending"].get("reported")
    out["district"] = {"reported": now, "previous": then, "growth": _growth(now, then)}
    for key, name in (("by_region", "region"), ("by_industry", "industry")):
        before = {row.get(name): row.get("reported") for row in prev.data.get(key) or [] if isinstance(row, dict)}
        out[key] = [
            {name: row[name], "reported": row["reported"], "previous": before.get(row[name]),
             "growth": _growth(row["reported"], before.get(row[name]))}
            for row in d[key]
        ]  # fmt: skip
    return out


def _amount(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except Exception:
        return None
    return d if d.is_finite() else None


def _near(ratio: Decimal, factor: int, tolerance: Decimal) -> bool:
    return factor / tolerance <= ratio <= factor * tolerance


def _scale(ratio: Decimal, tolerance: Decimal) -> int | None:
    """±1000 or ±10000 when the ratio is one of them (within the tolerance), else None."""
    for f in SCALE_FACTORS:
        if _near(ratio, f, tolerance):
            return f
        if ratio > 0 and _near(1 / ratio, f, tolerance):
            return -f
    return None


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{json_value(value):,.2f}"


def screen(
    result: Rollup, prev: Previous | None, params: dict[str, Decimal], lang: str = "zh"
) -> list[tuple[dict[str, Any], str, str]]:
    """Return (enterprise row, reason, figures side by side in lang) for every warning; never changes a figure."""
    en = lang == "en"
    out: list[tuple[dict[str, Any], str, str]] = []
    tol, floor = params["scale_tolerance"], params["min_amount"]
    last = (prev.enterprises or {}) if prev is not None else {}
    for e in result.enterprises:
        rd, reported = e["intramural"], e["intramural_reported"]
        if rd is not None and reported is not None and min(rd, reported) > 0 and max(rd, reported) >= floor:
            f = _scale(reported / rd, tol)
            if f is not None:
                head = "reported" if en else "报送"
                out.append((e, "scale_jump", f"{head} {_money(reported)} / {'ledger' if en else '辅助账'} "
                            f"{_money(rd)} ≈ ×{abs(f)}" + ("" if f > 0 else "⁻¹")))  # fmt: skip
        before = last.get(e["key"])
        if before is None:
            continue
        now_rd, then_rd = e["potential"], before["potential"]
        if now_rd > 0 and then_rd > 0 and max(now_rd, then_rd) >= floor:
            f = _scale(now_rd / then_rd, tol)
            if f is not None:
                now, then = ("this year", "last year") if en else ("本年", "上年")
                text = f"{now} {_money(now_rd)} / {then} {_money(then_rd)} ≈ ×{abs(f)}" + ("" if f > 0 else "⁻¹")
                out.append((e, "scale_jump", text))
                continue
        rev_now, rev_then = _amount(e.get("revenue")), _amount(before.get("revenue"))
        if rev_now and rev_then and rev_now > 0 and rev_then > 0 and then_rd > 0 and now_rd >= floor:
            g_rd, g_rev = now_rd / then_rd, rev_now / rev_then
            if g_rd >= params["growth_min"] and g_rd >= params["growth_factor"] * g_rev:
                if en:
                    text = (f"R&D {_money(then_rd)} → {_money(now_rd)} (×{g_rd:.2f}); "
                            f"revenue {_money(rev_then)} → {_money(rev_now)} (×{g_rev:.2f})")  # fmt: skip
                else:
                    text = (f"研发 {_money(then_rd)} → {_money(now_rd)}（×{g_rd:.2f}）；"
                            f"营业收入 {_money(rev_then)} → {_money(rev_now)}（×{g_rev:.2f}）")  # fmt: skip
                out.append((e, "rd_outpaces_revenue", text))
    out += _intensity_outliers(result.enterprises, params, lang)
    return out


def _intensity_outliers(
    enterprises: Sequence[dict[str, Any]], params: dict[str, Decimal], lang: str = "zh"
) -> list[tuple[dict[str, Any], str, str]]:
    groups: dict[str, list[tuple[dict[str, Any], Decimal]]] = {}
    for e in enterprises:
        revenue = _amount(e.get("revenue"))
        if revenue and revenue > 0:
            groups.setdefault(e["section"], []).append((e, e["potential"] / revenue * 100))
    out = []
    for members in groups.values():
        if len(members) < int(params["min_group"]):
            continue
        values = [x for _, x in members]
        m = median(values)
        mad = median(abs(x - m) for x in values)
        if mad == 0:
            continue
        limit = params["mad_k"] * Decimal("1.4826") * mad
        for e, x in members:
            if abs(x - m) > limit:
                low, high = f"{max(m - limit, 0):.2f}%", f"{m + limit:.2f}%"
                if lang == "en":
                    text = f"R&D intensity {x:.2f}%, industry median {m:.2f}%, accepted range {low}–{high}"
                else:
                    text = f"研发强度 {x:.2f}%，同行业中位数 {m:.2f}%，允许范围 {low}–{high}"
                out.append((e, "intensity_outlier", text))
    return out


def add_warnings(result: Rollup, warnings: list[tuple[dict[str, Any], str, str]], lang: str = "zh") -> None:
    """Put the warnings on the follow-up list: onto the enterprise's row when it has one, else a new row
    (the reason's words in lang, like the texts screen() gave)."""
    rows = {f.uscc: f for f in result.follow_up if f.uscc}
    for e, reason, text in warnings:
        row = rows.get(e["uscc"])
        if row is None:
            row = FollowUp(e["uscc"], e["name"], [], None, region=e["region"], file=e["file"])
            rows[e["uscc"]] = row
            result.follow_up.append(row)
        if reason not in row.reasons:
            row.reasons.append(reason)
        words = REASONS[reason]
        row.figures.append(f"{words[1]}: {text}" if lang == "en" else f"{words[0]}：{text}")
    result.data["follow_up"] = [f.to_json() for f in result.follow_up if f.reasons != ["error"]]


__all__ = [
    "Previous",
    "SCREENING_DEFAULTS",
    "add_warnings",
    "load_previous",
    "screen",
    "screening_params",
    "year_on_year",
]
