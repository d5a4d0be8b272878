"""Conformance of validation to spec §2/§3/§6, from a workbook builder written from the spec alone.

The builder below does not use rdcheck's own example book or layout tables: it writes real .xlsx files the way
an enterprise's accountant (or another vendor's software) would, and runs them through ``rdcheck.api.check``.

1. A clean, realistic book (every 研发形式 twice, 资本化 and 部分资本化 projects, 委托 lines, 研发人员/研发设备/
   汇总表 consistent, 107-2 reported, 利润表研发费用 consistent) gives no error and no warning — and neither does
   any variant of it that §2 says must read the same (title rows, reordered columns, aliases, units, value forms).
2. Every rule of §3, planted once in the clean book, gives exactly its findings at the cells §3/§6 name, and no
   other error or warning beyond what the fault necessarily implies (each such extra is named where it is allowed).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from rdcheck.api import check
from rdcheck.checks.file import uscc_valid

D = dt.date
YEAR = 2024
THIS_YEAR = dt.date.today().year  # 2026 when written: 2026 is not in the future, 2027 is
ZERO = Decimal(0)

# ---------------------------------------------------------------- spec §2.4, written out independently

CATS = {
    1: "人员人工费用",
    2: "直接投入费用",
    3: "折旧费用",
    4: "无形资产摊销",
    5: "新产品设计费等",
    6: "其他相关费用",
    7: "委托研发费用",
    8: "不予加计的研发支出",
}
SUBS = {
    "1.1": "工资薪金",
    "1.2": "五险一金",
    "1.3": "外聘研发人员劳务费",
    "2.1": "材料",
    "2.3": "动力",
    "2.7": "研发仪器设备运行维护调整检验维修费",
    "3.1": "仪器",
    "3.2": "设备",
    "4.1": "软件",
    "5.1": "新产品设计费",
    "6.1": "技术图书资料、翻译、专家咨询、研发保险",
    "6.5": "差旅费、会议费",
    "7.1": "委托境内机构或个人",
    "7.2": "委托境外机构",
    "7.3": "委托境外个人",
    "8.1": "房屋建筑物折旧及长期待摊费用",
}

ENT_KEYS = [
    "统一社会信用代码",
    "企业名称",
    "所属年度",
    "行业代码",
    "所在区域",
    "高新技术企业",
    "科技型中小企业",
    "规模以上企业",
    "集成电路或工业母机企业",
    "营业收入",
    "企业所得税税率",
    "利润表研发费用",
    "申报加计扣除总额",
    "统计研究开发费用合计",
    "统计委托外部研究开发费用",
    "统计折旧费用与长期待摊费用",
    "统计研究开发人员",
    "当年形成研发固定资产",
    "征收方式",  # optional keys of issue 12: written empty unless a test sets them
    "负面清单行业收入占比",
]
PRJ_COLS = [
    "项目编号",
    "项目名称",
    "研发形式",
    "研究类型",
    "立项日期",
    "立项文号",
    "开始日期",
    "结束日期",
    "项目状态",
    "支出类型",
    "资本化开始日期",
    "研发人员数",
    "技术合同登记号",
]
LED_COLS = [
    "日期",
    "凭证号",
    "项目编号",
    "摘要",
    "费用类别",
    "明细项目",
    "账载金额",
    "可加计金额",
    "支出类型",
    "受托方",
    "受托方类型",
    "关联方",
    "工号",
    "资产编号",
]
SUM_COLS = ["项目编号", *(CATS[n] for n in range(1, 8)), "合计"]
STAFF_COLS = ["工号", "姓名", "人员类别", "全年工资薪金", "研发工时占比"]
ASSET_COLS = ["资产编号", "资产名称", "资产类别", "原值", "购置日期", "本年折旧摊销额", "研发使用比例"]

# GB 32100-2015: 17 characters weighted by 3^(i) mod 31, check = 31 - (sum mod 31), 31 -> 0.
_CODE = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_char(body17: str) -> str:
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(_CODE.index(c) * w for c, w in zip(body17, weights, strict=True))
    return _CODE[(31 - total % 31) % 31]


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def money(x: Any) -> Decimal:
    return Decimal(str(x))


# ---------------------------------------------------------------- the model of one enterprise's book


@dataclass
class Model:
    ent: dict[str, Any]
    projects: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    staff: list[dict[str, Any]] | None
    assets: list[dict[str, Any]] | None
    summary: list[dict[str, Any]] | None = None  # None: derived from the ledger
    derive: set[str] = field(default_factory=lambda: {"利润表研发费用", "申报加计扣除总额", "统计研究开发费用合计"})

    def copy(self) -> Model:
        return copy.deepcopy(self)

    def line(self, project: str, sub: str, n: int = 0) -> int:
        """Index of the n-th ledger line of a project with a sub-item."""
        hits = [i for i, r in enumerate(self.ledger) if r["项目编号"] == project and r["明细项目"] == sub]
        return hits[n]

    def project(self, pid: str) -> int:
        return next(i for i, p in enumerate(self.projects) if p["项目编号"] == pid)


def amount(value: Any) -> Decimal:
    """The builder's own reading of a written amount: planted unreadable values count as 0."""
    try:
        if isinstance(value, str) and value.endswith("万元"):
            return money(value[:-2]) * 10000
        if isinstance(value, str) and value.endswith("元"):
            return money(value[:-1])
        return money(value) if isinstance(value, (int, float, Decimal)) else ZERO
    except ArithmeticError:
        return ZERO


def cat(line: dict[str, Any]) -> int:
    return line["费用类别"] if isinstance(line["费用类别"], int) else 99


def eligible(line: dict[str, Any]) -> Decimal:
    if line.get("可加计金额") is not None:
        return amount(line["可加计金额"])
    return ZERO if line["费用类别"] == 8 else amount(line["账载金额"])


def in_year(line: dict[str, Any], year: int) -> bool:
    return isinstance(line["日期"], dt.date) and line["日期"].year == year


def summary_of(m: Model) -> list[dict[str, Any]]:
    year = m.ent["所属年度"]
    out = []
    for p in m.projects:
        row: dict[str, Any] = {"项目编号": p["项目编号"]}
        for n in range(1, 8):
            row[CATS[n]] = float(
                sum(
                    (eligible(r) for r in m.ledger if r["项目编号"] == p["项目编号"] and r["费用类别"] == n),
                    ZERO,
                )
            )
        row["合计"] = float(sum(money(row[CATS[n]]) for n in range(1, 8)))
        if any(r["项目编号"] == p["项目编号"] and in_year(r, year) for r in m.ledger):
            out.append(row)
    return out


def line51(m: Model) -> Decimal:
    """A107012 line 51 per spec §4.1 for the builder's books (no 43-49 keys; 2023-2027 rate 100%): the deductible
    amounts of the year's 费用化 lines (资本化 ones go to line 42 and are not deducted this year)."""
    year = m.ent["所属年度"]
    status = {p["项目编号"]: p["项目状态"] for p in m.projects}
    lines = [r for r in m.ledger if in_year(r, year)]

    def scope(r):
        return r["支出类型"] == "费用化" or status.get(r["项目编号"]) == "已完成"

    s5_in = sum((eligible(r) for r in lines if scope(r) and cat(r) <= 5), ZERO)
    c6_in = sum((eligible(r) for r in lines if scope(r) and cat(r) == 6), ZERO)
    c6_all = sum((eligible(r) for r in lines if cat(r) == 6), ZERO)
    allowed = min(c6_in, s5_in * Decimal("0.1") / Decimal("0.9"))
    line2 = sum((eligible(r) for r in lines if cat(r) <= 5), ZERO) + allowed + (c6_all - c6_in)
    l36 = sum((eligible(r) for r in lines if r["明细项目"] == "7.1"), ZERO)
    l37 = sum((eligible(r) for r in lines if r["明细项目"] == "7.2"), ZERO)
    l38 = min(l37 * Decimal("0.8"), (line2 + l36 * Decimal("0.8")) * 2 / 3)

    def factor(r):
        if cat(r) <= 5:
            return Decimal(1)
        if cat(r) == 6:
            return allowed / c6_in if scope(r) else Decimal(1)
        return {"7.1": Decimal("0.8"), "7.2": l38 / l37 if l37 else ZERO}.get(r["明细项目"], ZERO)

    return max(ZERO, sum((eligible(r) * factor(r) for r in lines if r["支出类型"] == "费用化"), ZERO))


def book_total(m: Model, expensed_only: bool = False) -> Decimal:
    year = m.ent["所属年度"]
    return sum(
        (
            amount(r["账载金额"])
            for r in m.ledger
            if in_year(r, year) and (not expensed_only or r["支出类型"] == "费用化")
        ),
        ZERO,
    )


