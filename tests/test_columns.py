"""The per-distinct-value shortcuts (issue 16) give what the per-line pandas operations they replace give."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rdcheck.checks import common
from rdcheck.compute.columns import Columns, Distinct, pair_mask
from rdcheck.compute.lines import belongs_to, dsum
from rdcheck.schema import _consistent, _subitem_consistent
from rdcheck.workbook.layout import SUBITEM_CATEGORY

NAN = float("nan")
CELLS = ["1.1", "1.2", "7.2", "资本化", None, NAN, 1, 8, Decimal("1.0"), Decimal("1.00"), dt.date(2024, 3, 1)]


def _column(rng: random.Random, n: int, pool: list) -> pd.Series:
    return pd.Series([rng.choice(pool) for _ in range(n)], index=range(2, n + 2), dtype=object)


@pytest.mark.parametrize("seed", range(30))
def test_distinct_mask_is_the_test_on_every_cell(seed: int) -> None:
    rng = random.Random(seed)
    column = _column(rng, rng.randint(0, 80), rng.sample(CELLS, rng.randint(1, len(CELLS))))
    mapping = {"1.1": True, "7.2": False, 1: True}
    tests = [
        lambda s: s == "1.1",
        lambda s: s != 8,
        lambda s: s.isin(("1.2", 8)),
        lambda s: s.isna() | (s == "资本化"),
        lambda s: s.map(mapping) == True,  # noqa: E712
    ]
    for test in tests:
        expected = np.asarray(test(column), dtype=bool)
        got = Distinct(column).mask(test)
        assert got.index.equals(column.index)
        assert got.tolist() == expected.tolist()


def test_empty_cells_of_one_kind_are_tested_once_and_the_same() -> None:
    column = pd.Series([None] * 50 + ["境外机构"], dtype=object)
    calls = []

    def test(s: pd.Series) -> pd.Series:
        calls.append(len(s))
        return s.notna() & ~s.isin(("境内企业",))

    assert Distinct(column).mask(test).tolist() == [False] * 50 + [True]
    assert calls == [1, 1]  # the distinct value, then one empty cell for all 50


def test_apply_and_lookup_spread_per_value_results() -> None:
    column = pd.Series(["P1", None, "P2", "P1", NAN, "P9"], dtype=object)
    by_id = pd.Series(["资本化", "费用化"], index=["P1", "P2"], dtype=object)
    expected = column.map(by_id)
    got = Distinct(column).apply(lambda s: s.map(by_id))
    assert got.dtype == object
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]
    assert Distinct(column).lookup({"P1": 1, "P9": 9}).tolist() == [1, None, None, 1, None, 9]


def test_take_keeps_the_codes_of_the_cells_kept() -> None:
    frame = pd.DataFrame({"支出类型": ["资本化", "费用化", None, "资本化"]}, index=[5, 6, 7, 8], dtype=object)
    keep = np.array([True, False, True, True])
    part = Columns(frame)["支出类型"].take(keep, frame.loc[keep, "支出类型"])
    assert part.mask(lambda s: s == "资本化").tolist() == [True, False, True]
    assert part.mask(lambda s: s == "资本化").index.tolist() == [5, 7, 8]


@pytest.mark.parametrize("seed", range(20))
def test_subitem_against_category_per_pair(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(0, 60)
    sub = _column(rng, n, ["1.1", "2.1", "7.3", "8.2", "9.9", None])
    cat = _column(rng, n, [1, 2, 7, 8, None])
    frame = pd.DataFrame({"明细项目": sub, "费用类别": cat})
    one_by_one = [_consistent(s, c) for s, c in zip(sub, cat, strict=True)]
    assert _subitem_consistent(frame).tolist() == one_by_one
    mapped = sub.map(SUBITEM_CATEGORY)
    assert belongs_to(sub, cat).tolist() == (mapped.notna() & (mapped == cat)).tolist()  # compute's old formula
    assert pair_mask(Distinct(sub), Distinct(cat), lambda s, c: True, empty=False).tolist() == [
        s is not None and c is not None for s, c in zip(sub, cat, strict=True)
    ]


def test_subitem_against_a_bool_category_is_judged_cell_by_cell() -> None:
    frame = pd.DataFrame({"明细项目": ["1.1", "1.1"], "费用类别": [True, 1]}, dtype=object)
    assert _subitem_consistent(frame).tolist() == [True, True]


@pytest.mark.parametrize(
    "values",
    [
        [Decimal("1E+2"), Decimal("1.50")],
        [Decimal("1E+2")],
        [Decimal("0.10"), Decimal("-0.1")],
        [Decimal("-0"), Decimal("-0")],
        [Decimal("1.005"), Decimal(3), None],
    ],
)
def test_dsum_is_pandas_sum_to_the_exponent(values: list) -> None:
    column = pd.Series(values, dtype=object)
    expected = column.sum()
    assert str(dsum(column)) == str(expected if isinstance(expected, Decimal) else Decimal(expected))


@pytest.mark.parametrize("seed", range(40))
def test_repeated_lines_are_pandas_duplicated(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    rows = [
        {
            "日期": rng.choice([dt.date(2024, 1, 1), dt.date(2024, 1, 2), None]),
            "凭证号": rng.choice(["记-1", "记-2", "记-3", None]),
            "项目编号": rng.choice(["P1", "P2", None]),
            "明细项目": rng.choice(["1.1", "1.2", None]),
            "账载金额": rng.choice([Decimal("1"), Decimal("1.00"), Decimal("2"), None]),
        }
        for _ in range(n)
    ]
    data = pd.DataFrame(rows, columns=common.REPEAT_KEYS, dtype=object, index=range(2, n + 2))
    ctx = SimpleNamespace(book=SimpleNamespace(ledger=SimpleNamespace(data=data)))
    expected = data[common.REPEAT_KEYS].duplicated(keep="first") & data["凭证号"].notna()
    assert common._repeated(ctx).tolist() == expected.tolist()


@pytest.mark.parametrize(
    "values",
    [
        [dt.date(2024, 1, 1), None, dt.date(2024, 1, 1), dt.date(1, 1, 1)],
        [None, None],
        [dt.date(2024, 3, 1)] * 3,
        [dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, 30), None],
    ],
)
def test_line_dates_are_to_datetime(values: list) -> None:
    dates = pd.Series(values, dtype=object, index=range(5, 5 + len(values)), name="日期")
    expected = pd.to_datetime(dates, errors="coerce")
    got = common._datetimes(dates, Columns(pd.DataFrame({"日期": dates})))
    assert got.dtype == expected.dtype
    assert got.equals(expected)
