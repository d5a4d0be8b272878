"""District rollup: known totals, breakdowns, follow-up, folder == results.jsonl, district.yaml validation."""

from __future__ import annotations

import json
import os
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import fake_check, report, uscc, write_fake

from rdcheck.district.batch import run_batch
from rdcheck.district.plan import District, RosterEntry, load_district, load_roster
from rdcheck.district.results import write_results_jsonl
from rdcheck.district.rollup import format_summary, industry_section, load_results, rollup
from rdcheck.errors import ConfigError

M = 1_000_000

DISTRICT_YAML = """\
district: 测试区
year: 2024
gdp: 100
targets: {rd_spending: 2, intensity: 2.0, basic_research: 0.1}
other_performers: {高等学校: 0.5, 科研机构: 0.2}
basic_research_other: 0.01
regions: [王营街道, 高新区]
"""


@pytest.fixture
def district(tmp_path: Path) -> District:
    path = tmp_path / "district.yaml"
    path.write_text(DISTRICT_YAML, encoding="utf-8")
    return load_district(path)


def submissions() -> list[dict]:
    """A district whose figures are known by hand (see the expectations in the tests)."""
    return [
        report(uscc(1), "甲", region="王营街道", intramural=50 * M, reported=40 * M, basic=2 * M, rules=("T02",),
               high_tech=True, file="a.xlsx"),
        report(uscc(2), "乙", region="高新区", industry="3911", intramural=30 * M, rules=("T01",), tech_sme=True,
               file="b.xlsx"),
        report(uscc(3), "丙", region="南陈集镇", industry="I6510", intramural=10 * M, reported=12 * M, basic=1 * M,
               rules=("F03",), file="c.xlsx"),
        report(uscc(4), "丁", year=2023, intramural=99 * M, reported=99 * M, file="d.xlsx"),
        {**report(uscc(1), "甲（旧）", intramural=77 * M, reported=77 * M, file="e.xlsx"), "status": "superseded",
         "check_status": "pass"},
        {"file": "f.xlsx", "status": "error", "error": "无法读取文件"},
    ]  # fmt: skip


def test_district_yaml_amounts_in_yuan(district: District) -> None:
    assert district.gdp == Decimal(10_000_000_000)
    assert district.target_rd_spending == 200 * M and district.target_basic_research == 10 * M
    assert district.target_intensity == Decimal("2.0")
    assert district.other_performers == {"高等学校": 50 * M, "科研机构": 20 * M}
    assert district.basic_research_other == 1 * M
    assert district.region_of(" 高新区 ") == "高新区" and district.region_of("南陈集镇") is None


def test_known_totals(district: District) -> None:
    result = rollup(submissions(), district)
    d = result.to_dict()
    assert d["submissions"] == {"counted": 3, "error": 1, "superseded": 1, "excluded": 1, "unread": 0}
    rd = d["rd_spending"]
    assert rd["enterprises_reported"] == 52 * M  # 40 + 0 (not reported) + 12
    assert rd["enterprises_potential"] == 92 * M  # max per enterprise: 50 + 30 + 12
    assert rd["other_performers"] == 70 * M
    assert (rd["reported"], rd["potential"], rd["target"], rd["gap"]) == (122 * M, 162 * M, 200 * M, 78 * M)
    assert d["intensity"] == {"reported": 1.22, "potential": 1.62, "target": 2.0}
    assert result.extra["intensity_gap"] == Decimal("0.78")  # percentage points: xlsx and terminal only
    assert d["basic_research"]["amount"] == 4 * M  # 2 + 1 + 1 (basic_research_other)
    assert (d["basic_research"]["target"], d["basic_research"]["gap"]) == (10 * M, 6 * M)
    assert d["counts"]["high_tech"] == 1 and d["counts"]["tech_sme"] == 1
    assert d["gdp"] == 100 and d["district"] == "测试区" and d["year"] == 2024  # GDP as given, in 亿元
    json.dumps(d)  # JSON-able as it stands


