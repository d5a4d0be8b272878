"""Normalise raw cell values: names, numbers, amounts with units, ratios, dates, 是/否, categories.

Every parser takes whatever a cell holds (str, int, float, bool, date, datetime or None) and returns either
the parsed value, ``None`` for an empty cell, or an :class:`Invalid` that keeps the raw text (spec §2: a value
that cannot be read keeps its raw text, so validation can point at it). Parsers never raise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .layout import CATEGORIES, SUBITEMS, UNITS

EXCEL_EPOCH = dt.date(1899, 12, 30)
# No ledger amount comes near 10^15 yuan; beyond it a value is unreadable (F04), and Decimal arithmetic stays exact.
MAX_AMOUNT = Decimal(10) ** 15
# Serial numbers outside this range are not plausible Excel dates (1900-01-01 .. 9999-12-31).
SERIAL_MIN, SERIAL_MAX = 1, 2958465


@dataclass(frozen=True)
class Invalid:
    """A cell value that could not be read; ``reason`` is ``type`` (F04) or ``choice`` (F05)."""

    raw: str
    reason: str = "type"

    def __str__(self) -> str:
        return self.raw


@dataclass(frozen=True)
class Noted:
    """A value read from its code while the name typed after it is not the official one (``3.2 设备的折旧费``):
    ``value`` is what the line counts as, ``raw`` the text as typed, so a finding can quote it (F05, warning)."""

    value: Any
    raw: str
    name: str  # the name as typed after the code


def raw_text(value: object) -> str:
    """Return a cell value as the text a user would recognise."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def fold(text: str) -> str:
    """Fold full-width characters (NFKC) and strip surrounding whitespace."""
    return unicodedata.normalize("NFKC", text).strip()


_BRACKET_SUFFIX = re.compile(r"\s*[\(\[（【]\s*([^\)\]）】]*?)\s*[\)\]）】]\s*$")
_SPACES = re.compile(r"\s+")


def split_unit(header: object) -> tuple[str, str | None]:
    """Return a header's matching key and the unit in its bracketed suffix, if any.

    ``" 金额 （万元） "`` → ``("金额", "万元")``; the key is folded, spaces removed, lower-cased for English.
    """
    text = fold(raw_text(header))
    unit = None
    m = _BRACKET_SUFFIX.search(text)
    if m and m.start() > 0:
        unit = _SPACES.sub("", m.group(1)) or None
        text = text[: m.start()]
    return _SPACES.sub("", text).lower(), unit


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """Return the key under which a sheet, column or key name is matched."""
    return split_unit(name)[0]


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


# ---------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_VALUE_UNIT = re.compile(r"(亿元|万元|千元|元|万|亿)$")
_SHORT_UNIT = {"万": "万元", "亿": "亿元"}  # people type 2.2万 for 2.2万元
_CURRENCY = re.compile(r"^(RMB|CNY|¥|￥)")


def _decimal_from_float(value: float) -> Decimal:
    # repr gives the shortest decimal form that round-trips: 0.36 stays 0.36, never 0.35999…
    return Decimal(repr(value)).normalize() if value != int(value) else Decimal(int(value))


def parse_number(value: object) -> Decimal | None | Invalid:
    """Read a plain number (no unit scaling); text forms as in spec §2."""
    got = parse_amount(value, None)
    return got


