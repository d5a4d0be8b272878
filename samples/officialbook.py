"""The voucher lines of one enterprise, and its expected figures, for the official-layout samples (layouts.md).

Written from layouts.md and domain.md, independently of rdcheck's readers: each voucher has one or more parts
``(sub-item, book, eligible)``; the standard workbook writes one line per part; the official layouts write one row per
voucher. The expected A107012 lines and 107-2 line 7 are computed here from the policy formulas (spec §4.1, §4.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

D = Decimal
YEAR = 2024
USCC = "91320804MA1N2K3L40"
NAME = "江苏示例智能装备有限公司"


@dataclass(frozen=True)
class Project:
    pid: str
    name: str
    form: str  # 研发形式
    status: str  # 进行中 / 已完成
    expense: str  # 费用化 / 资本化 / 部分资本化
    cap_start: dt.date | None = None


@dataclass(frozen=True)
class Voucher:
    date: dt.date
    number: int
    summary: str
    pid: str
    expense: str  # 费用化 / 资本化 (the line's)
    parts: tuple[tuple[str, Decimal, Decimal], ...]  # (sub-item, book, eligible)

    @property
    def book(self) -> Decimal:
        return sum((p[1] for p in self.parts), D(0))

    @property
    def eligible(self) -> Decimal:
        return sum((p[2] for p in self.parts), D(0))


PROJECTS = (
    Project("P001", "智能传感器关键技术研究", "自主研发", "进行中", "费用化"),
    Project("P002", "新型伺服控制系统开发", "自主研发", "已完成", "部分资本化", dt.date(2024, 6, 1)),
    Project("P003", "高精度减速器联合开发", "委托研发", "进行中", "费用化"),
)


def _v(m: int, d: int, n: int, summary: str, pid: str, expense: str, *parts: tuple[str, str, str]) -> Voucher:
    return Voucher(dt.date(YEAR, m, d), n, summary, pid, expense, tuple((s, D(b), D(e)) for s, b, e in parts))


VOUCHERS = (
    _v(1, 31, 3, "计提1月研发人员工资", "P001", "费用化", ("1.1", "85000", "85000")),
    _v(1, 31, 4, "计提1月研发人员社保公积金", "P001", "费用化", ("1.2", "25500", "25500")),
    _v(1, 31, 5, "支付外聘专家劳务费", "P001", "费用化", ("1.3", "12000", "12000")),
    _v(1, 31, 6, "计提1月研发人员工资", "P002", "费用化", ("1.1", "60000", "60000")),
    _v(2, 15, 21, "领用研发材料", "P001", "费用化", ("2.1", "46300.55", "46300.55")),
    _v(2, 20, 25, "研发试验动力费", "P002", "费用化", ("2.3", "8800", "8800")),
    _v(2, 28, 30, "研发设备折旧（加速折旧超过税法部分不加计）", "P001", "费用化", ("3.2", "18000", "12000")),
    _v(3, 5, 45, "支付南京工业大学委托研发费", "P003", "费用化", ("7.1", "150000", "150000")),
    _v(3, 10, 41, "研发用软件摊销", "P001", "费用化", ("4.1", "5000", "5000")),
    _v(3, 20, 55, "新产品设计费", "P001", "费用化", ("5.1", "30000", "30000")),
    _v(3, 25, 60, "专家咨询费", "P001", "费用化", ("6.1", "28000", "28000")),
    _v(3, 31, 50, "知识产权申请代理费", "P002", "费用化", ("6.3", "15000", "15000")),
    _v(4, 12, 72, "差旅费及试验用材料", "P001", "费用化", ("6.5", "9800", "9800"), ("2.1", "3200.45", "3200.45")),
    _v(4, 20, 80, "业务招待费", "P001", "费用化", ("8.2", "3000", "0")),
    _v(5, 31, 95, "研发楼房屋折旧", "P001", "费用化", ("8.1", "7000", "0")),
    _v(6, 18, 110, "支付德国弗劳恩霍夫研究所委托研发费", "P003", "费用化", ("7.2", "200000", "200000")),
    _v(6, 30, 120, "开发阶段人员工资", "P002", "资本化", ("1.1", "90000", "90000")),
    _v(7, 15, 130, "开发阶段领用材料", "P002", "资本化", ("2.1", "40000", "40000")),
    _v(8, 20, 140, "开发阶段专利检索分析", "P002", "资本化", ("6.2", "12000", "12000")),
    _v(9, 9, 150, "支付境外个人委托研发费", "P003", "费用化", ("7.3", "20000", "0")),
)


def ledgers() -> list[tuple[Project, str, list[Voucher]]]:
    """One ledger per project and 支出类型, vouchers in date order (the 2021 layout's sheets)."""
    out = []
    for p in PROJECTS:
        for expense in ("费用化", "资本化"):
            vs = sorted((v for v in VOUCHERS if v.pid == p.pid and v.expense == expense), key=lambda v: v.date)
            if vs:
                out.append((p, expense, vs))
    return out


def category(sub: str) -> int:
    return int(sub.split(".")[0])


def fen(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def expected() -> dict[str, Decimal]:
    """A107012 lines 1, 3, 7, 16, 19, 23, 28, 36, 37, 40 and 107-2 line 7, from the policy formulas."""
    status = {p.pid: p.status for p in PROJECTS}
    parts = [(v, s, b, e) for v in VOUCHERS for s, b, e in v.parts]

    def elig(pred) -> Decimal:
        return sum((e for v, s, b, e in parts if pred(v, s)), D(0))

    def in_scope(v: Voucher) -> bool:  # 费用化, or 资本化 of a project whose intangible forms this year
        return v.expense == "费用化" or status[v.pid] == "已完成"

    lines = {
        n: elig(lambda v, s, c=c: category(s) == c) for n, c in ((3, 1), (7, 2), (16, 3), (19, 4), (23, 5), (28, 6))
    }
    lines[36] = elig(lambda v, s: s == "7.1")
    lines[37] = elig(lambda v, s: s == "7.2")
    base = elig(lambda v, s: category(s) <= 5 and in_scope(v))
    cat6_in = elig(lambda v, s: category(s) == 6 and in_scope(v))
    cat6_out = elig(lambda v, s: category(s) == 6 and not in_scope(v))
    line34 = min(cat6_in, base * D("0.1") / D("0.9")) + cat6_out
    line2 = lines[3] + lines[7] + lines[16] + lines[19] + lines[23] + line34
    line38 = min(lines[37] * D("0.8"), (line2 + lines[36] * D("0.8")) * 2 / 3)
    lines[40] = line2 + lines[36] * D("0.8") + line38
    with_lines = {v.pid for v, s, b, e in parts if category(s) <= 6 or s in ("7.1", "7.2")}
    out = {f"a{n}": fen(x) for n, x in lines.items()}
    out["a1"] = D(len(with_lines))
    out["stats7"] = fen(sum((b for v, s, b, e in parts), D(0)))
    out["other_allowed"] = fen(min(cat6_in, base * D("0.1") / D("0.9")))
    out["other_ratio"] = min(cat6_in, base * D("0.1") / D("0.9")) / cat6_in
    return out