def test_breakdowns(district: District) -> None:
    result = rollup(submissions(), district)
    d = result.to_dict()
    regions = {r["region"]: (r["enterprises"], r["reported"], r["potential"]) for r in d["by_region"]}
    assert regions == {"王营街道": (1, 40 * M, 50 * M), "高新区": (1, 0, 30 * M), "其他": (1, 12 * M, 12 * M)}
    assert [r["region"] for r in d["by_region"]] == ["王营街道", "高新区", "其他"]
    assert any("南陈集镇" in w and "其他" in w for w in result.warnings())
    assert any("南陈集镇" in w for w in result.warnings("en"))
    industry = {r["industry"]: (r["enterprises"], r["reported"], r["potential"]) for r in d["by_industry"]}
    assert industry == {"C": (2, 40 * M, 80 * M), "I": (1, 12 * M, 12 * M)}
    types = {r["type"]: (r["enterprises"], r["reported"], r["potential"]) for r in d["by_type"]}
    assert types["high_tech"] == (1, 40 * M, 50 * M) and types["tech_sme"] == (1, 0, 30 * M)
    assert types["above_scale"] == (3, 52 * M, 92 * M) and set(types) == {"high_tech", "tech_sme", "above_scale"}


def test_follow_up_sorted_by_amount_at_stake(district: District) -> None:
    roster = [RosterEntry(uscc(1), "甲"), RosterEntry(uscc(2), "乙"), RosterEntry(uscc(9), "未交", "高新区"),
              RosterEntry(uscc(4), "丁")]  # fmt: skip
    result = rollup(submissions(), district, roster=roster)
    follow = result.to_dict()["follow_up"]
    summary = [(f["uscc"], f["reason"], f["amount"]) for f in follow]
    assert summary == [
        (uscc(2), "T01", 30 * M),  # not reported: the whole intramural figure (T01 alone makes it fail)
        (uscc(3), "fail", 12 * M),  # failing validation
        (uscc(1), "T02", 10 * M),  # under-reported: 50 - 40
        (uscc(4), "未报送", None),  # submitted 2023's ledger only
        (uscc(9), "未报送", None),  # on the roster, nothing submitted
    ]
    assert all(set(f) == {"uscc", "name", "reason", "amount"} for f in follow)
    assert follow[-1]["name"] == "未交"
    # rollup.xlsx and the terminal also say where, the other year, and the file that could not be read
    assert result.follow_up[-3].years == [2023] and result.follow_up[-2].region == "高新区"
    assert result.follow_up[-1].reasons == ["error"] and result.follow_up[-1].file == "f.xlsx"
    text = format_summary(result)
    assert "仅报送了 2023 年度" in text and "无法检查的文件 1 个" in text


def test_exclude_failed_drops_fail_but_keeps_it_on_the_follow_up_list(district: District) -> None:
    d = rollup(submissions(), district, exclude_failed=True).to_dict()
    # 乙 fails too: T01 (not reported to statistics) is an error for a 规上 enterprise
    assert d["submissions"] == {"counted": 1, "error": 1, "superseded": 1, "excluded": 3, "unread": 0}
    assert d["rd_spending"]["enterprises_reported"] == 40 * M
    assert d["rd_spending"]["enterprises_potential"] == 50 * M
    assert any(f["uscc"] == uscc(3) for f in d["follow_up"])


def test_target_met_gives_a_negative_gap(district: District) -> None:
    big = [report(uscc(1), region="高新区", intramural=300 * M, reported=300 * M, basic=20 * M)]
    result = rollup(big, district)
    d = result.to_dict()
    assert d["rd_spending"]["gap"] == 200 * M - 370 * M
    assert d["basic_research"]["gap"] == 10 * M - 21 * M
    assert result.extra["intensity_gap"] == Decimal("2.0") - Decimal("3.7")
    assert "研发支出已达标" in format_summary(rollup(big, district))


@pytest.mark.parametrize(
    ("code", "section"),
    [("C3976", "C"), ("c3976", "C"), ("3976", "C"), ("0131", "A"), ("131", "A"), ("0610", "B"), ("4411", "D"),
     ("5010", "E"), ("5212", "F"), ("6010", "G"), ("6110", "H"), ("6510", "I"), ("6910", "J"), ("7010", "K"),
     ("7212", "L"), ("7320", "M"), ("7910", "N"), ("8010", "O"), ("8310", "P"), ("8411", "Q"), ("8610", "R"),
     ("9600", "S"), ("9700", "T"), ("I", "I"), (3976, "C"), ("", None), (None, None), ("Z123", None), ("9912", None)],
)  # fmt: skip
def test_industry_section(code: object, section: str | None) -> None:
    assert industry_section(code) == section


