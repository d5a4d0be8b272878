"""Derived ledger columns shared by the checks, computed once per run over whole columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..compute.columns import Columns, Distinct
from ..compute.lines import belongs_to
from .registry import Context

ZERO = Decimal(0)


def dec(value: Any) -> Decimal:
    """A Decimal from an amount that may be missing (missing = 0)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        return ZERO
    if isinstance(value, (int, float)):
        return Decimal(str(value)) if value == value else ZERO
    return ZERO


def total(series: pd.Series) -> Decimal:
    """Sum a column of Decimals exactly (empty cells skipped)."""
    values = series.tolist()
    if set(map(type, values)) == {Decimal}:
        return sum(values, ZERO)
    return sum([v for v in values if isinstance(v, Decimal)], ZERO)


def tax_year(ctx: Context) -> int | None:
    """所属年度 when it is a year rdcheck checks: from F10's ``min_year`` to this year. F10 reports any other
    所属年度 as the one cause; the year-bound checks (F07, B02, the year's totals) then take every line as the
    year's rather than report each line against a year that is itself wrong."""
    year = ctx.book.year
    low, high = year_range()
    return year if year is not None and low <= year <= high else None


def year_range() -> tuple[int, int]:
    """The years rdcheck implements: F10's ``min_year`` (2021) to the current year."""
    from ..engine.catalogue import load_catalogue

    low = int(load_catalogue()["F10"].params.get("min_year", 2021))
    return low, dt.date.today().year


def ledger(ctx: Context) -> pd.DataFrame:
    """The ledger with derived columns: ``cat`` (费用类别), ``sub``, ``project``, ``book`` and ``eligible``
    (可加计金额; empty = 账载金额, for category 8 empty = 0), ``expense``, ``when`` (datetime64), ``in_year``
    (dated in 所属年度 or undated) and ``counted`` (the line counts for the year's totals)."""
    return ctx.cached("ledger", lambda: _ledger(ctx))


def _ledger(ctx: Context) -> pd.DataFrame:
    data = ctx.book.ledger.data
    out = pd.DataFrame(index=data.index)
    cat = data["费用类别"]
    out["cat"] = cat.astype(object)
    out["sub"] = data["明细项目"]
    out["project"] = data["项目编号"]
    out["book"] = data["账载金额"]
    eligible = data["可加计金额"]
    # factorized once for the derived columns here and for line_is/line_in (same values, same index)
    cats, subs = ledger_columns(ctx)["费用类别"], ledger_columns(ctx)["明细项目"]
    fill = data["账载金额"].where(cats.mask(lambda c: c != 8), ZERO)
    out["eligible"] = eligible.where(given(ctx, "可加计金额"), fill)
    out["expense"] = data["支出类型"]
    out["when"] = _datetimes(data["日期"], ledger_columns(ctx))
    year = tax_year(ctx)
    in_year = pd.Series(True, index=data.index) if year is None else out["when"].isna() | (out["when"].dt.year == year)
    # The lines the computation counts (rdcheck.compute.lines.counted_mask): readable category, sub-item of that
    # category and amount, dated in the year or undated — so totals here agree with the report's figures.
    belongs = pd.Series(belongs_to(subs, cats), index=data.index)
    if ctx.book.ledger.sources is not None:  # a layout without sub-items (2021 official): by category alone
        belongs |= data["明细项目"].isna() & cat.isin(range(1, 7))
    out["in_year"] = in_year.astype(bool)
    out["counted"] = (in_year & belongs & given(ctx, "账载金额")).astype(bool)
    return out


def _datetimes(dates: pd.Series, columns: Columns) -> pd.Series:
    """``pd.to_datetime(dates, errors="coerce")``; for a column of dates, converted once per distinct date (the
    same set of values, first seen first, so pandas infers the same unit) and spread back."""
    if not len(dates):
        return pd.Series([], dtype="datetime64[s]")
    if not set(map(type, dates.tolist())) <= {dt.date, type(None)}:
        return pd.to_datetime(dates, errors="coerce")
    days = columns["日期"]
    converted = pd.to_datetime(pd.Series(days.values, dtype=object), errors="coerce")
    at = np.append(converted.to_numpy(), np.array(["NaT"], dtype=converted.dtype))  # code -1: an empty cell
    return pd.Series(at[days.codes], index=dates.index, name=dates.name)


# ledger(ctx)'s columns that are the book's ledger columns as they are
BOOK_COLUMNS = {"cat": "费用类别", "sub": "明细项目", "project": "项目编号", "expense": "支出类型"}


def ledger_columns(ctx: Context) -> Columns:
    """The book's ledger columns, each factorized once: the computation's (it made them for this book's ledger)
    or, for a check run without one, this run's."""
    shared = getattr(ctx.calc, "columns", None)
    if isinstance(shared, Columns) and shared.serve(ctx.book.ledger.data):
        return shared
    return ctx.cached("columns", lambda: Columns(ctx.book.ledger.data))


def distinct(ctx: Context, column: str) -> Distinct:
    """A column of ``ledger(ctx)`` factorized once per run (see compute/columns.py)."""
    name = BOOK_COLUMNS.get(column)
    if name is not None:
        return ledger_columns(ctx)[name]
    return ctx.cached(f"distinct:{column}", lambda: Distinct(ledger(ctx)[column]))


def line_is(ctx: Context, column: str, value: Any) -> pd.Series:
    """``ledger(ctx)[column] == value``, judged once per distinct value and per run (a copy: yours to change)."""
    return ctx.cached(f"is:{column}:{value!r}", lambda: distinct(ctx, column).mask(lambda s: s == value)).copy()


