"""Sample enterprise books for rdcheck: a deterministic generator of realistic R&D ledgers, and their writer.

An :class:`Ent` holds one enterprise's workbook as plain records (dicts keyed by the canonical names of
``rdcheck.workbook.layout``); :func:`generate` makes one from a :class:`Profile` and a seeded ``random.Random``;
:func:`derive` recomputes what the enterprise derives from its ledger (汇总表, 利润表研发费用, reported statistics);
:func:`figures` gives the generator's own, independent 107-2 and A107012 figures; :func:`write_book` writes the
workbook with xlsxwriter laid out as the template, and records the Excel row of every record in ``rec["_row"]``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import xlsxwriter

from rdcheck.template import header_text
from rdcheck.workbook.book import column_letter
from rdcheck.workbook.layout import (
    AMOUNT,
    ASSETS,
    CATEGORIES,
    DATE,
    ENTERPRISE,
    INT,
    LEDGER,
    PROJECTS,
    RATIO,
    STAFF,
    SUBITEMS,
    SUMMARY,
    SheetLayout,
)

CREATED = dt.datetime(2025, 3, 1, 9, 0, 0)
CENT = Decimal("0.01")
D = Decimal

# ---------------------------------------------------------------- money and codes


def money(x: Any) -> Decimal:
    return D(str(x)).quantize(CENT, ROUND_HALF_UP)


def floor_cent(x: Any) -> Decimal:
    return D(str(x)).quantize(CENT, ROUND_DOWN)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(code17: str) -> str:
    """Return the 18th character of a 统一社会信用代码 (GB 32100-2015: weights 3^i mod 31)."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(code17))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code(rng: random.Random) -> str:
    """Return a 9-character 组织机构代码 with its GB 11714 check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, area: str = "320804") -> str:
    code17 = "91" + area + org_code(rng)
    return code17 + uscc_check(code17)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------- the enterprise as records


@dataclass
class Ent:
    """One enterprise workbook as records keyed by canonical names (values as the cells will hold them)."""

    info: dict[str, Any]
    projects: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    staff: list[dict[str, Any]]
    assets: list[dict[str, Any]]
    summary: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # what derive() needs to redo its work
    style: str = "std"  # std: "1 人员人工费用"/"1.1 工资薪金"; official: 2021 ledger names, name/code only
    title: str | None = None  # a title row above the table headers
    total_rows: bool = False  # a 合计 row under the ledger and the 汇总表
    drop_sheets: set[str] = field(default_factory=set)
    drop_columns: dict[str, set[str]] = field(default_factory=dict)
    positions: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> field -> letter, after writing
    key_rows: dict[str, int] = field(default_factory=dict)  # 企业信息 key -> Excel row, after writing

    @property
    def year(self) -> int:
        return self.info["所属年度"]


def eligible(line: dict[str, Any]) -> Decimal:
    """The line's 可加计金额 as rdcheck reads it: empty = 账载金额, for category 8 empty = 0."""
    value = line.get("可加计金额")
    if isinstance(value, Decimal):
        return value
    book = line.get("账载金额")
    if not isinstance(book, Decimal) or line.get("_cat") == 8:
        return D(0)
    return book


def book_amount(line: dict[str, Any]) -> Decimal:
    value = line.get("账载金额")
    return value if isinstance(value, Decimal) else D(0)


# ---------------------------------------------------------------- figures