# ---------------------------------------------------------------- folder == results.jsonl


def test_rollup_from_the_folder_equals_rollup_from_results_jsonl(tmp_path: Path, district: District) -> None:
    folder = tmp_path / "in"
    for r in submissions():
        if r["status"] == "error":
            write_fake(folder / r["file"], "not a workbook")
        else:
            write_fake(folder / r["file"], {k: v for k, v in r.items() if k not in ("status", "check_status")}
                       | {"status": r.get("check_status", r["status"])})  # fmt: skip
    old = time.time() - 3600
    os.utime(folder / "e.xlsx", (old, old))  # the older submission of 甲 is superseded
    batch = run_batch(sorted(folder.iterdir()), tmp_path / "out", jobs=2, check=fake_check, feedback=False)
    assert batch.counts["superseded"] == 1

    from_jsonl = rollup(load_results(tmp_path / "out" / "results.jsonl"), district).to_dict()
    from_folder = rollup(load_results(folder, jobs=2, check=fake_check), district).to_dict()
    assert from_jsonl == from_folder
    assert from_jsonl["rd_spending"]["reported"] == 122 * M
    assert from_jsonl["submissions"] == {"counted": 3, "error": 1, "superseded": 1, "excluded": 1, "unread": 0}


# ---------------------------------------------------------------- outputs and the command line


