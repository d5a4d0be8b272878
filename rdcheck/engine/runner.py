"""Run every enabled rule's check over a Book and turn its hits into Findings (spec §3)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..model import PILLARS, Finding
from ..workbook import Book
from ..workbook.layout import ENTERPRISE, SHEETS
from .catalogue import Catalogue, Rule, load_catalogue
from .config import Config

if TYPE_CHECKING:
    from ..checks.registry import Hit

SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}
PILLAR_ORDER = {p: i for i, p in enumerate(PILLARS)}


def run(
    book: Book,
    calc: Any,
    config: Config | None = None,
    lang: str = "zh",
    catalogue: Catalogue | None = None,
    only: set[str] | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> list[Finding]:
    """Check a Book: run every enabled rule (or only those named) and return its findings, sorted.

    ``params`` gives per-rule parameter overrides on top of the config (used by rule examples).
    """
    config = config or Config()
    catalogue = catalogue or load_catalogue()
    # the engine runs the checks; the checks never import the engine (imported here: they bring pandas)
    from ..checks import registered
    from ..checks.registry import Context

    checks = registered()
    cache: dict[str, Any] = {}
    cells = _Cells(book)
    findings: list[Finding] = []
    # rules whose input a foreign layout does not carry cannot run; F12 names them once
    skipped = book.foreign.skipped if book.foreign is not None else set()
    for rule in catalogue:
        if (only is not None and rule.id not in only) or not config.enabled(rule) or rule.id in skipped:
            continue
        fn = checks.get(rule.id)
        if fn is None:
            continue
        ctx = Context(book, calc, config.params(rule, (params or {}).get(rule.id)), cache)
        severity = config.severity(rule)
        for hit in fn(ctx):
            findings.append(finding(book, rule, hit, severity, lang, cells))
    findings.sort(key=sort_key)
    shared = getattr(calc, "columns", None)
    if shared is not None:  # the ledger's factorizations served this check; the report keeps calc, not them
        shared.made.clear()
    return findings


class _Cells:
    """What a book's cells hold, looked up by (sheet, column, row); each column is indexed once per run."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.tables = book.tables
        self.columns: dict[tuple[str, str], dict[int, Any]] = {}

    def value(self, sheet: str, column: str, row: int) -> Any:
        table = self.tables.get(sheet)
        if table is None or column not in table.data.columns:
            return None
        bad = table.invalid.get(column, {}).get(row)
        if bad is not None:
            return bad.raw
        values = self.columns.get((sheet, column))
        if values is None:
            values = self.columns[(sheet, column)] = table.data[column].to_dict()
        return _plain(values.get(row))


def finding(book: Book, rule: Rule, hit: Hit, severity: str, lang: str, cells: _Cells | None = None) -> Finding:
    """Build a Finding from a hit: resolve row, cell and value, render the message."""
    row, cell, value = hit.row, hit.cell, hit.value
    if hit.sheet == ENTERPRISE.name and hit.column is not None:
        ent = book.enterprise
        row = ent.rows.get(hit.column)
        cell = ent.cells.get(hit.column) if row is not None else None
        if value is None and row is not None:
            value = ent.raw(hit.column)
    elif hit.sheet is not None and hit.column is not None and row is not None:
        cells = cells or _Cells(book)
        table = cells.tables.get(hit.sheet)
        if table is not None:
            if value is None:
                value = cells.value(hit.sheet, hit.column, row)
            sheet, row, cell = table.locate(hit.column, row)
            if sheet != hit.sheet:  # a line of a foreign layout: its own sheet, row and cell
                hit = replace(hit, sheet=sheet)
    elif hit.sheet is not None and row is not None:
        table = (cells.tables if cells else book.tables).get(hit.sheet)
        if table is not None and table.sources is not None:
            sheet, row, _ = table.locate(None, row)
            hit = replace(hit, sheet=sheet)
    values = {"sheet": hit.sheet, "column": hit.column, "cell": cell, "row": row, "value": value, **hit.values}
    return Finding(
        rule=rule.id,
        severity=hit.severity or severity,
        pillar=rule.pillar,
        sheet=hit.sheet,
        row=row,
        column=hit.column,
        cell=cell,
        message=rule.render(lang, values, hit.variant),
        value=value,
        basis=rule.basis,
        hint=rule.render_hint(lang, values, hit.hint or hit.variant),
    )


def _plain(value: Any) -> Any:
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        pass
    return value


def _column_rank(cell: str | None) -> tuple[int, str]:
    letters = "".join(ch for ch in cell or "" if ch.isalpha())
    return (len(letters), letters)


def sort_key(f: Finding) -> tuple:
    """Pillar (F, B, C, T), sheet, row (sheet-level first), rule, then column."""
    return (
        PILLAR_ORDER.get(f.pillar, 9),
        SHEET_ORDER.get(f.sheet or "", -1),
        -1 if f.row is None else f.row,
        f.rule,
        _column_rank(f.cell),
        f.column or "",
    )
