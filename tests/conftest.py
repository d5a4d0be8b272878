"""Test-wide settings: in CI (CI=true) hypothesis explores the same examples every run, so a landing is judged on
the code, not on the draw; locally it keeps drawing new ones."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
