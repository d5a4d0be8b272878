"""Helpers for running rule examples in tests (not a conftest: imported by the rule and engine tests)."""

from __future__ import annotations

from typing import Any

from rdcheck.compute import compute
from rdcheck.engine import Config, Example, load_catalogue, run
from rdcheck.engine.examples import example_book
from rdcheck.model import Finding
from rdcheck.workbook import Book


def check(book: Book, config: Config | None = None, lang: str = "zh", **kwargs: Any) -> list[Finding]:
    """Run the whole engine on a Book with the real computation."""
    config = config or Config()
    return run(book, compute(book, config.policy), config, lang=lang, **kwargs)


def run_example(example: Example, lang: str = "zh") -> list[Finding]:
    """Run every rule on an example's book; return the findings of the example's own rule."""
    book = example_book(example.given)
    found = check(book, lang=lang, params={example.rule: example.params} if example.params else None)
    return [f for f in found if f.rule == example.rule]


def matches(finding: Finding, expected: dict[str, Any], rule: str) -> bool:
    want = {"rule": rule, **expected}
    return all(getattr(finding, k) == v for k, v in want.items())


def unmatched(found: list[Finding], expect: tuple[dict[str, Any], ...], rule: str) -> tuple[list, list]:
    """Pair expected findings with found ones; return (expected not found, found not expected)."""
    left = list(found)
    missing = []
    for want in expect:
        for f in left:
            if matches(f, want, rule):
                left.remove(f)
                break
        else:
            missing.append(want)
    return missing, left


def describe(findings: list[Finding]) -> list[list[Any]]:
    return [[f.rule, f.severity, f.sheet, f.row, f.column, f.cell, f.message] for f in findings]


def all_examples() -> list[Example]:
    return [e for rule in load_catalogue() for e in rule.examples]
