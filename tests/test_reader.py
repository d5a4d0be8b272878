"""The reader: names, headers, units, numbers, dates, choices, skipped rows, row numbers and column letters."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from rdcheck.errors import ReadError
from rdcheck.workbook import book_from_sheets, column_letter, read_book
from rdcheck.workbook.values import (
    Invalid,
    Noted,
    parse_amount,
    parse_bool,
    parse_category,
    parse_date,
    parse_ratio,
    parse_subitem,
    parse_year,
    split_unit,
)

LEDGER_HEADER = [
    "日期",
    "凭证号",
    "项目编号",
    "摘要",
    "费用类别",
    "明细项目",
    "账载金额(元)",
    "可加计金额(元)",
    "支出类型",
]


def ledger_book(rows, header=LEDGER_HEADER, above=()):
    return book_from_sheets({"辅助账明细": [*above, header, *rows]})


@pytest.mark.parametrize(
    ("header", "key", "unit"),
    [
        ("金额(元)", "金额", "元"),
        (" 金额 （万元） ", "金额", "万元"),
        ("账载金额【千元】", "账载金额", "千元"),
        ("项 目 编 号", "项目编号", None),
        ("ＡＭＯＵＮＴ", "amount", None),
        ("统计研究开发费用合计 (千元)", "统计研究开发费用合计", "千元"),
    ],
)
def test_header_names_fold_spaces_width_and_unit(header, key, unit):
    assert split_unit(header) == (key, unit)


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("1,234.50", "元", Decimal("1234.50")),
        ("１２３４．５", "元", Decimal("1234.5")),
        ("(1,234.50)", "元", Decimal("-1234.50")),
        ("2.5万元", "元", Decimal("25000")),
        ("2.5万元", "千元", Decimal("25000")),  # the value's own unit wins over the header's
        ("1234.5元", "万元", Decimal("1234.5")),
        (0.36, "万元", Decimal("3600")),  # shortest decimal form, exactly
        (1.5, "千元", Decimal("1500")),
        (12, "亿元", Decimal("1200000000")),
        ("-300", "元", Decimal("-300")),
        ("￥1,000", "元", Decimal("1000")),
        (0.1 + 0.2, "元", Decimal("0.30000000000000004")),  # F08 sees the real value, not a rounded one
    ],
)
def test_amounts(raw, unit, expected):
    assert parse_amount(raw, unit) == expected


@pytest.mark.parametrize("raw", ["abc", "1,23,4", "12.3.4", "1 2 3x", "—", True])
def test_unreadable_amounts_keep_their_text(raw):
    got = parse_amount(raw, "元")
    assert isinstance(got, Invalid)
    assert got.raw == (str(raw) if not isinstance(raw, str) else raw.strip())


def test_empty_amount_is_none_not_zero():
    assert parse_amount("", "元") is None
    assert parse_amount("   ", "元") is None
    assert parse_amount(None, "元") is None


@pytest.mark.parametrize(("raw", "expected"), [(0.6, "0.6"), ("60%", "0.6"), (60, "0.6"), ("６０％", "0.6"), (1, "1")])
def test_ratios(raw, expected):
    assert parse_ratio(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    [
        dt.datetime(2024, 3, 5, 10, 0),
        dt.date(2024, 3, 5),
        45356,
        45356.0,
        "2024-03-05",
        "2024/3/5",
        "2024.03.05",
        "2024年3月5日",
        " 2024 年 3 月 5 日 ",
        "２０２４－０３－０５",
    ],
)
def test_dates(raw):
    assert parse_date(raw) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("raw", ["2024-02-30", "next week", "3/5/2024", -5])
def test_bad_dates_are_invalid(raw):
    assert isinstance(parse_date(raw), Invalid)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("FALSE", False), (1, True)]
    + [(0, False), ("√", True), ("×", False), (True, True)],
)
def test_yes_no(raw, expected):
    assert parse_bool(raw) is expected


def test_yes_no_other_text_is_a_choice_error():
    got = parse_bool("可能")
    assert isinstance(got, Invalid) and got.reason == "choice"


@pytest.mark.parametrize(
    "raw", ["人员人工费用", "1", 1, 1.0, "1 人员人工费用", "1人员人工费用", "(1)人员人工费用", "（1）人员人工费用"]
)
def test_category_by_name_number_or_both(raw):
    assert parse_category(raw) == 1


@pytest.mark.parametrize("raw", ["9", "2 人员人工费用", "人工"])
def test_category_unknown_or_contradictory(raw):
    got = parse_category(raw)
    assert isinstance(got, Invalid) and got.reason == "choice"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.2", "1.2"), (1.2, "1.2"), ("五险一金", "1.2"), ("1.2 五险一金", "1.2"), ("2.1材料", "2.1")]
    + [("6.5 差旅费、会议费", "6.5"), ("7.2", "7.2"), ("8.1 房屋建筑物折旧及长期待摊费用", "8.1")],
)
def test_subitem_by_code_name_or_both(raw, expected):
    assert parse_subitem(raw) == expected


def test_subitem_name_shared_by_two_categories_is_read_by_code():
    # 软件 is only 4.1; 仪器 is 3.1 — names map to the first sub-item that carries them
    assert parse_subitem("3.1 仪器") == "3.1"
    assert isinstance(parse_subitem("3.3"), Invalid)


@pytest.mark.parametrize(("raw", "expected"), [(2024, 2024), ("2024", 2024), ("2024年", 2024), ("2024年度", 2024)])
def test_year(raw, expected):
    assert parse_year(raw) == expected


@pytest.mark.parametrize("raw", [-1, 0, 99999, "24"])
def test_implausible_year_is_unreadable(raw):
    assert isinstance(parse_year(raw), Invalid)


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_header_found_below_titles_and_rows_keep_excel_numbers():
    rows = [["2024-03-05", "记-001", "RD01", "工资", "1", "1.1", 100, None, "费用化"]]
    book = ledger_book(rows, above=[["某公司研发支出辅助账"], ["单位：元"]])
    assert book.ledger.header_row == 3
    assert list(book.ledger.data.index) == [4]
    assert book.ledger.cell("账载金额", 4) == "G4"


def test_columns_in_any_order_unknown_kept_and_aliases():
    header = ["备注", "会计凭证记载金额", "凭证号数", "date", "project_id", "摘要", "费用类别", "明细项目", "支出类型"]
    book = ledger_book([["x", "1,000", "记-9", "2024-05-01", "P1", "s", "2", "2.1", "费用化"]], header=header)
    assert book.ledger.letters["账载金额"] == "B"
    assert book.ledger.letters["凭证号"] == "C"
    assert book.ledger.extra == ["备注"]
    assert book.ledger.data.at[2, "账载金额"] == Decimal("1000")
    assert book.ledger.missing == []


def test_unit_in_header_scales_at_read_time():
    header = [*LEDGER_HEADER[:6], "账载金额（万元）", "可加计金额(万元)", "支出类型"]
    book = ledger_book([["2024-03-05", "记-1", "P1", "s", "2", "2.1", 1.25, "0.36", "费用化"]], header=header)
    assert book.ledger.data.at[2, "账载金额"] == Decimal("12500")
    assert book.ledger.data.at[2, "可加计金额"] == Decimal("3600")


def test_blank_and_total_rows_skipped_but_not_a_voucher_line():
    rows = [
        ["2024-03-05", "记-001", "P1", "工资", "1", "1.1", 100, None, "费用化"],
        [None, None, None, None, None, None, None, None, None],
        ["合 计", None, None, None, None, None, 100, None, None],
        [None, "本月合计", None, None, None, None, 100, None, None],
        ["小计", "记-002", "P1", "补录", "1", "1.2", 50, None, "费用化"],
        ["本年累计", "", "", "", "", "", 150],
    ]
    book = ledger_book(rows)
    # row 5 starts with 本月合计 in its first non-empty cell; row 6 has a 凭证号 so it is a ledger line
    assert list(book.ledger.data.index) == [2, 6]


def test_unreadable_values_keep_raw_text_and_cell():
    book = ledger_book([["bad", "记-001", "P1", "工资", "九", "1.1", "abc", None, "费用化"]])
    assert book.ledger.invalid["日期"][2].raw == "bad"
    assert book.ledger.invalid["账载金额"][2].raw == "abc"
    assert book.ledger.invalid["费用类别"][2].reason == "choice"
    assert book.ledger.data.at[2, "账载金额"] is None
    assert book.ledger.raw("账载金额", 2) == "abc"


def test_enterprise_keys_units_and_cells():
    rows = [
        ["企业基本信息"],
        ["项目", "值"],
        ["统一社会信用代码", "91320800MA1XXXXX0X"],
        ["  营业收入 （万元）", "5,000"],
        ["统计研究开发费用合计", 1234.5],  # documented unit 千元
        ["利润表研发费用(元)", "2.5万元"],  # the value's unit wins
        ["所属年度", "2024年"],
        ["高新技术企业", "是"],
        ["企业所得税税率", "15%"],
    ]
    ent = book_from_sheets({"企业信息": rows}).enterprise
    assert ent.values["营业收入"] == Decimal("50000000")
    assert ent.values["统计研究开发费用合计"] == Decimal("1234500")
    assert ent.values["利润表研发费用"] == Decimal("25000")
    assert ent.values["所属年度"] == 2024
    assert ent.values["高新技术企业"] is True
    assert ent.values["企业所得税税率"] == Decimal("0.15")
    assert ent.cells["营业收入"] == "B4" and ent.rows["营业收入"] == 4
    assert "企业名称" in ent.missing


def test_sheet_names_match_english_aliases_and_full_width():
    book = book_from_sheets({" ＬＥＤＧＥＲ ": [LEDGER_HEADER], "Projects": [["项目编号"]], "enterprise": []})
    assert book.ledger.title == " ＬＥＤＧＥＲ "
    assert book.projects.present and book.enterprise.present
    assert not book.summary.present


def test_summary_headers_with_category_numbers():
    header = ["项目编号", "(1)人员人工费用", "2 直接投入费用", "折旧费用", "4 无形资产摊销", "5新产品设计费等"]
    header += ["（6）其他相关费用", "7 委托研发费用", "合计"]
    book = book_from_sheets({"汇总表": [header, ["P1", 1, 2, 3, 4, 5, 6, 7, 28]]})
    assert book.summary.missing == []
    assert book.summary.letters["人员人工费用"] == "B"
    assert book.summary.letters["委托研发费用"] == "H"
    assert book.summary.data.at[2, "合计"] == Decimal(28)


def write_xlsx(path, sheets):
    wb = xlsxwriter.Workbook(path)
    for title, rows in sheets.items():
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    wb.close()


def test_read_book_from_file_row_numbers_point_at_cells(tmp_path):
    path = tmp_path / "b.xlsx"
    rows = [
        ["研发支出辅助账"],
        LEDGER_HEADER,
        ["2024-01-31", "记-001", "P1", "1月工资", "1 人员人工费用", "1.1 工资薪金", 30000, None, "费用化"],
        [None] * 9,
        ["2024-02-29", "记-045", "P1", "材料", "2", "2.1", "1,234.56", 1000, "费用化"],
    ]
    write_xlsx(path, {"企业信息": [["项目", "值"], ["所属年度", 2024]], "辅助账明细": rows})
    before = path.read_bytes()
    book = read_book(path)
    assert path.read_bytes() == before  # input never modified
    ws = openpyxl.load_workbook(path)["辅助账明细"]
    for row in book.ledger.data.index:
        assert ws[book.ledger.cell("凭证号", row)].value == book.ledger.data.at[row, "凭证号"]
    assert list(book.ledger.data.index) == [3, 5]
    assert book.ledger.data.at[5, "账载金额"] == Decimal("1234.56")


def test_unreadable_file_is_a_read_error(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(ReadError):
        read_book(path)
    with pytest.raises(ReadError):
        read_book(tmp_path / "missing.xlsx")


def test_a_file_name_that_is_not_utf8_is_read(tmp_path):
    src = tmp_path / "b.xlsx"
    write_xlsx(src, {"辅助账明细": [LEDGER_HEADER]})
    odd = tmp_path / os.fsdecode("研发账".encode("gbk") + b".xlsx")  # GBK bytes from a Windows zip
    os.rename(src, odd)
    assert read_book(odd).ledger.present


def test_config_limits_reach_the_reader(tmp_path):
    from rdcheck.api import check
    from rdcheck.engine import Config

    path = tmp_path / "b.xlsx"
    rows = [["2024-03-05", "记-1", "P1", "s", "2", "2.1", 1, None, "费用化"]] * 20
    write_xlsx(path, {"企业信息": [["所属年度", 2024]], "辅助账明细": [LEDGER_HEADER, *rows]})
    cfg = tmp_path / "rdcheck.yaml"
    cfg.write_text("limits: {max_rows: 10}\n", encoding="utf-8")
    with pytest.raises(ReadError):
        check(path, config=Config.load(cfg))
    assert check(path).book.ledger.present
    cfg.write_text("limits: {max_rowz: 10}\n", encoding="utf-8")
    with pytest.raises(Exception, match="max_rowz"):
        Config.load(cfg)


@pytest.mark.parametrize(
    ("parse", "raw", "code", "name"),
    [(parse_subitem, "3.2 设备的折旧费", "3.2", "设备的折旧费"), (parse_category, "1 人员人工费", 1, "人员人工费")],
)
def test_valid_code_with_another_name_is_read_and_noted(parse, raw, code, name):
    assert parse(raw) == Noted(code, raw, name)


@pytest.mark.parametrize("raw", ["3.9 设备的折旧费", "3.2 五险一金"])
def test_subitem_unknown_code_or_another_subitems_name_stays_unread(raw):
    got = parse_subitem(raw)
    assert isinstance(got, Invalid) and got.reason == "choice"
