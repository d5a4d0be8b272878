"""Generate the official-layout samples, deterministically (same bytes on every run), from layouts.md.

    python samples/make_layouts.py [--out DIR]

writes DIR/layouts/: official-2021.xlsx (2021 ledgers, one sheet per project and 支出类型, and the 2021 汇总表 —
nothing else), mixed-2021.xlsx (rdcheck's 企业信息 and 研发项目 with the official ledgers and the official 汇总表
under the sheet name 汇总表), single-ledger.xlsx (one official ledger under the sheet name 辅助账明细),
standard-2024.xlsx (the same voucher lines in rdcheck's standard workbook), official-2015.xlsx (the 2015 set:
自主/委托 ledgers and the 附件5 汇总表) and expected.yaml (the figures each must give).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import officialbook as ob  # noqa: E402
from official2015 import write_ledgers_2015, write_summary_2015  # noqa: E402

HERE = Path(__file__).resolve().parent
CREATED = dt.datetime(2025, 3, 1, 9, 0, 0)
D = Decimal
CATS_2021 = ("人员人工费用", "直接投入费用", "折旧费用", "无形资产摊销", "新产品设计费等", "其他相关费用")
DOMESTIC = "委托境内机构或个人进行研发活动所发生的费用"
OVERSEAS = "委托境外机构进行研发活动所发生的费用"


class Fmt:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10, "border": 1}
        self.head = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
        self.title = wb.add_format({"font_name": "宋体", "font_size": 16, "bold": True, "align": "center"})
        self.text = wb.add_format(base)
        self.plain = wb.add_format({"font_name": "宋体", "font_size": 10})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.amount = wb.add_format({**base, "num_format": "#,##0.00"})


def put(ws: Any, r: int, c: int, value: Any, f: Fmt) -> None:
    if value is None:
        ws.write_blank(r, c, None, f.text)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), f.date)
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, float(value), f.amount)
    else:
        ws.write_string(r, c, str(value), f.text)


def new_book(path: Path) -> tuple[Any, Fmt]:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"{ob.NAME}研发支出辅助账", "author": "rdcheck samples", "created": CREATED})
    return wb, Fmt(wb)


# ---------------------------------------------------------------- 2021 ledger (28号 附件1)


def row_amounts(v: ob.Voucher) -> list[Decimal | None]:
    """会计凭证记载金额, 税法规定的归集金额, six categories, 委托境内, 委托境外 (blank where 0)."""
    cats: dict[str, Decimal] = {}
    for sub, _book, elig in v.parts:
        key = sub if ob.category(sub) == 7 else str(ob.category(sub))
        if ob.category(sub) <= 6 or sub in ("7.1", "7.2"):
            cats[key] = cats.get(key, D(0)) + elig
    keys = ("1", "2", "3", "4", "5", "6", "7.1", "7.2")
    return [v.book, v.eligible, *(cats.get(k) or None for k in keys)]


def write_ledger_2021(wb: Any, f: Fmt, title: str, p: ob.Project, expense: str, vs: list[ob.Voucher], variant: int):
    """One 2021 ledger sheet. Variant 0: merged 3-row header, project row 2, 本月合计 + 本年累计 after each month.
    Variant 1: a blank row before the project row, one label-and-value cell per pair, headers not merged
    vertically, a final 合计金额 row."""
    ws = wb.add_worksheet(title)
    ws.set_column(0, 0, 11)
    ws.set_column(3, 3, 30)
    ws.set_column(4, 13, 13)
    ws.merge_range(0, 0, 0, 13, f"{ob.YEAR}年研发支出辅助账", f.title)
    status = "已完成" if p.status == "已完成" else "未完成"
    if variant == 0:
        pr = 1
        pairs = [("项目编号：", p.pid), ("项目名称：", p.name), ("完成情况：", status), ("支出类型：", expense)]
        c = 0
        for label, value in pairs:
            ws.write_string(pr, c, label, f.plain)
            if label == "项目名称：":
                ws.merge_range(pr, c + 1, pr, c + 3, value, f.plain)
                c += 4
            else:
                ws.write_string(pr, c + 1, value, f.plain)
                c += 2
        ws.write_string(pr, 12, "金额单位：元", f.plain)
    else:
        pr = 2
        for c, text in enumerate(
            (f"项目编号：{p.pid}", f"项目名称：{p.name}", f"完成情况：{status}", f"支出类型：{expense}")
        ):
            ws.write_string(pr, c * 3, text, f.plain)
        ws.write_string(pr, 12, "金额单位：元", f.plain)
    h = pr + 1
    if variant == 0:
        ws.merge_range(h, 0, h, 3, "凭证信息", f.head)
        for c, text in enumerate(("日期", "种类", "号数", "摘要")):
            ws.merge_range(h + 1, c, h + 2, c, text, f.head)
        ws.merge_range(h, 4, h + 2, 4, "会计凭证记载金额", f.head)
        ws.merge_range(h, 5, h + 2, 5, "税法规定的归集金额", f.head)
        ws.merge_range(h, 6, h, 13, "费用明细（税法规定）", f.head)
        for i, text in enumerate(CATS_2021):
            ws.merge_range(h + 1, 6 + i, h + 2, 6 + i, text, f.head)
        ws.merge_range(h + 1, 12, h + 1, 13, "委托研发费用", f.head)
        ws.write_string(h + 2, 12, DOMESTIC, f.head)
        ws.write_string(h + 2, 13, OVERSEAS, f.head)
    else:
        top = ["凭证信息", None, None, None, "会计凭证记载金额", "税法规定的归集金额", "费用明细（税法规定）"]
        mid = ["日期", "种类", "号数", "摘要", None, None, *CATS_2021, "委托研发费用", None]
        low = [None] * 12 + [DOMESTIC, OVERSEAS]
        for r, row in enumerate((top, mid, low)):
            for c, text in enumerate(row):
                if text is not None:
                    ws.write_string(h + r, c, text, f.head)
    r = h + 3
    month_sum = [D(0)] * 10
    year_sum = [D(0)] * 10
    for i, v in enumerate(vs):
        amounts = row_amounts(v)
        for c, value in enumerate((v.date, "记", v.number, v.summary, *amounts)):
            put(ws, r, c, value, f)
        month_sum = [a + (b or 0) for a, b in zip(month_sum, amounts, strict=True)]
        year_sum = [a + (b or 0) for a, b in zip(year_sum, amounts, strict=True)]
        r += 1
        last_of_month = i + 1 == len(vs) or vs[i + 1].date.month != v.date.month
        if variant == 0 and last_of_month:
            for label, sums in (("本月合计", month_sum), ("本年累计", year_sum)):
                put(ws, r, 3, label, f)
                for c, value in enumerate(sums):
                    put(ws, r, 4 + c, value, f)
                r += 1
            month_sum = [D(0)] * 10
    if variant == 1:
        put(ws, r, 0, "合计金额", f)
        for c, value in enumerate(year_sum):
            put(ws, r, 4 + c, value, f)
        r += 1
    ws.write_string(r + 1, 0, "会计主管：王会计", f.plain)
    ws.write_string(r + 1, 6, "复核：李复核", f.plain)


# ---------------------------------------------------------------- 2021 汇总表 (28号 附件2)


def summary_rows() -> list[list[Any]]:
    """One row per project and 支出类型: the form's columns, the limits spread pro rata (computed here)."""
    exp = ob.expected()
    ratio6 = exp["other_ratio"]
    line37 = sum((e for v in ob.VOUCHERS for s, b, e in v.parts if s == "7.2"), D(0))
    line2 = sum((exp[f"a{n}"] for n in (3, 7, 16, 19, 23)), D(0)) + exp["other_allowed"]
    line36 = exp["a36"]
    line38 = min(line37 * D("0.8"), (line2 + line36 * D("0.8")) * 2 / 3)
    ratio72 = line38 / line37 if line37 else D("0.8")
    rows = []
    for p, expense, vs in ob.ledgers():
        cat = {k: D(0) for k in ("1", "2", "3", "4", "5", "6", "7.1", "7.2")}
        for v in vs:
            for sub, _b, e in v.parts:
                k = sub if ob.category(sub) == 7 else str(ob.category(sub))
                if k in cat:
                    cat[k] += e
        in_scope = expense == "费用化" or p.status == "已完成"
        five = sum((cat[str(n)] for n in range(1, 6)), D(0))
        c72 = cat["6"] * ratio6 if in_scope else cat["6"]
        c82 = cat["7.1"] * D("0.8")
        c84 = cat["7.2"] * ratio72
        total = five + c72 + c82 + c84
        status = "已完成" if p.status == "已完成" else "未完成"
        values = [total, *(cat[str(n)] for n in range(1, 6)), five, cat["6"], c72, cat["7.1"], c82, cat["7.2"], c84]
        rows.append([p.pid, p.name, status, expense, *(ob.fen(x) for x in values)])
    return rows


