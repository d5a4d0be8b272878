"""The engine: pandera failure cases mapped to Excel cells, lazy collection, ordering, languages, stand-in calc."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from rule_support import check

from rdcheck.api import check_book
from rdcheck.engine import Config, run
from rdcheck.engine.examples import example_book, example_sheets
from rdcheck.model import PILLARS, SEVERITIES
from rdcheck.schema import validate_table
from rdcheck.workbook.reader import book_from_sheets

D = dt.date


def _ledger_book(rows: list[list], header: list[str], titles: int = 0):
    sheets = example_sheets({})
    sheets["辅助账明细"] = [["研发支出辅助账"], ["单位：元"]][:titles] + [header, *rows]
    return book_from_sheets(sheets)


def test_failure_cases_map_to_cells_when_the_header_is_not_in_row_1():
    header = ["凭证号", "日期", "项目编号", "摘要", "明细项目", "费用类别", "支出类型", "会计凭证记载金额（万元）"]
    rows = [
        ["记-1", D(2024, 1, 31), "P001", "工资", "1.1", 1, "费用化", 3],
        ["记-2", "2024-02-30", "P001", None, "1.2", 1, "费用化", "三万"],
        ["记-3", D(2024, 3, 1), "P001", "材料", "2.1", 1, "待定", 1],
    ]
    book = _ledger_book(rows, header, titles=2)
    assert book.ledger.header_row == 3
    failures = validate_table(book.ledger)
    got = sorted((f.rule, book.ledger.cell(f.column, f.row)) for f in failures)
    assert got == sorted(
        [
            ("F04", "B5"),  # 2024-02-30 is no date; data starts in row 4 under a header in row 3
            ("F03", "D5"),  # 摘要 empty
            ("F04", "H5"),  # 三万 is no amount
            ("F05", "E6"),  # 2.1 is not a sub-item of category 1
            ("F05", "G6"),  # 待定 is no expense type
        ]
    ), failures
    assert book.ledger.data.at[4, "账载金额"] == 30000  # (万元) scaled at read time
    findings = check(book)
    by_cell = {(f.rule, f.cell): f for f in findings if f.pillar == "F"}
    assert by_cell[("F04", "H5")].value == "三万" and by_cell[("F04", "H5")].row == 5
    assert by_cell[("F04", "H5")].column == "账载金额"


def test_a_workbook_with_many_faults_gets_all_of_them():
    n = 300
    rows = []
    for i in range(n):
        rows.append(
            {
                "日期": D(2024, 5, 1),
                "凭证号": f"记-{i:04d}",
                "摘要": None,  # F03
                "费用类别": "九",  # F05
                "明细项目": "1.1",
                "账载金额": "abc",  # F04
            }
        )
    book = example_book({"辅助账明细": {"add": rows}})
    findings = check(book)
    counts = {rule: sum(1 for f in findings if f.rule == rule) for rule in ("F03", "F04", "F05")}
    assert counts == {"F03": n, "F04": n, "F05": n}
    assert {f.cell for f in findings if f.rule == "F04"} == {f"G{r}" for r in range(6, 6 + n)}


def test_findings_are_sorted_by_pillar_sheet_row_rule():
    book = example_book(
        {
            "企业信息": {"统计研究开发费用合计": None, "统一社会信用代码": "123"},
            "研发项目": {"set": {2: {"立项日期": D(2024, 6, 1)}}},
            "辅助账明细": {"set": {5: {"日期": D(2023, 1, 1)}, 3: {"摘要": None}}},
            "drop": ["汇总表"],
        }
    )
    findings = check(book)
    pillars = [PILLARS.index(f.pillar) for f in findings]
    assert pillars == sorted(pillars)
    f_rules = [(f.sheet, f.row, f.rule) for f in findings if f.pillar == "F"]
    assert f_rules == [("企业信息", 2, "F06"), ("辅助账明细", 3, "F03"), ("辅助账明细", 5, "F07")]
    assert findings == check(book)  # deterministic
    assert all(f.severity in SEVERITIES and f.basis for f in findings)


def test_messages_in_english():
    book = example_book({"辅助账明细": {"set": {5: {"项目编号": "P009"}}}})
    (finding,) = [f for f in check(book, lang="en") if f.rule == "B01"]
    assert finding.message == "Project 'P009' is not listed in 研发项目"
    (finding,) = [f for f in check(book) if f.rule == "B01"]
    assert finding.message == "项目编号“P009”不在研发项目表中"


def test_clean_book_gives_no_error_or_warning():
    findings = check(example_book({}))
    assert [f for f in findings if f.severity in ("error", "warning")] == []


def test_engine_runs_with_a_stand_in_calc_lacking_figures():
    book = example_book({"企业信息": {"行业代码": "F5211", "申报加计扣除总额": 1}})
    findings = run(book, SimpleNamespace(), Config())
    rules = {f.rule for f in findings}
    assert "C04" in rules  # the negative list is policy data, read without the computation
    assert not rules & {"C01", "C02", "C09", "C10", "T02"}


def test_rate_not_modelled_drops_c09_c10_to_info():
    book = example_book({"企业信息": {"申报加计扣除总额": 100}})
    calc = SimpleNamespace(a107012={51: 61000}, rate_modelled=False)
    (finding,) = [f for f in run(book, calc, Config()) if f.rule == "C09"]
    assert finding.severity == "info"
    calc.rate_modelled = True
    (finding,) = [f for f in run(book, calc, Config()) if f.rule == "C09"]
    assert finding.severity == "warning"


def test_c10_any_over_claim_when_line_51_is_zero():
    book = example_book({"企业信息": {"申报加计扣除总额": 1}})
    calc = SimpleNamespace(a107012={51: 0}, rate_modelled=True)
    assert [f.rule for f in run(book, calc, Config()) if f.rule.startswith("C1")] == ["C10"]


def test_missing_optional_sheets_mean_their_rules_do_not_fire():
    book = example_book({"drop": ["汇总表"]})
    rules = {f.rule for f in check(book)}
    assert rules == {"B07"}


def test_missing_required_sheet_and_key():
    book = example_book({"drop": ["辅助账明细"], "企业信息": {"drop": ["营业收入"]}})
    found = [(f.rule, f.sheet, f.column, f.row, f.cell) for f in check(book) if f.pillar == "F"]
    assert ("F01", "辅助账明细", None, None, None) in found
    assert ("F02", "企业信息", "营业收入", None, None) in found


def test_check_book_reports_findings():
    report = check_book(example_book({"辅助账明细": {"set": {4: {"账载金额": "20000.005"}}}}))
    assert report.flatten(["rule", "cell"]) == [["F08", "G4"]]
    assert report.status == "warn"
    assert report.to_dict()["findings"][0]["basis"]


def test_an_implausible_year_is_unreadable_and_year_bound_checks_stay_quiet():
    book = example_book({"企业信息": {"所属年度": -1}})
    found = [(f.rule, f.cell) for f in check_book(book).findings]
    assert found == [("F04", "B4")]
