"""Hand-computed cases for A107012, the 2021 汇总表, 107-2, the reconciliation and the tax saved (spec §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rdcheck.compute import compute
from rdcheck.compute.labels import (
    A107012_LABELS,
    ADJUSTMENTS,
    CAPITALISED,
    CATEGORY_8,
    COMMISSIONED_80,
    NON_ELIGIBLE,
    OTHER_LIMIT,
    OVERSEAS_LIMIT,
    OVERSEAS_PERSON,
    RATE,
    STATS_LABELS,
)
from rdcheck.model import to_fen
from rdcheck.workbook import book_from_sheets

LEDGER_HEADER = [
    "日期",
    "凭证号",
    "项目编号",
    "摘要",
    "费用类别",
    "明细项目",
    "账载金额",
    "可加计金额",
    "支出类型",
    "受托方类型",
]
PROJECT_HEADER = ["项目编号", "项目名称", "研发形式", "研究类型", "项目状态", "支出类型"]


def line(project, sub, book, eligible=None, kind="费用化", contractor=None, date="2024-03-05"):
    """One ledger line: (project, sub-item code, 账载金额, 可加计金额, 支出类型, 受托方类型, 日期)."""
    return [date, "记-1", project, "摘要", sub.split(".")[0], sub, book, eligible, kind, contractor]


def make_book(lines, projects=None, year=2024, **enterprise):
    """Build a Book from ledger lines; projects default to one 进行中 应用研究 project per code."""
    ent = {"统一社会信用代码": "91320800MA1XXXXXX0", "企业名称": "测试企业", "所属年度": year, "行业代码": "C3976"}
    ent.update(enterprise)
    if projects is None:
        codes = dict.fromkeys(row[2] for row in lines)
        projects = [[code, f"项目{code}", "自主研发", "应用研究", "进行中", "费用化"] for code in codes]
    return book_from_sheets(
        {
            "企业信息": [["项目", "值"], *([k, v] for k, v in ent.items())],
            "研发项目": [PROJECT_HEADER, *projects],
            "辅助账明细": [LEDGER_HEADER, *lines],
        }
    )


def fen(value) -> Decimal:
    return to_fen(value)


def d(text: str) -> Decimal:
    return Decimal(text)


# ------------------------------------------------------------------ A107012


def test_policy_guide_worked_example():
    """G2's example: 五项 88 + 84 = 172, 其他相关费用 20; limit 172×10%/90% = 19.11; deductible 191.11."""
    calc = compute(make_book([line("P1", "1.1", 88), line("P1", "2.1", 84), line("P1", "6.1", 20)]))
    a = calc.a107012
    assert fen(calc.other_limit["limit"]) == d("19.11")
    assert fen(calc.other_limit["excess"]) == d("0.89")
    assert a[28] == 20 and fen(a[34]) == d("19.11")
    assert a[3] == 88 and a[7] == 84
    assert fen(a[2]) == d("191.11") and fen(a[40]) == d("191.11") and fen(a[41]) == d("191.11")
    assert a[42] == 0 and a[50] == 100 and fen(a[51]) == d("191.11")
    assert a[1] == 1
    assert calc.a107012_json()["34"] == 19.11
    assert set(calc.a107012_json()) == {str(n) for n in range(1, 53)}


def test_subtotal_lines_sum_their_sub_items():
    subs = ["1.1", "1.2", "1.3", "2.1", "2.8", "3.1", "3.2", "4.1", "4.3", "5.1", "5.4", "6.1", "6.5"]
    calc = compute(make_book([line("P1", s, 100) for s in subs]))
    a = calc.a107012
    assert (a[3], a[7], a[16], a[19], a[23], a[28]) == (300, 200, 200, 200, 200, 200)
    assert a[4] == a[5] == a[6] == a[8] == a[15] == a[17] == a[22] == a[24] == a[27] == a[29] == a[33] == 100
    # limit 1100 × 10/90 = 122.22 < 200
    assert fen(a[34]) == d("122.22")
    assert fen(a[2]) == d("1222.22")


def test_overseas_two_thirds_limit_binds():
    """1.1 100; 7.1 50 → base (100 + 40) × 2/3 = 93.33 < 7.2 200 × 80% = 160; line 40 = 100 + 40 + 93.33."""
    lines = [
        line("P1", "1.1", 100),
        line("P1", "7.1", 50, contractor="境内企业"),
        line("P1", "7.2", 200, contractor="境外机构"),
    ]
    calc = compute(make_book(lines))
    a = calc.a107012
    assert a[35] == 250 and a[36] == 50 and a[37] == 200
    assert fen(a[38]) == d("93.33")
    assert fen(a[40]) == d("233.33")
    assert fen(calc.overseas["excess"]) == d("66.67")
    assert a[1] == 1
    amounts = calc.line_amounts
    assert amounts[2] == 100 and amounts[3] == 40 and fen(amounts[4]) == d("93.33")
    row = calc.summary2021[0]
    assert row["(8.1)委托境内机构或个人进行研发活动所发生的费用"] == 50
    assert row["(8.2)允许加计扣除的委托境内机构或个人进行研发活动所发生的费用"] == 40
    assert row["(8.3)委托境外机构进行研发活动所发生的费用"] == 200
    assert fen(row["(8.4)经限额调整后的委托境外机构进行研发活动所发生的费用"]) == d("93.33")
    assert fen(row["允许加计扣除金额合计"]) == d("233.33")


