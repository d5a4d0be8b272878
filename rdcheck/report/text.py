"""Render a Report as text for a terminal: findings by pillar, a computed summary, one closing line."""

from __future__ import annotations

import re
from typing import Any

import click

from ..model import PILLARS, SEVERITIES, Finding, Report, decimal_or_none, to_fen
from ..text import display_width
from .i18n import PILLAR, SEVERITY, STATUS, lang_of, t
from .reading import incomplete_line, read_line

# Canonical sheets in workbook order; findings about the workbook itself (sheet None) come first.
SHEET_ORDER = ("企业信息", "研发项目", "辅助账明细", "汇总表", "研发人员", "研发设备")
_CELL_LETTERS = re.compile(r"^\$?([A-Z]{1,3})")
COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def finding_order(f: Finding) -> tuple[Any, ...]:
    """Sort key: sheet (workbook order), then row, then column (by its cell's letters), then rule."""
    if f.sheet is None:
        sheet_rank = -1
    elif f.sheet in SHEET_ORDER:
        sheet_rank = SHEET_ORDER.index(f.sheet)
    else:
        sheet_rank = len(SHEET_ORDER)
    letters = _CELL_LETTERS.match(f.cell or "")
    col = letters.group(1) if letters else ""
    return (sheet_rank, f.sheet or "", f.row if f.row is not None else -1, len(col), col, f.column or "", f.rule)


def location(f: Finding, lang: str = "zh") -> str:
    """Where a finding points, as `sheet!cell`, `sheet` or the workbook."""
    if f.sheet is None:
        return t("workbook", lang)
    if f.cell:
        return f"{f.sheet}!{f.cell}"
    if f.row is not None:
        return f"{f.sheet}!{f.row}"
    if f.column:
        return f"{f.sheet}[{f.column}]"
    return f.sheet


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def money(value: Any) -> str:
    """An amount in yuan with thousands separators and two decimals; '—' when absent."""
    d = decimal_or_none(value)
    return "—" if d is None else f"{to_fen(d):,.2f}"


def _style(text: str, color: bool, **kwargs: Any) -> str:
    return click.style(text, **kwargs) if color else text


def _heading(report: Report, lang: str) -> list[str]:
    ent = report.enterprise or {}
    name, uscc, year = ent.get("name"), ent.get("uscc"), ent.get("year")
    who = " ".join(str(x) for x in (name, f"({uscc})" if uscc else None) if x)
    if year is not None:
        who = f"{who} {year}{t('year_suffix', lang)}".strip()
    lines = [f"{t('title', lang)}{' — ' + who if who else ''}", f"{t('file', lang)}: {report.file}"]
    read = read_line(report, lang)
    if read:
        lines.append(read)
    return lines


def _findings(report: Report, lang: str, color: bool) -> list[str]:
    if not report.findings:
        return ["", t("no_findings", lang)]
    by_pillar: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_pillar.setdefault(f.pillar, []).append(f)
    pillars = [p for p in PILLARS if p in by_pillar] + sorted(p for p in by_pillar if p not in PILLARS)
    sev_width = max(display_width(s) for s in SEVERITY[lang].values())
    lines: list[str] = []
    for p in pillars:
        lines.append("")
        name = f"{p} {PILLAR[lang].get(p, '')}".strip()
        lines.append(_style(f"【{name}】" if lang == "zh" else f"[{name}]", color, bold=True))
        for f in sorted(by_pillar[p], key=finding_order):
            sev = pad(SEVERITY[lang].get(f.severity, f.severity), sev_width)
            sev = _style(sev, color, fg=COLOURS.get(f.severity), bold=f.severity == "error")
            line = f"  {sev}  {f.rule}  {location(f, lang)}  {f.message}"
            if f.waived is not None:  # shown, not hidden: the bureau accepted an explanation
                line += "  [" + t("waived", lang, reason=f.waived) + "]"
            lines.append(line)
            if f.hint:
                lines.append(f"  {' ' * sev_width}  {_style('→', color, dim=True)} {f.hint}")
    return lines


UPPER_BOUND_RULE = "F15"  # the tax figures are an upper bound: an ERP ledger without eligible amounts


def _computed(report: Report, lang: str) -> list[str]:
    """The few figures an owner asks first: deduction base, deduction, tax saved, R&D spending."""
    a = report.a107012 or {}
    s = report.stats or {}
    sections: list[tuple[str, list[tuple[str, Any]]]] = []
    if a:
        tax = [(t("line40", lang), _line(a, 40)), (t("line51", lang), _line(a, 51))]
        title = t("tax_caliber", lang)
        if any(f.rule == UPPER_BOUND_RULE for f in report.findings):
            title += t("upper_bound", lang)
        sections.append((title, tax + [(t("tax_saving", lang), report.tax_saving)]))
    if s:
        stats = [(t("stats7", lang), s.get("7")), (t("intramural", lang), s.get("intramural"))]
        if s.get("intramural_reported") is not None:
            stats.append((t("intramural_reported", lang), s.get("intramural_reported")))
        sections.append((t("stats_caliber", lang), stats))
    if not sections:
        return []
    items = [item for _, rows in sections for item in rows]
    label_width = max(display_width(label) for label, _ in items) + 2
    value_width = max(len(money(v)) for _, v in items)
    lines = ["", t("computed", lang)]
    incomplete = incomplete_line(report, lang)
    if incomplete:
        lines.append(f"  {incomplete}")
    for heading, rows in sections:
        lines.append(f"  {heading}")
        for label, v in rows:
            lines.append(f"    {pad(label, label_width)}{money(v).rjust(value_width)} {t('yuan', lang)}")
    return lines


def _line(a107012: dict[Any, Any], n: int) -> Any:
    return a107012.get(str(n), a107012.get(n))


def summary_line(report: Report, lang: str = "zh") -> str:
    """One line: counts by severity and the status."""
    counts = report.counts
    return t(
        "summary",
        lang,
        total=sum(counts.get(s, 0) for s in SEVERITIES),
        error=counts.get("error", 0),
        warning=counts.get("warning", 0),
        info=counts.get("info", 0),
        status=STATUS[lang][report.status],
    )


def render(report: Report, lang: str = "zh", color: bool = False) -> str:
    """Render one report as text (Chinese, or English with lang='en'); colour with ANSI codes when asked."""
    lang = lang_of(lang)
    lines = _heading(report, lang)
    lines += _findings(report, lang, color)
    lines += _computed(report, lang)
    if report.notes:
        lines += ["", f"{t('notes', lang)}:"] + [f"  - {n}" for n in report.notes]
    status_colour = {"fail": "red", "warn": "yellow", "pass": "green"}.get(report.status)
    lines += ["", _style(summary_line(report, lang), color, fg=status_colour, bold=True)]
    return "\n".join(lines) + "\n"
