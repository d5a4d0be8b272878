"""Render reports as JSON in the shape of spec §6 (UTF-8, Chinese kept as is)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..model import Report, error_dict, json_value

Result = Report | dict[str, Any]


def as_dict(result: Result) -> dict[str, Any]:
    """The JSON object of one result: a Report, or the error dict of a file that could not be read."""
    return result.to_dict() if isinstance(result, Report) else result


def unreadable(file: str, reason: str) -> dict[str, Any]:
    """The JSON object of a file that cannot be read: {"file", "status": "error", "error"}."""
    return error_dict(file, " ".join(reason.split()))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_value(value)
    converted = json_value(value)
    if converted is not value:
        return converted
    return str(value)


def render(results: Result | Sequence[Result], indent: int | None = 2) -> str:
    """One JSON object for one result, a list for a sequence of them."""
    if isinstance(results, (Report, dict)):
        data: Any = as_dict(results)
    else:
        data = [as_dict(r) for r in results]
    return json.dumps(data, ensure_ascii=False, indent=indent, default=_default) + "\n"


def render_line(result: Result) -> str:
    """One result as one line of JSON (for .jsonl files)."""
    return json.dumps(as_dict(result), ensure_ascii=False, separators=(",", ":"), default=_default)
