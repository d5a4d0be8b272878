"""The ERP 多栏账 reader as pure functions over filled grids built from layouts.md §1d (not from the samples).

用友-style: a title, 科目/项目/期间 lines, ``2024年`` over 月 日, 凭证号数, 摘要, 借方/贷方/方向/余额 and a
``借方金额分析`` block with one column per sub-account; 金蝶-style: 凭证字号, one 日期 column, ``借方`` over the
sub-accounts, 本期合计. Only voucher rows become lines, each keeping its analysis cell; the lines tie out against
the sheet's own 本月合计/本年累计/本期合计 rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rdcheck.workbook.layouts.erp import looks_like_erp, parse_erp

ACCOUNTS = ["53010101 职工薪酬—工资", "53010102 职工薪酬—社会保险", "530102 材料费", "530105 差旅费"]
HEAD = ["月", "日", "凭证号数", "摘要", "借方", "贷方", "方向", "余额"]


def row(month, day, voucher, summary, debit=None, credit=None, direction="借", balance=None, *analysis):
    cells = [month, day, voucher, summary, debit, credit, direction, balance]
    return cells + list(analysis) + [None] * (4 - len(analysis))


def yonyou() -> list[list]:
    width = len(HEAD) + len(ACCOUNTS)
    return [
        ["研发支出多栏账"] * width,  # merged across: filled
        ["科目：5301 研发支出", None, None, "项目：RD2024-01 新型离心泵研发", None, None, None, None,
         "期间：2024.01-2024.12", None, None, None],
        ["2024年", "2024年", "凭证号数", "摘要", "借方", "贷方", "方向", "余额"] + ["借方金额分析"] * 4,
        HEAD + ACCOUNTS,
        row(None, None, None, "上年结转", None, None, "平", 0),
        row(1, 5, "记-0012", "计提研发人员工资", 50000, None, "借", 50000, 50000),
        row(1, 5, "记-0012", "计提研发人员社保", 10000, None, "借", 60000, None, 10000),
        row(1, 20, "记-0031", "领用研发材料", 8000.5, None, "借", 68000.5, None, None, 8000.5),
        row(1, 31, "记-0045", "结转本月研发费用", None, 68000.5, "平", 0, -50000, -10000, -8000.5),
        row(None, None, None, "本月合计", 68000.5, 68000.5, "平", 0, 0, 0, 0, 0),
        row(None, None, None, "本年累计", 68000.5, 68000.5, "平", 0, 50000, 10000, 8000.5, 0),
        row(2, 3, "记-0002", "差旅费报销", 1200, None, "借", 1200, None, None, None, 1200),
        row(None, None, None, "过次页", 69200.5, 68000.5, "借", 1200, 50000, 10000, 8000.5, 1200),
        row(None, None, None, "承前页", 69200.5, 68000.5, "借", 1200, 50000, 10000, 8000.5, 1200),
        row(2, 10, "记-0009", "冲销2月3日记-0002差旅费多报", -200, None, "借", 1000, None, None, None, -200),
        row(2, 28, "记-0020", "结转本月研发费用", None, 1000, "平", 0, None, None, None, -1000),
        row(None, None, None, "本月合计", 1000, 1000, "平", 0, 0, 0, 0, 0),
        row(None, None, None, "本年累计", 69000.5, 69000.5, "平", 0, 50000, 10000, 8000.5, 1000),
        ["会计主管：张三", None, None, None, None, None, None, None, "制单：李四", None, None, None],
    ]  # fmt: skip


def test_yonyou_voucher_rows_become_lines_with_their_own_cells() -> None:
    sheet = parse_erp(yonyou())
    assert sheet is not None and looks_like_erp(yonyou())
    assert sheet.title == "研发支出多栏账" and sheet.subject == "5301 研发支出"
    assert sheet.project == "RD2024-01 新型离心泵研发" and sheet.year == 2024
    assert sheet.period == (dt.date(2024, 1, 1), dt.date(2024, 12, 31)) and sheet.header_rows == (3, 4)
    assert [(a.code, a.name, a.header_cell) for a in sheet.accounts] == [
        ("53010101", "职工薪酬—工资", "I4"),
        ("53010102", "职工薪酬—社会保险", "J4"),
        ("530102", "材料费", "K4"),
        ("530105", "差旅费", "L4"),
    ]
    got = [(x.cell, x.account.code, x.amount, x.date, x.voucher, x.summary_cell) for x in sheet.lines]
    assert got == [
        ("I6", "53010101", Decimal(50000), dt.date(2024, 1, 5), "记-0012", "D6"),
        ("J7", "53010102", Decimal(10000), dt.date(2024, 1, 5), "记-0012", "D7"),
        ("K8", "530102", Decimal("8000.5"), dt.date(2024, 1, 20), "记-0031", "D8"),
        ("L12", "530105", Decimal(1200), dt.date(2024, 2, 3), "记-0002", "D12"),
        ("L15", "530105", Decimal(-200), dt.date(2024, 2, 10), "记-0009", "D15"),  # a reversal stays a line
    ]
    kinds = sheet.kinds
    assert (kinds[5], kinds[9], kinds[10], kinds[11], kinds[13], kinds[14], kinds[16]) == (
        "opening", "transfer", "month_total", "year_total", "carry", "carry", "transfer",
    )  # fmt: skip
    assert kinds[19] == "footer"
    assert sheet.issues == [] and sheet.tied_rows == [10, 11, 17, 18]


def test_a_total_that_the_lines_do_not_reach_is_reported_at_its_cell() -> None:
    grid = yonyou()
    grid[17][8] = 50001  # 本年累计 of 工资 says one yuan more than the vouchers
    grid[6][4] = 10001  # a voucher row whose 借方 is not its analysis
    issues = [(i.cell, i.label, i.column, i.stated, i.read) for i in parse_erp(grid).issues]
    assert ("E7", "借方", "借方", Decimal(10001), Decimal(10000)) in issues
    assert ("I18", "本年累计", "53010101 职工薪酬—工资", Decimal(50001), Decimal(50000)) in issues


def test_kingdee_layout_dates_and_voucher_words_and_period_total() -> None:
    accounts = ["6601.01 研发人员工资", "设计费", "委托外协费"]
    grid = [
        ["多栏式明细账", None, None, None, None, None, None, None, None],
        ["会计科目：5301 研发支出—费用化支出", None, None, None, None, "会计期间：2024年第1期至2024年第12期"],
        ["日期", "凭证字号", "摘要", "借方", "贷方", "余额", "借方", "借方", "借方"],
        ["日期", "凭证字号", "摘要", "借方", "贷方", "余额", *accounts],
        ["2024-03-05", "记 - 7", "工资", 30000, None, 30000, 30000, None, None],
        ["2024-03-18", "记 - 19", "委托某大学开发", 45000.25, None, 75000.25, None, None, 45000.25],
        ["2024-04-01", "记 - 2", "设计图纸", 5000, None, 80000.25, None, 5000, None],
        [None, None, "本期合计", 80000.25, 0, 80000.25, 30000, 5000, 45000.25],
    ]
    assert looks_like_erp(grid)
    sheet = parse_erp(grid)
    assert sheet.expense_type == "费用化" and sheet.year == 2024
    assert [a.label for a in sheet.accounts] == accounts
    assert [(a.code, a.name) for a in sheet.accounts][:2] == [("6601.01", "研发人员工资"), (None, "设计费")]
    assert [(x.cell, x.date, x.voucher) for x in sheet.lines] == [
        ("G5", dt.date(2024, 3, 5), "记 - 7"),
        ("I6", dt.date(2024, 3, 18), "记 - 19"),
        ("H7", dt.date(2024, 4, 1), "记 - 2"),
    ]
    assert sheet.issues == [] and sheet.tied_rows == [8]
    grid[7][8] = 45000
    assert [(i.cell, i.label) for i in parse_erp(grid).issues] == [("I8", "本期合计")]


def test_a_ledger_starting_mid_year_ties_its_first_year_total_by_change() -> None:
    grid = yonyou()
    grid[1][8] = "期间：2024.07-2024.12"
    for r in (5, 6, 7, 8, 11, 14, 15):
        grid[r][0] += 6  # July and August
    grid[10][8:12] = [150000, 20000, 8000.5, 0]  # 本年累计 also holds January-June: 100000 + 10000 earlier
    grid[17][8:12] = [150000, 20000, 8000.5, 1000]
    grid[10][4] = grid[10][5] = 168000.5
    grid[17][4] = grid[17][5] = 169000.5
    sheet = parse_erp(grid)
    assert sheet.period[0] == dt.date(2024, 7, 1)
    assert sheet.issues == [] and sheet.lines[0].date == dt.date(2024, 7, 5)


def test_other_layouts_are_not_erp() -> None:
    standard = [["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "可加计金额", "支出类型"]]
    official_2021 = [["日期", "种类", "号数", "摘要", "会计凭证记载金额", "税法规定的归集金额", "人员人工费用"]]
    official_2015 = [
        ["2024年", "2024年", "凭证", "凭证", "摘要", "借方金额", "贷方金额", "借或贷", "余额", "费用明细（借方）"],
        ["月", "日", "种类", "号数", "摘要", "借方金额", "贷方金额", "借或贷", "余额", "一、人员人工费用"],
    ]
    for grid in (standard, official_2021, official_2015, [["随便什么"]], []):
        assert not looks_like_erp(grid)
    assert parse_erp([["摘要", "金额"]]) is None


# ---------------------------------------------------------------- the sub-account map (layouts.md §2.8)

import pytest  # noqa: E402

from rdcheck.errors import ConfigError  # noqa: E402
from rdcheck.workbook.layouts.erp import Account  # noqa: E402
from rdcheck.workbook.layouts.erp_map import ErpMap, guess, load_erp_map  # noqa: E402


def acct(label: str) -> Account:
    from rdcheck.workbook.layouts.erp_head import _account

    return _account(8, ["借方金额分析", label], "I4")


@pytest.mark.parametrize(
    "label, code",
    [
        ("53010101 职工薪酬—工资", "1.1"), ("职工薪酬—社会保险", "1.2"), ("住房公积金", "1.2"),
        ("职工福利费", "6.4"), ("外聘人员劳务费", "1.3"), ("530102 材料费", "2.1"), ("燃料费", "2.2"),
        ("动力费", "2.3"), ("设备折旧", "3.2"), ("仪器折旧", "3.1"), ("房屋折旧", "8.1"), ("软件摊销", "4.1"),
        ("专利权摊销", "4.2"), ("非专利技术摊销", "4.3"), ("无形资产摊销", "4.1"), ("新产品设计费", "5.1"),
        ("差旅费", "6.5"), ("会议费", "6.5"), ("委托外协费", "7.1"), ("委托境外研发", "7.2"), ("业务招待费", "8.2"),
        ("长期待摊费用摊销", "8.1"), ("专利申请费", "6.3"),
    ],
)  # fmt: skip
def test_keyword_guess(label: str, code: str) -> None:
    assert guess(acct(label))[0] == code


def test_no_keyword_is_not_eligible_and_says_so() -> None:
    m = ErpMap().resolve(acct("530199 其他"))
    assert (m.subitem, m.source, m.keyword) == ("8.2", "none", None)
    m = ErpMap().resolve(acct("53010101 职工薪酬—工资"))
    assert (m.subitem, m.source, m.keyword) == ("1.1", "guess", "工资")


def test_config_map_per_enterprise_wins_over_everyone_and_over_the_guess() -> None:
    def bad(zh: str, en: str) -> ConfigError:
        return ConfigError(zh, en)

    uscc = "913208047581784510"
    emap = load_erp_map({"53010101": 1.3, "差旅费": "6.5 差旅费、会议费", uscc: {"53010101": "工资薪金"}}, bad)
    wage, travel = acct("53010101 职工薪酬—工资"), acct("530105 差旅费")
    assert (emap.resolve(wage).subitem, emap.resolve(wage).source) == ("1.3", "config")
    assert emap.resolve(wage, uscc).subitem == "1.1"  # the enterprise's own entry
    assert emap.resolve(wage, "91320804MA0000001X").subitem == "1.3"  # another enterprise: everyone's entry
    assert emap.resolve(travel).source == "config"
    for data, needle in [
        ([1, 2], "erp_map 必须是映射"),
        ({"差旅费": "9.9"}, "erp_map.差旅费：'9.9' 不是明细项目"),
        ({"差旅费": None}, "不是明细项目"),
        ({"公司甲": {"差旅费": 6.5}}, "统一社会信用代码"),
        ({uscc: {"": 1.1}}, "明细科目不能为空"),
    ]:
        with pytest.raises(ConfigError, match=needle):
            load_erp_map(data, bad)


def test_words_that_look_like_footers_or_transfers_in_a_summary_are_still_spending() -> None:
    grid = yonyou()
    grid[11][3] = "审核费（成果评审）"  # starts like the footer 审核：…, but has no colon: a voucher's 摘要
    grid[7][3] = "结转在建工程领用材料"  # a debit whose 摘要 says 结转: spending, not a transfer out
    sheet = parse_erp(grid)
    assert [x.cell for x in sheet.lines] == ["I6", "J7", "K8", "L12", "L15"] and sheet.issues == []
    grid[8][4:6] = [-68000.5, None]  # the month-end transfer printed as a negative 借方
    assert parse_erp(grid).kinds[9] == "transfer"


# ---------------------------------------------------------------- records of the standard ledger


def test_erp_lines_become_standard_ledger_lines_with_their_cells() -> None:
    from rdcheck.workbook.layouts.erp_layout import fingerprint, project_of, read
    from rdcheck.workbook.layouts.grid import Grid

    assert project_of("RD2024-01 新型离心泵研发", "x") == ("RD2024-01", "新型离心泵研发")
    assert project_of("新型离心泵研发", "x") == ("新型离心泵研发", "新型离心泵研发")
    assert project_of(None, "Sheet1") == ("Sheet1", "Sheet1")
    grid = Grid.of("RD2024-01", yonyou())
    assert fingerprint(grid) == 14  # 10 + four sub-accounts
    got = read(grid)
    assert [
        (x.values["明细项目"], x.values["账载金额"], x.values["项目编号"], x.values["支出类型"]) for x in got.lines
    ] == [
        ("1.1", Decimal(50000), "RD2024-01", "费用化"),
        ("1.2", Decimal(10000), "RD2024-01", "费用化"),
        ("2.1", Decimal("8000.5"), "RD2024-01", "费用化"),
        ("6.5", Decimal(1200), "RD2024-01", "费用化"),
        ("6.5", Decimal(-200), "RD2024-01", "费用化"),
    ]
    assert all(x.values["可加计金额"] is None for x in got.lines)  # book amounts only: the tax figures are a bound
    assert got.lines[0].cells == {"账载金额": "I6", "明细项目": "I4", "费用类别": "I4", "日期": "B6", "凭证号": "C6",
                                  "摘要": "D6"}  # fmt: skip
    assert got.notes and got.has_project and got.ties == []
    assert [(u.account.code, u.mapping.source, u.lines, u.amount) for u in got.uses][-1] == (
        "530105",
        "guess",
        2,
        Decimal(1000),
    )
    (project,) = got.projects
    assert project.values == {"项目编号": "RD2024-01", "项目名称": "新型离心泵研发", "支出类型": "费用化"}
    assert project.cells["项目编号"] == "D2" and got.enterprise["所属年度"].value == 2024


def test_an_amount_that_cannot_be_read_is_a_line_with_its_text_never_nothing() -> None:
    from rdcheck.workbook.layouts.erp_layout import read
    from rdcheck.workbook.layouts.grid import Grid

    grid = yonyou()
    grid[11][11] = "一千二"  # 差旅费 written in words; 借方 still says 1200
    grid[11][4] = None
    sheet = parse_erp(grid)
    bad = [x for x in sheet.lines if x.amount is None]
    assert [(x.cell, x.raw) for x in bad] == [("L12", "一千二")] and ("L12" in [c for _, c, _ in sheet.invalid])
    line = read(Grid.of("RD", grid)).lines[3]
    assert line.invalid["账载金额"].raw == "一千二" and line.values["账载金额"] is None


def test_erp_map_in_the_config_file_is_validated_with_one_line_errors(tmp_path) -> None:
    from rdcheck.engine import Config

    path = tmp_path / "rdcheck.yaml"
    path.write_text('erp_map:\n  "53010101": 1.3\n  "913208047581784510": {差旅费: 6.1}\n', encoding="utf-8")
    config = Config.load(path)
    assert config.erp_map.common == {"53010101": "1.3"}
    assert config.erp_map.by_uscc == {"913208047581784510": {"差旅费": "6.1"}}
    path.write_text("erp_map:\n  差旅费: 9.9\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Config.load(path)
    assert str(info.value) == "配置 rdcheck.yaml 无效：erp_map.差旅费：9.9 不是明细项目（如 1.1、2.1 或其名称）"
    assert "\n" not in info.value.message("en") and "is not a sub-item" in info.value.message("en")


def test_three_row_header_with_voucher_kind_and_number_and_an_analysis_total() -> None:
    grid = [
        ["研发支出明细账（多栏式）"] * 10,
        ["核算单位：江苏某某科技有限公司", None, None, None, "金额单位：元", None, "期间：2024年1月-2024年6月"],
        ["2024年", "2024年", "凭证", "凭证", "摘要", "借方", "贷方", "余额", "借方金额分析", "借方金额分析"],
        ["月", "日", "凭证字", "凭证号", "摘要", "借方", "贷方", "余额", "职工薪酬", "合计"],
        ["月", "日", "凭证字", "凭证号", "摘要", "借方", "贷方", "余额", "工资", "合计"],
        [3, 1, "记", 8, "发放工资", 7000, None, 7000, 7000, 7000],
        [3, None, "记", 9, "补发工资", 500, None, 7500, 500, 400],  # day printed once; its 合计 is wrong
        [None, None, None, None, "本月合计", 7500, 0, 7500, 7500, 7500],
    ]
    sheet = parse_erp(grid)
    assert sheet.header_rows == (3, 5) and sheet.company == "江苏某某科技有限公司" and sheet.unit == "元"
    assert sheet.period == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert [(a.label, a.name, a.code) for a in sheet.accounts] == [("工资", "职工薪酬—工资", None)]
    assert [(x.voucher, x.date, x.cell) for x in sheet.lines] == [
        ("记-8", dt.date(2024, 3, 1), "I6"),
        ("记-9", dt.date(2024, 3, 1), "I7"),
    ]
    assert [(i.cell, i.label, i.stated, i.read) for i in sheet.issues] == [("J7", "合计", Decimal(400), Decimal(500))]


def test_a_ledger_not_exported_by_project_is_one_project_named_after_its_sheet_and_says_so() -> None:
    from rdcheck.workbook.layouts.erp_layout import read
    from rdcheck.workbook.layouts.grid import Grid

    grid = yonyou()
    grid[1][3] = None  # no 项目 line
    got = read(Grid.of("研发支出", grid))
    assert not got.has_project and {x.values["项目编号"] for x in got.lines} == {"研发支出"}
    assert any("没有“项目：”行" in n["zh"] for n in got.notes)


def test_a_date_column_without_the_year_takes_the_headers_year() -> None:
    grid = [
        ["多栏式明细账"],
        ["2024年", "2024年", "2024年", "2024年", "2024年", "2024年", "借方"],
        ["日期", "凭证字号", "摘要", "借方", "贷方", "余额", "设计费"],
        ["03-05", "记-7", "设计", 500, None, 500, 500],
        ["3月9日", "记-9", "设计", 100, None, 600, 100],
        [None, None, "本期合计", 600, None, 600, 600],
    ]
    sheet = parse_erp(grid)
    assert [x.date for x in sheet.lines] == [dt.date(2024, 3, 5), dt.date(2024, 3, 9)] and sheet.issues == []
