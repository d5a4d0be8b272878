"""Conformance: each official layout built here from its description (layouts.md §1a-1c), independently of the
samples — header variants, rows that move, totals of every kind — read into the figures the description implies."""

from __future__ import annotations

import datetime as dt

import pytest

from rdcheck.api import check_book
from rdcheck.workbook import book_from_sheets

D = dt.date
CATS = ["人员人工费用", "直接投入费用", "折旧费用", "无形资产摊销", "新产品设计费等", "其他相关费用"]
DOM, ABROAD = "委托境内机构或个人进行研发活动所发生的费用", "委托境外机构进行研发活动所发生的费用"


def ledger_2021(
    pid="P1", expense="费用化", rows=(), title_rows=1, merged=True, closing="合计", book_header="会计凭证记载金额"
):
    """A 2021 ledger sheet: title rows, the project row, a 3-row header (merged or written once), data, a closing row."""
    out = [["2024年研发支出辅助账"]] + [[] for _ in range(title_rows - 1)]
    out.append(
        ["项目编号：", pid, "项目名称：", "测试项目", "完成情况：", "未完成", "支出类型：", expense, "金额单位：元"]
    )
    h = len(out)
    top = ["凭证信息"] * 4 + [book_header, "税法规定的归集金额"] + ["费用明细（税法规定）"] * 8
    mid = ["日期", "种类", "号数", "摘要", book_header, "税法规定的归集金额", *CATS, "委托研发费用", "委托研发费用"]
    low = mid[:12] + [DOM, ABROAD]
    ranges = []
    if merged:
        out += [top, mid, low]
    else:  # written once, the cells below left blank (a producer that does not merge)
        out += [top[:1] + [None] * 3 + top[4:7], mid[:4] + [None, None] + mid[6:13], [None] * 12 + low[12:]]
    for row in rows:
        out.append(list(row))
    if closing:
        sums = [0] * 10
        for row in rows:
            if isinstance(row[0], (D, str)) and row[0] not in ("本月合计", "本年累计"):
                for i, v in enumerate(row[4:14]):
                    sums[i] += v or 0
        out.append([closing, None, None, None, *sums])
    out.append(["会计主管：某某", None, None, None, "记账：某某"])
    return out, ranges, h


def test_2021_ledger_rows_categories_and_remainders():
    rows = [
        (D(2024, 3, 5), "记", 12, "研发人员工资", 10000, 10000, 10000),
        (D(2024, 3, 6), "记", 13, "差旅费及材料", 1500, 1500, None, 1000, None, None, None, 500),
        (D(2024, 3, 7), "记", 14, "业务招待费", 800, 0),
        (D(2024, 3, 8), "记", 15, "委托境外个人研发", 3000, 0),
        (D(2024, 3, 9), "记", 16, "委托境外机构研发", 4000, 4000, *[None] * 7, 4000),
    ]
    sheet, _, _ = ledger_2021(rows=rows, closing="合计金额")
    book = book_from_sheets({"Sheet1": sheet})
    data = book.ledger.data
    got = sorted(zip(data["费用类别"], data["明细项目"].fillna(""), data["账载金额"], data["可加计金额"], strict=True))
    assert got == sorted(
        [
            (1, "", 10000, 10000),
            (2, "", 1000, 1000),
            (6, "", 500, 500),
            (8, "8.2", 800, 0),
            (7, "7.3", 3000, 3000),
            (7, "7.2", 4000, 4000),
        ]
    )
    assert book.foreign.ties == []
    r = check_book(book).to_dict()
    assert r["stats"]["7"] == 19300 and r["a107012"]["3"] == 10000 and r["a107012"]["37"] == 4000
    assert r["a107012"]["39"] == 3000  # 委托境外个人: reported on line 39, never deducted (C03)
    c03 = next(f for f in r["findings"] if f["rule"] == "C03")
    assert (c03["sheet"], c03["cell"]) == ("Sheet1", "E9")  # the 会计凭证记载金额 cell of the 境外个人 row


@pytest.mark.parametrize("merged", [True, False])
@pytest.mark.parametrize("title_rows", [1, 3])
def test_2021_ledger_header_may_move_and_need_not_be_merged(merged, title_rows):
    rows = [
        (D(2024, 1, 31), "记", 1, "工资", 5000, 5000, 5000),
        ("2024-02-15", "付", 2, "材料", 700.5, 700.5, None, 700.5),
    ]
    sheet, _, h = ledger_2021(rows=rows, title_rows=title_rows, merged=merged)
    r = check_book(book_from_sheets({"研发辅助账P1": sheet})).to_dict()
    assert r["a107012"]["3"] == 5000 and r["a107012"]["7"] == 700.5 and r["stats"]["7"] == 5700.5
    assert not [f for f in r["findings"] if f["rule"] in ("B13", "F01", "F02", "F03", "F04")]
    vouchers = [f for f in r["findings"] if f["rule"] == "F11"]
    assert "读出 2 行明细" in vouchers[0]["message"]


