"""Waivers: the bureau accepted an enterprise's explanation for a rule (`rdcheck waive`).

A waiver names an enterprise (统一社会信用代码) and a rule, optionally a year and one cell (`SHEET!A1`). A finding
it matches stays in every output, marked `"waived": true` with the reason, and no longer counts towards the
status. Waivers are data kept in the register (rdcheck.district.register); this module only matches and applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .plan import normalise_uscc

_CELL = re.compile(r"^\s*(?P<sheet>.+?)\s*!\s*\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>[0-9]{1,7})\s*$")


@dataclass(frozen=True)
class Waiver:
    """One accepted explanation. `sheet`/`cell` are None for a waiver of the rule anywhere in the workbook."""

    uscc: str
    rule: str
    reason: str
    year: int | None = None
    sheet: str | None = None
    cell: str | None = None
    id: int | None = None
    created: str | None = None

    def matches(self, uscc: Any, year: Any, rule: Any, sheet: Any, cell: Any) -> bool:
        if normalise_uscc(uscc) != self.uscc or str(rule or "").upper() != self.rule:
            return False
        if self.year is not None and year != self.year:
            return False
        if self.cell is not None:
            return str(sheet or "").strip() == self.sheet and str(cell or "").upper() == self.cell
        return True

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else ""


def parse_cell(text: str | None) -> tuple[str | None, str | None]:
    """`辅助账明细!C186` → ("辅助账明细", "C186"); None → (None, None); anything else is a ConfigError."""
    if text is None or not str(text).strip():
        return None, None
    m = _CELL.match(str(text))
    if not m:
        raise ConfigError(
            f"单元格须写成 工作表!A1，例如 辅助账明细!C186，实际为 {text!r}",
            f"a cell is written SHEET!A1, e.g. 辅助账明细!C186; got {text!r}",
        )
    return m["sheet"], f"{m['col'].upper()}{int(m['row'])}"


def make_waiver(uscc: str, rule: str, reason: str, year: int | None = None, cell: str | None = None) -> Waiver:
    """Validate what `rdcheck waive` was given and return the Waiver (not yet stored)."""
    code = normalise_uscc(uscc)
    if not code:
        raise ConfigError("缺少统一社会信用代码", "the 统一社会信用代码 is missing")
    rule_id = str(rule or "").strip().upper()
    if not re.fullmatch(r"[A-Z][0-9]{2}", rule_id):
        raise ConfigError(f"规则编号须形如 B03，实际为 {rule!r}", f"a rule id looks like B03; got {rule!r}")
    text = " ".join(str(reason or "").split())
    if not text:
        raise ConfigError("豁免须写明理由（--reason）", "a waiver needs a reason (--reason)")
    if year is not None and not 2000 <= int(year) <= 2100:
        raise ConfigError(f"年度须为 2000-2100，实际为 {year}", f"the year must be 2000-2100; got {year}")
    sheet, at = parse_cell(cell)
    return Waiver(uscc=code, rule=rule_id, reason=text, year=year, sheet=sheet, cell=at)


def for_enterprise(waivers: Iterable[Waiver], uscc: Any) -> list[Waiver]:
    code = normalise_uscc(uscc)
    return [w for w in waivers if w.uscc == code]


def fingerprint(waivers: Iterable[Waiver]) -> str:
    """What decides whether a stored result is still right: the ids of the waivers that could apply."""
    return ",".join(str(w.id) for w in sorted(waivers, key=lambda w: w.id or 0))


def _first(waivers: Sequence[Waiver], uscc: Any, year: Any, rule: Any, sheet: Any, cell: Any) -> Waiver | None:
    for w in waivers:
        if w.matches(uscc, year, rule, sheet, cell):
            return w
    return None


def apply_to_report(report: Any, waivers: Sequence[Waiver]) -> int:
    """Mark the findings of a Report that a waiver matches; return how many. The status follows (model.Report)."""
    ent = report.enterprise or {}
    n = 0
    for f in report.findings:
        w = _first(waivers, ent.get("uscc"), ent.get("year"), f.rule, f.sheet, f.cell)
        f.waived = None if w is None else w.reason
        n += w is not None
    return n


def apply_to_result(result: dict[str, Any], waivers: Sequence[Waiver]) -> int:
    """The same on a §6 JSON dict (a result kept in the register): marks, then recounts and re-derives the status."""
    if result.get("status") not in ("pass", "warn", "fail"):
        return 0
    ent = result.get("enterprise") or {}
    counts = {"error": 0, "warning": 0, "info": 0}
    n = 0
    for f in result.get("findings") or []:
        if not isinstance(f, dict):
            continue
        w = _first(waivers, ent.get("uscc"), ent.get("year"), f.get("rule"), f.get("sheet"), f.get("cell"))
        f.pop("waived", None)
        f.pop("waiver", None)
        if w is not None:
            f["waived"], f["waiver"] = True, w.reason
            n += 1
        elif f.get("severity") in counts:
            counts[f["severity"]] += 1
    result["counts"] = counts
    result["status"] = "fail" if counts["error"] else "warn" if counts["warning"] else "pass"
    return n


def check_with_waivers(waivers: Sequence[Waiver], path: str, config: Any, lang: str) -> Any:
    """rdcheck.api.check, then the waivers: the batch's workers call this (picklable through functools.partial)."""
    from ..api import check

    report = check(path, config, lang)
    apply_to_report(report, waivers)
    return report
