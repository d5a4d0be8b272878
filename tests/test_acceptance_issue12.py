"""Acceptance review of issue 12 ("Done when"): small workbooks written here from the spec (§2), not from the other
tests' builders, one per point 1-8 and per Add item; every expected finding (rule, sheet, cell) and figure
(A107012 lines, 107-2 line 7, tax saving) is worked out by hand from the policy text quoted in each test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from rdcheck.api import check
from rdcheck.cli import main

RULES = Path(str(files("rdcheck.rules")))

D = dt.date
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(body: str = "91330100MA2B3C4D5") -> str:
    """A unified social credit code with its GB 32100-2015 check character."""
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(body, _CODE_WEIGHTS, strict=True))
    return body + _CODE_CHARS[(31 - total % 31) % 31]


# 企业信息 in this order: row 2 onwards; extra keys follow in the order given (their row: ent_row)
BASE = {
    "统一社会信用代码": uscc(),
    "企业名称": "验收测试有限公司",
    "所属年度": 2024,
    "行业代码": "C3976",
    "所在区域": "高新园区",
    "高新技术企业": "否",
    "科技型中小企业": "否",
    "规模以上企业": "是",
    "集成电路或工业母机企业": "否",
    "营业收入(元)": 50_000_000,
}
PROJECT_COLS = [
    "项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期", "项目状态",
    "支出类型", "资本化开始日期", "技术合同登记号", "受托研发", "无形资产形成日期", "以前年度资本化五项费用(元)",
    "以前年度资本化其他相关费用(元)", "无形资产本年摊销额(元)",
]  # fmt: skip
LEDGER_COLS = [
    "日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额(元)", "可加计金额(元)", "支出类型",
    "受托方", "受托方类型", "关联方",
]  # fmt: skip
ABROAD = {"受托方": "Lab GmbH", "受托方类型": "境外机构", "关联方": "否"}
REG = "2024330100000123"


def project(pid: str = "P01", year: int = 2024, **kw) -> dict:
    p = {
        "项目编号": pid,
        "项目名称": f"新型传感器研发{pid}",
        "研发形式": "自主研发",
        "研究类型": "试验发展",
        "立项日期": D(year, 1, 2),
        "立项文号": f"研决〔{year}〕{pid}号",
        "开始日期": D(year, 1, 2),
        "结束日期": D(year, 12, 31),
        "项目状态": "进行中",
        "支出类型": "费用化",
    }
    p.update(kw)
    return p


def line(date, sub: str, amount, pid: str = "P01", kind: str = "费用化", memo: str = "研发领用", **kw) -> dict:
    d = {
        "日期": date,
        "项目编号": pid,
        "摘要": memo,
        "费用类别": int(sub.split(".")[0]),
        "明细项目": sub,
        "账载金额(元)": amount,
        "支出类型": kind,
    }
    d.update(kw)
    return d


def ent_row(extra: dict, key: str) -> int:
    keys = [k for k, v in {**BASE, **extra}.items() if v is not None]
    return keys.index(key) + 2


def run(tmp_path, ent=None, projects=None, lines=(), lang="zh", name="book.xlsx"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业信息"
    ws.append(["项目", "值"])
    for k, v in {**BASE, **(ent or {})}.items():
        if v is not None:
            ws.append([k, v])
    ws = wb.create_sheet("研发项目")
    ws.append(PROJECT_COLS)
    for p in projects or [project()]:
        ws.append([p.get(c) for c in PROJECT_COLS])
    ws = wb.create_sheet("辅助账明细")
    ws.append(LEDGER_COLS)
    for n, item in enumerate(lines, start=1):
        ws.append([f"记-{n:04d}" if c == "凭证号" else item.get(c) for c in LEDGER_COLS])
    path = tmp_path / name
    wb.save(path)
    return check(path, lang=lang)


def hits(report, rule: str) -> list[tuple]:
    return [(f.sheet, f.cell, f.severity) for f in report.findings if f.rule == rule]


def only(report, rule: str):
    found = [f for f in report.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.cell, f.message) for f in report.findings]
    return found[0]


def fig(report, n) -> Decimal | None:
    value = report.a107012[str(n)]
    return None if value is None else Decimal(str(value))


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def figures(report, *lines) -> dict:
    return {n: fig(report, n) for n in lines}


# ---- point 1: 财会〔2018〕15号 "研发费用…反映…费用化支出，以及计入管理费用的自行开发无形资产的摊销"


def test_point1_income_statement_rd_includes_amortisation(tmp_path):
    ledger = [line(D(2024, 3, 1), "1.1", 500_000), line(D(2024, 3, 1), "1.2", 100_000)]
    ent = {"利润表研发费用(元)": 650_000, "以前年度形成无形资产本年摊销额(元)": 50_000}
    r = run(tmp_path, ent, lines=ledger)
    # 600,000 expensed + 50,000 amortisation = 650,000 exactly: no C08; line 44 → 45 = 41 + 44; 2024: 100%
    assert hits(r, "C08") == [] and hits(r, "B12") == []
    assert figures(r, 41, 44, 45, 47, 51) == {41: 600_000, 44: 50_000, 45: 650_000, 47: 650_000, 51: 650_000}
    assert money(r.tax_saving) == Decimal("162500.00")  # 25%, not 高新
    # 700,000: 50,000 (7.7% of 650,000, above C08's 5%) is not explained by the amortisation
    r = run(tmp_path, {**ent, "利润表研发费用(元)": 700_000}, lines=ledger)
    assert hits(r, "C08") == [("企业信息", f"B{ent_row(ent, '利润表研发费用(元)')}", "warning")]
    # an empty ledger whose income statement holds only that amortisation is no B12 …
    r = run(tmp_path, {**ent, "利润表研发费用(元)": 50_000})
    assert hits(r, "B12") == [] and fig(r, 51) == 50_000
    # … but 30,000 more than the amortisation is
    r = run(tmp_path, {**ent, "利润表研发费用(元)": 80_000})
    assert hits(r, "B12") == [("企业信息", "B12", "error")]
    assert "30,000.00" in only(r, "B12").message


# ---- point 2: 认定管理办法 第十一条（五）; 工作指引: 委托外部 80%, 其他费用 ≤ 20% of the total


def test_point2_high_tech_intensity_on_the_high_tech_caliber(tmp_path):
    project_ = [project(研发形式="委托研发", 技术合同登记号=REG)]
    uni = {"受托方": "某大学", "受托方类型": "境内高等学校", "关联方": "否"}
    ht = {"高新技术企业": "是", "营业收入(元)": 20_000_000}  # ≤ 5000万 → 5%
    core = [line(D(2024, 3, 1), "1.1", 500_000), line(D(2024, 3, 2), "7.1", 500_000, **uni)]
    # 500,000 + 500,000 × 80% + 100,000 (≤ 20%) = 1,000,000 = 5.00% of 20,000,000: meets the threshold
    # (the tax caliber, 955,555.56, would fail it; the book total 1,100,000 would pass either way)
    r = run(tmp_path, ht, project_, [*core, line(D(2024, 3, 3), "6.1", 100_000)])
    assert hits(r, "T04") == []
    assert money(r.tax_saving) == Decimal("143333.33")  # line 51 955,555.56 × 15%
    # 90,000 other: 990,000 = 4.95% (the book total 1,090,000 would be 5.45%)
    r = run(tmp_path, ht, project_, [*core, line(D(2024, 3, 3), "6.1", 90_000)])
    t04 = only(r, "T04")
    assert (t04.sheet, t04.cell) == ("企业信息", f"B{ent_row(ht, '营业收入(元)')}")
    assert "990,000.00" in t04.message and "4.95%" in t04.message and "一年" in t04.message
    assert "第十一条（五）" in t04.basis
    # 其他费用 capped at 20% of the total: 800,000 + min(300,000, 800,000 × 20/80) = 1,000,000 = 4.76% of 21M
    r = run(
        tmp_path,
        {**ht, "营业收入(元)": 21_000_000},
        lines=[line(D(2024, 3, 1), "1.1", 800_000), line(D(2024, 3, 2), "6.1", 300_000)],
    )
    assert "1,000,000.00" in only(r, "T04").message and "4.76%" in only(r, "T04").message
    # 境内 ≥ 60%: 500,000 domestic of 500,000 + 500,000 × 80% abroad = 55.56%
    r = run(
        tmp_path, {**ht, "营业收入(元)": 10_000_000}, project_, [core[0], line(D(2024, 3, 2), "7.2", 500_000, **ABROAD)]
    )
    assert "55.56%" in only(r, "T04").message


# ---- point 3: 97号 四 "…主营业务收入占…收入总额减除不征税收入和投资收益的余额50%（不含）以上"; 119号 五（一） 查账征收


@pytest.mark.parametrize(
    ("extra", "key", "severity", "claims"),
    [
        ({"行业代码": "F5171"}, "行业代码", "warning", True),  # the code alone: ask for the share
        ({"行业代码": "F5171", "负面清单行业收入占比": "60%"}, "负面清单行业收入占比", "error", False),
        ({"行业代码": "F5171", "负面清单行业收入占比": 0.5}, None, None, True),  # 50% is not "50%（不含）以上"
        ({"负面清单行业收入占比": "50.01%"}, "负面清单行业收入占比", "error", False),  # the enterprise says so
        ({"征收方式": "核定征收"}, "征收方式", "error", False),
        ({"征收方式": "查账征收"}, None, None, True),
    ],
)
def test_point3_negative_list_by_share_and_collection_method(tmp_path, extra, key, severity, claims):
    r = run(tmp_path, extra, lines=[line(D(2024, 3, 1), "1.1", 400_000), line(D(2024, 3, 1), "1.2", 100_000)])
    expected = [] if key is None else [("企业信息", f"B{ent_row(extra, key)}", severity)]
    assert hits(r, "C04") == expected
    assert fig(r, 47) == 500_000
    assert figures(r, 50, 51) == ({50: 100, 51: 500_000} if claims else {50: 0, 51: 0})
    assert money(r.tax_saving) == (Decimal("125000.00") if claims else 0)
    if key == "负面清单行业收入占比" and "行业代码" not in extra:
        assert "（负面清单行业）" not in only(r, "C04").message and "行业代码属于" not in "".join(r.notes)


# ---- point 4: 2022年第28号 "…75%的企业，在2022年10月1日至2022年12月31日期间，税前加计扣除比例提高至100%"

Y2022 = {"所属年度": 2022, "行业代码": "I6513"}  # software: not manufacturing, not 科技型中小企业 → 75%


def monthly(amount):
    return [line(D(2022, m, 20), "1.1", amount) for m in range(1, 13)]


def test_point4_2022_q4_the_issue_example(tmp_path):
    r = run(tmp_path, Y2022, [project(year=2022)], monthly(120_000))
    # 9 × 120,000 × 75% + 3 × 120,000 × 100% = 810,000 + 360,000
    assert figures(r, 40, 47, 51) == {40: 1_440_000, 47: 1_440_000, 51: 1_170_000}
    assert fig(r, 50) == Decimal("81.25") and money(r.tax_saving) == Decimal("292500.00")
    assert r.stats["7"] == 1_440_000
    assert hits(r, "C09") == [] and hits(r, "C10") == []
    claimed = ent_row({"申报加计扣除总额(元)": 1}, "申报加计扣除总额(元)")
    r = run(tmp_path, {**Y2022, "申报加计扣除总额(元)": 1_170_000}, [project(year=2022)], monthly(120_000))
    assert hits(r, "C09") == [] and hits(r, "C10") == []
    # above even 100% of the base (1,440,000): the configured severity, not info
    r = run(tmp_path, {**Y2022, "申报加计扣除总额(元)": 1_500_000}, [project(year=2022)], monthly(120_000))
    assert hits(r, "C10") == [("企业信息", f"B{claimed}", "error")] and "330,000.00" in only(r, "C10").message


def test_point4_2022_q4_other_ways(tmp_path):
    p = [project(year=2022)]
    # by operating months: 1,440,000 × 3/8 at 100%, the rest at 75% = 540,000 + 675,000
    extra = {**Y2022, "2022年四季度研发费用计算方法": "按经营月份比例", "2022年度实际经营月份数": 8}
    assert fig(run(tmp_path, extra, p, monthly(120_000)), 51) == 1_215_000
    # the boundary day: 09-30 at 75%, 10-01 at 100% → 75,000 + 300,000
    r = run(tmp_path, Y2022, p, [line(D(2022, 9, 30), "1.1", 100_000), line(D(2022, 10, 1), "1.1", 300_000)])
    assert figures(r, 50, 51) == {50: Decimal("93.75"), 51: 375_000}
    # with the 10% limit: 1,080,000 × 1/9 = 120,000 of December's 200,000 other; Q4 = 270,000 + 120,000 = 390,000
    # → 810,000 × 75% + 390,000 × 100% = 997,500
    r = run(tmp_path, Y2022, p, [*monthly(90_000), line(D(2022, 12, 20), "6.1", 200_000)])
    assert figures(r, 34, 40, 51) == {34: 120_000, 40: 1_200_000, 51: 997_500}
    # 科技型中小企业 in 2022: 100% all year; manufacturing (2021年第13号): 100% too
    assert fig(run(tmp_path, {**Y2022, "科技型中小企业": "是"}, p, monthly(120_000)), 51) == 1_440_000
    assert fig(run(tmp_path, {**Y2022, "行业代码": "C3976"}, p, monthly(120_000)), 51) == 1_440_000


# ---- point 5: a limit is a ceiling: 10% limit and 2/3 limit floored at 0; C02 needs a 7.2 line


def test_point5_negative_bases(tmp_path):
    reversal = line(D(2024, 4, 1), "2.1", -300_000, memo="冲回材料领用 记-0001")
    r = run(tmp_path, lines=[line(D(2024, 3, 1), "1.1", 100_000), reversal, line(D(2024, 5, 1), "6.1", 10_000)])
    # categories 1-5 = −200,000 → limit 0, line 34 0 (not −22,222.22), line 38 0; 45 −200,000, 47 floored, 51 0
    assert figures(r, 2, 34, 38, 40, 47, 51, 52) == {2: -200_000, 34: 0, 38: 0, 40: -200_000, 47: 0, 51: 0, 52: 0}
    assert hits(r, "C02") == [] and money(r.tax_saving) == 0
    assert "10,000.00" in only(r, "C01").message  # all of the 10,000 other exceeds a 0 limit
    r = run(
        tmp_path,
        projects=[project(技术合同登记号=REG)],
        lines=[line(D(2024, 3, 1), "1.1", 100_000), reversal, line(D(2024, 5, 1), "7.2", 30_000, **ABROAD)],
    )
    assert figures(r, 37, 38, 51) == {37: 30_000, 38: 0, 51: 0}
    assert "24,000.00" in only(r, "C02").message  # 30,000 × 80% over a 0 limit


# ---- point 6: 7.1 境内 / 7.2 境外机构 / 7.3 境外个人 (64号 一、六) against 受托方类型


def test_point6_subitem_contradicts_contractor_type(tmp_path):
    p = [project(技术合同登记号=REG)]
    salary = line(D(2024, 3, 1), "1.1", 300_000)
    firm = {"受托方": "某某科技有限公司", "受托方类型": "境内企业", "关联方": "否"}
    r = run(tmp_path, projects=p, lines=[salary, line(D(2024, 5, 1), "7.1", 100_000, **ABROAD)])
    assert hits(r, "C15") == [("辅助账明细", "F3", "error")]
    # the deduction follows what the enterprise wrote (7.1 at 80%), 107-2 the contractor (line 18 境外机构)
    assert figures(r, 36, 40) == {36: 100_000, 40: 380_000} and r.stats["18"] == 100_000
    r = run(tmp_path, projects=p, lines=[salary, line(D(2024, 5, 1), "7.2", 100_000, **firm)])
    assert hits(r, "C15") == [("辅助账明细", "F3", "error")]
    assert figures(r, 37, 38) == {37: 100_000, 38: 80_000}  # min(80,000, 300,000 × 2/3)
    r = run(
        tmp_path,
        projects=p,
        lines=[salary, line(D(2024, 5, 1), "7.3", 50_000, 受托方="张三", 受托方类型="境内个人", 关联方="否")],
    )
    assert hits(r, "C15") == [("辅助账明细", "F3", "error")]
    r = run(
        tmp_path,
        projects=p,
        lines=[
            salary,
            line(D(2024, 5, 1), "7.1", 100_000, **firm),
            line(D(2024, 5, 2), "7.3", 60_000, 受托方="John", 受托方类型="境外个人", 关联方="否"),
        ],
    )
    assert hits(r, "C15") == [] and fig(r, 39) == 60_000 and fig(r, 40) == 380_000  # line 39 never deducted


# ---- point 7: 64号 二 "委托境外进行研发活动应签订技术开发合同，并由委托方到科技行政主管部门进行登记"


def test_point7_overseas_contract_must_be_registered(tmp_path):
    ledger = [line(D(2024, 3, 1), "1.1", 300_000), line(D(2024, 5, 1), "7.2", 100_000, **ABROAD)]
    r = run(tmp_path, lines=ledger)  # 自主研发, no 技术合同登记号
    b15 = only(r, "B15")
    assert (b15.sheet, b15.cell, b15.severity) == ("研发项目", "L2", "error") and "登记" in b15.message
    assert hits(run(tmp_path, projects=[project(技术合同登记号=REG)], lines=ledger), "B15") == []
    # a 委托研发 project: B15 for the overseas contract, B10 only for the domestic one
    ps = [project("P01", 研发形式="委托研发"), project("P02", 研发形式="委托研发")]
    r = run(
        tmp_path,
        projects=ps,
        lines=[
            ledger[1],
            line(D(2024, 5, 1), "7.1", 60_000, pid="P02", 受托方="某大学", 受托方类型="境内高等学校", 关联方="否"),
        ],
    )
    assert hits(r, "B15") == [("研发项目", "L2", "error")] and hits(r, "B10") == [("研发项目", "L3", "warning")]


# ---- point 8: 40号 七（三） 资本化时点与会计处理一致: a 费用化 line on a 资本化 project after its start


def test_point8_expensed_line_after_capitalisation_start(tmp_path):
    ledger = [
        line(D(2024, 3, 1), "1.1", 300_000),  # research phase: expensed, fine
        line(D(2024, 8, 1), "1.1", 200_000),  # after 07-01 on a 资本化 project: B08
        line(D(2024, 9, 1), "1.1", 100_000, kind="资本化"),
    ]
    r = run(tmp_path, projects=[project(支出类型="资本化", 资本化开始日期=D(2024, 7, 1))], lines=ledger)
    b08 = only(r, "B08")
    assert (b08.sheet, b08.cell, b08.severity) == ("辅助账明细", "I3", "error") and b08.hint
    assert figures(r, 41, 42, 45, 51) == {41: 500_000, 42: 100_000, 45: 500_000, 51: 500_000}
    assert only(
        run(tmp_path, lang="en", projects=[project(支出类型="资本化", 资本化开始日期=D(2024, 7, 1))], lines=ledger),
        "B08",
    ).hint
    # on the start day itself it is capitalised already
    r = run(tmp_path, projects=[project(支出类型="资本化", 资本化开始日期=D(2024, 8, 1))], lines=ledger)
    assert hits(r, "B08") == [("辅助账明细", "I3", "error")]
    # 部分资本化 projects keep expensed lines by definition
    assert (
        hits(
            run(tmp_path, projects=[project(支出类型="部分资本化", 资本化开始日期=D(2024, 7, 1))], lines=ledger), "B08"
        )
        == []
    )


# ---- Add: 不征税收入 (97号 二（五）), 受托研发 (119号 二（一）), 摘要 words, statistics ↔ tax, lifecycle


def test_add_non_taxable_fiscal_funds(tmp_path):
    ledger = [line(D(2024, 3, 1), "1.1", 400_000), line(D(2024, 3, 1), "2.1", 100_000, memo="财政专项资金支付材料款")]
    r = run(tmp_path, {"不征税收入用于研发(元)": 100_000}, lines=ledger)
    assert figures(r, 40, 41, 45, 47, 51) == {40: 500_000, 41: 500_000, 45: 400_000, 47: 400_000, 51: 400_000}
    assert hits(r, "C16") == [] and r.stats["7"] == 500_000  # statistics keep it
    r = run(tmp_path, lines=ledger)
    assert hits(r, "C16") == [("辅助账明细", "D3", "warning")] and fig(r, 51) == 500_000


def test_add_rd_done_for_a_client(tmp_path):
    ps = [project("P01"), project("P02", 受托研发="是")]
    r = run(
        tmp_path,
        projects=ps,
        lines=[line(D(2024, 3, 1), "1.1", 200_000), line(D(2024, 3, 1), "1.1", 300_000, pid="P02")],
    )
    assert figures(r, 1, 40, 51) == {1: 1, 40: 200_000, 51: 200_000}
    assert r.stats["7"] == 500_000 and r.stats["intramural"] == 500_000
    assert hits(r, "C17") == [("研发项目", "M3", "info")] and "300,000.00" in only(r, "C17").message


def test_add_summary_keywords(tmp_path):
    ledger = [
        line(D(2024, 3, 1), "1.1", 400_000),
        line(D(2024, 4, 1), "6.5", 5_000, memo="研发人员参加培训费"),
        line(D(2024, 4, 2), "2.8", 20_000, memo="研发中心办公楼房租"),
        line(D(2024, 4, 3), "6.1", 3_000, memo="业务招待费"),
        line(D(2024, 4, 4), "2.7", 8_000, memo="研发设备维修"),  # 2.7 is 维修 of R&D equipment: not reported
    ]
    r = run(tmp_path, lines=ledger)
    assert hits(r, "C18") == [("辅助账明细", f"D{n}", "warning") for n in (3, 4, 5)]


def test_add_statistics_against_tax(tmp_path):
    ledger = [
        line(D(2024, 3, 1), "1.1", 400_000),
        line(D(2024, 3, 1), "1.2", 100_000),
        line(D(2024, 3, 1), "2.1", 100_000),
    ]
    s = {"统计研究开发费用合计(千元)": 600, "统计研究开发人员(人)": 10}
    clean = run(tmp_path, s, lines=ledger)
    assert [f.rule for f in clean.findings if f.rule[0] == "T"] == [] and clean.stats["intramural_reported"] == 600_000
    r = run(tmp_path, {**s, "统计研究开发费用合计(千元)": 500}, lines=ledger)  # 500,000 < line 40 600,000
    assert hits(r, "T06") == [("企业信息", f"B{ent_row(s, '统计研究开发费用合计(千元)')}", "warning")]
    assert "100,000.00" in only(r, "T06").message
    r = run(tmp_path, {**s, "统计研究开发人员(人)": 200}, lines=ledger)  # 500,000 / 200 = 2,500 < 5,000
    assert hits(r, "T07") == [("企业信息", f"B{ent_row(s, '统计研究开发人员(人)')}", "warning")]
    assert "2,500.00" in only(r, "T07").message
    r = run(tmp_path, {**s, "营业收入(元)": 3_000_000}, lines=ledger)  # 20% > 15%
    assert hits(r, "T08") == [("企业信息", "B11", "warning")] and "20%" in only(r, "T08").message
    r = run(tmp_path, {**s, "营业收入(元)": 150_000_000, "高新技术企业": "是"}, lines=ledger)  # 0.4% < 0.5% for 高新
    assert hits(r, "T08") == [("企业信息", "B11", "warning")] and "0.4%" in only(r, "T08").message
    heavy = [
        line(D(2024, 3, 1), "1.1", 250_000),
        line(D(2024, 3, 1), "1.2", 50_000),
        line(D(2024, 3, 1), "2.1", 700_000),
    ]
    r = run(tmp_path, {**s, "统计研究开发费用合计(千元)": 1000}, lines=heavy)  # materials 70% > 60%
    assert [f.rule for f in r.findings if f.rule[0] == "T"] == ["T09"] and "70%" in only(r, "T09").message
    r = run(tmp_path, {**s, "上年研究开发费用合计(千元)": 600_000}, lines=ledger)  # ×1000: a unit slip
    assert hits(r, "T10") == [
        ("企业信息", f"B{ent_row({**s, '上年研究开发费用合计(千元)': 1}, '上年研究开发费用合计(千元)')}", "warning")
    ]


def lifecycle_projects(formed, prior5=400_000, prior6=80_000, amortisation=30_000):
    return [
        project("P01"),
        project(
            "P02",
            立项日期=D(2023, 1, 2),
            开始日期=D(2023, 1, 2),
            项目状态="已完成" if formed.year == 2024 else "进行中",
            支出类型="资本化",
            资本化开始日期=D(2023, 3, 1),
            无形资产形成日期=formed,
            **{
                "以前年度资本化五项费用(元)": prior5,
                "以前年度资本化其他相关费用(元)": prior6,
                "无形资产本年摊销额(元)": amortisation,
            },
        ),
        project(
            "P03",
            立项日期=D(2021, 1, 4),
            开始日期=D(2021, 1, 4),
            结束日期=D(2022, 6, 30),
            项目状态="已完成",
            支出类型="资本化",
            资本化开始日期=D(2021, 6, 1),
            无形资产形成日期=D(2022, 6, 30),
            **{"无形资产本年摊销额(元)": 20_000},
        ),
    ]


LIFECYCLE_LEDGER = [
    line(D(2024, 3, 1), "1.1", 400_000),
    line(D(2024, 3, 2), "6.1", 30_000),
    line(D(2024, 3, 3), "1.1", 100_000, pid="P02", kind="资本化"),
    line(D(2024, 3, 4), "6.1", 10_000, pid="P02", kind="资本化"),
]


def test_add_lifecycle_formation_year_pools_every_year(tmp_path):
    """28号 三（一）: "资本化项目发生的费用在形成无形资产的年度统一纳入计算"."""
    r = run(tmp_path, projects=lifecycle_projects(D(2024, 6, 30)), lines=LIFECYCLE_LEDGER)
    # five: 400,000 + 100,000 + 400,000 earlier = 900,000 → limit 100,000; other 30,000 + 10,000 + 80,000 = 120,000
    # → ratio 5/6: line 34 = 40,000 × 5/6 = 33,333.33; 41 = 400,000 + 25,000; 42 = 100,000 + 8,333.33
    # 43 = P02's 30,000 (formed 2024), 44 = P03's 20,000 (formed 2022); 45 = 425,000 + 30,000 + 20,000
    assert figures(r, 1, 28, 34, 40, 41, 42, 43, 44, 45, 51) == {
        1: 2, 28: 40_000, 34: Decimal("33333.33"), 40: Decimal("533333.33"), 41: 425_000,
        42: Decimal("108333.33"), 43: 30_000, 44: 20_000, 45: 475_000, 51: 475_000,
    }  # fmt: skip
    assert money(r.tax_saving) == Decimal("118750.00") and r.stats["7"] == 540_000
    assert "20,000.00" in only(r, "C01").message  # 120,000 − 100,000
    # not the formation year (2025): P02's capitalised lines stay outside the pool, at their full amount
    r = run(tmp_path, projects=lifecycle_projects(D(2025, 6, 30), amortisation=None), lines=LIFECYCLE_LEDGER)
    assert figures(r, 34, 40, 41, 42, 43, 44, 45) == {
        34: 40_000,
        40: 540_000,
        41: 430_000,
        42: 110_000,
        43: 0,
        44: 20_000,
        45: 450_000,
    }
    assert hits(r, "C01") == []
    # the earlier years left empty: C20 at 以前年度资本化五项费用, limit on this year's spending only
    r = run(tmp_path, projects=lifecycle_projects(D(2024, 6, 30), None, None), lines=LIFECYCLE_LEDGER)
    assert hits(r, "C20") == [("研发项目", "O3", "warning")] and fig(r, 34) == 40_000


def test_add_lifecycle_dates_and_amortisation(tmp_path):
    # capitalised lines after the intangible formed (02-01): B17 at each line's 支出类型
    r = run(tmp_path, projects=lifecycle_projects(D(2024, 2, 1)), lines=LIFECYCLE_LEDGER)
    assert hits(r, "B17") == [("辅助账明细", "I4", "error"), ("辅助账明细", "I5", "error")]
    # formation before the capitalisation start: B16 at 无形资产形成日期
    ps = [
        project("P01"),
        project("P02", 支出类型="资本化", 资本化开始日期=D(2024, 5, 1), 无形资产形成日期=D(2024, 4, 1)),
    ]
    assert hits(run(tmp_path, projects=ps, lines=LIFECYCLE_LEDGER[:2]), "B16") == [("研发项目", "N3", "error")]
    # an amortisation without a formation date: 43/44 cannot be placed (null), 45 still counts it
    ps = [
        project("P01"),
        project("P02", 支出类型="资本化", 资本化开始日期=D(2022, 5, 1), **{"无形资产本年摊销额(元)": 15_000}),
    ]
    r = run(tmp_path, projects=ps, lines=LIFECYCLE_LEDGER[:1])
    assert hits(r, "C21") == [("研发项目", "N3", "warning")]
    assert figures(r, 43, 44, 45, 51) == {43: None, 44: None, 45: 415_000, 51: 415_000}
    # 企业信息's line 44 differs from the projects': C22, and the key is the line
    extra = {"以前年度形成无形资产本年摊销额(元)": 25_000}
    r = run(tmp_path, extra, lifecycle_projects(D(2025, 6, 30), amortisation=None), LIFECYCLE_LEDGER[:1])
    assert hits(r, "C22") == [("企业信息", "B12", "warning")] and fig(r, 44) == 25_000


def test_add_lifecycle_no_date_one_rule_for_the_pool_and_line_43(tmp_path):
    """A 已完成 capitalised project without 无形资产形成日期: the 10% pool and lines 43/44 take the same view. With
    capitalised spending to form it (earlier years' amounts stated) it forms this year: pooled, and its amortisation
    is line 43; with nothing capitalised (an intangible of an earlier year still amortised) neither is assumed."""
    ps = lifecycle_projects(D(2024, 6, 30))
    ps[1]["无形资产形成日期"] = None
    r = run(tmp_path, projects=ps, lines=LIFECYCLE_LEDGER)
    assert figures(r, 34, 43, 44, 45) == {34: Decimal("33333.33"), 43: 30_000, 44: 20_000, 45: 475_000}
    assert hits(r, "C21") == []
    ps = [
        project("P01"),
        project(
            "P02",
            项目状态="已完成",
            支出类型="资本化",
            资本化开始日期=D(2021, 5, 1),
            **{"无形资产本年摊销额(元)": 15_000},
        ),
    ]
    r = run(tmp_path, projects=ps, lines=LIFECYCLE_LEDGER[:2])
    assert hits(r, "C21") == [("研发项目", "N3", "warning")]
    assert figures(r, 34, 43, 44, 45) == {34: 30_000, 43: None, 44: None, 45: 445_000}


# ---- the catalogue and the output a user reads

NEW_RULES = ["B15", "B16", "B17", "C15", "C16", "C17", "C18", "C19", "C20", "C21", "C22", "T10"]


def _rule(rule_id: str) -> dict:
    return yaml.safe_load((RULES / f"{rule_id}.yaml").read_text(encoding="utf-8"))


def test_every_message_variant_has_a_hint_in_both_languages():
    paths = sorted(RULES.glob("[A-Z]*.yaml"))
    assert len(paths) > 60  # the whole catalogue, not an empty glob
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        messages, hint = data["message"], data["hint"]
        variants = ["default"] if "zh" in messages else list(messages)
        for variant in variants:
            h = hint if "zh" in hint else hint.get(variant)
            assert h and h.get("zh") and h.get("en"), f"{path.stem} {variant}"


@pytest.mark.parametrize("rule_id", NEW_RULES)
def test_new_rules_cite_the_clause_in_words(rule_id):
    data = _rule(rule_id)
    assert data["basis"]
    if rule_id == "T10":  # a plausibility screen: no clause, and it says so
        assert "无政策条文" in data["basis"]
    else:  # the clause's words quoted, or said plainly that they could not be checked (C22: the 填报说明)
        desc = data["description"]["zh"]
        assert "条文" in desc and ("“" in desc or "未能核对" in desc), rule_id


def test_english_and_text_reports_read_as_a_user_sees_them(tmp_path):
    run(tmp_path, {**Y2022, "申报加计扣除总额(元)": 1_500_000}, [project(year=2022)], monthly(120_000), name="q4.xlsx")
    path = str(tmp_path / "q4.xlsx")
    en = CliRunner().invoke(main, ["check", path, "--lang", "en", "--format", "text"])
    assert en.exit_code == 1 and "Traceback" not in en.output
    assert "1,170,000.00" in en.output and "81.25%" in en.output and "exceeds the computed 1,170,000.00" in en.output
    assert "错误" not in en.output and "警告" not in en.output
    zh = CliRunner().invoke(main, ["check", path, "--format", "text"])
    assert "第51行" in zh.output and "1,170,000.00" in zh.output and "292,500.00" in zh.output
