"""Conformance of the computation to spec §4.1/§4.2: an independent reference against random ledgers.

The reference below is written from the spec's text alone (plain loops, exact Decimal), never from
rdcheck.compute. Each random case is a plain description of a workbook; the reference computes from that
description, and rdcheck reads the same description as sheets (book_from_sheets, and for a few cases a real
.xlsx through ``rdcheck check --format json``). Every JSON line is compared to the fen.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from rdcheck.api import check_book
from rdcheck.workbook import book_from_sheets

D = Decimal
ZERO = D(0)
FEN = D("0.01")

# ---------------------------------------------------------------- spec §2.4: sub-items → A107012 line

SUBITEM_LINE = {
    "1.1": 4, "1.2": 5, "1.3": 6,
    "2.1": 8, "2.2": 9, "2.3": 10, "2.4": 11, "2.5": 12, "2.6": 13, "2.7": 14, "2.8": 15,
    "3.1": 17, "3.2": 18,
    "4.1": 20, "4.2": 21, "4.3": 22,
    "5.1": 24, "5.2": 25, "5.3": 26, "5.4": 27,
    "6.1": 29, "6.2": 30, "6.3": 31, "6.4": 32, "6.5": 33,
    "7.1": 36, "7.2": 37, "7.3": 39,
    "8.1": None, "8.2": None,
}  # fmt: skip
SUBITEM_NAME = {
    "1.1": "工资薪金", "1.2": "五险一金", "1.3": "外聘研发人员劳务费", "2.1": "材料", "2.2": "燃料", "2.3": "动力",
    "2.4": "模具及工艺装备开发制造费", "2.5": "样品样机及一般测试手段购置费", "2.6": "试制产品检验费",
    "2.7": "研发仪器设备运行维护调整检验维修费", "2.8": "经营租赁研发仪器设备租赁费", "3.1": "仪器", "3.2": "设备",
    "4.1": "软件", "4.2": "专利权", "4.3": "非专利技术", "5.1": "新产品设计费", "5.2": "新工艺规程制定费",
    "5.3": "新药研制临床试验费", "5.4": "勘探开发现场试验费", "6.1": "技术图书资料、翻译、专家咨询、研发保险",
    "6.2": "成果检索、分析、评议、论证、鉴定、评审、评估、验收", "6.3": "知识产权申请、注册、代理",
    "6.4": "职工福利费、补充养老、补充医疗保险", "6.5": "差旅费、会议费", "7.1": "委托境内机构或个人",
    "7.2": "委托境外机构", "7.3": "委托境外个人", "8.1": "房屋建筑物折旧及长期待摊费用", "8.2": "其他不予加计支出",
}  # fmt: skip
CATEGORY_NAME = {
    1: "人员人工费用", 2: "直接投入费用", 3: "折旧费用", 4: "无形资产摊销", 5: "新产品设计费等", 6: "其他相关费用",
    7: "委托研发费用", 8: "不予加计的研发支出",
}  # fmt: skip


def cat(sub: str) -> int:
    return int(sub.split(".")[0])


# ---------------------------------------------------------------- a case: a workbook as plain data


@dataclass
class Line:
    date: dt.date
    project: str
    sub: str
    book: Decimal
    eligible: Decimal | None  # None = empty cell
    capitalised: bool
    contractor_type: str | None = None


@dataclass
class Project:
    code: str
    status: str  # 进行中 / 已完成 / 已终止
    research: str  # 基础研究 / 应用研究 / 试验发展
    expense_type: str = "费用化"


@dataclass
class Case:
    year: int
    industry: str
    high_tech: bool
    tech_sme: bool
    ic: bool
    tax_rate: Decimal | None  # as a fraction; written in varied forms
    projects: list[Project]
    lines: list[Line]
    keys: dict[str, Decimal] = field(default_factory=dict)  # optional amount keys, in their documented unit
    tax_rate_text: str | None = None
    negative_share: Decimal | None = None  # 负面清单行业收入占比 as a fraction
    negative_share_text: str | None = None


# ---------------------------------------------------------------- the reference (spec §4.1, §4.2)

# spec §4.1 line 50; domain.md §1 and §3 (negative list as GB/T 4754-2017 divisions / sections).
NEGATIVE_DIVISIONS = {16, 51, 52, 61, 62, 70, 71, 72, 90}
NEGATIVE_SECTIONS = {"F", "H", "K", "L"}  # whole sections: 批发零售, 住宿餐饮, 房地产, 租赁商务


def industry_division(code: str) -> tuple[str | None, int | None]:
    code = code.strip().upper()
    letter = code[0] if code[:1].isalpha() else None
    digits = code[1:] if letter else code
    return letter, int(digits[:2]) if len(digits) >= 2 and digits[:2].isdigit() else None


def is_manufacturing(code: str) -> bool:
    letter, division = industry_division(code)
    if letter is not None:
        return letter == "C"
    return division is not None and len(code.strip()) == 4 and 13 <= division <= 43


def on_negative_list(code: str) -> bool:
    letter, division = industry_division(code)
    if division is not None:
        return division in NEGATIVE_DIVISIONS
    return letter in NEGATIVE_SECTIONS


def excluded(case: Case) -> bool:
    """国家税务总局公告2015年第97号 四: excluded when the negative-list revenue is 50%（不含）以上 of the income less
    non-taxable income and investment income — a stated share above one half; the industry code alone decides nothing
    (issue 12 point 3)."""
    return case.negative_share is not None and case.negative_share > D("0.5")


def ref_rate(case: Case) -> int:
    y, manuf = case.year, is_manufacturing(case.industry)
    if y == 2021:
        return 100 if manuf else 75
    if y == 2022:
        return 100 if manuf or case.tech_sme else 75
    if 2023 <= y <= 2027:
        return 120 if case.ic else 100
    return 100


def eligible_of(line: Line) -> Decimal:
    if line.eligible is not None:
        return line.eligible
    return ZERO if cat(line.sub) == 8 else line.book


def reference(case: Case) -> dict:
    """A107012 1..52, tax_saving and the stats of spec §4, exact (not rounded)."""
    status = {p.code: p.status for p in case.projects}
    lines = [ln for ln in case.lines if ln.date.year == case.year]
    a = {n: ZERO for n in range(1, 53)}
    for ln in lines:
        target = SUBITEM_LINE[ln.sub]
        if target is not None:
            a[target] += eligible_of(ln)
    a[3] = a[4] + a[5] + a[6]
    a[7] = sum((a[n] for n in range(8, 16)), ZERO)
    a[16] = a[17] + a[18]
    a[19] = a[20] + a[21] + a[22]
    a[23] = sum((a[n] for n in range(24, 28)), ZERO)
    a[28] = sum((a[n] for n in range(29, 34)), ZERO)

    def in_scope(ln: Line) -> bool:
        return not ln.capitalised or status.get(ln.project) == "已完成"

    base = sum((eligible_of(ln) for ln in lines if cat(ln.sub) <= 5 and in_scope(ln)), ZERO)
    cat6_in = sum((eligible_of(ln) for ln in lines if cat(ln.sub) == 6 and in_scope(ln)), ZERO)
    cat6_out = sum((eligible_of(ln) for ln in lines if cat(ln.sub) == 6 and not in_scope(ln)), ZERO)
    limit = max(ZERO, base * D("0.1") / (1 - D("0.1")))  # a limit is never negative (spec §4.1 v0.2)
    allowed = min(cat6_in, limit)
    a[34] = allowed + cat6_out
    a[2] = a[3] + a[7] + a[16] + a[19] + a[23] + a[34]
    # line 39 asks for the amount incurred (委托境外个人进行研发活动所发生的费用): 账载金额, never deductible
    a[39] = sum((ln.book for ln in lines if ln.sub == "7.3"), ZERO)
    a[35] = a[36] + a[37] + a[39]
    a[38] = min(a[37] * D("0.8"), max(ZERO, (a[2] + a[36] * D("0.8")) * 2 / 3))
    a[40] = a[2] + a[36] * D("0.8") + a[38]

    def factor(ln: Line) -> Decimal:
        c = cat(ln.sub)
        if c <= 5:
            return D(1)
        if c == 6:
            if not in_scope(ln):
                return D(1)
            return allowed / cat6_in if cat6_in else D(1)
        if ln.sub == "7.1":
            return D("0.8")
        if ln.sub == "7.2":
            return a[38] / a[37] if a[37] else ZERO
        return ZERO

    a[42] = sum((eligible_of(ln) * factor(ln) for ln in lines if ln.capitalised), ZERO)
    a[41] = a[40] - a[42]
    for n, key in ((43, "本年形成无形资产摊销额"), (44, "以前年度形成无形资产本年摊销额"), (46, "特殊收入")):
        a[n] = case.keys.get(key, ZERO)
    a[48] = case.keys.get("销售研发产品对应材料", ZERO)
    a[49] = case.keys.get("以前年度结转扣减额", ZERO)
    a[45] = a[41] + a[43] + a[44]
    a[47] = max(ZERO, a[45] - a[46])
    net = a[47] - a[48] - a[49]
    negative = excluded(case)
    a[50] = ZERO if negative else D(ref_rate(case))
    if not negative and a[50] == 75 and case.year == 2022:
        # 公告2022年第28号: 75% enterprises get 100% on spending from 2022-10-01, here by the lines' dates; line 50
        # is the blended rate, the share being the deductible amounts dated in Q4 over all (clamped to 0..1).
        q4 = sum((eligible_of(ln) * factor(ln) for ln in lines if ln.date >= dt.date(2022, 10, 1)), ZERO)
        share = min(D(1), max(ZERO, q4 / a[40])) if a[40] > 0 else ZERO
        a[50] = D(75) + D(25) * share
    a[51] = ZERO if negative else max(ZERO, net) * a[50] / 100
    a[52] = -net if net < 0 else ZERO
    listed = {p.code for p in case.projects}  # line 1 counts only projects of 研发项目 (issue 12 point 10)
    eligible_projects = {
        ln.project for ln in lines if (cat(ln.sub) <= 6 or ln.sub in ("7.1", "7.2")) and ln.project in listed
    }
    a[1] = D(len(eligible_projects))
    tax_rate = case.tax_rate if case.tax_rate is not None else (D("0.15") if case.high_tech else D("0.25"))
    tax_saving = a[51] * tax_rate

    # 107-2, from 账载金额 (spec §4.2)
    s = {str(n): ZERO for n in range(7, 20)}
    for ln in lines:
        c, b = cat(ln.sub), ln.book
        key = {1: "8", 2: "9", 3: "10", 4: "11", 6: "19"}.get(c)
        if c == 5:
            key = "12" if ln.sub in ("5.1", "5.2") else "13"
        elif c == 7:
            key = "14"
            t = ln.contractor_type
            by_type = {"境内研究机构": "15", "境内高等学校": "16", "境内企业": "17", "境内个人": "17"}
            by_type |= {"境外机构": "18", "境外个人": "18"}
            # 受托方类型 empty (B09): the spec is silent; by the sub-item, 7.1 as 境内企业 (17), 7.2/7.3 境外 (18).
            sub = by_type.get(t) or ("17" if ln.sub == "7.1" else "18")
            s[sub] += b
        elif c == 8:
            key = "10" if ln.sub == "8.1" else "19"
        s[key] += b
    s["7"] = sum((s[k] for k in ("8", "9", "10", "11", "12", "13", "14", "19")), ZERO)
    assets = case.keys.get("当年形成研发固定资产", ZERO)
    s["intramural"] = max(ZERO, s["7"] - s["14"] - s["10"] + assets)
    k = D(1000)
    rep7 = case.keys.get("统计研究开发费用合计")
    if rep7 is None:
        s["intramural_reported"] = None
    else:
        rep14 = case.keys.get("统计委托外部研究开发费用")
        rep10 = case.keys.get("统计折旧费用与长期待摊费用")
        rep14 = rep14 * k if rep14 is not None else s["14"]
        rep10 = rep10 * k if rep10 is not None else s["10"]
        s["intramural_reported"] = max(ZERO, rep7 * k - rep14 - rep10 + assets)
    basic = {p.code for p in case.projects if p.research == "基础研究"}
    s["basic_research"] = sum((ln.book for ln in lines if ln.project in basic), ZERO)

    # spec §4.3: the figures of the five rows (computed − reported); what explains them is tested by hand
    expensed = sum((ln.book for ln in lines if not ln.capitalised), ZERO)
    total = sum((ln.book for ln in lines), ZERO)
    claimed = case.keys.get("申报加计扣除总额")
    stat7 = case.keys.get("统计研究开发费用合计")
    pairs = [
        ("会计", expensed, case.keys.get("利润表研发费用")),
        ("会计", total, case.keys.get("利润表研发费用")),
        ("税务", a[40], claimed),
        ("税务", a[51], claimed),
        ("统计", s["7"], None if stat7 is None else stat7 * k),
    ]
    recon = [
        {"caliber": c, "computed": x, "reported": r, "difference": None if r is None else x - r} for c, x, r in pairs
    ]
    return {"a107012": a, "tax_saving": tax_saving, "stats": s, "reconciliation": recon}


def shown(value: Decimal | None) -> Decimal | None:
    """What JSON should show: half-up to the fen (spec §6)."""
    return None if value is None else value.quantize(FEN, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- random cases

INDUSTRIES = [
    "C3976", "3976", "1310", "4350", "C1320", "4411", "I6510", "6510", "A0111", "M7320", "1200",  # not negative
    "C1610", "1610", "F5110", "5212", "H6110", "6210", "K7010", "7010", "L7111", "7212", "R9011", "9011",  # negative
    "R8610", "8710", "C", "F", "H", "R", "c3976", " C 3976 ",
]  # fmt: skip
YEARS = [2021, 2022, 2023, 2024, 2027, 2028, 2030]
DOMESTIC_TYPES = ["境内研究机构", "境内高等学校", "境内企业", "境内个人"]


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randint(low * 100, high * 100)) / 100


def random_case(seed: int) -> Case:
    rng = random.Random(seed)
    year = rng.choice(YEARS)
    n_projects = rng.randint(1, 6)
    projects = [
        Project(
            code=f"P{i:02d}",
            status=rng.choice(["进行中", "已完成", "已终止"]),
            research=rng.choice(["基础研究", "应用研究", "试验发展"]),
            expense_type=rng.choice(["费用化", "部分资本化"]),
        )
        for i in range(n_projects)
    ]
    codes = [p.code for p in projects]
    # Scale of category 6 against 1-5: small (cap does not bind) or large (it binds); same for 7.2.
    scale6 = rng.choice([0.02, 0.1, 0.12, 0.5, 2.0])
    scale72 = rng.choice([0.05, 0.5, 3.0])
    subs = list(SUBITEM_LINE)
    weights = [3 if cat(s) <= 5 else 2 for s in subs]
    wild = rng.random() < 0.3  # awkward inputs the checks flag but the computation must still take as given
    magnitude = rng.choice([1, 1, 1, 1000, 10**7]) if wild else 1
    lines: list[Line] = []
    for _ in range(rng.randint(0, 40) if rng.random() < 0.85 else rng.randint(100, 300)):
        sub = rng.choices(subs, weights)[0]
        c = cat(sub)
        size = 20000
        if c == 6:
            size = max(1, int(size * scale6 * 2))
        elif sub == "7.2":
            size = max(1, int(size * scale72 * 2))
        book = money(rng, 0, size) * magnitude
        roll = rng.random()
        if wild and roll < 0.1:
            eligible = book + money(rng, 0, 100)  # above 账载金额 (C05), also for category 8
        elif c == 8:
            eligible = rng.choice([None, ZERO])
        elif roll < 0.5:
            eligible = None
        elif roll < 0.65:
            eligible = book
        elif roll < 0.85:
            eligible = (book * D(rng.randint(0, 100)) / 100).quantize(FEN)
        else:
            eligible = ZERO
        if rng.random() < 0.1:  # a reversal
            book = -book
            eligible = None if eligible is None else -eligible
        year_of_line = year if rng.random() > 0.07 else rng.choice([year - 1, year + 1])
        day = dt.date(year_of_line, rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.05:  # the year's edges
            day = rng.choice([dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year - 1, 12, 31)])
        ctype = None
        if sub == "7.1":
            ctype = rng.choice(DOMESTIC_TYPES)
        elif sub == "7.2":
            ctype = "境外机构"
        elif sub == "7.3":
            ctype = "境外个人"
        if wild and c == 7 and rng.random() < 0.3:
            ctype = rng.choice([None, *DOMESTIC_TYPES, "境外机构"])  # missing (B09) or at odds with the sub-item
        project = rng.choice(codes) if rng.random() > 0.03 else "PX9"  # rarely a project not in 研发项目 (B01)
        lines.append(
            Line(
                date=day,
                project=project,
                sub=sub,
                book=book,
                eligible=eligible,
                capitalised=rng.random() < 0.3,
                contractor_type=ctype,
            )
        )
    keys: dict[str, Decimal] = {}
    deduction_keys = ["本年形成无形资产摊销额", "以前年度形成无形资产本年摊销额", "特殊收入", "销售研发产品对应材料"]
    deduction_keys.append("以前年度结转扣减额")
    big = rng.random() < 0.2
    for key in deduction_keys:
        if rng.random() < 0.3:
            keys[key] = money(rng, 0, 400000 if big else 20000)
    if rng.random() < 0.7:
        keys["统计研究开发费用合计"] = D(rng.randint(0, 900000)) / 1000 * magnitude  # 千元, 3 decimals = yuan
        if rng.random() < 0.5:
            keys["统计研究开发费用合计"] += D(rng.randint(0, 99)) / 100000  # fractions of a yuan
        for key in ("统计委托外部研究开发费用", "统计折旧费用与长期待摊费用"):
            if rng.random() < 0.5:
                keys[key] = D(rng.randint(0, 90000)) / 100
    if rng.random() < 0.4:
        keys["当年形成研发固定资产"] = money(rng, 0, 100000)
    if rng.random() < 0.5:
        keys["利润表研发费用"] = money(rng, 0, 500000)
    if rng.random() < 0.5:
        keys["申报加计扣除总额"] = money(rng, 0, 500000)
    high_tech = rng.random() < 0.5
    share_text, share = rng.choice(
        [(None, None)] * 4 + [("60%", D("0.6")), ("0.5", D("0.5")), ("0.51", D("0.51")), ("30", D("0.3"))]
    )
    rate_text, rate = rng.choice(
        [(None, None), (None, None), ("15%", D("0.15")), ("0.2", D("0.2")), ("25", D("0.25")), ("0.09", D("0.09"))]
    )
    return Case(
        year=year,
        industry=rng.choice(INDUSTRIES),
        high_tech=high_tech,
        tech_sme=rng.random() < 0.4,
        ic=rng.random() < 0.3,
        tax_rate=rate,
        tax_rate_text=rate_text,
        negative_share=share,
        negative_share_text=share_text,
        projects=projects,
        lines=lines,
        keys=keys,
    )


# ---------------------------------------------------------------- the case as sheets

LEDGER_HEADER = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "可加计金额", "支出类型"]
LEDGER_HEADER += ["受托方", "受托方类型", "关联方"]
PROJECT_HEADER = ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期"]
PROJECT_HEADER += ["项目状态", "支出类型", "资本化开始日期"]


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def sheets_of(case: Case, native: bool = False) -> dict[str, list[list]]:
    """The case's sheets; ``native`` writes numbers and dates as Excel values rather than text."""

    def num(value: Decimal):
        return float(value) if native else str(value)

    ent = {
        "统一社会信用代码": "91320800MA1XXXXXX0",
        "企业名称": "测试企业",
        "所属年度": case.year,
        "行业代码": case.industry,
        "所在区域": "高新区",
        "高新技术企业": yes(case.high_tech),
        "科技型中小企业": yes(case.tech_sme),
        "规模以上企业": "是",
        "集成电路或工业母机企业": yes(case.ic),
        "营业收入": "10000000",
        "企业所得税税率": case.tax_rate_text,
        "负面清单行业收入占比": case.negative_share_text,
    }
    for key, value in case.keys.items():
        ent[key] = num(value)
    y = case.year
    projects = [
        [p.code, f"研发项目{p.code}", "自主研发", p.research, dt.date(y - 1, 12, 1), f"研立{p.code}"]
        + [dt.date(y - 1, 12, 1), dt.date(y + 1, 12, 31), p.status, p.expense_type, dt.date(y - 1, 12, 1)]
        for p in case.projects
    ]
    ledger = []
    for i, ln in enumerate(case.lines):
        c = cat(ln.sub)
        category = [str(c), CATEGORY_NAME[c], f"{c} {CATEGORY_NAME[c]}"][i % 3]
        sub = [ln.sub, f"{ln.sub} {SUBITEM_NAME[ln.sub]}", SUBITEM_NAME[ln.sub]][i % 3 if ln.sub[0] != "3" else 0]
        date = ln.date if native or i % 2 else ln.date.isoformat()
        eligible = None if ln.eligible is None else num(ln.eligible)
        contractor = ["受托单位", ln.contractor_type, "否"] if c == 7 else [None, None, None]
        row = [date, f"记-{i + 1:04d}", ln.project, "摘要", category, sub, num(ln.book), eligible]
        ledger.append(row + ["资本化" if ln.capitalised else "费用化", *contractor])
    return {
        "企业信息": [["项目", "值"], *([k, v] for k, v in ent.items())],
        "研发项目": [PROJECT_HEADER, *projects],
        "辅助账明细": [LEDGER_HEADER, *ledger],
    }


