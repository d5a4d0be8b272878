"""Every rule's own examples: a failing one gives exactly the findings it states, a passing one gives none.

`pytest -k B03` runs one rule's examples.
"""

from __future__ import annotations

import pytest
from rule_support import all_examples, describe, run_example, unmatched

EXAMPLES = all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_rule_example(example):
    found = run_example(example)
    if example.kind == "pass":
        assert not found, f"{example.id} ({example.note}) should not fire: {describe(found)}"
        return
    missing, extra = unmatched(found, example.expect, example.rule)
    assert not missing and not extra, (
        f"{example.id} ({example.note}): expected {list(example.expect)} not found {missing}; "
        f"unexpected {describe(extra)}"
    )
