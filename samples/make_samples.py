"""Generate rdcheck's sample workbooks, deterministically (same bytes on every run).

    python samples/make_samples.py [--out DIR]

writes DIR/ledgers/ (clean.xlsx, one flaw_<fault>.xlsx per planted fault, expected.yaml), DIR/district-2024/
(~40 submissions of a district, roster.csv, expected.yaml) and DIR/district-2024.yaml. DIR defaults to this
script's folder. Amounts are computed as Decimal and written as numbers with at most 2 decimals.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import random
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samplebook import (  # noqa: E402
    USCC_CHARS,
    D,
    Ent,
    Profile,
    cell_of,
    derive,
    figures,
    generate,
    make_uscc,
    money,
    month_end,
    self_check,
    write_book,
)

from rdcheck.workbook.layout import ASSETS, ENTERPRISE, LEDGER, PROJECTS, STAFF, SUMMARY  # noqa: E402

SEED = 2024
HERE = Path(__file__).resolve().parent
Spec = tuple[str, str, dict[str, Any] | None, str | None]  # rule, sheet, record, column

# ---------------------------------------------------------------- the clean enterprise


def clean_profile(rng: random.Random) -> Profile:
    return Profile(
        name="江苏恒润精密机械科技有限公司",
        short="恒润",
        industry="C3484",
        region="高新区",
        high_tech=True,
        tech_sme=False,
        above_scale=True,
        n_projects=4,
        staff=(3, 4),
        material=60_000,
        entrusted=True,
        capitalised=True,
        building=True,
        software=True,
        rd_ratio=0.065,
        uscc=make_uscc(rng),
    )


# ---------------------------------------------------------------- flaws: each plants one fault


def _lines(ent: Ent, pid: str | None = None, sub: str | None = None) -> list[dict[str, Any]]:
    return [x for x in ent.ledger if (pid is None or x["项目编号"] == pid) and (sub is None or x["_sub"] == sub)]


def _own(ent: Ent, i: int) -> dict[str, Any]:
    return [p for p in ent.projects if p["研发形式"] == "自主研发"][i]


def _entrusted(ent: Ent) -> dict[str, Any]:
    return next(p for p in ent.projects if p["研发形式"] == "委托研发")


def _building_line(ent: Ent, month: int) -> dict[str, Any]:
    return next(x for x in _lines(ent, sub="8.1") if x["日期"].month == month)


def _new_voucher(ent: Ent, date: dt.date) -> str:
    used = [int(x["凭证号"][2:]) for x in ent.ledger if (x["日期"].year, x["日期"].month) == (date.year, date.month)]
    return f"记-{max(used, default=0) + 7:04d}"


def _add_line(ent: Ent, after: dict[str, Any] | None, **values: Any) -> dict[str, Any]:
    sub = values.pop("sub")
    cat = int(sub.split(".")[0])
    line = {
        "凭证号": _new_voucher(ent, values["日期"]),
        "费用类别": cat,
        "明细项目": sub,
        "可加计金额": D(0) if cat == 8 else None,
        "支出类型": "费用化",
        "_cat": cat,
        "_sub": sub,
        "_vkey": ("new", len(ent.ledger)),
        **values,
    }
    if after is None:
        ent.ledger.append(line)
        ent.ledger.sort(key=lambda x: x["日期"])
    else:
        ent.ledger.insert(ent.ledger.index(after) + 1, line)
    return line


def flaw_project_missing(ent: Ent) -> list[Spec]:
    p = next(p for p in ent.projects[1:] if len(_lines(ent, p["项目编号"], "2.3")) >= 3)
    picks = _lines(ent, p["项目编号"], "2.3")[-3:]
    for x in picks:  # a typo in the project code: three monthly power lines land on no project
        x["项目编号"] = p["项目编号"].replace("-0", "-")
    derive(ent)
    return [("B01", LEDGER.name, x, "项目编号") for x in picks]


def flaw_sheet_missing(ent: Ent) -> list[Spec]:
    # rules that need 研发项目 (B01-B05, B10, B11, C06, C11, T05) cannot run: only F01 is expected
    ent.drop_sheets.add(PROJECTS.name)
    return [("F01", PROJECTS.name, None, None)]


def flaw_bad_uscc(ent: Ent) -> list[Spec]:
    code = ent.info["统一社会信用代码"]
    ent.info["统一社会信用代码"] = code[:17] + USCC_CHARS[(USCC_CHARS.index(code[17]) + 7) % 31]
    return [("F06", ENTERPRISE.name, None, "统一社会信用代码")]


def flaw_date_outside_year(ent: Ent) -> list[Spec]:
    # a category 8.1 line (not in 汇总表, tiny against C08/T02 tolerances) typed with next year's date,
    # inside its project's period (the main project runs to the end of next year): only F07
    x = _building_line(ent, 1)
    x["日期"] = x["日期"].replace(year=ent.year + 1)
    return [("F07", LEDGER.name, x, "日期")]


def flaw_bad_category(ent: Ent) -> list[Spec]:
    x = _building_line(ent, 3)
    x["费用类别"] = "不予加计扣除费用"
    return [("F05", LEDGER.name, x, "费用类别")]


def flaw_not_a_number(ent: Ent) -> list[Spec]:
    x = _building_line(ent, 5)
    x["账载金额"] = f"约{x['账载金额']}"
    return [("F04", LEDGER.name, x, "账载金额")]


def flaw_duplicate_voucher(ent: Ent) -> list[Spec]:
    x = _lines(ent, _own(ent, 1)["项目编号"], "2.1")[0]
    copy_ = dict(x)
    ent.ledger.insert(ent.ledger.index(x) + 1, copy_)
    derive(ent)  # the enterprise's 汇总表 and figures come from the ledger it keeps, repeat included
    return [("F09", LEDGER.name, copy_, "凭证号")]


def flaw_approved_after_spending(ent: Ent) -> list[Spec]:
    p = _own(ent, 1)
    p["立项日期"] = min(x["日期"] for x in _lines(ent, p["项目编号"])) + dt.timedelta(days=20)
    return [("B03", PROJECTS.name, p, "立项日期")]


def flaw_end_before_start(ent: Ent) -> list[Spec]:
    # every line of the project is then outside the (inverted) period: B05 should not pile up on B04
    # (one root cause, one finding); only B04 is expected
    p = _own(ent, 3)
    p["结束日期"] = dt.date(p["开始日期"].year - 1, 12, 31)
    return [("B04", PROJECTS.name, p, "结束日期")]


def flaw_summary_mismatch(ent: Ent) -> list[Spec]:
    pid = _own(ent, 1)["项目编号"]
    row = next(r for r in ent.summary if r["项目编号"] == pid)
    row["直接投入费用"] += D(12000)
    return [("B06", SUMMARY.name, row, "直接投入费用")]


def flaw_capitalised_on_expensed_project(ent: Ent) -> list[Spec]:
    x = _lines(ent, _own(ent, 1)["项目编号"], "2.1")[0]
    x["支出类型"] = "资本化"
    derive(ent)
    return [("B08", LEDGER.name, x, "支出类型")]


def flaw_capitalised_after_formation(ent: Ent) -> list[Spec]:
    # the 部分资本化 project's intangible forms on 11-30 (with its amortisation, so line 43 is known): its December
    # lines are expensed, but one of them stays 资本化 — B17 at that line (CAS 6 第十三条: cost up to readiness)
    p = next(p for p in ent.projects if p["资本化开始日期"] is not None)
    formed = dt.date(p["资本化开始日期"].year, 11, 30)
    p["无形资产形成日期"], p["无形资产本年摊销额"] = formed, D("1200.00")
    late = [x for x in _lines(ent, p["项目编号"]) if x["日期"] > formed and x["支出类型"] == "资本化"]
    for x in late[1:]:
        x["支出类型"] = "费用化"
    derive(ent)
    return [("B17", LEDGER.name, late[0], "支出类型")]


def flaw_contractor_missing(ent: Ent) -> list[Spec]:
    x = _lines(ent, _entrusted(ent)["项目编号"])[0]
    x["受托方"] = None
    return [("B09", LEDGER.name, x, "受托方")]


def flaw_contract_missing(ent: Ent) -> list[Spec]:
    p = _entrusted(ent)
    p["技术合同登记号"] = None
    return [("B10", PROJECTS.name, p, "技术合同登记号")]


def flaw_no_social_insurance(ent: Ent) -> list[Spec]:
    p = _own(ent, 1)
    ent.ledger = [x for x in ent.ledger if not (x["项目编号"] == p["项目编号"] and x["_sub"] == "1.2")]
    derive(ent)
    return [("C06", PROJECTS.name, p, "项目编号")]


def flaw_eligible_over_book(ent: Ent) -> list[Spec]:
    x = _lines(ent, _own(ent, 3)["项目编号"], "2.1")[0]
    x["可加计金额"] = money(x["账载金额"] * D("1.2"))
    derive(ent)
    return [("C05", LEDGER.name, x, "可加计金额")]


def flaw_negative_list_industry(ent: Ent) -> list[Spec]:
    ent.info["行业代码"] = "F5271"  # 家用视听设备零售: 批发和零售业
    return [("C04", ENTERPRISE.name, None, "行业代码")]


def flaw_stats_not_reported(ent: Ent) -> list[Spec]:
    ent.params["report"] = ("none", 1)
    derive(ent)
    return [("T01", ENTERPRISE.name, None, "统计研究开发费用合计")]


def flaw_excluded_activity(ent: Ent) -> list[Spec]:
    p = _own(ent, 1)
    p["项目名称"] = "数控主轴常规升级及质量检测"
    return [("C11", PROJECTS.name, p, "项目名称")]


def flaw_staff_over_limit(ent: Ent) -> list[Spec]:
    main = ent.projects[0]["项目编号"]
    on_main = {x["工号"] for x in _lines(ent, main, "1.1")}
    s = next(s for s in ent.staff if s["工号"] in on_main and s["研发工时占比"] >= D("0.6"))
    s["全年工资薪金"] = (s["全年工资薪金"] / 2).quantize(D("0.01"))  # the payroll sheet's figure typed short
    return [("C12", STAFF.name, s, "全年工资薪金")]


def flaw_no_summary(ent: Ent) -> list[Spec]:
    ent.drop_sheets.add(SUMMARY.name)
    return [("B07", SUMMARY.name, None, None)]


def flaw_missing_column(ent: Ent) -> list[Spec]:
    ent.drop_columns[LEDGER.name] = {"摘要"}
    return [("F02", LEDGER.name, None, "摘要")]


def flaw_empty_cell(ent: Ent) -> list[Spec]:
    x = _lines(ent, _own(ent, 3)["项目编号"], "2.1")[0]
    x["摘要"] = None
    return [("F03", LEDGER.name, x, "摘要")]


def flaw_too_many_decimals(ent: Ent) -> list[Spec]:
    x = _building_line(ent, 7)
    x["账载金额"] -= D("0.001")
    return [("F08", LEDGER.name, x, "账载金额")]


def flaw_line_outside_project(ent: Ent) -> list[Spec]:
    p = _own(ent, 1)  # finished in the year; its acceptance fee is booked after the end date
    x = _lines(ent, p["项目编号"], "6.2")[0]
    x["日期"] = p["结束日期"] + dt.timedelta(days=20)
    return [("B05", LEDGER.name, x, "日期")]


def flaw_entrusted_own_costs(ent: Ent) -> list[Spec]:
    p = _entrusted(ent)
    first = _lines(ent, p["项目编号"])[0]
    _add_line(
        ent,
        first,
        日期=first["日期"],
        项目编号=p["项目编号"],
        摘要="报销赴受托方现场对接差旅费",
        sub="6.5",
        账载金额=D("3860.00"),
    )
    derive(ent)
    return [("B11", PROJECTS.name, p, "研发形式")]


def flaw_foreign_individual(ent: Ent) -> list[Spec]:
    p = _entrusted(ent)
    last = _lines(ent, p["项目编号"])[-1]
    line = _add_line(
        ent,
        last,
        日期=last["日期"],
        项目编号=p["项目编号"],
        摘要="支付境外专家委托研发劳务费",
        sub="7.3",
        账载金额=D("30000.00"),
        受托方="约翰·史密斯（John Smith）",
        受托方类型="境外个人",
        关联方="否",
    )
    derive(ent)
    return [("C03", LEDGER.name, line, "明细项目")]


def flaw_other_over_limit(ent: Ent) -> list[Spec]:
    for p in ent.projects:
        if p["研发形式"] != "自主研发":
            continue
        lines = _lines(ent, p["项目编号"])
        base = sum((x["账载金额"] for x in lines if x["_cat"] <= 5), D(0))
        date = max(x["日期"] for x in lines)
        _add_line(ent, None, 日期=date, 项目编号=p["项目编号"], 摘要="支付研发责任保险及技术咨询费", sub="6.1",
                  账载金额=money(base * D("0.15")))  # fmt: skip
    derive(ent)
    return [("C01", LEDGER.name, None, None)]


def flaw_overseas_over_limit(ent: Ent) -> list[Spec]:
    p = _entrusted(ent)
    fig = figures(ent)
    own = sum((fig["eligible_by_category"][n] for n in range(1, 7)), D(0))
    lines = _lines(ent, p["项目编号"])
    for k, x in enumerate(lines):
        _add_line(ent, x, 日期=x["日期"], 项目编号=p["项目编号"], 摘要=f"支付德国弗劳恩霍夫研究所委托研发费（第{k + 1}期）",
                  sub="7.2", 账载金额=money(own * D("0.5")), 受托方="弗劳恩霍夫协会（Fraunhofer-Gesellschaft）",
                  受托方类型="境外机构", 关联方="否")  # fmt: skip
    derive(ent)
    return [("C02", LEDGER.name, None, None)]


def flaw_income_statement_mismatch(ent: Ent) -> list[Spec]:
    ent.params["income_factor"] = 0.8
    derive(ent)
    return [("C08", ENTERPRISE.name, None, "利润表研发费用")]


def flaw_under_reported(ent: Ent) -> list[Spec]:
    ent.params["report"] = ("under", 0.6)
    derive(ent)
    return [("T02", ENTERPRISE.name, None, "统计研究开发费用合计")]


def flaw_no_rd_staff(ent: Ent) -> list[Spec]:
    ent.info["统计研究开发人员"] = None
    return [("T03", ENTERPRISE.name, None, "统计研究开发人员")]


def flaw_below_threshold(ent: Ent) -> list[Spec]:
    ent.info["营业收入"] *= 3
    return [("T04", ENTERPRISE.name, None, "营业收入")]


def flaw_big_voucher(ent: Ent) -> list[Spec]:
    p = _own(ent, 3)
    lines = _lines(ent, p["项目编号"])
    total = sum((x["账载金额"] for x in lines), D(0))
    x = lines[len(lines) // 2]
    line = _add_line(ent, x, 日期=x["日期"], 项目编号=p["项目编号"], 摘要="支付新产品外观及结构设计费", sub="5.1",
                     账载金额=money(total * D("1.2")))  # fmt: skip
    derive(ent)
    return [("C14", LEDGER.name, line, "账载金额")]


def flaw_overclaimed(ent: Ent) -> list[Spec]:
    ent.info["申报加计扣除总额"] = money(figures(ent)["line51"] * D("1.3"))
    return [("C10", ENTERPRISE.name, None, "申报加计扣除总额")]


def flaw_unclaimed(ent: Ent) -> list[Spec]:
    ent.info["申报加计扣除总额"] = money(figures(ent)["line51"] * D("0.7"))
    return [("C09", ENTERPRISE.name, None, "申报加计扣除总额")]


def flaw_project_without_lines(ent: Ent) -> list[Spec]:
    y = ent.year
    p = dict(ent.projects[0])
    p.update(
        项目编号=f"RD{y}-09",
        项目名称="高精度减速机噪声抑制技术研发",
        研究类型="试验发展",
        立项日期=dt.date(y, 2, 20),
        立项文号=f"恒润研〔{y}〕09号",
        开始日期=dt.date(y, 3, 1),
        结束日期=month_end(y, 12),
        项目状态="进行中",
        研发人员数=3,
    )
    ent.projects.append(p)
    return [("B02", PROJECTS.name, p, "项目编号")]


def flaw_basic_research(ent: Ent) -> list[Spec]:
    p = _own(ent, 3)
    p["研究类型"] = "基础研究"
    return [("T05", PROJECTS.name, p, "研究类型")]


def flaw_asset_unused(ent: Ent) -> list[Spec]:
    asset = {
        "资产编号": "SB-0099",
        "资产名称": "光纤激光切割机",
        "资产类别": "设备",
        "原值": D("380000.00"),
        "购置日期": dt.date(ent.year - 1, 11, 18),
        "本年折旧摊销额": D("36100.00"),
        "研发使用比例": D("0.5"),
    }
    ent.assets.append(asset)
    return [("C07", ASSETS.name, asset, "资产编号")]


def flaw_asset_over_limit(ent: Ent) -> list[Spec]:
    def n_lines(a: dict[str, Any]) -> int:
        return sum(1 for x in ent.ledger if x.get("资产编号") == a["资产编号"])

    a = next(a for a in ent.assets if a["资产类别"] in ("仪器", "设备") and n_lines(a) >= 9)
    a["本年折旧摊销额"] = (a["本年折旧摊销额"] * D("0.4")).quantize(D("0.01"))
    return [("C13", ASSETS.name, a, "本年折旧摊销额")]


FLAWS: dict[str, Callable[[Ent], list[Spec]]] = {
    name.removeprefix("flaw_"): fn for name, fn in globals().items() if name.startswith("flaw_") and callable(fn)
}


def make_ledgers(out: Path, rng: random.Random) -> None:
    folder = out / "ledgers"
    folder.mkdir(parents=True, exist_ok=True)
    clean = generate(clean_profile(rng), rng)
    problems = self_check(clean)
    if problems:
        raise SystemExit(f"clean sample is not clean: {problems}")
    write_book(copy.deepcopy(clean), str(folder / "clean.xlsx"))
    expected: dict[str, Any] = {"clean.xlsx": []}
    for name, plant in FLAWS.items():
        ent = copy.deepcopy(clean)
        specs = plant(ent)
        filename = f"flaw_{name}.xlsx"
        write_book(ent, str(folder / filename))
        expected[filename] = [{"rule": rule, **cell_of(ent, sheet, rec, column)} for rule, sheet, rec, column in specs]
    header = (
        "# Planted findings of each sample ledger (spec §3 'Where findings point'), written by make_samples.py.\n"
        "# clean.xlsx must give no finding at all; each flaw file gives its planted findings and no other error or\n"
        "# warning. sheet and column are canonical names; cell and row are null for whole-sheet findings.\n"
    )
    _write_yaml(folder / "expected.yaml", expected, header)


# ---------------------------------------------------------------- the district


DISTRICT_YAML = """\
district: 淮阴区
year: 2024
gdp: 776.0
targets: {rd_spending: 18, intensity: 2.32, basic_research: 0.5}
other_performers: {高等学校: 0.6, 科研机构: 0.3, 其他: 0.1}
regions: [王营街道, 高新区, 南陈集镇]
"""
REGIONS = ("高新区", "高新区", "高新区", "王营街道", "王营街道", "南陈集镇", "南陈集镇")
BRANDS = (
    "恒瑞 华瑞 中天 润达 鑫源 天成 卓越 金盛 宏宇 博远 凯特 万邦 清源 永泰 嘉禾 瑞丰 正昌 新途 东辰 晶科 华昇 德创 联创 "
    "汇通 申达 海川 锦程 安泰 明阳 宝利 奥新 同创 盛泰 科润 众联 泰和 天合 远航 星辰 恒信 淮海 运河"
).split()
INDUSTRIES = {
    "C3484": "精密机械",
    "C3670": "汽车部件",
    "C3976": "光电科技",
    "C2927": "塑业科技",
    "C2641": "新材料",
    "C3824": "电子科技",
    "C1761": "纺织科技",
    "C3311": "钢结构",
    "C2710": "药业",
    "C3442": "泵业",
    "I6513": "软件科技",
    "I6531": "信息技术",
    "M7320": "工程技术研究院",
    "M7452": "检测技术",
}
MANUFACTURING = [k for k in INDUSTRIES if k.startswith("C")]


def district_profiles(rng: random.Random) -> list[Profile]:
    """Return the district's enterprises: 2 very large, 4 large, 10 medium, 20 small, plus 2 for special files."""
    brands = list(BRANDS)
    rng.shuffle(brands)
    profiles: list[Profile] = []
    for i in range(38):
        if i < 2:
            size = dict(
                n_projects=6, staff=(5, 6), material=rng.randint(2_500_000, 4_000_000), salary=(120_000, 320_000)
            )
        elif i < 6:
            size = dict(n_projects=5, staff=(4, 6), material=rng.randint(500_000, 1_200_000), salary=(100_000, 260_000))
        elif i < 16:
            size = dict(n_projects=rng.randint(3, 4), staff=(3, 5), material=rng.randint(100_000, 300_000))
        else:
            size = dict(n_projects=rng.randint(2, 3), staff=(2, 3), material=rng.randint(20_000, 60_000),
                        salary=(70_000, 150_000))  # fmt: skip
        if i in (8, 21, 27, 33, 36):
            industry = rng.choice(("I6513", "I6531"))
        elif i in (12, 25, 30):
            industry = rng.choice(("M7320", "M7452"))
        else:
            industry = rng.choice(MANUFACTURING)
        small = i >= 16
        brand = brands[i]
        prefix = "淮安" if small else "江苏"
        name = f"{prefix}{brand}{INDUSTRIES[industry]}有限公司"
        if industry == "M7320":
            name = f"淮安{brand}工程技术研究院有限公司"
        high_tech = not small or rng.random() < 0.35
        prof = Profile(
            name=name,
            short=brand,
            industry=industry,
            region=rng.choice(REGIONS),
            high_tech=high_tech,
            tech_sme=small or rng.random() < 0.2,
            above_scale=not small or rng.random() < 0.25,
            entrusted=rng.random() < (0.7 if not small else 0.25),
            capitalised=i < 6 and rng.random() < 0.5,
            basic=1 if i in (0, 3, 9) else 0,
            building=not small and industry[0] == "C",
            software=rng.random() < 0.3,
            power=industry[0] == "C",
            rd_ratio=rng.uniform(0.056, 0.09) if high_tech else rng.uniform(0.008, 0.04),
            uscc=make_uscc(rng),
            **size,
        )
        profiles.append(prof)
    special = profiles[20]
    special.industry, special.name, special.high_tech = "F5271", f"淮安{special.short}电器销售有限公司", False
    special.rd_ratio, special.power = 0.01, False
    profiles[23].region = "徐溜镇"  # not in the district's list of regions: rolled up under 其他
    for i in (4, 14, 22, 29, 35, 17):  # not reported to statistics (T01: error for 规上, info otherwise)
        profiles[i].report = ("none", 1)
    for i in (5, 11, 19, 26, 31):  # under-reported (T02)
        profiles[i].report = ("under", round(rng.uniform(0.3, 0.7), 2))
    profiles[36].year = 2023  # the submission of another year
    return profiles