def write_summary_2021(wb: Any, f: Fmt, title: str = "汇总表") -> None:
    ws = wb.add_worksheet(title)
    ws.set_column(0, 3, 12)
    ws.set_column(1, 1, 26)
    ws.set_column(4, 16, 14)
    ws.merge_range(0, 0, 0, 16, "研发支出辅助账汇总表", f.title)
    ws.write_string(1, 0, f"纳税人识别号（统一社会信用代码）：{ob.USCC}", f.plain)
    ws.write_string(1, 5, f"纳税人名称：{ob.NAME}", f.plain)
    ws.write_string(1, 10, f"属期：{ob.YEAR}年1月1日至{ob.YEAR}年12月31日", f.plain)
    ws.write_string(1, 15, "金额单位：元", f.plain)
    for c, text in enumerate(("项目编号", "项目名称", "完成情况", "支出类型", "允许加计扣除金额合计")):
        ws.merge_range(2, c, 3, c, text, f.head)
    for i, text in enumerate((*CATS_2021[:5], "前五项小计")):
        ws.merge_range(2, 5 + i, 3, 5 + i, text, f.head)
    ws.merge_range(2, 11, 2, 12, "其他相关费用及限额", f.head)
    ws.write_string(3, 11, "其他相关费用合计", f.head)
    ws.write_string(3, 12, "经限额调整后的其他相关费用", f.head)
    ws.merge_range(2, 13, 2, 16, "委托研发费用及限额", f.head)
    for c, text in enumerate((DOMESTIC, "允许加计扣除的" + DOMESTIC, OVERSEAS, "经限额调整后的" + OVERSEAS)):
        ws.write_string(3, 13 + c, text, f.head)
    for c, code in enumerate(("1", "2", "3", "4", "5", "6", "7.1", "7.2", "8.1", "8.2", "8.3", "8.4")):
        ws.write_string(4, 5 + c, code, f.head)
    r = 5
    rows = summary_rows()
    for row in rows:
        for c, value in enumerate(row):
            put(ws, r, c, value, f)
        r += 1
    for label, pick in (
        ("资本化金额小计", "资本化"),
        ("费用化金额小计", "费用化"),
        ("其中：其他事项", None),
        ("金额合计", ""),
    ):
        put(ws, r, 0, label, f)
        if pick is not None:
            chosen = [row for row in rows if pick == "" or row[3] == pick]
            for c in range(4, 17):
                put(ws, r, c, sum((row[c] for row in chosen), D(0)), f)
        r += 1
    ws.write_string(r + 1, 0, "法定代表人（签章）：", f.plain)


