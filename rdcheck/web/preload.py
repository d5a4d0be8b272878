"""Imported once by the fork server: every check process starts with the checker and the catalogue loaded."""

from __future__ import annotations

from .. import api, checks, compute  # noqa: F401  (imports pandas, pandera and registers every rule)
from ..engine import load_catalogue
from ..report import xlsx  # noqa: F401  (the annotated copy's writer)

try:
    load_catalogue()
except Exception:  # a broken catalogue is reported by each check, with its reason
    pass
