"""An independent district built from the spec alone: real workbooks, every figure computed by hand here.

Spec §4.2: intramural = line 7 − line 14 − line 10 + 当年形成研发固定资产 (floored at 0), line 7 = every line's
账载金额, line 14 = category 7, line 10 = category 3 + 8.1; the reported figure uses the reported lines (千元 × 1000)
and takes an empty reported line 14 or 10 from the ledger; basic research = the 账载金额 of 基础研究 projects.
Spec §5: reported = Σ intramural_reported (0 where not reported); potential = Σ max(reported, intramural);
both + other performers (亿元 → yuan); intensity = spending / (GDP 亿元 × 1e8) × 100.

The batch runs once per module (real checks cost time); every test reads its outputs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_batch import SPEC6_KEYS, uscc

K = 1000  # yuan per 千元
YEAR = 2024

DISTRICT_YAML = """\
district: 样例区
year: 2024
gdp: 5
targets: {rd_spending: 0.1, intensity: 2.0, basic_research: 0.005}
other_performers: {高等学校: 0.02, 科研机构: 0.01}
basic_research_other: 0.001
regions: [城东街道, 高新区, 西湖镇]
"""
GDP_YUAN = 5 * 100_000_000
OTHERS = 3_000_000  # 0.02 + 0.01 亿元
BASIC_OTHER = 100_000  # 0.001 亿元

# uscc(n) → (name, region, industry, 高新, 科小, 规上, lines, reported 千元 or None, extra 企业信息 keys)
# lines: (project, research type, sub-item, 账载金额)
P1, P2 = ("P1", "试验发展"), ("P2", "基础研究")


def _enterprises() -> dict[str, dict[str, Any]]:
    return {
        "甲": dict(code=uscc(101), region="城东街道", industry="C3976", ht=True, sme=False, above=True,
                   lines=[(P1, "1.1", 600_000), (P1, "1.2", 100_000), (P1, "2.1", 300_000), (P2, "2.1", 200_000),
                          (P1, "3.2", 100_000)],
                   reported_k=1300),
        "乙": dict(code=uscc(102), region="高新区", industry="I6510", ht=False, sme=True, above=True,
                   lines=[(P1, "1.1", 800_000), (P1, "1.2", 200_000)], reported_k=None),
        "丙": dict(code=uscc(103), region="西湖镇", industry="C3511", ht=True, sme=True, above=True,
                   lines=[(P1, "1.1", 1_500_000), (P1, "1.2", 300_000), (P1, "2.1", 200_000)], reported_k=1500),
        "丁": dict(code=uscc(104), region="北山镇", industry="7320", ht=False, sme=True, above=False,
                   lines=[(P1, "1.1", 250_000), (P1, "1.2", 50_000)], reported_k=400),
        "戊": dict(code=uscc(105), region="高新区", industry="C3976", ht=True, sme=False, above=True,
                   lines=[(P1, "1.1", 400_000), (P1, "1.2", 100_000)], reported_k=500),
        "辛": dict(code="91320800MA0000000X", region="城东街道", industry="C", ht=False, sme=False, above=True,
                   lines=[(P1, "1.1", 300_000), (P1, "1.2", 100_000)], reported_k=400),  # bad check digit: F06
        "壬": dict(code=uscc(107), region="西湖镇", industry="C2710", ht=False, sme=False, above=True,
                   lines=[(P2, "1.1", 300_000), (P2, "1.2", 60_000), (P2, "2.1", 140_000), (P2, "3.1", 50_000),
                          (P2, "8.1", 20_000)],
                   reported_k=570, extra={"统计折旧费用与长期待摊费用(千元)": 70, "当年形成研发固定资产(元)": 200_000}),
        "癸": dict(code=uscc(108), region="高新区", industry="6510", ht=False, sme=False, above=False,
                   lines=[(P1, "1.1", 80_000), (P1, "1.2", 20_000)], reported_k=None),
    }  # fmt: skip


# By hand (yuan): intramural, intramural_reported (None: not reported), basic research, check status
EXPECTED = {
    "甲": (1_200_000, 1_200_000, 200_000),  # 1.3M − cat 3 0.1M; reported 1.3M − line 10 from the ledger 0.1M
    "乙": (1_000_000, None, 0),  # T01, an error for a 规上 enterprise: fail
    "丙": (2_000_000, 1_500_000, 0),  # T02: 1.5M reported against 2.0M
    "丁": (300_000, 400_000, 0),  # over-reported: potential is the reported figure; region not in the list
    "戊": (500_000, 500_000, 0),  # the copy in b/ (same mtime, path sorts last)
    "辛": (400_000, 400_000, 0),  # F06: fail, feedback named after the file
    "壬": (700_000, 700_000, 570_000),  # 570k − line 10 70k + fixed assets 200k, both ways
    "癸": (100_000, None, 0),  # T01 as info (not 规上)
}
FAILING = {"乙", "辛"}


def write_ledger(path: Path, name: str, e: dict[str, Any], year: int = YEAR) -> Path:
    """A standard workbook (spec §2): 企业信息, 研发项目, 辅助账明细."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    info: list[tuple[str, Any]] = [
        ("统一社会信用代码", e["code"]),
        ("企业名称", f"{name}科技有限公司"),
        ("所属年度", year),
        ("行业代码", e["industry"]),
        ("所在区域", e["region"]),
        ("高新技术企业", "是" if e["ht"] else "否"),
        ("科技型中小企业", "是" if e["sme"] else "否"),
        ("规模以上企业", "是" if e["above"] else "否"),
        ("集成电路或工业母机企业", "否"),
        ("营业收入(元)", 20_000_000),
        ("统计研究开发人员(人)", 5),
    ]
    if e["reported_k"] is not None:
        info.append(("统计研究开发费用合计(千元)", e["reported_k"]))
    info += list(e.get("extra", {}).items())
    wb = xlsxwriter.Workbook(str(path))
    sheet = wb.add_worksheet("企业信息")
    sheet.write_row(0, 0, ["项目", "值"])
    for r, (key, value) in enumerate(info, 1):
        sheet.write_string(r, 0, key)
        sheet.write(r, 1, value)
    sheet = wb.add_worksheet("研发项目")
    sheet.write_row(0, 0, ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期",
                           "结束日期", "项目状态", "支出类型"])  # fmt: skip
    projects = dict.fromkeys(line[0] for line in e["lines"])
    for r, (pid, kind) in enumerate(projects, 1):
        sheet.write_row(r, 0, [pid, f"{pid} 新型材料研发", "自主研发", kind, f"{year}-01-02", f"研〔{year}〕{r}号",
                               f"{year}-01-05", f"{year}-12-31", "进行中", "费用化"])  # fmt: skip
    sheet = wb.add_worksheet("辅助账明细")
    sheet.write_row(0, 0, ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额(元)", "可加计金额(元)",
                           "支出类型"])  # fmt: skip
    for r, ((pid, _), sub, amount) in enumerate(e["lines"], 1):
        sheet.write_row(r, 0, [f"{year}-03-{r:02d}", f"记-{r:04d}", pid, "研发支出", sub.split(".")[0], sub])
        sheet.write_number(r, 6, amount)
        sheet.write_number(r, 7, 0 if sub.startswith("8") else amount)
        sheet.write_string(r, 8, "费用化")
    wb.close()
    return path


