"""Publishable figures (issue 14 point 6): no names or codes, no cell under 3 enterprises or over 85% one
enterprise's, and secondary suppression so that no suppressed value follows from the totals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_batch import report, uscc

from rdcheck.district.plan import District, load_district
from rdcheck.district.publish import (
    PRIMARY_DOMINANT,
    PRIMARY_FEW,
    SECONDARY,
    primary_reason,
    public_figures,
    write_public_xlsx,
)
from rdcheck.district.rollup import rollup

M = 1_000_000
DISTRICT = """\
district: 测试区
year: 2024
gdp: 100
targets: {rd_spending: 2, intensity: 2.0}
other_performers: {高等学校: 0.5}
regions: [王营街道, 高新区, 南陈集镇, 空镇]
"""


@pytest.fixture
def district(tmp_path: Path) -> District:
    (tmp_path / "d.yaml").write_text(DISTRICT, encoding="utf-8")
    return load_district(tmp_path / "d.yaml")


def results() -> list[dict[str, Any]]:
    """王营街道: 4 alike (publishable); 高新区: 3, one holding 90% (dominant); 南陈集镇: 2 (too few)."""
    rows = []
    for i in range(4):
        rows.append(report(uscc(10 + i), f"王营{i}", region="王营街道", industry="C3976", intramural=10 * M,
                           reported=10 * M, file=f"w{i}.xlsx"))  # fmt: skip
    for i, amount in enumerate((90 * M, 5 * M, 5 * M)):
        rows.append(report(uscc(20 + i), f"高新{i}", region="高新区", industry="C3976", intramural=amount,
                           reported=amount, file=f"g{i}.xlsx"))  # fmt: skip
    for i in range(2):
        rows.append(report(uscc(30 + i), f"南陈{i}", region="南陈集镇", industry="I6510", intramural=3 * M,
                           reported=3 * M, file=f"n{i}.xlsx"))  # fmt: skip
    return rows


def test_primary_rules() -> None:
    e = {"reported": Decimal(1), "potential": Decimal(1), "basic_research": Decimal(0)}
    assert primary_reason([e, e]) == PRIMARY_FEW
    assert primary_reason([e, e, e]) is None
    big = {**e, "reported": Decimal(100)}
    assert primary_reason([big, e, e]) == PRIMARY_DOMINANT  # 100 / 102 > 85%


def test_published_cells_are_safe_and_nameless(district: District, tmp_path: Path) -> None:
    figures = rollup(results(), district)
    public = public_figures(figures)
    regions = {r["region"]: r for r in public["by_region"]}
    assert regions["南陈集镇"]["suppressed"] == PRIMARY_FEW and regions["南陈集镇"]["reported"] is None
    assert regions["高新区"]["suppressed"] == PRIMARY_DOMINANT and regions["高新区"]["enterprises"] is None
    assert regions["王营街道"]["suppressed"] is None and regions["王营街道"]["reported"] == 40 * M
    assert regions["空镇"]["enterprises"] is None  # an empty cell publishes no zero either
    # industries: C holds 7 (publishable alone) and I holds 2: I is suppressed, and C with it (secondary),
    # because district total − C would give I
    industries = {r["industry"].split()[0]: r for r in public["by_industry"]}
    assert industries["I"]["suppressed"] == PRIMARY_FEW and industries["C"]["suppressed"] == SECONDARY
    for table, name in (("by_region", "region"), ("by_industry", "industry"), ("by_type", "type")):
        for row in public[table]:
            assert row["suppressed"] or row["enterprises"] >= 3, (table, row)
        if table != "by_type":
            hidden = [r for r in public[table] if r["suppressed"]]
            assert len([r for r in hidden if r[name] != "空镇"]) != 1  # never one recoverable cell
    text = json.dumps(public, ensure_ascii=False)
    for r in results():
        assert r["enterprise"]["name"] not in text and r["enterprise"]["uscc"] not in text
    assert public["rd_spending"]["reported"] == (40 + 100 + 6 + 50) * M  # the district total stays published

    out = tmp_path / "rollup-public.xlsx"
    write_public_xlsx(public, out)
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[-1] == "发布规则"
    strings = " ".join(str(v) for ws in wb.worksheets for row in ws.values for v in row if v is not None)
    assert "少于 3 家企业" in strings and "85%" in strings and "次级抑制" in strings
    for r in results():
        assert r["enterprise"]["name"] not in strings and r["enterprise"]["uscc"] not in strings


def test_the_whole_district_too_small_to_publish(district: District) -> None:
    public = public_figures(rollup(results()[:2], district))
    assert public["suppressed"] == PRIMARY_FEW
    assert public["rd_spending"]["reported"] is None and public["intensity"]["reported"] is None
    assert public["rd_spending"]["target"] == 200 * M  # a target is public anyway
