"""`rdcheck register REG --export FILE.xlsx`: the register as a workbook (rounds, latest status, submissions,
findings, waivers), one filterable sheet each; amounts in yuan with two decimals."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from .changes import LIST_NAMES, LISTS, counts
from .register import FIGURES, Register

STATUS_ZH = {"pass": "通过", "warn": "有警告", "fail": "不通过", "error": "无法检查", "superseded": "已被替代"}
FIGURE_ZH = {
    "rd_spending": "研发费用合计(元)",
    "intramural": "内部支出-估算(元)",
    "intramural_reported": "内部支出-报送(元)",
    "deduction_base": "A107012第40行(元)",
    "deduction": "A107012第51行(元)",
    "basic_research": "基础研究(元)",
}


def status_text(status: Any, lang: str) -> str:
    if status is None:
        return ""
    return str(status) if lang == "en" else STATUS_ZH.get(str(status), str(status))


def round_rows(reg: Register, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    names = LIST_NAMES["en" if lang == "en" else "zh"]
    heads = ["round", "year", "number", "started", "finished", "files", "source"] if lang == "en" else [
        "轮次编号", "年度", "本年第几轮", "开始", "结束", "文件数", "文件夹"
    ]  # fmt: skip
    heads += [names[k] for k in LISTS]
    rows = []
    for r in reg.rounds():
        n = counts(r.changes or {})
        rows.append(
            [r.id, r.year, r.number, r.started, r.finished or "", r.files, r.source or ""] + [n[k] for k in LISTS]
        )
    return heads, rows


def latest_rows(reg: Register, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    rounds = {r.id: r.label for r in reg.rounds()}
    heads = (
        ["统一社会信用代码", "企业名称", "year", "status", "errors", "warnings", "round", "file"]
        if lang == "en"
        else ["统一社会信用代码", "企业名称", "年度", "最新结论", "错误", "警告", "所在轮次", "文件"]
    )
    rows = [
        [s["uscc"], s["name"], s["year"], status_text(s["status"], lang), s["errors"], s["warnings"],
         rounds.get(s["round_id"], s["round_id"]), s["file"]]
        for s in reg.latest()
    ]  # fmt: skip
    return heads, rows


def waiver_rows(reg: Register, lang: str = "zh") -> tuple[list[str], list[list[Any]]]:
    heads = (
        ["id", "统一社会信用代码", "rule", "year", "cell", "reason", "created"]
        if lang == "en"
        else ["编号", "统一社会信用代码", "规则", "年度", "单元格", "理由", "登记时间"]
    )
    rows = [[w.id, w.uscc, w.rule, w.year, w.where, w.reason, w.created] for w in reg.waivers()]
    return heads, rows


def write_register(reg: Register, out_path: str | os.PathLike[str], lang: str = "zh") -> None:
    """Write the register to an xlsx workbook (written to a temporary name, then moved into place)."""
    import xlsxwriter

    from ..outfile import replacing

    en = lang == "en"
    with replacing(out_path) as tmp:
        _write(xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False}), reg, en, lang)


def _write(wb: Any, reg: Register, en: bool, lang: str) -> None:
    try:
        header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        money = wb.add_format({"num_format": "#,##0.00"})
        rounds = {r.id: r.label for r in reg.rounds()}
        subs_heads = (
            ["round", "file", "sha256", "received", "统一社会信用代码", "企业名称", "year", "status", "reused"]
            if en
            else ["轮次", "文件", "sha256", "收到时间", "统一社会信用代码", "企业名称", "年度", "结论", "沿用上次结果"]
        ) + [f if en else FIGURE_ZH[f] for f in FIGURES]
        subs = []
        for s in reg.submissions():
            subs.append(
                [rounds.get(s["round_id"], s["round_id"]), s["file"], s["sha256"], s["received"], s["uscc"],
                 s["name"], s["year"], status_text(s["status"], lang), "yes" if s["reused"] and en else
                 ("是" if s["reused"] else "")]
                + [None if s[f] is None else Decimal(s[f]) for f in FIGURES]
            )  # fmt: skip
        finding_heads = (
            ["round", "统一社会信用代码", "file", "rule", "severity", "sheet", "cell", "message", "waived"]
            if en
            else ["轮次", "统一社会信用代码", "文件", "规则", "严重程度", "工作表", "单元格", "问题说明", "豁免"]
        )
        findings = []
        for s in reg.submissions():
            for f in reg.findings(s["id"]):
                findings.append(
                    [rounds.get(s["round_id"], s["round_id"]), s["uscc"], s["file"], f["rule"], f["severity"],
                     f["sheet"], f["cell"], f["message"], f["waiver"] or ""]
                )  # fmt: skip
        sheets = [
            ("rounds" if en else "轮次", *round_rows(reg, lang)),
            ("latest" if en else "企业最新结论", *latest_rows(reg, lang)),
            ("submissions" if en else "报送记录", subs_heads, subs),
            ("findings" if en else "问题明细", finding_heads, findings),
            ("waivers" if en else "豁免", *waiver_rows(reg, lang)),
        ]
        for title, heads, rows in sheets:
            ws = wb.add_worksheet(title)
            for c, text in enumerate(heads):
                ws.write_string(0, c, str(text), header)
                ws.set_column(c, c, 14)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, Decimal):
                        ws.write_number(r, c, float(value), money)
                    elif isinstance(value, (int, float)) and not isinstance(value, bool):
                        ws.write_number(r, c, value)
                    else:
                        ws.write_string(r, c, str(value))
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(rows), 1), max(len(heads) - 1, 0))
    finally:
        wb.close()


__all__ = ["latest_rows", "round_rows", "waiver_rows", "write_register"]