def test_rollup_xlsx_has_tables_and_native_charts(tmp_path: Path, district: District) -> None:
    from rdcheck.district.rollup_xlsx import write_rollup

    write_rollup(rollup(submissions(), district), tmp_path / "rollup.xlsx")
    with zipfile.ZipFile(tmp_path / "rollup.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    assert wb.sheetnames == ["概览", "按区域", "按行业", "按类型", "跟进名单", "企业明细"]
    assert wb["概览"]["F5"].value == "未达标"
    # 基础研究 in 亿元 is shown with 4 decimals like the other 亿元 figures, not as raw 0.4734304831
    yi_rows = [r for r in wb["概览"].iter_rows(min_col=1, max_col=2) if str(r[0].value).endswith("（亿元）")]
    assert yi_rows and all(r[1].number_format == "#,##0.0000" for r in yi_rows if isinstance(r[1].value, (int, float)))
    numbered = [r for r in wb["跟进名单"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert len(numbered) == 4  # 3 enterprises and the unreadable file (under their 区域 headings)


def test_cli_rollup_from_results_jsonl(tmp_path: Path, district: District) -> None:
    from rdcheck.cli.district import rollup_command

    jsonl = tmp_path / "results.jsonl"
    write_results_jsonl(submissions(), jsonl)
    roster = tmp_path / "roster.csv"
    roster.write_text(f"统一社会信用代码,企业名称,所在区域\n{uscc(1)},甲,王营街道\n{uscc(9)},未交,高新区\n", "utf-8")
    result = CliRunner().invoke(
        rollup_command,
        [str(jsonl), "--district", district.path, "-o", str(tmp_path / "out"), "--roster", str(roster)],
    )
    assert result.exit_code == 0, result.output
    assert "全区研发支出" in result.output and "78.0000" not in result.output  # 0.7800 亿元
    written = json.loads((tmp_path / "out" / "rollup.json").read_text(encoding="utf-8"))
    expected = rollup(submissions(), district, roster=load_roster(roster)).to_dict()
    assert written == json.loads(json.dumps(expected))
    assert (tmp_path / "out" / "rollup.xlsx").is_file()


def test_cli_rollup_bad_district_is_one_line_exit_2(tmp_path: Path) -> None:
    from rdcheck.cli.district import rollup_command

    bad = tmp_path / "d.yaml"
    bad.write_text("district: x\nyear: 2024\ngdp: -1\n", encoding="utf-8")
    (tmp_path / "r.jsonl").write_text("")
    result = CliRunner().invoke(rollup_command, [str(tmp_path / "r.jsonl"), "--district", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "gdp" in result.output


# ---------------------------------------------------------------- district.yaml validation


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("year: 2024\ngdp: 1\n", "district"),
        ("district: x\ngdp: 1\n", "year"),
        ("district: x\nyear: 2024\n", "gdp"),
        ("district: x\nyear: 2024\ngdp: abc\n", "gdp"),
        ("district: x\nyear: 2024\ngdp: 0\n", "gdp"),
        ("district: x\nyear: '2024年'\ngdp: 1\n", "year"),
        ("district: x\nyear: 2024\ngdp: 1\ntarget: {rd_spending: 1}\n", "target"),
        ("district: x\nyear: 2024\ngdp: 1\ntargets: {rd_spend: 1}\n", "targets.rd_spend"),
        ("district: x\nyear: 2024\ngdp: 1\ntargets: {intensity: 232}\n", "targets.intensity"),
        ("district: x\nyear: 2024\ngdp: 1\ntargets: [1, 2]\n", "targets"),
        ("district: x\nyear: 2024\ngdp: 1\nother_performers: {高等学校: -1}\n", "other_performers.高等学校"),
        ("district: x\nyear: 2024\ngdp: 1\nregions: 高新区\n", "regions"),
        ("district: x\nyear: 2024\ngdp: 1\nregions: [高新区, 高新区]\n", "regions[1]"),
        ("district: x\nyear: 2024\ngdp: 1\nregions: [其他]\n", "regions[0]"),
        ("district: x\nyear: [2024\n", "YAML"),
        ("", "空"),
        ("- a\n- b\n", "映射"),
    ],
)
def test_district_yaml_errors_are_one_clear_line(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "district.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_district(path)
    message = info.value.message("zh")
    assert "\n" not in message and needle in message and str(path) in message
    assert "\n" not in info.value.message("en")


def test_missing_district_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到"):
        load_district(tmp_path / "none.yaml")


def test_roster_csv_and_xlsx(tmp_path: Path) -> None:
    import xlsxwriter

    csv_path = tmp_path / "r.csv"
    csv_path.write_bytes(
        f"名单\n统一社会信用代码,企业名称,所在区域,规模以上企业\n {uscc(1)} ,甲,高新区,是\n".encode("gbk")
    )
    assert load_roster(csv_path) == [RosterEntry(uscc(1), "甲", "高新区", True)]
    xlsx_path = tmp_path / "r.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx_path))
    sheet = wb.add_worksheet()
    for r, row in enumerate([["企业名称", "统一社会信用代码"], ["乙", uscc(2)], ["", ""]]):
        sheet.write_row(r, 0, row)
    wb.close()
    assert load_roster(xlsx_path) == [RosterEntry(uscc(2), "乙")]
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="统一社会信用代码"):
        load_roster(tmp_path / "bad.csv")


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.skipif(not (SAMPLES / "district-2024" / "expected.yaml").is_file(), reason="samples not generated")
def test_sample_district_against_the_generators_own_figures(tmp_path: Path) -> None:
    import yaml

    expected = yaml.safe_load((SAMPLES / "district-2024" / "expected.yaml").read_text(encoding="utf-8"))
    district = load_district(SAMPLES / "district-2024.yaml")
    results = load_results(SAMPLES / "district-2024", jobs=2)
    figures = rollup(results, district)
    d = figures.to_dict()

    files = {f["file"]: f for f in expected["files"]}
    statuses = {"ok": 0, "superseded": 0, "excluded": 0, "broken": 0}
    for f in files.values():
        statuses[f["status"]] += 1
    assert d["submissions"] == {
        "counted": statuses["ok"],
        "error": statuses["broken"],
        "superseded": statuses["superseded"],
        "excluded": statuses["excluded"],
        "unread": 0,
    }
    counted = {Path(e["file"]).name: e for e in figures.enterprises}
    assert set(counted) == {name for name, f in files.items() if f["status"] == "ok"}
    for name, e in counted.items():
        assert e["intramural"] == Decimal(str(files[name]["intramural"])), name
    ok = [f for f in files.values() if f["status"] == "ok"]
    basic = sum(Decimal(str(f["basic_research"])) for f in ok) + district.basic_research_other
    assert Decimal(str(d["basic_research"]["amount"])) == basic
    intramural = sum(Decimal(str(f["intramural"])) for f in ok)
    assert Decimal(str(d["rd_spending"]["enterprises_potential"])) >= intramural
    assert Decimal(str(d["rd_spending"]["potential"])) == Decimal(
        str(d["rd_spending"]["enterprises_potential"])
    ) + Decimal(str(d["rd_spending"]["other_performers"]))


# ---------------------------------------------------------------- found in the conformance review

ROLLUP_KEYS = {
    "district": None,
    "year": None,
    "gdp": None,
    "submissions": {"counted", "error", "superseded", "excluded", "unread"},
    "rd_spending": {"enterprises_reported", "enterprises_potential", "other_performers", "reported", "potential",
                    "target", "gap"},
    "intensity": {"reported", "potential", "target"},
    "basic_research": {"amount", "target", "gap"},
    "by_region": {"region", "enterprises", "reported", "potential"},
    "by_industry": {"industry", "enterprises", "reported", "potential"},
    "by_type": {"type", "enterprises", "reported", "potential"},
    "follow_up": {"uscc", "name", "reason", "amount"},
    "counts": {"high_tech", "tech_sme"},
}  # fmt: skip


def test_rollup_json_has_exactly_the_spec_keys(district: District) -> None:
    roster = [RosterEntry(uscc(9), "未交", "高新区")]
    d = rollup(submissions(), district, roster=roster, exclude_failed=True).to_dict()
    assert list(d) == list(ROLLUP_KEYS)
    for key, inner in ROLLUP_KEYS.items():
        if inner is None:
            continue
        for item in d[key] if isinstance(d[key], list) else [d[key]]:
            assert set(item) == inner, key


def test_gdp_is_shown_as_given_and_intensity_is_not_rounded(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("district: x\nyear: 2024\ngdp: 776.123\ntargets: {intensity: 2.32}\n", encoding="utf-8")
    d = rollup([report(uscc(1), intramural=1_000_000, reported=1_000_000)], load_district(path)).to_dict()
    assert d["gdp"] == 776.123  # 亿元, not rounded to the fen nor turned into yuan
    assert d["intensity"]["reported"] == pytest.approx(1_000_000 / 77_612_300_000 * 100, rel=1e-12)
    assert d["intensity"]["target"] == 2.32


def test_unmarked_duplicates_in_a_hand_made_jsonl_count_once(district: District) -> None:
    twice = [report(uscc(1), intramural=5 * M, reported=5 * M, file="z.xlsx"),
             report(uscc(1), intramural=9 * M, reported=9 * M, file="a.xlsx")]  # fmt: skip
    d = rollup(twice, district).to_dict()
    assert d["submissions"] == {"counted": 1, "error": 0, "superseded": 1, "excluded": 0, "unread": 0}
    assert d["rd_spending"]["enterprises_reported"] == 5 * M  # the path that sorts last
    assert twice[1]["status"] == "pass"  # the caller's reports are left alone


def test_fail_is_a_reason_of_its_own_only_when_other_errors_make_it_fail(district: District) -> None:
    both = report(uscc(1), intramural=5 * M, rules=("T01", "F03"))
    follow = rollup([both], district).to_dict()["follow_up"]
    assert follow == [{"uscc": uscc(1), "name": "企业", "reason": "T01 + fail", "amount": 5 * M}]


def test_cli_rollup_in_english_with_an_english_usage_error(tmp_path: Path, district: District) -> None:
    from rdcheck.cli.district import rollup_command

    jsonl = tmp_path / "results.jsonl"
    write_results_jsonl(submissions(), jsonl)
    result = CliRunner().invoke(rollup_command, [str(jsonl), "--district", district.path, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "R&D spending" in result.stdout and "warning: 所在区域 “南陈集镇”" in result.stderr
    bad = CliRunner().invoke(rollup_command, [str(jsonl), "--district", str(tmp_path / "none.yaml"), "--lang", "en"])
    assert bad.exit_code == 2 and "district file not found" in bad.output


def test_a_failing_submission_without_a_year_is_excluded_but_followed_up(district: District) -> None:
    result = rollup([report(uscc(5), "无年度", year=None, intramural=3 * M, rules=("F03",))], district)
    d = result.to_dict()
    assert d["submissions"]["excluded"] == 1 and d["submissions"]["counted"] == 0
    assert d["follow_up"] == [{"uscc": uscc(5), "name": "无年度", "reason": "fail", "amount": 3 * M}]
    assert any("无法识别" in w for w in result.warnings())
