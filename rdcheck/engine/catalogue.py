"""The rule catalogue: one YAML file per rule in the top-level ``rules/`` (spec §3), loaded and validated.

A rule file holds the rule's id, pillar, default severity, zh/en title and message templates with named
placeholders, the policy basis, its parameters with defaults, and examples that the test suite runs. The loader
refuses a broken file with a one-line :class:`~rdcheck.errors.ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..model import PILLARS, SEVERITIES, to_fen
from .examples import check_example

LANGS = ("zh", "en")
# libyaml's safe loader when PyYAML was built with it: 4x faster over the 41 rule files
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RULE_FILE = re.compile(r"^[A-Z]\d{2}$")
DEFAULT_VARIANT = "default"
# Placeholder kinds and how the runner shows a value of each kind.
KINDS = ("text", "amount", "percent", "date", "int", "list")
# Placeholders every message may use: where the finding points and the offending value.
BUILTINS = {"sheet": "text", "column": "text", "cell": "text", "row": "int", "value": "text"}
_SAMPLES: dict[str, Any] = {
    "text": "文本",
    "amount": Decimal("1234.5"),
    "percent": Decimal("0.05"),
    "date": dt.date(2024, 3, 5),
    "int": 3,
    "list": ["甲", "乙"],
}
_FIELDS = {
    "id",
    "pillar",
    "severity",
    "title",
    "description",
    "basis",
    "placeholders",
    "params",
    "message",
    "hint",
    "examples",
}


@dataclass(frozen=True)
class Example:
    """A rule example: changes to the built-in minimal clean book, and the findings the rule must give."""

    rule: str
    kind: str  # "fail" or "pass"
    number: int  # 1-based within its kind
    note: str
    given: dict[str, Any]
    expect: tuple[dict[str, Any], ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.kind}-{self.number}"


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue, as data."""

    id: str
    pillar: str
    severity: str
    title: dict[str, str]
    messages: dict[str, dict[str, str]]  # variant -> lang -> template
    basis: str
    params: dict[str, Any]
    placeholders: dict[str, str]  # name -> kind
    examples: tuple[Example, ...]
    description: dict[str, str] = field(default_factory=dict)
    path: str = ""
    hints: dict[str, dict[str, str]] = field(default_factory=dict)  # variant -> lang -> template: how to fix

    def kind_of(self, name: str) -> str:
        return self.placeholders.get(name) or BUILTINS.get(name, "text")

    def render(self, lang: str, values: dict[str, Any], variant: str | None = None) -> str:
        """Render the message in ``lang`` (zh or en), each placeholder shown by its kind."""
        lang = lang if lang in LANGS else "zh"
        template = self.messages.get(variant or DEFAULT_VARIANT) or next(iter(self.messages.values()))
        shown = _Shown({k: show(v, self.kind_of(k), lang) for k, v in values.items()})
        return template[lang].format_map(shown)

    def render_hint(self, lang: str, values: dict[str, Any], variant: str | None = None) -> str:
        """Render how to fix a finding (the hint of the variant, else the default hint; '' when none)."""
        if not self.hints:
            return ""
        lang = lang if lang in LANGS else "zh"
        template = self.hints.get(variant or DEFAULT_VARIANT) or self.hints.get(DEFAULT_VARIANT)
        if template is None:
            return ""
        shown = _Shown({k: show(v, self.kind_of(k), lang) for k, v in values.items()})
        return template[lang].format_map(shown)


