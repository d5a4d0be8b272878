"""`python -m rdcheck` is the `rdcheck` command."""

from .cli import run

run()
