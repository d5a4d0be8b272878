"""Labels as users see them: A107012 lines, 107-2 lines, the 2021 汇总表 columns and reconciliation texts."""

from __future__ import annotations

# A107012 研发费用加计扣除优惠明细表 (2021 onwards, 52 lines), line texts as printed on the form (domain.md §4).
A107012_LABELS: dict[int, str] = {
    1: "本年可享受研发费用加计扣除项目数量",
    2: "一、自主研发、合作研发、集中研发（3+7+16+19+23+34）",
    3: "（一）人员人工费用（4+5+6）",
    4: "1.直接从事研发活动人员工资薪金",
    5: "2.直接从事研发活动人员五险一金",
    6: "3.外聘研发人员的劳务费用",
    7: "（二）直接投入费用（8+9+10+11+12+13+14+15）",
    8: "1.研发活动直接消耗材料费用",
    9: "2.研发活动直接消耗燃料费用",
    10: "3.研发活动直接消耗动力费用",
    11: "4.用于中间试验和产品试制的模具、工艺装备开发及制造费",
    12: "5.用于不构成固定资产的样品、样机及一般测试手段购置费",
    13: "6.用于试制产品的检验费",
    14: "7.用于研发活动的仪器、设备的运行维护、调整、检验、维修等费用",
    15: "8.通过经营租赁方式租入的用于研发活动的仪器、设备租赁费",
    16: "（三）折旧费用（17+18）",
    17: "1.用于研发活动的仪器的折旧费",
    18: "2.用于研发活动的设备的折旧费",
    19: "（四）无形资产摊销（20+21+22）",
    20: "1.用于研发活动的软件的摊销费用",
    21: "2.用于研发活动的专利权的摊销费用",
    22: "3.用于研发活动的非专利技术（包括许可证、专有技术、设计和计算方法等）的摊销费用",
    23: "（五）新产品设计费等（24+25+26+27）",
    24: "1.新产品设计费",
    25: "2.新工艺规程制定费",
    26: "3.新药研制的临床试验费",
    27: "4.勘探开发技术的现场试验费",
    28: "（六）其他相关费用（29+30+31+32+33）",
    29: "1.技术图书资料费、资料翻译费、专家咨询费、高新科技研发保险费",
    30: "2.研发成果的检索、分析、评议、论证、鉴定、评审、评估、验收费用",
    31: "3.知识产权的申请费、注册费、代理费",
    32: "4.职工福利费、补充养老保险费、补充医疗保险费",
    33: "5.差旅费、会议费",
    34: "（七）经限额调整后的其他相关费用",
    35: "二、委托研发（36+37+39）",
    36: "（一）委托境内机构或个人进行研发活动所发生的费用",
    37: "（二）委托境外机构进行研发活动发生的费用",
    38: "其中：允许加计扣除的委托境外机构进行研发活动发生的费用",
    39: "（三）委托境外个人进行研发活动发生的费用",
    40: "三、年度研发费用小计（2+36×80%+38）",
    41: "（一）本年费用化金额",
    42: "（二）本年资本化金额",
    43: "四、本年形成无形资产摊销额",
    44: "五、以前年度形成无形资产本年摊销额",
    45: "六、允许扣除的研发费用合计（41+43+44）",
    46: "减：特殊收入部分",
    47: "七、允许扣除的研发费用抵减特殊收入后的金额（45-46）",
    48: "减：当年销售研发活动直接形成产品（包括组成部分）对应的材料部分",
    49: "减：以前年度销售研发活动直接形成产品（包括组成部分）对应材料部分结转金额",
    50: "八、加计扣除比例及计算方法（%）",
    51: "九、本年研发费用加计扣除总额（47-48-49）×50",
    52: "十、销售研发活动直接形成产品（包括组成部分）对应材料部分结转以后年度扣减金额"
    "（当47-48-49≥0，本行=0；当47-48-49＜0，本行=47-48-49的绝对值）",
}
A107012_LABELS_EN: dict[int, str] = {
    1: "Number of projects eligible this year",
    2: "I. In-house, cooperative and centralised R&D (3+7+16+19+23+34)",
    3: "(1) Personnel costs (4+5+6)",
    7: "(2) Direct inputs (8..15)",
    16: "(3) Depreciation (17+18)",
    19: "(4) Amortisation of intangibles (20+21+22)",
    23: "(5) New product design etc. (24..27)",
    28: "(6) Other related costs (29..33)",
    34: "(7) Other related costs after the 10% limit",
    35: "II. Commissioned R&D (36+37+39)",
    36: "(1) Commissioned to domestic institutions or individuals",
    37: "(2) Commissioned to overseas institutions",
    38: "of which deductible (2/3 limit)",
    39: "(3) Commissioned to overseas individuals",
    40: "III. R&D expense subtotal (2+36×80%+38)",
    41: "(1) Expensed this year",
    42: "(2) Capitalised this year",
    43: "IV. Amortisation of intangibles formed this year",
    44: "V. Amortisation of intangibles formed in earlier years",
    45: "VI. Deductible R&D expense (41+43+44)",
    46: "Less: special income",
    47: "VII. After special income (45-46)",
    48: "Less: materials of R&D products sold this year",
    49: "Less: carried forward from earlier years",
    50: "VIII. Super-deduction rate (%)",
    51: "IX. Super-deduction this year ((47-48-49)×50)",
    52: "X. Carried forward to later years",
}