def high_tech_total(m: Model) -> Decimal:
    """The year's R&D in the 高企认定工作指引 caliber (issue 12 point 2), from the text: 委托外部研究开发费用 at 80%
    of what was incurred; 其他费用 (here 6.x and 8.2) at most 20% of the total; everything else (1-5, 8.1 房屋折旧
    and 长期待摊) in full; 账载金额, 费用化 and 资本化."""
    year = m.ent["所属年度"]
    lines = [r for r in m.ledger if in_year(r, year)]
    sub = [str(r["明细项目"]) for r in lines]
    book = [amount(r["账载金额"]) for r in lines]
    other = sum((b for b, s_ in zip(book, sub, strict=True) if s_.startswith("6.") or s_ == "8.2"), ZERO)
    commissioned = sum((b for b, s_ in zip(book, sub, strict=True) if s_.startswith("7.")), ZERO) * Decimal("0.8")
    core = sum((b for b, s_ in zip(book, sub, strict=True) if s_[0] in "12345" or s_ == "8.1"), ZERO) + commissioned
    # other ≤ 20% × (core + other)
    return core + min(other, core * Decimal("0.2") / Decimal("0.8"))


def finalise(m: Model) -> Model:
    """Derive the keys a consistent enterprise would fill in from its ledger."""
    m = m.copy()
    if "利润表研发费用" in m.derive:
        m.ent["利润表研发费用"] = float(book_total(m, expensed_only=True))
    if "申报加计扣除总额" in m.derive:
        m.ent["申报加计扣除总额"] = float(line51(m).quantize(Decimal("0.01")))
    if "统计研究开发费用合计" in m.derive:
        m.ent["统计研究开发费用合计"] = float(book_total(m) / 1000)  # 千元, the key's documented unit
    if m.summary is None:
        m.summary = summary_of(m)
    return m


PROJECT_PLAN = [
    # id, name, form, type, expense, status, start, end, approved, capitalised from, contract
    ("RD2024-01", "高精度温度传感器研发", "自主研发", "应用研究", "费用化", "进行中", D(2024, 1, 1), D(2025, 6, 30)),
    ("RD2024-02", "新型电池管理系统开发", "自主研发", "试验发展", "资本化", "已完成", D(2023, 3, 1), D(2024, 11, 30)),
    (
        "RD2024-03",
        "工业视觉检测算法委托开发",
        "委托研发",
        "应用研究",
        "费用化",
        "已完成",
        D(2024, 1, 1),
        D(2024, 12, 31),
    ),
    ("RD2024-04", "高分子材料配方委托研究", "委托研发", "试验发展", "费用化", "进行中", D(2024, 1, 1), D(2025, 12, 31)),
    ("RD2024-05", "智能控制器联合开发", "合作研发", "试验发展", "部分资本化", "进行中", D(2024, 1, 1), D(2025, 12, 31)),
    ("RD2024-06", "新能源驱动电机研制", "合作研发", "应用研究", "费用化", "进行中", D(2023, 9, 1), D(2025, 8, 31)),
    ("RD2024-07", "传热机理基础研究", "集中研发", "基础研究", "费用化", "进行中", D(2024, 1, 1), D(2026, 12, 31)),
    ("RD2024-08", "低功耗芯片封装工艺开发", "集中研发", "试验发展", "资本化", "进行中", D(2024, 1, 1), D(2025, 12, 31)),
]
CAPITALISED_FROM = {"RD2024-02": D(2024, 1, 1), "RD2024-05": D(2024, 7, 1), "RD2024-08": D(2024, 1, 1)}


def clean_model() -> Model:
    projects = []
    for k, (pid, name, form, kind, expense, status, start, end) in enumerate(PROJECT_PLAN, 1):
        projects.append(
            {
                "项目编号": pid,
                "项目名称": name,
                "研发形式": form,
                "研究类型": kind,
                "立项日期": min(start, D(2024, 1, 1)) - dt.timedelta(days=10),
                "立项文号": f"研立〔{start.year}〕{k}号",
                "开始日期": start,
                "结束日期": end,
                "项目状态": status,
                "支出类型": expense,
                "资本化开始日期": CAPITALISED_FROM.get(pid),
                "研发人员数": 3 + k % 4,
                "技术合同登记号": f"3201012024{k:06d}" if form in ("委托研发", "合作研发") else None,
            }
        )
    ledger: list[dict[str, Any]] = []
    staff: list[dict[str, Any]] = []
    assets: list[dict[str, Any]] = []
    charged: dict[str, Decimal] = {}
    voucher = iter(range(101, 10_000))

    def add(pid, month, day, summary, cat, sub, amount, **extra):
        expense = "费用化"
        p = next(p for p in projects if p["项目编号"] == pid)
        date = D(YEAR, month, day)
        if p["支出类型"] == "资本化" or (p["支出类型"] == "部分资本化" and date >= p["资本化开始日期"]):
            expense = "资本化"
        line = {
            "日期": date,
            "凭证号": f"记-{next(voucher):04d}",
            "项目编号": pid,
            "摘要": summary,
            "费用类别": cat,
            "明细项目": sub,
            "账载金额": float(amount),
            "可加计金额": None,
            "支出类型": expense,
            "受托方": None,
            "受托方类型": None,
            "关联方": None,
            "工号": None,
            "资产编号": None,
        }
        line.update(extra)
        ledger.append(line)
        for key in ("工号", "资产编号"):
            if extra.get(key):
                charged[extra[key]] = charged.get(extra[key], ZERO) + money(amount)

    own = [p for p in projects if p["研发形式"] != "委托研发"]
    for k, p in enumerate(own):
        pid = p["项目编号"]
        emp, inst, soft, bld = f"E{k + 1:03d}", f"ZC-YQ-{k + 1:02d}", f"ZC-RJ-{k + 1:02d}", "ZC-FW-01"
        base = Decimal(18000 + 1500 * k)
        for q, month in enumerate((2, 5, 8, 11)):
            if p["项目编号"] == "RD2024-02" and month > 11:
                continue
            salary = base + q * 250 + Decimal("0.45")
            add(pid, month, 25, f"计提{month}月研发人员工资", 1, "1.1", salary, 工号=emp)
            add(
                pid,
                month,
                25,
                f"计提{month}月研发人员社保公积金",
                1,
                "1.2",
                (salary * Decimal("0.3")).quantize(Decimal("0.01")),
                工号=emp,
            )
            add(pid, month, 12, "领用研发材料", 2, "2.1", Decimal(9000 + 700 * q + 37 * k) + Decimal("0.3"))
            add(pid, month, 28, "分摊研发用电", 2, "2.3", Decimal(1200 + 45 * q + 11 * k))
            add(pid, month, 28, "计提研发设备折旧", 3, "3.2", Decimal(2300 + 13 * k), 资产编号=inst)
            add(pid, month, 28, "研发软件摊销", 4, "4.1", Decimal(800 + 9 * k), 资产编号=soft)
            add(pid, month, 28, "研发楼折旧（不予加计）", 8, "8.1", Decimal(1500 + 20 * k), 资产编号=bld)
        add(pid, 3, 18, "外聘专家劳务费", 1, "1.3", Decimal(6000 + 100 * k))
        add(pid, 4, 9, "新产品外观设计费", 5, "5.1", Decimal(8800 + 50 * k))
        add(pid, 6, 16, "专家咨询费", 6, "6.1", Decimal(2500 + 30 * k))
        add(pid, 9, 21, "研发人员参加学术会议差旅费", 6, "6.5", Decimal(1800 + 20 * k) + Decimal("0.6"))
        add(pid, 10, 10, "研发仪器维修", 2, "2.7", Decimal(3100 + 40 * k))
        if p["研发形式"] == "合作研发":
            add(
                pid,
                7,
                15,
                "支付合作单位研发款",
                7,
                "7.1",
                Decimal(20000 + 1000 * k),
                受托方="南京某研究院",
                受托方类型="境内研究机构",
                关联方="否",
            )
        staff.append({"工号": emp, "姓名": f"研发员{k + 1}", "人员类别": "研究人员", "研发工时占比": 0.8})
        assets.append(
            {
                "资产编号": inst,
                "资产名称": f"测试设备{k + 1}",
                "资产类别": "设备",
                "原值": 500000.0,
                "购置日期": D(2022, 5, 10),
                "研发使用比例": 0.9,
            }
        )
        assets.append(
            {
                "资产编号": soft,
                "资产名称": f"仿真软件{k + 1}",
                "资产类别": "软件",
                "原值": 120000.0,
                "购置日期": D(2023, 2, 1),
                "研发使用比例": 1,
            }
        )
    assets.append(
        {
            "资产编号": "ZC-FW-01",
            "资产名称": "研发楼",
            "资产类别": "房屋建筑物",
            "原值": 8000000.0,
            "购置日期": D(2015, 1, 1),
            "研发使用比例": 0.5,
        }
    )
    # an 仪器 with 研发使用比例 0: C07 concerns only assets used for R&D
    assets.append(
        {
            "资产编号": "ZC-YQ-99",
            "资产名称": "闲置示波器",
            "资产类别": "仪器",
            "原值": 30000.0,
            "购置日期": D(2020, 1, 1),
            "本年折旧摊销额": 3000.0,
            "研发使用比例": 0,
        }
    )
    for k, p in enumerate(p for p in projects if p["研发形式"] == "委托研发"):
        pid = p["项目编号"]
        for month in (3, 9):
            add(
                pid,
                month,
                20,
                f"支付委托研发款（记-0099号合同第{month // 3}期）",
                7,
                "7.1",
                Decimal(60000 + 5000 * k) + Decimal("0.5"),
                受托方=f"{'东南' if k else '江南'}大学",
                受托方类型="境内高等学校",
                关联方="否",
            )
        add(
            pid,
            6,
            30,
            "支付境外机构委托研发款",
            7,
            "7.2",
            Decimal(30000 + 1000 * k),
            受托方="Fraunhofer Institute",
            受托方类型="境外机构",
            关联方="否",
        )
        add(
            pid,
            11,
            30,
            "支付委托研发尾款",
            7,
            "7.1",
            Decimal(45000 + 2000 * k),
            受托方=f"{'东南' if k else '江南'}大学",
            受托方类型="境内高等学校",
            关联方="否",
        )
    for s in staff:
        s["全年工资薪金"] = float((charged[s["工号"]] * Decimal("1.5")).quantize(Decimal("0.01")))
    for a in assets:
        if "本年折旧摊销额" not in a:
            a["本年折旧摊销额"] = float((charged.get(a["资产编号"], ZERO) * Decimal(3)).quantize(Decimal("0.01")))
    ent = {
        "统一社会信用代码": uscc("91320804MA1XK7PQ2"),
        "企业名称": "淮安恒创智能科技有限公司",
        "所属年度": YEAR,
        "行业代码": "C3976",
        "所在区域": "高新区",
        "高新技术企业": "是",
        "科技型中小企业": "否",
        "规模以上企业": "是",
        "集成电路或工业母机企业": "否",
        "营业收入": None,
        "企业所得税税率": None,
        "利润表研发费用": None,
        "申报加计扣除总额": None,
        "统计研究开发费用合计": None,
        "统计委托外部研究开发费用": None,
        "统计折旧费用与长期待摊费用": None,
        "统计研究开发人员": 14,
        "当年形成研发固定资产": 260000,
    }
    m = Model(ent=ent, projects=projects, ledger=ledger, staff=staff, assets=assets)
    total = book_total(m)
    m.ent["营业收入"] = 30_000_000  # revenue <= 5000万: threshold 5%
    assert Decimal("0.052") < total / 30_000_000 < Decimal("0.06"), total
    m.ent["统计委托外部研究开发费用"] = float(
        sum((money(r["账载金额"]) for r in ledger if r["费用类别"] == 7), ZERO) / 1000
    )
    m.ent["统计折旧费用与长期待摊费用"] = float(
        sum((money(r["账载金额"]) for r in ledger if r["明细项目"] in ("3.1", "3.2", "8.1")), ZERO) / 1000
    )
    return m