def figures(ent: Ent) -> dict[str, Any]:
    """Return the generator's own figures: 107-2 lines, book totals, A107012 line 40/51, per-project sums."""
    year = ent.year
    by_cat: dict[int, Decimal] = dict.fromkeys(CATEGORIES, D(0))
    by_sub: dict[str, Decimal] = dict.fromkeys(SUBITEMS, D(0))
    elig_sub: dict[str, Decimal] = dict.fromkeys(SUBITEMS, D(0))
    per_project: dict[str, dict[int, Decimal]] = {}
    expensed = D(0)
    for line in ent.ledger:
        if not isinstance(line.get("日期"), dt.date) or line["日期"].year != year:
            continue
        cat, sub, amount = line["_cat"], line["_sub"], book_amount(line)
        by_cat[cat] += amount
        by_sub[sub] += amount
        elig_sub[sub] += eligible(line)
        if line.get("支出类型") == "费用化":
            expensed += amount
        if cat <= 7:
            row = per_project.setdefault(line["项目编号"], dict.fromkeys(range(1, 8), D(0)))
            row[cat] += eligible(line)
    line7 = sum(by_cat.values(), D(0))
    line14 = by_cat[7]
    line10 = by_cat[3] + by_sub["8.1"]
    fixed = ent.info.get("当年形成研发固定资产") or D(0)
    # A107012 for books without 7.2/7.3, with category 6 under its 10% limit and no lines 43-49 (checked below)
    elig_cat = {n: sum((elig_sub[c] for c in subs), D(0)) for n, (_, subs) in CATEGORIES.items()}
    line40 = sum((elig_cat[n] for n in range(1, 7)), D(0)) + elig_sub["7.1"] * D("0.8")
    # line 42: the capitalised lines' deductible amounts (categories 1-5 only in the samples); 45 = 41 = 40 - 42
    line42 = sum((eligible(x) for x in ent.ledger if x.get("支出类型") == "资本化" and x["日期"].year == year), D(0))
    basic_ids = {p["项目编号"] for p in ent.projects if p.get("研究类型") == "基础研究"}
    basic = sum((book_amount(x) for x in ent.ledger if x["项目编号"] in basic_ids and x["日期"].year == year), D(0))
    return {
        "line7": line7,
        "line14": line14,
        "line10": line10,
        "fixed_assets": fixed,
        "intramural": max(D(0), line7 - line14 - line10 + fixed),
        "expensed_total": expensed,
        "book_total": line7,
        "line40": line40,
        "line42": line42,
        "line51": line40 - line42,  # rate 100% (2023 on), no lines 43-49 in the samples
        "eligible_by_category": elig_cat,
        "per_project": per_project,
        "basic_research": basic,
    }


def derive(ent: Ent) -> None:
    """Redo what the enterprise derives from its ledger: 汇总表, 利润表研发费用 and the statistics it reports."""
    fig = figures(ent)
    ent.summary = []
    order = [p["项目编号"] for p in ent.projects]
    ids = order + sorted(set(fig["per_project"]) - set(order))
    for pid in ids:
        cats = fig["per_project"].get(pid)
        if cats is None:
            continue
        row: dict[str, Any] = {"项目编号": pid}
        for n in range(1, 8):
            row[CATEGORIES[n][0]] = cats[n]
        row["合计"] = sum(cats.values(), D(0))
        ent.summary.append(row)
    p = ent.params
    ent.info["利润表研发费用"] = money(fig["expensed_total"] * D(str(p.get("income_factor", 1))))
    mode, factor = p.get("report", ("ok", 1))
    if mode == "none":
        for key in ("统计研究开发费用合计", "统计委托外部研究开发费用", "统计折旧费用与长期待摊费用"):
            ent.info[key] = None
    else:
        k = D(str(factor))
        ent.info["统计研究开发费用合计"] = money(fig["line7"] * k / 1000)
        ent.info["统计委托外部研究开发费用"] = money(fig["line14"] * k / 1000) if fig["line14"] else None
        ent.info["统计折旧费用与长期待摊费用"] = money(fig["line10"] * k / 1000)


# ---------------------------------------------------------------- profiles and generation


