"""pandera, imported without its data-synthesis strategies (a lean start-up, issue 16 point 2).

pandera imports hypothesis (to generate example frames) whenever hypothesis is installed, and hypothesis brings its
plugins with it (trio, pytest …): about a second of every check's start-up on a machine that has it — any
developer's, CI — for nothing rdcheck uses. hypothesis is hidden only while pandera and the backend it loads at its
first validation are imported; a later ``import hypothesis`` (the property tests) works as usual.
"""

from __future__ import annotations

import sys


def _import_without_hypothesis() -> None:
    hidden = "hypothesis" not in sys.modules
    if hidden:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]  # pandera's try/except sees an ImportError
    try:
        import pandera.backends.pandas.builtin_checks  # noqa: F401  (else imported at the first validation)
        import pandera.pandas  # noqa: F401
    finally:
        if hidden and sys.modules.get("hypothesis", False) is None:
            del sys.modules["hypothesis"]


_import_without_hypothesis()

import pandera.pandas as pa  # noqa: E402
from pandera.errors import SchemaErrors  # noqa: E402

__all__ = ["SchemaErrors", "pa"]
