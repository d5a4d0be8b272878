"""The batch's summary.xlsx: one row per workbook, and the count of findings per rule (spec §5).

The first four columns are the spec's, in every language: file, 统一社会信用代码, 企业名称, status (the code
pass/warn/fail/error/superseded, so that a filter or a script reads it the same way); 结论 beside it says the
status in words.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..model import PILLARS, SEVERITIES
from ..report.printing import print_setup

STATUSES = ("pass", "warn", "fail", "error", "superseded")
STATUS_NAMES = {
    "zh": {"pass": "通过", "warn": "有警告", "fail": "不通过", "error": "无法检查", "superseded": "已被替代"},
    "en": {"pass": "pass", "warn": "warn", "fail": "fail", "error": "error", "superseded": "superseded"},
}
STATUS_COLOURS = {  # (fill, font): green, yellow, red, dark red, grey
    "pass": ("#C6EFCE", "#006100"),
    "warn": ("#FFEB9C", "#9C5700"),
    "fail": ("#FFC7CE", "#9C0006"),
    "error": ("#C00000", "#FFFFFF"),
    "superseded": ("#D9D9D9", "#595959"),
}
SEVERITY_NAMES = {"zh": {"error": "错误", "warning": "警告", "info": "提示"}, "en": {s: s for s in SEVERITIES}}

UPPER_BOUND_RULE = "F15"  # the tax figures are an upper bound (no eligible amounts in the ledger)

# (key, zh header, en header, kind, width)
COLUMNS: tuple[tuple[str, str, str, str, int], ...] = (
    ("file", "文件", "file", "text", 40),
    ("uscc", "统一社会信用代码", "统一社会信用代码", "text", 21),
    ("name", "企业名称", "企业名称", "text", 28),
    ("status", "状态", "status", "text", 11),
    ("status_text", "结论", "status (words)", "text", 14),
    ("year", "年度", "year", "int", 7),
    ("region", "所在区域", "region", "text", 12),
    ("error", "错误", "errors", "int", 7),
    ("warning", "警告", "warnings", "int", 7),
    ("info", "提示", "info", "int", 7),
    ("F", "文件(F)", "file (F)", "int", 8),
    ("B", "应建尽建(B)", "set up (B)", "int", 11),
    ("C", "应提尽提(C)", "claimed (C)", "int", 11),
    ("T", "应统尽统(T)", "reported (T)", "int", 11),
    ("a40", "A107012第40行 研发费用小计(元)", "A107012 line 40 (yuan)", "money", 18),
    ("a51", "A107012第51行 加计扣除总额(元)", "A107012 line 51 (yuan)", "money", 18),
    ("tax_saving", "预计减免所得税(元)", "tax saving (yuan)", "money", 16),
    ("stats7", "107-2第7行 研发费用合计(元)", "107-2 line 7 (yuan)", "money", 18),
    ("intramural", "研发经费内部支出-估算(元)", "intramural, ledger (yuan)", "money", 18),
    ("intramural_reported", "研发经费内部支出-报送(元)", "intramural, reported (yuan)", "money", 18),
    ("basic_research", "基础研究(元)", "basic research (yuan)", "money", 15),
    ("feedback", "反馈工作簿", "feedback workbook", "text", 30),
    ("reason", "原因", "reason", "text", 50),
)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _status_text(result: dict[str, Any], lang: str) -> str:
    names = STATUS_NAMES.get(lang, STATUS_NAMES["zh"])
    status = str(result.get("status", "error"))
    text = names.get(status, status)
    own = result.get("_check_status")
    if status == "superseded" and own in names:  # the superseded file's own result, for the officer
        text += f"（本身：{names[own]}）" if lang == "zh" else f" (own result: {names[own]})"
    return text


def summary_row(result: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """Flatten one JSON report into the summary's columns."""
    enterprise = result.get("enterprise") or {}
    counts = result.get("counts") or {}
    findings = result.get("findings") or []
    a107012 = result.get("a107012") or {}
    stats = result.get("stats") or {}
    status = result.get("status", "error")
    row: dict[str, Any] = {
        "file": result.get("file"),
        "uscc": enterprise.get("uscc"),
        "name": enterprise.get("name"),
        "year": enterprise.get("year"),
        "region": enterprise.get("region"),
        "status": status,
        "status_text": _status_text(result, lang),
        "a40": a107012.get("40"),
        "a51": a107012.get("51"),
        "tax_saving": result.get("tax_saving"),
        "stats7": stats.get("7"),
        "intramural": stats.get("intramural"),
        "intramural_reported": stats.get("intramural_reported"),
        "basic_research": stats.get("basic_research"),
        "feedback": result.get("_feedback"),
    }
    if status != "error":
        for severity in SEVERITIES:
            row[severity] = counts.get(severity, 0)
        for pillar in PILLARS:
            row[pillar] = sum(1 for f in findings if f.get("pillar") == pillar)
    reasons = [result.get("error")]
    if status == "superseded":
        by = result.get("superseded_by")
        reasons.append(f"已被较新的 {by} 替代" if lang == "zh" else f"superseded by the newer {by}")
    if any(isinstance(f, dict) and f.get("rule") == UPPER_BOUND_RULE for f in findings):
        reasons.append(
            "A107012 与减免税额是上限（会计软件多栏账没有可加计金额，F15）"
            if lang == "zh"
            else "A107012 and the tax saving are an upper bound (ERP ledger without eligible amounts, F15)"
        )
    if result.get("_feedback_error"):
        head = "反馈工作簿未能写出" if lang == "zh" else "feedback workbook not written"
        reasons.append(f"{head}：{result['_feedback_error']}")
    row["reason"] = "；".join(r for r in reasons if r) or None
    return row