@dataclass
class Profile:
    name: str
    short: str
    industry: str
    region: str
    year: int = 2024
    high_tech: bool = True
    tech_sme: bool = False
    above_scale: bool = True
    n_projects: int = 4
    staff: tuple[int, int] = (3, 5)  # staff per own project
    salary: tuple[int, int] = (90_000, 220_000)  # annual, yuan
    material: int = 60_000  # mean batch, yuan
    entrusted: bool = True
    capitalised: bool = False
    basic: int = 0  # number of 基础研究 projects
    building: bool = True
    software: bool = False
    power: bool = True
    report: tuple[str, float] = ("ok", 1.0)  # ("ok"|"under"|"none", factor)
    rd_ratio: float = 0.065  # R&D book total / 营业收入
    uscc: str = ""


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红宇浩然欣怡晨阳思远佳琪子涵博文"
TECH = ("高效节能型", "轻量化", "智能化", "低噪声", "高可靠性", "长寿命", "新型", "高精度", "模块化", "耐高温")
SUFFIX = ("研发", "研究与开发", "关键技术研究", "研制", "开发及产业化研究")
PRODUCTS = {
    "C": ("精密齿轮箱", "伺服电机", "液压密封件", "数控主轴", "汽车转向节", "光伏支架", "电池壳体", "换热器"),
    "C27": ("缓释制剂", "原料药合成工艺", "中药提取物", "注射剂", "仿制药一致性评价"),
    "C39": ("光电传感器", "激光器模组", "LED驱动电源", "功率模块", "光通信器件"),
    "I": ("工业互联网平台", "智慧园区管理系统", "数据中台", "移动端应用", "边缘计算网关软件"),
    "M": ("材料性能检测方法", "环境监测技术", "工程结构试验平台", "失效分析方法", "计量校准技术"),
}
MATERIALS = {
    "C": ("45#圆钢", "铝合金型材", "轴承", "密封圈", "电机", "液压阀组", "不锈钢板", "电子元器件"),
    "C27": ("试剂", "原料药中间体", "溶剂", "催化剂", "对照品", "辅料"),
    "C39": ("芯片", "PCB板", "光学镜片", "电子元器件", "封装材料"),
    "I": ("服务器配件", "测试终端", "开发板", "网络设备配件"),
    "M": ("检测试剂", "标准样品", "实验耗材", "传感器"),
}
INSTRUMENTS = ("三坐标测量仪", "光谱分析仪", "数字示波器", "高低温试验箱", "万能材料试验机", "激光粒度仪", "色谱仪")
EQUIPMENT = ("五轴加工中心", "注塑成型机", "真空镀膜机", "自动化装配试验线", "服务器集群", "中试反应釜", "贴片机")
CONTRACTORS = (
    ("淮阴工学院", "境内高等学校"),
    ("江南大学", "境内高等学校"),
    ("南京理工大学", "境内高等学校"),
    ("江苏省产业技术研究院", "境内研究机构"),
    ("中国科学院苏州纳米技术与纳米仿生研究所", "境内研究机构"),
    ("淮安市智联检测技术有限公司", "境内企业"),
)
CITIES = ("南京", "上海", "苏州", "北京", "杭州", "深圳", "合肥")


