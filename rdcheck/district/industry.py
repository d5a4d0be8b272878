"""GB/T 4754-2017 industry sections (行业门类) from an enterprise's 行业代码, for the rollup's breakdown."""

from __future__ import annotations

from typing import Any

# 门类 by the first two digits (大类) of a 4-digit code
_DIVISIONS = (
    (1, 5, "A"), (6, 12, "B"), (13, 43, "C"), (44, 46, "D"), (47, 50, "E"), (51, 52, "F"), (53, 60, "G"),
    (61, 62, "H"), (63, 65, "I"), (66, 69, "J"), (70, 70, "K"), (71, 72, "L"), (73, 75, "M"), (76, 79, "N"),
    (80, 82, "O"), (83, 83, "P"), (84, 85, "Q"), (86, 90, "R"), (91, 96, "S"), (97, 97, "T"),
)  # fmt: skip
SECTION_NAMES = {
    "A": ("农、林、牧、渔业", "agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "mining"),
    "C": ("制造业", "manufacturing"),
    "D": ("电力、热力、燃气及水生产和供应业", "electricity, heat, gas and water"),
    "E": ("建筑业", "construction"),
    "F": ("批发和零售业", "wholesale and retail"),
    "G": ("交通运输、仓储和邮政业", "transport, storage and post"),
    "H": ("住宿和餐饮业", "accommodation and catering"),
    "I": ("信息传输、软件和信息技术服务业", "information transmission, software and IT services"),
    "J": ("金融业", "finance"),
    "K": ("房地产业", "real estate"),
    "L": ("租赁和商务服务业", "leasing and business services"),
    "M": ("科学研究和技术服务业", "scientific research and technical services"),
    "N": ("水利、环境和公共设施管理业", "water, environment and public facilities"),
    "O": ("居民服务、修理和其他服务业", "household, repair and other services"),
    "P": ("教育", "education"),
    "Q": ("卫生和社会工作", "health and social work"),
    "R": ("文化、体育和娱乐业", "culture, sports and entertainment"),
    "S": ("公共管理、社会保障和社会组织", "public administration and social organisations"),
    "T": ("国际组织", "international organisations"),
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


def section_name(section: str, lang: str = "zh") -> str:
    """Return a section's name in Chinese or English ('其他' / 'other' for an unknown one)."""
    names = SECTION_NAMES.get(section)
    if names is None:
        return "其他（行业代码未填或无法识别）" if lang == "zh" else "other (industry code missing or unknown)"
    return names[1] if lang == "en" else names[0]


__all__ = ["SECTION_NAMES", "industry_section", "section_name"]