# ---------------------------------------------------------------- comparison


def as_decimal(value) -> Decimal | None:
    return None if value is None else D(str(value))


def mismatches(case: Case, report: dict) -> list[str]:
    """Every JSON figure that differs from the reference, shown to the fen."""
    ref = reference(case)
    out = []
    for n in range(1, 53):
        want, got = shown(ref["a107012"][n]), as_decimal(report["a107012"][str(n)])
        if want != got:
            out.append(f"a107012[{n}]: reference {want}, rdcheck {got}")
    want, got = shown(ref["tax_saving"]), as_decimal(report["tax_saving"])
    if want != got:
        out.append(f"tax_saving: reference {want}, rdcheck {got}")
    for key, value in ref["stats"].items():
        want, got = shown(value), as_decimal(report["stats"][key])
        if want != got:
            out.append(f"stats[{key}]: reference {want}, rdcheck {got}")
    if len(report["reconciliation"]) != len(ref["reconciliation"]):
        return [*out, f"reconciliation: {len(report['reconciliation'])} rows, reference {len(ref['reconciliation'])}"]
    for i, (want_row, got_row) in enumerate(zip(ref["reconciliation"], report["reconciliation"], strict=True)):
        if got_row["caliber"] != want_row["caliber"]:
            out.append(f"reconciliation[{i}].caliber: reference {want_row['caliber']}, rdcheck {got_row['caliber']}")
        for key in ("computed", "reported", "difference"):
            want, got = shown(want_row[key]), as_decimal(got_row[key])
            if want != got:
                out.append(f"reconciliation[{i}].{key}: reference {want}, rdcheck {got}")
        if got_row["difference"] is None and got_row["explained_by"]:
            out.append(f"reconciliation[{i}]: explained_by {got_row['explained_by']} without a difference")
    return out


