"""Year on year, plausibility screening and the plan's scorecard (issue 14 points 4-5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_batch import report, uscc

from rdcheck.cli import main
from rdcheck.district.plan import District, load_district
from rdcheck.district.register import Register
from rdcheck.district.results import write_results_jsonl
from rdcheck.district.rollup import rollup
from rdcheck.district.screening import load_previous, screen
from rdcheck.district.season_sheets import apply_season
from rdcheck.errors import ConfigError

M = 1_000_000
DISTRICT = """\
district: 测试区
year: 2024
gdp: 100
targets: {rd_spending: 2, intensity: 2.0, basic_research: 0.1}
regions: [王营街道, 高新区]
plan: {high_tech: 126, tech_sme: 320, rd_staff: 1500, tech_contracts: 17, foreign_experts: 11}
screening: {mad_k: 3.5, min_group: 5}
"""


@pytest.fixture
def district(tmp_path: Path) -> District:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    return load_district(tmp_path / "d.yaml")


def ent(n: int, name: str, year: int, intramural: float, revenue: float, reported: float | None = None, **more: Any):
    r = report(uscc(n), name, year=year, intramural=intramural, reported=intramural if reported is None else reported,
               region="高新区" if n % 2 else "王营街道", file=f"{name}-{year}.xlsx")  # fmt: skip
    r["enterprise"].update(revenue=revenue, **more)
    return r


def this_year() -> list[dict[str, Any]]:
    return [
        ent(1, "量级", 2024, 10_000 * M, 500 * M),  # ×1000 against 2023's 10M
        ent(2, "增速", 2024, 8 * M, 105 * M),  # R&D ×4 while revenue ×1.05
        ent(3, "稳定", 2024, 3 * M, 100 * M, high_tech=True, rd_staff=20, tech_contracts=2 * M),
        ent(4, "稳定二", 2024, 3 * M, 100 * M, tech_sme=True, rd_staff=15),
        ent(5, "稳定三", 2024, 3.2 * M, 100 * M),
        ent(6, "报送错", 2024, 5 * M, 110 * M, reported=5_000 * M),  # 元 typed into the 千元 field
        ent(7, "稳定四", 2024, 2.9 * M, 100 * M),
    ]


def last_year() -> list[dict[str, Any]]:
    return [
        ent(1, "量级", 2023, 10 * M, 480 * M),
        ent(2, "增速", 2023, 2 * M, 100 * M),
        ent(3, "稳定", 2023, 3 * M, 95 * M),
        ent(4, "稳定二", 2023, 2 * M, 100 * M),
    ]


def test_screening_against_last_years_results(district: District, tmp_path: Path) -> None:
    write_results_jsonl(last_year(), tmp_path / "prev.jsonl")
    result = rollup(this_year(), district)
    prev = load_previous(tmp_path / "prev.jsonl", district)
    assert prev.year == 2023 and prev.source == "results" and len(prev.enterprises) == 4
    found: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for e, reason, text in screen(result, prev, district.screening):
        found.setdefault(e["name"], []).append(reason)
        texts[f"{e['name']}:{reason}"] = text
    assert found["量级"] == ["scale_jump", "intensity_outlier"]
    assert "本年 10,000,000,000.00 / 上年 10,000,000.00 ≈ ×1000" == texts["量级:scale_jump"]
    assert found["增速"] == ["rd_outpaces_revenue", "intensity_outlier"]  # 7.6% against an industry median 3.2%
    assert "×4.00" in texts["增速:rd_outpaces_revenue"] and "×1.05" in texts["增速:rd_outpaces_revenue"]
    assert found["报送错"][0] == "scale_jump" and "×1000" in texts["报送错:scale_jump"]
    assert (
        "稳定" not in found and "稳定二" not in found
    )  # 2M → 3M with revenue flat is growth, not far faster (×1.5 < ×3)


def test_year_on_year_and_warnings_on_the_follow_up_list(district: District, tmp_path: Path) -> None:
    last = rollup(last_year(), District(**{**district.__dict__, "year": 2023}))
    (tmp_path / "rollup.json").write_text(json.dumps(last.to_dict(), ensure_ascii=False), encoding="utf-8")
    result = rollup(this_year(), district)
    apply_season(result, str(tmp_path / "rollup.json"))
    yoy = result.to_dict()["year_on_year"]
    assert yoy["previous_year"] == 2023 and yoy["source"] == "rollup.json"
    assert yoy["district"]["previous"] == 17 * M
    assert yoy["district"]["reported"] == (10_000 + 8 + 3 + 3 + 3.2 + 5_000 + 2.9) * M
    regions = {r["region"]: r for r in yoy["by_region"]}
    assert regions["王营街道"]["previous"] == 4 * M  # 增速 2M + 稳定二 2M
    assert regions["王营街道"]["reported"] == 5_011 * M  # 8M + 3M + 报送错's 5,000M as reported
    assert regions["王营街道"]["growth"] == 125_175.0
    # without per-enterprise figures (a rollup.json) only the within-year screens run
    follow = {f["name"]: f for f in result.to_dict()["follow_up"]}
    assert follow["量级"]["reason"] == "intensity_outlier"  # no scale_jump: last year's 量级 is not known alone
    assert (
        follow["增速"]["reason"] == "intensity_outlier"
        and follow["报送错"]["reason"] == "scale_jump + intensity_outlier"
    )
    assert any("研发强度" in text for text in follow["量级"]["figures"])


def test_previous_from_the_register(district: District, tmp_path: Path) -> None:
    with Register.open(tmp_path / "reg.sqlite") as reg:
        rid = reg.start_round("in", "out", "test", "k")
        for r in last_year():
            reg.record(rid, r, sha256=None, received="2024-01-01", version="test", config_key="k")
        reg.finish_round(rid, 2023, last_year(), {})
    prev = load_previous(tmp_path / "reg.sqlite", district)
    assert prev.source == "register" and sorted(prev.enterprises) == sorted(uscc(n) for n in (1, 2, 3, 4))
    with pytest.raises(ConfigError):
        load_previous(tmp_path / "d.yaml", district)  # not a rollup.json


def test_scorecard_says_what_the_ledgers_cannot_measure(district: District) -> None:
    result = rollup(this_year(), district)
    apply_season(result, None)
    card = {row["key"]: row for row in result.to_dict()["scorecard"]}
    assert (card["high_tech"]["target"], card["high_tech"]["measured"], card["high_tech"]["enterprises"]) == (126, 1, 7)
    assert card["rd_staff"]["measured"] == 35 and card["rd_staff"]["enterprises"] == 2
    assert card["tech_contracts"]["measured"] == 0.02 and card["tech_contracts"]["enterprises"] == 1  # 亿元
    assert card["foreign_experts"]["measurable"] == "none" and card["foreign_experts"]["measured"] is None
    assert card["rd_spending"]["measurable"] == "full" and card["rd_spending"]["target"] == 2
    assert "high_tech_output_share" not in card  # not in this district's plan


def test_rollup_command_with_previous_and_publish(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    write_results_jsonl(this_year(), tmp_path / "now.jsonl")
    write_results_jsonl(last_year(), tmp_path / "prev.jsonl")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["rollup", str(tmp_path / "now.jsonl"), "--district", str(tmp_path / "d.yaml"),
                                       "--previous", str(tmp_path / "prev.jsonl"), "-o", str(out), "--publish"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "规划目标对照" in result.output and "辅助账无法测算的目标：外国专家来华工作人数" in result.output
    assert "合理性筛查：3 家企业需核实" in result.output
    public = json.loads((out / "rollup-public.json").read_text(encoding="utf-8"))
    text = json.dumps(public, ensure_ascii=False)
    assert "量级" not in text and uscc(1) not in text
    assert all(r["suppressed"] or r["enterprises"] >= 3 for t in ("by_region", "by_industry") for r in public[t])
    from openpyxl import load_workbook

    assert {"目标对照", "同比"} <= set(load_workbook(out / "rollup.xlsx", read_only=True).sheetnames)
    bad = CliRunner().invoke(main, ["rollup", str(tmp_path / "now.jsonl"), "--district", str(tmp_path / "d.yaml"),
                                    "--publish"])  # fmt: skip
    assert bad.exit_code == 2 and "--publish 需要 -o" in bad.output