def test_2021_monthly_totals_tie_and_a_wrong_one_is_reported_and_figures_withheld():
    rows = [
        (D(2024, 1, 31), "记", 1, "工资", 5000, 5000, 5000),
        (None, None, None, "本月合计", 5000, 5000, 5000),
        (None, None, None, "本年累计", 5000, 5000, 5000),
        (D(2024, 2, 28), "记", 9, "工资", 5000, 5000, 5000),
        (None, None, None, "本月合计", 5000, 5000, 5000),
        (None, None, None, "本年累计", 10000, 10000, 9000),  # wrong in the 人员人工费用 column
    ]
    sheet, _, _ = ledger_2021(rows=rows, closing=None)
    book = book_from_sheets({"P1": sheet})
    assert [(t.row, t.cell, t.shown, t.read) for _, t in book.foreign.ties] == [(11, "G11", 9000, 10000)]
    r = check_book(book).to_dict()
    b13 = [f for f in r["findings"] if f["rule"] == "B13"]
    assert [(f["sheet"], f["row"], f["cell"]) for f in b13] == [("P1", 11, "G11")]
    assert r["withheld"] is True and r["a107012"]["40"] is None and r["stats"]["7"] is None


def test_2021_partly_capitalised_project_two_sheets_one_project():
    a, _, _ = ledger_2021(expense="费用化", rows=[(D(2024, 2, 1), "记", 1, "工资", 100, 100, 100)])
    b, _, _ = ledger_2021(expense="资本化", rows=[(D(2024, 8, 1), "记", 7, "工资", 300, 300, 300)])
    book = book_from_sheets({"P1费用化": a, "P1资本化": b})
    assert list(book.projects.data["项目编号"]) == ["P1"] and list(book.projects.data["支出类型"]) == ["部分资本化"]
    r = check_book(book).to_dict()
    assert r["a107012"]["1"] == 1 and r["a107012"]["42"] == 300  # line 42: this year's capitalised amount


def summary_2021(rows, closing=True):
    head = [
        ["研发支出辅助账汇总表"],
        [
            "纳税人识别号（统一社会信用代码）：",
            "91320804MA1N2K3L40",
            None,
            "纳税人名称：",
            "某公司",
            None,
            "属期：",
            "2024-01-01至2024-12-31",
        ],
    ]
    h1 = [
        "项目编号",
        "项目名称",
        "完成情况",
        "支出类型",
        "允许加计扣除金额合计",
        "(1)人员人工费用",
        "(2)直接投入费用",
        "(3)折旧费用",
        "(4)无形资产摊销",
        "(5)新产品设计费等",
        "(6)前五项小计",
    ]
    h1 += ["其他相关费用及限额"] * 2 + ["委托研发费用及限额"] * 4
    h2 = h1[:11] + [
        "(7.1)其他相关费用合计",
        "(7.2)经限额调整后的其他相关费用",
        "(8.1)" + DOM,
        "(8.2)允许加计扣除的" + DOM,
        "(8.3)" + ABROAD,
        "(8.4)经限额调整后的" + ABROAD,
    ]
    body = [list(r) for r in rows]
    tail = [["金额合计"], ["法定代表人（签章）："]] if closing else []
    return head + [h1, h2] + body + tail


def test_2021_summary_checked_by_project_and_expense_type():
    a, _, _ = ledger_2021(
        expense="费用化",
        rows=[
            (D(2024, 2, 1), "记", 1, "工资", 9000, 9000, 9000),
            (D(2024, 2, 2), "记", 2, "咨询", 2000, 2000, *[None] * 5, 2000),
        ],
    )
    b, _, _ = ledger_2021(expense="资本化", rows=[(D(2024, 8, 1), "记", 7, "工资", 300, 300, 300)])
    limit = 9000 / 9  # the all-project 10% limit: 1000 of the 2000 is allowed
    ok = [
        ["P1", "测试项目", "未完成", "费用化", 9000 + limit, 9000, 0, 0, 0, 0, 9000, 2000, limit, 0, 0, 0, 0],
        ["P1", "测试项目", "未完成", "资本化", 300, 300, 0, 0, 0, 0, 300, 0, 0, 0, 0, 0, 0],
    ]
    r = check_book(book_from_sheets({"费": a, "资": b, "汇总表": summary_2021(ok)})).to_dict()
    assert not [f for f in r["findings"] if f["rule"] in ("B14", "B06", "B07")]
    assert r["enterprise"]["uscc"] == "91320804MA1N2K3L40" and r["enterprise"]["year"] == 2024
    wrong = [list(ok[0]), list(ok[1])]
    wrong[1][5] = 400  # the capitalised row's 人员人工费用 (B06 used to look at the first row of a project only)
    wrong[0][12] = 2000  # 7.2 stated before the limit
    r = check_book(book_from_sheets({"费": a, "资": b, "汇总表": summary_2021(wrong)})).to_dict()
    b14 = sorted((f["cell"], f["message"].split("，")[0]) for f in r["findings"] if f["rule"] == "B14")
    assert [c for c, _ in b14] == ["F6", "M5"]