# 107-2 企业研究开发活动及相关情况, the lines rdcheck computes (domain.md §5), plus the rollup figures.
STATS_LABELS: dict[str, str] = {
    "7": "研究开发费用合计",
    "8": "人员人工费用",
    "9": "直接投入费用",
    "10": "折旧费用与长期待摊费用",
    "11": "无形资产摊销",
    "12": "设计费用",
    "13": "装备调试费用与试验费用",
    "14": "委托外部研究开发费用",
    "15": "其中：委托境内研究机构",
    "16": "委托境内高等学校",
    "17": "委托境内企业",
    "18": "委托境外机构",
    "19": "其他费用",
    "intramural": "研发经费内部支出（按辅助账估算）",
    "intramural_reported": "研发经费内部支出（按报送数估算）",
    "basic_research": "基础研究支出",
}
STATS_LINES: tuple[str, ...] = tuple(str(n) for n in range(7, 20))

# The computed 2021 汇总表 (2021年第28号 附件2), one row per project and 支出类型: its column names.
SUMMARY2021_COLUMNS: tuple[str, ...] = (
    "项目编号",
    "项目名称",
    "完成情况",
    "支出类型",
    "允许加计扣除金额合计",
    "(1)人员人工费用",
    "(2)直接投入费用",
    "(3)折旧费用",
    "(4)无形资产摊销",
    "(5)新产品设计费等",
    "(6)前五项小计",
    "(7.1)其他相关费用合计",
    "(7.2)经限额调整后的其他相关费用",
    "(8.1)委托境内机构或个人进行研发活动所发生的费用",
    "(8.2)允许加计扣除的委托境内机构或个人进行研发活动所发生的费用",
    "(8.3)委托境外机构进行研发活动所发生的费用",
    "(8.4)经限额调整后的委托境外机构进行研发活动所发生的费用",
)
SUMMARY2021_AMOUNT_COLUMNS: tuple[str, ...] = SUMMARY2021_COLUMNS[4:]

# What can account for a difference between calibers (reconciliation `explained_by`): stable labels.
OTHER_LIMIT = "其他相关费用10%限额"
COMMISSIONED_80 = "委托研发按80%计入"
OVERSEAS_LIMIT = "委托境外2/3限额"
OVERSEAS_PERSON = "委托境外个人不予加计"
CATEGORY_8 = "第8类不予加计"
CAPITALISED = "资本化"
NON_ELIGIBLE = "可加计金额小于账载金额"
RATE = "加计扣除比例"
ADJUSTMENTS = "第43-49行调整"
EXPLANATIONS: tuple[str, ...] = (
    NON_ELIGIBLE,
    OTHER_LIMIT,
    COMMISSIONED_80,
    OVERSEAS_LIMIT,
    OVERSEAS_PERSON,
    CATEGORY_8,
    CAPITALISED,
    RATE,
    ADJUSTMENTS,
)

CALIBERS: tuple[str, ...] = ("会计", "税务", "统计")

