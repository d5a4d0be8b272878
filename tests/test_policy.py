"""The policy parameters by tax year (rules/policy.yaml) and the questions asked of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rdcheck.compute.policy import (
    Policy,
    enterprise_kinds,
    is_manufacturing,
    is_negative_list,
    load_policy,
    negative_list_entry,
    split_industry_code,
)


def test_file_loads_with_every_year():
    policy = load_policy()
    assert policy.years == [2021, 2022, 2023, 2028]
    assert policy.other_expenses_limit(2024) == Decimal("0.10")
    assert policy.commissioned_share(2024) == Decimal("0.80")
    assert policy.overseas_limit(2024) == (2, 3)
    assert policy.tax_rate(2024, high_tech=True) == Decimal("0.15")
    assert policy.tax_rate(2024, high_tech=False) == Decimal("0.25")
    assert policy.intramural(2024) == {"plus": ["7", "20"], "minus": ["14", "10"], "floor": Decimal(0)}


@pytest.mark.parametrize(
    ("year", "entry"),
    [(2019, 2021), (2021, 2021), (2022, 2022), (2023, 2023), (2027, 2023), (2028, 2028), (2040, 2028)],
)
def test_a_year_uses_the_newest_entry_at_or_before_it(year, entry):
    assert load_policy().entry_year(year) == entry


def test_unknown_year_uses_the_newest_entry():
    assert load_policy().entry_year(None) == 2028


@pytest.mark.parametrize(
    ("year", "kinds", "rate", "modelled"),
    [
        (2021, {"manufacturing"}, 100, True),
        (2021, {"tech_sme"}, 75, True),
        (2022, {"tech_sme"}, 100, True),
        (2022, {"manufacturing"}, 100, True),
        (2022, set(), 75, True),
        (2023, set(), 100, True),
        (2023, {"ic_or_machine_tool"}, 120, True),
        (2027, {"ic_or_machine_tool", "manufacturing"}, 120, True),
        (2028, {"ic_or_machine_tool"}, 100, True),
    ],
)
def test_deduction_rate(year, kinds, rate, modelled):
    got = load_policy().deduction_rate(year, kinds)
    assert got.rate == rate and got.modelled is modelled
    assert (got.note is not None) is (not modelled)


def test_2022_rate_of_75_turns_100_from_october():
    got = load_policy().deduction_rate(2022, set())
    assert got.later_from == dt.date(2022, 10, 1) and got.later_rate == 100
    assert load_policy().deduction_rate(2022, {"manufacturing"}).later_from is None


def test_small_low_profit_rate_by_year():
    policy = load_policy()
    assert [policy.small_low_profit_rate(y) for y in (2022, 2023, 2027, 2028)] == [
        None,
        Decimal("0.05"),
        Decimal("0.05"),
        None,
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("C3976", ("C", 39)), ("3976", ("", 39)), ("c13", ("C", 13)), ("C", ("C", None)), (" F 5131 ", ("F", 51))],
)
def test_split_industry_code(code, expected):
    assert split_industry_code(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("C3976", True), ("C", True), ("1311", True), ("4350", True), ("4411", False), ("I6510", False), (None, False)],
)
def test_manufacturing(code, expected):
    assert is_manufacturing(code) is expected


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        ("C1610", "烟草制造业"),
        ("1690", "烟草制造业"),
        ("H6110", "住宿和餐饮业"),
        ("6210", "住宿和餐饮业"),
        ("H", "住宿和餐饮业"),
        ("F5131", "批发和零售业"),
        ("F5211", "批发和零售业"),
        ("K7010", "房地产业"),
        ("L7111", "租赁和商务服务业"),
        ("L7221", "租赁和商务服务业"),
        ("R9011", "娱乐业"),
        ("R8810", None),  # 文化艺术业: same section as 娱乐业, not on the list
        ("R", None),
        ("C", None),
        ("C3976", None),
        ("I6510", None),
        ("", None),
        (None, None),
    ],
)
def test_negative_list(code, industry):
    assert negative_list_entry(code) == industry
    assert is_negative_list(code) is (industry is not None)
    assert is_negative_list(code, None, 2024) is (industry is not None)


def test_overrides_merge_over_the_file():
    policy = load_policy({"other_expenses_limit": "0.2", "tax_rates": {"default": "0.2"}})
    assert policy.other_expenses_limit(2024) == Decimal("0.2")
    assert policy.tax_rate(2024, high_tech=False) == Decimal("0.2")
    assert policy.tax_rate(2024, high_tech=True) == Decimal("0.15")  # untouched keys stay
    assert policy.commissioned_share(2024) == Decimal("0.80")


def test_override_a_year_and_add_one():
    policy = load_policy({"years": {"2030": {"rates": [{"rate": 150}]}, 2023: {"rates": [{"rate": 90}]}}})
    assert policy.deduction_rate(2031, set()).rate == 150
    assert policy.deduction_rate(2024, {"ic_or_machine_tool"}).rate == 90
    assert policy.deduction_rate(2021, {"manufacturing"}).rate == 100


def test_override_the_negative_list():
    policy = load_policy({"negative_list": [{"name": "测试业", "section": "Z", "divisions": [99]}]})
    assert is_negative_list("9901", policy)
    assert not is_negative_list("F5131", policy)


def test_overrides_do_not_leak_into_the_next_load():
    load_policy({"other_expenses_limit": "0.5"}).data["defaults"]["negative_list"].clear()
    assert load_policy().other_expenses_limit(2024) == Decimal("0.10")
    assert is_negative_list("F5131")


def test_a_policy_passes_through():
    policy = load_policy({"commissioned_share": "0.7"})
    assert load_policy(policy) is policy
    assert isinstance(policy, Policy)


def test_enterprise_kinds():
    values = {"行业代码": "C3976", "科技型中小企业": True, "集成电路或工业母机企业": False, "高新技术企业": True}
    assert enterprise_kinds(values, load_policy(), 2024) == {"manufacturing", "tech_sme", "high_tech"}
