"""The official-layout samples (samples/make_layouts.py): generated deterministically, committed up to date, and
read to the fen as the same voucher lines in the standard workbook (issue 10, done-when)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from rdcheck.api import check, check_book
from rdcheck.workbook import book_from_sheets

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "samples" / "layouts"
EXPECTED = yaml.safe_load((FOLDER / "expected.yaml").read_text(encoding="utf-8"))
LINES = ("1", "3", "7", "16", "19", "23", "28", "36", "37", "39", "40")  # 39: 委托境外个人, never deducted
sys.path.insert(0, str(ROOT / "samples"))

import make_layouts  # noqa: E402
import officialbook  # noqa: E402


def test_generator_is_deterministic_and_the_committed_samples_are_current(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_layouts.py"), "--out", str(tmp_path)], check=True)
    made = {p.name: p.read_bytes() for p in (tmp_path / "layouts").iterdir()}
    committed = {p.name: p.read_bytes() for p in FOLDER.iterdir()}
    assert made == committed, "run: .venv/bin/python samples/make_layouts.py"


@pytest.fixture(scope="module")
def reports():
    return {name: check(FOLDER / name).to_dict() for name in EXPECTED if name.endswith(".xlsx")}


def _figures(report: dict) -> dict[str, float]:
    out = {f"a{n}": report["a107012"][n] for n in LINES}
    out["stats7"] = report["stats"]["7"]
    return out


@pytest.mark.parametrize("name", ["official-2021.xlsx", "mixed-2021.xlsx", "standard-2024.xlsx", "official-2015.xlsx"])
def test_figures_to_the_fen(reports, name):
    got = _figures(reports[name])
    for key, want in EXPECTED[name].items():
        assert got[key] == pytest.approx(want, abs=0.001), (name, key)


@pytest.mark.parametrize("name", ["official-2021.xlsx", "mixed-2021.xlsx"])
def test_official_equals_standard(reports, name):
    assert _figures(reports[name]) == _figures(reports["standard-2024.xlsx"])


def _rules(report: dict) -> list[str]:
    return [f["rule"] for f in report["findings"]]


def test_official_workbook_says_once_what_it_lacks(reports):
    r = reports["official-2021.xlsx"]
    rules = _rules(r)
    assert "F01" not in rules and "F02" not in rules and "F03" not in rules
    assert rules.count("F12") == 1
    f12 = next(f for f in r["findings"] if f["rule"] == "F12")
    assert f12["severity"] == "warning" and "行业代码" in f12["message"] and "B03" in f12["message"]
    assert r["enterprise"]["uscc"] == officialbook.USCC and r["enterprise"]["name"] == officialbook.NAME
    assert r["enterprise"]["year"] == 2024
    assert [(x["sheet"], x["layout"]) for x in r["layouts"]] == [
        ("P001费用化", "official_2021_ledger"),
        ("P002费用化", "official_2021_ledger"),
        ("P002资本化", "official_2021_ledger"),
        ("P003费用化", "official_2021_ledger"),
        ("研发支出辅助账汇总表", "official_2021_summary"),
    ]
    assert r["withheld"] is False
    # categories without sub-items: lines 3 … 28 filled, the sub-item lines under them blank (null), with a note
    assert r["a107012"]["4"] is None and r["a107012"]["33"] is None and r["a107012"]["3"] == 272500
    # the generator's 汇总表 (limits spread by its own formulas) agrees with rdcheck: no B14, and no B07
    assert "B14" not in rules and "B07" not in rules


def test_findings_point_at_the_enterprise_cells(reports):
    r = reports["official-2021.xlsx"]
    c03 = next(f for f in r["findings"] if f["rule"] == "C03")
    # 支付境外个人委托研发费: book 20000, eligible 0 on P003费用化 — the remainder line's 会计凭证记载金额 cell
    assert (c03["sheet"], c03["cell"], c03["row"]) == ("P003费用化", "E9", 9)
    f11 = [f for f in r["findings"] if f["rule"] == "F11"]
    assert len(f11) == 5 and "读出 13 行明细" in f11[0]["message"]


def test_mixed_workbook_keeps_its_enterprise_and_projects(reports):
    r = reports["mixed-2021.xlsx"]
    rules = _rules(r)
    assert "F01" not in rules and "F02" not in rules and "B01" not in rules and "B07" not in rules
    assert r["enterprise"]["industry"] == "C3499"
    kinds = {x["sheet"]: x["layout"] for x in r["layouts"]}
    assert kinds["汇总表"] == "official_2021_summary" and kinds["企业信息"] == "standard"
    f12 = next(f for f in r["findings"] if f["rule"] == "F12")
    assert "企业信息（" not in f12["message"] and "明细项目" in f12["message"]


def test_single_official_ledger_under_our_sheet_name():
    r = check(FOLDER / "single-ledger.xlsx").to_dict()
    p, expense, vs = officialbook.ledgers()[0]
    std = check_book(book_from_sheets(make_layouts.standard_sheets(vs))).to_dict()
    assert _figures(r) == _figures(std)
    assert r["stats"]["7"] == EXPECTED["single-ledger.xlsx"]["stats7"]
    assert r["layouts"] == [
        {"sheet": "辅助账明细", "layout": "official_2021_ledger", "label": r["layouts"][0]["label"]}
    ]
    assert {"F01", "F02"}.isdisjoint(_rules(r))


def test_expected_figures_come_from_the_policy_not_from_rdcheck():
    exp = officialbook.expected()
    # 其他相关费用 64800 in scope, base 417801: limit 46422.33…; line 40 = 2 + 36 × 80% + 38
    assert exp["a28"] == Decimal("64800.00") and exp["other_allowed"] == Decimal("46422.33")
    assert exp["a40"] == Decimal("744223.33")


def test_2015_set_gives_the_same_category_lines_and_line_7(reports):
    r, std = reports["official-2015.xlsx"], reports["standard-2024.xlsx"]
    for key in ("a3", "a7", "a16", "a19", "a23", "stats7"):
        assert _figures(r)[key] == _figures(std)[key], key
    # the 2015 ledgers carry sub-items: A107012 sub-item lines are filled too (工资薪金 line 4, 五险一金 line 5)
    assert r["a107012"]["4"] == std["a107012"]["4"] and r["a107012"]["5"] == std["a107012"]["5"]
    rules = _rules(r)
    assert {"F01", "F02", "F03", "F04", "B13"}.isdisjoint(rules) and rules.count("F12") == 1
    b14 = [f for f in r["findings"] if f["rule"] == "B14"]
    assert len(b14) == 1 and b14[0]["severity"] == "warning" and "2015版汇总表" in b14[0]["message"]
    kinds = [x["layout"] for x in r["layouts"]]
    assert kinds == ["official_2015_ledger"] * 4 + ["official_2015_summary"]
    # transfers (结转…, 贷方 only), 期初余额, 本月合计, 本年累计, 期末余额 are never lines: 22 lines as in 2021
    f11 = [f["message"] for f in r["findings"] if f["rule"] == "F11"]
    assert "读出 13 行明细" in f11[0]


INFO_YAML = """行业代码: C3499
所在区域: 王营街道
高新技术企业: 是
科技型中小企业: 否
规模以上企业: 是
集成电路或工业母机企业: 否
营业收入（万元）: 8600
统计研究开发费用合计（千元）: 868.601
统计研究开发人员: 12
"""


def test_info_file_supplies_what_the_layout_lacks(tmp_path):
    from click.testing import CliRunner

    from rdcheck.cli import main

    info = tmp_path / "企业信息.yaml"
    info.write_text(INFO_YAML, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(FOLDER / "official-2021.xlsx"), "--info", str(info), "--format", "json"]
    )
    r = json.loads(result.output)
    assert r["enterprise"]["industry"] == "C3499" and r["enterprise"]["uscc"] == officialbook.USCC  # the 汇总表's
    f12 = next(f for f in r["findings"] if f["rule"] == "F12")
    assert "企业信息（" not in f12["message"] and "T01" not in f12["message"]
    # the statistics figure is now known: reported 868,601 = the ledgers' 107-2 line 7, so no T01/T02
    assert {"T01", "T02", "F01", "F02"}.isdisjoint(_rules(r))
    assert r["stats"]["intramural_reported"] is not None
    # the same from a workbook holding a 企业信息 sheet
    xlsx = tmp_path / "info.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业信息"
    for row in [("项目", "值"), *(line.split(": ") for line in INFO_YAML.strip().splitlines())]:
        ws.append(list(row))
    wb.save(xlsx)
    again = CliRunner().invoke(
        main, ["check", str(FOLDER / "official-2021.xlsx"), "--info", str(xlsx), "--format", "json"]
    )
    assert json.loads(again.output)["enterprise"]["industry"] == "C3499"


def test_a_bad_info_file_is_one_line_and_exit_2(tmp_path):
    from click.testing import CliRunner

    from rdcheck.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("行业: C3499\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(FOLDER / "official-2021.xlsx"), "--info", str(bad)])
    assert result.exit_code == 2 and "无法识别的项目：行业" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
