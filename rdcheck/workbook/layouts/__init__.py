"""Foreign ledger layouts: one module per layout behind one fingerprint → reader registry (layouts.md).

rdcheck's own workbook (spec §2) is read by ``workbook.reader``. Every other layout an enterprise may send — the
tax administration's 2021 and 2015 sample ledgers and 汇总表, an accounting package's 多栏账 — is one module here
that registers one or more :class:`Layout` objects. ``workbook.reader`` offers every sheet of a workbook to the
registry (:func:`recognise`); the best fingerprint wins, and the sheet is read by that layout's ``read``.
``workbook.layouts.assemble`` then merges what all sheets returned into the same :class:`~rdcheck.workbook.Book`
the checks and the computation use.

How a layout module plugs in
----------------------------
1. Write ``rdcheck/workbook/layouts/<name>.py`` and add ``"<name>"`` to :data:`MODULES` below.
2. In it, call :func:`register` once per layout with a :class:`Layout`:

   - ``name``: a stable id (``official_2021_ledger``), shown in JSON ``layouts`` and F11;
   - ``label``: ``{"zh": …, "en": …}``, what F11 tells the user the sheet was read as;
   - ``kind``: ``"ledger"`` (its lines are spending) or ``"summary"`` (a 汇总表, checked against the ledgers);
   - ``fingerprint(grid) -> int``: 0 when the sheet is not this layout, else a score (more = surer; a
     layout should reach 10+ only on the headers it alone has). Look at the first :data:`HEAD_ROWS` rows only.
   - ``read(grid) -> SheetRead``: the sheet's content.

3. What ``read`` receives: a :class:`~rdcheck.workbook.layouts.grid.Grid` — ``grid.title`` (the sheet's name in
   the workbook), ``grid.rows[r][c]`` the cached cell values (row 0 = Excel row 1, column 0 = A) with every merged
   range's value copied into each cell it covers, ``grid.ref(r, c)`` a cell's reference (``G12``). Helpers in
   ``grid.py``: ``header_paths`` (a multi-row header band → one path of texts per column), ``label_values``
   (``项目编号：`` pairs), ``norm`` (text folding for matching), ``year_in``.
4. What ``read`` returns: a :class:`SheetRead` (see ``base.py``):

   - ``lines``: one :class:`Line` per ledger line — ``values`` keyed by the standard ledger's canonical column
     names (``日期 凭证号 项目编号 摘要 费用类别 明细项目 账载金额 可加计金额 支出类型 受托方类型``), already
     parsed (``Decimal`` amounts in yuan, ``datetime.date``, category ``int``, sub-item code ``"1.1"``); a cell
     that cannot be read goes to ``invalid[column] = Invalid(raw)`` (F04 points at it); ``cells[column]`` is the
     source cell of each value and ``row`` its Excel row, so findings point at the file the enterprise sent.
     Only spending: never a total, balance, page-carry, footer or credit (transfer) row. The row's split must be
     exact: Σ 账载金额 of its lines = the row's book amount, Σ 可加计金额 = its eligible amount.
   - ``projects``: :class:`ProjectFact` per project (研发项目 canonical columns: 项目编号, 项目名称, 项目状态,
     支出类型, 研发形式), each with its source cells;
   - ``enterprise``: 企业信息 keys the sheet states (统一社会信用代码, 企业名称, 所属年度) → :class:`Fact`;
   - ``summary`` / ``summary_edition``: for a 汇总表 layout, its rows (:class:`SummaryRow`, amounts by the
     official column code) and ``"2021"`` or ``"2015"``;
   - ``ties``: :class:`Tie` — every place the sheet does not agree with itself (lines vs its 合计 / 本年累计 row,
     a row's categories vs its eligible total); rule B13 reports them and the figures are withheld;
   - ``carries``: the standard columns the layout carries at all (what it lacks is said once, rule F12);
   - ``notes``: anything else the user must be told about this sheet (shown with F11).

A reader never raises on bad content: it returns what it could read, with ``ties`` and ``invalid``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from .base import Fact, Line, ProjectFact, SheetRead, SummaryRow, Tie
from .grid import Grid

HEAD_ROWS = 30  # fingerprints look at a sheet's first rows only
MODULES = ("official_2021", "official_2021_summary", "official_2015", "official_2015_summary", "erp")


@dataclass(frozen=True)
class Layout:
    """A foreign sheet layout: how to recognise it and how to read it."""

    name: str
    label: dict[str, str]
    kind: str  # "ledger" | "summary"
    fingerprint: Callable[[Grid], int]
    read: Callable[[Grid], SheetRead]


_REGISTRY: dict[str, Layout] = {}
_loaded = False


def register(layout: Layout) -> Layout:
    """Add a layout to the registry (one name, one layout)."""
    if layout.name in _REGISTRY and _REGISTRY[layout.name] is not layout:
        raise RuntimeError(f"layout {layout.name} is registered twice")
    _REGISTRY[layout.name] = layout
    return layout


def layouts() -> dict[str, Layout]:
    """Every registered layout, by name (the layout modules are imported the first time)."""
    global _loaded
    if not _loaded:
        for module in MODULES:
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True
    return _REGISTRY


def recognise(grid: Grid) -> Layout | None:
    """The layout a sheet is in (the highest fingerprint), or None when no foreign layout fits."""
    head = Grid(title=grid.title, rows=grid.rows[:HEAD_ROWS], merged=grid.merged)
    best: tuple[int, Layout] | None = None
    for layout in layouts().values():
        score = layout.fingerprint(head)
        if score > 0 and (best is None or score > best[0]):
            best = (score, layout)
    return best[1] if best else None


__all__ = [
    "Fact",
    "Grid",
    "HEAD_ROWS",
    "Layout",
    "Line",
    "MODULES",
    "ProjectFact",
    "SheetRead",
    "SummaryRow",
    "Tie",
    "layouts",
    "recognise",
    "register",
]