# ---------------------------------------------------------------- writing a model as an .xlsx


@dataclass
class Style:
    """How a piece of software lays out the book (spec §2 says all of these read the same)."""

    titles: int = 0  # title rows above every header
    reverse: bool = False  # columns in reverse order
    extra_column: bool = False  # an unknown column (kept and ignored)
    names: dict[str, str] = field(default_factory=dict)  # canonical column/key/sheet name -> written name
    sheet_names: dict[str, str] = field(default_factory=dict)
    cell: Any = None  # fn(sheet, column, index, value) -> written value
    totals: bool = False  # 合计/小计 rows and blank rows in the tables
    drop_sheets: tuple[str, ...] = ()
    drop_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    drop_keys: tuple[str, ...] = ()


def table_rows(sheet: str, cols: list[str], records: list[dict[str, Any]], style: Style) -> list[list[Any]]:
    cols = [c for c in cols if c not in style.drop_columns.get(sheet, ())]
    if style.reverse:
        cols = cols[::-1]
    header = [style.names.get(c, c) for c in cols]
    if style.extra_column:
        header.insert(1, "备注")
    rows: list[list[Any]] = [
        [f"{sheet}（单位：元）"] if i == 0 else ["编制单位：淮安恒创智能科技有限公司"] for i in range(style.titles)
    ]
    rows.append(header)
    for i, rec in enumerate(records):
        values = [rec.get(c) for c in cols]
        if style.cell is not None:
            values = [style.cell(sheet, c, i, v) for c, v in zip(cols, values, strict=True)]
        if style.extra_column:
            values.insert(1, "见附件")
        rows.append(values)
        if style.totals and i % 7 == 6:
            rows.append([None] * len(header))
            rows.append(["  本月合计 "] + [None] * (len(header) - 1))
    if style.totals:
        rows.append(["合 计"] + [None] * (len(header) - 1))
        rows.append([None, "小计"] + [None] * (len(header) - 2))
    return rows


def sheets_of(m: Model, style: Style | None = None) -> dict[str, list[list[Any]]]:
    style = style or Style()
    m = finalise(m)
    ent_rows: list[list[Any]] = [["企业基本信息"] for _ in range(style.titles)]
    ent_rows.append([style.names.get("项目", "项目"), style.names.get("值", "值")])
    for key in ENT_KEYS:
        if key in style.drop_keys:
            continue
        value = m.ent.get(key)
        if style.cell is not None:
            value = style.cell("企业信息", key, 0, value)
        ent_rows.append([style.names.get(key, key), value])
    out = {"企业信息": ent_rows}
    out["研发项目"] = table_rows("研发项目", PRJ_COLS, m.projects, style)
    out["辅助账明细"] = table_rows("辅助账明细", LED_COLS, m.ledger, style)
    if m.summary is not None:
        out["汇总表"] = table_rows("汇总表", SUM_COLS, m.summary, style)
    if m.staff is not None:
        out["研发人员"] = table_rows("研发人员", STAFF_COLS, m.staff, style)
    if m.assets is not None:
        out["研发设备"] = table_rows("研发设备", ASSET_COLS, m.assets, style)
    return {style.sheet_names.get(k, k): v for k, v in out.items() if k not in style.drop_sheets}