def parse_amount(value: object, header_unit: str | None = "元") -> Decimal | None | Invalid:
    """Read an amount in yuan: a unit on the value wins over the header's unit, never both."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Invalid(raw_text(value))
    if isinstance(value, int):
        return _scale(Decimal(value), header_unit, raw_text(value))
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if not math.isfinite(value) or abs(value) > MAX_AMOUNT:
            return Invalid(raw_text(value))
        return _scale(_decimal_from_float(value), header_unit, raw_text(value))
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return Invalid(raw_text(value))
    text = fold(str(value))
    if not text:
        return None
    return _parse_amount_text(text, header_unit)


@lru_cache(maxsize=65536)
def _parse_amount_text(text: str, header_unit: str | None) -> Decimal | Invalid:
    raw = text
    s = _SPACES.sub("", text)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = _CURRENCY.sub("", s)
    unit = header_unit
    m = _VALUE_UNIT.search(s)
    if m:
        unit, s = _SHORT_UNIT.get(m.group(1), m.group(1)), s[: m.start()]
    s = _CURRENCY.sub("", s)
    if s.startswith("(") and s.endswith(")") and not negative:
        negative, s = True, s[1:-1]
    if "," in s:
        head, *groups = s.lstrip("+-").split(".")[0].split(",")
        if not head or any(len(g) != 3 for g in groups):
            return Invalid(raw)
        s = s.replace(",", "")
    if len(s) > 40 or not _NUMBER.match(s):
        return Invalid(raw)
    try:
        number = Decimal(s)
    except InvalidOperation:
        return Invalid(raw)
    if not number.is_finite():
        return Invalid(raw)
    if negative:
        number = -number
    return _scale(number, unit, raw)


def _scale(number: Decimal, unit: str | None, raw: str) -> Decimal | Invalid:
    factor = UNITS.get(unit or "元", 1)
    # a number of 16 digits or more is past the limit whatever the unit; checked on the exponent first, since
    # abs() of a text such as "1E1000000" overflows the decimal context (a traceback, not a finding)
    if not number.is_finite() or number.adjusted() >= 16 or abs(number) * factor > MAX_AMOUNT:
        return Invalid(raw)
    if factor == 1:
        return number
    scaled = number * factor
    # keep the shortest form: 0.36 万元 is exactly 3600, not 3600.00
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled.normalize()


def parse_int(value: object) -> int | None | Invalid:
    number = parse_amount(value, None)
    if number is None or isinstance(number, Invalid):
        return number
    if number != number.to_integral_value():
        return Invalid(raw_text(value))
    return int(number)


def parse_ratio(value: object) -> Decimal | None | Invalid:
    """Read a ratio: ``0.6``, ``60%`` and ``60`` are all 0.6 (a number above 1 is a percentage)."""
    if isinstance(value, str):
        text = _SPACES.sub("", fold(value))
        if text.endswith("%"):
            number = parse_amount(text[:-1], None)
            if isinstance(number, Decimal):
                return (number / 100).normalize()
            return Invalid(value) if number is not None else Invalid(value)
    number = parse_amount(value, None)
    if isinstance(number, Decimal) and number > 1:
        return (number / 100).normalize()
    return number


# ---------------------------------------------------------------- dates

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(:\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: object) -> dt.date | None | Invalid:
    """Read an Excel date, an Excel serial number, or text ``2024-03-05``, ``2024/3/5``, ``2024年3月5日``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return Invalid(raw_text(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if SERIAL_MIN <= value <= SERIAL_MAX and float(value) == int(value):
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return Invalid(raw_text(value))
    if isinstance(value, (dt.time, dt.timedelta)):
        return Invalid(raw_text(value))
    text = fold(str(value))
    if not text:
        return None
    return _parse_date_text(text)


@lru_cache(maxsize=65536)
def _parse_date_text(text: str) -> dt.date | Invalid:
    m = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if not m:
        serial = _parse_amount_text(text, None)
        if isinstance(serial, Decimal) and serial == serial.to_integral_value() and SERIAL_MIN <= serial <= 99999:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
        return Invalid(text)
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return Invalid(text)


def parse_year(value: object) -> int | None | Invalid:
    """Read a year (``2024``, ``2024年``, ``2024年度``); anything outside 1000-9999 is not a year (F04)."""
    if isinstance(value, str):
        text = _SPACES.sub("", fold(value)).removesuffix("年度").removesuffix("年")
        year = parse_int(text) if text else None
    else:
        year = parse_int(value)
    if isinstance(year, int) and not 1000 <= year <= 9999:
        return Invalid(raw_text(value))
    return year


# ---------------------------------------------------------------- choices

_TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "t"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "f"})


def parse_bool(value: object) -> bool | None | Invalid:
    """Read 是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if value in (0, 1):
            return bool(value)
        return Invalid(raw_text(value), "choice")
    text = _SPACES.sub("", fold(raw_text(value))).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return Invalid(raw_text(value), "choice")


def parse_enum(value: object, choices: tuple[str, ...]) -> str | None | Invalid:
    if is_blank(value):
        return None
    text = _SPACES.sub("", fold(raw_text(value)))
    for choice in choices:
        if text == choice:
            return choice
    return Invalid(raw_text(value), "choice")


_CATEGORY_BY_NAME = {name: n for n, (name, _) in CATEGORIES.items()}
_SUBITEM_BY_NAME: dict[str, str] = {}
for _code, (_cat, _name, _line) in SUBITEMS.items():
    _SUBITEM_BY_NAME.setdefault(_name, _code)


def _key(text: str) -> str:
    return _SPACES.sub("", fold(text))


_SUBITEM_BY_KEY = {_key(k): v for k, v in _SUBITEM_BY_NAME.items()}
_CODE_AND_NAME = re.compile(r"^[\(（]?(\d+(?:\.\d+)?)[\)）]?[\s、.．:：]*(.*)$")


def parse_category(value: object) -> int | Noted | None | Invalid:
    """Read 费用类别 as its name, its number, or both (``1 人员人工费用``, ``(1)人员人工费用``)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return Invalid(raw_text(value), "choice")
        return int(value) if value == int(value) and int(value) in CATEGORIES else Invalid(raw_text(value), "choice")
    return _parse_category_text(_key(raw_text(value)), raw_text(value))


