"""A JSON report (spec §6) shaped for the report page: verdict, counts, key figures to the fen, findings by pillar.

Values stay plain text here: the templates autoescape everything, and nothing from a workbook is marked safe.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import PILLARS, SEVERITIES, to_fen
from .i18n import words

FIGURES = (("a107012", "1", "a107012_1"), ("a107012", "40", "a107012_40"), ("a107012", "51", "a107012_51"),
           ("tax_saving", None, "tax_saving"), ("stats", "intramural", "intramural"),
           ("stats", "intramural_reported", "intramural_reported"))  # fmt: skip


def money(value: Any) -> str:
    """An amount as 1,234,567.89 (to the fen); a count as an integer; '—' when absent."""
    if value is None or isinstance(value, bool):
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{to_fen(amount):,.2f}"


def hint_of(finding: dict[str, Any]) -> str | None:
    """The finding's fix hint, under whichever key the report carries it."""
    for key in ("hint", "fix", "fix_hint"):
        value = finding.get(key)
        if value:
            return str(value)
    return None


def report_view(result: dict[str, Any], lang: str) -> dict[str, Any]:
    w = words(lang)
    status = str(result.get("status") or "error")
    view: dict[str, Any] = {
        "file": result.get("file"),
        "status": status,
        "verdict": w["status"].get(status, status),
        "error": result.get("error"),
        "sha256": result.get("sha256"),
        "version": result.get("rdcheck"),
    }
    if status == "error":
        return view
    enterprise = result.get("enterprise") or {}
    view["enterprise"] = {
        "name": enterprise.get("name"),
        "uscc": enterprise.get("uscc"),
        "year": enterprise.get("year"),
    }
    counts = result.get("counts") or {}
    view["counts"] = [(w["severity"][s], int(counts.get(s, 0)), s) for s in SEVERITIES]
    figures = []
    for section, key, label in FIGURES:
        data = result.get(section)
        value = data.get(key) if isinstance(data, dict) and key is not None else data
        if key == "intramural_reported" and value is None:
            continue
        shown = str(value) if key == "1" and value is not None else money(value)
        figures.append((w[label], shown))
    view["figures"] = figures
    groups = []
    findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
    for pillar in PILLARS:
        items = [_finding(f) for f in findings if f.get("pillar") == pillar]
        if items:
            groups.append({"pillar": pillar, "name": w["pillar"].get(pillar, pillar), "findings": items})
    view["groups"] = groups
    view["hints"] = any(f["hint"] for g in groups for f in g["findings"])  # the column shows when a finding has one
    view["total"] = len(findings)
    return view


def _finding(f: dict[str, Any]) -> dict[str, Any]:
    sheet, cell = f.get("sheet"), f.get("cell")
    where = f"{sheet}!{cell}" if sheet and cell else (sheet or cell or "")
    if not cell and sheet and f.get("row"):
        where = f"{sheet} 第 {f['row']} 行"
    return {
        "rule": f.get("rule"),
        "severity": f.get("severity"),
        "where": where,
        "message": f.get("message"),
        "hint": hint_of(f),
        "basis": f.get("basis"),
        "waived": bool(f.get("waived")),
        "reason": f.get("waiver") or f.get("waiver_reason"),
    }