def test_overseas_within_limit_is_80_percent():
    calc = compute(make_book([line("P1", "1.1", 1000), line("P1", "7.2", 100, contractor="境外机构")]))
    assert calc.a107012[38] == 80 and calc.overseas["excess"] == 0
    assert calc.a107012[40] == 1080


def test_overseas_individual_and_category_8_are_never_deductible():
    lines = [
        line("P1", "1.1", 100),
        line("P1", "7.3", 30, contractor="境外个人"),
        line("P1", "8.1", 40),  # 可加计金额 empty: 0 for category 8
        line("P2", "7.3", 10, contractor="境外个人"),
    ]
    calc = compute(make_book(lines))
    a = calc.a107012
    assert a[39] == 40 and a[35] == 40 and a[40] == 100
    assert a[1] == 1  # P2 has only 7.3: not an eligible project
    assert list(calc.line_amounts) == [100, 0, 0, 0]
    assert calc.book_total == 180


def test_limits_are_floored_at_zero_when_reversals_make_the_base_negative():
    """Spec §4.1 (v0.2): every limit is floored at 0 — a negative base allows nothing, never a negative amount.

    1.1 −900 (a reversal larger than the year's wages), 6.1 100, 7.2 50, and a 进行中 project's 资本化 6.2 of 300
    outside the limit's scope: limit = max(0, −900/9) = 0, allowed = min(100, 0) = 0, line 34 = 0 + 300 = 300,
    line 2 = −900 + 300 = −600; line 38 = min(40, max(0, −600 × 2/3)) = 0; line 40 = −600.
    """
    lines = [
        line("P1", "1.1", -900),
        line("P1", "6.1", 100),
        line("P1", "7.2", 50, contractor="境外机构"),
        line("P1", "6.2", 300, kind="资本化"),
    ]
    calc = compute(make_book(lines))
    a = calc.a107012
    assert calc.other_limit["limit"] == 0 and calc.other_limit["allowed"] == 0 and calc.other_limit["excess"] == 100
    assert a[34] == 300 and a[2] == -600
    assert a[38] == 0 and a[40] == -600 and calc.overseas["excess"] == 40
    assert a[42] == 300 and a[41] == -900
    assert a[47] == 0 and a[51] == 0


def test_no_overseas_line_no_overseas_excess_on_a_negative_base():
    """Issue 12 point 5: a negative base with no 委托境外 line gives no 2/3 excess (C02 stays quiet)."""
    calc = compute(make_book([line("P1", "1.1", -900), line("P1", "2.1", 100)]))
    assert calc.a107012[38] == 0 and calc.overseas["excess"] == 0 and calc.overseas["limit"] == 0


def test_special_income_larger_than_base_floors_line_47():
    calc = compute(make_book([line("P1", "1.1", 100)], 特殊收入=150))
    a = calc.a107012
    assert a[45] == 100 and a[46] == 150 and a[47] == 0 and a[51] == 0 and a[52] == 0


def test_sold_material_and_carry_forward_beyond_line_47_carry_on():
    calc = compute(make_book([line("P1", "1.1", 100)], 特殊收入=30, 销售研发产品对应材料=50, 以前年度结转扣减额=40))
    a = calc.a107012
    assert a[47] == 70 and a[48] == 50 and a[49] == 40
    assert a[51] == 0 and a[52] == 20


def test_amortisation_lines_from_enterprise_info():
    calc = compute(make_book([line("P1", "1.1", 100)], 本年形成无形资产摊销额=10, 以前年度形成无形资产本年摊销额=5))
    a = calc.a107012
    assert a[43] == 10 and a[44] == 5 and a[45] == 115 and a[47] == 115 and a[51] == 115