class _Shown(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def show(value: Any, kind: str, lang: str = "zh") -> str:
    """Show a placeholder value: amounts to the fen with separators, ratios as percents, dates as ISO."""
    if value is None:
        return "—"
    if kind == "amount" and isinstance(value, (Decimal, int, float)):
        try:
            return f"{to_fen(Decimal(str(value))):,.2f}"
        except InvalidOperation:  # too many digits to show to the fen (a hostile cell's ratio of amounts)
            return f"{Decimal(str(value)):E}"
    if kind == "percent" and isinstance(value, (Decimal, int, float)):
        try:
            pct = (Decimal(str(value)) * 100).quantize(Decimal("0.01"))
        except InvalidOperation:  # e.g. 研发使用比例 typed as 1E+30: shown as it is, not a traceback
            return f"{(Decimal(str(value)) * 100).normalize():E}%"
        return f"{pct.normalize():f}%"
    if kind == "date" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if kind == "list" and isinstance(value, (list, tuple, set, frozenset)):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Catalogue:
    """Every rule, in pillar order (F, B, C, T) then id."""

    rules: dict[str, Rule]

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def __iter__(self):
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def ids(self) -> list[str]:
        return list(self.rules)


def rules_dir() -> Path:
    """Return the catalogue folder: the repository's top-level rules/, shipped in the wheel as rdcheck.rules."""
    return Path(str(resources.files("rdcheck.rules")))


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Load and validate the catalogue (the package's own by default; cached)."""
    return _load(str(Path(directory) if directory is not None else rules_dir()))


@lru_cache(maxsize=8)
def _load(directory: str) -> Catalogue:
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"规则目录不存在：{folder}", f"rule folder not found: {folder}")
    rules: dict[str, Rule] = {}
    for path in sorted(folder.glob("*.yaml")):
        if not RULE_FILE.match(path.stem):
            continue  # policy tables and other data live beside the rules
        rule = load_rule(path)
        if rule.id in rules:
            raise _bad(path, f"规则编号 {rule.id} 重复", f"duplicate rule id {rule.id}")
        rules[rule.id] = rule
    if not rules:
        raise ConfigError(f"规则目录中没有规则：{folder}", f"no rules in {folder}")
    order = {p: i for i, p in enumerate(PILLARS)}
    return Catalogue(dict(sorted(rules.items(), key=lambda kv: (order[kv[1].pillar], kv[0]))))


def _bad(path: Path | str, zh: str, en: str) -> ConfigError:
    name = Path(path).name
    return ConfigError(f"规则文件 {name} 无效：{zh}", f"rule file {name} is invalid: {en}")


def load_rule(path: str | Path) -> Rule:
    """Read and validate one rule file; raise ConfigError naming the file and the fault."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(path, f"无法读取（{exc}）", f"cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise _bad(path, f"YAML 语法错误{at}", f"YAML syntax error{at}") from None
    except ValueError as exc:  # a value YAML recognises but cannot build, e.g. the date 2024-13-45
        raise _bad(path, f"无法解析的值（{exc}）", f"a value cannot be read ({exc})") from None
    try:
        return parse_rule(data, path.stem, str(path))
    except ValueError as exc:
        raise _bad(path, str(exc), str(exc)) from None


def parse_rule(data: Any, stem: str | None = None, where: str = "") -> Rule:
    """Build a Rule from a rule file's data; raise ValueError with a one-line reason."""
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(map(str, unknown))}")
    for name in ("id", "pillar", "severity", "title", "basis", "message", "examples"):
        if name not in data or data[name] in (None, "", {}, []):
            raise ValueError(f"missing field '{name}'")
    rule_id = data["id"]
    if not isinstance(rule_id, str) or not RULE_FILE.match(rule_id):
        raise ValueError(f"id {rule_id!r} is not a letter and two digits")
    if stem is not None and stem != rule_id:
        raise ValueError(f"id {rule_id} does not match the file name {stem}.yaml")
    if data["pillar"] not in PILLARS:
        raise ValueError(f"pillar {data['pillar']!r} is not one of {'/'.join(PILLARS)}")
    if rule_id[0] != data["pillar"]:
        raise ValueError(f"id {rule_id} does not start with its pillar {data['pillar']}")
    if data["severity"] not in SEVERITIES:
        raise ValueError(f"severity {data['severity']!r} is not one of {'/'.join(SEVERITIES)}")
    if not isinstance(data["basis"], str):
        raise ValueError("basis must be text")
    title = _langs(data["title"], "title")
    description = _langs(data["description"], "description") if data.get("description") else {}
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise ValueError("params must be a mapping")
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"param name {name!r} is not an identifier")
        check_param_value(name, value)
    placeholders = data.get("placeholders") or {}
    if not isinstance(placeholders, dict):
        raise ValueError("placeholders must be a mapping of name to kind")
    for name, kind in placeholders.items():
        if kind not in KINDS:
            raise ValueError(f"placeholder {name} has unknown kind {kind!r} (one of {'/'.join(KINDS)})")
    messages = _messages(data["message"])
    for variant, langs in messages.items():
        for lang, template in langs.items():
            _check_template(
                template, placeholders, f"message{'' if variant == DEFAULT_VARIANT else '.' + variant}.{lang}"
            )
    hints = _messages(data["hint"], "hint") if data.get("hint") else {}
    for variant, langs in hints.items():
        for lang, template in langs.items():
            _check_template(template, placeholders, f"hint{'' if variant == DEFAULT_VARIANT else '.' + variant}.{lang}")
    for lang, text in title.items():
        if "{" in text:
            raise ValueError(f"title.{lang} must not hold placeholders")
    examples = _examples(data["examples"], rule_id)
    for example in examples:
        for name in example.params:
            if name not in params:
                raise ValueError(f"example {example.id} sets undeclared param {name}")
    return Rule(
        id=rule_id,
        pillar=data["pillar"],
        severity=data["severity"],
        title=title,
        messages=messages,
        basis=data["basis"],
        params=params,
        placeholders=dict(placeholders),
        examples=examples,
        description=description,
        path=where,
        hints=hints,
    )


