"""A lean start-up (issue 16 point 2): a check imports only what it needs."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_schemas_load_pandera_without_hypothesis_and_leave_it_importable() -> None:
    """pandera would import hypothesis (~1 s of start-up) when it is installed; rdcheck's checks never use it."""
    pytest.importorskip("hypothesis")  # installed with the test extra: the case that costs
    code = (
        "import sys; import rdcheck.schema as s; from rdcheck import checks; s.warm_up(); "
        "print('hypothesis' in sys.modules); import hypothesis.strategies; print(hypothesis.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "hypothesis"]
