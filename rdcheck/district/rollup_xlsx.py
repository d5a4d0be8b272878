"""rollup.xlsx: the district's targets vs actuals, breakdowns and follow-up list, with native Excel charts."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..report.printing import print_setup
from ..text import display_width
from .rollup_words import words

YI = Decimal(100_000_000)
WAN = Decimal(10_000)
TYPE_NAMES = {
    "high_tech": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "above_scale": "规模以上企业",
    "other": "其他企业（非高新、科小、规上）",
}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _scaled(value: Any, unit: Decimal) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)) / unit)


def write_rollup(rollup: Any, out_path: str | os.PathLike[str], lang: str = "zh") -> None:
    """Write rollup.xlsx from a rdcheck.district.rollup.Rollup: 概览 with charts, 按区域, 按行业, 按类型, 跟进名单, 企业明细;
    in English (sheet names, headers, labels; not the data) when lang is "en"."""
    import xlsxwriter

    from .industry import section_name

    d = rollup.to_dict()
    wb = xlsxwriter.Workbook(str(out_path), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        f = _Formats(wb, lang)
        w = f.w
        _overview(wb, f, d, rollup.extra, rollup.warnings(lang))
        region_rows = _breakdown(wb, f, "按区域", ["区域"], [[b.key] for b in rollup.by_region], rollup.by_region)
        industry_rows = _breakdown(
            wb,
            f,
            "按行业",
            ["行业门类", "门类名称"],
            [[b.key, section_name(b.key, lang)] for b in rollup.by_industry],
            rollup.by_industry,
        )
        types = [[w(TYPE_NAMES[b.key])] for b in rollup.by_type]
        _breakdown(wb, f, "按类型", ["企业类型"], types, rollup.by_type)
        _follow_up(wb, f, rollup.follow_up)
        _enterprises(wb, f, rollup.enterprises)
        from .season_sheets import write_season_sheets

        write_season_sheets(wb, f.header, d, lang)  # 目标对照 and 同比 when district.yaml has a plan / --previous
        _charts(wb, w, region_rows, industry_rows)
        for sheet in wb.worksheets():  # A4 landscape, one page wide, the header row on every page
            overview = sheet.name == w("概览")
            print_setup(sheet, landscape=True, header_rows=0 if overview else 1, pages_tall=1 if overview else 0)
    finally:
        wb.close()


class _Formats:
    def __init__(self, wb: Any, lang: str = "zh") -> None:
        self.lang = lang
        self.w = words(lang)  # the fixed texts in lang
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.yi = wb.add_format({"num_format": "#,##0.0000", "border": 1})
        self.wan = wb.add_format({"num_format": "#,##0.00"})
        self.pct = wb.add_format({"num_format": "0.0000", "border": 1})
        self.int = wb.add_format({"num_format": "0"})
        self.cell = wb.add_format({"border": 1})
        self.met = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100", "border": 1})
        self.unmet = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
        self.note = wb.add_format({"font_color": "#9C5700"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.wan_top = wb.add_format({"num_format": "#,##0.00", "valign": "top"})
        self.group = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "top": 1})


def _num(sheet: Any, row: int, col: int, value: float | int | None, fmt: Any = None) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _overview(wb: Any, f: _Formats, d: dict[str, Any], extra: dict[str, Any], warnings: list[str]) -> None:
    w = f.w
    sheet = wb.add_worksheet(w("概览"))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 5, 16)
    title = (
        f"{d['district']} {d['year']} 年研发投入汇总" if f.lang != "en" else f"{d['district']} {d['year']} R&D rollup"
    )
    sheet.write_string(0, 0, title, f.title)
    sheet.write_string(1, 0, w("地区生产总值（亿元）"))
    _num(sheet, 1, 1, d["gdp"], f.yi)
    heads = ["指标", "目标", "报送", "潜在（应统尽统）", "差距（目标−报送）", "结论", "差距（目标−潜在）"]
    for c, text in enumerate(heads):
        sheet.write_string(3, c, w(text), f.header)
    rd, it, br = d["rd_spending"], d["intensity"], d["basic_research"]
    rows = [
        ("全区研发支出（亿元）", rd["target"], rd["reported"], rd["potential"], rd["gap"], YI, False,
         extra["gap_potential"]),
        ("研发投入强度（%，差距为百分点）", it["target"], it["reported"], it["potential"], _float(extra["intensity_gap"]),
         None, True, _float(extra["intensity_gap_potential"])),
        ("基础研究（亿元）", br["target"], br["amount"], br["amount"], br["gap"], YI, False, br["gap"]),
    ]  # fmt: skip
    for r, (label, target, reported, potential, gap, unit, strict, gap_potential) in enumerate(rows, start=4):
        fmt = f.pct if unit is None else f.yi
        sheet.write_string(r, 0, w(label), f.cell)
        for c, value in enumerate((target, reported, potential, gap), start=1):
            _num(sheet, r, c, value if unit is None else _scaled(value, unit), fmt)
        if gap is not None:
            met = gap < 0 if strict else gap <= 0
            sheet.write_string(r, 5, w("已达标" if met else "未达标"), f.met if met else f.unmet)
        else:
            sheet.write_blank(r, 5, None, f.cell)
        _num(sheet, r, 6, gap_potential if unit is None else _scaled(gap_potential, unit), fmt)
    # the make-up of spending, for the stacked chart: rows 9-11, columns 报送 / 潜在 / 目标
    sheet.write_string(8, 0, w("研发支出构成（亿元）"), f.header)
    for c, text in enumerate(("报送", "潜在", "目标"), start=1):
        sheet.write_string(8, c, w(text), f.header)
    sheet.write_string(9, 0, w("企业"), f.cell)
    sheet.write_string(10, 0, w("其他执行单位（高校、科研机构等）"), f.cell)
    sheet.write_string(11, 0, w("目标"), f.cell)
    _num(sheet, 9, 1, _scaled(rd["enterprises_reported"], YI), f.yi)
    _num(sheet, 9, 2, _scaled(rd["enterprises_potential"], YI), f.yi)
    _num(sheet, 9, 3, 0, f.yi)
    _num(sheet, 10, 1, _scaled(rd["other_performers"], YI), f.yi)
    _num(sheet, 10, 2, _scaled(rd["other_performers"], YI), f.yi)
    _num(sheet, 10, 3, 0, f.yi)
    _num(sheet, 11, 1, 0, f.yi)
    _num(sheet, 11, 2, 0, f.yi)
    _num(sheet, 11, 3, _scaled(rd["target"], YI), f.yi)

    sub, counts = d["submissions"], d["counts"]
    sheet.write_string(13, 0, w("报送情况"), f.header)
    sheet.write_string(13, 1, w("份数"), f.header)
    labels = [
        ("计入", sub["counted"]),
        ("无法检查", sub["error"]),
        ("辅助账无法读取（未计入，不按 0 计）", sub["unread"]),
        ("辅助账无法读取者另报统计数，未计入（亿元）", _scaled(extra.get("unread_reported", 0), YI)),
        ("已被替代", sub["superseded"]),
        ("未计入：其他年度", extra["excluded_other_year"]),
        ("未计入：校验不通过（--exclude-failed）", extra["excluded_failed"]),
        ("高新技术企业（家）", counts["high_tech"]),
        ("科技型中小企业（家）", counts["tech_sme"]),
        ("规模以上企业（家）", extra["above_scale"]),
        ("基础研究：企业（亿元）", _scaled(extra["basic_research_enterprises"], YI)),
        ("基础研究：其他执行单位（亿元）", _scaled(extra["basic_research_other"], YI)),
    ]
    for r, (label, value) in enumerate(labels, start=14):
        sheet.write_string(r, 0, w(label), f.cell)
        sheet.write_number(r, 1, value, f.yi if label.endswith("（亿元）") else f.cell)
    row = 14 + len(labels) + 1
    for text in warnings:
        sheet.write_string(row, 0, f"{w('注意：')}{text}", f.note)
        row += 1
    sheet.write_string(
        row + 1, 0, w("说明：金额单位为亿元（由元换算）；“潜在”中的企业研发经费内部支出按辅助账测算，是估算数。")
    )


def _breakdown(wb: Any, f: _Formats, name: str, key_heads: list[str], keys: list[list[str]], rows: list[Any]) -> int:
    sheet = wb.add_worksheet(f.w(name))
    heads = [*key_heads, "企业数", "报送（万元）", "潜在（万元）", "应统尽统可增加（万元）", "基础研究（万元）"]
    for c, text in enumerate(heads):
        sheet.write_string(0, c, f.w(text), f.header)
        sheet.set_column(c, c, 16 if c >= len(key_heads) else 22)
    sheet.set_row(0, 32)  # 应统尽统可增加（万元） wraps to two lines
    k = len(key_heads)
    for r, (key, row) in enumerate(zip(keys, rows, strict=True), start=1):
        for c, text in enumerate(key):
            sheet.write_string(r, c, str(text))
        sheet.write_number(r, k, row.enterprises, f.int)
        sheet.write_number(r, k + 1, _scaled(row.reported, WAN), f.wan)
        sheet.write_number(r, k + 2, _scaled(row.potential, WAN), f.wan)
        sheet.write_number(r, k + 3, _scaled(row.potential - row.reported, WAN), f.wan)
        sheet.write_number(r, k + 4, _scaled(row.basic_research, WAN), f.wan)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(rows)), len(heads) - 1)
    return len(rows)


def _follow_up(wb: Any, f: _Formats, follow: list[Any]) -> None:
    """跟进名单, the list an officer works from: grouped by 区域 (largest amount at stake first within each),
    whom to call, the reason in words with its rule ids; prints one page wide with the header on every page."""
    from .rollup_text import note_text, reason_text

    w = f.w
    sheet = wb.add_worksheet(w("跟进名单"))
    heads = [
        "序号",
        "统一社会信用代码",
        "企业名称",
        "联系人",
        "联系电话",
        "原因代码",
        "原因",
        "涉及金额（万元）",
        "文件",
    ]
    widths = [6, 21, 28, 10, 14, 10, 50, 14, 30]
    for c, (text, width) in enumerate(zip(heads, widths, strict=True)):
        sheet.write_string(0, c, w(text), f.header)
        sheet.set_column(c, c, width)
    sheet.set_row(0, 30)
    groups: dict[str, list[Any]] = {}
    for item in follow:
        groups.setdefault(item.region or w("（区域未知）"), []).append(item)
    r, n = 1, 0
    for region, items in sorted(groups.items(), key=lambda kv: (kv[0] == w("（区域未知）"), -len(kv[1]), kv[0])):
        sheet.merge_range(
            r,
            0,
            r,
            len(heads) - 1,
            f"{region}（{len(items)} 家）" if f.lang != "en" else f"{region} ({len(items)} enterprises)",
            f.group,
        )
        r += 1
        for item in items:
            n += 1
            sheet.write_number(r, 0, n, f.top)
            words = reason_text(item.reasons, f.lang) + note_text(item, f.lang)
            for c, value in (
                (1, item.uscc),
                (2, item.name),
                (3, item.contact),
                (4, item.phone),
                (5, item.reason),
                (6, words),
                (8, Path(str(item.file)).name if item.file else None),
            ):
                if value is not None:
                    sheet.write_string(r, c, str(value), f.wrap if c in (2, 6, 8) else f.top)
            _num(sheet, r, 7, _scaled(item.amount, WAN), f.wan_top)
            lines = max(1, -(-display_width(words) // (widths[6] - 2)))
            if lines > 1:
                sheet.set_row(r, 15 * min(lines, 6))
            r += 1
    sheet.freeze_panes(1, 0)


def _enterprises(wb: Any, f: _Formats, enterprises: list[dict[str, Any]]) -> None:
    w = f.w
    sheet = wb.add_worksheet(w("企业明细"))
    heads = [
        ("uscc", "统一社会信用代码", 21),
        ("name", "企业名称", 30),
        ("region", "区域", 12),
        ("region_given", "填报区域", 12),
        ("industry", "行业代码", 10),
        ("section", "门类", 6),
        ("high_tech", "高新", 6),
        ("tech_sme", "科小", 6),
        ("above_scale", "规上", 6),
        ("status", "检查结论", 10),
        ("intramural", "内部支出-估算（万元）", 16),
        ("intramural_reported", "内部支出-报送（万元）", 16),
        ("potential", "潜在（万元）", 14),
        ("basic_research", "基础研究（万元）", 14),
        ("file", "文件", 40),
    ]
    for c, (_, text, width) in enumerate(heads):
        sheet.write_string(0, c, w(text), f.header)
        sheet.set_column(c, c, width)
    for r, e in enumerate(enterprises, start=1):
        for c, (key, _, _) in enumerate(heads):
            value = e.get(key)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(r, c, w("是" if value else "否"))
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, float(value / WAN), f.wan)
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(1, len(enterprises)), len(heads) - 1)


def _charts(wb: Any, w: Any, regions: int, industries: int) -> None:
    overview = w("概览")
    sheet = wb.get_worksheet_by_name(overview)

    spending = wb.add_chart({"type": "column", "subtype": "stacked"})
    for r, colour in ((9, "#4472C4"), (10, "#A5A5A5"), (11, "#ED7D31")):
        spending.add_series(
            {
                "name": [overview, r, 0],
                "categories": [overview, 8, 1, 8, 3],
                "values": [overview, r, 1, r, 3],
                "fill": {"color": colour},
                "data_labels": {"value": True, "num_format": "0.00;;;"},
            }
        )
    spending.set_title({"name": w("全区研发支出与目标（亿元）")})
    spending.set_y_axis({"name": w("亿元"), "min": 0})
    spending.set_legend({"position": "bottom"})
    sheet.insert_chart("H2", spending, {"x_scale": 1.1, "y_scale": 1.0})

    intensity = wb.add_chart({"type": "column"})
    intensity.add_series(
        {
            "name": w("研发投入强度（%）"),
            "categories": [overview, 3, 1, 3, 3],
            "values": [overview, 5, 1, 5, 3],
            "points": [{"fill": {"color": "#ED7D31"}}, {"fill": {"color": "#4472C4"}}, {"fill": {"color": "#70AD47"}}],
            "data_labels": {"value": True, "num_format": "0.00"},
        }
    )
    intensity.set_title({"name": w("研发投入强度与目标（%）")})
    intensity.set_y_axis({"name": "%", "min": 0})
    intensity.set_legend({"none": True})
    sheet.insert_chart("H18", intensity, {"x_scale": 1.1, "y_scale": 1.0})

    if regions:
        chart = _reported_vs_potential(
            wb, "column", w("按区域"), regions, 0, (2, 3), w("各区域企业研发支出：报送与潜在（万元）"), w("万元")
        )
        sheet.insert_chart("P2", chart, {"x_scale": 1.2, "y_scale": 1.0})
    if industries:
        chart = _reported_vs_potential(
            wb, "bar", w("按行业"), industries, 1, (3, 4), w("报送与潜在：按行业门类（万元）"), w("万元")
        )
        sheet.insert_chart("P18", chart, {"x_scale": 1.2, "y_scale": 1.0})


def _reported_vs_potential(
    wb: Any, kind: str, sheet: str, rows: int, category_col: int, cols: tuple[int, int], title: str, unit: str
) -> Any:
    """A reported-against-potential chart over a breakdown sheet (rows 1..rows; series in cols, in 万元)."""
    chart = wb.add_chart({"type": kind})
    for col, colour in zip(cols, ("#4472C4", "#70AD47"), strict=True):
        chart.add_series(
            {
                "name": [sheet, 0, col],
                "categories": [sheet, 1, category_col, rows, category_col],
                "values": [sheet, 1, col, rows, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": title})
    # a bar chart's value axis is its x axis
    (chart.set_x_axis if kind == "bar" else chart.set_y_axis)({"name": unit, "min": 0})
    chart.set_legend({"position": "bottom"})
    return chart


__all__ = ["write_rollup"]