# ---------------------------------------------------------------- rdcheck's standard workbook


def enterprise_pairs() -> list[tuple[str, Any]]:
    return [
        ("统一社会信用代码", ob.USCC),
        ("企业名称", ob.NAME),
        ("所属年度", ob.YEAR),
        ("行业代码", "C3499"),
        ("所在区域", "王营街道"),
        ("高新技术企业", "是"),
        ("科技型中小企业", "否"),
        ("规模以上企业", "是"),
        ("集成电路或工业母机企业", "否"),
        ("营业收入", D("86000000")),
        ("统计研究开发费用合计（千元）", D("1000")),
        ("统计研究开发人员", 12),
    ]


PROJECT_HEADER = ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期"]
PROJECT_HEADER += ["项目状态", "支出类型", "资本化开始日期", "技术合同登记号"]


def project_rows() -> list[list[Any]]:
    rows = []
    for i, p in enumerate(ob.PROJECTS, start=1):
        contract = "320104X000123" if p.form == "委托研发" else None
        rows.append(
            [p.pid, p.name, p.form, "试验发展", dt.date(2024, 1, 2), f"研字〔2024〕{i}号", dt.date(2024, 1, 3)]
            + [dt.date(2024, 12, 31), p.status, p.expense, p.cap_start, contract]
        )
    return rows