@lru_cache(maxsize=1024)
def _parse_category_text(text: str, raw: str) -> int | Noted | Invalid:
    if text in _CATEGORY_BY_NAME:
        return _CATEGORY_BY_NAME[text]
    m = _CODE_AND_NAME.match(text)
    if m and m.group(1).isdigit():
        n = int(m.group(1))
        if n in CATEGORIES and (not m.group(2) or m.group(2) == CATEGORIES[n][0]):
            return n
        if n in CATEGORIES and m.group(2) not in _CATEGORY_BY_NAME:  # another category's name contradicts it
            return Noted(n, raw, m.group(2))
    return Invalid(raw, "choice")


def parse_subitem(value: object) -> str | Noted | None | Invalid:
    """Read 明细项目 as its code, its name, or both (``1.2``, ``五险一金``, ``1.2 五险一金``)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        code = repr(float(value)) if abs(value) < 100 else ""
        return code if code in SUBITEMS else Invalid(raw_text(value), "choice")
    return _parse_subitem_text(_key(raw_text(value)), raw_text(value))


@lru_cache(maxsize=1024)
def _parse_subitem_text(text: str, raw: str) -> str | Noted | Invalid:
    if text in SUBITEMS:
        return text
    if text in _SUBITEM_BY_KEY:
        return _SUBITEM_BY_KEY[text]
    m = _CODE_AND_NAME.match(text)
    if m and m.group(1) in SUBITEMS:
        code = m.group(1)
        # a valid code with another name: the code is read, the name noted (F05 warning)
        if not m.group(2) or m.group(2) == _key(SUBITEMS[code][1]):
            return code
        if m.group(2) not in _SUBITEM_BY_KEY:  # another sub-item's name contradicts the code: neither is read
            return Noted(code, raw, m.group(2))
    return Invalid(raw, "choice")


def parse_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return raw_text(value).strip()


# ---------------------------------------------------------------- whole columns

_MISSING = object()


def parse_column(values: Iterable[object], parse: Callable[[object], Any], kind: str = "", unit: str | None = None):
    """Parse a column of cells: the same as ``[parse(v) for v in values]``, at a fraction of the cost.

    The parsers are pure, so each distinct text is parsed once per column (a ledger repeats its categories,
    sub-items, projects and expense types on every line); amounts in yuan given as floats and dates given as
    dates take a direct path. Returns the parsed list and whether any value came out :class:`Invalid`.
    """
    cache: dict[str, Any] = {}
    out: list[Any] = []
    append = out.append
    bad = False
    plain_amounts = kind == "amount" and UNITS.get(unit or "元", 1) == 1
    dates = kind == "date"
    if parse is parse_text:
        # text is mostly unique (voucher numbers): parse_text of a str is its stripped self, None when blank
        for v in values:
            if type(v) is str:
                append(v.strip() or None)
            else:
                append(parse_text(v))
        return out, False
    none = _MISSING  # parse(None), made once
    for v in values:
        tv = type(v)
        if tv is str:
            r = cache.get(v, _MISSING)
            if r is _MISSING:
                r = cache[v] = parse(v)
                bad = bad or type(r) is Invalid
        elif plain_amounts and tv is float and -1e15 <= v <= 1e15:  # NaN fails both comparisons
            # what parse_amount gives for a finite float within MAX_AMOUNT (repr is the shortest round-trip form)
            r = Decimal(int(v)) if v == int(v) else Decimal(repr(v))
        elif dates and tv is dt.date:
            r = v
        elif dates and tv is dt.datetime:
            r = v.date()
        elif v is None:
            if none is _MISSING:
                none = parse(None)
            r = none
        else:
            r = parse(v)
            bad = bad or type(r) is Invalid
        append(r)
    return out, bad
