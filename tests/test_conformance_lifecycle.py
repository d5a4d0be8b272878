"""The capitalised project's lifecycle, from the policy text (issue 12, last "Add" item).

国家税务总局公告2021年第28号 三（一）: "企业按照以下公式计算……“其他相关费用”的限额，其中资本化项目发生的费用在形成无形
资产的年度统一纳入计算：全部研发项目的其他相关费用限额=全部研发项目的人员人工等五项费用之和×10%/(1-10%)"; 三（二）:
"当“其他相关费用”实际发生数小于限额时，按实际发生数计算税前加计扣除额;当“其他相关费用”实际发生数大于限额时，按限额计算".
《研发费用加计扣除政策执行指引2.0》四（二）4 (the four steps): the ratio allowed/actual applies to each project's
其他相关费用. A107012 line 43 = amortisation of intangibles formed this year, line 44 = of those formed earlier.

The expected figures below are worked by hand from those words (the 指引's own example, 88 + 84 and 12 + 8 万元,
with the capitalised project's spending split over two years), never from rdcheck.compute.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from rule_support import check

from rdcheck.api import check_book
from rdcheck.compute import compute
from rdcheck.workbook import book_from_sheets

D = Decimal
FEN = D("0.01")
LEDGER = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "支出类型"]
PROJECT = [
    "项目编号",
    "项目名称",
    "研发形式",
    "研究类型",
    "项目状态",
    "支出类型",
    "资本化开始日期",
    "无形资产形成日期",
    "以前年度资本化五项费用",
    "以前年度资本化其他相关费用",
    "无形资产本年摊销额",
]


def fen(x: Decimal) -> Decimal:
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


def ledger_rows(year: int = 2023) -> list[list]:
    """A: 费用化, 880,000 five items + 120,000 other. B: 资本化 this year, 340,000 five items + 30,000 other."""
    day = dt.date(year, 3, 5)
    return [
        [day, "记-1", "A", "工资", "1", "1.1", 880000, "费用化"],
        [day, "记-2", "A", "差旅", "6", "6.5", 120000, "费用化"],
        [day, "记-3", "B", "工资", "1", "1.1", 340000, "资本化"],
        [day, "记-4", "B", "专利代理", "6", "6.3", 30000, "资本化"],
    ]


def project_b(status="进行中", formed=None, core=None, other=None, amort=None, start=dt.date(2022, 4, 1)):
    return ["B", "项目B", "自主研发", "试验发展", status, "资本化", start, formed, core, other, amort]


def project_a(**kw):
    row = ["A", "项目A", "自主研发", "应用研究", "进行中", "费用化", None, None, None, None, None]
    for k, v in kw.items():
        row[PROJECT.index(k)] = v
    return row


def book(projects, lines=None, year=2023, **enterprise):
    ent = {"统一社会信用代码": "91320800MA1XXXXXX0", "企业名称": "测试企业", "所属年度": year, "行业代码": "C3976"}
    ent.update(enterprise)
    return book_from_sheets(
        {
            "企业信息": [["项目", "值"], *([k, v] for k, v in ent.items())],
            "研发项目": [PROJECT, *projects],
            "辅助账明细": [LEDGER, *(lines if lines is not None else ledger_rows(year))],
        }
    )


def test_formation_year_pools_every_year_of_the_capitalised_project():
    """B forms its intangible in 2023; it capitalised 500,000 five items and 50,000 other in 2022.
    Pool (28号 三（一）): five items 880,000 + 340,000 + 500,000 = 1,720,000; limit = 1,720,000 × 10% / 90%
    = 191,111.11; actual other 120,000 + 30,000 + 50,000 = 200,000 > limit → allowed 191,111.11 (三（二）).
    Ratio 191,111.11… / 200,000 on this year's other (150,000) → line 34 = 143,333.33; line 40 = 1,363,333.33.
    B's share (line 42) = 340,000 + 30,000 × ratio = 368,666.67."""
    calc = compute(book([project_a(), project_b(formed=dt.date(2023, 9, 30), core=500000, other=50000)]))
    a = calc.a107012
    limit = D(1720000) * D("0.1") / D("0.9")
    ratio = limit / D(200000)
    assert fen(calc.other_limit["limit"]) == D("191111.11")
    assert fen(calc.other_limit["allowed"]) == D("191111.11")
    assert fen(calc.other_limit["excess"]) == D("8888.89")
    assert fen(a[34]) == fen(D(150000) * ratio) == D("143333.33")
    assert fen(a[40]) == D("1363333.33")
    assert fen(a[42]) == fen(D(340000) + D(30000) * ratio) == D("368666.67")
    assert fen(a[41]) == fen(D(880000) + D(120000) * ratio) == D("994666.67")
    assert any("以前年度资本化" in n for n in calc.notes)


