"""Read an enterprise file given with ``rdcheck check FILE --info INFO`` (layouts.md §2.7).

A workbook in the official layouts carries no 企业信息; the user supplies it here: a YAML mapping of 企业信息 keys to
values (``行业代码: C3499``; names match as in the workbook: units in brackets, English aliases) or a workbook
whose 企业信息 sheet (or, without one, its first sheet) holds the same two columns as the standard workbook's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import ReadError
from ..text import one_line
from .book import Enterprise
from .layout import ENTERPRISE


def read_info(path: str | os.PathLike[str]) -> Enterprise:
    """Return the enterprise an ``--info`` file states; raise ReadError (one line) when it cannot be read."""
    from .reader import _INDEXES, _match_header, _parser, load_sheets, read_enterprise
    from .values import Invalid

    p = Path(path)
    if not p.is_file():
        raise ReadError(f"找不到企业信息文件：{p.name}", f"no such enterprise file: {p.name}")
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
            raise ReadError(
                f"企业信息文件无法读取：{one_line(exc)}", f"cannot read the enterprise file: {one_line(exc)}"
            ) from None
        if not isinstance(data, dict):
            raise ReadError("企业信息文件应为“项目: 值”的映射", "the enterprise file must map keys to values")
        ent = Enterprise(title=p.name)
        index = _INDEXES[ENTERPRISE.name]
        unknown: list[str] = []
        for key, value in data.items():
            f, unit = _match_header(str(key), index)
            if f is None:
                unknown.append(str(key))
                continue
            parsed = _parser(f, unit)(_plain(value))
            if isinstance(parsed, Invalid):
                ent.invalid[f.name] = parsed
                parsed = None
            ent.values[f.name] = parsed
            if unit:
                ent.units[f.name] = unit
        if unknown:
            raise ReadError(
                f"企业信息文件中有无法识别的项目：{'、'.join(unknown[:5])}",
                f"unknown keys in the enterprise file: {', '.join(unknown[:5])}",
            )
        for f in ENTERPRISE.fields:
            ent.values.setdefault(f.name, None)
        return ent
    sheets = load_sheets(p)
    title = next((t for t in sheets if t.strip() in ("企业信息", "enterprise")), next(iter(sheets), None))
    ent = read_enterprise(title, sheets.get(title, []) if title else [])
    ent.title = f"{p.name}:{title}"
    ent.rows, ent.cells = {}, {}  # its cells are in another file: findings name the key, not a cell of the ledger
    return ent


def _plain(value: Any) -> Any:
    """YAML numbers are read as text so that a decimal keeps its exact digits (0.1 stays 0.1)."""
    if isinstance(value, float):
        return repr(value)
    return value


__all__ = ["read_info"]
