"""The district: district.yaml (name, year, GDP, targets, other performers, 区域) and the roster of expected submitters.

Amounts in district.yaml are in 亿元 and intensity in percent (spec §5); after loading every amount is in yuan.
Every problem is a ConfigError with one line that names the file, the key and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import ConfigError

YI = Decimal(100_000_000)  # 1 亿元 in yuan
OTHER_REGION = "其他"

_TOP_KEYS = (
    "district", "year", "gdp", "targets", "other_performers", "basic_research_other", "regions", "plan", "screening"
)  # fmt: skip
_TARGET_KEYS = ("rd_spending", "intensity", "basic_research")


@dataclass
class District:
    """A district's figures and targets, amounts in yuan, intensity in percent."""

    name: str
    year: int
    gdp: Decimal  # yuan
    target_rd_spending: Decimal | None = None
    target_intensity: Decimal | None = None  # percent
    target_basic_research: Decimal | None = None
    other_performers: dict[str, Decimal] = field(default_factory=dict)
    basic_research_other: Decimal = Decimal(0)
    regions: list[str] = field(default_factory=list)
    path: str | None = None
    gdp_yi: Decimal | None = None  # as district.yaml gives it, in 亿元 (rollup.json shows it so)
    plan: dict[str, Decimal] = field(default_factory=dict)  # the plan's other targets, as given (scorecard.py)
    screening: dict[str, Decimal] = field(default_factory=dict)  # rollup --previous parameters (screening.py)

    def __post_init__(self) -> None:
        if self.gdp_yi is None:
            self.gdp_yi = self.gdp / YI

    @property
    def other_performers_total(self) -> Decimal:
        return sum(self.other_performers.values(), Decimal(0))

    def region_of(self, region: Any) -> str | None:
        """Return the district's name for an enterprise's 所在区域, or None when it is not in the list."""
        key = region_key(region)
        if not key:
            return None
        for name in self.regions:
            if region_key(name) == key:
                return name
        return None


def region_key(value: Any) -> str:
    """Match 区域 names after folding full-width characters and dropping spaces."""
    if value is None:
        return ""
    from ..workbook.values import fold

    return "".join(fold(str(value)).split())


def _err(path: str, key: str, zh: str, en: str) -> ConfigError:
    where = f"{path}: {key}" if key else path
    return ConfigError(f"{where}：{zh}", f"{where}: {en}")