LEDGER_HEADER = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "可加计金额", "支出类型"]
LEDGER_HEADER += ["受托方", "受托方类型", "关联方"]
CONTRACTOR = {
    "7.1": ("南京工业大学", "境内高等学校"),
    "7.2": ("弗劳恩霍夫研究所", "境外机构"),
    "7.3": ("J. Smith", "境外个人"),
}


def standard_sheets(vouchers=ob.VOUCHERS, with_info: bool = True) -> dict[str, list[list[Any]]]:
    """The same voucher lines in rdcheck's standard workbook: one line per part of a voucher."""
    ledger = [LEDGER_HEADER]
    for v in sorted(vouchers, key=lambda v: (v.date, v.number)):
        for sub, book, elig in v.parts:
            who = CONTRACTOR.get(sub, (None, None))
            related = "否" if ob.category(sub) == 7 else None
            ledger.append(
                [
                    v.date,
                    f"记-{v.number}",
                    v.pid,
                    v.summary,
                    ob.category(sub),
                    sub,
                    book,
                    None if sub == "7.3" else elig,  # 7.3 left empty, as an accountant would: = 账载金额
                    v.expense,
                    *who,
                    related,
                ]
            )
    sheets = {"辅助账明细": ledger}
    if with_info:
        sheets = {
            "企业信息": [["项目", "值"], *map(list, enterprise_pairs())],
            "研发项目": [PROJECT_HEADER, *project_rows()],
        } | sheets
    return sheets


def write_rows(wb: Any, f: Fmt, title: str, rows: list[list[Any]]) -> None:
    ws = wb.add_worksheet(title)
    ws.set_column(0, 12, 14)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r == 0:
                ws.write_string(r, c, str(value), f.head)
            elif value is not None:
                put(ws, r, c, value, f)


# ---------------------------------------------------------------- the files


def write_all(out: Path) -> dict[str, Any]:
    folder = out / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    ledgers = ob.ledgers()

    wb, f = new_book(folder / "official-2021.xlsx")
    for i, (p, expense, vs) in enumerate(ledgers):
        write_ledger_2021(wb, f, f"{p.pid}{expense}", p, expense, vs, i % 2)
    write_summary_2021(wb, f, "研发支出辅助账汇总表")
    wb.close()

    wb, f = new_book(folder / "mixed-2021.xlsx")
    std = standard_sheets()
    write_rows(wb, f, "企业信息", std["企业信息"])
    write_rows(wb, f, "研发项目", std["研发项目"])
    for i, (p, expense, vs) in enumerate(ledgers):
        write_ledger_2021(wb, f, f"{p.pid}{expense}", p, expense, vs, (i + 1) % 2)
    write_summary_2021(wb, f, "汇总表")
    wb.close()

    wb, f = new_book(folder / "single-ledger.xlsx")
    p, expense, vs = ledgers[0]
    write_ledger_2021(wb, f, "辅助账明细", p, expense, vs, 0)
    wb.close()

    wb, f = new_book(folder / "official-2015.xlsx")
    write_ledgers_2015(wb, f, put)
    write_summary_2015(wb, f, put)
    wb.close()

    wb, f = new_book(folder / "standard-2024.xlsx")
    for title, rows in std.items():
        write_rows(wb, f, title, rows)
    wb.close()

    exp = {k: float(v) for k, v in ob.expected().items() if k.startswith(("a", "stats"))}
    single = [v for v in ob.VOUCHERS if v.pid == p.pid and v.expense == expense]
    expected = {
        "note": "A107012 lines (aN) and 107-2 line 7 (stats7), computed by samples/officialbook.py from the policy",
        "official-2021.xlsx": exp,
        "mixed-2021.xlsx": exp,
        "standard-2024.xlsx": exp,
        "official-2015.xlsx": {k: v for k, v in exp.items() if k in ("a3", "a7", "a16", "a19", "a23", "stats7")},
        "single-ledger.xlsx": {"stats7": float(sum((v.book for v in single), D(0)))},
    }
    (folder / "expected.yaml").write_text(
        yaml.safe_dump(expected, allow_unicode=True, sort_keys=True), encoding="utf-8"
    )
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE))
    args = parser.parse_args()
    write_all(Path(args.out))


if __name__ == "__main__":
    main()
