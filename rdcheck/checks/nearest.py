"""The allowed value a person most likely meant: for F05's fix hint ("人工" → "1 人员人工费用")."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

_CODE = re.compile(r"^\s*[\(（]?(\d+(?:\.\d+)?)[\)）]?[\s、.．:：]*(.*)$")
_SPACES = re.compile(r"\s+")


def _name(choice: str) -> str:
    """``1 人员人工费用`` -> ``人员人工费用``; a choice without a code is its own name."""
    m = _CODE.match(choice)
    return m.group(2) if m and m.group(2) else choice


def nearest(value: object, choices: Sequence[str]) -> str | None:
    """Return the choice the value most likely meant, or None when none is close.

    A leading code that is a choice's code wins (``3.2 设备的折旧费`` → the choice of code 3.2); then a value
    contained in exactly one choice's name or containing it (``人工`` → ``1 人员人工费用``); then the closest
    name by similarity (difflib, at least 0.5).
    """
    text = _SPACES.sub("", str(value or ""))
    if not text or not choices:
        return None
    m = _CODE.match(text)
    if m:
        code = m.group(1)
        coded = [c for c in choices if _CODE.match(c) and _CODE.match(c).group(1) == code and _name(c) != c]
        if len(coded) == 1:
            return coded[0]
    names = {c: _SPACES.sub("", _name(c)) for c in choices}
    inside = [c for c, n in names.items() if text in n or n in text]
    if len(inside) == 1:
        return inside[0]
    pool = inside or list(choices)
    close = difflib.get_close_matches(text, [names[c] for c in pool], n=1, cutoff=0.5)
    if close:
        return next(c for c in pool if names[c] == close[0])
    return None
