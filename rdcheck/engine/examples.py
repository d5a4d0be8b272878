"""Rule examples as tiny tables: changes merged onto a built-in minimal clean book.

The base book (2024, one 自主研发 project P001, four ledger lines, a 汇总表 that ties out, 107-2 reported)
triggers no error or warning. An example's ``given`` changes only what it needs:

```
given:
  企业信息: {所属年度: 2019, drop: [利润表研发费用]}   # set keys (null = empty value), drop keys
  研发项目:
    set: {2: {立项日期: 2024-03-01}}    # change cells of existing rows, by Excel row (header is row 1)
  辅助账明细:
    add: [{账载金额: -100}]             # append rows, each merged over the sheet's first data row
    rows: [{…}, …]                     # or replace every data row (unnamed columns empty)
    drop: [资产编号]                    # remove columns
    drop_rows: [3]                     # remove rows, by Excel row
    header: {账载金额: 账载金额（万元）}   # write a column's header differently
    title_rows: 2                      # put title rows above the header (applied last)
  研发人员: {rows: [{工号: E001, 全年工资薪金: 100000, 研发工时占比: 0.5}]}   # a sheet the base lacks
  drop: [汇总表]                        # remove whole sheets
  raw: {P001费用化: [[…], …]}            # add sheets as they are, row by row (foreign layouts; merged cells
                                        # written out in every cell they cover)
```

Base rows (Excel row numbers): 研发项目 P001 in row 2; 辅助账明细 rows 2-5 (1.1 30000, 1.2 9000, 2.1 20000,
6.1 2000); 汇总表 P001 in row 2; 企业信息 keys from row 2, one a row, in layout order.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ..workbook import Book
from ..workbook.layout import ASSETS, ENTERPRISE, LEDGER, PROJECTS, SHEETS, STAFF, SUMMARY
from ..workbook.reader import book_from_sheets

D = dt.date
BASE_ENTERPRISE: list[tuple[str, Any]] = [
    ("统一社会信用代码", "91320804MA1N2K3L40"),
    ("企业名称", "淮阴示例科技有限公司"),
    ("所属年度", 2024),
    ("行业代码", "C3976"),
    ("所在区域", "王营街道"),
    ("高新技术企业", "否"),
    ("科技型中小企业", "否"),
    ("规模以上企业", "是"),
    ("集成电路或工业母机企业", "否"),
    ("营业收入", 50000000),
    ("利润表研发费用", 61000),
    ("统计研究开发费用合计", 61),
    ("统计研究开发人员", 5),
]
BASE_TABLES: dict[str, tuple[list[str], list[dict[str, Any]]]] = {
    PROJECTS.name: (
        [f.name for f in PROJECTS.fields],
        [
            {
                "项目编号": "P001",
                "项目名称": "新型传感器研发",
                "研发形式": "自主研发",
                "研究类型": "应用研究",
                "立项日期": D(2024, 1, 5),
                "立项文号": "研字〔2024〕1号",
                "开始日期": D(2024, 1, 10),
                "结束日期": D(2024, 12, 31),
                "项目状态": "进行中",
                "支出类型": "费用化",
                "研发人员数": 5,
            }
        ],
    ),
    LEDGER.name: (
        [f.name for f in LEDGER.fields],
        [
            {
                "日期": D(2024, 1, 31),
                "凭证号": "记-0001",
                "项目编号": "P001",
                "摘要": "计提1月研发人员工资",
                "费用类别": "1 人员人工费用",
                "明细项目": "1.1 工资薪金",
                "账载金额": 30000,
                "支出类型": "费用化",
                "工号": "E001",
            },
            {
                "日期": D(2024, 1, 31),
                "凭证号": "记-0002",
                "项目编号": "P001",
                "摘要": "计提1月研发人员社保公积金",
                "费用类别": "1 人员人工费用",
                "明细项目": "1.2 五险一金",
                "账载金额": 9000,
                "支出类型": "费用化",
                "工号": "E001",
            },
            {
                "日期": D(2024, 2, 15),
                "凭证号": "记-0010",
                "项目编号": "P001",
                "摘要": "领用研发材料",
                "费用类别": "2 直接投入费用",
                "明细项目": "2.1 材料",
                "账载金额": 20000,
                "支出类型": "费用化",
            },
            {
                "日期": D(2024, 3, 20),
                "凭证号": "记-0025",
                "项目编号": "P001",
                "摘要": "支付专家咨询费",
                "费用类别": "6 其他相关费用",
                "明细项目": "6.1 技术图书资料、翻译、专家咨询、研发保险",
                "账载金额": 2000,
                "支出类型": "费用化",
            },
        ],
    ),
    SUMMARY.name: (
        [f.name for f in SUMMARY.fields],
        [
            {
                "项目编号": "P001",
                "人员人工费用": 39000,
                "直接投入费用": 20000,
                "折旧费用": 0,
                "无形资产摊销": 0,
                "新产品设计费等": 0,
                "其他相关费用": 2000,
                "委托研发费用": 0,
                "合计": 61000,
            }
        ],
    ),
}
TABLE_OPS = {"rows", "set", "add", "drop", "drop_rows", "header", "title_rows"}
EXPECT_KEYS = {"rule", "sheet", "row", "column", "cell", "severity"}
_SHEET_NAMES = {s.name for s in SHEETS}
_TABLE_NAMES = _SHEET_NAMES - {ENTERPRISE.name}
_ORDER = [ENTERPRISE.name, PROJECTS.name, LEDGER.name, SUMMARY.name, STAFF.name, ASSETS.name]


def check_example(given: Any, expect: Any) -> None:
    """Check an example's shape (not its outcome); raise ValueError with a one-line reason."""
    if not isinstance(given, dict):
        raise ValueError("given must be a mapping of sheet name to changes")
    for sheet, change in given.items():
        if sheet == "raw":
            if not isinstance(change, dict) or not all(isinstance(rows, list) for rows in change.values()):
                raise ValueError("raw must map sheet titles to lists of rows")
        elif sheet == "drop":
            if not isinstance(change, list) or not set(change) <= _SHEET_NAMES:
                raise ValueError(f"drop must list sheet names among {', '.join(_ORDER)}")
        elif sheet == ENTERPRISE.name:
            if not isinstance(change, dict):
                raise ValueError("企业信息 changes must be a mapping of key to value")
            if "drop" in change and not isinstance(change["drop"], list):
                raise ValueError("企业信息.drop must list keys")
        elif sheet in _TABLE_NAMES:
            if not isinstance(change, dict) or not set(change) <= TABLE_OPS:
                raise ValueError(f"{sheet} changes must use only {', '.join(sorted(TABLE_OPS))}")
            if "set" in change and not (
                isinstance(change["set"], dict) and all(isinstance(r, int) for r in change["set"])
            ):
                raise ValueError(f"{sheet}.set must map Excel row numbers to cells")
            for op in ("rows", "add"):
                if op in change and not (isinstance(change[op], list) and all(isinstance(r, dict) for r in change[op])):
                    raise ValueError(f"{sheet}.{op} must be a list of rows (mappings)")
        else:
            raise ValueError(f"unknown sheet {sheet!r} (use the canonical names: {', '.join(_ORDER)})")
    if not isinstance(expect, list):
        raise ValueError("expect must be a list")
    for item in expect:
        if not isinstance(item, dict) or not item or not set(item) <= EXPECT_KEYS:
            raise ValueError(f"each expected finding gives some of {', '.join(sorted(EXPECT_KEYS))}")


