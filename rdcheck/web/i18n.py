"""The web pages' words, Chinese first (English with ?lang=en); rule, pillar and status names come from report.i18n."""

from __future__ import annotations

from typing import Any

from ..report.i18n import PILLAR, SEVERITY, STATUS

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "研发支出辅助账自查",
        "lead": "选择或拖入填好的辅助账工作簿，几秒钟后即可看到检查结论、每个问题所在的单元格和修改建议。",
        "drop": "把工作簿拖到这里，或点击选择文件",
        "choose": "选择工作簿（.xlsx / .xlsm / .xls）",
        "submit": "开始检查",
        "template": "下载标准模板",
        "guide_title": "使用说明",
        "guide": [
            "按标准模板填写研发支出辅助账（六张表：企业信息、研发项目、辅助账明细、人员、汇总、107-2）。",
            "上传后系统逐项检查：文件是否可读、项目是否立项、费用是否应提尽提、统计是否应统尽统。",
            "每个问题都标明工作表和单元格，并给出修改建议；可下载带批注的工作簿对照修改原表。",
            "上传的文件只用于本次检查，检查后即删除；报告链接在 {minutes} 分钟后失效。",
        ],
        "limit": "文件大小上限 {mb} MB",
        "uploading": "正在上传… {pct}%",
        "queued": "排队中，前面还有 {n} 份",
        "checking": "正在检查… 已用 {s} 秒",
        "wait_title": "正在检查",
        "wait_text": "文件正在检查中，本页会自动刷新。",
        "verdict": "检查结论",
        "counts": "问题数",
        "enterprise": "企业",
        "uscc": "统一社会信用代码",
        "year": "所属年度",
        "figures": "关键数据（元）",
        "a107012_1": "A107012 第1行 可加计扣除项目数",
        "a107012_40": "A107012 第40行 年度研发费用小计",
        "a107012_51": "A107012 第51行 本年研发费用加计扣除总额",
        "tax_saving": "预计减少企业所得税",
        "intramural": "研发经费内部支出（统计口径）",
        "intramural_reported": "已报统计的研发经费内部支出",
        "findings": "检查发现",
        "no_findings": "未发现问题。",
        "where": "位置",
        "message": "问题",
        "hint": "修改建议",
        "basis": "依据",
        "waived": "已豁免",
        "download": "下载带批注的工作簿",
        "print": "打印视图",
        "again": "检查另一个文件",
        "expires": "本报告及下载链接 {minutes} 分钟内有效。",
        "error_title": "无法检查此文件",
        "not_found": "链接不存在或已过期，请重新上传检查。",
        "bad_type": "只接受 Excel 工作簿（.xlsx、.xlsm、.xls）",
        "no_file": "请选择要检查的工作簿",
        "bad_form": "表单已过期，请刷新页面后重新上传",
        "busy": "检查排队已满，请稍后再试",
        "api_docs": "接口文档",
        "back": "返回",
        "other_lang": "English",
    },
    "en": {
        "title": "R&D ledger self-check",
        "lead": "Choose or drop your filled-in R&D auxiliary ledger: in seconds you see the verdict, every problem "
        "located to its cell, and how to fix it.",
        "drop": "Drop the workbook here, or click to choose a file",
        "choose": "Choose a workbook (.xlsx / .xlsm / .xls)",
        "submit": "Check",
        "template": "Download the standard template",
        "guide_title": "How it works",
        "guide": [
            "Fill in the ledger on the standard template (企业信息, 研发项目, 辅助账明细, 人员, 汇总, 107-2).",
            "The check covers the file, projects set up (应建尽建), costs claimed (应提尽提) and statistics (应统尽统).",
            "Every problem names its sheet and cell with a fix; download the annotated workbook to correct yours.",
            "Your file is used for this check only and deleted afterwards; the report link expires in {minutes} min.",
        ],
        "limit": "Upload limit {mb} MB",
        "uploading": "Uploading… {pct}%",
        "queued": "Queued: {n} ahead",
        "checking": "Checking… {s} s",
        "wait_title": "Checking",
        "wait_text": "Your file is being checked; this page refreshes itself.",
        "verdict": "Verdict",
        "counts": "Findings",
        "enterprise": "Enterprise",
        "uscc": "Unified social credit code",
        "year": "Tax year",
        "figures": "Key figures (yuan)",
        "a107012_1": "A107012 line 1: eligible projects",
        "a107012_40": "A107012 line 40: R&D expense subtotal",
        "a107012_51": "A107012 line 51: super deduction this year",
        "tax_saving": "Estimated income tax saved",
        "intramural": "Intramural R&D expenditure (statistics)",
        "intramural_reported": "Intramural R&D expenditure reported",
        "findings": "Findings",
        "no_findings": "No problems found.",
        "where": "Where",
        "message": "Problem",
        "hint": "Fix",
        "basis": "Basis",
        "waived": "waived",
        "download": "Download the annotated workbook",
        "print": "Printable view",
        "again": "Check another file",
        "expires": "This report and its download link are valid for {minutes} minutes.",
        "error_title": "This file cannot be checked",
        "not_found": "This link does not exist or has expired: upload the file again.",
        "bad_type": "Only Excel workbooks (.xlsx, .xlsm, .xls) are accepted",
        "no_file": "Choose a workbook to check",
        "bad_form": "The form has expired: reload the page and upload again",
        "busy": "Too many checks are waiting: try again in a minute",
        "api_docs": "API",
        "back": "Back",
        "other_lang": "中文",
    },
}


def lang_of(value: Any) -> str:
    return "en" if str(value or "").lower() == "en" else "zh"


def words(lang: str) -> dict[str, Any]:
    """Everything a template needs to speak `lang`."""
    lang = lang_of(lang)
    status = {**STATUS[lang], "superseded": "已被替代" if lang == "zh" else "superseded"}
    return {**WORDS[lang], "severity": SEVERITY[lang], "pillar": PILLAR[lang], "status": status}
