"""Merge what the sheets of one workbook returned into one Book (layouts.md §2.1, §2.3, §2.7).

Standard sheets stay as the standard reader read them. Lines of foreign ledgers become the Book's 辅助账明细 (each
line keeping its source sheet, row and cells); when the workbook has no 研发项目 sheet, projects are synthesised
from the ledgers' project rows; when it has no 企业信息 sheet, the enterprise is what the layouts state (汇总表
header, titles), the file name and an ``--info`` file. What none of them carries is listed once (rule F12).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..book import Book, Enterprise, Source, Table
from ..layout import ENTERPRISE, LEDGER, PROJECTS
from ..values import Invalid, Noted
from . import Layout
from .base import SheetRead, SummaryRow, Tie

STANDARD = "standard"
# Which rule needs which input (sheet, column or key): a rule whose input no sheet, layout or --info file carries
# cannot run; F12 names it once instead of a cascade of findings about what the layout never had.
RULE_NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "B02": (("研发项目", "开始日期"), ("研发项目", "结束日期")),
    "B03": (("研发项目", "立项日期"), ("研发项目", "立项文号")),
    "B04": (("研发项目", "开始日期"), ("研发项目", "结束日期")),
    "B05": (("研发项目", "开始日期"), ("研发项目", "结束日期")),
    "B08": (("研发项目", "资本化开始日期"),),
    "B09": (("辅助账明细", "受托方"), ("辅助账明细", "受托方类型"), ("辅助账明细", "关联方")),
    "B10": (("研发项目", "研发形式"), ("研发项目", "技术合同登记号")),
    "B11": (("研发项目", "研发形式"),),
    "C04": (("企业信息", "行业代码"),),
    "C06": (("辅助账明细", "明细项目"),),
    "C07": (("辅助账明细", "资产编号"),),
    "C12": (("辅助账明细", "工号"),),
    "C13": (("辅助账明细", "资产编号"),),
    "F06": (("企业信息", "统一社会信用代码"),),
    "T01": (("企业信息", "统计研究开发费用合计"),),
    "T02": (("企业信息", "统计研究开发费用合计"),),
    "T03": (("企业信息", "统计研究开发人员"),),
    "T04": (("企业信息", "高新技术企业"), ("企业信息", "营业收入")),
    "T05": (("研发项目", "研究类型"),),
}


@dataclass
class SheetUse:
    """How one sheet was read: its title, the layout's name and its label."""

    sheet: str
    layout: str
    label: dict[str, str]
    kind: str  # "ledger", "summary", or the standard sheet's canonical name


@dataclass
class Foreign:
    """What foreign layouts brought into a Book, for the rules F11, F12, B13 and B14 and the report."""

    sheets: list[SheetUse] = field(default_factory=list)
    reads: list[SheetRead] = field(default_factory=list)
    ties: list[tuple[str, Tie]] = field(default_factory=list)  # (sheet title, tie)
    summaries: list[tuple[str, str, list[SummaryRow]]] = field(default_factory=list)  # (sheet, edition, rows)
    not_carried: dict[str, list[str]] = field(default_factory=dict)  # sheet → columns/keys nobody carries
    synthesised: set[str] = field(default_factory=set)  # standard sheets made from layouts (no F01/F02 for them)
    skipped: set[str] = field(default_factory=set)  # rules that cannot run
    info_file: str | None = None

    @property
    def untied(self) -> bool:
        """A sheet does not tie out: the figures that depend on it are withheld."""
        return bool(self.ties)

    def layouts_json(self) -> list[dict[str, Any]]:
        return [{"sheet": s.sheet, "layout": s.layout, "label": s.label["zh"]} for s in self.sheets]


def _empty(layout) -> pd.DataFrame:
    return pd.DataFrame({f.name: pd.Series([], dtype=object) for f in layout.fields})


def assemble(book: Book, uses: list[tuple[Layout, SheetRead]], info: Enterprise | None = None, path: str = "") -> Book:
    """Return ``book`` (the standard sheets, read as usual) with what the foreign sheets hold merged in."""
    foreign = Foreign()
    for layout, read in uses:
        foreign.reads.append(read)
        foreign.sheets.append(SheetUse(read.sheet, layout.name, layout.label, layout.kind))
        foreign.ties.extend((read.sheet, t) for t in read.ties)
        if read.summary_edition:
            foreign.summaries.append((read.sheet, read.summary_edition, read.summary))
    for name, table in (("企业信息", book.enterprise), *((t.name, t) for t in book.tables.values())):
        if table.present:
            foreign.sheets.append(
                SheetUse(
                    table.title,
                    STANDARD,
                    {"zh": f"rdcheck 标准模板：{name}", "en": f"rdcheck standard workbook: {name}"},
                    name,
                )
            )
    order = {t: i for i, t in enumerate(book.sheet_titles)}
    foreign.sheets.sort(key=lambda s: order.get(s.sheet, len(order)))

    reads = [r for _, r in uses]
    ledger_reads = [r for r in reads if r.lines]
    if ledger_reads:
        book.ledger = _ledger(book.ledger, ledger_reads)
        if not book.projects.present:
            book.projects = _projects(ledger_reads)
            foreign.synthesised.add(PROJECTS.name)
    if not book.enterprise.present:
        book.enterprise = _enterprise(reads, info, path)
        foreign.synthesised.add(ENTERPRISE.name)
        foreign.info_file = info.title if info is not None else None
    _not_carried(book, foreign)
    book.foreign = foreign
    return book


