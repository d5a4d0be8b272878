"""The standard workbook's layout as data: sheets, keys, columns, aliases, types and allowed values.

This one table drives the reader, the template, the schemas and the README's alias list (spec §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Value kinds understood by the reader (rdcheck.workbook.values).
TEXT, AMOUNT, DATE, RATIO, BOOL, INT, YEAR, ENUM, CATEGORY, SUBITEM = (
    "text",
    "amount",
    "date",
    "ratio",
    "bool",
    "int",
    "year",
    "enum",
    "category",
    "subitem",
)


@dataclass(frozen=True)
class Field:
    """One 企业信息 key or one column of a table sheet."""

    name: str  # canonical Chinese name, as users see it
    alias: str  # English alias, also the identifier used in code
    kind: str = TEXT
    required: bool = False
    unit: str | None = None  # documented unit when the header carries none (元, 千元, 人, …)
    choices: tuple[str, ...] = ()  # allowed values for ENUM
    aliases: tuple[str, ...] = ()  # other accepted names (official 2021 ledger, common variants)
    doc: str = ""  # one line for 填表说明

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.alias, *self.aliases)


@dataclass(frozen=True)
class SheetLayout:
    name: str
    alias: str
    fields: tuple[Field, ...]
    required: bool = False
    doc: str = ""
    aliases: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


YES_NO = ("是", "否")
RD_INSTITUTIONS = ("无", "市级", "省级", "国家级")
RD_FORMS = ("自主研发", "委托研发", "合作研发", "集中研发")
RESEARCH_TYPES = ("基础研究", "应用研究", "试验发展")
PROJECT_STATES = ("进行中", "已完成", "已终止")
PROJECT_EXPENSE_TYPES = ("费用化", "资本化", "部分资本化")
LINE_EXPENSE_TYPES = ("费用化", "资本化")
CONTRACTOR_TYPES = ("境内研究机构", "境内高等学校", "境内企业", "境内个人", "境外机构", "境外个人")
STAFF_TYPES = ("研究人员", "技术人员", "辅助人员", "外聘")
ASSET_TYPES = ("仪器", "设备", "软件", "专利权", "非专利技术", "房屋建筑物")
COLLECTION_METHODS = ("查账征收", "核定征收")
Q4_2022_METHODS = ("按实际发生数", "按经营月份比例")

# 费用类别 → (name, {sub-item code: (name, A107012 line or None)}) — spec §2.4.
CATEGORIES: dict[int, tuple[str, dict[str, tuple[str, int | None]]]] = {
    1: (
        "人员人工费用",
        {"1.1": ("工资薪金", 4), "1.2": ("五险一金", 5), "1.3": ("外聘研发人员劳务费", 6)},
    ),
    2: (
        "直接投入费用",
        {
            "2.1": ("材料", 8),
            "2.2": ("燃料", 9),
            "2.3": ("动力", 10),
            "2.4": ("模具及工艺装备开发制造费", 11),
            "2.5": ("样品样机及一般测试手段购置费", 12),
            "2.6": ("试制产品检验费", 13),
            "2.7": ("研发仪器设备运行维护调整检验维修费", 14),
            "2.8": ("经营租赁研发仪器设备租赁费", 15),
        },
    ),
    3: ("折旧费用", {"3.1": ("仪器", 17), "3.2": ("设备", 18)}),
    4: ("无形资产摊销", {"4.1": ("软件", 20), "4.2": ("专利权", 21), "4.3": ("非专利技术", 22)}),
    5: (
        "新产品设计费等",
        {
            "5.1": ("新产品设计费", 24),
            "5.2": ("新工艺规程制定费", 25),
            "5.3": ("新药研制临床试验费", 26),
            "5.4": ("勘探开发现场试验费", 27),
        },
    ),
    6: (
        "其他相关费用",
        {
            "6.1": ("技术图书资料、翻译、专家咨询、研发保险", 29),
            "6.2": ("成果检索、分析、评议、论证、鉴定、评审、评估、验收", 30),
            "6.3": ("知识产权申请、注册、代理", 31),
            "6.4": ("职工福利费、补充养老、补充医疗保险", 32),
            "6.5": ("差旅费、会议费", 33),
        },
    ),
    7: (
        "委托研发费用",
        {"7.1": ("委托境内机构或个人", 36), "7.2": ("委托境外机构", 37), "7.3": ("委托境外个人", 39)},
    ),
    8: (
        "不予加计的研发支出",
        {"8.1": ("房屋建筑物折旧及长期待摊费用", None), "8.2": ("其他不予加计支出", None)},
    ),
}
SUBITEMS: dict[str, tuple[int, str, int | None]] = {
    code: (cat, name, line) for cat, (_, subs) in CATEGORIES.items() for code, (name, line) in subs.items()
}
SUBITEM_CATEGORY: dict[str, int] = {code: cat for code, (cat, _, _) in SUBITEMS.items()}
CATEGORY_CHOICES = tuple(f"{n} {name}" for n, (name, _) in CATEGORIES.items())
SUBITEM_CHOICES = tuple(f"{code} {name}" for code, (_, name, _) in SUBITEMS.items())

ENTERPRISE = SheetLayout(
    name="企业信息",
    alias="enterprise",
    required=True,
    doc="企业基本信息：两列，项目 | 值",
    fields=(
        Field("统一社会信用代码", "uscc", required=True, doc="18位统一社会信用代码（GB 32100-2015 校验位）"),
        Field("企业名称", "name", required=True),
        Field("所属年度", "year", YEAR, required=True, doc="税款所属年度，如 2024"),
        Field("行业代码", "industry", required=True, doc="GB/T 4754-2017 行业代码，如 C3976"),
        Field("所在区域", "region", required=True, doc="所在乡镇/街道/园区"),
        Field("高新技术企业", "high_tech", BOOL, required=True, doc="是/否"),
        Field("科技型中小企业", "tech_sme", BOOL, required=True, doc="是/否"),
        Field("规模以上企业", "above_scale", BOOL, required=True, doc="是/否"),
        Field("集成电路或工业母机企业", "ic_or_machine_tool", BOOL, required=True, doc="是/否"),
        Field("营业收入", "revenue", AMOUNT, required=True, unit="元"),
        Field("企业所得税税率", "tax_rate", RATIO, doc="空 = 高新技术企业 15%，其他 25%"),
        Field("利润表研发费用", "income_statement_rd", AMOUNT, unit="元", doc="利润表“研发费用”项目"),
        Field("申报加计扣除总额", "claimed_deduction", AMOUNT, unit="元", doc="A107012 第51行申报数"),
        Field("统计研究开发费用合计", "stat_rd_total", AMOUNT, unit="千元", doc="107-2 第7行报送数"),
        Field("统计委托外部研究开发费用", "stat_outsourced", AMOUNT, unit="千元", doc="107-2 第14行报送数"),
        Field("统计折旧费用与长期待摊费用", "stat_depreciation", AMOUNT, unit="千元", doc="107-2 第10行报送数"),
        Field("统计研究开发人员", "stat_rd_staff", INT, unit="人", doc="107-2 第1行"),
        Field("当年形成研发固定资产", "rd_fixed_assets", AMOUNT, unit="元", doc="107-2 第20行；空 = 0"),
        Field("特殊收入", "special_income", AMOUNT, unit="元", doc="A107012 第46行；空 = 0"),
        Field("销售研发产品对应材料", "sold_material", AMOUNT, unit="元", doc="A107012 第48行；空 = 0"),
        Field("以前年度结转扣减额", "carried_forward", AMOUNT, unit="元", doc="A107012 第49行；空 = 0"),
        Field("本年形成无形资产摊销额", "intangible_amort_current", AMOUNT, unit="元", doc="A107012 第43行；空 = 0"),
        Field(
            "以前年度形成无形资产本年摊销额",
            "intangible_amort_prior",
            AMOUNT,
            unit="元",
            doc="A107012 第44行；空 = 0",
        ),
        # optional keys the bureau's scorecard counts (rdcheck.district.scorecard); a ledger check never needs them
        Field(
            "技术合同成交额",
            "tech_contracts",
            AMOUNT,
            unit="元",
            doc="选填：本年登记的技术合同成交额（区科技局汇总用）",
        ),
        Field(
            "研发机构",
            "rd_institution",
            ENUM,
            choices=RD_INSTITUTIONS,
            doc="选填：企业研发机构的最高级别（无/市级/省级/国家级），区科技局汇总用",
        ),
        Field(
            "小型微利企业",
            "small_low_profit",
            BOOL,
            doc="是/否；是 = 节税额按当年小型微利企业实际税负计算（2023-2027年5%），填了企业所得税税率的以税率为准",
        ),
        Field(
            "征收方式",
            "collection_method",
            ENUM,
            choices=COLLECTION_METHODS,
            doc="查账征收/核定征收；核定征收企业不能享受加计扣除（财税〔2015〕119号 五（一））",
        ),
        Field(
            "负面清单行业收入占比",
            "negative_list_share",
            RATIO,
            doc="负面清单行业业务收入占（收入总额−不征税收入−投资收益）的比例；超过50%不能享受加计扣除",
        ),
        Field(
            "不征税收入用于研发",
            "non_taxable_funds_rd",
            AMOUNT,
            unit="元",
            doc="作为不征税收入处理的财政性资金用于研发的部分，从加计扣除基数中减除；空 = 0",
        ),
        Field(
            "2022年四季度研发费用计算方法",
            "q4_2022_method",
            ENUM,
            choices=Q4_2022_METHODS,
            doc="仅2022年度、加计扣除比例75%的企业：按实际发生数（按凭证日期）或按经营月份比例；空 = 按实际发生数",
        ),
        Field(
            "2022年度实际经营月份数",
            "months_operated_2022",
            INT,
            doc="按经营月份比例计算2022年四季度研发费用时使用；空 = 12",
        ),
        # optional: last year's figures for the year-on-year screen (T10)
        Field(
            "上年研究开发费用合计",
            "previous_stat_rd_total",
            AMOUNT,
            unit="千元",
            doc="选填：上年107-2第7行报送数，用于同比核对（T10）",
        ),
        Field("上年营业收入", "previous_revenue", AMOUNT, unit="元", doc="选填：上年营业收入，用于同比核对（T10）"),
    ),
)
# The 企业信息 sheet's own two column headers.
ENTERPRISE_KEY_HEADERS = ("项目", "key", "item", "名称")
ENTERPRISE_VALUE_HEADERS = ("值", "value", "内容", "数值")

PROJECTS = SheetLayout(
    name="研发项目",
    alias="projects",
    required=True,
    doc="研发项目清单：每个项目一行",
    fields=(
        Field("项目编号", "project_id", required=True, doc="工作簿内唯一"),
        Field("项目名称", "project_name", required=True),
        Field("研发形式", "rd_form", ENUM, required=True, choices=RD_FORMS),
        Field("研究类型", "research_type", ENUM, required=True, choices=RESEARCH_TYPES),
        Field("立项日期", "approval_date", DATE, required=True, doc="立项决议日期"),
        Field("立项文号", "approval_no", required=True, doc="立项决议文号"),
        Field("开始日期", "start_date", DATE, required=True),
        Field("结束日期", "end_date", DATE, required=True),
        Field("项目状态", "status", ENUM, required=True, choices=PROJECT_STATES),
        Field("支出类型", "expense_type", ENUM, required=True, choices=PROJECT_EXPENSE_TYPES),
        Field("资本化开始日期", "capitalization_date", DATE, doc="资本化/部分资本化项目必填"),
        Field("研发人员数", "staff_count", INT, unit="人"),
        Field("技术合同登记号", "contract_no", doc="委托/合作项目及有委托境外研发支出的项目必填"),
        Field(
            "受托研发",
            "for_client",
            BOOL,
            doc="是 = 受他人委托开展、成果归委托方的项目：不计入本企业加计扣除基数，仍计入研发统计；空 = 否",
        ),
        # the capitalised project's lifecycle (公告2021年第28号 三（一）); all optional
        Field(
            "无形资产形成日期",
            "intangible_date",
            DATE,
            doc="资本化项目形成无形资产（达到预定用途）的日期；形成当年，项目各年资本化支出统一纳入其他相关费用限额计算",
        ),
        Field(
            "以前年度资本化五项费用",
            "prior_capitalised_core",
            AMOUNT,
            unit="元",
            doc="本年形成无形资产的项目：以前年度资本化的第1-5类可加计金额合计（人员人工等五项）；空 = 0",
        ),
        Field(
            "以前年度资本化其他相关费用",
            "prior_capitalised_other",
            AMOUNT,
            unit="元",
            doc="本年形成无形资产的项目：以前年度资本化的第6类其他相关费用可加计金额合计；空 = 0",
        ),
        Field(
            "无形资产本年摊销额",
            "intangible_amortisation",
            AMOUNT,
            unit="元",
            doc="项目形成的无形资产本年可加计的税前摊销额；按形成年度计入A107012第43行（本年形成）或第44行（以前年度形成）",
        ),
    ),
)

LEDGER = SheetLayout(
    name="辅助账明细",
    alias="ledger",
    required=True,
    doc="研发支出辅助账：每张凭证的每一行",
    aliases=("研发支出辅助账", "辅助账"),
    fields=(
        Field("日期", "date", DATE, required=True),
        Field("凭证号", "voucher", required=True, aliases=("凭证号数", "voucher_no"), doc="凭证种类和号数，如 记-0123"),
        Field("项目编号", "project_id", required=True, doc="须在研发项目中存在"),
        Field("摘要", "summary", required=True),
        Field("费用类别", "category", CATEGORY, required=True, choices=CATEGORY_CHOICES),
        Field("明细项目", "subitem", SUBITEM, aliases=("sub_item",), required=True, choices=SUBITEM_CHOICES),
        Field("账载金额", "book_amount", AMOUNT, required=True, unit="元", aliases=("会计凭证记载金额", "amount")),
        Field(
            "可加计金额",
            "eligible_amount",
            AMOUNT,
            unit="元",
            aliases=("税法规定的归集金额", "deductible_amount"),
            doc="空 = 账载金额（第8类空 = 0）",
        ),
        Field("支出类型", "expense_type", ENUM, required=True, choices=LINE_EXPENSE_TYPES),
        Field("受托方", "contractor", doc="第7类必填"),
        Field("受托方类型", "contractor_type", ENUM, choices=CONTRACTOR_TYPES, doc="第7类必填"),
        Field("关联方", "related_party", BOOL, doc="第7类必填，是/否"),
        Field("工号", "staff_id", doc="第1类：研发人员工号"),
        Field("资产编号", "asset_id", doc="第3、4类：研发设备资产编号"),
    ),
)

SUMMARY = SheetLayout(
    name="汇总表",
    alias="summary",
    doc="企业自编的项目汇总表：项目编号 + 第1-7类可加计金额 + 合计",
    fields=(
        Field("项目编号", "project_id", required=True),
        *(Field(name, f"cat{n}", AMOUNT, unit="元") for n, (name, _) in CATEGORIES.items() if n <= 7),
        Field("合计", "total", AMOUNT, unit="元"),
    ),
)

STAFF = SheetLayout(
    name="研发人员",
    alias="staff",
    doc="研发人员名单",
    fields=(
        Field("工号", "staff_id", required=True),
        Field("姓名", "staff_name"),
        Field("人员类别", "staff_type", ENUM, choices=STAFF_TYPES),
        Field("全年工资薪金", "annual_salary", AMOUNT, required=True, unit="元"),
        Field("研发工时占比", "rd_hours_ratio", RATIO, required=True),
    ),
)

ASSETS = SheetLayout(
    name="研发设备",
    alias="assets",
    doc="研发用仪器、设备、无形资产和房屋",
    fields=(
        Field("资产编号", "asset_id", required=True),
        Field("资产名称", "asset_name"),
        Field("资产类别", "asset_type", ENUM, required=True, choices=ASSET_TYPES),
        Field("原值", "original_value", AMOUNT, unit="元"),
        Field("购置日期", "purchase_date", DATE),
        Field("本年折旧摊销额", "annual_depreciation", AMOUNT, required=True, unit="元"),
        Field("研发使用比例", "rd_use_ratio", RATIO, required=True),
    ),
)

SHEETS: tuple[SheetLayout, ...] = (ENTERPRISE, PROJECTS, LEDGER, SUMMARY, STAFF, ASSETS)
INSTRUCTIONS_SHEET = "填表说明"

# Words that, as a row's first non-empty cell, mark a total row to skip (spec §2).
TOTAL_WORDS = frozenset({"合计", "小计", "总计", "本月合计", "本期合计", "本年合计", "本年累计"})

# Unit suffixes and their factor to yuan.
UNITS = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}


def choices_of(f: Field) -> tuple[str, ...]:
    """Return the values a field's drop-down list offers (empty when it has none)."""
    if f.kind == BOOL:
        return YES_NO
    if f.kind == CATEGORY:
        return CATEGORY_CHOICES
    if f.kind == SUBITEM:
        return SUBITEM_CHOICES
    if f.kind == ENUM:
        return f.choices
    return ()