def test_expensed_and_capitalised_lines_with_the_limit_scope():
    """P1 进行中: 资本化 6.1 is outside the limit; P2 已完成: its 资本化 lines are inside.

    Scope: 1-5 = 90 (P1 费用化) + 90 (P2 资本化) = 180 → limit 20; cat 6 in scope 5 + 30 = 35 → allowed 20.
    Line 34 = 20 + 30 (P1 资本化 6.1, outside) = 50; line 2 = 240 + 50 = 290 = line 40.
    Line 42 = P1 资本化 60 + 30 + P2 资本化 90 + 30 × 20/35 = 197.14; line 41 = 92.86.
    """
    projects = [
        ["P1", "项目一", "自主研发", "应用研究", "进行中", "部分资本化"],
        ["P2", "项目二", "自主研发", "应用研究", "已完成", "资本化"],
    ]
    lines = [
        line("P1", "1.1", 90),
        line("P1", "6.1", 5),
        line("P1", "1.1", 60, kind="资本化"),
        line("P1", "6.1", 30, kind="资本化"),
        line("P2", "1.1", 90, kind="资本化"),
        line("P2", "6.1", 30, kind="资本化"),
    ]
    calc = compute(make_book(lines, projects))
    a = calc.a107012
    lim = calc.other_limit
    assert lim["base"] == 180 and fen(lim["limit"]) == 20 and lim["in_scope_cat6"] == 35
    assert fen(lim["allowed"]) == 20 and fen(lim["excess"]) == 15 and lim["out_of_scope_cat6"] == 30
    assert a[28] == 65 and fen(a[34]) == 50 and a[3] == 240
    assert fen(a[40]) == 290
    assert fen(a[42]) == d("197.14") and fen(a[41]) == d("92.86")
    assert fen(a[41] + a[42]) == fen(a[40])
    rows = {(r["项目编号"], r["支出类型"]): r for r in calc.summary2021}
    assert list(rows) == [("P1", "费用化"), ("P1", "资本化"), ("P2", "资本化")]
    assert fen(rows["P1", "费用化"]["允许加计扣除金额合计"]) == d("92.86")
    assert rows["P1", "资本化"]["允许加计扣除金额合计"] == 90
    assert rows["P1", "资本化"]["(7.2)经限额调整后的其他相关费用"] == 30
    assert fen(rows["P2", "资本化"]["(7.2)经限额调整后的其他相关费用"]) == d("17.14")
    assert rows["P2", "资本化"]["完成情况"] == "已完成" and rows["P2", "资本化"]["项目名称"] == "项目二"
    assert rows["P2", "资本化"]["(6)前五项小计"] == 90
    assert fen(sum(r["允许加计扣除金额合计"] for r in calc.summary2021)) == fen(a[40])
    assert calc.expensed_book_total == 95 and calc.book_total == 305


def test_eligible_amount_below_book_amount_is_what_counts():
    calc = compute(make_book([line("P1", "1.1", 100, eligible=80), line("P1", "8.2", 50, eligible=None)]))
    assert calc.a107012[4] == 80 and calc.a107012[40] == 80
    assert calc.book_total == 150 and calc.stats["8"] == 100 and calc.stats["19"] == 50


def test_lines_of_other_years_and_unreadable_lines_are_left_out():
    lines = [
        line("P1", "1.1", 100),
        line("P1", "1.1", 1000, date="2023-12-31"),  # F07: another year
        line("P1", "1.1", 7, date=None),  # no date: counted (F03 reports it)
        line("P1", "2.1", 500, date="2024/13/45"),  # unreadable date: counted (F04 reports it)
        line("P1", "6.1", 50)[:5] + ["1.1", 10, None, "费用化", None],  # sub-item not in category 6: F05, left out
        line("P1", "9.9", 10),  # unknown sub-item
        line("P1", "1.2", "abc"),  # unreadable amount
    ]
    calc = compute(make_book(lines))
    a = calc.a107012
    assert a[4] == 107 and a[8] == 500 and a[5] == 0
    assert calc.book_total == 607
    assert list(calc.line_amounts.index) == [2, 3, 4, 5, 6, 7, 8]
    assert calc.line_amounts[3] == 0 and calc.line_amounts[5] == 500 and calc.line_amounts[6] == 0


def test_empty_ledger_gives_zeros():
    calc = compute(make_book([]))
    assert all(v == 0 for n, v in calc.a107012.items() if n != 50)
    assert calc.tax_saving == 0 and calc.summary2021 == [] and calc.stats["7"] == 0
    assert len(calc.reconciliation) == 5


# ------------------------------------------------------------------ rates, negative list, tax saved


@pytest.mark.parametrize(
    ("year", "enterprise", "rate", "modelled"),
    [
        (2021, {"行业代码": "C3976"}, 100, True),
        (2021, {"行业代码": "3976"}, 100, True),
        (2021, {"行业代码": "I6510"}, 75, True),
        (2021, {"行业代码": "I6510", "科技型中小企业": "是"}, 75, True),
        (2022, {"行业代码": "I6510", "科技型中小企业": "是"}, 100, True),
        (2022, {"行业代码": "C1311"}, 100, True),
        (2022, {"行业代码": "I6510", "科技型中小企业": "否"}, 75, True),
        (2023, {"行业代码": "I6510"}, 100, True),
        (2024, {"行业代码": "C3976", "集成电路或工业母机企业": "是"}, 120, True),
        (2027, {"行业代码": "C3976", "集成电路或工业母机企业": "是"}, 120, True),
        (2028, {"行业代码": "C3976", "集成电路或工业母机企业": "是"}, 100, True),
        (2031, {"行业代码": "I6510"}, 100, True),
    ],
)
def test_rate_by_year(year, enterprise, rate, modelled):
    calc = compute(make_book([line("P1", "1.1", 1000, date=f"{year}-06-30")], year=year, **enterprise))
    assert calc.a107012[50] == rate
    assert calc.a107012[51] == 1000 * rate / 100
    assert calc.rate_modelled is modelled
    assert any("2022年10月1日" in n for n in calc.notes) is (not modelled)
    assert any("2022-10-01" in n for n in calc.notes_en) is (not modelled)
    assert len(calc.notes_en) == len(calc.notes)


