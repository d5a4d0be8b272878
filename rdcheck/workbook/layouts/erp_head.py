"""The head of a 多栏账 sheet: its title, 科目/项目/期间 lines and the header band read as paths (layouts.md §1d).

``2024年`` over ``月`` ``日``; ``凭证号数`` / ``凭证字号`` (or ``凭证字`` + ``凭证号``); ``摘要``; ``借方`` ``贷方`` ``方向``
``余额``; and the analysis block (``借方`` or ``借方金额分析``) over one column per sub-account ``code name``.
"""

from __future__ import annotations

import datetime as dt
import re

from ..values import fold, is_blank, raw_text
from .erp_model import (
    BALANCE_WORDS,
    CREDIT_WORDS,
    DEBIT_WORDS,
    DIRECTION_WORDS,
    MAX_BAND,
    ROLE_WORDS,
    TOTAL_LEAVES,
    VOUCHER_WORDS,
    Account,
    ErpSheet,
    Grid,
    cell_ref,
    expense_type_of,
    key,
    number,
)

_SPACE = re.compile(r"\s+")
HEADER_SCAN = 30  # rows searched for the 摘要 header
_YEAR_HEAD = re.compile(r"^(\d{4})年度?$")
_CODE_NAME = re.compile(r"^(\d{4,}(?:\.\d+)*)[\s\-_—–.·:：]*(.*)$")
_PERIOD = re.compile(
    r"(\d{4})\s*[年.\-/]\s*(?:第\s*)?(\d{1,2})\s*[期月]?(?:[.\-/]\d{1,2}日?)?\s*"
    r"(?:-|—|–|~|～|至|到)+\s*(\d{4})\s*[年.\-/]\s*(?:第\s*)?(\d{1,2})"
)
_INFO = re.compile(
    r"^(科目|会计科目|项目|辅助项目|期间|会计期间|日期|核算单位|单位名称|公司名称|单位|金额单位)[:：]\s*(.*)$"
)


def _header_row(rows: Grid) -> int | None:
    for r, row in enumerate(rows[:HEADER_SCAN]):
        if any(key(v) == "摘要" for v in row):
            return r
    return None


def _is_header_word(k: str) -> bool:
    return bool(k) and (k in ROLE_WORDS or bool(_YEAR_HEAD.match(k)) or "分析" in k or k.startswith("凭证"))


def _band(rows: Grid, r_sum: int) -> tuple[int, int]:
    """The header band around the 摘要 row: rows above holding header words, rows below holding labels only."""
    top = r_sum
    while top > 0 and r_sum - top < MAX_BAND - 1 and any(_is_header_word(key(v)) for v in rows[top - 1]):
        if any(_INFO.match(key(v)) for v in rows[top - 1]):
            break
        top -= 1
    summary_cols = [c for c, v in enumerate(rows[r_sum]) if key(v) == "摘要"]
    bottom = r_sum
    while bottom + 1 < len(rows) and bottom - top < MAX_BAND - 1:
        nxt = rows[bottom + 1]
        if any(number(v) for v in nxt) or all(is_blank(v) for v in nxt):
            break
        below = [key(nxt[c]) if c < len(nxt) else "" for c in summary_cols]
        if any(k and k != "摘要" for k in below):
            break  # a data row (期初余额 …) or a note, not a header
        bottom += 1
    return top, bottom


def _paths(rows: Grid, top: int, bottom: int) -> list[list[str]]:
    width = max(len(rows[r]) for r in range(top, bottom + 1))
    paths: list[list[str]] = []
    for c in range(width):
        path: list[str] = []
        for r in range(top, bottom + 1):
            v = rows[r][c] if c < len(rows[r]) else None
            text = "" if is_blank(v) else fold(raw_text(v))
            if text and (not path or _SPACE.sub("", path[-1]) != _SPACE.sub("", text)):
                path.append(text)
        paths.append(path)
    return paths


def _analysis_top(k: str) -> bool:
    """Whether a header above a leaf opens the debit analysis block (``借方``, ``借方金额分析`` …)."""
    if "贷方" in k:
        return False
    return k in DEBIT_WORDS or "分析" in k or k in {"借方明细", "费用明细", "明细"}


