"""The check functions, one per rule, grouped by pillar; importing this package registers them.

The registry (``registry.py``) is the checks' own: the engine's runner imports this package, never the reverse.
"""

from . import build, claim, erp, file, growth, layouts, lifecycle, screening, stats  # noqa: F401  (importing registers the checks)
from .registry import CHECKS, CheckFn, Context, Hit, check


def registered() -> dict[str, CheckFn]:
    """Return every check, keyed by rule id."""
    return CHECKS


__all__ = ["CHECKS", "Context", "Hit", "check", "registered"]