def test_report_notes_follow_the_language():
    from rdcheck.api import check_book

    book = make_book([line("P1", "1.1", 1000, date="2022-11-30")], year=2022, 行业代码="I6510", 科技型中小企业="否")
    assert any("按凭证日期计算占100.00%" in n for n in check_book(book).notes)
    english = check_book(book, lang="en").notes
    assert any("by the lines' dates it is 100.00% of the base" in n for n in english)
    assert not any("\u4e00" <= ch <= "\u9fff" for n in english for ch in n.split("公告")[0])


def test_negative_list_enterprise_gets_no_deduction():
    """国家税务总局公告2015年第97号 四: negative-list revenue 50%（不含）以上 → excluded: line 50 and 51 are 0."""
    calc = compute(make_book([line("P1", "1.1", 1000)], 行业代码="F5131", 负面清单行业收入占比="60%"))
    a = calc.a107012
    assert a[40] == 1000 and a[47] == 1000 and a[50] == 0 and a[51] == 0 and calc.tax_saving == 0
    assert calc.negative_list == "批发和零售业"
    assert any("批发和零售业" in n for n in calc.notes)


@pytest.mark.parametrize(("share", "excluded"), [(None, False), ("50%", False), ("0.5001", True), ("30", False)])
def test_negative_list_code_alone_does_not_exclude(share, excluded):
    """The 行业代码 names the industry; only a stated share strictly above one half excludes (97号 四 "50%（不含）以上")."""
    calc = compute(make_book([line("P1", "1.1", 1000)], 行业代码="F5131", 负面清单行业收入占比=share))
    assert calc.listed_industry == "批发和零售业"
    assert (calc.a107012[51] == 0) is excluded and (calc.negative_list is not None) is excluded
    if not excluded:
        assert calc.a107012[50] == 100 and any("负面清单行业收入占比" in n for n in calc.notes)


def test_a_share_above_half_excludes_whatever_the_code():
    calc = compute(make_book([line("P1", "1.1", 1000)], 行业代码="C3976", 负面清单行业收入占比="0.8"))
    assert calc.a107012[50] == 0 and calc.a107012[51] == 0 and calc.negative_list == "负面清单行业"


def test_deemed_profit_enterprise_gets_no_deduction():
    """财税〔2015〕119号 五（一）: the policy applies to 查账征收 resident enterprises; 核定征收 → no deduction."""
    calc = compute(make_book([line("P1", "1.1", 1000)], 征收方式="核定征收"))
    assert calc.a107012[40] == 1000 and calc.a107012[50] == 0 and calc.a107012[51] == 0 and calc.deemed_profit
    assert any("核定征收" in n for n in calc.notes)
    assert compute(make_book([line("P1", "1.1", 1000)], 征收方式="查账征收")).a107012[51] == 1000


# ------------------------------------------------------------------ 2022 Q4 (公告2022年第28号)


def monthly(amount, year=2022, months=range(1, 13), sub="1.1"):
    return [line("P1", sub, amount, date=f"{year}-{m:02d}-28") for m in months]


def test_2022_q4_by_dates_the_issue_example():
    """A 2022 non-manufacturer, not 科技型中小企业, spending 120,000 a month: 9 × 120,000 × 75% + 3 × 120,000 × 100%
    = 810,000 + 360,000 = 1,170,000 (not 1,080,000 at 75% for the whole year)."""
    calc = compute(make_book(monthly(120000), year=2022, 行业代码="I6510", 科技型中小企业="否"))
    a = calc.a107012
    assert a[40] == 1440000 and a[50] == d("81.25") and to_fen(a[51]) == d("1170000.00")
    assert calc.a107012_json()["51"] == 1170000 and calc.a107012_json()["50"] == 81.25


def test_2022_q4_by_months_operated():
    """按全年实际发生的研发费用乘以2022年10月1日后的经营月份数占其2022年度实际经营月份数的比例: an enterprise that
    started in May (8 months) and spent 960,000 (all booked before October here): Q4 = 960,000 × 3/8 = 360,000 at
    100%, 600,000 at 75% → 810,000."""
    lines = monthly(160000, months=range(5, 11))  # May..October: 960,000
    keys = {"2022年四季度研发费用计算方法": "按经营月份比例", "2022年度实际经营月份数": 8}
    calc = compute(make_book(lines, year=2022, 行业代码="I6510", **keys))
    assert to_fen(calc.a107012[51]) == d("810000.00")
    by_dates = compute(make_book(lines, year=2022, 行业代码="I6510"))
    assert to_fen(by_dates.a107012[51]) == d("760000.00")  # 800,000 × 75% + 160,000 × 100%


