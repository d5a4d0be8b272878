"""The bureau pages' data: the follow-up list and the rollup (from rdcheck.district.rollup), its bar charts as
plain SVG numbers (drawn by the template, autoescaped), and the rounds' rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..district.industry import SECTION_NAMES
from ..district.rollup import rollup
from ..district.rollup_text import note_text, reason_text
from .view import money

YI = Decimal(100_000_000)
SUBMISSIONS = {
    "zh": {"counted": "计入", "error": "无法检查", "unread": "辅助账无法读取", "superseded": "已被替代", "excluded": "未计入"},
    "en": {"counted": "counted", "error": "unreadable", "unread": "ledger unreadable", "superseded": "superseded",
           "excluded": "excluded"},
}  # fmt: skip


def _percent(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.2f}"


def _section(code: str, lang: str) -> str:
    names = SECTION_NAMES.get(code)
    return f"{code} {names[1 if lang == 'en' else 0]}" if names else code


def _follow_without_district(results: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Without district.yaml: every submission that failed or could not be read, errors first."""
    rows = []
    for r in results:
        status = r.get("status")
        if status not in ("fail", "error"):
            continue
        enterprise = r.get("enterprise") or {}
        rules = sorted({str(f.get("rule")) for f in r.get("findings") or [] if f.get("severity") == "error"})
        reason = ("、" if lang == "zh" else ", ").join(rules) if rules else (r.get("error") or status)
        rows.append(
            {"uscc": enterprise.get("uscc"), "name": enterprise.get("name") or r.get("file"),
             "reason": reason, "amount": "—", "region": enterprise.get("region"), "file": r.get("file")}
        )  # fmt: skip
    return sorted(rows, key=lambda row: (row["reason"] != "error", str(row["uscc"] or "")))


def follow_up_rows(results: list[dict[str, Any]], district: Any, roster: Any, lang: str) -> list[dict[str, Any]]:
    if district is None:
        return _follow_without_district(results, lang)
    figures = rollup(results, district, roster=roster)
    return [
        {
            "uscc": f.uscc,
            "name": f.name or f.file,
            "reason": reason_text(f.reasons, lang) + note_text(f, lang),
            "amount": money(f.amount),
            "region": f.region,
            "file": f.file,
        }
        for f in figures.follow_up
    ]


def _bars(rows: list[tuple[str, Decimal, Decimal]]) -> dict[str, Any]:
    """Two bars per row (reported, potential), scaled to the largest; widths in percent of the plot."""
    top = max([max(a, b) for _, a, b in rows] + [Decimal(1)])
    return {
        "rows": [
            {"label": label, "a": float(a / top * 100), "b": float(b / top * 100), "a_text": _yi(a), "b_text": _yi(b)}
            for label, a, b in rows
        ],
        "height": 34 * len(rows) + 10,
    }


def _yi(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount / YI:,.4f}"


def rollup_view(results: list[dict[str, Any]], district: Any, roster: Any, lang: str) -> dict[str, Any] | None:
    if district is None:
        return None
    figures = rollup(results, district, roster=roster)
    data = figures.to_dict()
    rd = data["rd_spending"]
    money_rows = [
        ("reported", rd.get("reported")), ("potential", rd.get("potential")), ("target", rd.get("target")),
        ("gap", rd.get("gap")),
    ]  # fmt: skip
    return {
        "district": data.get("district"),
        "year": data.get("year"),
        "submissions": [(SUBMISSIONS[lang].get(k, k), n) for k, n in (data.get("submissions") or {}).items()],
        "rd": [(k, _yi(None if v is None else Decimal(str(v)))) for k, v in money_rows],
        "intensity": {k: _percent(v) for k, v in (data.get("intensity") or {}).items()},
        "regions": _bars([(b.key, b.reported, b.potential) for b in figures.by_region]),
        "industries": _bars([(_section(b.key, lang), b.reported, b.potential) for b in figures.by_industry]),
        "warnings": figures.warnings(lang),
        "follow": len(figures.follow_up),
    }


def round_rows(rounds: list[Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for rnd in rounds:
        counts: dict[str, int] = {}
        for r in rnd.results:
            counts[str(r.get("status"))] = counts.get(str(r.get("status")), 0) + 1
        when = dt.datetime.fromtimestamp(rnd.created).strftime("%Y-%m-%d %H:%M")
        rows.append({"rnd": rnd, "when": when, "counts": counts})
    return rows
