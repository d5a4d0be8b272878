"""The district rollup: R&D spending, intensity and basic research against the year's targets (spec §5).

Works on the JSON reports alone (from a batch's results.jsonl or from checking a folder), so both give the
same numbers. Amounts are summed as exact decimals in yuan; intensity is in percent.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .district import OTHER_REGION, YI, District, RosterEntry, normalise_uscc
from .model import json_value

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.0001")

# GB/T 4754-2017: 门类 by the first two digits (大类) of a 4-digit code
_DIVISIONS = (
    (1, 5, "A"), (6, 12, "B"), (13, 43, "C"), (44, 46, "D"), (47, 50, "E"), (51, 52, "F"), (53, 60, "G"),
    (61, 62, "H"), (63, 65, "I"), (66, 69, "J"), (70, 70, "K"), (71, 72, "L"), (73, 75, "M"), (76, 79, "N"),
    (80, 82, "O"), (83, 83, "P"), (84, 85, "Q"), (86, 90, "R"), (91, 96, "S"), (97, 97, "T"),
)  # fmt: skip
SECTION_NAMES = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
UNKNOWN_SECTION = "?"
MISSING = "（未填）"
TYPES = (
    ("high_tech", "高新技术企业"),
    ("tech_sme", "科技型中小企业"),
    ("above_scale", "规模以上企业"),
    ("other", "其他企业"),
)
REASONS = {
    "T01": "T01 漏统（有研发支出未报统计）",
    "T02": "T02 少统（统计报送数偏低）",
    "fail": "fail 校验未通过",
    "error": "error 文件无法检查",
    "missing": "未报送",
}


def industry_section(code: Any) -> str | None:
    """Return the GB/T 4754-2017 门类 letter of an industry code (`C3976`, `3976`, `C`), or None."""
    if code is None or isinstance(code, bool):
        return None
    text = "".join(str(code).split()).upper()
    if isinstance(code, float) and code.is_integer():
        text = str(int(code))
    if not text:
        return None
    if text[0].isalpha():
        return text[0] if text[0] in SECTION_NAMES else None
    if not text.isdigit() or len(text) not in (2, 3, 4):
        return None
    if len(text) == 3:  # a 4-digit class that lost its leading zero in a number cell (0131 read as 131)
        text = "0" + text
    division = int(text[:2])
    for low, high, section in _DIVISIONS:
        if low <= division <= high:
            return section
    return None


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _pct(amount: Decimal, gdp: Decimal) -> Decimal:
    return amount / gdp * HUNDRED


def _round_pct(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP))


@dataclass
class _Bucket:
    enterprises: int = 0
    reported: Decimal = Decimal(0)
    potential: Decimal = Decimal(0)
    basic_research: Decimal = Decimal(0)

    def add(self, e: dict[str, Any]) -> None:
        self.enterprises += 1
        self.reported += e["reported"]
        self.potential += e["potential"]
        self.basic_research += e["basic_research"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprises": self.enterprises,
            "reported": json_value(self.reported),
            "potential": json_value(self.potential),
            "basic_research": json_value(self.basic_research),
        }


@dataclass
class Rollup:
    """The district's figures: `data` is rollup.json (spec §5); `enterprises` the counted submitters."""

    district: District
    data: dict[str, Any]
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.data


def _enterprise_row(result: dict[str, Any], district: District) -> dict[str, Any]:
    ent = result.get("enterprise") or {}
    stats = result.get("stats") or {}
    intramural = _dec(stats.get("intramural"))
    reported = _dec(stats.get("intramural_reported"))
    reported_amount = reported if reported is not None else Decimal(0)
    potential = max(reported_amount, intramural if intramural is not None else Decimal(0))
    region = district.region_of(ent.get("region"))
    section = industry_section(ent.get("industry"))
    return {
        "file": result.get("file"),
        "uscc": ent.get("uscc"),
        "name": ent.get("name"),
        "year": ent.get("year"),
        "region_given": ent.get("region"),
        "region": region or OTHER_REGION,
        "industry": ent.get("industry"),
        "section": section or UNKNOWN_SECTION,
        "high_tech": ent.get("high_tech") is True,
        "tech_sme": ent.get("tech_sme") is True,
        "above_scale": ent.get("above_scale") is True,
        "status": result.get("status"),
        "intramural": intramural,
        "intramural_reported": reported,
        "reported": reported_amount,
        "potential": potential,
        "basic_research": _dec(stats.get("basic_research")) or Decimal(0),
        "rules": {str(f.get("rule")) for f in result.get("findings") or []},
    }


