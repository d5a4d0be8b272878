"""The 2021 研发支出辅助账 (国家税务总局公告2021年第28号 附件1): one sheet per project and 支出类型 (layouts.md §1a).

A title, a project row of label/value pairs (项目编号：, 项目名称：, 完成情况：, 支出类型：, 金额单位：), a 3-row merged
header (凭证信息 › 日期 种类 号数 摘要 | 会计凭证记载金额 | 税法规定的归集金额 | 费用明细（税法规定） › six categories
and 委托研发费用 › 境内 / 境外), one row per voucher line, closing 合计 / 本月合计 / 本年累计 rows and a footer.
The layout has categories but no sub-items, no 委托境外个人 column and no column for spending that is not eligible:
each row becomes one line per category cell, plus its remainder (会计凭证记载金额 − 税法规定的归集金额) as a line of
its own (see :func:`rows.remainder_subitem`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..values import Invalid, is_blank, parse_text
from . import Layout, register
from .base import Fact, Line, ProjectFact, SheetRead, Tie
from .grid import Grid, header_paths, label_values, norm, norm_plain, year_in
from .rows import ZERO, Running, amount, line_head, remainder_subitem, row_kind

BOOK = "会计凭证记载金额"
ELIGIBLE = "税法规定的归集金额"
# leaf header words → category code (matched in the folded leaf text, bracketed parts removed)
CATEGORY_WORDS = (
    ("人员人工", "1"),
    ("直接投入", "2"),
    ("折旧", "3"),
    ("无形资产摊销", "4"),
    ("新产品设计", "5"),
    ("其他相关", "6"),
)
PROJECT_LABELS = ("项目编号", "项目名称", "完成情况", "支出类型", "金额单位")
_HEADER_WORDS = ("凭证信息", "费用明细", "日期", "摘要", "种类", "号数", "凭证号", "委托研发", "月", "日")
# what a 2021 ledger carries of the standard 辅助账明细 columns (no 明细项目 for 1-6, no 受托方 …)
# a line's category, sub-item and contractor type are told by its amount cell's column: findings point there
AMOUNT_CELLS = ("账载金额", "可加计金额", "费用类别", "明细项目", "受托方类型")
CARRIES = frozenset({"日期", "凭证号", "项目编号", "摘要", "费用类别", "账载金额", "可加计金额", "支出类型"})


def category_of(path: list[str]) -> str | None:
    """The category code a column's header path names: ``"1"``–``"6"``, ``"7.1"``, ``"7.2"``, or None."""
    if not path:
        return None
    leaf = norm_plain(path[-1])
    whole = "".join(norm_plain(p) for p in path)
    if "委托" in whole or "境内" in leaf or "境外" in leaf:
        if "境外" in leaf:
            return "7.2"
        if "境内" in leaf:
            return "7.1"
        return None
    for word, code in CATEGORY_WORDS:
        if word in leaf:
            return code
    if "摊销" in leaf:
        return "4"
    return None


