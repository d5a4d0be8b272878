"""The 2015 “研发支出”辅助账 (国家税务总局公告2015年第97号 附件1-4; layouts.md §1c): 自主/委托/合作/集中研发.

The kind is in the title. A project row (项目名称：, 项目编号：, 资本化、费用化支出选项：, 项目实施状态选项：, …); a
header band ``2024年`` over 月 / 日, 凭证 over 种类 / 号数 (or one 凭证号), 摘要, 借方金额, 贷方金额, 借或贷, 余额, then
``费用明细（借方）`` over group headers and sub-item leaves (and often a 序号 row of codes). 借方金额 is the book amount,
the detail cells the eligible amounts by sub-item, 借方 − Σdetail is not eligible (its own line). 期初余额, transfers
(an amount in 贷方 only: to 管理费用 or an intangible asset), 本月合计, 本年累计, 期末余额 and footers are never lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..values import Invalid, is_blank, parse_text
from . import Layout, register
from .base import Fact, Line, ProjectFact, SheetRead, Tie
from .grid import Grid, header_paths, is_code, label_values, norm, norm_plain, year_in
from .rows import ZERO, Running, amount, line_head, remainder_subitem, row_kind
from .subitems import subitem_of

FORMS = ("自主研发", "委托研发", "合作研发", "集中研发")
PROJECT_LABELS = (
    "项目名称",
    "项目编号",
    "资本化、费用化支出选项",
    "项目实施状态选项",
    "研发成果",
    "研发成果证书号",
    "金额单位",
)
ROLE = {
    "月": "month",
    "日": "day",
    "日期": "date",
    "种类": "kind",
    "凭证种类": "kind",
    "号数": "number",
    "凭证号数": "number",
    "凭证号": "voucher",
    "摘要": "summary",
    "借方金额": "debit",
    "借方": "debit",
    "贷方金额": "credit",
    "贷方": "credit",
    "借或贷": "direction",
    "余额": "balance",
}
HEADER_WORDS = frozenset(ROLE) | {"凭证", "费用明细", "序号"}
CARRIES = frozenset(
    {"日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "可加计金额", "支出类型"}
)
AMOUNT_CELLS = ("账载金额", "可加计金额", "费用类别", "明细项目", "受托方类型")


def _form(grid: Grid) -> str | None:
    for r in range(min(4, len(grid.rows))):
        for text in grid.texts(r):
            if "辅助账" in text and "研发支出" in text:
                return next((f for f in FORMS if f in text), None)
    return None


def _header_row(grid: Grid) -> int | None:
    for r in range(len(grid.rows)):
        texts = {norm_plain(t) for t in grid.texts(r)}
        if "摘要" in texts and texts & {"借方金额", "借方"}:
            return r
    return None


def fingerprint(grid: Grid) -> int:
    form = _form(grid)
    r = _header_row(grid)
    if form is None or r is None:
        return 0
    band = {norm_plain(t) for rr in range(max(0, r - 2), min(len(grid.rows), r + 3)) for t in grid.texts(rr)}
    detail = any(t.startswith("费用明细") for t in band)
    labels = any("资本化、费用化支出选项" in t or "项目实施状态" in t for rr in range(r) for t in grid.texts(rr))
    return 12 + 3 * detail + 3 * labels


def _band(grid: Grid, r: int) -> tuple[int, int]:
    top = r
    while top > 0 and any(_headerish(t) for t in grid.texts(top - 1)) and not _labels_row(grid, top - 1):
        top -= 1
    bottom = r
    while bottom + 1 < len(grid.rows):
        values = [v for v in grid.rows[bottom + 1] if not is_blank(v)]
        if not values:
            break
        if all(is_code(v) or norm_plain(v) in ("合计", "序号") for v in values):
            bottom += 1  # the 序号 row of codes (1.1 … 合计)
            continue
        if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            break
        texts = [norm_plain(v) for v in values]
        if not any(
            t in HEADER_WORDS or subitem_of([t]) is not None or t.startswith(("费用明细", "一", "二")) for t in texts
        ):
            break
        bottom += 1
    return top, bottom


def _headerish(text: str) -> bool:
    plain = norm_plain(text)
    return plain in HEADER_WORDS or plain.startswith("费用明细") or bool(year_in(text) and plain.endswith("年"))


def _labels_row(grid: Grid, r: int) -> bool:
    return any(t.startswith(("项目名称", "项目编号", "资本化", "金额单位")) for t in grid.texts(r))


def read(grid: Grid) -> SheetRead:
    out = SheetRead(layout=LEDGER_2015.name, sheet=grid.title, carries=CARRIES)
    r_head = _header_row(grid)
    if r_head is None:
        return out
    form = _form(grid) or "自主研发"
    top, bottom = _band(grid, r_head)
    labels = label_values(grid, range(0, top), PROJECT_LABELS)
    paths = header_paths(grid, top, bottom)
    year = next((y for path in paths for t in path if (y := year_in(t)) and norm_plain(t).endswith("年")), None)
    year = year or next((y for r in range(top) for v in grid.rows[r] if (y := year_in(v))), None) or year_in(grid.title)
    if year is not None:
        out.enterprise["所属年度"] = Fact(year)
    unit = "元"
    if "金额单位" in labels:
        unit = next((u for u in ("亿元", "万元", "千元") if u in norm(labels["金额单位"][0])), "元")
    cols: dict[str, int] = {}
    details: dict[int, tuple[int, str | None]] = {}
    for c, path in enumerate(paths):
        leaf = norm_plain(path[-1]) if path else ""
        in_detail = any(norm_plain(p).startswith("费用明细") for p in path[:-1])
        role = ROLE.get(leaf)
        if role and not in_detail and role not in cols:
            cols[role] = c
            continue
        got = subitem_of(path) if (in_detail or len(path) > 1 or leaf) else None
        if got is not None and (in_detail or "debit" in cols):
            details[c] = got
    project = _project(grid, labels, form, out)
    running = Running()
    tied = [("debit", c) for c in [cols.get("debit")] if c is not None] + [(str(c), c) for c in details]
    header_of = {k: (paths[c] or [""])[-1] for k, c in tied}
    for r in range(bottom + 1, len(grid.rows)):
        row = grid.rows[r]
        summary = norm(row[cols["summary"]]) if "summary" in cols and not is_blank(row[cols["summary"]]) else ""
        kind = row_kind(summary) if summary and row_kind(summary) != "data" else row_kind(grid.first_text(r))
        if kind in ("month", "year"):
            shown = [(k, header_of[k], row[c], grid.ref(r, c)) for k, c in tied]
            out.ties.extend(running.tie(kind, r + 1, shown))
            continue
        if kind == "skip":
            continue
        debit = amount(row[cols["debit"]], unit) if "debit" in cols else None
        credit = amount(row[cols["credit"]], unit) if "credit" in cols else None
        cells_amounts = {c: amount(row[c], unit) for c in details}
        if (debit is None or debit == 0) and isinstance(credit, Decimal) and credit:
            continue  # a transfer out (to 管理费用 or an intangible asset): never spending, detail cells not netted
        if debit is None and all(v is None for v in cells_amounts.values()):
            continue  # a blank or text-only row
        running.add("debit", debit if isinstance(debit, Decimal) else None)
        for c, v in cells_amounts.items():
            running.add(str(c), v if isinstance(v, Decimal) else None)
        out.lines.extend(_row_lines(grid, r, cols, details, cells_amounts, debit, project, year, form, out.ties))
    return out


def _project(grid: Grid, labels: dict[str, tuple[Any, str]], form: str, out: SheetRead) -> dict[str, tuple[Any, Any]]:
    pid = labels.get("项目编号") or labels.get("项目名称") or (grid.title, None)
    exp_raw = labels.get("资本化、费用化支出选项", (None, None))
    expense = "资本化" if not is_blank(exp_raw[0]) and "资本化" in norm(exp_raw[0]) else "费用化"
    st_raw = labels.get("项目实施状态选项", (None, None))
    st = norm(st_raw[0]) if not is_blank(st_raw[0]) else ""
    status = "已完成" if "已完成" in st or st == "完成" else ("已终止" if "终止" in st else ("进行中" if st else None))
    values = {
        "项目编号": parse_text(pid[0]),
        "项目名称": parse_text(labels.get("项目名称", (None, None))[0]),
        "研发形式": form,
        "项目状态": status,
        "支出类型": expense,
    }
    cells = {"项目编号": pid[1], "项目名称": labels.get("项目名称", (None, None))[1], "支出类型": exp_raw[1]}
    cells["项目状态"] = st_raw[1]
    row = next((int(ref[len(ref.rstrip("0123456789")) :]) for ref in cells.values() if ref), 1)
    out.projects.append(ProjectFact(row=row, values=values, cells={k: v for k, v in cells.items() if v}))
    return {"项目编号": (values["项目编号"], pid[1]), "支出类型": (expense, exp_raw[1])}


def _row_lines(grid, r, cols, details, got, debit, project, year, form, ties: list[Tie]) -> list[Line]:
    common, cells, invalid = line_head(grid, r, cols, project, year)
    lines: list[Line] = []
    total = ZERO
    readable = True
    cats: list[str] = []
    for c, v in got.items():
        if v is None or (isinstance(v, Decimal) and v == 0):
            continue
        cat, sub = details[c]
        ref = grid.ref(r, c)
        line = Line(row=r + 1, values=dict(common), cells={**cells, **dict.fromkeys(AMOUNT_CELLS, ref)})
        line.invalid.update(invalid)
        line.values.update({"费用类别": cat, "明细项目": sub})
        if isinstance(v, Invalid):
            line.invalid["账载金额"] = v
            readable = False
        else:
            line.values.update({"账载金额": v, "可加计金额": v})  # 7.3: line 39 reports it, factor 0
            total += v
            cats.append(str(cat))
        lines.append(line)
    debit_ref = grid.ref(r, cols["debit"]) if "debit" in cols else None
    if isinstance(debit, Invalid):
        rest = Line(
            row=r + 1,
            values={**common, "费用类别": 8, "明细项目": "8.2"},
            cells={**cells, **dict.fromkeys(AMOUNT_CELLS, debit_ref or "")},
        )
        rest.invalid.update({**invalid, "账载金额": debit})
        return [*lines, rest]
    if not isinstance(debit, Decimal) or not readable:
        return lines
    remainder = debit - total
    if remainder < 0:
        ties.append(Tie(r + 1, debit_ref, "借方金额", shown=debit, read=total, kind="book"))
        return lines
    if remainder == 0:
        return lines
    if not details and form == "委托研发":
        # a 委托 ledger without a detail block: the debit is the contract's, eligible at 100% (7.3: never)
        text = norm(common.get("摘要") or "")
        sub = "7.3" if "境外个人" in text else ("7.2" if "境外" in text else "7.1")
        elig = remainder  # 7.3 too: A107012 line 39 reports it, its factor is 0
    else:
        sub = remainder_subitem(common.get("摘要"), cats)
        elig = remainder if sub == "7.3" else ZERO
    rest = Line(row=r + 1, values=dict(common), cells={**cells, **dict.fromkeys(AMOUNT_CELLS, debit_ref or "")})
    rest.invalid.update(invalid)
    rest.values.update({"费用类别": int(sub.split(".")[0]), "明细项目": sub, "账载金额": remainder, "可加计金额": elig})
    return [*lines, rest]


LEDGER_2015 = register(
    Layout(
        name="official_2015_ledger",
        label={
            "zh": "2015版“研发支出”辅助账（2015年第97号公告附件1-4）",
            "en": "2015 official R&D ledger (SAT 2015 No. 97, annexes 1-4)",
        },
        kind="ledger",
        fingerprint=fingerprint,
        read=read,
    )
)