def _number(path: str, key: str, value: Any, unit_zh: str, unit_en: str, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or value is None:
        number = None
    elif isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite():
        raise _err(
            path, key, f"须为数字（{unit_zh}），实际为 {value!r}", f"must be a number ({unit_en}), got {value!r}"
        )
    if number < 0 or (positive and number == 0):
        need_zh, need_en = ("大于 0", "greater than 0") if positive else ("不小于 0", "at least 0")
        raise _err(path, key, f"须{need_zh}，实际为 {value}", f"must be {need_en}, got {value}")
    return number


def _unknown(path: str, prefix: str, keys: Any, allowed: tuple[str, ...]) -> None:
    extra = [str(k) for k in keys if k not in allowed]
    if extra:
        raise _err(
            path,
            prefix + extra[0],
            f"未知的键；可用的键：{', '.join(allowed)}",
            f"unknown key; known keys: {', '.join(allowed)}",
        )


def district_from_dict(data: Any, path: str = "district.yaml") -> District:
    """Validate a parsed district.yaml and convert 亿元 to yuan."""
    if not isinstance(data, dict):
        raise _err(
            path, "", "须为键值映射（district, year, gdp, targets …）", "must be a mapping (district, year, gdp, …)"
        )
    _unknown(path, "", data, _TOP_KEYS)
    for key in ("district", "year", "gdp"):
        if data.get(key) is None:
            raise _err(path, key, "缺少必填项", "is required")
    name = data["district"]
    if not isinstance(name, (str, int)) or not str(name).strip():
        raise _err(path, "district", f"须为区名文字，实际为 {name!r}", f"must be the district's name, got {name!r}")
    year = data["year"]
    this_year = dt.date.today().year
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= this_year + 1:
        raise _err(path, "year", f"须为 2000-{this_year + 1} 的年份，实际为 {year!r}", f"must be a year, got {year!r}")
    gdp = _number(path, "gdp", data["gdp"], "亿元", "100 million yuan", positive=True)
    district = District(name=str(name).strip(), year=year, gdp=gdp * YI, path=path, gdp_yi=gdp)

    targets = data.get("targets") or {}
    if not isinstance(targets, dict):
        raise _err(path, "targets", "须为映射 {rd_spending, intensity, basic_research}", "must be a mapping")
    _unknown(path, "targets.", targets, _TARGET_KEYS)
    if targets.get("rd_spending") is not None:
        district.target_rd_spending = _number(path, "targets.rd_spending", targets["rd_spending"], "亿元", "亿元") * YI
    if targets.get("intensity") is not None:
        intensity = _number(path, "targets.intensity", targets["intensity"], "百分比", "percent")
        if intensity > 100:
            raise _err(path, "targets.intensity", f"是百分比，{intensity} 超过 100", f"is a percent; {intensity} > 100")
        district.target_intensity = intensity
    if targets.get("basic_research") is not None:
        district.target_basic_research = (
            _number(path, "targets.basic_research", targets["basic_research"], "亿元", "亿元") * YI
        )

    others = data.get("other_performers") or {}
    if not isinstance(others, dict):
        raise _err(path, "other_performers", "须为映射 {执行单位: 亿元}", "must be a mapping {performer: 亿元}")
    for performer, amount in others.items():
        key = f"other_performers.{performer}"
        district.other_performers[str(performer)] = _number(path, key, amount, "亿元", "亿元") * YI
    if data.get("basic_research_other") is not None:
        district.basic_research_other = (
            _number(path, "basic_research_other", data["basic_research_other"], "亿元", "亿元") * YI
        )

    regions = data.get("regions")
    if regions is None:
        regions = []
    if not isinstance(regions, list):
        raise _err(
            path, "regions", f"须为区域名称列表，实际为 {regions!r}", f"must be a list of names, got {regions!r}"
        )
    seen: set[str] = set()
    for i, region in enumerate(regions):
        if not isinstance(region, (str, int)) or not str(region).strip():
            raise _err(path, f"regions[{i}]", f"须为区域名称，实际为 {region!r}", f"must be a name, got {region!r}")
        key = region_key(region)
        if key in seen:
            raise _err(path, f"regions[{i}]", f"区域“{region}”重复", f"region {region!r} is listed twice")
        if key == OTHER_REGION:
            raise _err(path, f"regions[{i}]", "“其他”是保留名称", "其他 is reserved for regions not in the list")
        seen.add(key)
        district.regions.append(str(region).strip())
    _plan(path, data, district)
    return district


def _plan(path: str, data: dict[str, Any], district: District) -> None:
    """district.yaml's `plan:` (the scorecard's targets) and `screening:` (rollup --previous parameters)."""
    from .scorecard import PLAN_TARGETS
    from .screening import screening_params

    plan = data.get("plan") or {}
    if not isinstance(plan, dict):
        raise _err(path, "plan", "须为映射 {high_tech: 126, tech_sme: 320, …}", "must be a mapping")
    _unknown(path, "plan.", plan, tuple(t.key for t in PLAN_TARGETS))
    for target in PLAN_TARGETS:
        if plan.get(target.key) is not None:
            key = f"plan.{target.key}"
            district.plan[target.key] = _number(path, key, plan[target.key], target.unit_zh, target.unit_en or "count")
    district.screening = screening_params(data.get("screening"), path)


def load_district(path: str | os.PathLike[str]) -> District:
    """Read and validate district.yaml; raise ConfigError with one clear line."""
    import yaml

    p = Path(path)
    name = str(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"找不到区县配置文件：{name}", f"district file not found: {name}") from None
    except UnicodeDecodeError:
        raise _err(name, "", "不是 UTF-8 文本文件", "is not a UTF-8 text file") from None
    except OSError as exc:
        raise _err(name, "", f"无法读取：{exc.strerror}", f"cannot be read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        where_en = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise _err(name, "", f"YAML 格式错误 {where}：{problem}", f"invalid YAML {where_en}: {problem}") from None
    if data is None:
        raise _err(name, "", "文件为空", "is empty")
    return district_from_dict(data, name)


# ---------------------------------------------------------------- roster


@dataclass
class RosterEntry:
    """An enterprise the district expects a submission from."""

    uscc: str
    name: str | None = None
    region: str | None = None
    above_scale: bool | None = None
    contact: str | None = None  # who the officer calls (optional roster columns)
    phone: str | None = None


_ROSTER_COLUMNS = {
    "uscc": ("统一社会信用代码", "uscc", "信用代码"),
    "name": ("企业名称", "name", "单位名称"),
    "region": ("所在区域", "region", "区域"),
    "above_scale": ("规模以上企业", "above_scale", "规上企业", "是否规上"),
    "contact": ("联系人", "contact", "填报人", "负责人"),
    "phone": ("联系电话", "phone", "电话", "手机", "手机号码"),
}


def normalise_uscc(value: Any) -> str:
    """Return a 统一社会信用代码 folded, without spaces, upper-case ('' when empty)."""
    if value is None:
        return ""
    from ..workbook.values import fold

    return "".join(fold(str(value)).split()).upper()


def _roster_rows(p: Path) -> list[list[Any]]:
    suffix = p.suffix.lower()
    if suffix == ".csv":
        raw = p.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _err(str(p), "", "无法识别文字编码（请用 UTF-8 或 GBK）", "unknown text encoding (use UTF-8 or GBK)")
        return [list(row) for row in csv.reader(text.splitlines())]
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineWorkbook

        from ..errors import ReadError
        from ..workbook.safety import inspect, is_interrupt, native_stderr_quiet

        try:
            inspect(p)  # a hostile roster (a cell at XFD1048576, a zip bomb) is refused before calamine sees it
            with native_stderr_quiet():
                wb = CalamineWorkbook.from_path(str(p))
                return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except ReadError as exc:
            raise _err(str(p), "", f"无法读取：{exc.zh}", f"cannot be read: {exc.en}") from None
        except BaseException as exc:  # calamine raises assorted types, a Rust panic (BaseException) included
            if is_interrupt(exc):
                raise
            raise _err(str(p), "", f"无法读取：{' '.join(str(exc).split())[:120]}", "cannot be read") from None
    raise _err(str(p), "", "企业名单须为 .csv 或 .xlsx 文件", "the roster must be a .csv or .xlsx file")


def load_roster(path: str | os.PathLike[str]) -> list[RosterEntry]:
    """Read the roster (csv or xlsx: 统一社会信用代码, 企业名称, 所在区域, optional 规模以上企业)."""
    from ..workbook.values import name_key, parse_bool

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"找不到企业名单：{p}", f"roster not found: {p}")
    rows = _roster_rows(p)
    wanted = {name_key(alias): key for key, aliases in _ROSTER_COLUMNS.items() for alias in aliases}
    header_at, columns = None, {}
    for r, row in enumerate(rows[:10]):
        found = {wanted[name_key(str(c))]: i for i, c in enumerate(row) if c is not None and name_key(str(c)) in wanted}
        if "uscc" in found:
            header_at, columns = r, found
            break
    if header_at is None:
        raise _err(
            str(p), "", "前 10 行中找不到“统一社会信用代码”列", "no 统一社会信用代码 column in the first 10 rows"
        )

    def cell(row: list[Any], key: str) -> Any:
        i = columns.get(key)
        if i is None or i >= len(row):
            return None
        value = row[i]
        return value.strip() or None if isinstance(value, str) else value

    entries: list[RosterEntry] = []
    seen: set[str] = set()
    for row in rows[header_at + 1 :]:
        uscc = normalise_uscc(cell(row, "uscc"))
        if not uscc or uscc in seen:
            continue
        seen.add(uscc)
        above = parse_bool(cell(row, "above_scale"))
        name, region = cell(row, "name"), cell(row, "region")
        contact, phone = cell(row, "contact"), cell(row, "phone")
        entries.append(
            RosterEntry(
                uscc=uscc,
                name=None if name is None else str(name),
                region=None if region is None else str(region),
                above_scale=above if isinstance(above, bool) else None,
                contact=None if contact is None else str(contact),
                phone=None if phone is None else _phone(phone),
            )
        )
    return entries


def _phone(value: Any) -> str:
    """A phone number as written (a number cell 13912345678.0 loses its '.0')."""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


__all__ = [
    "OTHER_REGION",
    "YI",
    "District",
    "RosterEntry",
    "district_from_dict",
    "load_district",
    "load_roster",
    "normalise_uscc",
    "region_key",
]
