"""Pandera schemas for the standard sheets, and their failure cases as F03/F04/F05 hits (spec §3).

The frame validated is a table's ``data`` with its unreadable cells put back (the :class:`Invalid` overlay):
an empty required cell fails ``not_nullable`` (F03), an unreadable number or date fails ``type`` (F04), a value
outside its list fails ``choice`` (F05), and so does a 明细项目 that does not belong to its 费用类别. The frame's
index is the Excel row, so a failure case's ``index`` is the row; the column becomes its letter in the runner.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._pandera import SchemaErrors, pa
from .compute.columns import Columns, pair_mask
from .workbook import Book, Table
from .workbook.layout import CATEGORY, SUBITEM, SUBITEM_CATEGORY
from .workbook.values import Invalid

RULE_OF_CHECK = {"not_nullable": "F03", "type": "F04", "choice": "F05", "subitem_category": "F05"}


@dataclass(frozen=True)
class Failure:
    """One failing cell: the rule, the sheet, the Excel row, the canonical column and the offending value."""

    rule: str
    sheet: str
    row: int
    column: str
    value: object
    check: str


def overlay(table: Table) -> pd.DataFrame:
    """Return the table's data with unreadable cells holding their :class:`Invalid` again (only the present
    columns when there are any to put back)."""
    if not any(table.invalid.values()):  # nothing to put back: the data as they are (pandera never writes); the
        # absent columns stay in it, unvalidated (table_schema declares only the present ones), not copied out
        return table.data
    frame = table.data[[c for c in table.data.columns if table.has(c)]].copy()
    for column, bad in table.invalid.items():
        if column in frame.columns and bad:
            rows = list(bad)
            frame.loc[rows, column] = pd.Series(list(bad.values()), index=rows, dtype=object)
    return frame


def table_schema(table: Table, frame: pd.DataFrame, factorized: Columns | None = None) -> pa.DataFrameSchema:
    """Declare the schema of one table sheet's present columns, from the layout and the cells found unreadable
    (``factorized``: the frame's factorized columns, when the caller has them)."""
    columns: dict[str, pa.Column] = {}
    for f in table.layout.fields:
        if f.name not in frame.columns or not table.has(f.name):
            continue
        checks: list[pa.Check] = []
        bad = table.invalid.get(f.name, {})
        for reason in ("type", "choice"):
            marked = frozenset(v for v in bad.values() if v.reason == reason)
            if marked:
                checks.append(pa.Check(lambda s, m=marked: ~s.isin(m), name=reason))
        if f.kind == SUBITEM and "费用类别" in frame.columns and table.has("费用类别"):
            consistent = _subitem_consistent(frame, factorized)
            checks.append(
                pa.Check(lambda s, ok=consistent: ok.reindex(s.index, fill_value=True), name="subitem_category")
            )
        columns[f.name] = pa.Column(None, nullable=not f.required, checks=checks, required=False)
    return pa.DataFrameSchema(columns, name=table.name, coerce=False, strict=False)


def _subitem_consistent(frame: pd.DataFrame, columns: Columns | None = None) -> pd.Series:
    """True where 明细项目 belongs to 费用类别 (or either is empty or unreadable); ``columns``: the frame's
    factorized columns, when the caller has them."""
    sub = frame["明细项目"]
    cat = frame["费用类别"]
    if set(map(type, cat.tolist())) <= {int, type(None)}:
        # judged once per distinct pair: only equal strs and equal ints are merged, which the test cannot tell apart
        cols = columns if columns is not None and columns.serve(frame) else Columns(frame)
        ok = pair_mask(cols["明细项目"], cols["费用类别"], _consistent, empty=True)
    else:  # a bool, a float or an unreadable cell put back: one by one
        ok = [_consistent(s, c) for s, c in zip(sub.tolist(), cat.tolist(), strict=True)]
    return pd.Series(ok, index=frame.index, dtype=bool)


def _consistent(s: object, c: object) -> bool:
    get = SUBITEM_CATEGORY.get
    return not (isinstance(c, int) and isinstance(s, str) and get(s) is not None) or get(s) == c


def validate_table(table: Table, columns: Columns | None = None) -> list[Failure]:
    """Validate one present table lazily and return every failing cell, in row then column order (``columns``:
    the table's factorized columns, when the caller has them)."""
    if not table.present or table.data.empty:
        return []
    frame = overlay(table)
    schema = table_schema(table, frame, columns)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return failures(table, errors.failure_cases)
    return []


def failures(table: Table, cases: pd.DataFrame) -> list[Failure]:
    """Map pandera failure cases to cells: ``index`` is the Excel row, ``column`` the canonical column."""
    out: list[Failure] = []
    order = {f.name: i for i, f in enumerate(table.layout.fields)}
    for column, check, index, value in cases[["column", "check", "index", "failure_case"]].itertuples(index=False):
        rule = RULE_OF_CHECK.get(str(check))
        if rule is None or index is None or pd.isna(index):
            continue
        shown = value.raw if isinstance(value, Invalid) else (None if _isna(value) else value)
        out.append(Failure(rule, table.name, int(index), str(column), shown, str(check)))
    out.sort(key=lambda f: (f.row, order.get(f.column, 99)))
    return out


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def warm_up() -> None:
    """Pay pandera's first-validation cost (its backends registered, its failure-case machinery built) now.

    Called once by a parent before it forks its batch workers, so that no worker pays it again per process.
    """
    schema = pa.DataFrameSchema({"a": pa.Column(object, checks=[pa.Check(lambda s: s.notna(), name="type")])})
    try:
        schema.validate(pd.DataFrame({"a": [1, None]}, index=[2, 3]), lazy=True)
    except SchemaErrors as errors:
        errors.failure_cases[["column", "check", "index", "failure_case"]]


def validate_book(book: Book, ledger_columns: Columns | None = None) -> list[Failure]:
    """Validate every present table sheet of a book (``ledger_columns``: its ledger's factorized columns)."""
    out: list[Failure] = []
    for table in book.tables.values():
        out.extend(validate_table(table, ledger_columns if table is book.ledger else None))
    return out


__all__ = ["Failure", "RULE_OF_CHECK", "overlay", "table_schema", "validate_book", "validate_table", "CATEGORY"]