def test_without_earlier_years_the_same_formation_pools_this_year_only():
    """Same workbook, earlier years left empty: pool 1,220,000 → limit 135,555.56 < 150,000 actual."""
    calc = compute(book([project_a(), project_b(formed=dt.date(2023, 9, 30))]))
    assert fen(calc.other_limit["limit"]) == D("135555.56")
    assert fen(calc.a107012[34]) == D("135555.56")


def test_a_project_forming_later_stays_out_of_this_years_limit():
    """B forms in 2024: its 2023 spending is not in the 2023 pool ("在形成无形资产的年度统一纳入计算"), whatever its
    项目状态 says, and its earlier amounts are ignored. Limit = 880,000 / 9 = 97,777.78 < 120,000; B's 30,000
    other stays at its full amount this year: line 34 = 97,777.78 + 30,000."""
    for status in ("进行中", "已完成"):
        calc = compute(
            book([project_a(), project_b(status=status, formed=dt.date(2024, 3, 31), core=500000, other=50000)])
        )
        assert fen(calc.other_limit["limit"]) == D("97777.78"), status
        assert calc.other_limit["prior_base"] == 0 and calc.other_limit["prior_cat6"] == 0
        assert fen(calc.a107012[34]) == D("127777.78"), status


def test_the_formation_date_wins_over_the_status():
    """进行中 in the sheet but formed on 2023-12-20: this year's pool includes B (the same figures as above)."""
    calc = compute(book([project_a(), project_b(status="进行中", formed=dt.date(2023, 12, 20))]))
    assert fen(calc.other_limit["limit"]) == D("135555.56")


def test_without_a_formation_date_a_finished_project_forms_this_year():
    """No 无形资产形成日期: 已完成 stands for the formation year (执行指引2.0 四（二）4 "当年已结束的资本化项目")."""
    done = compute(book([project_a(), project_b(status="已完成", core=500000, other=50000)]))
    running = compute(book([project_a(), project_b(status="进行中", core=500000, other=50000)]))
    assert fen(done.other_limit["limit"]) == D("191111.11")
    assert fen(running.other_limit["limit"]) == D("97777.78")


# project C: capitalised from 2020-03-01, its intangible formed 2021-06-30 (the amortisation is added per test)
PROJECT_C = [
    "C",
    "项目C",
    "自主研发",
    "试验发展",
    "已完成",
    "资本化",
    dt.date(2020, 3, 1),
    dt.date(2021, 6, 30),
    None,
    None,
]


def test_lines_43_and_44_by_formation_year():
    """B formed 2023 amortises 12,000 (line 43); C formed 2021 amortises 8,000 (line 44). Line 45 = 41 + 43 + 44."""
    c = PROJECT_C
    calc = compute(book([project_a(), project_b(formed=dt.date(2023, 9, 30), amort=12000), [*c, 8000]]))
    a = calc.a107012
    assert a[43] == 12000 and a[44] == 8000
    assert a[45] == a[41] + 20000


def test_enterprise_keys_win_and_an_unplaceable_amortisation_leaves_the_lines_empty():
    keyed = compute(
        book([project_a(), project_b(formed=dt.date(2023, 9, 30), amort=12000)], 本年形成无形资产摊销额=15000)
    )
    assert keyed.a107012[43] == 15000 and keyed.a107012[44] == 0
    # an amortisation with no formation date: 43 or 44 cannot be told — both empty, line 45 still counts it
    blind = compute(book([project_a(), project_b(amort=12000)]))
    assert blind.a107012[43] is None and blind.a107012[44] is None
    assert blind.a107012[45] == blind.a107012[41] + 12000
    assert any("第43/44行" in n for n in blind.notes)
    # formed this year, nothing stated: line 43 unknown (never a made-up 0); line 44 stays 0
    silent = compute(book([project_a(), project_b(formed=dt.date(2023, 9, 30))]))
    assert silent.a107012[43] is None and silent.a107012[44] == 0
    report = check_book(book([project_a(), project_b(formed=dt.date(2023, 9, 30))])).to_dict()
    assert report["a107012"]["43"] is None and report["a107012"]["44"] == 0


def test_no_lifecycle_data_changes_nothing():
    """A workbook without the new columns: lines 43/44 from 企业信息 (empty = 0), the status rule for the scope."""
    calc = compute(book([project_a(), project_b()], 以前年度形成无形资产本年摊销额=5000))
    assert calc.a107012[43] == 0 and calc.a107012[44] == 5000
    assert fen(calc.other_limit["limit"]) == D("97777.78")