def _pool(industry: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return table.get(industry[:3]) or table.get(industry[:1]) or table["C"]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _line(date: dt.date, vkey: Any, pid: str, summary: str, sub: str, amount: Decimal, **more: Any) -> dict[str, Any]:
    cat = SUBITEMS[sub][0]
    line = {
        "日期": date,
        "凭证号": None,
        "项目编号": pid,
        "摘要": summary,
        "费用类别": cat,
        "明细项目": sub,
        "账载金额": amount,
        "可加计金额": D(0) if cat == 8 else None,
        "支出类型": "费用化",
        "_cat": cat,
        "_sub": sub,
        "_vkey": vkey,
    }
    line.update(more)
    return line


def _months(p: dict[str, Any], year: int) -> list[int]:
    first = max(p["开始日期"], dt.date(year, 1, 1))
    last = min(p["结束日期"], dt.date(year, 12, 31))
    return list(range(first.month, last.month + 1)) if first <= last else []


def _rand_date(rng: random.Random, p: dict[str, Any], year: int) -> dt.date:
    first = max(p["开始日期"], dt.date(year, 1, 1)) + dt.timedelta(days=1)
    last = min(p["结束日期"], dt.date(year, 12, 31))
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _projects(rng: random.Random, prof: Profile) -> list[dict[str, Any]]:
    y = prof.year
    products = list(_pool(prof.industry, PRODUCTS))
    rng.shuffle(products)
    projects = []
    n_own = prof.n_projects
    for i in range(n_own + (1 if prof.entrusted else 0)):
        entrusted = i == n_own
        if i == 0:  # the main project runs across the year (8.1 lines and typo-year flaws rely on it)
            start, end = dt.date(y - 1, 3, 1), dt.date(y + 1, 12, 31)
        elif i == 1 and n_own > 2:  # one finished in the year
            start, end = dt.date(y - 1, rng.randint(6, 11), 1), month_end(y, rng.choice((6, 8, 9)))
        else:
            start = dt.date(y - 1, rng.randint(2, 11), 1) if rng.random() < 0.5 else dt.date(y, rng.randint(1, 4), 1)
            end = month_end(y + rng.choice((0, 1, 1)), rng.choice((6, 12)))
            if end <= start:
                end = month_end(y, 12)
        product = products[i % len(products)]
        name = f"{rng.choice(TECH)}{product}{rng.choice(SUFFIX)}"
        if entrusted:
            name = f"{product}关键工艺委托开发研究"
        p = {
            "项目编号": f"RD{y}-{i + 1:02d}",
            "项目名称": name,
            "研发形式": "委托研发" if entrusted else "自主研发",
            "研究类型": "基础研究" if 0 < i <= prof.basic and not entrusted else rng.choice(("应用研究", "试验发展")),
            "立项日期": start - dt.timedelta(days=rng.randint(5, 25)),
            "立项文号": f"{prof.short}研〔{start.year}〕{i + 1:02d}号",
            "开始日期": start,
            "结束日期": end,
            "项目状态": "已完成" if end <= dt.date(y, 12, 31) else "进行中",
            "支出类型": "费用化",
            "资本化开始日期": None,
            "研发人员数": None,
            "技术合同登记号": f"{y}320804{rng.randint(100000, 999999)}" if entrusted else None,
            "_entrusted": entrusted,
        }
        if prof.capitalised and i == 2 and not entrusted:
            p["开始日期"], p["结束日期"], p["项目状态"] = dt.date(y - 1, 9, 1), month_end(y + 1, 6), "进行中"
            p["立项日期"] = p["开始日期"] - dt.timedelta(days=10)
            p["支出类型"], p["资本化开始日期"] = "部分资本化", dt.date(y, 7, 1)
        projects.append(p)
    return projects


def generate(prof: Profile, rng: random.Random) -> Ent:
    """Make one enterprise's clean books for ``prof.year`` (every rule of spec §3 passes, see self_check)."""
    y = prof.year
    projects = _projects(rng, prof)
    materials = _pool(prof.industry, MATERIALS)
    ledger: list[dict[str, Any]] = []
    staff: list[dict[str, Any]] = []
    assets: list[dict[str, Any]] = []
    fixed_assets = D(0)
    seen_amounts: set[Decimal] = set()
    for p in projects:
        pid, months = p["项目编号"], _months(p, y)
        if p["_entrusted"]:
            contractor, ctype = rng.choice(CONTRACTORS)
            total = D(rng.randint(40, 120)) * prof.material * 2 // 10
            shares = (D("0.3"), D("0.3"), D("0.4"))
            for k, share in enumerate(shares):
                date = month_end(y, months[min(len(months) - 1, k * max(1, len(months) // 3))]) - dt.timedelta(days=3)
                ledger.append(
                    _line(
                        date,
                        ("wt", pid, k),
                        pid,
                        f"支付{contractor}委托研发费（第{k + 1}期）",
                        "7.1",
                        money(total * share),
                        受托方=contractor,
                        受托方类型=ctype,
                        关联方="否",
                    )
                )
            continue
        # staff: monthly 工资薪金 per person, within 全年工资薪金 × 研发工时占比 (C12)
        n_staff = rng.randint(*prof.staff)
        p["研发人员数"] = n_staff
        monthly_pay = D(0)
        for _ in range(n_staff):
            sid = f"E{len(staff) + 1:04d}"
            while True:
                salary = D(rng.randrange(prof.salary[0], prof.salary[1], 600))
                ratio = D(rng.choice(("0.5", "0.6", "0.7", "0.8", "0.9", "1")))
                m = floor_cent(salary * ratio / 12)
                if m not in seen_amounts:  # distinct amounts keep payroll lines apart for F09
                    seen_amounts.add(m)
                    break
            person = {
                "工号": sid,
                "姓名": _person(rng),
                "人员类别": rng.choice(("研究人员", "研究人员", "技术人员", "技术人员", "辅助人员")),
                "全年工资薪金": salary,
                "研发工时占比": ratio,
                "_project": pid,
            }
            staff.append(person)
            monthly_pay += m
            for month in months:
                ledger.append(
                    _line(
                        month_end(y, month),
                        ("pay", month),
                        pid,
                        f"计提{month}月研发人员工资-{person['姓名']}",
                        "1.1",
                        m,
                        工号=sid,
                    )
                )
        for month in months:
            amount = money(monthly_pay * D(str(round(rng.uniform(0.27, 0.33), 4))))
            ledger.append(
                _line(month_end(y, month), ("si", month), pid, f"计提{month}月研发人员社保及公积金", "1.2", amount)
            )
        # materials in batches
        for _ in range(rng.randint(3, 9)):
            amount = money(prof.material * rng.uniform(0.3, 1.7))
            mat = rng.choice(materials)
            ledger.append(_line(_rand_date(rng, p, y), ("mat", len(ledger)), pid, f"研发领用{mat}", "2.1", amount))
        if prof.power:
            base = prof.material * rng.uniform(0.05, 0.12)
            for month in months:
                amount = money(base * rng.uniform(0.8, 1.2))
                ledger.append(
                    _line(month_end(y, month), ("power", month), pid, f"分摊{month}月研发用电费", "2.3", amount)
                )
        if rng.random() < 0.4:
            amount = money(prof.material * rng.uniform(0.1, 0.3))
            ledger.append(_line(_rand_date(rng, p, y), ("test", pid), pid, "支付试制样品检验费", "2.6", amount))
        # instruments and equipment: monthly depreciation within 本年折旧摊销额 × 研发使用比例 (C13), named (C07)
        for _ in range(rng.randint(1, 2)):
            kind = rng.choice(("仪器", "设备"))
            asset_id = f"{'YQ' if kind == '仪器' else 'SB'}-{len(assets) + 1:04d}"
            value = D(rng.randrange(120_000, 1_200_000, 1000)) * max(1, int((prof.material / 60_000) ** 0.5))
            per_month = floor_cent(value * D("0.95") / 120)
            bought_this_year = rng.random() < 0.3 and months[0] <= 9 and months[-1] >= 11
            if bought_this_year:
                bought = dt.date(y, rng.randint(months[0], 9), rng.randint(1, 28))
                dep_months = [m for m in range(bought.month + 1, 13)]
                fixed_assets += value
            else:
                bought = dt.date(y - rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 28))
                dep_months = list(range(1, 13))
            ratio = D(rng.choice(("0.6", "0.7", "0.8", "0.9", "1")))
            name = rng.choice(INSTRUMENTS if kind == "仪器" else EQUIPMENT)
            assets.append(
                {
                    "资产编号": asset_id,
                    "资产名称": name,
                    "资产类别": kind,
                    "原值": value,
                    "购置日期": bought,
                    "本年折旧摊销额": per_month * len(dep_months),
                    "研发使用比例": ratio,
                }
            )
            line_amount = floor_cent(per_month * ratio)
            sub = "3.1" if kind == "仪器" else "3.2"
            for month in (m for m in months if m in dep_months):
                summary = f"计提{month}月{name}折旧"
                ledger.append(
                    _line(month_end(y, month), ("dep", month), pid, summary, sub, line_amount, 资产编号=asset_id)
                )
        # other related costs (category 6), kept well under the 10% limit (C01)
        for _ in range(rng.randint(1, 3)):
            sub, text, lo, hi = rng.choice(
                (
                    ("6.5", "报销{who}赴{city}技术交流差旅费", 1500, 9000),
                    ("6.3", "支付发明专利申请代理费", 3000, 12000),
                    ("6.1", "支付专家技术咨询费", 5000, 15000),
                )
            )
            text = text.format(who=_person(rng), city=rng.choice(CITIES))
            amount = money(rng.uniform(lo, hi) * max(1, prof.material / 120_000))
            ledger.append(_line(_rand_date(rng, p, y), ("oth", len(ledger)), pid, text, sub, amount))
        if p["项目状态"] == "已完成":
            ledger.append(
                _line(p["结束日期"] - dt.timedelta(days=5), ("acc", pid), pid, "支付项目验收评审费", "6.2", money(8000))
            )
    main = projects[0]["项目编号"]
    if prof.software:
        per_month = D(rng.randrange(3000, 9000, 100))
        assets.append(
            {
                "资产编号": "RJ-0001",
                "资产名称": "CAE仿真分析软件",
                "资产类别": "软件",
                "原值": per_month * 60,
                "购置日期": dt.date(y - 2, 5, 10),
                "本年折旧摊销额": per_month * 12,
                "研发使用比例": D(1),
            }
        )
        for month in range(1, 13):
            summary = f"摊销{month}月CAE仿真分析软件"
            ledger.append(
                _line(month_end(y, month), ("dep", month), main, summary, "4.1", per_month, 资产编号="RJ-0001")
            )
    if prof.building:
        per_month = floor_cent(D(rng.randrange(2_000_000, 8_000_000, 10000)) * D("0.95") / 240)
        assets.append(
            {
                "资产编号": "FW-0001",
                "资产名称": "研发中心大楼",
                "资产类别": "房屋建筑物",
                "原值": per_month * 240,
                "购置日期": dt.date(y - 6, 8, 1),
                "本年折旧摊销额": per_month * 12,
                "研发使用比例": D("0.3"),
            }
        )
        amount = floor_cent(per_month * D("0.3"))
        for month in range(1, 13):
            summary = f"计提{month}月研发中心大楼折旧"
            ledger.append(_line(month_end(y, month), ("dep", month), main, summary, "8.1", amount, 资产编号="FW-0001"))
    # capitalised lines: from 资本化开始日期 on, a 部分资本化 project's lines are 资本化 (B08)
    for p in projects:
        if p["资本化开始日期"] is not None:
            for line in ledger:
                if line["项目编号"] == p["项目编号"] and line["日期"] >= p["资本化开始日期"] and line["_cat"] <= 5:
                    line["支出类型"] = "资本化"
    _cap_big_lines(ledger)
    _assign_vouchers(rng, ledger)
    for x in staff:
        x.pop("_project", None)
    info: dict[str, Any] = dict.fromkeys(f.name for f in ENTERPRISE.fields)
    info.update(
        {
            "统一社会信用代码": prof.uscc,
            "企业名称": prof.name,
            "所属年度": y,
            "行业代码": prof.industry,
            "所在区域": prof.region,
            "高新技术企业": "是" if prof.high_tech else "否",
            "科技型中小企业": "是" if prof.tech_sme else "否",
            "规模以上企业": "是" if prof.above_scale else "否",
            "集成电路或工业母机企业": "否",
            "统计研究开发人员": len(staff) if prof.report[0] != "none" else None,
            "当年形成研发固定资产": fixed_assets or None,
        }
    )
    ent = Ent(info=info, projects=projects, ledger=ledger, staff=staff, assets=assets)
    ent.params = {"income_factor": round(rng.uniform(0.99, 1.015), 4), "report": prof.report}
    fig = figures(ent)
    ent.info["营业收入"] = money(fig["book_total"] / D(str(prof.rd_ratio)))
    derive(ent)
    return ent


def _cap_big_lines(ledger: list[dict[str, Any]]) -> None:
    """Keep every line of a project at most 40% of the project's total (C14 stays quiet)."""
    totals: dict[str, Decimal] = {}
    for line in ledger:
        totals[line["项目编号"]] = totals.get(line["项目编号"], D(0)) + line["账载金额"]
    for line in ledger:
        limit = totals[line["项目编号"]] * D("0.4")
        if line["账载金额"] > limit and line["_sub"] in ("2.1", "2.6", "6.1", "6.3", "6.5"):
            line["账载金额"] = floor_cent(limit / 2)


def _assign_vouchers(rng: random.Random, ledger: list[dict[str, Any]]) -> None:
    """Number vouchers per month (记-0001 …), lines of one voucher sharing the number; sort the ledger."""
    ledger.sort(key=lambda x: (x["日期"], str(x["_vkey"]), x["项目编号"], x["_sub"]))
    numbers: dict[Any, str] = {}
    counters: dict[tuple[int, int], int] = {}
    for line in ledger:
        key = (line["日期"].year, line["日期"].month, str(line["_vkey"]))
        if key not in numbers:
            month = key[:2]
            counters[month] = counters.get(month, rng.randint(1, 12)) + rng.randint(1, 18)
            numbers[key] = f"记-{counters[month]:04d}"
        line["凭证号"] = numbers[key]
    seen: set[tuple[Any, ...]] = set()
    for line in ledger:
        while (k := (line["日期"], line["凭证号"], line["项目编号"], line["_sub"], line["账载金额"])) in seen:
            line["账载金额"] -= CENT
        seen.add(k)


# ---------------------------------------------------------------- writing

OFFICIAL_HEADERS = {"凭证号": "凭证号数", "账载金额": "会计凭证记载金额(元)", "可加计金额": "税法规定的归集金额(元)"}


def _cell_value(ent: Ent, sheet: str, name: str, value: Any) -> Any:
    if sheet == LEDGER.name and name == "费用类别" and isinstance(value, int):
        cat_name = CATEGORIES[value][0]
        return cat_name if ent.style == "official" else f"{value} {cat_name}"
    if sheet == LEDGER.name and name == "明细项目" and value in SUBITEMS:
        return value if ent.style == "official" else f"{value} {SUBITEMS[value][1]}"
    return value


class _Writer:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11}
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.amount = wb.add_format({**base, "num_format": "#,##0.00"})
        self.ratio = wb.add_format({**base, "num_format": "0%"})
        self.plain = wb.add_format(base)
        self.bold_amount = wb.add_format({**base, "bold": True, "num_format": "#,##0.00"})

    def put(self, ws: Any, r: int, c: int, value: Any, kind: str = "") -> None:
        if value is None:
            return
        if isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.date)
        elif isinstance(value, Decimal):
            ws.write_number(r, c, float(value), self.ratio if kind == RATIO else self.amount)
        elif isinstance(value, bool):
            ws.write_string(r, c, "是" if value else "否", self.plain)
        elif isinstance(value, int):
            ws.write_number(r, c, value, self.plain)
        else:
            ws.write_string(r, c, str(value), self.plain)


def write_book(ent: Ent, path: str) -> None:
    """Write the enterprise's workbook; note each record's Excel row in ``rec["_row"]``."""
    wb = xlsxwriter.Workbook(path)
    wb.set_properties({"title": f"{ent.info.get('企业名称') or ''}研发支出辅助账", "author": "rdcheck samples"})
    wb.set_properties({"created": CREATED})
    w = _Writer(wb)
    if ENTERPRISE.name not in ent.drop_sheets:
        ws = wb.add_worksheet(ENTERPRISE.name)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 1, 40)
        ws.write_string(0, 0, "项目", w.header)
        ws.write_string(0, 1, "值", w.header)
        ent.key_rows = {}
        for r, f in enumerate(ENTERPRISE.fields, start=1):
            ws.write_string(r, 0, header_text(f), w.plain)
            w.put(ws, r, 1, ent.info.get(f.name), f.kind)
            ent.key_rows[f.name] = r + 1
    tables = (
        (PROJECTS, ent.projects),
        (LEDGER, ent.ledger),
        (SUMMARY, ent.summary),
        (STAFF, ent.staff),
        (ASSETS, ent.assets),
    )
    for layout, records in tables:
        if layout.name not in ent.drop_sheets:
            _write_table(wb, w, ent, layout, records)
    wb.close()


def _write_table(wb: Any, w: _Writer, ent: Ent, layout: SheetLayout, records: list[dict[str, Any]]) -> None:
    ws = wb.add_worksheet(layout.name)
    dropped = ent.drop_columns.get(layout.name, set())
    fields = [f for f in layout.fields if f.name not in dropped]
    top = 0
    if ent.title and layout.name in (LEDGER.name, SUMMARY.name):
        ws.write_string(0, 0, f"{ent.info.get('企业名称')} {ent.year}年度{ent.title}{layout.name}", w.title)
        top = 1
    positions = {}
    for c, f in enumerate(fields):
        text = header_text(f)
        if ent.style == "official" and layout.name == LEDGER.name:
            text = OFFICIAL_HEADERS.get(f.name, text)
        ws.write_string(top, c, text, w.header)
        ws.set_column(c, c, {"摘要": 34, "项目名称": 34, "明细项目": 28, "受托方": 26}.get(f.name, 14))
        positions[f.name] = column_letter(c)
    ent.positions[layout.name] = positions
    ws.freeze_panes(top + 1, 0)
    r = top
    for rec in records:
        r += 1
        rec["_row"] = r + 1
        for c, f in enumerate(fields):
            w.put(ws, r, c, _cell_value(ent, layout.name, f.name, rec.get(f.name)), f.kind)
    if ent.total_rows and layout.name in (LEDGER.name, SUMMARY.name) and records:
        r += 1
        ws.write_string(r, 0, "合计", w.plain)
        for c, f in enumerate(fields):
            if f.kind == AMOUNT:
                total = sum((rec.get(f.name) for rec in records if isinstance(rec.get(f.name), Decimal)), D(0))
                ws.write_number(r, c, float(total), w.bold_amount)


def cell_of(ent: Ent, sheet: str, rec: dict[str, Any] | None, column: str | None) -> dict[str, Any]:
    """Return where a finding must point (spec §3): sheet, column, cell and row, after write_book."""
    if sheet == ENTERPRISE.name and column is not None:
        row = ent.key_rows[column]
        return {"sheet": sheet, "column": column, "cell": f"B{row}", "row": row}
    if rec is None:
        return {"sheet": sheet, "column": column, "cell": None, "row": None}
    row = rec["_row"]
    letter = ent.positions[sheet].get(column) if column else None
    return {"sheet": sheet, "column": column, "cell": f"{letter}{row}" if letter else None, "row": row}


# Kinds rdcheck reads as numbers; used by the self-check of written values.
NUMERIC_KINDS = (AMOUNT, RATIO, INT, DATE)


def self_check(ent: Ent) -> list[str]:
    """Return the generator's own objections to a book meant to be clean (empty when clean)."""
    bad: list[str] = []
    y = ent.year
    fig = figures(ent)
    first: dict[str, dt.date] = {}
    keys: set[tuple[Any, ...]] = set()
    totals: dict[str, Decimal] = {}
    for line in ent.ledger:
        pid = line["项目编号"]
        first[pid] = min(first.get(pid, line["日期"]), line["日期"])
        totals[pid] = totals.get(pid, D(0)) + book_amount(line)
        key = (line["日期"], line["凭证号"], pid, line["_sub"], line["账载金额"])
        if key in keys:
            bad.append(f"F09 {key}")
        keys.add(key)
        if line["日期"].year != y:
            bad.append(f"F07 {line['日期']}")
    projects = {p["项目编号"]: p for p in ent.projects}
    for line in ent.ledger:
        p = projects[line["项目编号"]]
        if not p["开始日期"] <= line["日期"] <= p["结束日期"]:
            bad.append(f"B05 {line['项目编号']} {line['日期']}")
        if line["账载金额"] > totals[line["项目编号"]] / 2:
            bad.append(f"C14 {line['项目编号']} {line['账载金额']}")
        if line["支出类型"] == "资本化" and (p["资本化开始日期"] is None or line["日期"] < p["资本化开始日期"]):
            bad.append(f"B08 {line['项目编号']}")
    for pid, p in projects.items():
        if pid not in first and _months(p, y):
            bad.append(f"B02 {pid}")
        if pid in first and p["立项日期"] >= first[pid]:
            bad.append(f"B03 {pid}")
        subs = {x["_sub"] for x in ent.ledger if x["项目编号"] == pid}
        if "1.1" in subs and "1.2" not in subs:
            bad.append(f"C06 {pid}")
        if p["研发形式"] == "委托研发" and any(s[0] != "7" for s in subs):
            bad.append(f"B11 {pid}")
        if p["研发形式"] == "自主研发" and any(s[0] == "7" for s in subs):
            bad.append(f"B11 {pid}")
    for s in ent.staff:
        paid = sum((x["账载金额"] for x in ent.ledger if x.get("工号") == s["工号"] and x["_sub"] == "1.1"), D(0))
        if paid > s["全年工资薪金"] * s["研发工时占比"]:
            bad.append(f"C12 {s['工号']}")
    for a in ent.assets:
        lines = [x for x in ent.ledger if x.get("资产编号") == a["资产编号"] and x["_cat"] in (3, 4)]
        if sum((x["账载金额"] for x in lines), D(0)) > a["本年折旧摊销额"] * a["研发使用比例"]:
            bad.append(f"C13 {a['资产编号']}")
        if a["资产类别"] in ("仪器", "设备") and a["研发使用比例"] > 0 and not lines:
            bad.append(f"C07 {a['资产编号']}")
    elig = fig["eligible_by_category"]
    if elig[6] > sum((elig[n] for n in range(1, 6)), D(0)) * D(1) / D(9) * D("0.9"):
        bad.append("C01 close to the 10% limit")
    info = ent.info
    if abs(info["利润表研发费用"] - fig["expensed_total"]) > fig["expensed_total"] * D("0.03"):
        bad.append("C08")
    if info["高新技术企业"] == "是":
        revenue = info["营业收入"]
        need = D("0.05") if revenue <= 50_000_000 else D("0.04") if revenue <= 200_000_000 else D("0.03")
        if fig["book_total"] < revenue * need * D("1.05"):
            bad.append("T04 close to the threshold")
    return bad
