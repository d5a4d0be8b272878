"""rollup.xlsx's fixed words in English (`--lang en`): Chinese, the default, is the key and stays in the code."""

from __future__ import annotations

from collections.abc import Callable

EN: dict[str, str] = {
    # sheet names (at most 31 characters)
    "概览": "Overview",
    "按区域": "By region",
    "按行业": "By industry",
    "按类型": "By type",
    "跟进名单": "Follow-up",
    "企业明细": "Enterprises",
    "目标对照": "Targets",
    "同比": "Year on year",
    # enterprise types
    "高新技术企业": "High-tech enterprises",
    "科技型中小企业": "Tech-based SMEs",
    "规模以上企业": "Above-scale enterprises",
    "其他企业（非高新、科小、规上）": "Other enterprises (not high-tech, tech SME or above-scale)",
    # 概览
    "地区生产总值（亿元）": "GDP (100 million yuan)",
    "指标": "Indicator",
    "目标": "Target",
    "报送": "Reported",
    "潜在（应统尽统）": "Potential (all counted)",
    "差距（目标−报送）": "Gap (target − reported)",
    "结论": "Result",
    "差距（目标−潜在）": "Gap (target − potential)",
    "全区研发支出（亿元）": "District R&D spending (100 million yuan)",
    "研发投入强度（%，差距为百分点）": "R&D intensity (%, gap in points)",
    "基础研究（亿元）": "Basic research (100 million yuan)",
    "已达标": "met",
    "未达标": "not met",
    "研发支出构成（亿元）": "R&D spending by performer (100 million yuan)",
    "潜在": "Potential",
    "企业": "Enterprises",
    "其他执行单位（高校、科研机构等）": "Other performers (universities, institutes, …)",
    "报送情况": "Submissions",
    "份数": "Count",
    "计入": "counted",
    "无法检查": "could not be checked",
    "辅助账无法读取（未计入，不按 0 计）": "ledger unreadable (left out, not counted as 0)",
    "辅助账无法读取者另报统计数，未计入（亿元）": "reported by those with unreadable ledgers, left out (100 million yuan)",
    "已被替代": "superseded",
    "未计入：其他年度": "left out: another year",
    "未计入：校验不通过（--exclude-failed）": "left out: failed checks (--exclude-failed)",
    "高新技术企业（家）": "High-tech enterprises (count)",
    "科技型中小企业（家）": "Tech-based SMEs (count)",
    "规模以上企业（家）": "Above-scale enterprises (count)",
    "基础研究：企业（亿元）": "Basic research: enterprises (100 million yuan)",
    "基础研究：其他执行单位（亿元）": "Basic research: other performers (100 million yuan)",
    "注意：": "Note: ",
    "说明：金额单位为亿元（由元换算）；“潜在”中的企业研发经费内部支出按辅助账测算，是估算数。": (
        "Amounts in 100 million yuan (converted from yuan); enterprises' intramural R&D in “Potential” is "
        "estimated from the ledgers."
    ),
    # breakdowns
    "区域": "Region",
    "行业门类": "Industry section",
    "门类名称": "Section name",
    "企业类型": "Enterprise type",
    "企业数": "Enterprises",
    "报送（万元）": "Reported (10k yuan)",
    "潜在（万元）": "Potential (10k yuan)",
    "应统尽统可增加（万元）": "Could be added (10k yuan)",
    "基础研究（万元）": "Basic research (10k yuan)",
    # 跟进名单
    "序号": "No.",
    "统一社会信用代码": "USCC",
    "企业名称": "Enterprise",
    "联系人": "Contact",
    "联系电话": "Phone",
    "原因代码": "Reason code",
    "原因": "Reason",
    "涉及金额（万元）": "Amount at stake (10k yuan)",
    "文件": "File",
    "（区域未知）": "(region unknown)",
    "家": "enterprises",
    # 企业明细
    "填报区域": "Region given",
    "行业代码": "Industry code",
    "门类": "Section",
    "高新": "High-tech",
    "科小": "Tech SME",
    "规上": "Above scale",
    "检查结论": "Status",
    "内部支出-估算（万元）": "Intramural, estimated (10k yuan)",
    "内部支出-报送（万元）": "Intramural, reported (10k yuan)",
    "是": "yes",
    "否": "no",
    # charts
    "全区研发支出与目标（亿元）": "District R&D spending and target (100 million yuan)",
    "亿元": "100 million yuan",
    "研发投入强度（%）": "R&D intensity (%)",
    "研发投入强度与目标（%）": "R&D intensity and target (%)",
    "各区域企业研发支出：报送与潜在（万元）": "Enterprises' R&D by region: reported and potential (10k yuan)",
    "报送与潜在：按行业门类（万元）": "Reported and potential by industry section (10k yuan)",
    "万元": "10k yuan",
    # 目标对照, 同比 (season_sheets.py)
    "单位": "Unit",
    "目标值": "Target",
    "据报送测算": "Measured from submissions",
    "差距": "Gap",
    "涉及企业数": "Enterprises",
    "能否测算": "Measurable",
    "说明": "Note",
    "范围": "Scope",
    "名称": "Name",
    "年报送（亿元）": "reported (100 million yuan)",
    "本年报送（亿元）": "Reported this year (100 million yuan)",
    "增长（%）": "Growth (%)",
    "全区": "district",
    "行业": "industry",
}


def words(lang: str) -> Callable[[str], str]:
    """w(zh) → the fixed text in lang: the Chinese itself, or its English from EN (KeyError: a word is missing)."""
    if lang != "en":
        return lambda text: text
    return lambda text: EN[text]


__all__ = ["EN", "words"]