@pytest.mark.parametrize(
    "enterprise",
    [{"行业代码": "C3976"}, {"行业代码": "I6510", "科技型中小企业": "是"}],
    ids=["manufacturing", "tech_sme"],
)
def test_2022_q4_does_not_touch_enterprises_already_at_100(enterprise):
    calc = compute(make_book(monthly(120000), year=2022, **enterprise))
    assert calc.a107012[50] == 100 and calc.a107012[51] == 1440000


def test_2021_and_2023_have_no_q4_split():
    assert compute(make_book(monthly(100, year=2021), year=2021, 行业代码="I6510")).a107012[50] == 75
    assert compute(make_book(monthly(100, year=2023), year=2023, 行业代码="I6510")).a107012[50] == 100


def test_no_year_leaves_line_50_empty():
    calc = compute(make_book([line("P1", "1.1", 1000)], year=None))
    assert calc.a107012[50] is None and calc.a107012_json()["50"] is None


def test_line_1_counts_only_projects_of_the_project_list():
    book = make_book(
        [line("P1", "1.1", 1000), line("PX", "1.1", 500)],
        projects=[["P1", "项目P1", "自主研发", "应用研究", "进行中", "费用化"]],
    )
    assert compute(book).a107012[1] == 1


def test_line_39_shows_the_amount_incurred():
    """A107012 line 39 asks for 委托境外个人进行研发活动所发生的费用: the book amount, even when 可加计金额 is 0."""
    calc = compute(make_book([line("P1", "1.1", 1000), line("P1", "7.3", 300, eligible=0, contractor="境外个人")]))
    a = calc.a107012
    assert a[39] == 300 and a[35] == 300 and a[40] == 1000


@pytest.mark.parametrize(
    ("enterprise", "tax_rate", "saving"),
    [
        ({"高新技术企业": "是"}, d("0.15"), d("150")),
        ({"高新技术企业": "否"}, d("0.25"), d("250")),
        ({}, d("0.25"), d("250")),
        ({"高新技术企业": "是", "企业所得税税率": "20%"}, d("0.2"), d("200")),
        ({"小型微利企业": "是"}, d("0.05"), d("50")),
        ({"小型微利企业": "是", "高新技术企业": "是"}, d("0.05"), d("50")),
        ({"小型微利企业": "是", "企业所得税税率": "10%"}, d("0.1"), d("100")),
    ],
)
def test_tax_saving(enterprise, tax_rate, saving):
    calc = compute(make_book([line("P1", "1.1", 1000)], **enterprise))
    assert calc.tax_rate == tax_rate and calc.tax_saving == saving


def test_policy_override_from_config():
    lines = [line("P1", "1.1", 88), line("P1", "2.1", 84), line("P1", "6.1", 20)]
    calc = compute(make_book(lines), {"other_expenses_limit": "0.2"})
    assert calc.a107012[34] == 20
    calc = compute(make_book(lines), {"years": {2024: {"rates": [{"rate": 150}]}}})
    assert calc.a107012[50] == 150


# ------------------------------------------------------------------ 107-2 and intramural


STATS_LEDGER = [
    line("P1", "1.1", 100),
    line("P1", "1.2", 20, kind="资本化"),
    line("P1", "2.1", 30),
    line("P1", "3.2", 40),
    line("P1", "8.1", 15),
    line("P1", "4.1", 5),
    line("P1", "5.1", 6),
    line("P1", "5.2", 4),
    line("P1", "5.3", 7),
    line("P1", "5.4", 3),
    line("P1", "6.5", 9),
    line("P1", "8.2", 11, eligible=0),
    line("P2", "7.1", 50, contractor="境内研究机构"),
    line("P2", "7.1", 60, contractor="境内高等学校"),
    line("P2", "7.1", 70, contractor="境内企业"),
    line("P2", "7.1", 80, contractor="境内个人"),
    line("P2", "7.2", 90, contractor="境外机构"),
    line("P2", "7.3", 10, contractor="境外个人"),
    line("P2", "7.1", 25),  # no 受托方类型 (B09): 7.1 → 17
]


