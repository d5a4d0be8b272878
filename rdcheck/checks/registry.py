"""The registry of check functions, keyed by rule id, and what a check receives and returns.

A check takes a :class:`Context` (the book, the computation, the rule's parameters) and returns :class:`Hit`
objects: where the rule fails and the values for the message's placeholders. It never formats a message or a
cell reference — the runner does, from the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..workbook import Book


@dataclass(frozen=True)
class Hit:
    """One place where a rule fails.

    ``sheet`` is the canonical sheet name; ``row`` the Excel row (None for a sheet- or workbook-level hit, and
    for a 企业信息 key the runner finds the key's row itself); ``column`` the canonical column or key name.
    ``values`` fill the message's placeholders; ``variant`` picks one of the rule's message variants;
    ``severity`` overrides the configured one (e.g. T01 on a firm outside the survey); ``hint`` picks the
    rule's hint variant when it differs from the message's (e.g. F05 with a nearest match to suggest).
    """

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None
    severity: str | None = None
    cell: str | None = None  # a cell of a sheet that is not a table (a foreign layout's 合计 row); else found by row
    hint: str | None = None


@dataclass
class Context:
    """What a check sees: the book, the computation (may lack figures), the rule's parameters, a shared cache."""

    book: Book
    calc: Any
    params: dict[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        """Return a value shared by all checks of one run, computing it once."""
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


CheckFn = Callable[[Context], Iterable[Hit]]
CHECKS: dict[str, CheckFn] = {}


def check(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    """Register a function as the check of a rule (one function per rule id)."""

    def register(fn: CheckFn) -> CheckFn:
        if rule_id in CHECKS and CHECKS[rule_id] is not fn:
            raise RuntimeError(f"rule {rule_id} already has a check: {CHECKS[rule_id].__qualname__}")
        CHECKS[rule_id] = fn
        return fn

    return register