def check_param_value(name: str, value: Any) -> None:
    """Accept numbers, text, yes/no and lists of numbers or text as parameter values."""
    if isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, list) and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value):
        return
    raise ValueError(f"param {name} must be a number, text, yes/no or a list of numbers or text")


def _langs(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise ValueError(f"{what} must give exactly zh and en")
    for lang in LANGS:
        if not isinstance(value[lang], str) or not value[lang].strip():
            raise ValueError(f"{what}.{lang} is empty")
    return {lang: value[lang] for lang in LANGS}


def _messages(value: Any, what: str = "message") -> dict[str, dict[str, str]]:
    if isinstance(value, dict) and set(value) == set(LANGS):
        return {DEFAULT_VARIANT: _langs(value, what)}
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{what} must give zh and en, or variants each giving zh and en")
    return {str(variant): _langs(langs, f"{what}.{variant}") for variant, langs in value.items()}


def _check_template(template: str, placeholders: dict[str, str], where: str) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{where} is not a valid template ({exc})") from None
    sample: dict[str, Any] = {}
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise ValueError(f"{where} has a bad placeholder {{{name}}}")
        if spec or conversion:
            raise ValueError(f"{where}: placeholder {{{name}}} must not carry a format (its kind formats it)")
        kind = placeholders.get(name) or BUILTINS.get(name)
        if kind is None:
            raise ValueError(f"{where} uses undeclared placeholder {{{name}}}")
        sample[name] = show(_SAMPLES[kind], kind)
    try:
        template.format(**sample)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where} does not render ({exc})") from None


def _examples(value: Any, rule_id: str) -> tuple[Example, ...]:
    if not isinstance(value, dict) or set(value) - {"fail", "pass"}:
        raise ValueError("examples must be a mapping with 'fail' and 'pass' lists")
    out: list[Example] = []
    for kind in ("fail", "pass"):
        items = value.get(kind)
        if not isinstance(items, list) or not items:
            raise ValueError(f"examples need at least one '{kind}' example")
        for number, item in enumerate(items, 1):
            eid = f"{rule_id}-{kind}-{number}"
            if not isinstance(item, dict):
                raise ValueError(f"example {eid} is not a mapping")
            extra = sorted(set(item) - {"note", "given", "expect", "params"})
            if extra:
                raise ValueError(f"example {eid} has unknown field(s): {', '.join(map(str, extra))}")
            given = item.get("given") or {}
            expect = item.get("expect") or []
            params = item.get("params") or {}
            if kind == "fail" and not expect:
                raise ValueError(f"example {eid} must state the findings it expects")
            if kind == "pass" and expect:
                raise ValueError(f"example {eid} is a passing example and cannot expect findings")
            if not isinstance(expect, list) or not isinstance(params, dict):
                raise ValueError(f"example {eid}: expect must be a list and params a mapping")
            try:
                check_example(given, expect)
            except ValueError as exc:
                raise ValueError(f"example {eid}: {exc}") from None
            out.append(Example(rule_id, kind, number, str(item.get("note") or ""), given, tuple(expect), params))
    return tuple(out)