def test_stats_lines_from_a_small_ledger():
    projects = [
        ["P1", "一", "自主研发", "基础研究", "进行中", "部分资本化"],
        ["P2", "二", "委托研发", "试验发展", "进行中", "费用化"],
    ]
    calc = compute(make_book(STATS_LEDGER, projects))
    s = calc.stats
    assert s["8"] == 120 and s["9"] == 30 and s["10"] == 55 and s["11"] == 5
    assert s["12"] == 10 and s["13"] == 10 and s["19"] == 20
    assert s["14"] == 385 and s["15"] == 50 and s["16"] == 60 and s["17"] == 175 and s["18"] == 100
    assert s["14"] == s["15"] + s["16"] + s["17"] + s["18"]
    assert s["7"] == 120 + 30 + 55 + 5 + 10 + 10 + 385 + 20 == 635
    # intramural = 7 − 14 − 10 + 0
    assert s["intramural"] == 635 - 385 - 55 == 195
    assert s["intramural_reported"] is None
    assert s["basic_research"] == 120 + 30 + 40 + 15 + 5 + 20 + 9 + 11 == 250
    assert set(calc.stats_json()) == set(STATS_LABELS)


def test_intramural_adds_fixed_assets_and_floors_at_zero():
    calc = compute(make_book(STATS_LEDGER, 当年形成研发固定资产=1000))
    assert calc.stats["intramural"] == 195 + 1000
    calc = compute(make_book([line("P1", "7.1", 100, contractor="境内企业"), line("P1", "3.1", 10)]))
    assert calc.stats["intramural"] == 0


def test_intramural_reported_takes_missing_lines_from_the_ledger():
    # 统计… keys are in 千元 when written without a unit: 0.5 千元 = 500 元.
    calc = compute(make_book(STATS_LEDGER, 统计研究开发费用合计="0.5", 统计折旧费用与长期待摊费用="0.02"))
    # 500 − 385 (ledger line 14) − 20 (reported line 10)
    assert calc.stats["intramural_reported"] == 95
    calc = compute(make_book(STATS_LEDGER, 统计研究开发费用合计="0.5", 统计委托外部研究开发费用="0.1"))
    # 500 − 100 (reported 14) − 55 (ledger line 10)
    assert calc.stats["intramural_reported"] == 345
    calc = compute(make_book(STATS_LEDGER, 统计研究开发费用合计="0.1", 当年形成研发固定资产=5))
    assert calc.stats["intramural_reported"] == 0  # 100 − 385 − 55 + 5 < 0


def test_intramural_formula_is_a_parameter():
    calc = compute(make_book(STATS_LEDGER), {"intramural": {"plus": ["7"], "minus": ["14"]}})
    assert calc.stats["intramural"] == 635 - 385
    assert any("估算值" in n for n in calc.notes)


# ------------------------------------------------------------------ reconciliation


def _rows(calc):
    return {(r["caliber"], r["item"][:12]): r for r in calc.reconciliation}


def test_reconciliation_explains_a_claim_above_the_limits():
    lines = [
        line("P1", "1.1", 88),
        line("P1", "2.1", 84),
        line("P1", "6.1", 20),
        line("P1", "7.1", 10, contractor="境内企业"),
        line("P1", "8.2", 5),
        line("P1", "1.1", 50, kind="资本化"),
    ]
    projects = [["P1", "一", "自主研发", "应用研究", "已完成", "部分资本化"]]
    # The enterprise claimed its whole eligible amount: 88 + 84 + 20 + 10 + 50 capitalised = 252.
    calc = compute(make_book(lines, projects, 申报加计扣除总额=252, 利润表研发费用=207, 统计研究开发费用合计="0.202"))
    rec = calc.reconciliation
    assert [r["caliber"] for r in rec] == ["会计", "会计", "税务", "税务", "统计"]
    accounting, accounting_total, line40, line51, stats = rec
    assert accounting["computed"] == 207 and accounting["difference"] == 0 and accounting["explained_by"] == []
    assert accounting_total["computed"] == 257 and accounting_total["difference"] == 50
    assert accounting_total["explained_by"] == [CAPITALISED]
    # 1-5 in scope = 88 + 84 + 50 = 222; limit 222/9 = 24.67 > 20 → 34 = 20; 40 = 242 + 10 × 80% = 250
    assert fen(calc.a107012[40]) == 250 and line40["difference"] == -2
    # Size, not presence: the claim 252 = line 51 (200) + line 42 (50) claimed as expense + 7.1 at 100% (2).
    # Category 8 (5) is in the ledger but not in the claim, so it is not named; against line 40 (which holds
    # line 42) only the 80% remains.
    assert line40["explained_by"] == [COMMISSIONED_80]
    assert fen(line51["computed"]) == 200 and line51["difference"] == -52
    assert line51["explained_by"] == [COMMISSIONED_80, CAPITALISED]
    # Reported 202 = the 费用化 book total (207) less category 8 (5): 257 − 50 capitalised − 5.
    assert stats["computed"] == 257 and stats["reported"] == 202 and stats["difference"] == 55
    assert stats["explained_by"] == [CATEGORY_8, CAPITALISED]


