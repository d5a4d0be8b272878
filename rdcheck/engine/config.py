"""The bureau's configuration: per-rule severity, parameters and on/off, policy overrides and limits.

```
rules:
  B05: {severity: info}
  C11: {enabled: false, params: {words: [常规升级, 市场调研]}}
policy: {…}          # passed to rdcheck.compute as overrides of the policy tables
limits: {max_rows: 500000}
web: {bureau_password: …}   # rdcheck serve only (rdcheck.web.settings)
erp_map: {"53010101": 1.1, 差旅费: 6.5}   # ERP 多栏账 sub-accounts → sub-items (rdcheck.workbook.layouts.erp_map)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..model import SEVERITIES
from .catalogue import Catalogue, Rule, check_param_value, load_catalogue

_TOP = {"rules", "policy", "limits", "web", "erp_map"}  # web: read by rdcheck.web.settings (rdcheck serve)
_RULE_KEYS = {"severity", "enabled", "params"}


@dataclass
class Config:
    """Resolved configuration: what the runner needs for each rule, plus policy overrides and limits."""

    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> {severity, enabled, params}
    policy: dict[str, Any] | None = None
    limits: dict[str, Any] = field(default_factory=dict)
    erp_map: Any = None  # rdcheck.workbook.layouts.erp_map.ErpMap: ERP sub-accounts → sub-items, per enterprise
    source: str | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> Config:
        """Load a config file (None: the defaults); raise ConfigError with a one-line reason."""
        if path is None:
            return cls()
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"找不到配置文件：{p}", f"config file not found: {p}") from None
        except IsADirectoryError:
            raise ConfigError(f"配置文件是文件夹，不是文件：{p}", f"config file is a folder: {p}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"无法读取配置文件 {p}：{exc}", f"cannot read config file {p}: {exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f"（第 {mark.line + 1} 行）" if mark is not None else ""
            at_en = f" (line {mark.line + 1})" if mark is not None else ""
            raise ConfigError(
                f"配置文件 {p.name} 的 YAML 语法错误{at}", f"YAML syntax error in config file {p.name}{at_en}"
            ) from None
        return cls.from_dict(data if data is not None else {}, source=str(p))

    @classmethod
    def from_dict(cls, data: Any, source: str | None = None, catalogue: Catalogue | None = None) -> Config:
        """Validate a config mapping against the catalogue."""
        name = Path(source).name if source else "config"

        def bad(zh: str, en: str) -> ConfigError:
            return ConfigError(f"配置 {name} 无效：{zh}", f"config {name} is invalid: {en}")

        if not isinstance(data, dict):
            raise bad("顶层必须是映射", "the top level must be a mapping")
        unknown = sorted(map(str, set(data) - _TOP))
        if unknown:
            raise bad(f"未知的配置项 {', '.join(unknown)}", f"unknown section(s) {', '.join(unknown)}")
        catalogue = catalogue or load_catalogue()
        rules_in = data.get("rules") or {}
        if not isinstance(rules_in, dict):
            raise bad("rules 必须是映射", "rules must be a mapping")
        rules: dict[str, dict[str, Any]] = {}
        for rule_id, setting in rules_in.items():
            if rule_id not in catalogue:
                raise bad(f"未知的规则编号 {rule_id}", f"unknown rule id {rule_id}")
            rules[rule_id] = _rule_setting(catalogue[rule_id], setting, bad)
        policy = data.get("policy")
        if policy is not None and not isinstance(policy, dict):
            raise bad("policy 必须是映射", "policy must be a mapping")
        limits = data.get("limits") or {}
        if not isinstance(limits, dict):
            raise bad("limits 必须是映射", "limits must be a mapping")
        from ..workbook.safety import Limits

        for key, value in limits.items():
            if key not in Limits.__dataclass_fields__:
                known = ", ".join(Limits.__dataclass_fields__)
                raise bad(f"未知的 limits.{key}（可用：{known}）", f"unknown limits.{key} (known: {known})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise bad(f"limits.{key} 必须是正数", f"limits.{key} must be a positive number")
        from ..workbook.layouts.erp_map import load_erp_map

        erp_map = load_erp_map(data.get("erp_map"), bad)
        return cls(rules=rules, policy=policy or None, limits=dict(limits), erp_map=erp_map, source=source)

    def enabled(self, rule: Rule) -> bool:
        return bool(self.rules.get(rule.id, {}).get("enabled", True))

    def severity(self, rule: Rule) -> str:
        return self.rules.get(rule.id, {}).get("severity") or rule.severity

    def params(self, rule: Rule, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Return the rule's parameters: defaults, then the config's overrides; numbers as Decimal."""
        merged = {**rule.params, **self.rules.get(rule.id, {}).get("params", {}), **(extra or {})}
        return {k: _exact(v) for k, v in merged.items()}


def _rule_setting(rule: Rule, setting: Any, bad) -> dict[str, Any]:
    if not isinstance(setting, dict):
        raise bad(f"rules.{rule.id} 必须是映射", f"rules.{rule.id} must be a mapping")
    unknown = sorted(map(str, set(setting) - _RULE_KEYS))
    if unknown:
        raise bad(
            f"rules.{rule.id} 有未知的设置 {', '.join(unknown)}（可用 severity、enabled、params）",
            f"rules.{rule.id} has unknown setting(s) {', '.join(unknown)} (use severity, enabled, params)",
        )
    out: dict[str, Any] = {}
    if "severity" in setting:
        if setting["severity"] not in SEVERITIES:
            raise bad(
                f"rules.{rule.id}.severity 必须是 {'/'.join(SEVERITIES)}，而不是 {setting['severity']!r}",
                f"rules.{rule.id}.severity must be {'/'.join(SEVERITIES)}, not {setting['severity']!r}",
            )
        out["severity"] = setting["severity"]
    if "enabled" in setting:
        if not isinstance(setting["enabled"], bool):
            raise bad(f"rules.{rule.id}.enabled 必须是 true/false", f"rules.{rule.id}.enabled must be true/false")
        out["enabled"] = setting["enabled"]
    params = setting.get("params") or {}
    if not isinstance(params, dict):
        raise bad(f"rules.{rule.id}.params 必须是映射", f"rules.{rule.id}.params must be a mapping")
    for key, value in params.items():
        if key not in rule.params:
            known = ", ".join(rule.params) or "—"
            raise bad(
                f"规则 {rule.id} 没有参数 {key}（可用：{known}）", f"rule {rule.id} has no param {key} (known: {known})"
            )
        try:
            check_param_value(key, value)
        except ValueError as exc:
            raise bad(f"rules.{rule.id}.params.{key}：{exc}", f"rules.{rule.id}.params.{key}: {exc}") from None
        if not _same_shape(rule.params[key], value):
            raise bad(
                f"rules.{rule.id}.params.{key} 的类型应与默认值 {rule.params[key]!r} 相同",
                f"rules.{rule.id}.params.{key} must have the type of its default {rule.params[key]!r}",
            )
    out["params"] = dict(params)
    return out


def _same_shape(default: Any, value: Any) -> bool:
    def kind(v: Any) -> str:
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, (int, float)):
            return "number"
        if isinstance(v, list):
            return "list"
        return type(v).__name__

    return kind(default) == kind(value)


def _exact(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value
