"""Write the 2015 set (国家税务总局公告2015年第97号 附件1-5) for the samples, from layouts.md §1c.

自主研发 ledgers (one per project and 资本化、费用化支出选项) with the full detail block by 97号 sub-item names (the
资本化 sheet swaps 6.4 and 6.5, as one producer does), a 委托研发 ledger with the 委托 columns only, and the 附件5
汇总表. Rows: 期初余额, voucher lines (month and day under the year), month-end transfers (贷方), 本月合计,
本年累计, 期末余额, a footer.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import officialbook as ob

D = Decimal
GROUPS = (
    (
        "一、人员人工费用",
        (
            ("1.1", "直接从事研发活动人员工资薪金"),
            ("1.2", "直接从事研发活动人员五险一金"),
            ("1.3", "外聘研发人员的劳务费用"),
        ),
    ),
    (
        "二、直接投入费用",
        (
            ("2.1", "研发活动直接消耗材料费用"),
            ("2.2", "研发活动直接消耗燃料费用"),
            ("2.3", "研发活动直接消耗动力费用"),
            ("2.4", "用于中间试验和产品试制的模具、工艺装备开发及制造费"),
            ("2.5", "用于不构成固定资产的样品、样机及一般测试手段购置费"),
            ("2.6", "用于试制产品的检验费"),
            ("2.7", "用于研发活动的仪器、设备的运行维护、调整、检验、维修等费用"),
            ("2.8", "通过经营租赁方式租入的用于研发活动的仪器、设备租赁费"),
        ),
    ),
    ("三、折旧费用", (("3.1", "用于研发活动的仪器的折旧费"), ("3.2", "用于研发活动的设备的折旧费"))),
    (
        "四、无形资产摊销",
        (
            ("4.1", "用于研发活动的软件的摊销费用"),
            ("4.2", "用于研发活动的专利权的摊销费用"),
            ("4.3", "用于研发活动的非专利技术（包括许可证、专有技术、设计和计算方法等）的摊销费用"),
        ),
    ),
    (
        "五、新产品设计费等",
        (
            ("5.1", "新产品设计费"),
            ("5.2", "新工艺规程制定费"),
            ("5.3", "新药研制的临床试验费"),
            ("5.4", "勘探开发技术的现场试验费"),
        ),
    ),
    (
        "六、其他相关费用",
        (
            ("6.1", "技术图书资料费、资料翻译费、专家咨询费、高新科技研发保险费"),
            ("6.2", "研发成果的检索、分析、评议、论证、鉴定、评审、评估、验收费用"),
            ("6.3", "知识产权的申请费、注册费、代理费"),
            ("6.4", "职工福利费、补充养老保险费、补充医疗保险费"),
            ("6.5", "差旅费、会议费"),
        ),
    ),
)
COMMISSION = (("7.1", "委托境内机构或个人进行研发活动所发生的费用"), ("7.2", "委托境外机构进行研发活动所发生的费用"))
TOP = ("月", "日", "种类", "号数", "摘要", "借方金额", "贷方金额", "借或贷", "余额")


def _groups(swap: bool) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    groups = list(GROUPS)
    if swap:
        name, leaves = groups[5]
        groups[5] = (name, (leaves[0], leaves[1], leaves[2], leaves[4], leaves[3]))
    return groups


def write_ledger(wb: Any, f: Any, put: Callable, title: str, p: ob.Project, expense: str, vs: list, swap: bool) -> None:
    form = "委托研发" if p.form == "委托研发" else "自主研发"
    if form == "委托研发":
        groups = [("委托研发费用", COMMISSION)]
    else:
        groups = _groups(swap)
    leaves = [leaf for _, ls in groups for leaf in ls]
    width = 9 + len(leaves)
    ws = wb.add_worksheet(title)
    ws.set_column(4, 4, 28)
    ws.set_column(5, width, 12)
    ws.merge_range(0, 0, 0, width - 1, f"{form}“研发支出”辅助账", f.title)
    state = "已完成" if p.status == "已完成" else "未完成"
    pairs = (
        f"项目名称：{p.name}",
        f"项目编号：{p.pid}",
        f"资本化、费用化支出选项：{expense}",
        f"项目实施状态选项：{state}",
    )
    for i, text in enumerate(pairs):
        ws.write_string(1, i * 4, text, f.plain)
    ws.write_string(1, 16, "研发成果：", f.plain)
    ws.write_string(1, 18, "研发成果证书号：", f.plain)
    ws.write_string(1, width - 1 if width - 1 > 20 else 20, "金额单位：元（列至角分）", f.plain)
    h = 2
    ws.merge_range(h, 0, h, 1, f"{ob.YEAR}年", f.head)
    ws.merge_range(h + 1, 0, h + 2, 0, "月", f.head)
    ws.merge_range(h + 1, 1, h + 2, 1, "日", f.head)
    ws.merge_range(h, 2, h, 3, "凭证", f.head)
    ws.merge_range(h + 1, 2, h + 2, 2, "种类", f.head)
    ws.merge_range(h + 1, 3, h + 2, 3, "号数", f.head)
    for c, text in enumerate(TOP[4:], start=4):
        ws.merge_range(h, c, h + 2, c, text, f.head)
    ws.merge_range(h, 9, h, width - 1, "费用明细（借方）", f.head)
    c = 9
    for group, ls in groups:
        if len(ls) > 1:
            ws.merge_range(h + 1, c, h + 1, c + len(ls) - 1, group, f.head)
        else:
            ws.write_string(h + 1, c, group, f.head)
        for code, name in ls:
            ws.write_string(h + 2, c, name, f.head)
            ws.write_string(h + 3, c, code, f.head)  # the 序号 row
            c += 1
    for col in range(9):
        ws.write_string(h + 3, col, "序号" if col == 0 else "", f.head)
    codes = [code for code, _ in leaves]
    r = h + 4
    put(ws, r, 4, "期初余额", f)
    put(ws, r, 7, "平", f)
    put(ws, r, 8, D(0), f)
    r += 1
    balance = D(0)
    month = [D(0)] * (2 + len(codes))  # debit, credit, details
    year = [D(0)] * (2 + len(codes))
    for i, v in enumerate(vs):
        detail = {code: D(0) for code in codes}
        for sub, _b, e in v.parts:
            if sub in detail and e:
                detail[sub] += e
        balance += v.book
        row = [v.date.month, v.date.day, "记", v.number, v.summary, v.book, None, "借", balance]
        row += [detail[code] or None for code in codes]
        for col, value in enumerate(row):
            put(ws, r, col, value, f)
        amounts = [v.book, D(0), *(detail[code] for code in codes)]
        month = [a + b for a, b in zip(month, amounts, strict=True)]
        year = [a + b for a, b in zip(year, amounts, strict=True)]
        r += 1
        last = i + 1 == len(vs) or vs[i + 1].date.month != v.date.month
        if last:
            if expense == "费用化" or i + 1 == len(vs):
                what = "结转本月研发费用至管理费用" if expense == "费用化" else "结转无形资产"
                for col, value in enumerate(
                    (v.date.month, v.date.day, "转", 900 + v.number, what, None, balance, "平", D(0))
                ):
                    put(ws, r, col, value, f)
                month[1] += balance
                year[1] += balance
                balance = D(0)
                r += 1
            for label, sums in (("本月合计", month), ("本年累计", year)):
                put(ws, r, 4, label, f)
                for col, value in enumerate(sums):
                    put(ws, r, 5 + col if col < 2 else 7 + col, value, f)
                r += 1
            month = [D(0)] * (2 + len(codes))
    put(ws, r, 4, "期末余额", f)
    put(ws, r, 8, balance, f)
    ws.write_string(r + 2, 0, "主办会计：王会计", f.plain)
    ws.write_string(r + 2, 6, "录入人员：赵录入", f.plain)
    ws.write_string(r + 2, 12, "复核人员：李复核", f.plain)


def write_ledgers_2015(wb: Any, f: Any, put: Callable) -> None:
    for p, expense, vs in ob.ledgers():
        write_ledger(wb, f, put, f"{p.pid}-{expense}", p, expense, vs, swap=expense == "资本化")


DESCRIPTIVE = (
    "序号",
    "项目名称",
    "项目编号",
    "研发形式",
    "资本化、费用化支出选项",
    "项目实施状态选项",
    "委托方与受托方是否存在关联关系选项",
    "是否委托境外选项",
    "研发成果",
    "研发成果证书号",
)
TAIL = (
    ("七、委托外部研究开发费用", (("7", "委托外部研究开发费用"), ("7.1", "其中：委托境外进行研发活动所发生的费用"))),
    ("八、允许加计扣除的研发费用中的第1至5类费用合计", (("8", "第1至5类费用合计"), ("8.1", "其他相关费用限额"))),
    (
        "九、当期费用化支出可加计扣除总额",
        (("9", "当期费用化支出可加计扣除总额"), ("9.1", "当期资本化可加计扣除的研发费用率")),
    ),
)
MOVEMENTS = ("期初余额", "本期借方发生额", "本期贷方发生额", "其中：结转管理费用", "其中：结转无形资产", "期末余额")


def summary_2015_rows() -> list[list[Any]]:
    """附件5 rows: per project and 资本化、费用化支出选项, eligible by sub-item, the 2015 per-project limit."""
    rows = []
    codes = [code for _, ls in GROUPS for code, _ in ls]
    for n, (p, expense, vs) in enumerate(ob.ledgers(), start=1):
        by = {code: D(0) for code in (*codes, "7.1", "7.2")}
        for v in vs:
            for sub, _b, e in v.parts:
                if sub in by:
                    by[sub] += e
        five = sum((by[c] for c in codes if ob.category(c) <= 5), D(0))
        other = sum((by[c] for c in codes if ob.category(c) == 6), D(0))
        limit = five * D("0.1") / D("0.9")
        outsourced = by["7.1"] + by["7.2"]
        deductible = five + min(other, limit) + outsourced * D("0.8") if expense == "费用化" else None
        state = "已完成" if p.status == "已完成" else "未完成"
        overseas = "是" if by["7.2"] else "否"
        row = [n, p.name, p.pid, p.form, expense, state, "否" if p.form == "委托研发" else None, overseas, None, None]
        row += [by[c] or None for c in codes]
        row += [
            outsourced or None,
            by["7.2"] or None,
            five,
            ob.fen(limit),
            ob.fen(deductible) if deductible else None,
            None,
        ]
        rows.append(row)
    return rows


def write_summary_2015(wb: Any, f: Any, put: Callable) -> None:
    groups = [*GROUPS, *TAIL]
    width = len(DESCRIPTIVE) + sum(len(ls) for _, ls in groups)
    ws = wb.add_worksheet("研发项目可加计扣除研究开发费用情况归集表")
    ws.set_column(0, width, 12)
    ws.merge_range(0, 0, 0, width - 1, f"{ob.YEAR}年度研发项目可加计扣除研究开发费用情况归集表", f.title)
    ws.write_string(1, 0, f"纳税人识别号：{ob.USCC}", f.plain)
    ws.write_string(1, 6, f"纳税人名称：{ob.NAME}", f.plain)
    ws.write_string(1, 12, f"属期：{ob.YEAR}年度", f.plain)
    ws.write_string(1, 18, "金额单位：元（列至角分）", f.plain)
    h = 2
    for c, text in enumerate(DESCRIPTIVE):
        ws.merge_range(h, c, h + 2, c, text, f.head)
    c = len(DESCRIPTIVE)
    for group, ls in groups:
        ws.merge_range(h, c, h, c + len(ls) - 1, group, f.head)
        for code, name in ls:
            ws.write_string(h + 1, c, name, f.head)
            ws.write_string(h + 2, c, code, f.head)
            c += 1
    r = h + 3
    rows = summary_2015_rows()
    for row in rows:
        for col, value in enumerate(row):
            put(ws, r, col, value, f)
        r += 1
    put(ws, r, 1, "合计", f)
    for col in range(len(DESCRIPTIVE), width):
        vals = [row[col] for row in rows if isinstance(row[col], Decimal)]
        if vals:
            put(ws, r, col, sum(vals, D(0)), f)
    r += 2
    debit = sum((v.book for v in ob.VOUCHERS), D(0))
    for label in MOVEMENTS:
        put(ws, r, 1, label, f)
        put(ws, r, 3, {"本期借方发生额": debit, "本期贷方发生额": debit}.get(label, D(0)), f)
        r += 1
    r += 1
    put(ws, r, 1, "项目明细（填写项目贷方发生额）", f)
    r += 1
    for p, _expense, vs in ob.ledgers():
        put(ws, r, 1, p.name, f)
        put(ws, r, 2, p.pid, f)
        put(ws, r, 3, sum((v.book for v in vs), D(0)), f)
        r += 1
    ws.write_string(r + 1, 0, "法定代表人（签章）：", f.plain)