def _column_map(paths: list[list[str]]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, path in enumerate(paths):
        if not path:
            continue
        leaf = norm_plain(path[-1])
        code = category_of(path)
        if code is not None and leaf not in (norm_plain(BOOK), norm_plain(ELIGIBLE)):
            columns.setdefault(code, c)
        elif leaf == BOOK or leaf.startswith("会计凭证记载"):
            columns.setdefault("book", c)
        elif leaf == ELIGIBLE or leaf.startswith("税法规定的归集"):
            columns.setdefault("eligible", c)
        elif leaf in ("日期", "凭证日期"):
            columns.setdefault("date", c)
        elif leaf == "月":
            columns.setdefault("month", c)
        elif leaf == "日":
            columns.setdefault("day", c)
        elif leaf in ("种类", "凭证种类", "凭证字"):
            columns.setdefault("kind", c)
        elif leaf in ("号数", "凭证号数", "编号"):
            columns.setdefault("number", c)
        elif leaf in ("凭证号", "凭证字号"):
            columns.setdefault("voucher", c)
        elif leaf == "摘要":
            columns.setdefault("summary", c)
    return columns


def _header_row(grid: Grid) -> tuple[int, int] | None:
    """The row and column of 会计凭证记载金额 when 税法规定的归集金额 is in the same band."""
    at = grid.find(lambda t: norm_plain(t).startswith("会计凭证记载"))
    if at is None:
        return None
    r = at[0]
    band = range(max(0, r - 2), min(len(grid.rows), r + 3))
    if grid.find(lambda t: norm_plain(t).startswith("税法规定的归集"), band) is None:
        return None
    if grid.find(lambda t: t in ("费用类别", "明细项目"), band) is not None:
        return None  # rdcheck's own ledger with the 2021 names as aliases (spec §2)
    return at


def fingerprint(grid: Grid) -> int:
    at = _header_row(grid)
    if at is None:
        return 0
    r = at[0]
    band = range(max(0, r - 2), min(len(grid.rows), r + 4))
    codes = {category_of([t]) for rr in band for t in grid.texts(rr) if t}
    found = len(codes - {None})
    return 10 + found if found >= 3 else 0


def _band(grid: Grid, r: int) -> tuple[int, int]:
    """The header band around the 会计凭证记载金额 row: up over header rows, down to the first data row."""
    top = r
    while top > 0 and any(norm_plain(t) in _HEADER_WORDS for t in grid.texts(top - 1)):
        top -= 1
    bottom = r
    while bottom + 1 < len(grid.rows) and _is_header_row(grid, bottom + 1):
        bottom += 1
    return top, bottom


def _is_header_row(grid: Grid, r: int) -> bool:
    values = [v for v in grid.rows[r] if not is_blank(v)]
    if not values:
        return False
    from .grid import is_code

    if all(is_code(v) for v in values) and len(values) >= 3:
        return True  # a numbering row (1 2 3 … 7.1 7.2)
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return False
    texts = [norm_plain(v) for v in values]
    return any(
        t in _HEADER_WORDS or category_of([t]) is not None or t.startswith(("会计凭证", "税法规定")) for t in texts
    )


def _unit(text: Any) -> str:
    t = norm(text) if not is_blank(text) else ""
    for unit in ("亿元", "万元", "千元"):
        if unit in t:
            return unit
    return "元"


def read(grid: Grid) -> SheetRead:
    out = SheetRead(layout=LEDGER_2021.name, sheet=grid.title, carries=CARRIES)
    at = _header_row(grid)
    if at is None:
        return out
    top, bottom = _band(grid, at[0])
    labels = label_values(grid, range(0, top), PROJECT_LABELS)
    year = None
    for r in range(0, top):
        year = year or next((year_in(v) for v in grid.rows[r] if year_in(v)), None)
    year = year or year_in(grid.title)
    if year is not None:
        out.enterprise["所属年度"] = Fact(year, None, None)
    unit = _unit(labels["金额单位"][0]) if "金额单位" in labels else "元"

    project = _project(grid, labels, out)
    cols = _column_map(header_paths(grid, top, bottom))
    headers = {k: (header_paths(grid, top, bottom)[c] or [""])[-1] for k, c in cols.items()}
    amount_cols = [k for k in ("book", "eligible", "1", "2", "3", "4", "5", "6", "7.1", "7.2") if k in cols]
    running = Running()
    for r in range(bottom + 1, len(grid.rows)):
        kind = row_kind(grid.first_text(r))
        if kind in ("month", "year"):
            shown = [(k, headers[k], grid.rows[r][cols[k]], grid.ref(r, cols[k])) for k in amount_cols]
            out.ties.extend(running.tie(kind, r + 1, shown))
            continue
        if kind == "skip":
            continue
        got = {k: amount(grid.rows[r][cols[k]], unit) for k in amount_cols}
        has_voucher = any(not is_blank(grid.rows[r][cols[k]]) for k in ("kind", "number", "voucher") if k in cols)
        if all(v is None for v in got.values()) and not has_voucher:
            continue  # a blank or text-only row (a note, a signature line)
        for k, v in got.items():
            running.add(k, v if isinstance(v, Decimal) else None)
        out.lines.extend(_row_lines(grid, r, cols, got, project, year, out.ties))
    return out


def _project(grid: Grid, labels: dict[str, tuple[Any, str]], out: SheetRead) -> dict[str, tuple[Any, str | None]]:
    """The sheet's project facts (项目编号, 支出类型 …) → (value, cell), and the ProjectFact for 研发项目."""
    pid = labels.get("项目编号") or labels.get("项目名称") or (grid.title, None)
    expense_raw = labels.get("支出类型", (None, None))
    expense = norm(expense_raw[0]) if not is_blank(expense_raw[0]) else ""
    expense = "资本化" if "资本化" in expense else "费用化"
    if "支出类型" not in labels:
        out.notes.append(
            {"zh": "未找到“支出类型：”，按费用化读取", "en": "no '支出类型：' found; read as 费用化 (expensed)"}
        )
    status_raw = labels.get("完成情况", (None, None))
    status_text = norm(status_raw[0]) if not is_blank(status_raw[0]) else ""
    status = "已完成" if status_text.startswith("已完成") else ("进行中" if status_text else None)
    values = {
        "项目编号": parse_text(pid[0]),
        "项目名称": parse_text(labels.get("项目名称", (None, None))[0]),
        "项目状态": status,
        "支出类型": expense,
    }
    cells = {"项目编号": pid[1], "项目名称": labels.get("项目名称", (None, None))[1]}
    cells["项目状态"] = status_raw[1]
    cells["支出类型"] = expense_raw[1]
    row = next((int(ref[len(ref.rstrip("0123456789")) :]) for ref in cells.values() if ref), 1)
    out.projects.append(ProjectFact(row=row, values=values, cells={k: v for k, v in cells.items() if v}))
    return {"项目编号": (values["项目编号"], pid[1]), "支出类型": (expense, expense_raw[1])}


def _row_lines(
    grid: Grid,
    r: int,
    cols: dict[str, int],
    got: dict[str, Any],
    project: dict[str, tuple[Any, str | None]],
    year: int | None,
    ties: list[Tie],
) -> list[Line]:
    """One line per category cell of row r, and the remainder line (book − eligible) when it is not 0."""
    common, cells, invalid = line_head(grid, r, cols, project, year)

    lines: list[Line] = []
    total_eligible = ZERO
    readable = True
    for code in ("1", "2", "3", "4", "5", "6", "7.1", "7.2"):
        if code not in cols:
            continue
        v = got.get(code)
        if v is None or (isinstance(v, Decimal) and v == 0):
            continue
        ref = grid.ref(r, cols[code])
        line = Line(row=r + 1, values=dict(common), cells={**cells, **dict.fromkeys(AMOUNT_CELLS, ref)})
        line.invalid.update(invalid)
        line.values["费用类别"] = int(code.split(".")[0])
        line.values["明细项目"] = code if "." in code else None
        if isinstance(v, Invalid):
            line.invalid["账载金额"] = v
            readable = False
        else:
            line.values["账载金额"] = v
            line.values["可加计金额"] = v
            total_eligible += v
        lines.append(line)

    book, eligible = got.get("book"), got.get("eligible")
    categories = [code for code in cols if code[0].isdigit() and isinstance(got.get(code), Decimal) and got[code]]
    if (
        isinstance(eligible, Decimal)
        and readable
        and eligible.quantize(Decimal("0.01")) != total_eligible.quantize(Decimal("0.01"))
    ):
        ties.append(
            Tie(r + 1, grid.ref(r, cols["eligible"]), ELIGIBLE, shown=eligible, read=total_eligible, kind="row")
        )
    book_ref = grid.ref(r, cols["book"]) if "book" in cols else None
    if isinstance(book, Invalid) or (book is None and not lines and invalid):
        rest = Line(row=r + 1, values=dict(common), cells={**cells, **dict.fromkeys(AMOUNT_CELLS, book_ref or "")})
        rest.values.update({"费用类别": 8, "明细项目": "8.2"})
        rest.invalid.update(invalid)
        if isinstance(book, Invalid):
            rest.invalid["账载金额"] = book
        lines.append(rest)
        return lines
    if not isinstance(book, Decimal) or not readable:
        return lines
    remainder = book - total_eligible
    if remainder < 0:
        ties.append(Tie(r + 1, book_ref, BOOK, shown=book, read=total_eligible, kind="book"))
        return lines
    if remainder == 0:
        return lines
    sub = remainder_subitem(common.get("摘要"), categories)
    rest = Line(row=r + 1, values=dict(common), cells={**cells, **dict.fromkeys(AMOUNT_CELLS, book_ref or "")})
    if "eligible" in cols:
        rest.cells["可加计金额"] = grid.ref(r, cols["eligible"])
    rest.invalid.update(invalid)
    # 7.3 委托境外个人 keeps its amount as 可加计金额, as the standard workbook's empty cell does: A107012 line 39
    # reports it, and its factor is 0 (never deducted); category 8 is 0 by definition
    elig = remainder if sub == "7.3" else ZERO
    rest.values.update({"费用类别": int(sub.split(".")[0]), "明细项目": sub, "账载金额": remainder, "可加计金额": elig})
    lines.append(rest)
    return lines


LEDGER_2021 = register(
    Layout(
        name="official_2021_ledger",
        label={
            "zh": "2021版研发支出辅助账（2021年第28号公告附件1）",
            "en": "2021 official R&D ledger (SAT 2021 No. 28, annex 1)",
        },
        kind="ledger",
        fingerprint=fingerprint,
        read=read,
    )
)
