"""The wheel must carry the rule catalogue and policy tables: rdcheck runs from an installed package.

The catalogue has one copy, the top-level rules/; pyproject maps it onto the package rdcheck.rules.
"""

import importlib.util
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_package_data_covers_every_rule_file():
    globs = SETUPTOOLS["package-data"]["rdcheck.rules"]
    assert SETUPTOOLS["package-dir"]["rdcheck.rules"] == "rules"
    files = [p.name for p in (ROOT / "rules").iterdir() if p.suffix != ".py" and p.name != "__pycache__"]
    assert "policy.yaml" in files and "B03.yaml" in files
    assert all(any(fnmatch(f, g) for g in globs) for f in files), files


def test_every_package_folder_is_listed():
    """Every folder under rdcheck/ — code, or data such as templates and migrations — is a listed package (a data
    folder not listed is shipped only with setuptools' "Package would be ignored" warnings)."""
    folders = [ROOT / "rdcheck", *(p for p in (ROOT / "rdcheck").rglob("*") if p.is_dir())]
    found = {".".join(p.relative_to(ROOT).parts) for p in folders if p.name != "__pycache__"} | {"rdcheck.rules"}
    assert found == set(SETUPTOOLS["packages"])


def test_nothing_under_the_package_duplicates_the_catalogue():
    assert not list((ROOT / "rdcheck").rglob("*.yaml"))


def test_catalogue_and_policy_load_from_the_top_level_rules():
    from rdcheck.compute.policy import POLICY_FILE, load_policy
    from rdcheck.engine import load_catalogue
    from rdcheck.engine.catalogue import rules_dir

    installed = "site-packages" in str(rules_dir())
    assert installed or rules_dir().resolve() == (ROOT / "rules").resolve()
    assert POLICY_FILE.parent == rules_dir()
    assert len(load_catalogue()) == len(list((ROOT / "rules").glob("[A-Z][0-9][0-9].yaml")))
    assert load_policy(None) is not None


@pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None, reason="setuptools (the test extra) is not installed"
)
def test_the_wheel_ships_the_catalogue(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("rdcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {f"rdcheck/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml")}
    assert rules <= names
    assert "rdcheck/cli/__init__.py" in names and "rdcheck/district/rollup.py" in names
    migrations = {f"rdcheck/district/migrations/{p.name}" for p in (ROOT / "rdcheck/district/migrations").glob("*.sql")}
    assert migrations and migrations <= names  # the register's schema ships with the wheel
    web = {
        f"rdcheck/{p.relative_to(ROOT / 'rdcheck').as_posix()}"
        for folder in ("web/templates", "web/static")
        for p in (ROOT / "rdcheck" / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert web and web <= names  # the page's templates and static files too
