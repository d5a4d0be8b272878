"""Map an official header path to rdcheck's category and sub-item by its words (layouts.md §1c: never by number).

The 2015 ledgers and 附件5 print the 97号 sub-item names (``直接从事研发活动人员工资薪金``,
``用于研发活动的仪器的折旧费`` …), producers shorten or renumber them, and the tax bureau's e-form has generic
``其他相关费用1…20`` columns: the category comes from the leaf or its group, the sub-item from the leaf's words.
"""

from __future__ import annotations

import re

from .grid import norm_plain

CATEGORY_WORDS = (
    ("人员人工", 1),
    ("直接投入", 2),
    ("折旧", 3),
    ("无形资产", 4),
    ("新产品设计", 5),
    ("其他相关", 6),
    ("委托", 7),
)
# per category, (words, sub-item) in the order they must be tried (the more specific first)
SUBITEM_WORDS: dict[int, tuple[tuple[tuple[str, ...], str], ...]] = {
    1: ((("劳务", "外聘"), "1.3"), (("五险一金", "社会保险", "公积金", "保险"), "1.2"), (("工资", "薪金"), "1.1")),
    2: (
        (("燃料",), "2.2"),
        (("动力",), "2.3"),
        (("模具", "工艺装备"), "2.4"),
        (("样品", "样机", "测试手段"), "2.5"),
        (("租赁",), "2.8"),
        (("运行维护", "维修", "调整"), "2.7"),
        (("检验",), "2.6"),
        (("材料",), "2.1"),
    ),
    3: ((("仪器",), "3.1"), (("设备",), "3.2")),
    4: ((("软件",), "4.1"), (("非专利",), "4.3"), (("专利",), "4.2")),
    5: ((("新产品设计",), "5.1"), (("工艺规程",), "5.2"), (("临床", "新药"), "5.3"), (("勘探", "现场试验"), "5.4")),
    6: (
        (("福利", "补充养老", "补充医疗"), "6.4"),
        (("图书", "翻译", "咨询", "研发保险"), "6.1"),
        (("检索", "评议", "论证", "鉴定", "评审", "评估", "验收"), "6.2"),
        (("知识产权", "申请", "注册", "代理"), "6.3"),
        (("差旅", "会议"), "6.5"),
    ),
    7: ((("境外个人",), "7.3"), (("境外",), "7.2"), (("境内",), "7.1")),
}
_GENERIC_OTHER = re.compile(r"^其他相关费用\d+$")
_SKIP = ("费用明细", "合计", "小计")


def category_in(path: list[str]) -> int | None:
    """The category a header path names: the leaf's words first, then its groups'."""
    for text in reversed(path):
        plain = norm_plain(text)
        if plain.startswith(_SKIP):
            continue
        for word, cat in CATEGORY_WORDS:
            if word in plain:
                return cat
    return None


def subitem_of(path: list[str]) -> tuple[int, str | None] | None:
    """(category, sub-item) of a detail column, sub-item None for a generic 其他相关费用N; None when not a detail."""
    if not path:
        return None
    leaf = norm_plain(path[-1])
    if leaf in ("合计", "小计") or not leaf:
        return None
    cat = category_in(path)
    if cat is None:
        return None
    if cat == 6 and _GENERIC_OTHER.match(leaf):
        return 6, None
    for words, code in SUBITEM_WORDS[cat]:
        if any(w in leaf for w in words):
            return cat, code
    if cat == 7:
        return 7, "7.1" if "委托" in leaf else None
    if any(word in leaf for word, c in CATEGORY_WORDS if c == cat):
        return cat, None  # the category's own column, not split into sub-items
    return None


__all__ = ["category_in", "subitem_of"]
