"""Submissions whose ledger was not read (issue 10 point 8, spec §5 v0.2): never counted as R&D 0.

A checked workbook whose ledger sheet or a required ledger column is missing (F01/F02 on 辅助账明细), or one of
whose ledger sheets does not tie out to its own totals, has ledger figures that are not the enterprise's. The
rollup keeps it out of every ledger-based figure, counts it as ``unread`` and ranks it on the follow-up list by
what it may hold, read from outside the ledger. Works on the JSON report alone, like the rest of the rollup.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..model import decimal_or_none

LEDGER_SHEET = "辅助账明细"
# Findings that mean the ledger was not read (spec §5 v0.2, issue 10 point 8): a missing ledger sheet or
# required ledger column, wherever they point; a sheet that does not tie out to its own totals (any sheet).
LEDGER_UNREAD_RULES = {"F01": LEDGER_SHEET, "F02": LEDGER_SHEET}
TIE_OUT_RULES = frozenset({"B13"})  # a ledger sheet that does not tie out: its figures are withheld
# what an unread submission may hold, from figures read outside its ledger: reconciliation rows of these calibers
# carry 利润表研发费用 (会计) and the reported 107-2 line 7 (统计)
HOLDING_CALIBERS = ("会计", "统计")


def unread_reason(result: dict[str, Any]) -> str | None:
    """Why a checked submission's ledger was not read (its first such finding, rule id and message), or None.

    F01/F02 on the ledger sheet (the sheet or a required column is missing) or a tie-out rule on any sheet: the
    ledger's figures are then not the enterprise's, and must not enter the district's totals as if they were.
    """
    for f in result.get("findings") or []:
        if not isinstance(f, dict):
            continue
        rule = str(f.get("rule"))
        if (rule in LEDGER_UNREAD_RULES and LEDGER_UNREAD_RULES[rule] == f.get("sheet")) or rule in TIE_OUT_RULES:
            where = f.get("cell") or f.get("sheet") or ""
            message = str(f.get("message") or "").strip()
            return " ".join(part for part in (rule, str(where), message) if part)
    return None


def holding(result: dict[str, Any]) -> Decimal | None:
    """What an unread submission may hold: the largest R&D figure it reports outside its ledger, or None.

    Its reported intramural figure, its reported 107-2 line 7 and its 利润表研发费用 (both from the reconciliation
    rows): the ledger, not read, says nothing.
    """
    stats = result.get("stats") or {}
    figures = [decimal_or_none(stats.get("intramural_reported"))]
    for row in result.get("reconciliation") or []:
        if isinstance(row, dict) and row.get("caliber") in HOLDING_CALIBERS:
            figures.append(decimal_or_none(row.get("reported")))
    known = [f for f in figures if f is not None]
    return max(known) if known else None


__all__ = ["LEDGER_UNREAD_RULES", "TIE_OUT_RULES", "holding", "unread_reason"]