# Notes the output must carry.
# Notes the output must carry, zh and en (api.check_book picks the report's language).
NOTE_INTRAMURAL_ESTIMATE = {
    "zh": "研发经费内部支出为估算值：{formula}（第20行为当年形成研发固定资产；公式为政策参数）",
    "en": "Intramural R&D is an estimate: {formula} (line 20: fixed assets for R&D acquired this year; "
    "the formula is a policy parameter)",
}
NOTE_NEGATIVE_LIST = {  # decided by the stated share (97号 四), not by the code; {industry} is "（…）" or ""
    "zh": "负面清单行业{industry}收入占比超过50%，不适用加计扣除政策，加计扣除比例与加计扣除总额按0计算",
    "en": "Negative-list business{industry_en} is above 50% of revenue: the deduction rate and total are 0",
}
NOTE_YEAR_OUT_OF_POLICY = {
    "zh": "所属年度 {year} 早于已实现的政策年度，按 {entry} 年度政策计算",
    "en": "Tax year {year} is before the policy years implemented; the {entry} policy is applied",
}
NOTE_NO_YEAR = {
    "zh": "所属年度缺失或无法识别，按最新政策年度（{entry}）计算，辅助账全部行计入",
    "en": "The tax year is missing or unreadable: the newest policy year ({entry}) is applied and every ledger "
    "line is counted",
}
NOTE_NO_RATE = {"zh": "本年度未配置加计扣除比例", "en": "No deduction rate is configured for this year"}
NOTE_NEGATIVE_CODE = {
    "zh": "行业代码属于负面清单行业（{industry}）：是否适用取决于该行业收入占比（超过50%不能享受加计扣除），"
    "请在企业信息填写“负面清单行业收入占比”；本表暂按可以享受计算",
    "en": "The industry code is a negative-list industry ({industry}): whether the enterprise is excluded depends on "
    "that business' share of revenue (above 50%: no deduction); state 负面清单行业收入占比. The form assumes it may claim",
}
NOTE_DEEMED_PROFIT = {
    "zh": "征收方式为核定征收，不能享受研发费用加计扣除（财税〔2015〕119号 五（一）），加计扣除比例与加计扣除总额按0计算",
    "en": "The enterprise is taxed on deemed profit (核定征收) and may not claim (财税〔2015〕119号 五（一）): "
    "the deduction rate and total are 0",
}
NOTE_LATER_RATE_DATES = {
    "zh": "{start}起发生的研发费用加计扣除比例为{later}%（公告2022年第28号），按凭证日期计算占{share}，"
    "第50行为加权比例{blended}%",
    "en": "Spending from {start} is deducted at {later}% (公告2022年第28号); by the lines' dates it is {share} of the "
    "base, so line 50 is the blended rate {blended}%",
}
NOTE_LATER_RATE_MONTHS = {
    "zh": "{start}起发生的研发费用加计扣除比例为{later}%（公告2022年第28号），按经营月份比例计算占{share}，"
    "第50行为加权比例{blended}%",
    "en": "Spending from {start} is deducted at {later}% (公告2022年第28号); by the months operated it is {share} of "
    "the base, so line 50 is the blended rate {blended}%",
}
NOTE_FOR_CLIENT = {
    "zh": "受托研发项目的支出 {amount} 元不计入本企业加计扣除基数（由委托方加计扣除），仍计入研发统计",
    "en": "Spending of {amount} on R&D done for clients (受托研发) is left out of the deduction base (the client "
    "claims it) and kept in the statistics",
}
NOTE_NON_TAXABLE = {
    "zh": "不征税收入用于研发的 {amount} 元已从允许扣除的研发费用（第45行）中减除（国家税务总局公告2015年第97号 二（五））",
    "en": "{amount} of R&D funded by non-taxable fiscal funds is taken off line 45 (国家税务总局公告2015年第97号 二（五）)",
}
NOTE_SMALL_LOW_PROFIT_NOT_MODELLED = {
    "zh": "小型微利企业{year}年度的实际税负未建模（按应纳税所得额分档），节税额按法定税率估算，请填写企业所得税税率",
    "en": "The 小型微利 effective rate of {year} is not modelled (it is tiered by taxable income); the tax saved uses "
    "the statutory rate — state 企业所得税税率",
}
NOTE_PRIOR_CAPITALISED = {
    "zh": "本年形成无形资产的资本化项目以前年度资本化的五项费用 {core} 元、其他相关费用 {other} 元已统一纳入其他相关费用限额"
    "计算（国家税务总局公告2021年第28号 三（一））",
    "en": "Earlier years' capitalised spending of the projects whose intangible forms this year (categories 1-5: {core}; "
    "其他相关费用: {other}) enters the 10% limit (国家税务总局公告2021年第28号 三（一）)",
}
NOTE_AMORTISATION_UNKNOWN = {
    "zh": "A107012第43/44行无法按形成年度确定（项目 {projects} 缺无形资产形成日期或本年摊销额），留空；"
    "第45行起按已知摊销额 {total} 元计算",
    "en": "A107012 lines 43/44 cannot be placed by formation year (project(s) {projects} lack 无形资产形成日期 or "
    "无形资产本年摊销额) and are left empty; line 45 on uses the amortisation known, {total}",
}