def _follow_up(e: dict[str, Any]) -> dict[str, Any] | None:
    reasons: list[str] = []
    amounts: list[Decimal] = []
    intramural = e["intramural"] if e["intramural"] is not None else Decimal(0)
    if "T01" in e["rules"]:
        reasons.append(REASONS["T01"])
        amounts.append(intramural)
    if "T02" in e["rules"]:
        reasons.append(REASONS["T02"])
        amounts.append(max(Decimal(0), intramural - e["reported"]))
    if e["status"] == "fail":
        reasons.append(REASONS["fail"])
        amounts.append(e["potential"])
    if not reasons:
        return None
    return {
        "uscc": e["uscc"],
        "name": e["name"],
        "reason": "；".join(reasons),
        "amount": max(amounts),
        "region": e["region"],
        "file": e["file"],
    }


def rollup(
    results: Sequence[dict[str, Any]],
    district: District,
    roster: Sequence[RosterEntry] | None = None,
    exclude_failed: bool = False,
) -> Rollup:
    """Aggregate JSON reports into the district's figures. Never prints."""
    submissions = {"counted": 0, "error": 0, "superseded": 0, "excluded": 0}
    counted: list[dict[str, Any]] = []
    follow: list[dict[str, Any]] = []
    submitted: set[str] = set()
    other_years: dict[str, int] = {}
    other_year_of: dict[str, set[Any]] = {}  # enterprises that submitted another year's ledger only
    for result in sorted(results, key=lambda r: str(r.get("file", ""))):
        status = result.get("status")
        if status == "error":
            submissions["error"] += 1
            follow.append(
                {
                    "uscc": None,
                    "name": None,
                    "reason": f"{REASONS['error']}：{result.get('error', '')}".rstrip("："),
                    "amount": None,
                    "region": None,
                    "file": result.get("file"),
                }
            )
            continue
        e = _enterprise_row(result, district)
        year = e["year"]
        if status == "superseded":
            submissions["superseded"] += 1
            if year == district.year:
                submitted.add(normalise_uscc(e["uscc"]))
            continue
        if year != district.year:
            submissions["excluded"] += 1
            other_year_of.setdefault(normalise_uscc(e["uscc"]), set()).add(year)
            label = str(year) if year is not None else "（未填）"
            other_years[label] = other_years.get(label, 0) + 1
            continue
        submitted.add(normalise_uscc(e["uscc"]))
        item = _follow_up(e)
        if item is not None:
            follow.append(item)
        if status == "fail" and exclude_failed:
            submissions["excluded"] += 1
            continue
        submissions["counted"] += 1
        counted.append(e)

    warnings: list[str] = []
    for year, n in sorted(other_years.items()):
        warnings.append(f"{n} 份报送的所属年度为 {year}，不是 {district.year}，未计入")
    unknown: dict[str, int] = {}
    for e in counted:
        if e["region"] == OTHER_REGION:
            given = e["region_given"]
            key = str(given).strip() if given is not None and str(given).strip() else MISSING
            unknown[key] = unknown.get(key, 0) + 1
    for name, n in sorted(unknown.items()):
        if name == MISSING:
            warnings.append(f"{n} 家企业未填所在区域，计入“{OTHER_REGION}”")
        else:
            warnings.append(f"所在区域“{name}”不在 district.yaml 的区域列表中，{n} 家企业计入“{OTHER_REGION}”")

    if roster:
        for entry in roster:
            if entry.uscc not in submitted:
                years = sorted(str(y) for y in other_year_of.get(entry.uscc, ()) if y is not None)
                reason = REASONS["missing"] + (f"（仅报送了 {'、'.join(years)} 年度）" if years else "")
                follow.append(
                    {
                        "uscc": entry.uscc,
                        "name": entry.name,
                        "reason": reason,
                        "amount": None,
                        "region": district.region_of(entry.region) or entry.region,
                        "file": None,
                    }
                )
    follow.sort(key=lambda f: (f["amount"] is None, -(f["amount"] or 0), str(f["uscc"] or ""), str(f["file"] or "")))

    ent_reported = sum((e["reported"] for e in counted), Decimal(0))
    ent_potential = sum((e["potential"] for e in counted), Decimal(0))
    others = district.other_performers_total
    reported, potential = ent_reported + others, ent_potential + others
    target = district.target_rd_spending
    basic = sum((e["basic_research"] for e in counted), Decimal(0)) + district.basic_research_other
    basic_target = district.target_basic_research
    intensity_reported, intensity_potential = _pct(reported, district.gdp), _pct(potential, district.gdp)
    intensity_target = district.target_intensity

    regions = {name: _Bucket() for name in district.regions}
    sections: dict[str, _Bucket] = {}
    types = {key: _Bucket() for key, _ in TYPES}
    for e in counted:
        regions.setdefault(e["region"], _Bucket()).add(e)
        sections.setdefault(e["section"], _Bucket()).add(e)
        kinds = [key for key, _ in TYPES[:3] if e[key]] or ["other"]
        for key in kinds:
            types[key].add(e)

    def pct_gap(target_pct: Decimal | None, actual: Decimal) -> float | None:
        return None if target_pct is None else _round_pct(target_pct - actual)

    data: dict[str, Any] = {
        "district": district.name,
        "year": district.year,
        "gdp": json_value(district.gdp),
        "submissions": submissions,
        "rd_spending": {
            "enterprises_reported": json_value(ent_reported),
            "enterprises_potential": json_value(ent_potential),
            "other_performers": json_value(others),
            "reported": json_value(reported),
            "potential": json_value(potential),
            "target": json_value(target),
            "gap": json_value(None if target is None else target - reported),
            "gap_potential": json_value(None if target is None else target - potential),
        },
        "intensity": {
            "reported": _round_pct(intensity_reported),
            "potential": _round_pct(intensity_potential),
            "target": _round_pct(intensity_target),
            "gap": pct_gap(intensity_target, intensity_reported),
            "gap_potential": pct_gap(intensity_target, intensity_potential),
        },
        "basic_research": {
            "amount": json_value(basic),
            "enterprises": json_value(basic - district.basic_research_other),
            "other": json_value(district.basic_research_other),
            "target": json_value(basic_target),
            "gap": json_value(None if basic_target is None else basic_target - basic),
        },
        "by_region": [{"region": name, **b.to_dict()} for name, b in regions.items()],
        "by_industry": [
            {"section": s, "name": SECTION_NAMES.get(s, "未知"), **sections[s].to_dict()} for s in sorted(sections)
        ],
        "by_type": [{"type": key, "name": name, **types[key].to_dict()} for key, name in TYPES],
        "follow_up": [{**f, "amount": json_value(f["amount"])} for f in follow],
        "counts": {
            "high_tech": sum(1 for e in counted if e["high_tech"]),
            "tech_sme": sum(1 for e in counted if e["tech_sme"]),
            "above_scale": sum(1 for e in counted if e["above_scale"]),
        },
        "warnings": warnings,
    }
    return Rollup(district=district, data=data, enterprises=counted, warnings=warnings)


