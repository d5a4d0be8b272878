"""Validation: the rule catalogue, the bureau's configuration, the registry of checks and the runner."""

from .catalogue import Catalogue, Example, Rule, load_catalogue
from .config import Config
from .registry import CHECKS, Context, Hit, check
from .runner import run

__all__ = ["CHECKS", "Catalogue", "Config", "Context", "Example", "Hit", "Rule", "check", "load_catalogue", "run"]