N_CASES = 240


@pytest.mark.parametrize("seed", range(N_CASES))
def test_random_ledger_matches_reference(seed):
    case = random_case(seed)
    report = check_book(book_from_sheets(sheets_of(case))).to_dict()
    assert mismatches(case, report) == []


# ---------------------------------------------------------------- targeted cases the random mix may miss


def lone_case(lines, year=2024, industry="C3976", projects=None, **kw) -> Case:
    projects = projects or [Project("P00", "进行中", "应用研究")]
    return Case(year, industry, kw.pop("high_tech", False), kw.pop("tech_sme", False), kw.pop("ic", False),
                kw.pop("tax_rate", None), projects, lines, **kw)  # fmt: skip


def ln(sub, book, eligible=None, capitalised=False, project="P00", ctype=None, year=2024) -> Line:
    return Line(
        dt.date(year, 6, 1), project, sub, D(book), None if eligible is None else D(eligible), capitalised, ctype
    )


def run(case: Case) -> dict:
    return check_book(book_from_sheets(sheets_of(case))).to_dict()


def test_line_51_rounds_half_up_from_exact_amount():
    """75% of 0.02 is 0.015: shown 0.02 (half-up), not 0.01 (half-even) — 2021, not manufacturing."""
    case = lone_case(
        [ln("1.1", "0.02", year=2021)], year=2021, industry="I6510", tax_rate=D("0.5"), tax_rate_text="0.5"
    )
    report = run(case)
    assert report["a107012"]["51"] == 0.02
    assert report["tax_saving"] == 0.01  # 0.015 × 0.5 = 0.0075 → 0.01
    assert mismatches(case, report) == []


