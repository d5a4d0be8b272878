"""File names built from enterprise data: byte-bounded, one plain name each, collisions resolved (spec §5).

An enterprise controls its workbook's file name, 统一社会信用代码 and 年度; each output name made from them stays
one plain name inside its folder and at most MAX_NAME_BYTES UTF-8 bytes (file systems allow 255), however long or
wide its characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..text import display_path
from .plan import normalise_uscc

MAX_NAME_BYTES = 200  # one output file name, in UTF-8 bytes


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_UNSAFE = re.compile(r"[^\w\-.()（）\u4e00-\u9fff]+")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def valid_uscc(code: str) -> bool:
    """Check a 统一社会信用代码's format and GB 32100-2015 check digit."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def cut_bytes(text: str, limit: int) -> str:
    """Return the longest start of text whose UTF-8 form fits in limit bytes (never half a character)."""
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore")


def safe_name(text: str, limit: int = 80, max_bytes: int = MAX_NAME_BYTES - len("-9999.xlsx")) -> str:
    """Turn text into one file name that stays inside its folder (no separators, no '..', no control chars).

    At most `limit` characters and `max_bytes` UTF-8 bytes, so that a suffix and an extension still fit.
    """
    name = cut_bytes(_UNSAFE.sub("_", text).strip("._ ")[:limit], max_bytes).strip("._ ")
    if not name or name.split(".")[0].upper() in _WINDOWS_RESERVED:  # CON.txt is reserved too
        name = f"file_{name}" if name else "file"
    return name


def unique_name(stem: str, suffix: str, taken: set[str], max_bytes: int = MAX_NAME_BYTES) -> str:
    """`stem+suffix`, or `stem-2+suffix`…, not in taken (case-insensitively), within max_bytes; added to taken."""
    n = 1
    while True:
        tail = f"-{n}{suffix}" if n > 1 else suffix
        name = cut_bytes(stem, max_bytes - len(tail.encode("utf-8"))).rstrip("._ ") + tail
        if name.lower() not in taken:
            taken.add(name.lower())
            return name
        n += 1


def feedback_stem(result: dict[str, Any]) -> str:
    """`<统一社会信用代码>-<企业名称>-<年度>` when the code is valid (no F06) and the year known (the name left out
    when empty), else the input's sanitised name: an officer sends each file to the enterprise it names."""
    enterprise = result.get("enterprise") or {}
    code = normalise_uscc(enterprise.get("uscc"))
    year = enterprise.get("year")
    f06 = any(f.get("rule") == "F06" for f in result.get("findings") or [] if isinstance(f, dict))
    if valid_uscc(code) and not f06 and isinstance(year, int) and not isinstance(year, bool) and 0 < year < 10000:
        name = safe_name(str(enterprise.get("name") or ""), limit=40) if enterprise.get("name") else ""
        return f"{code}-{name}-{year}" if name and name != "file" else f"{code}-{year}"
    return safe_name(Path(str(result.get("file", ""))).stem)


__all__ = ["MAX_NAME_BYTES", "cut_bytes", "display_path", "feedback_stem", "safe_name", "unique_name", "valid_uscc"]
