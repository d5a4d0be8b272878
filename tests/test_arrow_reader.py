"""The Arrow reader (fastexcel) gives the same Book as calamine's rows, on random workbooks and on every sample.

``load_sheets(path, arrow="always")`` tries Arrow on every table sheet whatever its size (by default only big
sheets take it); ``arrow="never"`` is calamine's path. Where Arrow cannot give calamine's values it must hand the
sheet back to calamine, so the Books are equal either way; the fixed cases below check that Arrow is really used
where it can be, and that values typed late in a column are never lost to a guessed type.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rdcheck.workbook import reader
from rdcheck.workbook.arrow import ArrowSheet
from rdcheck.workbook.layout import LEDGER
from rdcheck.workbook.values import Invalid

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额(元)", "支出类型", "工号"]
TABLES = ("projects", "ledger", "summary", "staff", "assets")


def books(path: Path):
    """The Book read with calamine only, the Book read with Arrow where it can, and the Arrow path's sheets."""
    with reader.gc_paused():
        plain = reader.book_from_sheets(reader.load_sheets(path, None, "never"), path=str(path))
        sheets = reader.load_sheets(path, None, "always")
        arrow = [t for t, rows in sheets.items() if isinstance(rows, ArrowSheet)]
        fast = reader.book_from_sheets(sheets, path=str(path))
    return plain, fast, arrow


def differences(a, b) -> list[str]:
    """Where two Books differ: every table's attributes and every value with its type, and the enterprise."""
    out = []
    for name in TABLES:
        ta, tb = getattr(a, name), getattr(b, name)
        for attr in (
            "title",
            "header_row",
            "missing",
            "extra",
            "letters",
            "units",
            "invalid",
            "noted",
            "skipped_totals",
        ):
            if getattr(ta, attr) != getattr(tb, attr):
                out.append(f"{name}.{attr}: {getattr(ta, attr)!r} != {getattr(tb, attr)!r}")
        if list(ta.data.index) != list(tb.data.index) or list(ta.data.columns) != list(tb.data.columns):
            out.append(f"{name}: rows {list(ta.data.index)[:20]} != {list(tb.data.index)[:20]}")
            continue
        for col in ta.data.columns:
            for row, x, y in zip(ta.data.index, ta.data[col], tb.data[col], strict=True):
                if type(x) is not type(y) or (x != y and x == x):
                    out.append(f"{name}.{col} row {row}: {x!r} != {y!r}")
    if a.enterprise.__dict__ != b.enterprise.__dict__:
        out.append(f"enterprise: {a.enterprise.__dict__} != {b.enterprise.__dict__}")
    if a.sheet_titles != b.sheet_titles:
        out.append("sheet titles")
    return out


def save(path: Path, rows: list[list], title: str = "辅助账明细") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def clean_row(i: int) -> list:
    return [
        dt.date(2024, 1 + i % 12, 1 + i % 28),
        f"记-{i:06d}",
        "RD001",
        f"{i}月材料",
        "2 直接投入费用",
        "2.1 材料",
        1000 + i / 100,
        "费用化",
        None,
    ]


# ---------------------------------------------------------------- fixed cases


def test_a_clean_ledger_is_read_through_arrow_and_reads_the_same(tmp_path):
    total = [None, None, None, "合计", None, None, 123.45]  # the total row's word under 摘要: a text column
    path = save(tmp_path / "clean.xlsx", [HEADER, *(clean_row(i) for i in range(300)), [], total])
    plain, fast, arrow = books(path)
    assert arrow == ["辅助账明细"]
    assert differences(plain, fast) == []
    assert fast.ledger.data.loc[2, "账载金额"] == plain.ledger.data.loc[2, "账载金额"]
    assert fast.ledger.skipped_totals == 1 and len(fast.ledger.data) == 300