def write_xlsx(path, sheets: dict[str, list[list[Any]]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_sheet("填表说明").append(["本工作簿按 rdcheck 标准模板填写"])
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


_counter = iter(range(1_000_000))


def run(tmp_path, m: Model, style: Style | None = None, lang: str = "zh"):
    path = tmp_path / f"book{next(_counter)}.xlsx"
    write_xlsx(path, sheets_of(m, style))
    return check(path, lang=lang)


def shown(findings) -> list[tuple]:
    return [(f.rule, f.severity, f.sheet, f.row, f.column, f.cell, f.message) for f in findings]


def loud(findings) -> list:
    return [f for f in findings if f.severity in ("error", "warning")]


# ---------------------------------------------------------------- 1. the clean book and its variants


@pytest.fixture(scope="module")
def clean() -> Model:
    return clean_model()


def test_builder_uscc_algorithm_matches_known_codes():
    # Codes constructed by the GB 32100-2015 algorithm and codes published by real organisations agree.
    for real in ("91110000100000000Q", "911100001000049634", "914403001922038216"):
        if uscc_check_char(real[:17]) == real[17]:
            assert uscc_valid(real)
    for body in ("91320804MA1XK7PQ2", "12100000400000001", "52320100MJ000000X", "93320800MA00000AA"):
        code = uscc(body)
        assert uscc_valid(code), code
        wrong = body + _CODE[(_CODE.index(code[17]) + 1) % 31]
        assert not uscc_valid(wrong), wrong


def test_clean_book_gives_no_error_or_warning(tmp_path, clean):
    report = run(tmp_path, clean)
    assert not loud(report.findings), shown(loud(report.findings))
    infos = sorted((f.rule, f.row) for f in report.findings)
    # the one 基础研究 project carries costs: T05 (info) at its row, nothing else
    assert infos == [("T05", 8)], shown(report.findings)
    assert Decimal(str(report.a107012["51"])) == line51(clean).quantize(Decimal("0.01"))
    assert report.status == "pass"


ENGLISH = {
    **{"企业信息": "enterprise", "研发项目": "projects", "辅助账明细": "ledger", "汇总表": "summary"},
    **{"研发人员": "staff", "研发设备": "assets", "项目": "key", "值": "value"},
    **dict(
        zip(
            ENT_KEYS,
            "uscc name year industry region high_tech tech_sme above_scale ic_or_machine_tool revenue "
            "tax_rate income_statement_rd claimed_deduction stat_rd_total stat_outsourced stat_depreciation "
            "stat_rd_staff rd_fixed_assets collection_method negative_list_share".split(),
            strict=True,
        )
    ),
    **dict(
        zip(
            PRJ_COLS,
            "project_id project_name rd_form research_type approval_date approval_no start_date "
            "end_date status expense_type capitalization_date staff_count contract_no".split(),
            strict=True,
        )
    ),
    **dict(
        zip(
            LED_COLS,
            "date voucher project_id summary category subitem amount eligible_amount expense_type "
            "contractor contractor_type related_party staff_id asset_id".split(),
            strict=True,
        )
    ),
    **{CATS[n]: f"cat{n}" for n in range(1, 8)},
    "合计": "total",
    **dict(zip(STAFF_COLS, "staff_id staff_name staff_type annual_salary rd_hours_ratio".split(), strict=True)),
    **dict(
        zip(
            ASSET_COLS,
            "asset_id asset_name asset_type original_value purchase_date annual_depreciation rd_use_ratio".split(),
            strict=True,
        )
    ),
}
SHEET_KEYS = ("企业信息", "研发项目", "辅助账明细", "汇总表", "研发人员", "研发设备")
AMOUNT_COLS = {
    "账载金额",
    "可加计金额",
    "全年工资薪金",
    "原值",
    "本年折旧摊销额",
    *(CATS[n] for n in range(1, 8)),
    "合计",
}
DATE_COLS = {"日期", "立项日期", "开始日期", "结束日期", "资本化开始日期", "购置日期"}
BOOL_KEYS = {"高新技术企业", "科技型中小企业", "规模以上企业", "集成电路或工业母机企业", "关联方"}


def _date_forms(sheet, column, i, value):
    if column not in DATE_COLS or not isinstance(value, dt.date):
        return value
    k = i % 6
    if k == 0:
        return value.isoformat()  # 2024-03-05
    if k == 1:
        return f"{value.year}/{value.month}/{value.day}"  # 2024/3/5
    if k == 2:
        return value.strftime("%Y.%m.%d")  # 2024.03.05
    if k == 3:
        return f"{value.year}年{value.month}月{value.day}日"
    if k == 4:
        return (value - D(1899, 12, 30)).days  # an Excel serial
    return dt.datetime(value.year, value.month, value.day)  # an Excel date


def _bool_forms(sheet, column, i, value):
    if column in BOOL_KEYS and value in ("是", "否"):
        yes = value == "是"
        forms = [("Y", "N"), ("√", "×"), (1, 0), ("yes", "no"), ("TRUE", "FALSE"), ("是", "否")]
        k = (i + len(column)) % len(forms)
        return forms[k][0 if yes else 1]
    return value


def _ratio_forms(sheet, column, i, value):
    if column in ("研发工时占比", "研发使用比例", "企业所得税税率") and value is not None:
        v = money(value)
        return [float(v), f"{v * 100:g}%", float(v * 100) if v * 100 > 1 else float(v)][i % 3]
    return value


def _category_forms(sheet, column, i, value):
    if sheet != "辅助账明细":
        return value
    if column == "费用类别":
        return [value, CATS[value], f"{value} {CATS[value]}", f"{value}{CATS[value]}"][i % 4]
    if column == "明细项目":
        forms = [value, SUBS[value], f"{value} {SUBS[value]}", float(value) if value != "1.10" else value]
        return forms[(i // 4) % 4]
    return value


def _text_numbers(sheet, column, i, value):
    if column in AMOUNT_COLS and isinstance(value, float):
        k = i % 5
        v = money(value)
        if k == 0:
            return f"{v:,.2f}"  # 1,234.50
        if k == 1:
            return f"{v:.2f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
        if k == 2:
            return f"{v}元"
        if k == 3 and sheet == "辅助账明细":
            return f"{(v / 10000).normalize():f}万元"  # a unit on the value wins over the header's
        return value
    return value


def _wan_headers(m: Model) -> tuple[Model, Style]:
    """账载金额/可加计金额 headed (万元) with values in 万元; 营业收入 (万元); 统计研究开发费用合计 given in 元."""
    m = finalise(m)
    for r in m.ledger:
        for c in ("账载金额", "可加计金额"):
            if r[c] is not None:
                r[c] = float(money(r[c]) / 10000)
        if r["凭证号"].endswith("5"):  # some lines carry their own unit: it wins over the header's
            r["账载金额"] = f"{money(r['账载金额']) * 10000:f}元"
    m.ent["营业收入"] = 3000  # 万元
    m.ent["统计研究开发费用合计"] = float(money(m.ent["统计研究开发费用合计"]) * 1000)  # given in 元
    m.derive = set()
    names = {
        "账载金额": "账载金额（万元）",
        "可加计金额": " 可加计金额 (万元) ",
        "营业收入": "营业收入（万元）",
        "统计研究开发费用合计": "统计研究开发费用合计（元）",
        "全年工资薪金": "全年工资薪金(元)",
    }
    return m, Style(names=names)


def _chain(*fns):
    def cell(sheet, column, i, value):
        for fn in fns:
            value = fn(sheet, column, i, value)
        return value

    return cell


def _reversal(m: Model) -> Model:
    m = m.copy()
    i = m.line("RD2024-01", "2.1", 1)
    wrong = dict(m.ledger[i], 凭证号="记-0901", 摘要="领用研发材料（重复入账）", 账载金额=4321.0)
    back = dict(wrong, 凭证号="记-0902", 摘要="冲销记-0901号凭证", 账载金额=-4321.0)
    back2 = dict(wrong, 凭证号="记-0903", 摘要="红字冲回 记0901", 账载金额=4321.0)
    back3 = dict(wrong, 凭证号="记-0904", 摘要="冲销第0903号凭证", 账载金额=-4321.0)
    m.ledger[i + 1 : i + 1] = [wrong, back, back2, back3]
    return m


def _eligible_filled(m: Model) -> Model:
    m = m.copy()
    for r in m.ledger:
        r["可加计金额"] = 0.0 if r["费用类别"] == 8 else r["账载金额"]
    return m


def _summary_numbered(m: Model) -> tuple[Model, Style]:
    names = {CATS[n]: f"({n}){CATS[n]}" for n in range(1, 8)}
    names.update({CATS[1]: "1 人员人工费用", CATS[2]: "（2）直接投入费用", CATS[3]: "3、折旧费用"})
    return m, Style(names={**names, "合计": "合计"})


def _variants():
    v: dict[str, Any] = {
        "titles above header": lambda m: (m, Style(titles=3)),
        "reordered columns, unknown column": lambda m: (m, Style(reverse=True, extra_column=True)),
        "English aliases": lambda m: (m, Style(names=ENGLISH, sheet_names=ENGLISH)),
        "official 2021 names": lambda m: (
            m,
            Style(names={"账载金额": "会计凭证记载金额", "可加计金额": "税法规定的归集金额", "凭证号": "凭证号数"}),
        ),
        "full-width and spaced headers": lambda m: (
            m,
            Style(
                names={"账载金额": " 账载金额 （元） ", "项目编号": "项目编号　", "日期": "日 期"},
                sheet_names={"辅助账明细": " 辅助账明细 "},
            ),
        ),
        "万元 headers and values with units": _wan_headers,
        "categories and sub-items in every form": lambda m: (m, Style(cell=_category_forms)),
        "dates as text and serials": lambda m: (m, Style(cell=_date_forms)),
        "是/否 as Y/N/√/×/1/0": lambda m: (m, Style(cell=_bool_forms)),
        "ratios as 0.6/60%/60": lambda m: (m, Style(cell=_ratio_forms)),
        "numbers as text": lambda m: (m, Style(cell=_text_numbers)),
        "total and blank rows": lambda m: (m, Style(totals=True)),
        "可加计金额 filled in": lambda m: (_eligible_filled(m), None),
        "reversal lines naming the voucher": lambda m: (_reversal(m), None),
        "汇总表 with numbered headers": _summary_numbered,
        "optional sheets and keys absent": lambda m: (
            m,
            Style(
                drop_sheets=("研发人员", "研发设备"),
                drop_keys=(
                    "企业所得税税率",
                    "统计委托外部研究开发费用",
                    "统计折旧费用与长期待摊费用",
                    "当年形成研发固定资产",
                    "申报加计扣除总额",
                    "利润表研发费用",
                ),
            ),
        ),
        "ledger without 工号/资产编号/可加计金额 columns": lambda m: (
            m,
            Style(drop_columns={"辅助账明细": ("工号", "资产编号", "可加计金额")}),
        ),
        "everything at once": lambda m: (
            _reversal(m),
            Style(
                titles=2,
                reverse=True,
                extra_column=True,
                totals=True,
                names={
                    "账载金额": "会计凭证记载金额（元）",
                    "可加计金额": "税法规定的归集金额",
                    "凭证号": "凭证号数",
                    CATS[1]: "(1)人员人工费用",
                },
                sheet_names={"辅助账明细": "ledger", "研发项目": "projects"},
                cell=_chain(_date_forms, _bool_forms, _ratio_forms, _category_forms, _text_numbers),
            ),
        ),
    }
    return v


VARIANTS = _variants()


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_of_the_clean_book_reads_the_same(tmp_path, clean, name):
    m, style = VARIANTS[name](clean)
    report = run(tmp_path, m, style)
    assert not loud(report.findings), shown(loud(report.findings))
    assert sorted(f.rule for f in report.findings) == ["T05"], shown(report.findings)
    base = run(tmp_path, clean)
    if name not in ("reversal lines naming the voucher", "everything at once"):
        assert report.a107012 == base.a107012, name
        if name != "optional sheets and keys absent":  # 当年形成研发固定资产 dropped: intramural changes
            assert report.stats == base.stats, name


# ---------------------------------------------------------------- 2. one planted fault per rule


def at_line(i: int, column: str) -> tuple:
    return ("辅助账明细", i + 2, column, f"{letter(LED_COLS.index(column))}{i + 2}")


def at_project(j: int, column: str) -> tuple:
    return ("研发项目", j + 2, column, f"{letter(PRJ_COLS.index(column))}{j + 2}")


def at_key(key: str) -> tuple:
    row = ENT_KEYS.index(key) + 2
    return ("企业信息", row, key, f"B{row}")


def at_row(sheet: str, cols: list[str], i: int, column: str) -> tuple:
    return (sheet, i + 2, column, f"{letter(cols.index(column))}{i + 2}")


def whole(sheet: str | None, column: str | None = None) -> tuple:
    return (sheet, None, column, None)


def planted(tmp_path, m: Model, rule: str, want: list[tuple], extra: tuple[str, ...] = (), style=None, lang="zh"):
    """Run a faulty book: the rule's findings are exactly ``want`` ((severity, sheet, row, column, cell) each);
    other errors and warnings only of the rules in ``extra`` (each a necessary consequence of the fault)."""
    report = run(tmp_path, m, style, lang=lang)
    got = sorted(((f.severity, f.sheet, f.row, f.column, f.cell) for f in report.findings if f.rule == rule), key=repr)
    assert got == sorted(want, key=repr), shown([f for f in report.findings if f.rule == rule])
    others = [f for f in loud(report.findings) if f.rule != rule and f.rule not in extra]
    assert not others, shown(others)
    return [f for f in report.findings if f.rule == rule]


E, W, INFO = "error", "warning", "info"


def test_F01_required_sheet_missing(tmp_path, clean):
    planted(tmp_path, clean, "F01", [(E, *whole("研发项目"))], style=Style(drop_sheets=("研发项目",)))
    # without the ledger the income statement's 研发费用 has nothing behind it (B12), the claim exceeds the
    # computed 0 (C10) and the 高新 ratio is 0 (T04): each a true statement about the book as it stands
    planted(
        tmp_path,
        clean,
        "F01",
        [(E, *whole("辅助账明细"))],
        extra=("B12", "C10", "T04"),
        style=Style(drop_sheets=("辅助账明细",)),
    )


def test_F02_required_column_or_key_missing(tmp_path, clean):
    planted(
        tmp_path, clean, "F02", [(E, *whole("辅助账明细", "摘要"))], style=Style(drop_columns={"辅助账明细": ("摘要",)})
    )
    planted(tmp_path, clean, "F02", [(E, *whole("企业信息", "所在区域"))], style=Style(drop_keys=("所在区域",)))
    planted(
        tmp_path,
        clean,
        "F02",
        [(E, *whole("研发人员", "研发工时占比"))],
        style=Style(drop_columns={"研发人员": ("研发工时占比",)}),
    )


def test_F03_required_cell_empty(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-06", "2.1")
    m.ledger[i]["摘要"] = "  "
    planted(tmp_path, m, "F03", [(E, *at_line(i, "摘要"))])
    m = clean.copy()
    m.ent["企业名称"] = None
    planted(tmp_path, m, "F03", [(E, *at_key("企业名称"))])
    m = clean.copy()
    m.projects[3]["项目状态"] = None
    planted(tmp_path, m, "F03", [(E, *at_project(3, "项目状态"))])
    # conditional requirements are not F03's: 受托方 on a category 7 line is B09's
    m = clean.copy()
    i = m.line("RD2024-03", "7.1")
    m.ledger[i]["受托方"] = None
    planted(tmp_path, m, "F03", [], extra=("B09",))


def test_F04_wrong_type(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-06", "2.3")
    m.ledger[i]["账载金额"] = "一千二"
    planted(tmp_path, m, "F04", [(E, *at_line(i, "账载金额"))])
    m = clean.copy()
    i = m.line("RD2024-01", "6.1")
    m.ledger[i]["日期"] = "2024-02-30"
    planted(tmp_path, m, "F04", [(E, *at_line(i, "日期"))])
    m = clean.copy()
    m.ent["营业收入"] = "三千万"
    planted(tmp_path, m, "F04", [(E, *at_key("营业收入"))])


def test_F05_not_in_allowed_list(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-01", "2.3")
    m.ledger[i]["费用类别"] = "9 其他费用"
    planted(tmp_path, m, "F05", [(E, *at_line(i, "费用类别"))])
    m = clean.copy()
    m.ledger[i]["明细项目"] = "1.1 工资薪金"  # not a sub-item of category 2
    planted(tmp_path, m, "F05", [(E, *at_line(i, "明细项目"))])
    m = clean.copy()
    m.ledger[i]["支出类型"] = "待摊"
    planted(tmp_path, m, "F05", [(E, *at_line(i, "支出类型"))])
    m = clean.copy()
    m.projects[0]["研发形式"] = "引进研发"
    planted(tmp_path, m, "F05", [(E, *at_project(0, "研发形式"))])
    m = clean.copy()
    m.ent["高新技术企业"] = "可能"
    planted(tmp_path, m, "F05", [(E, *at_key("高新技术企业"))])


@pytest.mark.parametrize("body", ["91320804MA1XK7PQ2", "12100000400000001", "93320800MA00000AA"])
def test_F06_check_digit(tmp_path, clean, body):
    good = uscc(body)
    m = clean.copy()
    m.ent["统一社会信用代码"] = good.lower() if body.startswith("9") else good
    planted(tmp_path, m, "F06", [])
    m.ent["统一社会信用代码"] = body + _CODE[(_CODE.index(good[17]) + 5) % 31]
    planted(tmp_path, m, "F06", [(E, *at_key("统一社会信用代码"))])
    m.ent["统一社会信用代码"] = good[:17]  # 17 characters
    planted(tmp_path, m, "F06", [(E, *at_key("统一社会信用代码"))])
    m.ent["统一社会信用代码"] = good.replace("0", "O", 1) if "0" in good else "I" + good[1:]
    planted(tmp_path, m, "F06", [(E, *at_key("统一社会信用代码"))])


def test_F07_date_outside_year(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-06", "6.1")  # the project started in 2023-09 and was approved before
    m.ledger[i]["日期"] = D(2023, 12, 28)
    m.summary = finalise(clean).summary  # the 汇总表 still holds the line: its tie is not the fault
    planted(tmp_path, m, "F07", [(E, *at_line(i, "日期"))])
    # a tester who moved the line and rebuilt the 汇总表 from the year's lines gets F07 alone as well
    planted(tmp_path, m.copy().__class__(**{**m.__dict__, "summary": None}), "F07", [(E, *at_line(i, "日期"))])


def test_F08_decimals_and_negatives(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-07", "2.3")
    m.ledger[i]["账载金额"] = 1234.567
    planted(tmp_path, m, "F08", [(W, *at_line(i, "账载金额"))])
    m = clean.copy()
    m.ledger[i]["账载金额"] = -1200.0  # negative, and 摘要 names no voucher
    planted(tmp_path, m, "F08", [(W, *at_line(i, "账载金额"))])
    m.ledger[i]["摘要"] = "冲销记-0105号凭证多计电费"
    planted(tmp_path, m, "F08", [])
    # 0.001 万元 is 10 yuan: judged in yuan after scaling, fine; 0.0000001 万元 is 0.001 yuan: too precise
    m = clean.copy()
    j = m.line("RD2024-07", "2.1")
    m.ledger[j]["账载金额"] = "0.001万元"
    planted(tmp_path, m, "F08", [])
    m.ledger[j]["账载金额"] = "0.0000001万元"
    planted(tmp_path, m, "F08", [(W, *at_line(j, "账载金额"))])


def test_F09_only_repeats_after_the_first(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-05", "2.1", 1)
    m.ledger[i + 1 : i + 1] = [dict(m.ledger[i]), dict(m.ledger[i])]
    # the repeats are the enterprise's own double entry: its 汇总表 may hold them or not
    planted(tmp_path, m, "F09", [(W, *at_line(i + 1, "凭证号")), (W, *at_line(i + 2, "凭证号"))])
    m.summary = finalise(clean).summary
    found = planted(tmp_path, m, "F09", [(W, *at_line(i + 1, "凭证号")), (W, *at_line(i + 2, "凭证号"))])
    assert f"第 {i + 2} 行" in found[0].message
    # same voucher, other amount: a split line, not a repeat
    m = clean.copy()
    m.ledger.insert(i + 1, dict(m.ledger[i], 账载金额=99.0))
    planted(tmp_path, m, "F09", [])


@pytest.mark.parametrize(
    ("year", "want"), [(2020, "early"), (2021, None), (THIS_YEAR, None), (THIS_YEAR + 1, "future")]
)
def test_F10_year_range(tmp_path, clean, year, want):
    # the whole book moved to the year, so only the year itself can be wrong
    m = clean.copy()
    shift = year - YEAR

    def move(d):
        if not isinstance(d, dt.date):
            return d
        try:
            return d.replace(year=d.year + shift)
        except ValueError:
            return d.replace(year=d.year + shift, day=28)

    for rec in (*m.projects, *m.ledger, *m.assets):
        for k, v in rec.items():
            rec[k] = move(v)
    m.ent["所属年度"] = year
    extra = ("C09", "C10") if year == 2021 else ()  # 2021: 75% for non-manufacturing; C3976 is manufacturing
    planted(tmp_path, m, "F10", [(E, *at_key("所属年度"))] if want else [], extra=extra)


def test_F10_year_alone_changed_is_one_finding(tmp_path, clean):
    # only 所属年度 changed: every line is now outside the year, but the year is the one cause
    for year in (2019, THIS_YEAR + 1):
        m = clean.copy()
        m.ent["所属年度"] = year
        m.derive = set()
        m = finalise(clean.copy())
        m.ent["所属年度"] = year
        m.derive = set()
        planted(tmp_path, m, "F10", [(E, *at_key("所属年度"))])


def test_B01_unknown_project(tmp_path, clean):
    m = clean.copy()
    m.summary = finalise(clean).summary
    i = m.line("RD2024-07", "2.3", 2)
    m.ledger[i]["项目编号"] = "RD2099-01"
    # the line left RD2024-07's 直接投入费用: the 汇总表 that holds it no longer ties (B06 at that cell)
    planted(tmp_path, m, "B01", [(E, *at_line(i, "项目编号"))], extra=("B06",))
    m.summary = None  # a 汇总表 made from the ledger as it stands: B01 alone
    planted(tmp_path, m, "B01", [(E, *at_line(i, "项目编号"))])


def test_B02_active_project_without_lines(tmp_path, clean):
    m = clean.copy()
    base = dict(m.projects[0], 项目名称="新型储能材料研发")
    m.projects.append(dict(base, 项目编号="RD2024-09", 开始日期=D(2024, 6, 1), 结束日期=D(2025, 5, 31)))
    m.projects.append(dict(base, 项目编号="RD2025-01", 开始日期=D(2025, 1, 1), 结束日期=D(2025, 12, 31)))
    m.projects.append(
        dict(base, 项目编号="RD2023-09", 开始日期=D(2022, 1, 1), 结束日期=D(2023, 12, 31), 项目状态="已完成")
    )
    planted(tmp_path, m, "B02", [(W, *at_project(8, "项目编号"))])


def test_B03_approval(tmp_path, clean):
    m = clean.copy()
    m.projects[2]["立项文号"] = None
    # 立项文号 is also required unconditionally (§2.2): F03 at the same cell
    planted(tmp_path, m, "B03", [(E, *at_project(2, "立项文号"))], extra=("F03",))
    m = clean.copy()
    m.projects[4]["立项日期"] = None
    planted(tmp_path, m, "B03", [(E, *at_project(4, "立项日期"))], extra=("F03",))
    m = clean.copy()
    m.projects[0]["立项日期"] = D(2024, 2, 26)  # first line 2024-02-12: 事后立项
    found = planted(tmp_path, m, "B03", [(E, *at_project(0, "立项日期"))])
    assert "2024-02-26" in found[0].message and "2024-02-12" in found[0].message
    m.projects[0]["立项日期"] = D(2024, 2, 12)  # approved the day of the first line: fine
    planted(tmp_path, m, "B03", [])


def test_B04_inverted_period_is_one_finding(tmp_path, clean):
    m = clean.copy()
    m.projects[0]["开始日期"], m.projects[0]["结束日期"] = D(2024, 12, 31), D(2024, 1, 1)
    planted(tmp_path, m, "B04", [(E, *at_project(0, "结束日期"))])  # and no B05 on its lines
    m = clean.copy()
    m.projects[6]["结束日期"] = D(2023, 12, 31)  # ends before it starts, and before the year
    planted(tmp_path, m, "B04", [(E, *at_project(6, "结束日期"))])


def test_B05_line_outside_period(tmp_path, clean):
    m = clean.copy()
    m.projects[0]["开始日期"] = D(2024, 3, 1)
    i, j = m.line("RD2024-01", "2.1", 0), m.line("RD2024-01", "1.1", 0)
    planted(
        tmp_path,
        m,
        "B05",
        [
            (W, *at_line(i, "日期")),
            (W, *at_line(j, "日期")),
            (W, *at_line(j + 1, "日期")),
            (W, *at_line(i + 1, "日期")),
            (W, *at_line(i + 2, "日期")),
            (W, *at_line(i + 3, "日期")),
            (W, *at_line(i + 4, "日期")),
        ],
    )


def test_B06_summary_cell(tmp_path, clean):
    m = clean.copy()
    m.summary = finalise(clean).summary
    m.summary[3][CATS[7]] += 500.0
    planted(tmp_path, m, "B06", [(E, *at_row("汇总表", SUM_COLS, 3, CATS[7]))])
    m.summary[3][CATS[7]] -= 500.0
    m.summary[3][CATS[7]] += 0.99  # within 1 yuan
    planted(tmp_path, m, "B06", [])
    m = clean.copy()
    m.summary = finalise(clean).summary
    del m.summary[5]  # a project with lines has no 汇总表 row: no cell to point at
    found = planted(tmp_path, m, "B06", [(E, *whole("汇总表", "项目编号"))])
    assert "RD2024-06" in found[0].message


def test_B07_no_summary(tmp_path, clean):
    planted(tmp_path, clean, "B07", [(W, *whole("汇总表"))], style=Style(drop_sheets=("汇总表",)))


def test_B08_three_cases(tmp_path, clean):
    # 1. a 资本化 line on a 费用化 project
    m = clean.copy()
    i = m.line("RD2024-01", "2.1", 2)
    m.ledger[i]["支出类型"] = "资本化"
    planted(tmp_path, m, "B08", [(E, *at_line(i, "支出类型"))])
    # 2. a 资本化 line before the project's 资本化开始日期 (部分资本化 from 2024-07-01)
    m = clean.copy()
    i = m.line("RD2024-05", "2.1", 1)  # 2024-05-12
    m.ledger[i]["支出类型"] = "资本化"
    planted(tmp_path, m, "B08", [(E, *at_line(i, "支出类型"))])
    # 3. a 资本化 project without 资本化开始日期: its capitalised lines have nothing to start from
    m = clean.copy()
    m.projects[7]["资本化开始日期"] = None
    want = [
        (E, *at_line(k, "支出类型"))
        for k, r in enumerate(m.ledger)
        if r["项目编号"] == "RD2024-08" and r["支出类型"] == "资本化"
    ]
    planted(tmp_path, m, "B08", want)


@pytest.mark.parametrize("column", ["受托方", "受托方类型", "关联方"])
def test_B09_contract_line_incomplete(tmp_path, clean, column):
    m = clean.copy()
    i = m.line("RD2024-04", "7.1", 1)
    m.ledger[i][column] = None
    planted(tmp_path, m, "B09", [(E, *at_line(i, column))])


@pytest.mark.parametrize("j", [2, 4])  # 委托研发 (with a 委托境外机构 line), 合作研发
def test_B10_no_contract_number(tmp_path, clean, j):
    m = clean.copy()
    m.projects[j]["技术合同登记号"] = None
    abroad = any(r["项目编号"] == m.projects[j]["项目编号"] and r["明细项目"] == "7.2" for r in m.ledger)
    if abroad:
        # 财税〔2018〕64号 二: the overseas contract must be registered: B15 (error) says so, B10 does not repeat it
        planted(tmp_path, m, "B10", [], extra=("B15",))
        planted(tmp_path, m, "B15", [(E, *at_project(j, "技术合同登记号"))])
    else:
        planted(tmp_path, m, "B10", [(W, *at_project(j, "技术合同登记号"))])


def test_B15_overseas_line_on_an_own_project(tmp_path, clean):
    """财税〔2018〕64号 二: 委托境外进行研发活动应签订技术开发合同，并由委托方到科技行政主管部门进行登记 — also on a
    自主研发 project, which B10 does not ask about."""
    m = clean.copy()
    own = next(j for j, p in enumerate(m.projects) if p["研发形式"] == "自主研发")
    pid = m.projects[own]["项目编号"]
    i = m.line("RD2024-04", "7.2")
    m.ledger.insert(i + 1, dict(m.ledger[i], 凭证号="记-0990", 项目编号=pid, 账载金额=5000.0))
    m.projects[own]["技术合同登记号"] = None
    planted(tmp_path, m, "B15", [(E, *at_project(own, "技术合同登记号"))], extra=("B11", "B05", "B06"))


def test_B11_form_and_categories(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-03", "7.1")
    m.ledger.insert(
        i + 1,
        dict(
            m.ledger[i],
            凭证号="记-0950",
            摘要="委托项目领用材料",
            费用类别=2,
            明细项目="2.1",
            账载金额=3000.0,
            受托方=None,
            受托方类型=None,
            关联方=None,
        ),
    )
    planted(tmp_path, m, "B11", [(W, *at_project(2, "研发形式"))])
    m = clean.copy()
    i = m.line("RD2024-01", "2.1")
    m.ledger.insert(
        i + 1,
        dict(
            m.ledger[i],
            凭证号="记-0951",
            摘要="支付委托开发款",
            费用类别=7,
            明细项目="7.1",
            账载金额=3000.0,
            受托方="江南大学",
            受托方类型="境内高等学校",
            关联方="否",
        ),
    )
    planted(tmp_path, m, "B11", [(W, *at_project(0, "研发形式"))])


def test_B12_empty_ledger(tmp_path, clean):
    m = clean.copy()
    m.ledger = []
    m.summary = []
    m.derive = {"申报加计扣除总额", "统计研究开发费用合计"}
    m.ent["利润表研发费用"] = 1_200_000.0
    # the 高新 ratio of an empty ledger is 0 (T04); no project has a line, but that is this one cause (no B02)
    planted(tmp_path, m, "B12", [(E, *at_key("利润表研发费用"))], extra=("T04",))


# ---------------------------------------------------------------- C


def _with_other_costs(m: Model, amount: float) -> Model:
    m = m.copy()
    i = m.line("RD2024-01", "6.1")
    m.ledger.insert(i + 1, dict(m.ledger[i], 凭证号="记-0960", 摘要="研发保险费", 账载金额=amount))
    return m


def test_C01_other_costs_over_limit(tmp_path, clean):
    found = planted(tmp_path, _with_other_costs(clean, 160000.0), "C01", [(INFO, *whole("辅助账明细", "费用类别"))])
    assert "元" in found[0].message and "," in found[0].message
    planted(tmp_path, _with_other_costs(clean, 1000.0), "C01", [])


def test_C02_overseas_over_limit(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-04", "7.2")
    m.ledger[i]["账载金额"] = 2_000_000.0
    # 2,000,000 commissioned abroad also makes the domestic share of the 高企 caliber < 60% (T04) and commissioning
    # > 50% of R&D (T09): each a true statement about this book
    planted(tmp_path, m, "C02", [(INFO, *whole("辅助账明细", "明细项目"))], extra=("C14", "T04", "T09"))


def test_C03_overseas_individual(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-04", "7.2")
    m.ledger[i].update(明细项目="7.3", 受托方="John Smith", 受托方类型="境外个人")
    planted(tmp_path, m, "C03", [(W, *at_line(i, "明细项目"))])


def test_C04_negative_list(tmp_path, clean):
    """国家税务总局公告2015年第97号 四: excluded when the negative-list revenue is 50%（不含）以上; the code alone only
    names the industry (a warning asking for the share), and the deduction is computed as usual."""
    m = clean.copy()
    m.ent["行业代码"] = "F5123"  # 批发业
    planted(tmp_path, m, "C04", [(W, *at_key("行业代码"))])
    m.ent["负面清单行业收入占比"] = "50%"  # not above one half
    planted(tmp_path, m, "C04", [])
    m.ent["负面清单行业收入占比"] = "60%"
    # line 51 is now 0: the claim is not compared (the exclusion is the one cause, no C10 besides)
    planted(tmp_path, m, "C04", [(E, *at_key("负面清单行业收入占比"))])


def test_C04_deemed_profit(tmp_path, clean):
    """财税〔2015〕119号 五（一）: 适用于会计核算健全、实行查账征收并能够准确归集研发费用的居民企业."""
    m = clean.copy()
    m.ent["征收方式"] = "核定征收"
    planted(tmp_path, m, "C04", [(E, *at_key("征收方式"))])
    m.ent["征收方式"] = "查账征收"
    planted(tmp_path, m, "C04", [])


def test_C05_eligible_over_book(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-06", "2.3")
    m.ledger[i]["可加计金额"] = m.ledger[i]["账载金额"] + 100
    planted(tmp_path, m, "C05", [(E, *at_line(i, "可加计金额"))])
    m = clean.copy()
    i = m.line("RD2024-06", "8.1")
    m.ledger[i]["可加计金额"] = 100.0
    planted(tmp_path, m, "C05", [(E, *at_line(i, "可加计金额"))])
    m.ledger[i]["可加计金额"] = 0.0
    planted(tmp_path, m, "C05", [])
    m = clean.copy()  # a reversal: |-500| <= |-500|
    i = m.line("RD2024-06", "2.3")
    m.ledger.insert(
        i + 1, dict(m.ledger[i], 凭证号="记-0970", 摘要="冲销记-0130号凭证", 账载金额=-500.0, 可加计金额=-500.0)
    )
    planted(tmp_path, m, "C05", [])


def test_C06_per_project(tmp_path, clean):
    m = clean.copy()
    m.ledger = [r for r in m.ledger if not (r["项目编号"] == "RD2024-05" and r["明细项目"] == "1.2")]
    planted(tmp_path, m, "C06", [(W, *at_project(4, "项目编号"))])


def test_C07_asset_without_depreciation(tmp_path, clean):
    m = clean.copy()
    m.assets.append(
        {
            "资产编号": "ZC-YQ-50",
            "资产名称": "光谱仪",
            "资产类别": "仪器",
            "原值": 90000.0,
            "购置日期": D(2023, 6, 1),
            "本年折旧摊销额": 9000.0,
            "研发使用比例": "100%",
        }
    )
    k = len(m.assets) - 1
    planted(tmp_path, m, "C07", [(W, *at_row("研发设备", ASSET_COLS, k, "资产编号"))])
    # without a 资产编号 column: only a ledger with no category 3 line at all is at fault
    style = Style(drop_columns={"辅助账明细": ("资产编号",)})
    planted(tmp_path, m, "C07", [], style=style)
    m.ledger = [r for r in m.ledger if r["费用类别"] != 3]
    want = [
        (W, *at_row("研发设备", ASSET_COLS, n, "资产编号"))
        for n, a in enumerate(m.assets)
        if a["资产类别"] in ("仪器", "设备") and money(str(a["研发使用比例"]).rstrip("%")) > 0
    ]
    planted(tmp_path, m, "C07", want, style=style)


def test_C08_income_statement(tmp_path, clean):
    expensed = book_total(clean, expensed_only=True)
    m = clean.copy()
    m.derive.discard("利润表研发费用")
    m.ent["利润表研发费用"] = float(expensed * Decimal("1.05"))  # exactly 5%: fine
    planted(tmp_path, m, "C08", [])
    m.ent["利润表研发费用"] = float(expensed * Decimal("1.05") + 10)
    planted(tmp_path, m, "C08", [(W, *at_key("利润表研发费用"))])
    m.ent["利润表研发费用"] = float(expensed * Decimal("0.94"))
    planted(tmp_path, m, "C08", [(W, *at_key("利润表研发费用"))])


@pytest.mark.parametrize(
    ("factor", "rule", "severity"),
    [("0.99", None, None), ("0.989", "C09", W), ("1.01", None, None), ("1.011", "C10", E)],
)
def test_C09_C10_one_percent_both_ways(tmp_path, clean, factor, rule, severity):
    m = clean.copy()
    m.derive.discard("申报加计扣除总额")
    rounding = "ROUND_UP" if Decimal(factor) < 1 else "ROUND_DOWN"  # stay on the boundary's right side
    m.ent["申报加计扣除总额"] = float((line51(m) * Decimal(factor)).quantize(Decimal("0.01"), rounding=rounding))
    for r in ("C09", "C10"):
        planted(tmp_path, m, r, [(severity, *at_key("申报加计扣除总额"))] if r == rule else [], extra=("C09", "C10"))


def test_C09_C10_in_2022_are_modelled(tmp_path, clean):
    """公告2022年第28号: a 75% enterprise gets 100% on spending from 2022-10-01 — modelled by the lines' dates, so
    the claim is compared at full severity; a claim above even 100% of the base is an over-claim (issue 12 point 4)."""
    m = clean.copy()
    for rec in (*m.projects, *m.ledger, *m.assets):
        for k, v in rec.items():
            if isinstance(v, dt.date):
                rec[k] = v.replace(year=v.year - 2)
    m.ent["所属年度"] = 2022
    m.ent["行业代码"] = "I6513"  # software, not 科技型中小企业: 75%, 100% from October
    m.derive.discard("申报加计扣除总额")
    m.ent["申报加计扣除总额"] = float(line51(m) * 2)  # twice the base at 100%: over any rate
    # a claim that large implies more R&D than was reported to statistics (T06): true of this book
    planted(tmp_path, m, "C10", [(E, *at_key("申报加计扣除总额"))], extra=("T06",))
    m.ent["申报加计扣除总额"] = float(line51(m) / 3)  # below even 75% of the base
    planted(tmp_path, m, "C09", [(W, *at_key("申报加计扣除总额"))])


def test_C10_any_claim_when_line51_is_zero(tmp_path, clean):
    m = clean.copy()
    m.ledger = [r for r in m.ledger if r["项目编号"] == "RD2024-08"]  # capitalised only: line 51 is 0
    m.projects = [p for p in m.projects if p["项目编号"] == "RD2024-08"]
    m.staff = m.assets = None
    m.derive.discard("申报加计扣除总额")
    m.ent["申报加计扣除总额"] = 10.0
    planted(tmp_path, m, "C10", [(E, *at_key("申报加计扣除总额"))], extra=("T04",))


def test_C11_excluded_activity(tmp_path, clean):
    m = clean.copy()
    m.projects[5]["项目名称"] = "电机产品常规升级"
    planted(tmp_path, m, "C11", [(W, *at_project(5, "项目名称"))])
    m.projects[5]["项目名称"] = "电机常规升级关键技术研发"
    planted(tmp_path, m, "C11", [])


def test_C12_C13_over_allowance(tmp_path, clean):
    m = clean.copy()
    m.staff[2]["全年工资薪金"] = 1000.0
    planted(tmp_path, m, "C12", [(W, *at_row("研发人员", STAFF_COLS, 2, "全年工资薪金"))])
    m = clean.copy()
    n = next(k for k, a in enumerate(m.assets) if a["资产编号"] == "ZC-YQ-03")
    m.assets[n]["研发使用比例"] = "1%"
    planted(tmp_path, m, "C13", [(W, *at_row("研发设备", ASSET_COLS, n, "本年折旧摊销额"))])


def test_C14_large_line(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-03", "7.2")
    m.ledger[i]["账载金额"] = 300_000.0
    m.ledger[i]["受托方类型"] = "境外机构"
    planted(tmp_path, m, "C14", [(INFO, *at_line(i, "账载金额"))])


# ---------------------------------------------------------------- T


def test_T01_not_reported(tmp_path, clean):
    m = clean.copy()
    m.derive.discard("统计研究开发费用合计")
    m.ent["统计研究开发费用合计"] = 0
    planted(tmp_path, m, "T01", [(E, *at_key("统计研究开发费用合计"))])
    m.ent["规模以上企业"] = "否"
    planted(tmp_path, m, "T01", [(INFO, *at_key("统计研究开发费用合计"))])
    planted(
        tmp_path,
        clean,
        "T01",
        [(E, *whole("企业信息", "统计研究开发费用合计"))],
        style=Style(drop_keys=("统计研究开发费用合计",)),
    )


def test_T02_under_reported(tmp_path, clean):
    total = book_total(clean)
    m = clean.copy()
    m.derive.discard("统计研究开发费用合计")
    m.ent["统计研究开发费用合计"] = float(total * Decimal("0.95") / 1000)  # 千元, exactly 5% below: fine
    planted(tmp_path, m, "T02", [])
    m.ent["统计研究开发费用合计"] = float((total * Decimal("0.95") - 10) / 1000)
    planted(tmp_path, m, "T02", [(W, *at_key("统计研究开发费用合计"))])
    # a reported figure in 千元 is ×1000 once: the right figure in 千元 under a (千元) header is fine
    m.ent["统计研究开发费用合计"] = float(total / 1000)
    planted(tmp_path, m, "T02", [], style=Style(names={"统计研究开发费用合计": "统计研究开发费用合计（千元）"}))


def test_T03_no_staff_reported(tmp_path, clean):
    m = clean.copy()
    m.ent["统计研究开发人员"] = 0
    planted(tmp_path, m, "T03", [(W, *at_key("统计研究开发人员"))])


@pytest.mark.parametrize(
    ("revenue", "ratio", "fires"),
    [
        (50_000_000, "0.05", False),  # revenue exactly 5000万: 5% threshold, met exactly
        (50_000_000, "0.0499", True),
        (50_000_001, "0.04", False),  # above 5000万: 4%
        (200_000_000, "0.04", False),  # exactly 2亿: still 4%
        (200_000_000, "0.0399", True),
        (200_000_001, "0.03", False),  # above 2亿: 3%
        (200_000_001, "0.0299", True),
    ],
)
def test_T04_thresholds_at_the_boundaries(tmp_path, clean, revenue, ratio, fires):
    """《高新技术企业认定管理办法》第十一条（五）, in the 工作指引's caliber (high_tech_total)."""
    m = clean.copy()
    m.ent["营业收入"] = float(revenue)
    # change one 2.1 材料 line so that the 高企-caliber total is exactly ratio × revenue (while 其他费用 stay within
    # their 20%, a yuan of 材料 is a yuan of the total)
    i = m.line("RD2024-01", "2.1")
    target = (Decimal(revenue) * Decimal(ratio)).quantize(Decimal("0.01"))
    m.ledger[i]["账载金额"] = float(money(m.ledger[i]["账载金额"]) + target - high_tech_total(m))
    assert high_tech_total(m) == target
    extra = ("C14", "T09")  # one 材料 line that large is also > 60% of R&D (T09)
    planted(tmp_path, m, "T04", [(W, *at_key("营业收入"))] if fires else [], extra=extra)
    m.ent["高新技术企业"] = "否"
    planted(tmp_path, m, "T04", [], extra=extra)


def test_T05_basic_research(tmp_path, clean):
    planted(tmp_path, clean, "T05", [(INFO, *at_project(6, "研究类型"))])


def test_messages_carry_the_numbers_in_both_languages(tmp_path, clean):
    m = clean.copy()
    i = m.line("RD2024-07", "2.3")
    m.ledger[i]["账载金额"] = 12345.678
    j = m.line("RD2024-07", "2.1")
    m.ledger[j]["账载金额"] = -1200.0
    zh = planted(tmp_path, m, "F08", [(W, *at_line(i, "账载金额")), (W, *at_line(j, "账载金额"))])
    en = planted(tmp_path, m, "F08", [(W, *at_line(i, "账载金额")), (W, *at_line(j, "账载金额"))], lang="en")
    zh_by, en_by = {f.row: f.message for f in zh}, {f.row: f.message for f in en}
    assert "12,345.678 元" in zh_by[i + 2] and "-1,200.00 元" in zh_by[j + 2], shown(zh)
    assert "12,345.678 yuan" in en_by[i + 2] and "-1,200.00 yuan" in en_by[j + 2], shown(en)
    m = clean.copy()
    m.derive.discard("利润表研发费用")
    m.ent["利润表研发费用"] = 2_000_000.5
    (c08,) = planted(tmp_path, m, "C08", [(W, *at_key("利润表研发费用"))])
    assert "2,000,000.50 元" in c08.message and "5%" in c08.message, c08.message
