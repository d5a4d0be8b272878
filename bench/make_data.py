"""Generate large standard workbooks for the benchmarks (kept outside the repository).

    python bench/make_data.py [--dir DIR] [--sizes 10000,100000,500000] [--district 400]

Writes ``ledger-<N>.xlsx`` and ``district/ent-<i>.xlsx`` (2k-5k lines each) under DIR (default
``$RDCHECK_BENCH_DATA`` or ``~/.cache/rdcheck-bench``). Existing files are kept, so a second run costs nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

import xlsxwriter

DEFAULT_DIR = Path(os.environ.get("RDCHECK_BENCH_DATA", Path.home() / ".cache" / "rdcheck-bench"))
YEAR = 2024


def uscc(i: int) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015 check digit) built from a serial number."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = f"91320804MA{i:07d}"[:17]
    body = body[:10] + "".join(chars[int(c) % 31] if c.isdigit() else c for c in body[10:])
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(chars.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + chars[(31 - total % 31) % 31]


SUBS = [
    ("1 人员人工费用", "1.1 工资薪金", 18000),
    ("1 人员人工费用", "1.2 五险一金", 5200),
    ("2 直接投入费用", "2.1 材料", 9000),
    ("2 直接投入费用", "2.3 动力", 2100),
    ("3 折旧费用", "3.2 设备", 3300),
    ("5 新产品设计费等", "5.1 新产品设计费", 6000),
    ("6 其他相关费用", "6.5 差旅费、会议费", 800),
]


def write_workbook(path: Path, lines: int, serial: int, seed: int) -> None:
    rng = random.Random(seed)
    n_projects = max(3, min(40, lines // 2500))
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2025, 1, 1)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ent = wb.add_worksheet("企业信息")
    revenue = lines * 2000
    info = [
        ("项目", "值"),
        ("统一社会信用代码", uscc(serial)),
        ("企业名称", f"淮安基准测试{serial}号科技有限公司"),
        ("所属年度", YEAR),
        ("行业代码", "C3976"),
        ("所在区域", ["王营街道", "高新区", "南陈集镇"][serial % 3]),
        ("高新技术企业", "是"),
        ("科技型中小企业", "否"),
        ("规模以上企业", "是"),
        ("集成电路或工业母机企业", "否"),
        ("营业收入(元)", revenue),
        ("利润表研发费用(元)", ""),
        ("统计研究开发费用合计(千元)", ""),
        ("统计研究开发人员(人)", 25),
    ]
    for r, row in enumerate(info):
        ent.write_row(r, 0, row)
    proj = wb.add_worksheet("研发项目")
    head = ["项目编号", "项目名称", "研发形式", "研究类型", "立项日期", "立项文号", "开始日期", "结束日期"]
    proj.write_row(0, 0, [*head, "项目状态", "支出类型", "资本化开始日期", "研发人员数", "技术合同登记号"])
    for p in range(n_projects):
        proj.write_row(p + 1, 0, [f"RD{p + 1:03d}", f"新型智能装备关键技术研发{p + 1}", "自主研发", "试验发展"])
        proj.write_datetime(p + 1, 4, dt.datetime(YEAR - 1, 12, 1), date_fmt)
        proj.write(p + 1, 5, f"研发立字〔{YEAR}〕{p + 1}号")
        proj.write_datetime(p + 1, 6, dt.datetime(YEAR, 1, 1), date_fmt)
        proj.write_datetime(p + 1, 7, dt.datetime(YEAR, 12, 31), date_fmt)
        proj.write_row(p + 1, 8, ["进行中", "费用化", "", 8])
    led = wb.add_worksheet("辅助账明细")
    header = [
        "日期",
        "凭证号",
        "项目编号",
        "摘要",
        "费用类别",
        "明细项目",
        "账载金额(元)",
        "可加计金额(元)",
        "支出类型",
    ]
    led.write_row(0, 0, [*header, "工号", "资产编号"])
    start = dt.datetime(YEAR, 1, 1)
    for i in range(lines):
        cat, sub, base = SUBS[i % len(SUBS)]
        day = start + dt.timedelta(days=(i * 365) // lines)
        amount = round(base * rng.uniform(0.5, 1.5), 2)
        led.write_datetime(i + 1, 0, day, date_fmt)
        project = f"RD{(i // len(SUBS)) % n_projects + 1:03d}"
        staff = f"E{i % 300:04d}" if cat.startswith("1") else ""
        asset = f"ZC{i % 50:03d}" if cat.startswith("3") else ""
        led.write_row(i + 1, 1, [f"记-{i + 1:06d}", project, f"{day.month}月{sub[4:]}", cat, sub, amount, "", "费用化"])
        led.write_row(i + 1, 9, [staff, asset])
    wb.close()
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--sizes", default="10000,100000,500000")
    ap.add_argument("--district", type=int, default=400, help="number of enterprise workbooks (0: none)")
    args = ap.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        path = args.dir / f"ledger-{size}.xlsx"
        if not path.exists():
            print(f"generating {path} …", file=sys.stderr, flush=True)
            write_workbook(path, size, serial=size, seed=size)
    district = args.dir / "district"
    district.mkdir(exist_ok=True)
    rng = random.Random(400)
    for i in range(args.district):
        path = district / f"ent-{i:04d}.xlsx"
        lines = rng.randint(2000, 5000)
        if not path.exists():
            write_workbook(path, lines, serial=10_000 + i, seed=i)
    print(args.dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
