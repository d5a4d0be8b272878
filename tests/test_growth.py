"""T10: year on year from last year's figures stated in 企业信息 (the bureau's rollup --previous screens, one workbook)."""

from __future__ import annotations

from rule_support import check

from rdcheck.engine.examples import example_book


def t10(enterprise, lang="zh"):
    book = example_book({"企业信息": enterprise})
    return [f for f in check(book, lang=lang) if f.rule == "T10"]


def test_revenue_growth_decides_when_both_revenues_are_given():
    # R&D 15 → 61 千元 (×4.07): with revenue ×1.04 it outpaces revenue; with revenue ×3.33 it does not
    (found,) = t10({"上年研究开发费用合计": 15, "上年营业收入": 48000000})
    assert "营业收入只增长 4.17%" in found.message and "306.67%" in found.message
    assert t10({"上年研究开发费用合计": 15, "上年营业收入": 15000000}) == []


def test_unit_slip_either_way_and_the_ledger_when_nothing_is_reported():
    (slip,) = t10({"上年研究开发费用合计": 61000})  # last year typed in yuan into a 千元 cell
    assert "1000 倍" in slip.message
    # no 统计研究开发费用合计 this year: the ledger's 107-2 line 7 (61,000) against 15 千元
    (jump,) = t10({"上年研究开发费用合计": 15, "统计研究开发费用合计": None})
    assert "按辅助账计算" in jump.message
    assert jump.column == "上年研究开发费用合计"


def test_small_figures_are_not_judged():
    assert t10({"上年研究开发费用合计": 0.001, "统计研究开发费用合计": 0.004}) == []