def test_reconciliation_names_the_limits_only_when_they_bind():
    lines = [
        line("P1", "1.1", 100),
        line("P1", "6.1", 50),
        line("P1", "7.2", 200, contractor="境外机构"),
        line("P1", "7.3", 5, contractor="境外个人"),
    ]
    # Line 51 = 100 + 100/9 + min(160, 111.11 × 2/3) = 185.19; ignoring every limit gives 100 + 50 + 200 + 5 = 355.
    calc = compute(make_book(lines, 申报加计扣除总额=355))
    line51 = calc.reconciliation[3]
    assert fen(line51["difference"]) == d("-169.81")
    assert line51["explained_by"] == [OTHER_LIMIT, COMMISSIONED_80, OVERSEAS_LIMIT, OVERSEAS_PERSON]
    # Ignoring only the 10% limit: 185.19 + 38.89 = 224.07 (to the fen) — the other limits are not named.
    calc = compute(make_book(lines, 申报加计扣除总额="224.07"))
    assert calc.reconciliation[3]["explained_by"] == [OTHER_LIMIT]
    # 1000 is far above anything the limits account for: unexplained, however many limits the ledger has.
    calc = compute(make_book(lines, 申报加计扣除总额=1000))
    assert calc.reconciliation[3]["explained_by"] == []
    # An under-claim (computed above the claim) is not explained by any limit.
    calc = compute(make_book(lines, 申报加计扣除总额=1))
    assert calc.reconciliation[3]["difference"] > 0 and calc.reconciliation[3]["explained_by"] == []


def test_reconciliation_nothing_explains_a_plain_gap():
    calc = compute(make_book([line("P1", "1.1", 100)], 申报加计扣除总额=150, 利润表研发费用=90))
    for row in calc.reconciliation:
        assert row["explained_by"] == []
    assert calc.reconciliation[0]["difference"] == 10 and calc.reconciliation[3]["difference"] == -50
    assert calc.reconciliation[4]["reported"] is None and calc.reconciliation[4]["difference"] is None


def test_labels_cover_every_line():
    assert set(A107012_LABELS) == set(range(1, 53))


def test_reconciliation_income_statement_holding_the_capitalised_spending():
    """利润表研发费用 1500 = 1000 费用化 + 500 资本化: row 1 is −500, explained by 资本化; row 2 ties."""
    lines = [line("P1", "1.1", 1000), line("P1", "2.1", 500, kind="资本化")]
    calc = compute(make_book(lines, 利润表研发费用=1500))
    row1, row2 = calc.reconciliation[:2]
    assert row1["difference"] == -500 and row1["explained_by"] == [CAPITALISED]
    assert row2["difference"] == 0 and row2["explained_by"] == []
    # 利润表 1200: neither model (1000 or 1500) fits within 5% of the difference → unexplained
    calc = compute(make_book(lines, 利润表研发费用=1200))
    assert [r["explained_by"] for r in calc.reconciliation[:2]] == [[], []]


def test_reconciliation_line_40_row_names_the_forms_path_when_the_claim_is_right():
    """2021, not manufacturing (75%): 1.1 1000 费用化, 2.1 400 资本化 (进行中), 特殊收入 100.

    Line 40 = 1400, 42 = 400, 41 = 1000, 45 = 1000, 47 = 900, 51 = 675. A claim of 675 is right: row 4 ties,
    and row 3's 725 is the form's own path (资本化, the 75% rate, line 46) — not an error.
    """
    lines = [line("P1", "1.1", 1000, date="2021-05-01"), line("P1", "2.1", 400, kind="资本化", date="2021-05-01")]
    calc = compute(make_book(lines, year=2021, 行业代码="I6510", 特殊收入=100, 申报加计扣除总额=675))
    row40, row51 = calc.reconciliation[2:4]
    assert calc.a107012[51] == 675 and row51["difference"] == 0 and row51["explained_by"] == []
    assert row40["difference"] == 725 and row40["explained_by"] == [CAPITALISED, RATE, ADJUSTMENTS]
    # Claiming the capitalised 400 as expense too: (1400 − 100) × 75% = 975 → row 4 −300 by 资本化; row 3 then
    # differs from line 40 only by the rate and line 46 (资本化 cancels).
    calc = compute(make_book(lines, year=2021, 行业代码="I6510", 特殊收入=100, 申报加计扣除总额=975))
    row40, row51 = calc.reconciliation[2:4]
    assert row51["difference"] == -300 and row51["explained_by"] == [CAPITALISED]
    assert row40["difference"] == 425 and row40["explained_by"] == [RATE, ADJUSTMENTS]