@pytest.fixture(scope="module")
def district_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """13 files: 8 counted, 2 superseded, 1 of another year, 2 unreadable; plus things that are not inputs."""
    root = tmp_path_factory.mktemp("district")
    src = root / "in"
    ents = _enterprises()
    for name in ("甲", "乙", "丙", "丁", "壬", "癸"):
        write_ledger(src / f"{name}.xlsx", name, ents[name])
    write_ledger(src / "辛-提交.xlsm", "辛", ents["辛"])  # .xlsm is read as data
    # 戊 twice with the same modification time: the path that sorts last (b/) counts
    write_ledger(src / "a" / "戊.xlsx", "戊", {**ents["戊"], "lines": [(P1, "1.1", 9_000_000)], "reported_k": 9000})
    write_ledger(src / "b" / "戊.xlsx", "戊", ents["戊"])
    same = time.time() - 600
    for p in (src / "a" / "戊.xlsx", src / "b" / "戊.xlsx"):
        os.utime(p, (same, same))
    # 甲's older copy sorts last by path but is older: the newer file counts
    write_ledger(src / "z旧版" / "甲.xlsx", "甲", {**ents["甲"], "lines": [(P1, "1.1", 7_000_000)]})
    old = time.time() - 7200
    os.utime(src / "z旧版" / "甲.xlsx", (old, old))
    # another year: excluded
    write_ledger(src / "庚-2023.xlsx", "庚", {**ents["癸"], "code": uscc(109), "region": "城东街道"}, year=2023)
    # unreadable
    (src / "损坏.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (src / "旧格式.xls").write_bytes(b"this is not an excel file at all")
    # not inputs
    (src / "~$甲.xlsx").write_bytes(b"lock")
    (src / "说明.txt").write_text("readme", encoding="utf-8")
    (root / "district.yaml").write_text(DISTRICT_YAML, encoding="utf-8")
    roster = f"统一社会信用代码,企业名称,所在区域\n{uscc(101)},甲,城东街道\n{uscc(102)},乙,高新区\n"
    roster += f"{uscc(109)},庚,城东街道\n{uscc(110)},子,高新区\n"
    (root / "roster.csv").write_text(roster, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def batch_out(district_dir: Path) -> Path:
    from rdcheck.cli.district import batch_command

    out = district_dir / "out"
    result = CliRunner().invoke(batch_command, [str(district_dir / "in"), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    return out


def _lines(out: Path) -> list[dict[str, Any]]:
    """The reports of results.jsonl; its last line is the closing record, which states the count."""
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["rdcheck_results"] == "complete" and lines[-1]["files"] == len(lines) - 1
    return lines[:-1]


def test_batch_every_input_once_with_statuses(district_dir: Path, batch_out: Path) -> None:
    lines = _lines(batch_out)
    rel = [Path(r["file"]).relative_to(district_dir / "in").as_posix() for r in lines]
    assert rel == sorted(rel) and len(rel) == 13
    status = dict(zip(rel, (r["status"] for r in lines), strict=True))
    assert status["a/戊.xlsx"] == "superseded" and status["b/戊.xlsx"] in ("pass", "warn")
    assert status["z旧版/甲.xlsx"] == "superseded" and status["甲.xlsx"] in ("pass", "warn")
    assert status["损坏.xlsx"] == "error" and status["旧格式.xls"] == "error"
    assert status["乙.xlsx"] == "fail" and status["辛-提交.xlsm"] == "fail"
    for r in lines:
        if r["status"] == "error":
            assert set(r) == {"file", "status", "error"} and r["error"] and "\n" not in r["error"]
        else:
            assert set(SPEC6_KEYS) <= set(r) <= {*SPEC6_KEYS, "superseded_by"}
    by = {Path(r["file"]).relative_to(district_dir / "in").as_posix(): r for r in lines}
    assert by["a/戊.xlsx"]["superseded_by"] == str(district_dir / "in" / "b" / "戊.xlsx")
    for name, (intramural, reported, basic) in EXPECTED.items():
        file = {"戊": "b/戊.xlsx", "辛": "辛-提交.xlsm"}.get(name, f"{name}.xlsx")
        stats = by[file]["stats"]
        assert (stats["intramural"], stats["intramural_reported"], stats["basic_research"]) == (
            intramural,
            reported,
            basic,
        ), name


def test_batch_feedback_names_and_summary(district_dir: Path, batch_out: Path) -> None:
    import openpyxl

    feedback = {p.name for p in (batch_out / "feedback").iterdir()}
    ents = _enterprises()
    names = {e["code"]: n for n, e in ents.items()} | {uscc(109): "庚"}
    codes = [uscc(n) for n in (101, 102, 103, 104, 105, 107, 108, 109)]
    # <统一社会信用代码>-<企业名称>-<年度>.xlsx (issue 13 point 13)
    expected = {f"{c}-{names[c]}科技有限公司-{2023 if c == uscc(109) else 2024}.xlsx" for c in codes}
    assert feedback == expected | {"辛-提交.xlsx"}
    sheet = openpyxl.load_workbook(batch_out / "summary.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:4]) == ["文件", "统一社会信用代码", "企业名称", "状态"]
    assert len(rows) == 1 + 13
    assert sorted(r[3] for r in rows[1:]).count("已被替代") == 2


def _expected_rollup(exclude_failed: bool = False, roster: bool = False) -> dict[str, Any]:
    """rollup.json for this district, from EXPECTED by the formulas of spec §5."""
    ents = _enterprises()
    counted = [n for n in EXPECTED if not (exclude_failed and n in FAILING)]
    rep = {n: EXPECTED[n][1] or 0 for n in counted}
    pot = {n: max(rep[n], EXPECTED[n][0]) for n in counted}
    ent_rep, ent_pot = sum(rep.values()), sum(pot.values())
    basic = sum(EXPECTED[n][2] for n in counted) + BASIC_OTHER

    def bucket(key: str, value: str, members: list[str]) -> dict[str, Any]:
        return {key: value, "enterprises": len(members), "reported": sum(rep[n] for n in members),
                "potential": sum(pot[n] for n in members)}  # fmt: skip

    region = {n: ents[n]["region"] if ents[n]["region"] != "北山镇" else "其他" for n in counted}
    sections = {"C3976": "C", "C3511": "C", "C2710": "C", "C": "C", "I6510": "I", "6510": "I", "7320": "M"}
    section = {n: sections[ents[n]["industry"]] for n in counted}  # GB/T 4754: 65 → I, 73 → M
    follow = [
        ("乙", "T01", 1_000_000),
        ("丙", "T02", 500_000),
        ("辛", "fail", 400_000),
        ("癸", "T01", 100_000),
    ]
    follow_up = [
        {"uscc": ents[n]["code"], "name": f"{n}科技有限公司", "reason": reason, "amount": amount}
        for n, reason, amount in follow
    ]
    if roster:
        follow_up += [
            {"uscc": uscc(109), "name": "庚", "reason": "未报送", "amount": None},
            {"uscc": uscc(110), "name": "子", "reason": "未报送", "amount": None},
        ]
    return {
        "district": "样例区",
        "year": 2024,
        "gdp": 5,
        "submissions": {
            "counted": len(counted),
            "error": 2,
            "superseded": 2,
            "excluded": 1 + (len(FAILING) if exclude_failed else 0),
            "unread": 0,
        },
        "rd_spending": {
            "enterprises_reported": ent_rep,
            "enterprises_potential": ent_pot,
            "other_performers": OTHERS,
            "reported": ent_rep + OTHERS,
            "potential": ent_pot + OTHERS,
            "target": 10_000_000,
            "gap": 10_000_000 - (ent_rep + OTHERS),
        },
        "intensity": {
            "reported": (ent_rep + OTHERS) / GDP_YUAN * 100,
            "potential": (ent_pot + OTHERS) / GDP_YUAN * 100,
            "target": 2.0,
        },
        "basic_research": {"amount": basic, "target": 500_000, "gap": 500_000 - basic},
        "by_region": [
            bucket("region", r, [n for n in counted if region[n] == r])
            for r in ("城东街道", "高新区", "西湖镇", "其他")
            if r != "其他" or "其他" in region.values()
        ],
        "by_industry": [
            bucket("industry", s, [n for n in counted if section[n] == s]) for s in sorted(set(section.values()))
        ],
        "by_type": [
            bucket("type", t, [n for n in counted if ents[n][flag]])
            for t, flag in (("high_tech", "ht"), ("tech_sme", "sme"), ("above_scale", "above"))
        ],
        "follow_up": follow_up,
        "counts": {
            "high_tech": sum(1 for n in counted if ents[n]["ht"]),
            "tech_sme": sum(1 for n in counted if ents[n]["sme"]),
        },
    }


def test_expected_figures_by_hand() -> None:
    """The arithmetic the other tests rely on, spelt out."""
    e = _expected_rollup()
    assert e["rd_spending"]["enterprises_reported"] == 4_700_000
    assert e["rd_spending"]["enterprises_potential"] == 6_300_000
    assert e["rd_spending"]["gap"] == 2_300_000 and e["basic_research"]["gap"] == -370_000  # met: negative
    assert e["intensity"]["reported"] == pytest.approx(1.54) and e["intensity"]["potential"] == pytest.approx(1.86)


def _run_rollup(src: Path, district_dir: Path, *extra: str) -> tuple[dict[str, Any], Any]:
    from rdcheck.cli.district import rollup_command

    out = district_dir / f"rollup-{abs(hash((str(src), extra)))}"
    args = [str(src), "--district", str(district_dir / "district.yaml"), "-o", str(out), *extra]
    result = CliRunner().invoke(rollup_command, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "rollup.json").read_text(encoding="utf-8")), result


def _assert_matches(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(got) == list(expected)
    for key, value in expected.items():
        if key == "intensity":
            assert set(got[key]) == set(value)
            for k, v in value.items():
                assert got[key][k] == pytest.approx(v, rel=1e-12), k
        else:
            assert got[key] == value, key


def test_rollup_from_results_jsonl_matches_the_hand_figures(district_dir: Path, batch_out: Path) -> None:
    got, result = _run_rollup(batch_out / "results.jsonl", district_dir)
    _assert_matches(got, _expected_rollup())
    assert "北山镇" in result.stderr and "其他" in result.stderr  # the unknown 区域 is named in a warning
    assert "北山镇" not in result.stdout


def test_rollup_with_roster_and_exclude_failed(district_dir: Path, batch_out: Path) -> None:
    roster = str(district_dir / "roster.csv")
    got, _ = _run_rollup(batch_out / "results.jsonl", district_dir, "--roster", roster)
    _assert_matches(got, _expected_rollup(roster=True))
    got, _ = _run_rollup(batch_out / "results.jsonl", district_dir, "--exclude-failed")
    _assert_matches(got, _expected_rollup(exclude_failed=True))


def test_rollup_from_the_folder_equals_rollup_from_results_jsonl(district_dir: Path, batch_out: Path) -> None:
    from_jsonl, _ = _run_rollup(batch_out / "results.jsonl", district_dir)
    # the whole tree: the inputs, and the batch's and rollups' outputs, whose feedback copies and workbooks
    # must never count again (the copies are newer: they would supersede the originals)
    from_folder, _ = _run_rollup(district_dir, district_dir, "--jobs", "2")
    assert from_folder == from_jsonl


def test_rollup_english_terminal(district_dir: Path, batch_out: Path) -> None:
    _, result = _run_rollup(batch_out / "results.jsonl", district_dir, "--lang", "en")
    assert "R&D spending" in result.stdout and "intensity" in result.stdout and "全区" not in result.stdout
    assert "warning:" in result.stderr
