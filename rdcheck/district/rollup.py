"""The district rollup: R&D spending, intensity and basic research against the year's targets (spec §5).

Works on the JSON reports alone (from a batch's results.jsonl or from checking a folder), so both give the
same numbers. Amounts are summed as exact decimals in yuan; intensity is in percent.

`Rollup.to_dict()` is rollup.json, exactly the keys of spec §5. What the officer also wants to see (the gaps in
percentage points and to the potential figure, basic research split, 规上 count, files that could not be read,
where each follow-up enterprise is, warnings) lives in the other fields of `Rollup`, for rollup.xlsx and the
terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..model import decimal_or_none, json_value
from .batch import load_results
from .industry import SECTION_NAMES, industry_section, section_name
from .plan import OTHER_REGION, District, RosterEntry, normalise_uscc
from .unread import holding, unread_reason

HUNDRED = Decimal(100)
TYPES = ("high_tech", "tech_sme", "above_scale")  # the by_type rows of rollup.json (高新 / 科小 / 规上)
OTHER_TYPE = "other"  # none of the three: shown in rollup.xlsx only
OTHER_SECTION = OTHER_REGION  # an industry code that is missing or not GB/T 4754

# follow-up reasons in rollup.json: rule ids, the check status, 未报送 or unread (spec §5)
NOT_REPORTED, UNDER_REPORTED, FAILED, NOT_SUBMITTED = "T01", "T02", "fail", "未报送"
UNREAD = "unread"  # the ledger could not be read: kept out of the ledger-based figures, never counted as R&D 0
UNREADABLE = "error"  # a file that could not be checked: in rollup.json only when the roster names it
REASON_SEPARATOR = " + "


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def plain_number(value: Decimal | None) -> int | float | None:
    """A number as given (no rounding to the fen): GDP in 亿元, intensity in percent."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Bucket:
    """One breakdown row: how many counted enterprises, their reported and potential R&D and basic research."""

    key: str
    enterprises: int = 0
    reported: Decimal = Decimal(0)
    potential: Decimal = Decimal(0)
    basic_research: Decimal = Decimal(0)

    def add(self, e: dict[str, Any]) -> None:
        self.enterprises += 1
        self.reported += e["reported"]
        self.potential += e["potential"]
        self.basic_research += e["basic_research"]

    def to_json(self, name: str) -> dict[str, Any]:
        """The row of rollup.json: {name: key, enterprises, reported, potential}."""
        return {
            name: self.key,
            "enterprises": self.enterprises,
            "reported": json_value(self.reported),
            "potential": json_value(self.potential),
        }


@dataclass
class FollowUp:
    """An enterprise (or an unreadable file) to follow up, with what rollup.xlsx and the terminal also show."""

    uscc: str | None
    name: str | None
    reasons: list[str]
    amount: Decimal | None
    region: str | None = None
    file: str | None = None
    note: str | None = None  # the one-line error of an unreadable file, why a ledger was unread
    years: list[int] = field(default_factory=list)  # 未报送: the other years this enterprise did submit
    figures: list[str] = field(default_factory=list)  # screening warnings: the figures side by side (--previous)
    contact: str | None = None  # from the roster: whom to call
    phone: str | None = None

    @property
    def reason(self) -> str:
        return REASON_SEPARATOR.join(self.reasons)

    def to_json(self) -> dict[str, Any]:
        reason = self.reason
        if (UNREAD in self.reasons or UNREADABLE in self.reasons) and self.note:
            reason = f"{reason}: {self.note}"  # rollup.json says why the ledger was not read
        item = {"uscc": self.uscc, "name": self.name, "reason": reason, "amount": json_value(self.amount)}
        if self.figures:  # only with rollup --previous: rollup.json keeps spec §5's shape otherwise
            item["figures"] = list(self.figures)
        return item


@dataclass
class Rollup:
    """The district's figures. `to_dict()` is rollup.json (spec §5); the other fields are for xlsx and terminal."""

    district: District
    data: dict[str, Any]
    enterprises: list[dict[str, Any]] = field(default_factory=list)  # the counted submitters
    follow_up: list[FollowUp] = field(default_factory=list)  # rollup.json's, then the unreadable files
    by_region: list[Bucket] = field(default_factory=list)
    by_industry: list[Bucket] = field(default_factory=list)
    by_type: list[Bucket] = field(default_factory=list)  # high_tech, tech_sme, above_scale, other
    extra: dict[str, Any] = field(default_factory=dict)  # gaps in points and to potential, basic research split …
    messages: list[tuple[str, str]] = field(default_factory=list)  # warnings, (zh, en)

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def warnings(self, lang: str = "zh") -> list[str]:
        return [en if lang == "en" else zh for zh, en in self.messages]