def ledger_2015(form="自主研发", detail=(), rows=(), one_voucher_column=False):
    """A 2015 ledger: title, project row, 年/月日, 凭证, 摘要, 借方/贷方/借或贷/余额, 费用明细（借方） over groups and leaves."""
    out = [
        [f"{form}“研发支出”辅助账"],
        [
            "项目名称：测试",
            None,
            "项目编号：Q1",
            None,
            "资本化、费用化支出选项：费用化",
            None,
            "项目实施状态选项：未完成",
            None,
            "金额单位：元（列至角分）",
        ],
    ]
    if one_voucher_column:
        top = ["2024年", "2024年", "凭证号", "摘要", "借方金额", "贷方金额", "借或贷", "余额"] + [
            "费用明细（借方）"
        ] * len(detail)
        mid = ["月", "日", "凭证号", "摘要", "借方金额", "贷方金额", "借或贷", "余额"] + [g for g, _ in detail]
    else:
        top = ["2024年", "2024年", "凭证", "凭证", "摘要", "借方金额", "贷方金额", "借或贷", "余额"] + [
            "费用明细（借方）"
        ] * len(detail)
        mid = ["月", "日", "种类", "号数", "摘要", "借方金额", "贷方金额", "借或贷", "余额"] + [g for g, _ in detail]
    low = mid[: len(mid) - len(detail)] + [leaf for _, leaf in detail]
    return out + [top, mid, low] + [list(r) for r in rows]


def test_2015_ledger_sub_items_by_words_transfers_and_balances_never_lines():
    detail = [
        ("一、人员人工费用", "1.1直接从事研发活动人员工资薪金"),
        ("一、人员人工费用", "1.2直接从事研发活动人员五险一金"),
        ("三、折旧费用", "用于研发活动的仪器的折旧费"),
        ("六、其他相关费用", "差旅费、会议费"),  # printed as 6.4 by one producer: mapped by words
        ("六、其他相关费用", "职工福利费、补充养老保险费、补充医疗保险费"),
        ("六、其他相关费用", "其他相关费用1"),  # the e-form's generic column: category 6, no sub-item
    ]
    rows = [
        (None, None, None, None, "上年结转", None, None, "平", 0),
        (3, 5, "记", 8, "工资", 1000, None, "借", 1000, 1000),
        (3, 5, "记", 9, "社保", 300, None, "借", 1300, None, 300),
        (3, 20, "记", 30, "仪器折旧（含不予加计部分）", 500, None, "借", 1800, None, None, 400),
        (3, 25, "记", 31, "差旅", 200, None, "借", 2000, None, None, None, 150, None, 50),
        (3, 31, "转", 90, "结转本月研发费用至管理费用", None, 2000, "平", 0, -1000, -300, -400, -150, None, -50),
        (None, None, None, None, "本月合计", 2000, 2000, "平", 0, 1000, 300, 400, 150, None, 50),
        (None, None, None, None, "本年累计", 2000, 2000, "平", 0, 1000, 300, 400, 150, None, 50),
        (None, None, None, None, "期末余额", None, None, "平", 0),
        ("主办会计：某", None, None, None, None, "录入人员：某"),
    ]
    book = book_from_sheets({"Q1": ledger_2015(detail=detail, rows=rows)})
    data = book.ledger.data
    got = sorted(zip(data["明细项目"].fillna(""), data["账载金额"], data["可加计金额"], strict=True))
    assert got == sorted(
        [("1.1", 1000, 1000), ("1.2", 300, 300), ("3.1", 400, 400), ("8.1", 100, 0), ("6.5", 150, 150), ("", 50, 50)]
    )
    assert list(data["日期"].unique()) == [D(2024, 3, 5), D(2024, 3, 20), D(2024, 3, 25)]
    assert book.foreign.ties == [] and book.projects.data["研发形式"].tolist() == ["自主研发"]
    r = check_book(book).to_dict()
    assert r["a107012"]["4"] == 1000 and r["a107012"]["17"] == 400 and r["a107012"]["28"] == 200
    # the generic 其他相关费用1 column is category 6 without a sub-item: lines 29-33 are left blank, 28 is exact
    assert r["a107012"]["33"] is None and r["a107012"]["29"] is None
    assert r["stats"]["7"] == 2000


def test_2015_commission_ledger_without_detail_and_one_voucher_column():
    rows = [
        (4, 1, "记-0012", "支付某大学委托研发费", 50000, None, "借", 50000),
        (5, 1, "记-0020", "支付境外个人委托研发费", 8000, None, "借", 58000),
        (None, None, None, "本年累计", 58000, None, "借", 58000),
    ]
    book = book_from_sheets({"委托": ledger_2015(form="委托研发", rows=rows, one_voucher_column=True)})
    data = book.ledger.data
    assert sorted(zip(data["明细项目"], data["可加计金额"], strict=True)) == [("7.1", 50000), ("7.3", 8000)]
    assert list(data["凭证号"]) == ["记-0012", "记-0020"]
    r = check_book(book).to_dict()
    assert r["a107012"]["36"] == 50000 and r["stats"]["7"] == 58000
