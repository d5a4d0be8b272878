"""Validation: the rule catalogue, the bureau's configuration and the runner that turns check hits into findings.

The check functions and their registry live in ``rdcheck.checks``.
"""

from .catalogue import Catalogue, Example, Rule, load_catalogue
from .config import Config
from .runner import run

__all__ = ["Catalogue", "Config", "Example", "Rule", "load_catalogue", "run"]