def test_reconciliation_statistics_reported_at_the_tax_caliber():
    """Reported 107-2 line 7 = line 40: the gap is the non-eligible part, the 80% and category 8, to the yuan.

    1.1 book 1000 of which 900 eligible; 7.1 500; 8.1 300 → line 7 = 1800; line 40 = 900 + 400 = 1300.
    """
    lines = [line("P1", "1.1", 1000, 900), line("P1", "7.1", 500, contractor="境内企业"), line("P1", "8.1", 300)]
    calc = compute(make_book(lines, 统计研究开发费用合计="1.3"))
    row = calc.reconciliation[4]
    assert row["difference"] == 500 and row["explained_by"] == [NON_ELIGIBLE, COMMISSIONED_80, CATEGORY_8]
    # Reported 1.5 千元 = 1800 − 300: only category 8 left out
    calc = compute(make_book(lines, 统计研究开发费用合计="1.5"))
    assert calc.reconciliation[4]["explained_by"] == [CATEGORY_8]


def test_reconciliation_rounding_of_reported_thousands_is_not_explained():
    lines = [line("P1", "1.1", 1000), line("P1", "8.2", 1234)]
    # 2234 元 reported as 2.23 千元: 4 元 of rounding, not a category-8 effect
    calc = compute(make_book(lines, 统计研究开发费用合计="2.23"))
    stats = calc.reconciliation[4]
    assert stats["difference"] == 4 and stats["explained_by"] == []
    calc = compute(make_book(lines, 统计研究开发费用合计="1"))
    assert calc.reconciliation[4]["explained_by"] == [CATEGORY_8]


SUBS = ["1.1", "1.2", "2.1", "3.1", "4.2", "5.3", "6.1", "6.4", "7.1", "7.2", "7.3", "8.1", "8.2"]
amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.sampled_from(SUBS), amounts, st.booleans()),
        max_size=25,
    ),
    st.sampled_from(["进行中", "已完成"]),
)
def test_invariants_hold_for_any_ledger(rows, status):
    projects = [
        [p, p, "自主研发", "应用研究", status if p != "P3" else "进行中", "部分资本化"] for p in ("P1", "P2", "P3")
    ]
    lines = [line(p, s, amt, kind="资本化" if cap else "费用化") for p, s, amt, cap in rows]
    calc = compute(make_book(lines, projects))
    a = calc.a107012
    tiny = Decimal("1e-12")
    assert abs(sum(calc.line_amounts, Decimal(0)) - a[40]) < tiny
    assert abs(sum((r["允许加计扣除金额合计"] for r in calc.summary2021), Decimal(0)) - a[40]) < tiny
    assert abs(a[41] + a[42] - a[40]) < tiny  # 41 = 40 − 42 at 28 digits: exact to 1e-12, not bit-exact
    assert a[2] == a[3] + a[7] + a[16] + a[19] + a[23] + a[34]
    assert a[34] <= a[28] and a[38] <= a[37] * Decimal("0.8")
    assert a[51] == a[47] - a[48] - a[49] and a[52] == 0
    assert calc.stats["7"] == calc.book_total
    assert calc.stats["14"] == sum((calc.stats[k] for k in ("15", "16", "17", "18")), Decimal(0))
    assert 0 <= calc.other_limit["excess"] and 0 <= calc.overseas["excess"]


def test_lines_without_project_or_expense_type():
    lines = [line(None, "1.1", 100), line("P1", "1.1", 50, kind=None)]
    calc = compute(make_book(lines, [["P1", "一", "自主研发", "应用研究", "进行中", "费用化"]]))
    assert calc.a107012[1] == 1 and calc.a107012[41] == 150 and calc.expensed_book_total == 150
    assert [r["项目编号"] for r in calc.summary2021] == ["P1", None]


def test_subitem_code_with_another_name_counts_by_its_code():
    """Issue 13.7: “3.2 设备的折旧费” is read as 3.2 (A107012 line 18), its name noted by an F05 warning."""
    from rule_support import check

    lines = [line("P1", "3.1", 100), line("P1", "3.2", 40)]
    lines[1][5] = "3.2 设备的折旧费"
    lines[0][4] = "3 折旧费"  # 费用类别 (official: 3 折旧费用): the code is read, the name noted too
    book = make_book(lines)
    a = compute(book).a107012
    assert a[18] == 40 and a[17] == 100 and a[16] == 140
    f05 = [f for f in check(book) if f.rule == "F05"]
    assert [(f.severity, f.row, f.column) for f in f05] == [("warning", 2, "费用类别"), ("warning", 3, "明细项目")]
    assert f05[1].message == "已按代码 3.2（设备）读取，名称“设备的折旧费”与代码不一致，请核对"
    assert "“3.2 设备”" in f05[1].hint
    assert f05[0].message == "已按代码 3（折旧费用）读取，名称“折旧费”与代码不一致，请核对"


def test_subitem_code_with_another_name_of_another_category_is_an_error():
    lines = [line("P1", "1.1", 100)]
    lines[0][5] = "3.2 设备的折旧费"  # 费用类别 1: 3.2 is not one of its sub-items
    from rule_support import check

    f05 = [f for f in check(make_book(lines)) if f.rule == "F05"]
    assert [(f.severity, f.row, f.column) for f in f05] == [("error", 2, "明细项目")]