def _enterprise_row(result: dict[str, Any], district: District) -> dict[str, Any]:
    ent = result.get("enterprise") or {}
    stats = result.get("stats") or {}
    intramural = decimal_or_none(stats.get("intramural"))
    reported = decimal_or_none(stats.get("intramural_reported"))
    reported_amount = reported if reported is not None else Decimal(0)
    potential = max(reported_amount, intramural if intramural is not None else Decimal(0))
    findings = [f for f in result.get("findings") or [] if isinstance(f, dict)]
    return {
        "file": result.get("file"),
        "uscc": ent.get("uscc"),
        "key": normalise_uscc(ent.get("uscc")),
        "name": ent.get("name"),
        "year": _year(ent.get("year")),
        "region_given": ent.get("region"),
        "region": district.region_of(ent.get("region")) or OTHER_REGION,
        "industry": ent.get("industry"),
        "section": industry_section(ent.get("industry")) or OTHER_SECTION,
        "high_tech": ent.get("high_tech") is True,
        "tech_sme": ent.get("tech_sme") is True,
        "above_scale": ent.get("above_scale") is True,
        "status": result.get("status"),
        "revenue": decimal_or_none(ent.get("revenue")),
        "rd_staff": decimal_or_none(ent.get("rd_staff")),
        "tech_contracts": decimal_or_none(ent.get("tech_contracts")),
        "rd_institution": ent.get("rd_institution"),
        "intramural": intramural,
        "intramural_reported": reported,
        "reported": reported_amount,
        "potential": potential,
        "basic_research": decimal_or_none(stats.get("basic_research")) or Decimal(0),
        "rules": {str(f.get("rule")) for f in findings},
        "other_errors": any(f.get("severity") == "error" and f.get("rule") not in ("T01", "T02") for f in findings),
    }


def _follow_up(e: dict[str, Any]) -> FollowUp | None:
    """T01 (not reported), T02 (under-reported), fail (other errors); the amount at stake is the largest."""
    reasons: list[str] = []
    amounts: list[Decimal] = []
    intramural = e["intramural"] if e["intramural"] is not None else Decimal(0)
    if NOT_REPORTED in e["rules"]:
        reasons.append(NOT_REPORTED)
        amounts.append(intramural)  # none of it reached the statistics
    if UNDER_REPORTED in e["rules"]:
        reasons.append(UNDER_REPORTED)
        amounts.append(e["potential"] - e["reported"])  # what 应统尽统 would add
    # a fail that T01/T02 alone explain is already named; "fail" is for errors the enterprise must fix besides
    if e["status"] == "fail" and (e["other_errors"] or not reasons):
        reasons.append(FAILED)
        amounts.append(e["potential"])  # the enterprise's whole figure is in doubt
    if not reasons:
        return None
    return FollowUp(e["uscc"], e["name"], reasons, max(amounts), region=e["region"], file=e["file"])


def _unreadable_file_of(entry: RosterEntry, unreadable: list[FollowUp]) -> FollowUp | None:
    """The unreadable file an expected enterprise submitted: its file name holds the code or the full name."""
    for item in unreadable:
        if item.uscc is not None:
            continue
        name = Path(str(item.file or "")).name
        if entry.uscc and entry.uscc in name.upper() or (entry.name and len(entry.name) >= 4 and entry.name in name):
            return item
    return None


def _sort_key(f: FollowUp) -> tuple[Any, ...]:
    # by the amount at stake; an unread ledger whose holding is unknown still comes before the other unknowns
    return (
        f.amount is None,
        -(f.amount or 0),
        UNREAD not in f.reasons,
        f.reasons == [UNREADABLE],
        str(f.uscc or ""),
        str(f.file or ""),
    )


def _region_warnings(counted: list[dict[str, Any]]) -> list[tuple[str, str]]:
    unknown: dict[str, int] = {}
    for e in counted:
        if e["region"] == OTHER_REGION:
            given = e["region_given"]
            name = "" if given is None else str(given).strip()
            unknown[name] = unknown.get(name, 0) + 1
    messages = []
    for name, n in sorted(unknown.items()):
        if not name:
            messages.append(
                (
                    f"{n} 家企业未填所在区域，计入“{OTHER_REGION}”",
                    f"{n} enterprise(s) give no 所在区域: counted under {OTHER_REGION}",
                )
            )
        else:
            messages.append(
                (
                    f"所在区域“{name}”不在 district.yaml 的区域列表中，{n} 家企业计入“{OTHER_REGION}”",
                    f"所在区域 “{name}” is not in district.yaml's regions: {n} enterprise(s) counted under {OTHER_REGION}",
                )
            )
    return messages