def _fig_yaml(ent: Ent, status: str, file_name: str) -> dict[str, Any]:
    fig = figures(ent)
    reported = ent.info.get("统计研究开发费用合计")
    return {
        "file": file_name,
        "uscc": ent.info["统一社会信用代码"],
        "name": ent.info["企业名称"],
        "year": ent.year,
        "status": status,
        "line7": float(fig["line7"]),
        "line14": float(fig["line14"]),
        "line10": float(fig["line10"]),
        "fixed_assets": float(fig["fixed_assets"]),
        "intramural": float(fig["intramural"]),
        "reported_line7": float(reported * 1000) if isinstance(reported, Decimal) else None,
        "basic_research": float(fig["basic_research"]),
    }


def make_district(out: Path, rng: random.Random) -> None:
    folder = out / "district-2024"
    folder.mkdir(parents=True, exist_ok=True)
    (out / "district-2024.yaml").write_text(DISTRICT_YAML, encoding="utf-8")
    base = int(dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC).timestamp())
    profiles = district_profiles(rng)
    expected: list[dict[str, Any]] = []
    roster: list[tuple[str, str, str, str]] = []
    for i, prof in enumerate(profiles):
        ent = generate(prof, rng)
        problems = self_check(ent)
        if problems:
            raise SystemExit(f"{prof.name}: {problems}")
        roster.append((prof.uscc, prof.name, prof.region, "是" if prof.above_scale else "否"))
        if i in (7, 24):  # a title row above the headers and a 合计 row under the ledger and the 汇总表
            ent.title = "研发支出辅助账"
            ent.total_rows = True
        if i in (3, 13, 18, 28):  # the official 2021 ledger's column names, category and sub-item as name/code
            ent.style = "official"
        stem = f"{i + 1:02d}-{prof.name}"
        if i == 37:  # a damaged upload: the workbook cut short
            path = folder / f"{stem}.xlsx"
            write_book(ent, str(path))
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 2 // 5])
            expected.append({"file": path.name, "uscc": prof.uscc, "status": "broken"})
        elif i == 10:  # submitted twice: a first draft, then the corrected book
            older = copy.deepcopy(ent)
            older.ledger = older.ledger[: len(older.ledger) * 4 // 5]
            derive(older)
            old_path = folder / f"{i + 1:02d}a-{prof.name}-初版.xlsx"
            write_book(older, str(old_path))
            os.utime(old_path, (base - 86400 * 9, base - 86400 * 9))
            expected.append(_fig_yaml(older, "superseded", old_path.name))
            path = folder / f"{i + 1:02d}b-{prof.name}-更正版.xlsx"
            write_book(ent, str(path))
            expected.append(_fig_yaml(ent, "ok", path.name))
        else:
            path = folder / f"{stem}.xlsx"
            write_book(ent, str(path))
            expected.append(_fig_yaml(ent, "excluded" if prof.year != 2024 else "ok", path.name))
        os.utime(path, (base + 3600 * i, base + 3600 * i))
    # a text file renamed .xlsx, from an enterprise whose real book never arrived
    late = Profile(
        name="淮安华澜新能源科技有限公司", short="华澜", industry="C3824", region="南陈集镇", uscc=make_uscc(rng)
    )
    text_path = folder / "39-淮安华澜新能源科技有限公司.xlsx"
    text_path.write_text("研发支出辅助账见附件（邮件正文）。\n", encoding="utf-8")
    os.utime(text_path, (base + 3600 * 40, base + 3600 * 40))
    expected.append({"file": text_path.name, "uscc": late.uscc, "status": "broken"})
    roster.append((late.uscc, late.name, late.region, "否"))
    for name, region, above in (
        ("江苏华澳重工机械有限公司", "高新区", "是"),
        ("淮安瑞达生物科技有限公司", "王营街道", "否"),
        ("淮安金穗农业机械有限公司", "南陈集镇", "是"),
    ):
        roster.append((make_uscc(rng), name, region, above))
    lines = ["统一社会信用代码,企业名称,所在区域,规模以上企业", *(",".join(r) for r in roster)]
    (folder / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = (
        "# The generator's own figures for each district submission (yuan), written by make_samples.py.\n"
        "# status: ok (counted), superseded (an older submission of the same code and year), excluded (another\n"
        "# year), broken (cannot be read). line7 = Σ 账载金额 categories 1-8; line14 = category 7; line10 = category\n"
        "# 3 + 8.1; intramural = max(0, line7 - line14 - line10 + fixed_assets); reported_line7 = 统计研究开发费用合计\n"
        "# × 1000 or null; basic_research = Σ 账载金额 of the lines of 基础研究 projects.\n"
    )
    _write_yaml(folder / "expected.yaml", {"district": "淮阴区", "year": 2024, "files": expected}, header)


def _write_yaml(path: Path, data: Any, header: str) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(header + text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: samples/)")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    make_ledgers(args.out, rng)
    make_district(args.out, rng)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