def _ledger(standard: Table, reads: list[SheetRead]) -> Table:
    """The 辅助账明细 of every foreign line (and the standard ledger's lines, when there is one too)."""
    columns = [f.name for f in LEDGER.fields]
    records: list[dict[str, Any]] = []
    sources: dict[int, Source] = {}
    invalid: dict[str, dict[int, Invalid]] = {}
    noted: dict[str, dict[int, Noted]] = {}
    carried: set[str] = set()
    n = 0
    if standard.present and len(standard.data):
        for row, values in zip(standard.data.index, standard.data.to_dict("records"), strict=True):
            n += 1
            records.append(values)
            sources[n] = Source(LEDGER.name, int(row), {c: f"{letter}{row}" for c, letter in standard.letters.items()})
            for column, bad in standard.invalid.items():
                if row in bad:
                    invalid.setdefault(column, {})[n] = bad[row]
            for column, typed in standard.noted.items():
                if row in typed:
                    noted.setdefault(column, {})[n] = typed[row]
        carried |= set(standard.letters)
    for read in reads:
        carried |= set(read.carries)
        for line in read.lines:
            n += 1
            records.append({c: line.values.get(c) for c in columns})
            sources[n] = Source(read.sheet, line.row, dict(line.cells))
            for column, bad in line.invalid.items():
                invalid.setdefault(column, {})[n] = bad
    data = pd.DataFrame(records, columns=columns, index=pd.Index(range(1, n + 1), name="row"), dtype=object)
    data = data.astype(object).where(data.notna(), None)
    return Table(
        layout=LEDGER,
        title=standard.title or reads[0].sheet,
        data=data,
        invalid=invalid,
        noted=noted,
        sources=sources,
        carried=frozenset(carried),
    )


def _projects(reads: list[SheetRead]) -> Table:
    """研发项目 from the ledgers' project rows: one per 项目编号; two sheets (费用化, 资本化) → 部分资本化."""
    columns = [f.name for f in PROJECTS.fields]
    by_id: dict[Any, dict[str, Any]] = {}
    sources: dict[int, Source] = {}
    kinds: dict[Any, set[str]] = {}
    carried: set[str] = set()
    for read in reads:
        for fact in read.projects:
            pid = fact.values.get("项目编号")
            carried |= {k for k, v in fact.values.items() if v is not None}
            kinds.setdefault(pid, set()).add(fact.values.get("支出类型") or "费用化")
            if pid in by_id:
                known = by_id[pid]
                for k, v in fact.values.items():
                    if known.get(k) is None:
                        known[k] = v
                continue
            by_id[pid] = dict(fact.values)
            sources[len(by_id)] = Source(read.sheet, fact.row, dict(fact.cells))
    records = []
    for pid, values in by_id.items():
        k = kinds.get(pid, set())
        values["支出类型"] = "部分资本化" if len(k) > 1 else next(iter(k), "费用化")
        records.append({c: values.get(c) for c in columns})
    data = pd.DataFrame(records, columns=columns, index=pd.Index(range(1, len(records) + 1), name="row"), dtype=object)
    data = data.astype(object).where(data.notna(), None)
    first = reads[0].sheet
    return Table(layout=PROJECTS, title=first, data=data, sources=sources, carried=frozenset(carried))


_USCC_IN_NAME = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _enterprise(reads: list[SheetRead], info: Enterprise | None, path: str) -> Enterprise:
    """企业信息 from an --info file, else from what the layouts state, else from the file name."""
    ent = Enterprise(title=None)
    if info is not None:
        ent = info
    stated: dict[str, Any] = {}
    for read in reads:
        for key, fact in read.enterprise.items():
            if fact.value is not None:
                if key not in stated or (fact.cell and not stated[key].cell):
                    stated[key] = fact
    for key, fact in stated.items():
        if ent.values.get(key) is None:
            ent.values[key] = fact.value
            if fact.cell:
                ent.cells[key] = fact.cell
    name = Path(path).stem.upper() if path else ""
    if ent.values.get("统一社会信用代码") is None and (m := _USCC_IN_NAME.search(name)):
        ent.values["统一社会信用代码"] = m.group(1)
    if ent.values.get("所属年度") is None and (m := _YEAR_IN_NAME.search(name)):
        ent.values["所属年度"] = int(m.group(1))
    for f in ENTERPRISE.fields:
        ent.values.setdefault(f.name, None)
    ent.missing = []
    return ent


def _not_carried(book: Book, foreign: Foreign) -> None:
    """What no sheet, layout or --info file carries, and the rules that therefore cannot run."""
    missing: dict[str, list[str]] = {}
    needed = {column for needs in RULE_NEEDS.values() for _, column in needs}

    def matters(f) -> bool:  # a required field, or one a rule needs (the optional rest is not worth a word)
        return f.required or f.name in needed

    if ENTERPRISE.name in foreign.synthesised:
        keys = [f.name for f in ENTERPRISE.fields if matters(f) and book.enterprise.values.get(f.name) is None]
        if keys:
            missing[ENTERPRISE.name] = keys
    if PROJECTS.name in foreign.synthesised:
        cols = [f.name for f in PROJECTS.fields if matters(f) and not book.projects.has(f.name)]
        if cols:
            missing[PROJECTS.name] = cols
    if book.ledger.sources is not None:
        cols = [f.name for f in LEDGER.fields if matters(f) and not book.ledger.has(f.name)]
        if cols:
            missing[LEDGER.name] = cols
    foreign.not_carried = missing
    for rule, needs in RULE_NEEDS.items():
        if any(column in missing.get(sheet, ()) for sheet, column in needs):
            foreign.skipped.add(rule)


__all__ = ["Foreign", "RULE_NEEDS", "STANDARD", "SheetUse", "assemble"]