def rule_counts(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count findings and files per rule over the submissions that count (superseded ones left out)."""
    table: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.get("status") in ("error", "superseded"):
            continue
        seen: set[str] = set()
        for f in r.get("findings") or []:
            rule = str(f.get("rule"))
            entry = table.setdefault(
                rule,
                {"rule": rule, "severities": [], "pillar": f.get("pillar"), "findings": 0, "files": 0},
            )
            if f.get("severity") not in entry["severities"]:  # T01 is an error for 规上 firms, info for the rest
                entry["severities"].append(f.get("severity"))
            entry["findings"] += 1
            if rule not in seen:
                seen.add(rule)
                entry["files"] += 1
    order = {p: i for i, p in enumerate(PILLARS)}
    return sorted(table.values(), key=lambda e: (order.get(e["pillar"], 9), e["rule"]))


def _rule_titles(lang: str) -> dict[str, str]:
    try:
        from ..engine import load_catalogue

        return {rule.id: rule.title.get(lang) or rule.title.get("zh", "") for rule in load_catalogue()}
    except Exception:  # the titles are a convenience; the counts stand without them
        return {}


def write_summary(
    results: Sequence[dict[str, Any]],
    out_path: str | os.PathLike[str],
    lang: str = "zh",
    extra: Callable[[Any, Any, str], None] | None = None,
) -> None:
    """Write summary.xlsx: 汇总 (one row per file; filter, frozen header, status colours) and 规则统计.

    extra(workbook, header_format, lang) adds further sheets (a register round's 本轮变化).
    """
    import xlsxwriter

    en = lang == "en"
    wb = xlsxwriter.Workbook(str(out_path), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        money = wb.add_format({"num_format": "#,##0.00"})
        sheet = wb.add_worksheet("summary" if en else "汇总")
        for c, (_, zh, en_name, _, width) in enumerate(COLUMNS):
            sheet.write_string(0, c, en_name if en else zh, header)
            sheet.set_column(c, c, width, money if COLUMNS[c][3] == "money" else None)
        sheet.set_row(0, 32)
        for r, result in enumerate(results, start=1):
            row = summary_row(result, lang)
            for c, (key, _, _, kind, _) in enumerate(COLUMNS):
                value = row.get(key)
                if value is None:
                    continue
                if kind in ("int", "money"):
                    number = _number(value)
                    if number is not None:
                        sheet.write_number(r, c, number, money if kind == "money" else None)
                    else:
                        sheet.write_string(r, c, str(value))
                elif key == "status" and not en:  # 通过/有警告/不通过/无法检查/已被替代
                    sheet.write_string(r, c, STATUS_NAMES["zh"].get(str(value), str(value)))
                else:
                    sheet.write_string(r, c, str(value))  # never a formula, whatever the text starts with
        last = max(len(results), 1)
        sheet.autofilter(0, 0, last, len(COLUMNS) - 1)
        sheet.freeze_panes(1, 1)
        status_col = next(i for i, col in enumerate(COLUMNS) if col[0] == "status")
        for status in STATUSES:
            fill, font = STATUS_COLOURS[status]
            sheet.conditional_format(
                1,
                status_col,
                last,
                status_col,
                {
                    "type": "cell",
                    "criteria": "equal to",
                    "value": f'"{status if en else STATUS_NAMES["zh"][status]}"',
                    "format": wb.add_format({"bg_color": fill, "font_color": font}),
                },
            )

        rules = wb.add_worksheet("rules" if en else "规则统计")
        titles = _rule_titles(lang)
        heads = (
            ("rule", "title", "pillar", "severity", "findings", "files")
            if en
            else ("规则", "名称", "类别", "严重程度", "问题数", "涉及文件数")
        )
        for c, (text, width) in enumerate(zip(heads, (8, 48, 10, 10, 10, 12), strict=True)):
            rules.write_string(0, c, text, header)
            rules.set_column(c, c, width)
        severity_names = SEVERITY_NAMES["en" if en else "zh"]
        for r, entry in enumerate(rule_counts(results), start=1):
            rules.write_string(r, 0, entry["rule"])
            rules.write_string(r, 1, titles.get(entry["rule"], ""))
            rules.write_string(r, 2, str(entry["pillar"] or ""))
            shown = [severity_names.get(s, str(s)) for s in SEVERITIES if s in entry["severities"]]
            rules.write_string(r, 3, "/".join(shown))
            rules.write_number(r, 4, entry["findings"])
            rules.write_number(r, 5, entry["files"])
        rules.freeze_panes(1, 0)
        rules.autofilter(0, 0, max(1, len(rule_counts(results))), len(heads) - 1)
        if extra is not None:
            extra(wb, header, lang)
        print_setup(sheet, landscape=True)
        print_setup(rules, landscape=False)
    finally:
        wb.close()


__all__ = ["COLUMNS", "STATUSES", "rule_counts", "summary_row", "write_summary"]