def example_sheets(given: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Return the example's workbook as sheets of rows: the base book with the example's changes."""
    dropped = set(given.get("drop") or [])
    sheets: dict[str, list[list[Any]]] = {}
    for name in _ORDER:
        if name in dropped:
            continue
        if name == ENTERPRISE.name:
            sheets[name] = _enterprise_rows(given.get(name) or {})
        elif name in BASE_TABLES or name in given:
            rows = _table_rows(name, given.get(name) or {})
            if rows is not None:
                sheets[name] = rows
    for title, rows in (given.get("raw") or {}).items():
        sheets[str(title)] = [list(row) if isinstance(row, list) else [row] for row in rows]
    return sheets


def example_book(given: dict[str, Any]) -> Book:
    """Return the Book of an example (see the module docstring for the format)."""
    return book_from_sheets(example_sheets(given), path="<example>")


def _enterprise_rows(change: dict[str, Any]) -> list[list[Any]]:
    pairs = [list(p) for p in BASE_ENTERPRISE]
    drop = set(change.get("drop") or [])
    for key, value in change.items():
        if key == "drop":
            continue
        for pair in pairs:
            if pair[0] == key:
                pair[1] = value
                break
        else:
            pairs.append([key, value])
    return [["项目", "值"], *(p for p in pairs if p[0] not in drop)]


def _table_rows(name: str, change: dict[str, Any]) -> list[list[Any]] | None:
    header, base = copy.deepcopy(BASE_TABLES.get(name, ([], [])))
    if "rows" in change:
        base = [dict(r) for r in change["rows"]]
    numbered: list[tuple[int | None, dict[str, Any]]] = [(i + 2, r) for i, r in enumerate(base)]
    for row, cells in (change.get("set") or {}).items():
        for number, record in numbered:
            if number == row:
                record.update(cells)
                break
        else:
            raise ValueError(f"{name}.set: no row {row}")
    template = base[0] if base else {}
    for added in change.get("add") or []:
        numbered.append((None, {**template, **added}))
    drop_rows = set(change.get("drop_rows") or [])
    records = [r for n, r in numbered if n not in drop_rows]
    for record in records:
        for column in record:
            if column not in header:
                header.append(column)
    header = [c for c in header if c not in set(change.get("drop") or [])]
    if not header:
        return None
    written = [str((change.get("header") or {}).get(c, c)) for c in header]
    rows = [written, *([r.get(c) for c in header] for r in records)]
    titles = int(change.get("title_rows") or 0)
    return [[f"{name}（示例）"] if i == 0 else [] for i in range(titles)] + rows
