"""Generate the ERP 多栏账 sample, deterministically (same bytes on every run), from layouts.md §1d.

    python samples/make_erp_sample.py [--out DIR]

writes DIR/erp/:
- 研发支出多栏账-2024.xlsx: what 用友 U8 prints for 5301 研发支出 filtered by project, one sheet per project: a
  merged title, 科目/项目/期间 lines, ``2024年`` over 月 日, 凭证号数, 摘要, 借方, 贷方, 方向, 余额, and a
  ``借方金额分析`` block with one column per sub-account ``code name``; rows 上年结转, voucher entries (a few with two
  sub-accounts), month-end 结转本月研发费用 (贷方, negative analysis cells), 本月合计, 本年累计, 过次页/承前页 every
  page, and a signature footer. No 企业信息: the enterprise is in 企业信息.yaml (rdcheck check … --info).
- 标准辅助账-同一凭证.xlsx: the same vouchers in rdcheck's standard workbook (spec §2), each line under the sub-item the
  account's name says (layouts.md §2.8's keywords, written out here by hand), 可加计金额 left empty (= 账载金额).
- 企业信息.yaml, expected.yaml: the generator's own figures (107-2 line 7, A107012 line 40, by sub-account).

Nothing here imports rdcheck: the sample is written from the document, not from the reader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

HERE = Path(__file__).resolve().parent
SEED = 1_0_8
YEAR = 2024
CREATED = dt.datetime(2025, 3, 1, 9, 0, 0)
ROWS_PER_PAGE = 40
FEN = Decimal("0.01")

# the enterprise's 研发支出 sub-accounts, with the sub-item each one's name points to (layouts.md §2.8) and a
# typical monthly amount; 530199 其他费用 fits no keyword: not eligible (8.2)
ACCOUNTS = [
    ("53010101", "职工薪酬—工资", "1.1", 180_000),
    ("53010102", "职工薪酬—社会保险", "1.2", 38_000),
    ("53010103", "职工薪酬—住房公积金", "1.2", 12_000),
    ("530102", "材料费", "2.1", 90_000),
    ("530103", "燃料动力费", "2.2", 14_000),
    ("530104", "折旧费", "3.2", 26_000),
    ("530105", "无形资产摊销", "4.1", 6_000),
    ("530106", "设计费", "5.1", 20_000),
    ("530107", "差旅费", "6.5", 9_000),
    ("530108", "委托外协费", "7.1", 60_000),
    ("530109", "业务招待费", "8.2", 3_000),
    ("530199", "其他费用", "8.2", 2_500),
]
PROJECTS = [
    ("RD2024-01", "高效节能离心泵叶轮优化研发", list(range(12))),
    ("RD2024-02", "泵用智能变频控制系统开发", [0, 1, 3, 4, 6, 7, 8, 10]),  # no 燃料动力, 委托, 其他
]
ENTERPRISE = {
    "统一社会信用代码": "913208047581784510",
    "企业名称": "江苏新途泵业有限公司",
    "所属年度": YEAR,
    "行业代码": "C3441",
    "所在区域": "高新区",
    "高新技术企业": "是",
    "科技型中小企业": "否",
    "规模以上企业": "是",
    "集成电路或工业母机企业": "否",
    "营业收入(元)": 186_000_000,
    "统计研究开发人员(人)": 18,
}
CONTRACTOR = ("江苏理工学院", "境内高等学校", "否")


def money(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(FEN, rounding=ROUND_HALF_UP)


def vouchers(rng: random.Random, accounts: list[int]) -> list[dict[str, Any]]:
    """Per month, one or two entries per used sub-account; now and then one entry debits two sub-accounts."""
    out: list[dict[str, Any]] = []
    number = 0
    for month in range(1, 13):
        entries: list[dict[str, Any]] = []
        for i in accounts:
            code, name, _, typical = ACCOUNTS[i]
            if name == "委托外协费" and month % 3:
                continue  # paid quarterly
            for _ in range(rng.choice((1, 1, 2))):
                amount = money(typical * rng.uniform(0.3, 0.7))
                entries.append({"day": rng.randint(1, 27), "parts": {i: amount}, "summary": f"{name}"})
        if len(entries) > 2 and month in (4, 9):  # one voucher line split over two sub-accounts
            a, b = entries[0], entries[1]
            if set(a["parts"]).isdisjoint(b["parts"]):
                a["parts"].update(b["parts"])
                a["summary"] = "报销研发费用（多科目）"
                entries.remove(b)
        entries.sort(key=lambda e: e["day"])
        for e in entries:
            number += 1
            e.update(month=month, voucher=f"记-{number:04d}")
            out.append(e)
    return out


class Sheet:
    """Writes one project's 多栏账 with the page carries and totals a printed export has."""

    def __init__(self, wb: Any, name: str, project: str, accounts: list[int]) -> None:
        self.ws = wb.add_worksheet(name)
        self.accounts = accounts
        base = {"font_name": "宋体", "font_size": 10, "border": 1}
        self.f_head = wb.add_format({**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
        self.f_text = wb.add_format(base)
        self.f_num = wb.add_format({**base, "num_format": "#,##0.00"})
        self.f_title = wb.add_format({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center"})
        self.f_plain = wb.add_format({"font_name": "宋体", "font_size": 10})
        width = 8 + len(accounts)
        ws = self.ws
        ws.merge_range(0, 0, 0, width - 1, "研发支出多栏账", self.f_title)
        ws.merge_range(1, 0, 1, 3, "科目：5301 研发支出", self.f_plain)
        ws.merge_range(1, 4, 1, 7, f"项目：{project}", self.f_plain)
        ws.merge_range(1, 8, 1, width - 1, f"期间：{YEAR}.01-{YEAR}.12", self.f_plain)
        ws.merge_range(2, 0, 2, 1, f"{YEAR}年", self.f_head)
        ws.write_string(3, 0, "月", self.f_head)
        ws.write_string(3, 1, "日", self.f_head)
        for c, text in enumerate(("凭证号数", "摘要", "借方", "贷方", "方向", "余额"), start=2):
            ws.merge_range(2, c, 3, c, text, self.f_head)
        if len(accounts) > 1:
            ws.merge_range(2, 8, 2, width - 1, "借方金额分析", self.f_head)
        else:
            ws.write_string(2, 8, "借方金额分析", self.f_head)
        for k, i in enumerate(accounts):
            ws.write_string(3, 8 + k, f"{ACCOUNTS[i][0]} {ACCOUNTS[i][1]}", self.f_head)
        ws.set_column(3, 3, 26)
        ws.set_column(4, width - 1, 13)
        ws.freeze_panes(4, 0)
        self.r = 4
        self.on_page = 0
        self.debit = self.credit = Decimal(0)  # since the start, for the page carries
        self.balance = Decimal(0)
        self.per_account: dict[int, Decimal] = {}  # voucher debits since the start, for the page carries

    def row(self, cells: dict[int, Any], parts: dict[int, Decimal] | None = None) -> None:
        for c in range(8 + len(self.accounts)):
            value = cells.get(c)
            if c >= 8 and parts is not None:
                value = parts.get(self.accounts[c - 8])
            if isinstance(value, Decimal):
                self.ws.write_number(self.r, c, float(value), self.f_num)
            elif isinstance(value, int):
                self.ws.write_number(self.r, c, value, self.f_text)
            elif value is None:
                self.ws.write_blank(self.r, c, None, self.f_text)
            else:
                self.ws.write_string(self.r, c, str(value), self.f_text)
        self.r += 1
        self.on_page += 1

    def movement(self, cells: dict[int, Any], parts: dict[int, Decimal]) -> None:
        if self.on_page >= ROWS_PER_PAGE:
            self.carry()
        self.row(cells, parts)

    def carry(self) -> None:
        """过次页 at the bottom of a page, 承前页 at the top of the next: the running figures, never lines."""
        direction = "借" if self.balance > 0 else "平"
        shown = {i: v for i, v in self.per_account.items()}
        for word in ("过次页", "承前页"):
            self.row({3: word, 4: self.debit, 5: self.credit, 6: direction, 7: self.balance}, shown)
            if word == "过次页":
                self.ws.set_h_pagebreaks([self.r])
        self.on_page = 1


def write_erp(path: Path, vouchers_of: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "研发支出多栏账", "author": "用友U8 导出（rdcheck 样例）", "created": CREATED})
    lines: list[dict[str, Any]] = []
    figures: dict[str, Any] = {"sheets": {}}
    for pid, pname, accounts in PROJECTS:
        sheet = Sheet(wb, pid, f"{pid} {pname}", accounts)
        sheet.row({3: "上年结转", 6: "平", 7: Decimal(0)})
        year_parts: dict[int, Decimal] = {}
        for month in range(1, 13):
            month_parts: dict[int, Decimal] = {}
            month_debit = Decimal(0)
            for v in (v for v in vouchers_of[pid] if v["month"] == month):
                debit = sum(v["parts"].values(), Decimal(0))
                sheet.debit += debit
                sheet.balance += debit
                month_debit += debit
                for i, amount in v["parts"].items():
                    month_parts[i] = month_parts.get(i, Decimal(0)) + amount
                    sheet.per_account[i] = sheet.per_account.get(i, Decimal(0)) + amount
                sheet.movement(
                    {0: month, 1: v["day"], 2: v["voucher"], 3: v["summary"], 4: debit, 6: "借", 7: sheet.balance},
                    v["parts"],
                )
                for i, amount in v["parts"].items():  # sheet.r is now the Excel row just written
                    cell = f"{chr(ord('A') + 8 + accounts.index(i))}{sheet.r}"
                    lines.append({"project": pid, "month": month, "day": v["day"], "voucher": v["voucher"],
                                  "summary": v["summary"], "account": i, "amount": amount, "cell": cell})  # fmt: skip
            for i, amount in month_parts.items():
                year_parts[i] = year_parts.get(i, Decimal(0)) + amount
            last_day = (dt.date(YEAR + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
            if month_debit:
                sheet.credit += month_debit
                sheet.balance -= month_debit
                transfer = {i: -v for i, v in month_parts.items()}
                sheet.movement({0: month, 1: last_day, 2: f"转-{month:02d}99", 3: "结转本月研发费用",
                                5: month_debit, 6: "平", 7: sheet.balance}, transfer)  # fmt: skip
            direction = "平" if sheet.balance == 0 else "借"
            sheet.row({3: "本月合计", 4: month_debit, 5: month_debit, 6: direction, 7: sheet.balance}, month_parts)
            sheet.row({3: "本年累计", 4: sheet.debit, 5: sheet.credit, 6: direction, 7: sheet.balance}, year_parts)
        sheet.r += 1
        for c, text in ((0, "会计主管：周建国"), (4, "记账：陈静"), (8, "审核：刘洋"), (10, "制单：王敏")):
            sheet.ws.write_string(sheet.r, c, text, sheet.f_plain)
        figures["sheets"][pid] = {"book": float(sheet.debit), "last_row": sheet.r - 1}
    wb.close()
    return lines, figures


def write_standard(path: Path, lines: list[dict[str, Any]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "研发支出辅助账（与多栏账同一凭证）", "author": "rdcheck samples", "created": CREATED})
    date_f = wb.add_format({"num_format": "yyyy-mm-dd"})
    num_f = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("企业信息")
    ws.write_row(0, 0, ["项目", "值"])
    for r, (k, v) in enumerate(ENTERPRISE.items(), start=1):
        ws.write(r, 0, k)
        ws.write(r, 1, v)
    ws = wb.add_worksheet("研发项目")
    heads = ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期",
             "项目状态", "支出类型", "技术合同登记号"]  # fmt: skip
    ws.write_row(0, 0, heads)
    for r, (pid, name, _) in enumerate(PROJECTS, start=1):
        ws.write_row(r, 0, [pid, name, "自主研发", "试验发展"])
        ws.write_datetime(r, 4, dt.datetime(YEAR, 1, 2), date_f)
        ws.write_row(r, 5, [f"新途研〔{YEAR}〕{r}号"])
        ws.write_datetime(r, 6, dt.datetime(YEAR, 1, 2), date_f)
        ws.write_datetime(r, 7, dt.datetime(YEAR + 1, 6, 30), date_f)
        ws.write_row(r, 8, ["进行中", "费用化"])
    ws = wb.add_worksheet("辅助账明细")
    heads = ["日期", "凭证号", "项目编号", "摘要", "费用类别", "明细项目", "账载金额", "可加计金额", "支出类型",
             "受托方", "受托方类型", "关联方"]  # fmt: skip
    ws.write_row(0, 0, heads)
    for r, x in enumerate(lines, start=1):
        sub = ACCOUNTS[x["account"]][2]
        ws.write_datetime(r, 0, dt.datetime(YEAR, x["month"], x["day"]), date_f)
        ws.write_row(r, 1, [x["voucher"], x["project"], x["summary"], sub.split(".")[0], sub])
        ws.write_number(r, 6, float(x["amount"]), num_f)
        ws.write_string(r, 8, "费用化")
        if sub.startswith("7"):
            ws.write_row(r, 9, list(CONTRACTOR))
    wb.close()


def expected_figures(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """107-2 line 7 (Σ 账载金额), line 14 (委托), line 10 (折旧), A107012 line 40 with the 10% limit (spec §4.1)."""
    by_sub: dict[str, Decimal] = {}
    for x in lines:
        sub = ACCOUNTS[x["account"]][2]
        by_sub[sub] = by_sub.get(sub, Decimal(0)) + x["amount"]
    cat = {n: sum((v for s, v in by_sub.items() if s.split(".")[0] == str(n)), Decimal(0)) for n in range(1, 9)}
    line7 = sum(cat.values(), Decimal(0))
    first_five = sum((cat[n] for n in range(1, 6)), Decimal(0))
    limit = first_five * Decimal("0.1") / Decimal("0.9")
    line34 = min(cat[6], limit)
    line40 = first_five + line34 + cat[7] * Decimal("0.8")
    return {
        "line7": float(line7),
        "line14": float(cat[7]),
        "line10": float(cat[3]),
        "intramural": float(line7 - cat[7] - cat[3]),
        "a107012_line40_upper_bound": float(money(line40)),
        "not_eligible": float(cat[8]),
        "by_subitem": {s: float(v) for s, v in sorted(by_sub.items())},
        "lines": len(lines),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    out = parser.parse_args(argv).out / "erp"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    vouchers_of = {pid: vouchers(rng, accounts) for pid, _, accounts in PROJECTS}
    lines, sheets = write_erp(out / "研发支出多栏账-2024.xlsx", vouchers_of)
    write_standard(out / "标准辅助账-同一凭证.xlsx", lines)
    info = {k.split("(")[0]: v for k, v in ENTERPRISE.items()}
    (out / "企业信息.yaml").write_text(
        "# 多栏账不带企业信息：rdcheck check 研发支出多栏账-2024.xlsx --info 企业信息.yaml\n"
        + yaml.safe_dump(info, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    expected = {**expected_figures(lines), **sheets, "line_cells": [x["cell"] for x in lines[:5]]}
    (out / "expected.yaml").write_text(
        "# The generator's own figures for the ERP sample (yuan); the standard workbook holds the same vouchers.\n"
        + yaml.safe_dump(expected, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