def test_a_total_word_text_dates_and_booleans_in_the_date_column_are_read_through_arrow(tmp_path):
    # the 日期 column is read as dates; what else it holds comes back from fastexcel's cell errors, as calamine has it
    rows = [HEADER, *(clean_row(i) for i in range(30)), ["合计", None, None, None, None, None, 99.0]]
    rows[5][0], rows[6][0], rows[7][0] = "2024年3月5日", True, "it's 3/5"
    rows[8][0] = 45356.0  # a plain number: calamine reads a float, which parse_date reads as the same day
    path = save(tmp_path / "total.xlsx", rows)
    plain, fast, arrow = books(path)
    assert arrow == ["辅助账明细"] and differences(plain, fast) == []
    assert fast.ledger.skipped_totals == 1
    assert fast.ledger.data.loc[6, "日期"] == dt.date(2024, 3, 5) and fast.ledger.data.loc[9, "日期"] == dt.date(
        2024, 3, 5
    )
    assert str(fast.ledger.invalid["日期"][7]) == "True" and str(fast.ledger.invalid["日期"][8]) == "it's 3/5"
    rows[9][0] = 45356.25  # a number with a time of day: fastexcel would make it a datetime, calamine a float
    rows[10][0] = 'say "x"'  # a text Rust's debug form escapes: not taken back
    for i, path in enumerate([save(tmp_path / "t1.xlsx", rows[:10] + rows[11:]), save(tmp_path / "t2.xlsx", rows)]):
        plain, fast, arrow = books(path)
        assert arrow == [] and differences(plain, fast) == [], i


@pytest.mark.parametrize(
    "late",
    ["1,234.00", "NA", "nan", "inf", True, dt.datetime(2024, 5, 1, 9, 30), "", "  ", "#DIV/0!", "7"],
)
def test_a_value_typed_late_in_the_amount_column_is_never_lost(tmp_path, late):
    rows = [HEADER, *(clean_row(i) for i in range(1500))]
    rows[1400][6] = late  # far past any sampled rows
    path = save(tmp_path / "late.xlsx", rows)
    plain, fast, _ = books(path)
    assert differences(plain, fast) == []
    if late in ("NA", "nan", "inf", True, "#DIV/0!"):
        assert isinstance(fast.ledger.invalid["账载金额"][1401], Invalid)


def test_dates_midnight_datetimes_times_and_text_dates_read_the_same(tmp_path):
    rows = [HEADER, *(clean_row(i) for i in range(50))]
    rows[3][0] = dt.datetime(2024, 3, 5, 0, 0)
    rows[5][0] = None
    path = save(tmp_path / "dates.xlsx", rows)
    plain, fast, arrow = books(path)
    assert arrow == ["辅助账明细"] and differences(plain, fast) == []
    # a time of day under 日期 (read as dates, it cannot be told from a plain number): back to calamine
    rows[4][0] = dt.datetime(2024, 3, 5, 13, 45, 10)
    path = save(tmp_path / "dates1.xlsx", rows)
    plain, fast, arrow = books(path)
    assert arrow == [] and differences(plain, fast) == []
    rows[6][0] = dt.time(10, 30)  # python-calamine reads a time: the sheet goes back to calamine
    rows[7][0] = "2024年3月5日"
    path = save(tmp_path / "dates2.xlsx", rows)
    plain, fast, arrow = books(path)
    assert arrow == [] and differences(plain, fast) == []


def test_a_header_below_a_title_row_or_with_a_number_goes_back_to_calamine(tmp_path):
    for head in (["研发支出辅助账"], [2024, *HEADER[1:]]):
        rows = [head, HEADER, *(clean_row(i) for i in range(20))] if len(head) == 1 else [head + ["日期"]]
        path = save(tmp_path / "title.xlsx", rows)
        plain, fast, arrow = books(path)
        assert arrow == [] and differences(plain, fast) == []


# ---------------------------------------------------------------- random workbooks

TEXT = st.sampled_from(
    ["RD001", "RD002", "合计", " 小计 ", "1 人员人工费用", "2.1 材料", "费用化", "资本化", "7", "7.50", "1,234.5",
     "2.2万", "NA", "null", "nan", "None", "", "   ", "2024-03-05", "2024年3月5日", "是", "true", "记-001", "#N/A"]
)  # fmt: skip
CELL = st.one_of(
    st.none(),
    TEXT,
    st.floats(min_value=-1e16, max_value=1e16, allow_nan=False),
    st.sampled_from([7.0, 0.1 + 0.2, 1e15, 12345.67, -3.0, 0.0]),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.sampled_from([dt.datetime(2024, 3, 5), dt.time(0, 0), dt.time(10, 30), "#DIV/0!", "#REF!"]),
)
TYPED = {
    "date": st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
    "text": TEXT,
    "amount": st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    "mixed": CELL,
}