def load_results(
    src: str | os.PathLike[str],
    jobs: int | None = None,
    config_path: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    progress: Any = None,
    check: Any = None,
    start_method: str | None = None,
) -> list[dict[str, Any]]:
    """Return the JSON reports of SRC: a batch's results.jsonl, or every workbook in a folder, checked now."""
    from .batch import DEFAULT_TIMEOUT, check_files, find_workbooks, read_results_jsonl
    from .errors import ConfigError

    p = Path(src)
    if p.is_dir():
        return check_files(
            find_workbooks(p),
            jobs=jobs,
            config_path=config_path,
            timeout=timeout or DEFAULT_TIMEOUT,
            progress=progress,
            check=check,
            **({"start_method": start_method} if start_method else {}),
        )
    if p.is_file() and p.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return read_results_jsonl(p)
    if p.is_file():
        raise ConfigError(
            f"{p} 既不是文件夹也不是 results.jsonl", f"{p} is neither a folder nor a batch's results.jsonl"
        )
    raise ConfigError(f"找不到 {p}", f"not found: {p}")


# ---------------------------------------------------------------- the terminal table


def _yi(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)) / YI:,.4f}"


def _pp(value: Any) -> str:
    return "—" if value is None else f"{value:.4f}"


def format_summary(result: Rollup) -> str:
    """Return the terminal table: targets vs actuals (reported and potential) with the gap."""
    d = result.data
    rd, it, br, sub = d["rd_spending"], d["intensity"], d["basic_research"], d["submissions"]
    rows = [
        ("指标", "目标", "报送", "潜在(应统尽统)", "差距(目标−报送)"),
        ("全区研发支出(亿元)", _yi(rd["target"]), _yi(rd["reported"]), _yi(rd["potential"]), _yi(rd["gap"])),
        ("  其中企业(亿元)", "", _yi(rd["enterprises_reported"]), _yi(rd["enterprises_potential"]), ""),
        ("  其中其他执行单位(亿元)", "", _yi(rd["other_performers"]), _yi(rd["other_performers"]), ""),
        ("研发投入强度(%)", _pp(it["target"]), _pp(it["reported"]), _pp(it["potential"]), _pp(it["gap"]) + " 个百分点"),
        ("基础研究(亿元)", _yi(br["target"]), _yi(br["amount"]), _yi(br["amount"]), _yi(br["gap"])),
    ]
    widths = [max(_width(r[i]) for r in rows) for i in range(5)]
    lines = [f"{d['district']} {d['year']} 年研发投入汇总（地区生产总值 {_yi(d['gdp'])} 亿元）", ""]
    for r in rows:
        cells = [_pad(r[0], widths[0], left=True)] + [_pad(r[i], widths[i]) for i in range(1, 5)]
        lines.append("  ".join(cells).rstrip())
    met = [
        ("研发支出", rd["gap"]),
        ("基础研究", br["gap"]),
    ]
    status = "，".join(f"{name}{'已达标' if gap <= 0 else '未达标'}" for name, gap in met if gap is not None)
    if it["gap"] is not None:
        status += ("，" if status else "") + f"强度{'已达标' if it['gap'] < 0 else '未达标'}"
    lines += [
        "",
        f"报送 {sum(sub.values())} 份：计入 {sub['counted']}，无法检查 {sub['error']}，已被替代 {sub['superseded']}，"
        f"未计入 {sub['excluded']}；高新技术企业 {d['counts']['high_tech']} 家，"
        f"科技型中小企业 {d['counts']['tech_sme']} 家",
    ]
    if status:
        lines.append(f"结论：{status}")
    follow = d["follow_up"]
    if follow:
        lines += ["", f"需跟进 {len(follow)} 家（按涉及金额排序，前 10）："]
        for f in follow[:10]:
            who = f["name"] or f["uscc"] or f["file"] or ""
            amount = "" if f["amount"] is None else f"  {Decimal(str(f['amount'])) / 10000:,.2f} 万元"
            lines.append(f"  {who}  {f['reason']}{amount}")
    for w in result.warnings:
        lines.append(f"注意：{w}")
    return "\n".join(lines)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, left: bool = False) -> str:
    space = " " * (width - _width(text))
    return text + space if left else space + text


__all__ = ["Rollup", "SECTION_NAMES", "format_summary", "industry_section", "load_results", "rollup"]
