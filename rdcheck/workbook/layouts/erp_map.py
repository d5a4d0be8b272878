"""From an enterprise's own 研发支出 sub-accounts to rdcheck's sub-items (layouts.md §2.8).

An ERP 多栏账 classifies spending by the enterprise's sub-accounts (``53010101 职工薪酬—工资``), not by the tax
sub-items. The map comes first from the configuration (``erp_map:`` in the --config YAML, per enterprise or for
all), else from a built-in guess by keyword, which the report marks as a guess (F14). A sub-account no keyword
fits goes to 8.2 其他不予加计支出: counted in the books and statistics, never in the deduction, and marked too.

```yaml
erp_map:
  "53010101": 1.1                 # for every enterprise: a sub-account code …
  研发人员工资: 1.1                # … or its name (or the whole label) → a sub-item code or name
  "913208047581784510":           # one enterprise (统一社会信用代码): its own entries win
    "6601.01": 1.1
    委托外协费: 7.2
```
Quote account codes: YAML reads ``5301.10`` as the number 5301.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..values import Invalid, Noted, fold, parse_subitem, raw_text

if TYPE_CHECKING:
    from .erp import Account

UNMAPPED = "8.2"  # no keyword fits: in the books and statistics, out of the deduction
_SPACE = re.compile(r"\s+")
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
ALL = "*"

# first match wins: the more specific words come first (房屋折旧 before 折旧, 补充养老 before 养老保险 …)
GUESSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("长期待摊", "房屋", "建筑物", "装修"), "8.1"),
    (("招待",), "8.2"),
    (("委托境外", "境外委托"), "7.2"),
    (("委托", "外协", "外包"), "7.1"),
    (("补充养老", "补充医疗", "福利"), "6.4"),
    (("社会保险", "社保", "公积金", "五险", "养老保险", "医疗保险", "失业保险", "工伤保险", "生育保险"), "1.2"),
    (("劳务", "外聘"), "1.3"),
    (("工资", "薪金", "奖金", "津贴", "薪酬"), "1.1"),
    (("燃料", "燃气", "汽油", "柴油"), "2.2"),
    (("动力", "水电", "电费", "水费", "能耗"), "2.3"),
    (("模具", "工艺装备"), "2.4"),
    (("样品", "样机", "测试手段"), "2.5"),
    (("检验", "检测", "测试"), "2.6"),
    (("维护", "维修", "调试"), "2.7"),
    (("租赁", "租金"), "2.8"),
    (("材料", "原料", "物料", "试剂", "耗材"), "2.1"),
    (("仪器折旧",), "3.1"),
    (("折旧",), "3.2"),
    (("知识产权", "专利申请", "专利代理", "专利费", "注册费", "代理费"), "6.3"),
    (("软件",), "4.1"),
    (("非专利",), "4.3"),
    (("专利",), "4.2"),
    (("摊销", "无形资产"), "4.1"),
    (("工艺规程",), "5.2"),
    (("临床",), "5.3"),
    (("勘探", "现场试验"), "5.4"),
    (("设计",), "5.1"),
    (("图书", "资料", "翻译", "咨询", "研发保险"), "6.1"),
    (("检索", "评审", "鉴定", "评估", "验收", "论证", "评议"), "6.2"),
    (("差旅", "会议", "交通", "住宿"), "6.5"),
)

# how a sub-account got its sub-item
CONFIG, GUESS, NONE = "config", "guess", "none"


def map_key(text: Any) -> str:
    """The key an account code, name or label is matched by: folded, spaces removed."""
    return _SPACE.sub("", fold(raw_text(text)))


def guess(account: Account) -> tuple[str, str | None]:
    """The built-in guess for a sub-account: (sub-item, the keyword that decided), or (8.2, None)."""
    text = map_key(account.name) or map_key(account.label)
    for words, code in GUESSES:
        for word in words:
            if word in text:
                return code, word
    return UNMAPPED, None


@dataclass(frozen=True)
class Mapping:
    """Where one sub-account goes, and why: ``config`` (erp_map), ``guess`` (keyword) or ``none``."""

    subitem: str
    source: str
    keyword: str | None = None


@dataclass
class ErpMap:
    """The configuration's ``erp_map``: entries for every enterprise and per 统一社会信用代码."""

    common: dict[str, str] = field(default_factory=dict)
    by_uscc: dict[str, dict[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.common or self.by_uscc)

    def resolve(self, account: Account, uscc: Any = None) -> Mapping:
        """The sub-item of a sub-account for an enterprise: its own entries, then everyone's, then the guess."""
        wanted = [k for k in (account.code, account.label, account.name) if k]
        own = self.by_uscc.get(map_key(uscc).upper()) if uscc else None
        for table in (own or {}, self.common):
            for k in wanted:
                code = table.get(map_key(k))
                if code is not None:
                    return Mapping(code, CONFIG)
        code, word = guess(account)
        return Mapping(code, GUESS if word else NONE, word)


def load_erp_map(data: Any, bad: Any) -> ErpMap:
    """Validate the configuration's ``erp_map`` section; ``bad(zh, en)`` makes the one-line ConfigError."""
    result = ErpMap()
    if data is None:
        return result
    if not isinstance(data, dict):
        raise bad("erp_map 必须是映射（明细科目 → 明细项目）", "erp_map must be a mapping (sub-account → sub-item)")
    for k, value in data.items():
        name = map_key(k)
        if isinstance(value, dict):
            if name != ALL and not _USCC.match(name.upper()):
                raise bad(
                    f"erp_map.{k}：分企业的映射须以 18 位统一社会信用代码（或 *）为键",
                    f"erp_map.{k}: a per-enterprise map must be keyed by an 18-character 统一社会信用代码 (or *)",
                )
            table = result.common if name == ALL else result.by_uscc.setdefault(name.upper(), {})
            for sub_key, sub_value in value.items():
                table[_entry_key(f"{k}.{sub_key}", sub_key, bad)] = _subitem(f"{k}.{sub_key}", sub_value, bad)
        else:
            result.common[_entry_key(str(k), k, bad)] = _subitem(str(k), value, bad)
    return result


def _entry_key(where: str, k: Any, bad: Any) -> str:
    if isinstance(k, bool) or k is None or not map_key(k):
        raise bad(f"erp_map.{where}：明细科目不能为空", f"erp_map.{where}: the sub-account is empty")
    return map_key(k)


def _subitem(where: str, value: Any, bad: Any) -> str:
    got = None if isinstance(value, (bool, dict, list)) or value is None else parse_subitem(raw_text(value))
    if got is None or isinstance(got, (Invalid, Noted)):  # a mapping names its sub-item exactly
        raise bad(
            f"erp_map.{where}：{value!r} 不是明细项目（如 1.1、2.1 或其名称）",
            f"erp_map.{where}: {value!r} is not a sub-item (e.g. 1.1, 2.1 or its name)",
        )
    return got


__all__ = ["CONFIG", "GUESS", "GUESSES", "NONE", "UNMAPPED", "ErpMap", "Mapping", "guess", "load_erp_map"]
