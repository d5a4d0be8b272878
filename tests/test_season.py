"""The bureau's season: a register over rounds, changes between rounds, waivers (issue 14, points 1-3).

A held-out district of four enterprises built here from the spec's workbook layout, run through three rounds with
the real command line: round 1 all new; round 2 乙 repaired (fixed), 甲 broken (new failure), 丙 unchanged, 丁 gone;
a waiver for 甲's T01; round 3 甲 no longer fails and its T01 findings carry the waiver.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_batch import uscc
from test_district_e2e import P1, write_ledger

from rdcheck.cli import main
from rdcheck.district.changes import compare
from rdcheck.district.register import SCHEMA_VERSION, Register
from rdcheck.district.waivers import Waiver, apply_to_result, make_waiver
from rdcheck.errors import ConfigError

LINES = [(P1, "1.1", 600_000), (P1, "1.2", 100_000)]


def ent(n: int, reported_k: int | None) -> dict[str, Any]:
    return dict(code=uscc(n), region="高新区", industry="C3976", ht=True, sme=False, above=True, lines=LINES,
                reported_k=reported_k)  # fmt: skip


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("season")
    reg = root / "register.sqlite"
    r1 = root / "round1"
    write_ledger(r1 / "甲.xlsx", "甲", ent(201, 700))  # passes
    write_ledger(r1 / "乙.xlsx", "乙", ent(202, None))  # 规上, not reported to statistics: T01, fails
    write_ledger(r1 / "丙.xlsx", "丙", ent(203, 700))
    write_ledger(r1 / "丁.xlsx", "丁", ent(204, 700))
    out = {}
    out[1] = run("batch", str(r1), "-o", str(root / "out1"), "--register", str(reg), "-q", "-j", "2")
    r2 = root / "round2"
    r2.mkdir()
    write_ledger(r2 / "甲.xlsx", "甲", ent(201, None))  # broken: no longer reported
    write_ledger(r2 / "乙.xlsx", "乙", ent(202, 700))  # repaired
    shutil.copy2(r1 / "丙.xlsx", r2 / "丙.xlsx")  # the same bytes: its result is reused
    out[2] = run("batch", str(r2), "-o", str(root / "out2"), "--register", str(reg), "-q", "-j", "2")
    out["waive"] = run("waive", str(reg), "--uscc", uscc(201), "--rule", "T01", "--reason", "电话确认：统计数据已补报",
                       "--year", "2024")  # fmt: skip
    out[3] = run("batch", str(r2), "-o", str(root / "out3"), "--register", str(reg), "-q", "-j", "2")
    return {"root": root, "reg": reg, "out": out}


def changes(season: dict[str, Any], n: int) -> dict[str, Any]:
    return json.loads((season["root"] / f"out{n}" / "changes.json").read_text(encoding="utf-8"))


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [i["uscc"] for i in items]


def test_round_one_lists_everyone_as_new(season: dict[str, Any]) -> None:
    assert season["out"][1].exit_code == 0, season["out"][1].output
    c = changes(season, 1)
    assert c["round"] == 1 and c["year"] == 2024 and c["previous_round"] is None
    assert codes(c["new"]) == sorted(uscc(n) for n in (201, 202, 203, 204))
    assert {i["uscc"]: i["status"] for i in c["new"]}[uscc(202)] == "fail"
    assert not any(c[k] for k in ("fixed", "new_failures", "still_failing", "unchanged", "missing"))
    assert "2024 年第 1 轮" in season["out"][1].output and "新报送 4" in season["out"][1].output


def test_round_two_fixed_new_failure_unchanged_missing(season: dict[str, Any]) -> None:
    assert season["out"][2].exit_code == 0, season["out"][2].output
    c = changes(season, 2)
    assert c["round"] == 2 and c["previous_round"] == 1
    assert c["new"] == []
    assert codes(c["fixed"]) == [uscc(202)] and c["fixed"][0]["rules_removed"] == ["T01"]
    assert codes(c["new_failures"]) == [uscc(201)] and c["new_failures"][0]["rules_added"] == ["T01"]
    moved = c["new_failures"][0]["figures"]["intramural_reported"]
    assert moved == {"before": 700_000, "after": None}
    assert codes(c["unchanged"]) == [uscc(203)]
    assert codes(c["missing"]) == [uscc(204)] and c["missing"][0]["why"] == "previous_round"
    assert "已改正 1" in season["out"][2].output and "沿用结果" in season["out"][2].output
    from openpyxl import load_workbook

    wb = load_workbook(season["root"] / "out2" / "summary.xlsx", read_only=True)
    rows = list(wb["本轮变化"].values)
    assert ("已改正", uscc(202)) in {r[:2] for r in rows}
    assert ("新增不通过", uscc(201)) in {r[:2] for r in rows}


def test_register_holds_every_file_of_every_round(season: dict[str, Any]) -> None:
    con = sqlite3.connect(season["reg"])
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        per_round = dict(con.execute("SELECT round_id, count(*) FROM submissions GROUP BY round_id").fetchall())
        assert per_round == {1: 4, 2: 3, 3: 3}
        reused = con.execute("SELECT file FROM submissions WHERE round_id = 2 AND reused = 1").fetchall()
        assert [Path(f).name for (f,) in reused] == ["丙.xlsx"]
        shas = {row[0] for row in con.execute("SELECT sha256 FROM submissions")}
        assert None not in shas and len(shas) == 6  # round 1's four, round 2's two new files
        t01 = con.execute("SELECT count(*) FROM findings WHERE rule = 'T01'").fetchone()[0]
        assert t01 == 3  # 乙 round 1, 甲 rounds 2 and 3
    finally:
        con.close()


def test_waiver_then_round_three_no_longer_fails(season: dict[str, Any]) -> None:
    assert season["out"]["waive"].exit_code == 0, season["out"]["waive"].output
    assert "已登记豁免 #1" in season["out"]["waive"].output
    assert season["out"][3].exit_code == 0, season["out"][3].output
    lines = [json.loads(x) for x in (season["root"] / "out3" / "results.jsonl").read_text("utf-8").splitlines()]
    jia = next(r for r in lines if r["enterprise"]["uscc"] == uscc(201))
    assert jia["status"] != "fail" and jia["counts"]["error"] == 0
    t01 = [f for f in jia["findings"] if f["rule"] == "T01"]
    assert t01 and all(f["waived"] is True and f["waiver"] == "电话确认：统计数据已补报" for f in t01)
    assert codes(changes(season, 3)["fixed"]) == [uscc(201)]
    # the feedback workbook shows the waived finding, not hides it
    from openpyxl import load_workbook

    feedback = season["root"] / "out3" / "feedback" / f"{uscc(201)}-甲科技有限公司-2024.xlsx"
    rows = list(load_workbook(feedback, read_only=True)["检查结果"].values)
    t01_rows = [r for r in rows if r[0] == "T01"]
    waived = rows[0].index("豁免")
    assert t01_rows and all(r[waived] == "已豁免：电话确认：统计数据已补报" for r in t01_rows)


def test_check_with_the_register_shows_the_waiver(season: dict[str, Any]) -> None:
    ledger = season["root"] / "round2" / "甲.xlsx"
    result = run("check", str(ledger), "--register", str(season["reg"]))
    assert result.exit_code == 0, result.output  # its only error, T01, is waived
    assert "[已豁免：电话确认：统计数据已补报]" in result.output
    assert run("check", str(ledger)).exit_code == 1


def test_register_command_lists_and_exports(season: dict[str, Any]) -> None:
    target = season["root"] / "register.xlsx"
    result = run("register", str(season["reg"]), "--export", str(target))
    assert result.exit_code == 0, result.output
    assert "轮次 (3)" in result.output and "豁免 (1)" in result.output and "T01" in result.output
    latest = {line.split()[0]: line for line in result.output.splitlines() if line.strip().startswith("9132")}
    assert "有警告" in latest[uscc(202)] and "2024-3" in latest[uscc(202)]
    assert "不通过" not in latest[uscc(201)]  # waived
    from openpyxl import load_workbook

    wb = load_workbook(target, read_only=True)
    assert wb.sheetnames == ["轮次", "企业最新结论", "报送记录", "问题明细", "豁免"]
    assert len(list(wb["报送记录"].values)) == 1 + 10


def test_library_interface_for_the_web(season: dict[str, Any]) -> None:
    with Register.open(season["reg"], create=False) as reg:
        assert [r.label for r in reg.rounds()] == ["2024-1", "2024-2", "2024-3"]
        subs = reg.submissions(round_id=3)
        assert len(subs) == 3 and "report" not in subs[0]
        assert reg.report(subs[0]["id"])["file"] == subs[0]["file"]
        assert [(w.uscc, w.rule, w.year) for w in reg.waivers()] == [(uscc(201), "T01", 2024)]


def test_a_killed_round_leaves_the_register_consistent(tmp_path: Path) -> None:
    from rdcheck.district.rounds import run_round

    for n in (1, 2, 3):
        write_ledger(tmp_path / "in" / f"{n}.xlsx", str(n), ent(300 + n, 700))
    paths = sorted((tmp_path / "in").glob("*.xlsx"))
    seen = []

    def stop_after_two(done: int, total: int, result: dict[str, Any]) -> None:
        seen.append(result["file"])
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_round(tmp_path / "reg.sqlite", paths, tmp_path / "out", progress=stop_after_two, isolate=False)
    with Register.open(tmp_path / "reg.sqlite") as reg:
        (killed,) = reg.rounds()
        assert killed.finished is None and killed.files == 2
        assert {Path(s["file"]).name for s in reg.submissions()} == {"1.xlsx", "2.xlsx"}
    done = run_round(tmp_path / "reg.sqlite", paths, tmp_path / "out2", isolate=False)
    assert done.reused == 2  # the two files the killed round finished are not checked again
    assert done.changes["round"] == 1 and len(done.changes["new"]) == 3  # the unfinished round does not count


def test_register_refuses_what_it_cannot_trust(tmp_path: Path) -> None:
    (tmp_path / "x.sqlite").write_bytes(b"not a database at all, just text" * 10)
    with pytest.raises(ConfigError, match="不是 rdcheck 登记簿"):
        Register.open(tmp_path / "x.sqlite")
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(ConfigError, match="其他程序"):
        Register.open(tmp_path / "other.sqlite")
    newer = sqlite3.connect(tmp_path / "newer.sqlite")
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(ConfigError, match="更新版本"):
        Register.open(tmp_path / "newer.sqlite")
    result = run("register", str(tmp_path / "x.sqlite"))
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_waiver_matching_by_cell_and_year() -> None:
    w = make_waiver(uscc(1).lower(), "b01", " 项目 已补 ", year=2024, cell="辅助账明细!$c$186")
    assert (w.uscc, w.rule, w.reason, w.sheet, w.cell) == (uscc(1), "B01", "项目 已补", "辅助账明细", "C186")
    w = Waiver(**{**w.__dict__, "id": 1})
    result = {
        "status": "fail",
        "enterprise": {"uscc": uscc(1), "year": 2024},
        "findings": [
            {"rule": "B01", "severity": "error", "sheet": "辅助账明细", "cell": "C186"},
            {"rule": "B01", "severity": "error", "sheet": "辅助账明细", "cell": "C221"},
            {"rule": "C05", "severity": "warning", "sheet": "辅助账明细", "cell": "C186"},
        ],
    }
    assert apply_to_result(result, [w]) == 1
    assert [f.get("waived") for f in result["findings"]] == [True, None, None]
    assert result["status"] == "fail" and result["counts"] == {"error": 1, "warning": 1, "info": 0}
    other_year = {**result, "enterprise": {"uscc": uscc(1), "year": 2023}, "status": "fail"}
    assert apply_to_result(other_year, [w]) == 0
    for bad in ({"cell": "C186"}, {"rule": "X"}, {"reason": " "}):
        with pytest.raises(ConfigError):
            make_waiver(**{"uscc": uscc(1), "rule": "B01", "reason": "r", **bad})


def test_compare_against_a_roster() -> None:
    from rdcheck.district.plan import RosterEntry

    now = {uscc(1): {"status": "pass", "sha256": "a", "enterprise": {"name": "甲"}}}
    c = compare(now, None, roster=[RosterEntry(uscc(1), "甲"), RosterEntry(uscc(2), "乙")], year=2024)
    assert codes(c["new"]) == [uscc(1)]
    assert codes(c["missing"]) == [uscc(2)] and c["missing"][0]["why"] == "roster"


def test_unknown_rule_is_one_line(tmp_path: Path) -> None:
    result = run("waive", str(tmp_path / "r.sqlite"), "--uscc", uscc(1), "--rule", "Z99", "--reason", "x")
    assert result.exit_code == 2 and "没有规则 Z99" in result.output


def test_a_waived_finding_is_shown_in_the_text_report_and_does_not_count() -> None:
    from rdcheck.model import Finding, Report
    from rdcheck.report.text import render

    findings = [
        Finding("T01", "error", "T", "企业信息", 8, "值", "B8", "有研发支出但未报统计", waived="电话确认已补报"),
        Finding("C05", "warning", "C", "辅助账明细", 3, "账载金额", "G3", "金额异常"),
    ]
    report = Report(file="甲.xlsx", sha256=None, version="t", enterprise={"uscc": uscc(1)}, findings=findings)
    assert report.status == "warn" and report.counts == {"error": 0, "warning": 1, "info": 0}
    text = render(report)
    assert "T01" in text and "[已豁免：电话确认已补报]" in text
    assert "waived: 电话确认已补报" in render(report, lang="en")
    data = report.to_dict()
    assert data["findings"][0]["waived"] is True and "waived" not in data["findings"][1]


def test_a_round_refused_before_checking_leaves_no_round(tmp_path: Path) -> None:
    from rdcheck.district.lock import FolderLock, new_run_id
    from rdcheck.district.rounds import run_round
    from rdcheck.errors import RdcheckError

    paths = [write_ledger(tmp_path / "in" / "1.xlsx", "1", ent(401, 700))]
    (tmp_path / "out").mkdir()
    with FolderLock(tmp_path / "out", "rdcheck batch", new_run_id()), pytest.raises(RdcheckError):
        run_round(tmp_path / "reg.sqlite", paths, tmp_path / "out", isolate=False)
    with Register.open(tmp_path / "reg.sqlite") as reg:
        assert reg.rounds() == []
