"""The README's layout tables are generated from the layout table; they must not drift."""

from pathlib import Path

from rdcheck.docs import layout_markdown, rules_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_readme_layout_section_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert layout_markdown() in readme, "run: .venv/bin/python scripts/sync_readme.py"


def test_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_markdown() in readme, "run: .venv/bin/python scripts/sync_readme.py"


def test_readme_has_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
