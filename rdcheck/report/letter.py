"""The first sheet of a feedback workbook: a one-page letter to the enterprise (issue 13 point 9).

Who was checked (enterprise, USCC, year, file), the verdict (通过/有警告/不通过), the findings counted by pillar and
severity, the figures an owner asks first (A107012 lines 40 and 51, the tax saved, 107-2 line 7, intramural R&D),
what was read and whether the figures are complete, what to do next, and when and by which rdcheck it was checked.
It prints on one A4 landscape page. Rows are written top to bottom (the workbook streams, constant_memory).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model import PILLARS, SEVERITIES, Report, decimal_or_none, to_fen
from ..text import display_path
from .i18n import PILLAR, SEVERITY, STATUS, t
from .reading import incomplete_line, read_line

VERDICT_COLOURS = {"pass": "#C6EFCE", "warn": "#FFE699", "fail": "#FFC7CE"}
WIDTHS = (30, 16, 16, 16, 16, 40)  # A-F
LAST_COL = len(WIDTHS) - 1

TEXT = {
    "zh": {
        "sheet": "检查结论",
        "title": "研发支出辅助账检查反馈",
        "enterprise": "企业名称",
        "uscc": "统一社会信用代码",
        "year": "所属年度",
        "file": "检查文件",
        "verdict": "检查结论",
        "counts": "发现的问题",
        "pillar": "类别",
        "total": "合计",
        "figures": "测算结果（元）",
        "read": "读取情况",
        "next": "下一步",
        "checked": "检查日期 {date} · rdcheck {version} · 文件摘要 {sha}",
        "fail": "请按“检查结果”工作表逐项修改：每个问题列出所在单元格（可点击跳转）和修改建议，"
        "原表中的问题单元格已按严重程度标色并加批注。请在原文件中修改后重新提交（不要提交本反馈文件）。",
        "warn": "没有错误。请逐项核对“检查结果”中的警告：确需修改的，在原文件中修改后重新提交；"
        "核对无误的可不修改，必要时附情况说明。",
        "pass": "未发现错误或警告，无需修改。请留存本反馈。",
        "infos": "另有 {n} 项提示，仅供参考。",
    },
    "en": {
        "sheet": "Verdict",
        "title": "R&D auxiliary ledger check: feedback",
        "enterprise": "Enterprise",
        "uscc": "Unified social credit code",
        "year": "Tax year",
        "file": "File checked",
        "verdict": "Verdict",
        "counts": "Findings",
        "pillar": "Pillar",
        "total": "Total",
        "figures": "Computed (yuan)",
        "read": "What was read",
        "next": "What to do next",
        "checked": "Checked {date} · rdcheck {version} · file digest {sha}",
        "fail": "Correct each finding listed in the findings sheet: each names its cell (a link) and how to fix it; "
        "the cells are coloured and commented in the copy. Correct the original file and submit it again "
        "(not this feedback file).",
        "warn": "No errors. Review each warning in the findings sheet: correct the original file and submit it again "
        "where needed; a warning that is right may stay, with an explanation if asked.",
        "pass": "No errors or warnings: nothing to change. Keep this feedback.",
        "infos": "{n} informational note(s) besides, for reference.",
    },
}


def sheet_name(lang: str) -> str:
    return TEXT["en" if lang == "en" else "zh"]["sheet"]


class _Formats:
    def __init__(self, wb: Workbook, status: str) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 16})
        self.label = wb.add_format({"bold": True, "valign": "top"})
        self.text = wb.add_format({"valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.section = wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E78", "bottom": 1})
        self.verdict = wb.add_format(
            {"bold": True, "font_size": 14, "bg_color": VERDICT_COLOURS.get(status, "#FFFFFF"), "border": 1}
        )
        self.head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"})
        self.cell = wb.add_format({"border": 1, "align": "center"})
        self.cell_label = wb.add_format({"border": 1})
        self.amount = wb.add_format({"num_format": "#,##0.00"})
        self.small = wb.add_format({"font_color": "#595959", "font_size": 9})


def write_letter(ws: Worksheet, wb: Workbook, report: Report, lang: str, today: dt.date | None = None) -> None:
    """Write the letter on ``ws`` (already added as the workbook's first sheet)."""
    from .. import __version__

    w = TEXT["en" if lang == "en" else "zh"]
    status = report.status
    f = _Formats(wb, status)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ent = report.enterprise or {}
    r = 0
    ws.write_string(r, 0, w["title"], f.title)
    r += 2
    for key, value in (
        ("enterprise", ent.get("name")),
        ("uscc", ent.get("uscc")),
        ("year", ent.get("year")),
        ("file", display_path(Path(str(report.file)).name)),
    ):
        ws.write_string(r, 0, w[key], f.label)
        ws.merge_range(r, 1, r, LAST_COL, "" if value is None else str(value), f.text)
        r += 1
    r += 1
    ws.write_string(r, 0, w["verdict"], f.label)
    ws.merge_range(r, 1, r, 2, STATUS[lang].get(status, status), f.verdict)
    ws.set_row(r, 24)
    r += 2
    r = _counts(ws, r, report, lang, w, f)
    r = _figures(ws, r + 1, report, lang, w, f)
    read = read_line(report, lang)
    incomplete = incomplete_line(report, lang)
    if read or incomplete:
        ws.merge_range(r, 0, r, LAST_COL, w["read"], f.section)
        r += 1
        for line in (read, incomplete):
            if line:
                ws.merge_range(r, 0, r, LAST_COL, line, f.wrap)
                ws.set_row(r, 15 * _lines(line))
                r += 1
        r += 1
    ws.merge_range(r, 0, r, LAST_COL, w["next"], f.section)
    r += 1
    advice = w[status] if status in ("fail", "warn", "pass") else w["fail"]
    infos = report.counts.get("info", 0)
    if infos:
        advice += " " + w["infos"].format(n=infos)
    ws.merge_range(r, 0, r, LAST_COL, advice, f.wrap)
    ws.set_row(r, 15 * _lines(advice))
    r += 2
    sha = (report.sha256 or "")[:12] or "—"
    when = (today or dt.date.today()).isoformat()
    ws.merge_range(r, 0, r, LAST_COL, w["checked"].format(date=when, version=__version__, sha=sha), f.small)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
    ws.hide_gridlines(2)
    ws.print_area(0, 0, r, LAST_COL)


def _counts(ws: Worksheet, r: int, report: Report, lang: str, w: dict[str, str], f: _Formats) -> int:
    ws.merge_range(r, 0, r, LAST_COL, w["counts"], f.section)
    r += 1
    ws.write_string(r, 0, w["pillar"], f.head)
    for c, sev in enumerate(SEVERITIES, start=1):
        ws.write_string(r, c, SEVERITY[lang][sev], f.head)
    r += 1
    table: dict[str, dict[str, int]] = {p: dict.fromkeys(SEVERITIES, 0) for p in PILLARS}
    for finding in report.findings:
        table.setdefault(finding.pillar, dict.fromkeys(SEVERITIES, 0))
        table[finding.pillar][finding.severity] = table[finding.pillar].get(finding.severity, 0) + 1
    for p, counts in table.items():
        ws.write_string(r, 0, f"{p} {PILLAR[lang].get(p, '')}".strip(), f.cell_label)
        for c, sev in enumerate(SEVERITIES, start=1):
            ws.write_number(r, c, counts.get(sev, 0), f.cell)
        r += 1
    ws.write_string(r, 0, w["total"], f.head)
    for c, sev in enumerate(SEVERITIES, start=1):
        ws.write_number(r, c, report.counts.get(sev, 0), f.head)
    return r + 1


def _figures(ws: Worksheet, r: int, report: Report, lang: str, w: dict[str, str], f: _Formats) -> int:
    a = report.a107012 or {}
    s = report.stats or {}
    rows: list[tuple[str, Any]] = []
    if a:
        rows += [
            (f"A107012 {t('line40', lang)}", _line(a, 40)),
            (f"A107012 {t('line51', lang)}", _line(a, 51)),
            (t("tax_saving", lang), report.tax_saving),
        ]
    if s:
        rows += [(f"107-2 {t('stats7', lang)}", s.get("7")), (t("intramural", lang), s.get("intramural"))]
        if s.get("intramural_reported") is not None:
            rows.append((t("intramural_reported", lang), s.get("intramural_reported")))
    if not rows:
        return r
    ws.merge_range(r, 0, r, LAST_COL, w["figures"], f.section)
    r += 1
    for label, value in rows:
        ws.merge_range(r, 0, r, 1, label, f.text)
        amount = decimal_or_none(value)
        if amount is None:
            ws.write_string(r, 2, "—", f.text)
        else:
            ws.write_number(r, 2, float(to_fen(amount)), f.amount)
        r += 1
    return r + 1


def _line(a: dict[Any, Any], n: int) -> Any:
    return a.get(str(n), a.get(n))


def _lines(text: str, width: int = 130) -> int:
    """Rows of text a merged A:F cell needs (about 130 columns; a Chinese character takes two)."""
    from ..text import display_width

    return max(1, -(-display_width(text) // width))