def line_in(ctx: Context, column: str, values: Iterable[Any]) -> pd.Series:
    """``ledger(ctx)[column].isin(values)``, judged once per distinct value and per run (a copy)."""
    values = tuple(values)
    return ctx.cached(f"in:{column}:{values!r}", lambda: distinct(ctx, column).mask(lambda s: s.isin(values))).copy()


def given(ctx: Context, column: str) -> pd.Series:
    """``ctx.book.ledger.data[column].notna()``, made once per run (a copy: yours to change)."""
    return ctx.cached(f"given:{column}", lambda: ctx.book.ledger.data[column].notna()).copy()


def unread_cells(ctx: Context) -> list[tuple[int, str]]:
    """The ledger cells (Excel row, column) that could not be read and so left their line out of the figures.

    Rules that compare a reported total with a computed one (C08, C09, C10, T02) hold back while there are any:
    the computed side is incomplete, and F04/F05 already point at the cause.
    """
    return ctx.cached("unread", ctx.book.unread_cells)


def repeated_lines(ctx: Context) -> pd.Series:
    """True on each ledger line that repeats an earlier one (日期, 凭证号, 项目编号, 明细项目, 账载金额 all equal,
    with a 凭证号): F09 reports these, and sums that the enterprise made without them are not wrong for it."""
    return ctx.cached("repeated", lambda: _repeated(ctx))


REPEAT_KEYS = ["日期", "凭证号", "项目编号", "明细项目", "账载金额"]


def _repeated(ctx: Context) -> pd.Series:
    data = ctx.book.ledger.data
    if data.empty:
        return pd.Series(False, index=data.index, dtype=bool)
    voucher = data["凭证号"]
    # A repeated line shares its 凭证号 with an earlier one: only the lines whose 凭证号 recurs are compared on
    # all five keys (hashing a column of Decimals is the dear part; most vouchers hold few lines).
    same_voucher = voucher.duplicated(keep=False).to_numpy() & voucher.notna().to_numpy()
    repeated = np.zeros(len(data), dtype=bool)
    if same_voucher.any():
        repeated[same_voucher] = data.loc[same_voucher, REPEAT_KEYS].duplicated(keep="first").to_numpy()
    return pd.Series(repeated, index=data.index, dtype=bool)


def empty_ledger_reported(ctx: Context) -> bool:
    """The ledger has no line though 利润表研发费用 > 0: B12's one finding; per-project and per-asset rules that
    would each say "no line" (B02, C07) stay quiet."""
    reported = ctx.book.enterprise.values.get("利润表研发费用")
    return ctx.book.ledger.data.empty and isinstance(reported, Decimal) and reported > 0


def projects(ctx: Context) -> pd.DataFrame:
    """研发项目, one row per distinct 项目编号 (the first when repeated), indexed by Excel row (made once per run)."""

    def make() -> pd.DataFrame:
        data = ctx.book.projects.data
        return data[data["项目编号"].notna() & ~data["项目编号"].duplicated()]

    return ctx.cached("projects", make)


def project_book_sums(ctx: Context) -> dict[Any, Any]:
    """项目编号 → the 账载金额 of its counted ledger lines, summed (a project without lines is absent)."""

    def make() -> dict[Any, Any]:
        lines = ledger(ctx)
        return lines[lines["counted"]].groupby("project")["book"].sum().to_dict()

    return ctx.cached("project_book_sums", make)


def project_column(ctx: Context, column: str) -> pd.Series:
    """A 研发项目 column mapped onto the ledger lines by 项目编号 (None for unknown projects)."""
    p = projects(ctx)
    by_id = pd.Series(p[column].values, index=p["项目编号"].values)
    return distinct(ctx, "project").apply(lambda ids: ids.map(by_id))


def project_dates(ctx: Context, column: str) -> pd.Series:
    """A 研发项目 date column as datetime64, mapped onto the ledger lines by 项目编号 (NaT for unknown projects,
    empty or non-date cells). Converted once per project, not once per line."""

    def make() -> pd.Series:
        p = projects(ctx)
        lines = ledger(ctx)["project"]
        dates = as_datetime(
            pd.Series([v if isinstance(v, dt.date) else None for v in p[column].tolist()], dtype=object)
        )
        dates = dates.to_numpy() if dates.dtype.kind == "M" else dates.to_numpy(dtype="datetime64[ns]")
        if not len(dates):  # no project with an id: every line's date is unknown (pandas cannot map an empty lookup)
            return pd.Series(np.full(len(lines), np.datetime64("NaT"), dtype=dates.dtype), index=lines.index)
        # 项目编号 is unique in projects(): each line's position in it, -1 for an unknown project
        ids = distinct(ctx, "project")  # looked up once per distinct 项目编号
        at = np.append(pd.Index(p["项目编号"].tolist(), dtype=object).get_indexer(ids.values), -1)[ids.codes]
        return pd.Series(np.where(at >= 0, dates[at], np.datetime64("NaT")), index=lines.index)

    return ctx.cached(f"project_dates:{column}", make)


def as_datetime(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce") if len(series) else pd.Series([], dtype="datetime64[s]")


def key(ctx: Context, name: str) -> Any:
    """A 企业信息 value (None when empty, absent or unreadable)."""
    return ctx.book.enterprise.values.get(name)


def figure(ctx: Context, attr: str, *keys: Any) -> Any:
    """A figure from the computation (``calc.a107012[51]``), or None when the computation lacks it."""
    value = getattr(ctx.calc, attr, None)
    for k in keys:
        if value is None:
            return None
        try:
            value = value[k]
        except (KeyError, IndexError, TypeError):
            return None
    return value
