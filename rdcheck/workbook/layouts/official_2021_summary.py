"""The 2021 研发支出辅助账汇总表 (国家税务总局公告2021年第28号 附件2; layouts.md §1b).

A title; a header line ``纳税人识别号（统一社会信用代码）：`` ``纳税人名称：`` ``属期：`` ``金额单位：元``; two header
rows and a numbering row; one row per project and 支出类型; closing rows (资本化金额小计, 费用化金额小计, 其中：其他事项,
金额合计) and a footer. Read for the enterprise keys it states and for its rows, which rule B14 checks against the
ledgers (pre-limit columns) and against rdcheck's own all-project limit computation (7.2, 8.2, 8.4, total).
"""

from __future__ import annotations

from typing import Any

from ..values import Invalid, is_blank, parse_text
from . import Layout, register
from .base import Fact, SheetRead, SummaryRow
from .grid import Grid, header_paths, is_code, label_values, norm, norm_plain, year_in
from .rows import amount

HEADER_LABELS = (
    "纳税人识别号",
    "统一社会信用代码",
    "纳税人名称",
    "企业名称",
    "属期",
    "所属期",
    "所属年度",
    "税款所属期",
    "金额单位",
)
# the official column codes, in the form's order
CODES = ("total", "1", "2", "3", "4", "5", "6", "7.1", "7.2", "8.1", "8.2", "8.3", "8.4")
CLOSING = ("资本化金额小计", "费用化金额小计", "其中", "金额合计", "合计", "小计", "总计")
FOOTERS = ("法定代表人", "经办人", "填表", "会计主管", "财务负责人", "纳税人（签章）", "纳税人(签章)")


def code_of(path: list[str]) -> str | None:
    """The official column code a header path names (by its words, never its printed number)."""
    if not path:
        return None
    leaf = norm_plain(path[-1])
    whole = "".join(norm_plain(p) for p in path)
    if "允许加计扣除金额" in leaf and "委托" not in leaf:
        return "total"
    if "前五项" in leaf or leaf == "小计":
        return "6"
    if "其他相关" in leaf or ("其他相关" in whole and "委托" not in leaf):
        return "7.2" if "限额" in leaf and "及限额" not in leaf else "7.1"
    if "委托" in leaf or "委托" in whole:
        if "境外" in leaf:
            return "8.4" if "经限额调整" in leaf or "限额" in leaf else "8.3"
        if "境内" in leaf:
            return "8.2" if "允许" in leaf else "8.1"
        return None
    for word, code in (("人员人工", "1"), ("直接投入", "2"), ("折旧", "3"), ("无形资产摊销", "4"), ("新产品设计", "5")):
        if word in leaf:
            return code
    return None


def _header_row(grid: Grid) -> int | None:
    for r in range(len(grid.rows)):
        texts = [norm_plain(t) for t in grid.texts(r)]
        if "项目编号" in texts and any("允许加计扣除金额" in t for t in texts):
            return r
    return None


def fingerprint(grid: Grid) -> int:
    r = _header_row(grid)
    if r is None:
        return 0
    band = [norm_plain(t) for rr in range(r, min(r + 3, len(grid.rows))) for t in grid.texts(rr)]
    signs = sum(
        1
        for word in ("前五项小计", "经限额调整后的其他相关费用", "其他相关费用合计", "支出类型", "完成情况")
        if word in band
    )
    return 20 + signs if signs >= 2 else 0


def _band_bottom(grid: Grid, top: int) -> int:
    bottom = top
    for r in range(top + 1, min(top + 4, len(grid.rows))):
        values = [v for v in grid.rows[r] if not is_blank(v)]
        if not values:
            break
        codes = all(is_code(v) for v in values)
        numbers = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if codes and len(values) >= 3:
            bottom = r  # the numbering row 1 2 3 … 8.4
            continue
        if numbers:
            break
        if any(code_of([norm(v)]) is not None or norm_plain(v) in ("项目编号", "项目名称") for v in values):
            bottom = r
            continue
        break
    return bottom


def read(grid: Grid) -> SheetRead:
    out = SheetRead(layout=SUMMARY_2021.name, sheet=grid.title, summary_edition="2021")
    top = _header_row(grid)
    if top is None:
        return out
    labels = label_values(grid, range(0, top), HEADER_LABELS)
    _enterprise(grid, labels, top, out)
    unit = "元"
    if "金额单位" in labels and not is_blank(labels["金额单位"][0]):
        text = norm(labels["金额单位"][0])
        unit = next((u for u in ("亿元", "万元", "千元") if u in text), "元")
    bottom = _band_bottom(grid, top)
    paths = header_paths(grid, top, bottom)
    cols: dict[str, int] = {}
    printed: dict[str, str] = {}
    for c, path in enumerate(paths):
        leaf = norm_plain(path[-1]) if path else ""
        key = {"项目编号": "id", "项目名称": "name", "完成情况": "status", "支出类型": "expense"}.get(leaf) or code_of(
            path
        )
        if key is not None and key not in cols:
            cols[key] = c
            printed[key] = path[-1]
    if "id" not in cols:
        return out
    for r in range(bottom + 1, len(grid.rows)):
        first = grid.first_text(r)
        if not first or first.startswith(CLOSING) or first.startswith(FOOTERS):
            continue
        row = grid.rows[r]
        pid = parse_text(row[cols["id"]])
        if pid is None:
            continue
        expense_text = norm(row[cols["expense"]]) if "expense" in cols and not is_blank(row[cols["expense"]]) else ""
        expense = "资本化" if "资本化" in expense_text else ("费用化" if expense_text else None)
        summary = SummaryRow(
            row=r + 1, project=pid, expense=expense, name=parse_text(row[cols["name"]]) if "name" in cols else None
        )
        for code in CODES:
            if code not in cols:
                continue
            v = amount(row[cols[code]], unit)
            summary.amounts[code] = None if isinstance(v, Invalid) else v
            summary.cells[code] = grid.ref(r, cols[code])
            summary.labels[code] = printed[code]
        summary.cells["id"] = grid.ref(r, cols["id"])
        out.summary.append(summary)
    return out


def _enterprise(grid: Grid, labels: dict[str, tuple[Any, str]], top: int, out: SheetRead) -> None:
    def fact(*names: str) -> tuple[Any, str] | None:
        return next((labels[n] for n in names if n in labels and not is_blank(labels[n][0])), None)

    uscc = fact("纳税人识别号", "统一社会信用代码")
    if uscc:
        out.enterprise["统一社会信用代码"] = Fact(parse_text(uscc[0]), uscc[1])
    name = fact("纳税人名称", "企业名称")
    if name:
        out.enterprise["企业名称"] = Fact(parse_text(name[0]), name[1])
    period = fact("属期", "所属期", "税款所属期", "所属年度")
    year = year_in(period[0]) if period else None
    if year is None:
        year = next((y for r in range(top) for v in grid.rows[r] if (y := year_in(v))), None)
    if year is not None:
        out.enterprise["所属年度"] = Fact(year, period[1] if period else None)


SUMMARY_2021 = register(
    Layout(
        name="official_2021_summary",
        label={
            "zh": "2021版研发支出辅助账汇总表（2021年第28号公告附件2）",
            "en": "2021 official R&D summary (SAT 2021 No. 28, annex 2)",
        },
        kind="summary",
        fingerprint=fingerprint,
        read=read,
    )
)
