"""Issue 10 point 8: a submission whose ledger could not be read is never counted as an enterprise with R&D 0.

Real workbooks (spec §2) in a district folder: three good ledgers, one whose ledger sheet is missing (F01 on
辅助账明细) and one whose ledger lacks its 账载金额 column (F02). The two are kept out of every ledger-based
figure, counted as ``unread`` and ranked on the follow-up list by what they reported outside the ledger.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_batch import uscc
from test_district_e2e import write_ledger

from rdcheck.district.plan import District, load_district
from rdcheck.district.rollup import format_summary, load_results, rollup
from rdcheck.district.unread import holding, unread_reason

DISTRICT_YAML = "district: 测试区\nyear: 2024\ngdp: 10\nregions: [城东街道, 高新区]\n"
P1 = ("P1", "试验发展")


def _ent(n: int, region: str, amount: int, reported_k: int | None) -> dict[str, Any]:
    return dict(code=uscc(n), region=region, industry="C3976", ht=True, sme=False, above=True,
                lines=[(P1, "1.1", amount), (P1, "1.2", amount // 5)], reported_k=reported_k)  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unread")
    write_ledger(root / "甲.xlsx", "甲", _ent(201, "城东街道", 1_000_000, 1200))  # intramural 1.2M, reported
    write_ledger(root / "乙.xlsx", "乙", _ent(202, "高新区", 500_000, None))  # T01: 0.6M at stake
    write_ledger(root / "丙.xlsx", "丙", _ent(203, "高新区", 250_000, 300))  # 0.3M
    # 丁: the ledger sheet is there under a name rdcheck does not know (F01 on 辅助账明细); it reported 2000千元
    path = write_ledger(root / "丁.xlsx", "丁", _ent(204, "城东街道", 3_000_000, 2000))
    wb = openpyxl.load_workbook(path)
    wb["辅助账明细"].title = "明细账2024"
    wb.save(path)
    # 戊: the ledger has no 账载金额 column (F02 on 辅助账明细) and reported nothing: its holding is unknown
    path = write_ledger(root / "戊.xlsx", "戊", _ent(205, "高新区", 4_000_000, None))
    wb = openpyxl.load_workbook(path)
    wb["辅助账明细"]["G1"] = "金额备注"
    wb.save(path)
    (root / "district.yaml").write_text(DISTRICT_YAML, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def results(folder: Path) -> list[dict[str, Any]]:
    return load_results(folder, jobs=2)


@pytest.fixture(scope="module")
def district(folder: Path) -> District:
    return load_district(folder / "district.yaml")


def test_unread_ledgers_are_not_enterprises_with_rd_zero(results: list[dict[str, Any]], district: District) -> None:
    by_name = {Path(r["file"]).stem: r for r in results}
    assert unread_reason(by_name["丁"]).startswith("F01 辅助账明细")
    assert unread_reason(by_name["戊"]).startswith("F02 辅助账明细")
    assert unread_reason(by_name["甲"]) is None and unread_reason(by_name["乙"]) is None

    figures = rollup(results, district)
    d = figures.to_dict()
    assert d["submissions"] == {"counted": 3, "error": 0, "superseded": 0, "excluded": 0, "unread": 2}
    counted = {e["uscc"] for e in figures.enterprises}
    assert counted == {uscc(201), uscc(202), uscc(203)}  # 丁 and 戊 are not enterprises with R&D 0
    rd = d["rd_spending"]
    assert rd["enterprises_reported"] == 1_200_000 + 300_000  # 丁's 2M is not summed as if its ledger were read
    assert rd["enterprises_potential"] == 1_200_000 + 600_000 + 300_000
    regions = {r["region"]: r["enterprises"] for r in d["by_region"]}
    assert regions == {"城东街道": 1, "高新区": 2}
    assert figures.extra["unread_reported"] == Decimal(2_000_000)


def test_unread_follow_up_says_why_and_ranks_by_what_it_may_hold(
    results: list[dict[str, Any]], district: District
) -> None:
    follow = rollup(results, district).to_dict()["follow_up"]
    assert [f["name"] for f in follow] == ["丁科技有限公司", "乙科技有限公司", "戊科技有限公司"]
    ding, yi, wu = follow
    assert ding["reason"].startswith("unread: F01 辅助账明细 缺少工作表“辅助账明细”")
    assert ding["amount"] == 2_000_000  # its reported 107-2 line 7 (2000千元), not 0
    assert (yi["reason"], yi["amount"]) == ("T01", 600_000)
    assert wu["reason"].startswith("unread: F02 辅助账明细") and "账载金额" in wu["reason"]
    assert wu["amount"] is None  # nothing read outside the ledger says what it holds: unknown, never 0


def test_unread_in_the_terminal_and_the_workbook(
    results: list[dict[str, Any]], district: District, tmp_path: Path
) -> None:
    from rdcheck.district.rollup_xlsx import write_rollup

    figures = rollup(results, district)
    text = format_summary(figures)
    assert "辅助账无法读取 2" in text and "辅助账无法读取（未计入，不按 0 计）：F01 辅助账明细" in text
    assert any("2 份报送的辅助账无法读取" in w for w in figures.warnings())
    assert "1 with an unreadable" not in format_summary(figures, "en") and "2 with an unreadable ledger" in (
        format_summary(figures, "en")
    )
    write_rollup(figures, tmp_path / "rollup.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "rollup.xlsx")
    labels = {row[0].value: row[1].value for row in wb["概览"].iter_rows(min_row=15, max_col=2) if row[0].value}
    assert labels["辅助账无法读取（未计入，不按 0 计）"] == 2
    follow = [[c.value for c in row] for row in wb["跟进名单"].iter_rows(min_row=2) if isinstance(row[0].value, int)]
    head = [c.value for c in wb["跟进名单"][1]]
    first = dict(zip(head, max(follow, key=lambda r: r[head.index("涉及金额（万元）")] or 0), strict=True))
    assert first["原因代码"] == "unread" and "F01" in first["原因"] and first["涉及金额（万元）"] == 200


def test_holding_takes_the_largest_figure_read_outside_the_ledger() -> None:
    result = {
        "stats": {"intramural_reported": 100},
        "reconciliation": [
            {"caliber": "会计", "reported": 300},
            {"caliber": "税务", "reported": 9_000},  # a deduction claimed, not spending
            {"caliber": "统计", "reported": 200},
        ],
    }
    assert holding(result) == 300
    assert holding({"stats": {}, "reconciliation": []}) is None
    assert json.dumps(unread_reason({"findings": [{"rule": "F01", "sheet": "研发项目"}]})) == "null"