def _account(col: int, path: list[str], header_cell: str) -> Account:
    leaf = path[-1]
    m = _CODE_NAME.match(_SPACE.sub(" ", leaf).strip())
    code, name = (m.group(1), m.group(2).strip()) if m else (None, leaf.strip())
    if code is None and len(path) > 2:  # 借方金额分析 › 职工薪酬 › 工资
        name = f"{path[-2].strip()}—{name}"
    return Account(col, leaf.strip(), code, name or leaf.strip(), header_cell, expense_type_of(" ".join(path[1:])))


def _roles(sheet: ErpSheet, paths: list[list[str]], bottom_row: int) -> None:
    for c, path in enumerate(paths):
        if not path:
            continue
        keys = [_SPACE.sub("", p) for p in path]
        leaf = keys[-1]
        for k in keys:
            m = _YEAR_HEAD.match(k)
            if m and sheet.year is None:
                sheet.year = int(m.group(1))
        above = keys[:-1]
        if above and any(_analysis_top(k) for k in above) and leaf not in ROLE_WORDS:
            if leaf in TOTAL_LEAVES:
                sheet.columns.setdefault("analysis_total", c)
            else:
                sheet.accounts.append(_account(c, path, cell_ref(c, bottom_row)))
            continue
        if any("分析" in k for k in above):
            continue  # a 贷方金额分析 column: transfers, never spending
        role = None
        if leaf == "月":
            role = "month"
        elif leaf == "日":
            role = "day"
        elif leaf == "日期":
            role = "date"
        elif leaf == "摘要":
            role = "summary"
        elif leaf in VOUCHER_WORDS:
            role = "voucher"
        elif leaf in ("字", "凭证字") and (leaf == "凭证字" or any("凭证" in k for k in above)):
            role = "voucher_kind"
        elif leaf in ("号", "号数") and any("凭证" in k for k in above):
            role = "voucher_no"
        elif leaf in DEBIT_WORDS:
            role = "debit"
        elif leaf in CREDIT_WORDS:
            role = "credit"
        elif leaf in DIRECTION_WORDS:
            role = "direction"
        elif leaf in BALANCE_WORDS:
            role = "balance"
        if role is not None:
            sheet.columns.setdefault(role, c)
    if "voucher_kind" in sheet.columns and "voucher" in sheet.columns and "voucher_no" not in sheet.columns:
        sheet.columns["voucher_no"] = sheet.columns.pop("voucher")  # 凭证字 | 凭证号: kind and number


def _info(sheet: ErpSheet, rows: Grid, top: int) -> None:
    for r, row in enumerate(rows[:top]):
        texts = [(c, fold(raw_text(v))) for c, v in enumerate(row) if not is_blank(v)]
        for i, (c, text) in enumerate(texts):
            m = _INFO.match(text)
            if m is None:
                k = _SPACE.sub("", text)
                if sheet.title is None and "账" in k and len(k) <= 30:
                    sheet.title = text
                continue
            value, at = m.group(2).strip(), c
            if not value and i + 1 < len(texts) and not _INFO.match(texts[i + 1][1]):
                value, at = texts[i + 1][1], texts[i + 1][0]
            label = m.group(1)
            if value and label not in sheet.cells:
                sheet.cells[label] = (r + 1, cell_ref(at, r + 1))
            _info_value(sheet, label, value)


def _info_value(sheet: ErpSheet, label: str, text: str) -> None:
    if label in ("科目", "会计科目"):
        sheet.subject = sheet.subject or text or None
    elif label in ("项目", "辅助项目"):
        sheet.project = sheet.project or text or None
    elif label in ("期间", "会计期间", "日期"):
        m = _PERIOD.search(text)
        if m:
            y1, m1, y2, m2 = (int(g) for g in m.groups())
            if 1 <= m1 <= 12 and 1 <= m2 <= 12:
                end = dt.date(y2 + (m2 == 12), 1 if m2 == 12 else m2 + 1, 1) - dt.timedelta(days=1)
                sheet.period = (dt.date(y1, m1, 1), end)
    elif label == "金额单位" or (label == "单位" and _SPACE.sub("", text) in ("元", "千元", "万元", "亿元")):
        unit = _SPACE.sub("", text)
        if unit in ("元", "千元", "万元", "亿元"):
            sheet.unit = unit
    elif label in ("核算单位", "单位名称", "公司名称", "单位"):
        sheet.company = sheet.company or text or None
