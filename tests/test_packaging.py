"""The wheel must carry the rule catalogue and policy tables: rdcheck runs from an installed package."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_data_covers_every_rule_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["rdcheck"]
    files = [p.relative_to(ROOT / "rdcheck").as_posix() for p in (ROOT / "rdcheck" / "rules").iterdir()]
    assert files and all(any(fnmatch(f, g) for g in globs) for f in files), files


def test_catalogue_and_policy_load_from_the_package_not_the_checkout():
    from rdcheck.compute.policy import load_policy
    from rdcheck.engine import load_catalogue
    from rdcheck.engine.catalogue import rules_dir

    assert rules_dir().resolve().is_relative_to((ROOT / "rdcheck").resolve())
    assert len(load_catalogue()) == 41
    assert load_policy(None) is not None