@st.composite
def ledgers(draw):
    header = list(HEADER)
    if draw(st.booleans()):
        header.append(draw(st.sampled_from(["备注", "附件", "  ", "日期"])))  # an extra column, even a repeated name
    if draw(st.booleans()):
        header[8] = None  # no 工号
    # half the workbooks keep each column to its own kind (Arrow can read those), the rest mix kinds freely
    natural = draw(st.booleans())
    kinds = [NATURAL.get(i, "text") if natural else draw(st.sampled_from(list(TYPED))) for i in range(len(header))]
    n = draw(st.integers(min_value=0, max_value=25))
    body = [[draw(TYPED[k]) for k in kinds] for _ in range(n)]
    late = draw(st.lists(st.tuples(st.integers(0, 40), st.integers(0, len(header) - 1), st.booleans()), max_size=3))
    for r, c, odd in late:  # a cell typed late, maybe below many uniform rows: of the column's kind or any
        while len(body) <= r:
            body.append([draw(TYPED[k]) for k in kinds])
        body[r][c] = draw(CELL if odd else TYPED[kinds[c]])
    return [header, *body]


NATURAL = {0: "date", 6: "amount"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=ledgers())
def test_random_ledgers_read_the_same_through_arrow_and_calamine(tmp_path_factory, rows):
    path = save(tmp_path_factory.mktemp("prop") / "ledger.xlsx", rows)
    plain, fast, _ = books(path)
    assert differences(plain, fast) == []


# ---------------------------------------------------------------- every sample and the benchmark ledgers


def sample_files() -> list[Path]:
    return sorted(p for p in (ROOT / "samples").rglob("*.xls*") if p.is_file())


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sample_reads_the_same(path):
    try:
        reader.load_sheets(path, None, "never")
    except Exception:  # the deliberately unreadable samples: nothing to compare
        pytest.skip("unreadable sample")
    plain, fast, _ = books(path)
    assert differences(plain, fast) == []


def test_the_ledger_is_read_through_arrow_on_the_standard_samples():
    plain, fast, arrow = books(ROOT / "samples" / "ledgers" / "clean.xlsx")
    assert "辅助账明细" in arrow and differences(plain, fast) == []
    assert LEDGER.name in fast.ledger.title or fast.ledger.title == "辅助账明细"


# ---------------------------------------------------------------- amounts in yuan made from Arrow's floats


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.floats(min_value=-1e6, max_value=1e6).map(lambda v: round(v, 2)),
            st.sampled_from([0.1, 0.2, 0.1 + 0.2, -0.0, 1e-7, 5e-324, 1e15, -1e15, 1e15 + 0.125, 2.5e15, 1e300]),
            st.none(),
        ),
        max_size=40,
    ),
    patched=st.dictionaries(st.integers(0, 39), st.sampled_from(["#REF!", "#DIV/0!", "12.5", " "]), max_size=3),
)
def test_amounts_from_arrow_floats_are_the_decimals_of_each_float(values, patched):
    """Floats.yuan gives what parsing each float gives (Decimal(repr(v)) for a fraction: Arrow's text of a float has
    the same shortest round-trip digits), the same Python types, and the same Invalid verdicts."""
    import pyarrow as pa

    from rdcheck.workbook.arrow import Floats
    from rdcheck.workbook.values import parse_amount, parse_column

    patched = {i: v for i, v in patched.items() if i < len(values)}
    column = Floats(pa.array(values, type=pa.float64()), patched)
    plain = list(values)
    for i, v in patched.items():
        plain[i] = v
    parse = lambda v: parse_amount(v, "元")  # noqa: E731 - as reader._parser makes it
    got, got_bad = column.yuan(parse)
    want, want_bad = parse_column(plain, parse, "amount", "元")
    assert [(type(v), repr(v)) for v in got] == [(type(v), repr(v)) for v in want]
    assert got_bad == want_bad and column.tolist() == plain