def rollup(
    results: Sequence[dict[str, Any]],
    district: District,
    roster: Sequence[RosterEntry] | None = None,
    exclude_failed: bool = False,
) -> Rollup:
    """Aggregate JSON reports into the district's figures. Never prints; never changes `results`."""
    from .batch import mark_superseded

    ordered = [dict(r) for r in sorted(results, key=lambda r: str(r.get("file", "")))]
    mark_superseded(ordered)  # duplicates a hand-made results.jsonl left unmarked: the path sorting last counts
    submissions = {"counted": 0, "error": 0, "superseded": 0, "excluded": 0, "unread": 0}
    counted: list[dict[str, Any]] = []
    follow: list[FollowUp] = []
    unreadable: list[FollowUp] = []
    submitted: set[str] = set()
    other_years: dict[str, int] = {}
    other_year_of: dict[str, set[int]] = {}  # enterprises that submitted another year's ledger
    failed_out = 0
    unread_reported = Decimal(0)  # what the unread submissions reported to statistics: shown, not summed
    for result in ordered:
        status = result.get("status")
        if status == "error" or not isinstance(result.get("enterprise"), dict):
            submissions["error"] += 1
            unreadable.append(
                FollowUp(None, None, [UNREADABLE], None, file=result.get("file"), note=result.get("error"))
            )
            continue
        e = _enterprise_row(result, district)
        if status == "superseded":
            submissions["superseded"] += 1
            if e["year"] == district.year:
                submitted.add(e["key"])
            continue
        why = unread_reason(result)
        if e["year"] != district.year:
            submissions["excluded"] += 1
            if e["year"] is not None:
                other_year_of.setdefault(e["key"], set()).add(e["year"])
            elif why is not None:  # no readable 所属年度 and no readable ledger
                follow.append(
                    FollowUp(e["uscc"], e["name"], [UNREAD], holding(result), e["region"], e["file"], note=why)
                )
            elif status == "fail":  # no readable 所属年度: it may well be this year's, so it needs fixing
                follow.append(FollowUp(e["uscc"], e["name"], [FAILED], e["potential"], e["region"], e["file"]))
            label = str(e["year"]) if e["year"] is not None else "?"
            other_years[label] = other_years.get(label, 0) + 1
            continue
        submitted.add(e["key"])
        if why is not None:  # not an enterprise with R&D 0: out of every ledger-based figure, first to follow up
            submissions["unread"] += 1
            unread_reported += e["reported"]
            follow.append(FollowUp(e["uscc"], e["name"], [UNREAD], holding(result), e["region"], e["file"], note=why))
            continue
        item = _follow_up(e)
        if item is not None:
            follow.append(item)
        if status == "fail" and exclude_failed:
            submissions["excluded"] += 1
            failed_out += 1
            continue
        submissions["counted"] += 1
        counted.append(e)

    for entry in roster or ():
        region = district.region_of(entry.region) or entry.region
        for item in follow:  # whom to call about a row already on the list
            if item.uscc == entry.uscc:
                item.contact, item.phone = entry.contact, entry.phone
        if entry.uscc in submitted:
            continue
        own_file = _unreadable_file_of(entry, unreadable)
        if own_file is not None:  # it did submit, a file that cannot be read: one row, named, not also 未报送
            own_file.uscc, own_file.name, own_file.region = entry.uscc, entry.name, region
            own_file.contact, own_file.phone = entry.contact, entry.phone
            unreadable.remove(own_file)
            follow.append(own_file)  # named now: on rollup.json's list, instead of 未报送
            continue
        years = sorted(other_year_of.get(entry.uscc, ()))
        follow.append(
            FollowUp(
                entry.uscc,
                entry.name,
                [NOT_SUBMITTED],
                None,
                region=region,
                years=years,
                contact=entry.contact,
                phone=entry.phone,
            )
        )
    follow.sort(key=_sort_key)
    unreadable.sort(key=lambda f: str(f.file or ""))

    messages: list[tuple[str, str]] = []
    for year, n in sorted(other_years.items()):
        if year == "?":
            messages.append(
                (f"{n} 份报送的所属年度未填或无法识别，未计入", f"{n} submission(s) give no readable year: not counted")
            )
        else:
            messages.append(
                (
                    f"{n} 份报送的所属年度为 {year}，不是 {district.year}，未计入",
                    f"{n} submission(s) are for {year}, not {district.year}: not counted",
                )
            )
    messages += _region_warnings(counted)
    if submissions["unread"]:
        n = submissions["unread"]
        messages.append(
            (
                f"{n} 份报送的辅助账无法读取，未计入全区数字（不按研发支出 0 计），已列入跟进名单",
                f"{n} submission(s) have a ledger that could not be read: left out of the district figures "
                "(not counted as R&D 0) and put on the follow-up list",
            )
        )
    figures = _figures(district, submissions, counted, follow, unreadable, messages, failed_out)
    figures.extra["unread_reported"] = unread_reported
    return figures


