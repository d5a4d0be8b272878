"""Load the policy parameters by tax year (rules/policy.yaml) and answer the questions the computation asks."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .labels import NOTE_NO_RATE

POLICY_FILE = Path(str(resources.files("rdcheck.rules") / "policy.yaml"))
_CODE = re.compile(r"^\s*([A-Za-z]?)\s*(\d*)\s*$")


def _dec(value: Any) -> Decimal:
    """Read a parameter as an exact decimal (YAML floats through their text, never their binary value)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return base with `over` merged in, key by key (mappings recursively, anything else replaced)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _int_keys(years: Mapping[Any, Any]) -> dict[int, Any]:
    return {int(str(k).strip()): v for k, v in years.items()}


@lru_cache(maxsize=1)
def _file_policy() -> dict[str, Any]:
    with open(POLICY_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data["years"] = _int_keys(data.get("years") or {})
    return data


def _note(note: Any, lang: str) -> str | None:
    """A policy note is text, or {zh, en}; English falls back to the Chinese text."""
    if isinstance(note, dict):
        return note.get(lang) or note.get("zh")
    return str(note) if note else None


@dataclass(frozen=True)
class YearRate:
    """The deduction rate (A107012 line 50) that applies to one enterprise in one tax year."""

    rate: Decimal  # percent: 100 for 100%
    modelled: bool = True
    note: str | None = None
    note_en: str | None = None
    basis: str = ""
    later_from: dt.date | None = None  # from this date on, spending gets `later_rate` (2022 Q4: 100%)
    later_rate: Decimal | None = None


@dataclass
class Policy:
    """The policy file with any overrides merged in; ``params(year)`` gives one tax year's parameters."""

    data: dict[str, Any] = field(default_factory=dict)
    # each entry year's merged parameters, made once: every accessor below reads them (read-only, never changed)
    _merged: dict[int, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def years(self) -> list[int]:
        return sorted(self.data.get("years", {}))

    def entry_year(self, year: int | None) -> int:
        """Return the policy entry a tax year uses: the newest at or before it (the oldest for earlier years)."""
        years = self.years
        if year is None:
            return years[-1]
        at_or_before = [y for y in years if y <= year]
        return at_or_before[-1] if at_or_before else years[0]

    def params(self, year: int | None) -> dict[str, Any]:
        """Return the defaults merged with the tax year's entry."""
        entry_year = self.entry_year(year)
        merged = self._merged.get(entry_year)
        if merged is None:
            entry = self.data.get("years", {}).get(entry_year, {})
            merged = self._merged[entry_year] = _merge(self.data.get("defaults", {}), entry)
        return merged

    # Parameters as exact decimals.
    def other_expenses_limit(self, year: int | None) -> Decimal:
        return _dec(self.params(year)["other_expenses_limit"])

    def commissioned_share(self, year: int | None) -> Decimal:
        return _dec(self.params(year)["commissioned_share"])

    def overseas_limit(self, year: int | None) -> tuple[Decimal, Decimal]:
        limit = self.params(year)["overseas_limit"]
        if isinstance(limit, Mapping):
            return _dec(limit["numerator"]), _dec(limit["denominator"])
        text = str(limit)
        if "/" in text:
            num, den = text.split("/", 1)
            return _dec(num), _dec(den)
        return _dec(text), Decimal(1)

    def tax_rate(self, year: int | None, high_tech: bool) -> Decimal:
        rates = self.params(year)["tax_rates"]
        return _dec(rates["high_tech"] if high_tech else rates["default"])

    def small_low_profit_rate(self, year: int | None) -> Decimal | None:
        """The effective income-tax rate of a 小型微利企业 in a year, or None where it is not modelled."""
        value = (self.params(year).get("tax_rates") or {}).get("small_low_profit")
        return None if value is None or year is None else _dec(value)

    def negative_list_share(self, year: int | None) -> Decimal:
        return _dec(self.params(year).get("negative_list_share", "0.5"))

    def non_deductible_words(self, year: int | None) -> list[dict[str, Any]]:
        """摘要 words of rule C18: [{word, reason, except: [sub-item codes]}]."""
        out = []
        for item in self.params(year).get("non_deductible_words") or []:
            if isinstance(item, str):
                item = {"word": item}
            if str(item.get("word") or "").strip():
                excepted = [str(c) for c in item.get("except") or []]
                out.append(
                    {"word": str(item["word"]).strip(), "reason": str(item.get("reason") or ""), "except": excepted}
                )
        return out

    def fiscal_fund_words(self, year: int | None) -> list[str]:
        return [str(w).strip() for w in self.params(year).get("fiscal_fund_words") or [] if str(w).strip()]

    def intramural(self, year: int | None) -> dict[str, Any]:
        spec = self.params(year)["intramural"]
        return {
            "plus": [str(k) for k in spec.get("plus", [])],
            "minus": [str(k) for k in spec.get("minus", [])],
            "floor": None if spec.get("floor") is None else _dec(spec["floor"]),
        }

    def reconciliation_rounding(self, year: int | None) -> dict[str, Decimal]:
        return {str(k): _dec(v) for k, v in (self.params(year).get("reconciliation_rounding") or {}).items()}

    def reconciliation_explained_share(self, year: int | None) -> Decimal:
        return _dec(self.params(year).get("reconciliation_explained_share", "0.05"))

    def deduction_rate(self, year: int | None, kinds: set[str]) -> YearRate:
        """Return line 50 for an enterprise of the given kinds (manufacturing, tech_sme, ic_or_machine_tool)."""
        params = self.params(year)
        for rule in params.get("rates", []):
            when = rule.get("when") or []
            if isinstance(when, str):
                when = [when]
            if all(w in kinds for w in when):
                later = rule.get("later") or {}
                start = later.get("from")
                if isinstance(start, str):
                    start = dt.date.fromisoformat(start.strip())
                return YearRate(
                    rate=_dec(rule["rate"]),
                    modelled=bool(rule.get("modelled", True)),
                    note=_note(rule.get("note"), "zh"),
                    note_en=_note(rule.get("note"), "en"),
                    basis=str(params.get("basis", "")),
                    later_from=start if isinstance(start, dt.date) else None,
                    later_rate=_dec(later["rate"]) if later.get("rate") is not None else None,
                )
        return YearRate(rate=Decimal(0), modelled=False, note=NOTE_NO_RATE["zh"], note_en=NOTE_NO_RATE["en"])


def load_policy(overrides: Mapping[str, Any] | Policy | None = None) -> Policy:
    """Return the policy file with a config's `policy` overrides merged over it (a Policy passes through)."""
    if isinstance(overrides, Policy):
        return overrides
    data = _file_policy()
    if overrides:
        over: dict[str, Any] = {}
        loose = {k: v for k, v in overrides.items() if k not in ("defaults", "years")}
        # A parameter given at the top level (`other_expenses_limit: "0.1"`) is a default for every year.
        defaults = {**dict(overrides.get("defaults") or {}), **loose}
        if defaults:
            over["defaults"] = defaults
        if isinstance(overrides.get("years"), Mapping):
            over["years"] = _int_keys(overrides["years"])
        data = _merge(data, over)
        return Policy(data)
    return _file_policy_object()


@lru_cache(maxsize=1)
def _file_policy_object() -> Policy:
    """The policy file as it ships, without overrides: one Policy per process (read-only)."""
    return Policy(copy.deepcopy(_file_policy()))


def split_industry_code(code: Any) -> tuple[str, int | None]:
    """Split a GB/T 4754 code (``C3976``, ``3976``, ``C``) into its section letter and division (13 for 1311)."""
    if code is None:
        return "", None
    m = _CODE.match(str(code))
    if not m:
        return "", None
    letter, digits = m.group(1).upper(), m.group(2)
    division = int(digits[:2]) if len(digits) >= 2 else None
    return letter, division


def is_manufacturing(
    industry_code: Any, policy: Mapping[str, Any] | Policy | None = None, year: int | None = None
) -> bool:
    """Whether a 行业代码 is 制造业: section C, or a code whose division lies in 13-43."""
    spec = load_policy(policy).params(year)["manufacturing"]
    letter, division = split_industry_code(industry_code)
    low, high = (int(d) for d in spec["divisions"])
    if division is not None:
        return low <= division <= high
    return letter == str(spec["section"]).upper()


def negative_list_entry(
    industry_code: Any, policy: Mapping[str, Any] | Policy | None = None, year: int | None = None
) -> str | None:
    """Return the name of the negative-list industry a 行业代码 falls in (e.g. 批发和零售业), or None."""
    letter, division = split_industry_code(industry_code)
    for entry in load_policy(policy).params(year).get("negative_list", []):
        divisions = {int(d) for d in entry.get("divisions", [])}
        if division is not None:
            if division in divisions:
                return str(entry["name"])
        elif letter and letter == str(entry.get("section", "")).upper() and entry.get("whole_section"):
            return str(entry["name"])
    return None


def is_negative_list(
    industry_code: Any, policy: Mapping[str, Any] | Policy | None = None, year: int | None = None
) -> bool:
    """Whether a 行业代码 is on the negative list (rule C04; line 50 and 51 are then 0)."""
    return negative_list_entry(industry_code, policy, year) is not None


def enterprise_kinds(values: Mapping[str, Any], policy: Policy, year: int | None) -> set[str]:
    """Return the kinds the rate tables ask about, from 企业信息."""
    kinds: set[str] = set()
    if is_manufacturing(values.get("行业代码"), policy, year):
        kinds.add("manufacturing")
    if values.get("科技型中小企业") is True:
        kinds.add("tech_sme")
    if values.get("集成电路或工业母机企业") is True:
        kinds.add("ic_or_machine_tool")
    if values.get("高新技术企业") is True:
        kinds.add("high_tech")
    return kinds


__all__ = [
    "Policy",
    "YearRate",
    "enterprise_kinds",
    "is_manufacturing",
    "is_negative_list",
    "load_policy",
    "negative_list_entry",
    "split_industry_code",
]