def test_rules_fire_at_the_right_cells():
    """B16 formation before capitalisation; B17 a 资本化 line after formation; C20 earlier years missing."""
    lines = [*ledger_rows(), [dt.date(2023, 11, 2), "记-5", "B", "材料", "2", "2.1", 1000, "资本化"]]
    b = project_b(formed=dt.date(2023, 10, 31))
    found = check(book([project_a(), b], lines=lines))
    by_rule = {f.rule: f for f in found if f.rule in {"B16", "B17", "C19", "C20", "C21"}}
    assert by_rule["B17"].cell == "H6"  # the 支出类型 of the 2023-11-02 line (Excel row 6)
    assert by_rule["C20"].cell == "I3"  # 以前年度资本化五项费用 of B (row 3)
    assert by_rule["C21"].cell == "K3"  # formed this year, no amortisation stated
    assert "B16" not in by_rule and "C19" not in by_rule
    early = project_b(formed=dt.date(2022, 1, 31), start=dt.date(2022, 4, 1), core=0, other=0)
    found = check(book([project_a(), early]))
    assert [f.cell for f in found if f.rule == "B16"] == ["H3"]


def test_a_real_xlsx_through_the_cli(tmp_path: Path):
    """The new columns read from a real workbook written with openpyxl; figures to the fen in the JSON."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业信息"
    for row in (
        ["项目", "值"],
        ["统一社会信用代码", "91320800MA1XXXXXX0"],
        ["企业名称", "测试企业"],
        ["所属年度", 2023],
        ["行业代码", "C3976"],
    ):
        ws.append(row)
    ws = wb.create_sheet("研发项目")
    ws.append(PROJECT)
    ws.append(project_a())
    ws.append(project_b(formed=dt.date(2023, 9, 30), core=500000, other=50000, amort=12000))
    ws = wb.create_sheet("辅助账明细")
    ws.append(LEDGER)
    for row in ledger_rows():
        ws.append(row)
    path = tmp_path / "lifecycle.xlsx"
    wb.save(path)
    exe = Path(sys.executable).with_name("rdcheck")
    proc = subprocess.run(
        [str(exe), "check", str(path), "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    a = {n: D(str(v)) for n, v in report["a107012"].items() if v is not None}
    assert a["34"] == D("143333.33") and a["40"] == D("1363333.33") and a["42"] == D("368666.67")
    assert a["43"] == 12000 and a["44"] == 0
    assert a["45"] == D("1006666.67")  # 994,666.67 + 12,000


@pytest.mark.parametrize("year", [2021, 2024])
def test_the_pool_applies_from_2021_on(year):
    """28号 四: 三 applies "2021年及以后年度"; the same pool in any year rdcheck checks."""
    calc = compute(
        book(
            [project_a(), project_b(formed=dt.date(year, 9, 30), core=500000, other=50000)],
            lines=ledger_rows(year),
            year=year,
        )
    )
    assert fen(calc.other_limit["limit"]) == D("191111.11")


def test_the_sample_with_a_capitalised_line_after_formation():
    """samples/ledgers/flaw_capitalised_after_formation.xlsx: one error, B17, at the planted cell; line 43 known."""
    import yaml

    from rdcheck.api import check as check_file

    ledgers = Path(__file__).resolve().parent.parent / "samples" / "ledgers"
    (want,) = yaml.safe_load((ledgers / "expected.yaml").read_text(encoding="utf-8"))[
        "flaw_capitalised_after_formation.xlsx"
    ]
    report = check_file(ledgers / "flaw_capitalised_after_formation.xlsx")
    serious = [(f.rule, f.cell) for f in report.findings if f.severity in ("error", "warning")]
    assert serious == [("B17", want["cell"])]
    assert report.a107012["43"] == 1200 and report.a107012["44"] == 0


def test_c21_asks_for_a_formation_date_only_where_the_workbook_has_a_place_for_it():
    """本年形成无形资产摊销额 claimed, no project forming this year: the standard workbook is asked for the date; a
    foreign layout (here a single official-style ledger) has no such column, so C21 stays quiet there."""
    from rdcheck.workbook import read_book

    layouts = Path(__file__).resolve().parent.parent / "samples" / "layouts"
    foreign = read_book(layouts / "single-ledger.xlsx")
    assert foreign.foreign is not None and not foreign.projects.has("无形资产形成日期")
    foreign.enterprise.values["本年形成无形资产摊销额"] = D(3000)
    assert [f for f in check(foreign) if f.rule == "C21"] == []
    standard = book([project_a()], lines=ledger_rows()[:2], 本年形成无形资产摊销额=3000)
    assert [(f.rule, f.column) for f in check(standard) if f.rule == "C21"] == [("C21", "本年形成无形资产摊销额")]


def test_c08_counts_the_projects_amortisation():
    """The income statement's 研发费用 holds "计入管理费用的自行开发无形资产的摊销" (财会〔2018〕15号): with project C's
    60,000 of amortisation stated on 研发项目 (formed 2021), 1,060,000 = 1,000,000 expensed + 60,000 is no gap."""
    c = PROJECT_C
    with_c = book([project_a(), project_b(), [*c, 60000]], 利润表研发费用=1060000)
    without = book([project_a(), project_b(), [*c, None]], 利润表研发费用=1060000)
    assert [f for f in check(with_c) if f.rule == "C08"] == []
    assert [f.rule for f in check(without) if f.rule == "C08"] == ["C08"]
