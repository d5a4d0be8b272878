"""The 2015 附件5 汇总表 (研发项目可加计扣除研究开发费用情况归集表; 国家税务总局公告2015年第97号; layouts.md §1c).

Ten descriptive columns (序号 … 研发成果证书号), amounts by sub-item, 7 委托外部研究开发费用 and 7.1 其中：委托境外,
8 第1至5类费用合计, 8.1 其他相关费用限额 (per project: the 2015 rule, replaced from tax year 2021 by the all-project
limit), 9, 9.1; then account movement rows and 项目明细. Read for the enterprise keys and the project rows; B14 checks
the rows against the ledgers and tells a tax year ≥ 2021 that this form states the repealed limit.
"""

from __future__ import annotations

from ..values import Invalid, is_blank, parse_text
from . import Layout, register
from .base import SheetRead, SummaryRow
from .grid import Grid, header_paths, is_code, label_values, norm, norm_plain
from .official_2021_summary import HEADER_LABELS, _enterprise
from .rows import amount
from .subitems import subitem_of

STOP = ("合计", "期初余额", "本期借方发生额", "本期贷方发生额", "其中", "期末余额", "项目明细", "法定代表人", "经办人")
TAIL_WORDS = (
    ("其中：委托境外", "7.1"),
    ("委托外部研究开发费用", "7"),
    ("第1至5类费用合计", "8"),
    ("其他相关费用限额", "8.1"),
    ("当期费用化支出可加计扣除总额", "9"),
    ("研发费用率", "9.1"),
)


def _header_row(grid: Grid) -> int | None:
    for r in range(len(grid.rows)):
        texts = {norm_plain(t) for t in grid.texts(r)}
        if "项目编号" in texts and "研发形式" in texts and any(t.startswith("资本化、费用化") for t in texts):
            return r
    return None


def fingerprint(grid: Grid) -> int:
    r = _header_row(grid)
    if r is None:
        return 0
    band = "".join(norm_plain(t) for rr in range(r, min(len(grid.rows), r + 3)) for t in grid.texts(rr))
    signs = sum(
        1 for w in ("第1至5类费用合计", "其他相关费用限额", "当期费用化支出可加计扣除总额", "委托外部") if w in band
    )
    return 20 + signs if signs >= 2 else 0


def _code(path: list[str]) -> str | None:
    leaf = norm_plain(path[-1]) if path else ""
    for word, code in TAIL_WORDS:
        if norm_plain(word) in leaf:
            return code
    got = subitem_of(path)
    if got is None or got[0] == 7:
        return None
    return got[1] or str(got[0])


def read(grid: Grid) -> SheetRead:
    out = SheetRead(layout=SUMMARY_2015.name, sheet=grid.title, summary_edition="2015")
    top = _header_row(grid)
    if top is None:
        return out
    _enterprise(grid, label_values(grid, range(0, top), HEADER_LABELS), top, out)
    bottom = top
    while bottom + 1 < len(grid.rows):
        values = [v for v in grid.rows[bottom + 1] if not is_blank(v)]
        if not values or any(
            isinstance(v, (int, float)) and not isinstance(v, bool) and not is_code(v) for v in values
        ):
            break
        if not all(isinstance(v, str) for v in values) and not all(is_code(v) for v in values):
            break
        if parse_text(grid.rows[bottom + 1][_col(grid, top, "项目编号")]) not in (None, "项目编号"):
            break
        bottom += 1
    paths = header_paths(grid, top, bottom)
    cols: dict[str, int] = {}
    for c, path in enumerate(paths):
        leaf = norm_plain(path[-1]) if path else ""
        key = {"项目编号": "id", "项目名称": "name"}.get(leaf)
        key = key or ("expense" if leaf.startswith("资本化、费用化") else None) or _code(path)
        if key is not None and key not in cols:
            cols[key] = c
    if "id" not in cols:
        return out
    for r in range(bottom + 1, len(grid.rows)):
        texts = [t for t in grid.texts(r) if t]
        if not texts:
            continue
        if any(t.startswith(STOP) for t in texts[:3]):
            break  # the movement block and 项目明细 hold credits and balances, not project spending
        row = grid.rows[r]
        pid = parse_text(row[cols["id"]])
        if pid is None:
            continue
        expense_text = norm(row[cols["expense"]]) if "expense" in cols and not is_blank(row[cols["expense"]]) else ""
        srow = SummaryRow(row=r + 1, project=pid, expense="资本化" if "资本化" == expense_text else "费用化")
        srow.name = parse_text(row[cols["name"]]) if "name" in cols else None
        for key, c in cols.items():
            if key in ("id", "name", "expense"):
                continue
            v = amount(row[c])
            srow.amounts[key] = None if isinstance(v, Invalid) else v
            srow.cells[key] = grid.ref(r, c)
            srow.labels[key] = (paths[c] or [key])[-1]
        out.summary.append(srow)
    return out


def _col(grid: Grid, r: int, word: str) -> int:
    return next((c for c, t in enumerate(grid.texts(r)) if norm_plain(t) == word), 0)


SUMMARY_2015 = register(
    Layout(
        name="official_2015_summary",
        label={
            "zh": "2015版研发项目可加计扣除研究开发费用情况归集表（2015年第97号公告附件5）",
            "en": "2015 official R&D summary (SAT 2015 No. 97, annex 5)",
        },
        kind="summary",
        fingerprint=fingerprint,
        read=read,
    )
)
