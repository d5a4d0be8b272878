"""The rule catalogue: complete, stable ids, templates that render, broken files refused, config overrides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rule_support import check

from rdcheck.checks import CHECKS, registered
from rdcheck.engine import Config, load_catalogue
from rdcheck.engine.catalogue import _SAMPLES, BUILTINS, rules_dir
from rdcheck.engine.examples import example_book
from rdcheck.errors import ConfigError

SPEC_IDS = (
    [f"F{n:02d}" for n in range(1, 11)]
    + ["F11", "F12"]  # layouts (issue 10)
    + ["F14", "F15"]  # ERP 多栏账 (issue 10)
    + [f"B{n:02d}" for n in range(1, 13)]
    + ["B13", "B14"]  # layouts (issue 10)
    + ["B15"]  # issue 12 (policy): 委托境外 registration
    + ["B16", "B17"]  # issue 12: the capitalised project's lifecycle (dates)
    + [f"C{n:02d}" for n in range(1, 19)]  # C15-C18: issue 12
    + ["C19", "C20", "C21", "C22"]  # issue 12: the capitalised project's lifecycle (limit pool, lines 43/44)
    + [f"T{n:02d}" for n in range(1, 10)]  # T06-T09: issue 12
    + ["T10"]  # issue 12: year on year from last year's figures in 企业信息
)
DEFAULT_SEVERITY = {
    **dict.fromkeys(SPEC_IDS, "error"),
    **dict.fromkeys(["F08", "F09", "B02", "B05", "B07", "B10", "B11", "C03", "C06", "C07", "C08", "C09"], "warning"),
    **dict.fromkeys(["C11", "C12", "C13", "T02", "T03", "T04"], "warning"),
    **dict.fromkeys(["C01", "C02", "C14", "T05", "C17"], "info"),
    **dict.fromkeys(["C16", "C18", "T06", "T07", "T08", "T09"], "warning"),
    **dict.fromkeys(["C19", "C20", "C21", "C22", "T10"], "warning"),
    "F11": "info",
    "F12": "warning",
    "F14": "warning",  # a keyword guess is shown as info (hit severity); no keyword at all is the warning
    "F15": "info",
}


def test_catalogue_holds_exactly_the_spec_rules_in_pillar_order():
    catalogue = load_catalogue()
    assert catalogue.ids == SPEC_IDS


def test_default_severities_follow_the_spec():
    assert {r.id: r.severity for r in load_catalogue()} == DEFAULT_SEVERITY


def test_every_rule_has_a_check_and_every_check_a_rule():
    registered()
    assert set(CHECKS) == set(SPEC_IDS)


@pytest.mark.parametrize("rule", load_catalogue(), ids=lambda r: r.id)
def test_rule_documents_itself_and_renders_in_both_languages(rule):
    assert rule.basis.strip() and rule.title["zh"] and rule.title["en"]
    assert any(e.kind == "fail" for e in rule.examples) and any(e.kind == "pass" for e in rule.examples)
    values = {name: _SAMPLES[kind] for name, kind in {**BUILTINS, **rule.placeholders}.items()}
    for variant in rule.messages:
        zh, en = rule.render("zh", values, variant), rule.render("en", values, variant)
        assert "{" not in zh and "{" not in en and "—" not in zh.replace("——", "")
        assert zh != en


def test_catalogue_is_cached():
    assert load_catalogue() is load_catalogue()


# ------------------------------------------------------------------ broken rule files


def _copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    return folder


def _edit(folder: Path, rule_id: str, change) -> None:
    path = folder / f"{rule_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


BROKEN = {
    "unknown-pillar": ("B05", lambda d: d.update(pillar="X"), "pillar"),
    "bad-severity": ("B05", lambda d: d.update(severity="fatal"), "severity"),
    "id-not-file-name": ("B05", lambda d: d.update(id="B99"), "file name"),
    "undeclared-placeholder": ("B05", lambda d: d["message"].update(zh="日期 {nonsense}"), "undeclared placeholder"),
    "formatted-placeholder": ("C03", lambda d: d["message"].update(en="{amount:,.2f}"), "must not carry a format"),
    "missing-english": ("B05", lambda d: d["title"].pop("en"), "title"),
    "no-pass-example": ("B05", lambda d: d["examples"].pop("pass"), "'pass'"),
    "fail-without-expect": ("B05", lambda d: d["examples"]["fail"][0].pop("expect"), "must state the findings"),
    "example-undeclared-param": (
        "B05",
        lambda d: d["examples"]["pass"][0].update(params={"nope": 1}),
        "undeclared param",
    ),
    "unknown-field": ("B05", lambda d: d.update(sevrity="error"), "unknown field"),
    "unknown-sheet-in-example": ("B05", lambda d: d["examples"]["pass"][0].update(given={"台账": {}}), "unknown sheet"),
    "bad-param-value": ("C11", lambda d: d["params"].update(words={"a": 1}), "param words"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_rule_file_is_refused_with_one_line(tmp_path, case):
    rule_id, change, words = BROKEN[case]
    folder = _copy_rules(tmp_path)
    _edit(folder, rule_id, change)
    with pytest.raises(ConfigError) as info:
        load_catalogue(folder)
    message = info.value.message("en")
    assert "\n" not in message and f"{rule_id}.yaml" in message and words in message, message
    assert f"{rule_id}.yaml" in info.value.message("zh")


def test_yaml_syntax_error_names_the_file_and_line(tmp_path):
    folder = _copy_rules(tmp_path)
    (folder / "B05.yaml").write_text("id: B05\ntitle: {zh: a, en: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"B05\.yaml.*line"):
        load_catalogue(folder)


def test_duplicate_id_is_refused(tmp_path):
    folder = _copy_rules(tmp_path)
    (folder / "B05.yaml").write_text((folder / "B05.yaml").read_text(encoding="utf-8").replace("id: B05", "id: B04"))
    with pytest.raises(ConfigError, match="B05.yaml"):
        load_catalogue(folder)


def test_other_yaml_files_beside_the_rules_are_not_rules():
    assert (rules_dir() / "policy.yaml").exists()
    assert "policy" not in load_catalogue().ids


# ------------------------------------------------------------------ configuration


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rdcheck.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_changes_severity_params_and_disables(tmp_path):
    book = example_book(
        {"辅助账明细": {"set": {5: {"日期": "2024-01-08"}}}, "研发项目": {"set": {2: {"项目名称": "产品售后服务升级"}}}}
    )
    default = {f.rule: f.severity for f in check(book)}
    assert default["B05"] == "warning" and default["C11"] == "warning"
    config = Config.load(
        _write(
            tmp_path,
            "rules:\n  B05: {severity: info}\n  C11: {params: {words: [市场调研]}}\n  T05: {enabled: false}\n",
        )
    )
    found = {f.rule: f.severity for f in check(book, config)}
    assert found["B05"] == "info"
    assert "C11" not in found  # 售后服务 is no longer on the word list
    config = Config.load(_write(tmp_path, "rules:\n  C11: {enabled: false}\n"))
    assert "C11" not in {f.rule for f in check(book, config)}


def test_config_params_reach_the_check(tmp_path):
    book = example_book({"企业信息": {"利润表研发费用": 63000}})
    assert "C08" not in {f.rule for f in check(book)}
    config = Config.load(_write(tmp_path, "rules:\n  C08: {params: {tolerance: 0.01}}\n"))
    assert "C08" in {f.rule for f in check(book, config)}


def test_config_exposes_policy_and_limits(tmp_path):
    config = Config.load(
        _write(tmp_path, "policy: {defaults: {other_expenses_limit: '0.2'}}\nlimits: {max_rows: 1000}\n")
    )
    assert config.policy == {"defaults": {"other_expenses_limit": "0.2"}}
    assert config.limits == {"max_rows": 1000}
    assert Config.load(None).policy is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("rules:\n  Z99: {severity: info}\n", "unknown rule id Z99"),
        ("rules:\n  B05: {severity: fatal}\n", "severity"),
        ("rules:\n  B05: {level: info}\n", "unknown setting"),
        ("rules:\n  C11: {params: {wordz: [a]}}\n", "has no param wordz"),
        ("rules:\n  C08: {params: {tolerance: five}}\n", "type of its default"),
        ("rules:\n  B05: {enabled: maybe}\n", "true/false"),
        ("rulez: {}\n", "unknown section"),
        ("limits: {max_rows: -1}\n", "positive"),
        ("rules: [B05]\n", "mapping"),
        ("rules: {B05: {severity: info}\n", "YAML"),
    ],
)
def test_bad_config_is_a_one_line_config_error(tmp_path, text, words):
    with pytest.raises(ConfigError) as info:
        Config.load(_write(tmp_path, text))
    assert words in info.value.message("en") and "\n" not in info.value.message("en")


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        Config.load(tmp_path / "nope.yaml")
