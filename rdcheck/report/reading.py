"""What was read and what was not: the first line of a report, and why its figures may be incomplete."""

from __future__ import annotations

from typing import Any

from ..model import Report


def reading(report: Report) -> dict[str, Any] | None:
    """How the ledger was read: data rows, 合计 rows skipped, the cells left out of the figures (row, column, cell)."""
    book = report.book
    if book is None or not book.ledger.present:
        return None
    ledger = book.ledger
    unread = [(row, column, ledger.cell(column, row)) for row, column in book.unread_cells()]
    year = book.year
    dates = ledger.data["日期"] if "日期" in ledger.data.columns else []
    other_year = sum(1 for d in dates if year is not None and getattr(d, "year", year) != year)
    return {"rows": len(ledger.data), "totals": ledger.skipped_totals, "unread": unread, "other_year": other_year}


def read_line(report: Report, lang: str = "zh") -> str | None:
    """'读取辅助账 59 行，跳过合计行 1 行，2 个金额未能识别（未计入测算）'; None when there is no ledger."""
    got = reading(report)
    if got is None:
        return None
    if lang == "en":
        parts = [f"read {got['rows']} ledger lines"]
        if got["totals"]:
            parts.append(f"skipped {got['totals']} total row{'s' if got['totals'] > 1 else ''}")
        if got["other_year"]:
            parts.append(f"{got['other_year']} dated in another year (left out)")
        if got["unread"]:
            parts.append(f"{len(got['unread'])} value(s) could not be read (left out of the figures)")
        return ", ".join(parts)
    parts = [f"读取辅助账 {got['rows']} 行"]
    if got["totals"]:
        parts.append(f"跳过合计行 {got['totals']} 行")
    if got["other_year"]:
        parts.append(f"{got['other_year']} 行日期不在本年度（未计入）")
    if got["unread"]:
        parts.append(f"{len(got['unread'])} 个金额或类别未能识别（未计入测算）")
    return "，".join(parts)


def incomplete_line(report: Report, lang: str = "zh", shown: int = 5) -> str | None:
    """Why the computed figures are incomplete (the unread cells), or None when they are complete."""
    got = reading(report)
    if not got or not got["unread"]:
        return None
    cells = [cell or f"{column}{row}" for row, column, cell in got["unread"]]
    listed = " ".join(cells[:shown]) if lang == "zh" else ", ".join(cells[:shown])
    n = len(cells)
    if lang == "en":
        more = f" and {n - shown} more" if n > shown else ""
        return (
            f"Incomplete: {n} ledger cell(s) could not be read ({listed}{more}); their lines are left out of "
            "the figures below, and the rules comparing reported totals with them (C08, C09, C10, T02) are held "
            "back until they are corrected"
        )
    more = f" 等 {n} 处" if n > shown else ""
    return (
        f"测算不完整：辅助账明细 {listed}{more} 未能识别，这些行未计入以下测算；"
        "改正后重新检查，C08、C09、C10、T02 才会核对申报数"
    )
