"""The check functions, one per rule, grouped by pillar; importing this package registers them."""

from . import build, claim, file, stats  # noqa: F401
