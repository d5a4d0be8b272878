"""`rdcheck serve`: the self-check page for enterprises and the bureau's desk (needs `pip install rdcheck[web]`)."""

from __future__ import annotations

from .app import create_app
from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]