def test_capitalised_lines_of_unfinished_projects_stay_outside_the_10_percent_limit():
    projects = [Project("P00", "进行中", "应用研究"), Project("P01", "已完成", "应用研究")]
    lines = [
        ln("1.1", "900"),
        ln("6.1", "300"),  # in scope: limit 900/9 = 100
        ln("6.2", "50", capitalised=True),  # unfinished: outside, full amount
        ln("6.3", "90", capitalised=True, project="P01"),  # finished: in scope → cap shared
        ln("1.2", "90", capitalised=True, project="P01"),  # in scope base: limit (990)/9 = 110
    ]
    case = lone_case(lines, projects=projects)
    report = run(case)
    assert report["a107012"]["34"] == 160  # 110 + 50
    assert mismatches(case, report) == []


def test_negative_balance_after_carry_forward_goes_to_line_52():
    case = lone_case([ln("1.1", "1000")], keys={"特殊收入": D("100"), "以前年度结转扣减额": D("1500")})
    report = run(case)
    assert report["a107012"]["47"] == 900 and report["a107012"]["51"] == 0 and report["a107012"]["52"] == 600
    assert mismatches(case, report) == []


def test_reported_intramural_takes_empty_lines_14_and_10_from_the_ledger():
    lines = [ln("1.1", "50000"), ln("7.1", "10000", ctype="境内企业"), ln("3.1", "4000"), ln("8.1", "1000")]
    case = lone_case(lines, keys={"统计研究开发费用合计": D("80"), "统计委托外部研究开发费用": D("12")})
    report = run(case)
    # 80 000 − 12 000 (reported 14) − 5 000 (ledger 10: 3.1 + 8.1)
    assert report["stats"]["intramural_reported"] == 63000
    assert mismatches(case, report) == []


# ---------------------------------------------------------------- a few real files through the CLI

CLI_SEEDS = [3, 17, 42, 101, 202]


def write_xlsx(sheets: dict[str, list[list]], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def test_real_files_through_the_cli(tmp_path):
    paths, cases = [], []
    for seed in CLI_SEEDS:
        case = random_case(seed)
        path = tmp_path / f"case{seed}.xlsx"
        write_xlsx(sheets_of(case, native=True), path)
        paths.append(str(path))
        cases.append(case)
    exe = Path(sys.executable).with_name("rdcheck")
    proc = subprocess.run([str(exe), "check", *paths, "--format", "json", "--fail-on", "never"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    reports = json.loads(proc.stdout)
    for case, report in zip(cases, reports, strict=True):
        assert mismatches(case, report) == [], report["file"]