def _figures(
    district: District,
    submissions: dict[str, int],
    counted: list[dict[str, Any]],
    follow: list[FollowUp],
    unreadable: list[FollowUp],
    messages: list[tuple[str, str]],
    failed_out: int,
) -> Rollup:
    ent_reported = sum((e["reported"] for e in counted), Decimal(0))
    ent_potential = sum((e["potential"] for e in counted), Decimal(0))
    others = district.other_performers_total
    reported, potential = ent_reported + others, ent_potential + others
    target = district.target_rd_spending
    basic_enterprises = sum((e["basic_research"] for e in counted), Decimal(0))
    basic = basic_enterprises + district.basic_research_other
    basic_target = district.target_basic_research
    intensity_reported, intensity_potential = reported / district.gdp * HUNDRED, potential / district.gdp * HUNDRED
    intensity_target = district.target_intensity

    regions = {name: Bucket(name) for name in district.regions}
    sections: dict[str, Bucket] = {}
    types = {key: Bucket(key) for key in (*TYPES, OTHER_TYPE)}
    for e in counted:
        regions.setdefault(e["region"], Bucket(e["region"])).add(e)
        sections.setdefault(e["section"], Bucket(e["section"])).add(e)
        for key in [key for key in TYPES if e[key]] or [OTHER_TYPE]:
            types[key].add(e)
    by_industry = [sections[s] for s in sorted(sections, key=lambda s: (s not in SECTION_NAMES, s))]

    def minus(a: Decimal | None, b: Decimal) -> Decimal | None:
        return None if a is None else a - b

    data: dict[str, Any] = {
        "district": district.name,
        "year": district.year,
        "gdp": plain_number(district.gdp_yi),
        "submissions": dict(submissions),
        "rd_spending": {
            "enterprises_reported": json_value(ent_reported),
            "enterprises_potential": json_value(ent_potential),
            "other_performers": json_value(others),
            "reported": json_value(reported),
            "potential": json_value(potential),
            "target": json_value(target),
            "gap": json_value(minus(target, reported)),
        },
        "intensity": {
            "reported": plain_number(intensity_reported),
            "potential": plain_number(intensity_potential),
            "target": plain_number(intensity_target),
        },
        "basic_research": {
            "amount": json_value(basic),
            "target": json_value(basic_target),
            "gap": json_value(minus(basic_target, basic)),
        },
        "by_region": [b.to_json("region") for b in regions.values()],
        "by_industry": [b.to_json("industry") for b in by_industry],
        "by_type": [types[key].to_json("type") for key in TYPES],
        "follow_up": [f.to_json() for f in follow],
        "counts": {
            "high_tech": sum(1 for e in counted if e["high_tech"]),
            "tech_sme": sum(1 for e in counted if e["tech_sme"]),
        },
    }
    extra = {
        "gap_potential": minus(target, potential),
        "intensity_gap": minus(intensity_target, intensity_reported),  # percentage points
        "intensity_gap_potential": minus(intensity_target, intensity_potential),
        "basic_research_enterprises": basic_enterprises,
        "basic_research_other": district.basic_research_other,
        "above_scale": sum(1 for e in counted if e["above_scale"]),
        "excluded_failed": failed_out,
        "excluded_other_year": submissions["excluded"] - failed_out,
    }
    return Rollup(
        district=district,
        data=data,
        enterprises=counted,
        follow_up=follow + unreadable,
        by_region=list(regions.values()),
        by_industry=by_industry,
        by_type=[types[key] for key in (*TYPES, OTHER_TYPE)],
        extra=extra,
        messages=messages,
    )


def format_summary(result: Rollup, lang: str = "zh") -> str:
    """Return the terminal table (see rdcheck.district.rollup_text)."""
    from .rollup_text import render

    return render(result, lang)


__all__ = [
    "FAILED",
    "NOT_REPORTED",
    "NOT_SUBMITTED",
    "SECTION_NAMES",
    "TYPES",
    "UNDER_REPORTED",
    "UNREAD",
    "Bucket",
    "FollowUp",
    "Rollup",
    "format_summary",
    "industry_section",
    "load_results",
    "rollup",
    "section_name",
    "unread_reason",
]
