"""The columns of 附件7, 附件8 and 附件9: label, header band, unit, number kind and the definition a clerk reads.

Every figure is defined here once, with the name of the query (``services.reports.measures``) that computes
it; the API's column endpoint, ``COLUMNS.md`` and the xlsx "指标说明" sheet are all rendered from these specs.
"""

from __future__ import annotations

from services.reports.column_types import _PERIOD
from services.reports.column_types import DIM_LABELS as DIM_LABELS
from services.reports.column_types import Column as Column
from services.reports.column_types import Kind as Kind
from services.reports.column_types import TableSpec as TableSpec
from services.reports.vocational_columns import GOLDEN_AID_COLUMNS, VOCATIONAL_ACTIVITY_COLUMNS

# ---- aid categories (附件7 and 附件8) -----------------------------------------------------------------------

AID_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("preschool", "学前教育"),
    ("compulsory", "义务教育"),
    ("high_school", "普通高中"),
    ("secondary_vocational", "中职"),
    ("higher_vocational", "高职（专科）"),
    ("undergraduate", "本科"),
    ("postgraduate", "研究生"),
    ("special_education", "特殊教育"),
)
CATEGORY_RULE = (
    "教育阶段取申请表的教育阶段；其中高等教育按学生档案的学历细分：博士、硕士研究生为“研究生”，"
    "大学本科、职业本科为“本科”，其余（大学专科/高职）为“高职（专科）”。"
)
FUNDS: tuple[tuple[str, str], ...] = (
    ("province", "省总工会经费"),
    ("city", "市总工会经费"),
    ("county", "县区工会经费"),
    ("donation", "社会捐款"),
)

_DEMAND = (
    "需求取自该县区统计日期前已报送市总的当年摸排（7月14日摸排需求汇总）；尚未报送摸排的县区（“已报送摸排”为0的行），"
    "暂按统计年度内提交、截至统计日期仍在办理或已通过（不含不予资助、已撤销）的助学申请统计。"
)
_REQUESTED = (
    "金额：已报送摸排的县区取摸排填报的需求金额；尚未报送的县区按申请表填写的申请金额，未填写的按学费发票金额"
    "（不超过该项标准上限），两者都未填写的按标准上限。"
)
_SURVEYED = (
    "1 = 本行人数和金额取自该县区已报送的摸排；0 = 该县区尚未报送摸排（或已被退回修改），本行暂按助学申请统计。"
    "合计行为已报送摸排的县区数。"
)


def _annex7() -> TableSpec:
    cols = [
        Column("total_persons", "需求人数", "合计", "人", Kind.COUNT, "建档与非建档需求人数之和。" + _DEMAND, ""),
        Column("total_amount", "申请金额", "合计", "元", Kind.MONEY, "建档与非建档申请金额之和。" + _REQUESTED, ""),
    ]
    for prefix, band, who in (
        ("archived", "建档困难职工家庭", "申请时家庭在工会建档（档案在档）的学生"),
        ("nonarchived", "非建档困难职工家庭", "申请时家庭未建档或档案已解档的学生"),
    ):
        cols.append(
            Column(f"{prefix}_persons", "小计", band, "人", Kind.COUNT, f"{who}人数，为本组各教育阶段人数之和。", "")
        )
        for cat, name in AID_CATEGORIES:
            cols.append(
                Column(
                    f"{prefix}_{cat}",
                    name,
                    band,
                    "人",
                    Kind.COUNT,
                    f"{who}中，教育阶段为“{name}”的人数。{_DEMAND}按助学申请统计时，同一学生多份申请计1人；"
                    f"{CATEGORY_RULE}",
                    "survey_demand / aid_demand",
                )
            )
        cols.append(
            Column(
                f"{prefix}_amount",
                "申请金额",
                band,
                "元",
                Kind.MONEY,
                f"{who}的需求金额合计。{_REQUESTED}",
                "survey_demand / aid_demand",
            )
        )
    cols.append(Column("survey_submitted", "已报送摸排", "数据来源", "个", Kind.COUNT, _SURVEYED, "survey_demand"))
    return TableSpec(
        code="annex7",
        title="金秋助学活动需求汇总表",
        row_dims=("county",),
        columns=tuple(cols),
        note=(
            "附件7。按县区（含园区、市直）汇总，取各县区报送的摸排；未报送摸排的县区暂按助学申请统计，"
            "见“已报送摸排”一列；合计行为各行之和。"
        ),
    )


_PAID = "已发放：资助已由银行确认到账（资助状态“已到账”），到账时间不晚于统计日期。"


def _annex8() -> TableSpec:
    cols = [
        Column(
            "aided_persons",
            "资助人数",
            "合计",
            "人",
            Kind.COUNT,
            "统计年度内获得至少一笔已发放资助的学生人数。" + _PAID,
            "aid_paid_persons",
        ),
        Column(
            "paid_amount", "发放金额", "合计", "元", Kind.MONEY, "统计年度内已发放资助金额之和。" + _PAID, "aid_awards"
        ),
    ]
    for cat, name in AID_CATEGORIES:
        cols.append(
            Column(
                f"persons_{cat}",
                name,
                "按教育阶段（人）",
                "人",
                Kind.COUNT,
                f"已发放资助中教育阶段为“{name}”的学生人数。{CATEGORY_RULE}",
                "aid_awards",
            )
        )
    for cat, name in AID_CATEGORIES:
        cols.append(
            Column(
                f"amount_{cat}",
                name,
                "按教育阶段（元）",
                "元",
                Kind.MONEY,
                f"已发放资助中教育阶段为“{name}”的金额。",
                "aid_awards",
            )
        )
    for fund, name in FUNDS:
        cols.append(
            Column(
                f"persons_{fund}",
                name,
                "按资金来源（人）",
                "人",
                Kind.COUNT,
                f"由{name}发放资助的学生人数。",
                "aid_awards",
            )
        )
    for fund, name in FUNDS:
        cols.append(
            Column(
                f"amount_{fund}", name, "按资金来源（元）", "元", Kind.MONEY, f"由{name}发放的资助金额。", "aid_awards"
            )
        )
    cols += [
        Column(
            "pending_persons",
            "人数",
            "已批准待发放",
            "人",
            Kind.COUNT,
            "资助已批准（待公示、公示中或付款中）但尚未到账的学生人数。",
            "aid_awards",
        ),
        Column("pending_amount", "金额", "已批准待发放", "元", Kind.MONEY, "已批准尚未到账的资助金额。", "aid_awards"),
        Column(
            "work_study_posts",
            "岗位数",
            "勤工俭学",
            "个",
            Kind.COUNT,
            "统计年度内、截至统计日期已开始的勤工俭学岗位安排数（含暑期专项）。",
            "aid_work_study",
        ),
        Column(
            "work_study_summer_posts",
            "其中暑期专项",
            "勤工俭学",
            "个",
            Kind.COUNT,
            "勤工俭学岗位中的暑期专项岗位数。",
            "aid_work_study",
        ),
        Column(
            "work_study_students",
            "参加人数",
            "勤工俭学",
            "人",
            Kind.COUNT,
            "安排了勤工俭学岗位的学生人数。",
            "aid_work_study",
        ),
        Column(
            "work_study_subsidy",
            "补贴金额",
            "勤工俭学",
            "元",
            Kind.MONEY,
            "勤工俭学岗位的补贴金额之和。",
            "aid_work_study",
        ),
        Column(
            "budget_amount",
            "资金预算",
            "预算",
            "元",
            Kind.MONEY,
            "统计年度各资金来源下达给该县区的助学预算之和。",
            "aid_budget",
        ),
        *GOLDEN_AID_COLUMNS,
    ]
    return TableSpec(
        code="annex8",
        title="金秋助学活动情况统计表",
        row_dims=("county",),
        columns=tuple(cols),
        note="附件8。按县区汇总；合计行为各行之和。",
    )


SERVICE_KINDS: tuple[tuple[str, str], ...] = (
    ("policy_briefing", "政策宣介"),
    ("career_guidance", "职业指导"),
    ("job_recommendation", "岗位推荐"),
    ("training_offer", "培训机会"),
    ("internship_offer", "见习实习机会"),
    ("interview_coaching", "面试辅导"),
    ("entrepreneurship_guidance", "创业指导"),
    ("job_fair", "招聘会"),
)
_STATUS = (
    "就业状态取统计日期当天的状态：全流程跟踪的状态历史中该日结束前的最后一条；跟踪尚未记录的，取建档时登记的状态。"
)
_GRADUATES = "毕业生：实名制档案中阶段为“毕业生”、建档时间不晚于统计日期的人员，按所属县区和毕业届别分组。"
OTHER_PROGRAM_CODE = "other"
OTHER_PROGRAM = (OTHER_PROGRAM_CODE, "其他基层项目")


def _annex9(programs: tuple[tuple[str, str], ...]) -> TableSpec:
    cols = [
        Column("registered", "登记毕业生", "实名登记", "人", Kind.COUNT, _GRADUATES, "graduate_statuses"),
        Column(
            "contacted",
            "已联系",
            "实名登记",
            "人",
            Kind.COUNT,
            "截至统计日期至少有一次联系回访记录、且结果不是“未联系上”的毕业生人数。",
            "graduates_contacted",
        ),
        Column(
            "served_any",
            "接受服务",
            "帮扶服务（人）",
            "人",
            Kind.COUNT,
            "截至统计日期接受过至少一项帮扶服务的毕业生人数。",
            "graduates_served",
        ),
    ]
    for kind, name in SERVICE_KINDS:
        cols.append(
            Column(
                f"served_{kind}",
                name,
                "帮扶服务（人）",
                "人",
                Kind.COUNT,
                f"截至统计日期接受过“{name}”服务的毕业生人数（多次计1人）。",
                "graduates_served",
            )
        )
    cols += [
        Column(
            "service_times",
            "服务人次",
            "帮扶服务（人）",
            "人次",
            Kind.COUNT,
            "截至统计日期登记的各类服务次数之和。",
            "graduates_served",
        ),
        Column(
            "standard_covered",
            "应达标",
            "服务标准",
            "人",
            Kind.COUNT,
            "统计日期的就业状态属于服务标准适用范围（默认：未就业、求职中、见习实习中）的毕业生人数。" + _STATUS,
            "graduates_served",
        ),
        Column(
            "standard_met",
            "已达标",
            "服务标准",
            "人",
            Kind.COUNT,
            "应达标人员中，截至统计日期各项服务次数均达到现行服务标准（默认“1131”：1次政策宣介、1次职业指导、"
            "3个岗位推荐、1次培训或见习机会）的人数。",
            "graduates_served",
        ),
        Column(
            "placed",
            "合计",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "企业就业、基层项目、自主创业、灵活就业、升学、应征入伍人数之和。" + _STATUS,
            "",
        ),
        Column(
            "enterprise",
            "企业就业",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“已签约”或“已就业”的人数。",
            "graduate_statuses",
        ),
    ]
    for code, name in (*programs, OTHER_PROGRAM):
        text = (
            f"状态为“参加基层服务项目”、且已签约或到岗的基层项目岗位属于“{name}”的人数。"
            if code != OTHER_PROGRAM[0]
            else "状态为“参加基层服务项目”、但没有已签约或到岗的基层项目岗位记录（如经人工认定）的人数。"
        )
        cols.append(Column(f"grassroots_{code}", name, "已落实去向（人）", "人", Kind.COUNT, text, "graduate_statuses"))
    cols += [
        Column(
            "self_employed",
            "自主创业",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“自主创业/灵活就业”、且有已签约或到岗的创业扶持项目，或登记了统计日期前已开业、经营中的创业项目（网络创业、返乡创业等）的人数。",
            "graduate_statuses",
        ),
        Column(
            "flexible",
            "灵活就业",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“自主创业/灵活就业”、但既没有创业扶持项目记录，也没有经营中的创业项目的人数。",
            "graduate_statuses",
        ),
        Column(
            "further_study",
            "升学",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“升学深造”的人数。",
            "graduate_statuses",
        ),
        Column(
            "military",
            "应征入伍",
            "已落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“应征入伍”的人数。",
            "graduate_statuses",
        ),
        Column(
            "still_seeking",
            "仍在求职",
            "未落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“未就业”“求职中”或“见习实习中”的人数。",
            "graduate_statuses",
        ),
        Column(
            "not_seeking",
            "暂不就业",
            "未落实去向（人）",
            "人",
            Kind.COUNT,
            "状态为“暂不就业”的人数。",
            "graduate_statuses",
        ),
        Column(
            "employment_rate",
            "就业率",
            "",
            "%",
            Kind.RATE,
            "已落实去向人数 ÷ 登记毕业生人数 × 100，保留两位小数（四舍五入）；合计行按合计数计算，不是各行就业率相加。",
            "",
        ),
    ]
    return TableSpec(
        code="annex9",
        title="困难职工家庭高校毕业生阳光就业暖心行动统计表",
        row_dims=("county", "cohort"),
        columns=tuple(cols),
        note=(
            "附件9（一）毕业生情况：按县区和毕业届别分行；登记人数 = 已落实去向 + 仍在求职 + 暂不就业；"
            "合计行为各行之和。"
        ),
    )


def _annex9_activity() -> TableSpec:
    cols = (
        Column(
            "positions_offered",
            "提供就业岗位",
            "岗位与活动",
            "个",
            Kind.COUNT,
            "统计期间发布的就业岗位招聘人数之和（未写人数的计1）。岗位归属发布单位所在县区。" + _PERIOD,
            "positions_published",
        ),
        Column(
            "job_fairs",
            "举办招聘会",
            "岗位与活动",
            "场",
            Kind.COUNT,
            "统计期间开始的招聘会场次（线上、线下）。" + _PERIOD,
            "job_fairs_held",
        ),
        Column(
            "internship_posts",
            "见习实习岗位",
            "岗位与活动",
            "个",
            Kind.COUNT,
            "统计期间发布的实习见习岗位人数之和。" + _PERIOD,
            "positions_published",
        ),
        Column(
            "work_study_positions",
            "勤工俭学岗位",
            "岗位与活动",
            "个",
            Kind.COUNT,
            "统计期间发布的勤工俭学岗位人数之和。" + _PERIOD,
            "positions_published",
        ),
        Column(
            "entrepreneurship_support",
            "创业扶持项目",
            "岗位与活动",
            "个",
            Kind.COUNT,
            "统计期间发布的创业扶持项目（资金、场地、导师、大赛）个数。" + _PERIOD,
            "positions_published",
        ),
        Column(
            "entrepreneurship_funds",
            "创业扶持资金",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "统计期间发布的创业扶持项目的扶持资金之和。",
            "positions_published",
        ),
        Column(
            "internship_subsidy",
            "见习补贴",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "统计期间发布的见习岗位：月补贴 × 见习月数 × 已录用人数，之和。",
            "positions_published",
        ),
        Column(
            "work_study_subsidy",
            "勤工俭学补贴",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "统计年度内已开始的勤工俭学安排的补贴金额之和（同附件8）。",
            "aid_work_study",
        ),
        Column(
            "purchased_amount",
            "购买服务",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "服务期在统计年度内开始、开始日期不晚于统计日期的购买服务（定向就业援助）合同金额之和，归入购买单位所在县区。",
            "purchased_services",
        ),
        Column(
            "employment_subsidy",
            "就业补贴",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "统计年度的就业补贴政策申领（求职创业补贴、就业见习补贴、基层就业学费补偿、助学贷款代偿、技能培训补贴、"
            "职业介绍补贴、暑期专项勤工俭学补贴等）中已由银行确认到账、到账时间不晚于统计日期的金额之和，"
            "归入毕业生所属县区。",
            "policy_subsidies",
        ),
        Column(
            "venture_funds",
            "大赛及创业项目扶持资金",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "扶持日期在统计期间内、扶持内容为“扶持资金”的创业项目扶持金额之和（含创新创业大赛给予的），"
            "归入毕业生所属县区。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "money_spent",
            "合计",
            "资金投入（元）",
            "元",
            Kind.MONEY,
            "创业扶持资金、见习补贴、勤工俭学补贴、购买服务、就业补贴、大赛及创业项目扶持资金之和。",
            "",
        ),
        Column(
            "purchased_referred",
            "转介人数",
            "定向就业援助（购买服务）",
            "人",
            Kind.COUNT,
            "统计期间转介给购买服务机构接受定向就业援助的未就业毕业生人数（同一人转介多份合同计1人），"
            "归入毕业生所属县区。" + _PERIOD,
            "purchased_services",
        ),
        Column(
            "purchased_placed",
            "其中已就业",
            "定向就业援助（购买服务）",
            "人",
            Kind.COUNT,
            "转介结果为“已就业”、结果日期在统计期间内的毕业生人数（同一人计1人）。" + _PERIOD,
            "purchased_services",
        ),
        *VOCATIONAL_ACTIVITY_COLUMNS,
        Column(
            "subsidy_persons",
            "获得就业补贴",
            "就业补贴政策（人）",
            "人",
            Kind.COUNT,
            "统计年度内至少有一笔就业补贴已到账（到账时间不晚于统计日期）的毕业生和在校生人数（多笔计1人），"
            "归入本人所属县区。",
            "policy_subsidies",
        ),
        Column(
            "subsidy_grassroots_persons",
            "其中基层就业学费补偿、助学贷款代偿",
            "就业补贴政策（人）",
            "人",
            Kind.COUNT,
            "获得就业补贴的人员中，已到账的补贴属于“基层就业学费补偿”或“助学贷款代偿”的人数（多笔计1人）。",
            "policy_subsidies",
        ),
        Column(
            "subsidy_claims_pending",
            "已申领待发放",
            "就业补贴政策（人）",
            "人",
            Kind.COUNT,
            "统计年度的就业补贴申领中待审核、已核准或付款中（尚未到账）的人数（多笔计1人）。",
            "policy_subsidies",
        ),
        Column(
            "mentor_paired",
            "一帮一结对人数",
            "结对帮扶与创业",
            "人",
            Kind.COUNT,
            "统计期间结对的“一帮一结对帮扶”（劳模、工匠、爱心企业等导师与毕业生）的毕业生人数（同一人结对多位导师计1人），归入毕业生所属县区。"
            + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "mentor_paired_startup",
            "创业导师结对人数",
            "结对帮扶与创业",
            "人",
            Kind.COUNT,
            "统计期间与创业专家、劳模工匠等导师“创业结对”的创业毕业生人数（同一人计1人）。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "mentor_placed",
            "结对后就业创业",
            "结对帮扶与创业",
            "人",
            Kind.COUNT,
            "结对结果为“已就业”或“已创业”、结果日期在统计期间内的毕业生人数（同一人计1人）。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "ventures_online",
            "网络创业项目",
            "结对帮扶与创业",
            "个",
            Kind.COUNT,
            "统计期间登记的项目类型为“网络创业”的创业项目个数（参赛与否均计）。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "ventures_returning",
            "返乡创业项目",
            "结对帮扶与创业",
            "个",
            Kind.COUNT,
            "统计期间登记的项目类型为“返乡创业”的创业项目个数（参赛与否均计）。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "contest_entries",
            "大赛参赛项目",
            "结对帮扶与创业",
            "个",
            Kind.COUNT,
            "报名日期在统计期间内的创新创业大赛参赛项目数（一个项目参加两项大赛计2个）。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "contest_passed",
            "其中通过筛选",
            "结对帮扶与创业",
            "个",
            Kind.COUNT,
            "筛选结果为“通过筛选”、筛选日期在统计期间内的参赛项目数。" + _PERIOD,
            "mentoring_and_ventures",
        ),
        Column(
            "ventures_supported",
            "获扶持项目",
            "结对帮扶与创业",
            "个",
            Kind.COUNT,
            "统计期间获得资金、场地、产品孵化、创新指导或成果转化等扶持的创业项目个数（同一项目多项扶持计1个）。"
            + _PERIOD,
            "mentoring_and_ventures",
        ),
    )
    return TableSpec(
        code="annex9_activity",
        title="困难职工家庭高校毕业生阳光就业暖心行动统计表（活动开展情况）",
        row_dims=("county",),
        columns=cols,
        note="附件9（二）活动开展情况：按县区分行；市总工会本级发布的岗位列在“市本级”行；合计行为各行之和。",
    )


ANNEX7 = _annex7()
ANNEX8 = _annex8()
ANNEX9_ACTIVITY = _annex9_activity()
REPORT_TABLES: dict[str, tuple[str, ...]] = {
    "annex7": ("annex7",),
    "annex8": ("annex8",),
    "annex9": ("annex9", "annex9_activity"),
}
REPORT_TITLES = {
    "annex7": "附件7 金秋助学活动需求汇总表",
    "annex8": "附件8 金秋助学活动情况统计表",
    "annex9": "附件9 困难职工家庭高校毕业生阳光就业暖心行动统计表",
}


def annex9(programs: tuple[tuple[str, str], ...]) -> TableSpec:
    """附件9 with one column per grassroots program (the programs come from data, see ``measures.programs``)."""
    return _annex9(programs)


def specs_for(report: str, programs: tuple[tuple[str, str], ...]) -> list[TableSpec]:
    fixed = {"annex7": ANNEX7, "annex8": ANNEX8, "annex9_activity": ANNEX9_ACTIVITY}
    return [fixed[code] if code in fixed else annex9(programs) for code in REPORT_TABLES[report]]


def render_markdown(programs: tuple[tuple[str, str], ...]) -> str:
    """COLUMNS.md: every table, every column, its unit and definition."""
    lines = [
        "# 统计报表指标说明（附件7、8、9）",
        "",
        "本文件由 `sunshine reports columns-doc` 根据 `services/reports/columns.py` 生成，与接口",
        "`GET /api/v1/reports/columns` 和导出的 xlsx“指标说明”工作表同源。每个指标只在",
        "`services/reports/measures.py` 中用一条查询定义；JSON、CSV、xlsx 三种格式的数字完全一致。",
        "",
        "通用口径：",
        "",
        "- 统计日期（as_of）：默认今天；时间按服务时区（Asia/Shanghai）的当天结束为界。",
        "- 统计年度（year）：默认统计日期所在年度；附件7 取该年度各县区报送的摸排（未报送的县区暂按助学申请），",
        "  附件8 取该年度的资助。",
        "- 县区：县、区、园区、市直基层工会各为一行，下属基层工会和学校的数据归入其所属县区；",
        "  县区账号只得到本县区一行，市总账号得到全部县区和合计行；合计行等于各行之和（比率按合计数重新计算）。",
        "",
    ]
    for code in ("annex7", "annex8", "annex9", "annex9_activity"):
        spec = {"annex7": ANNEX7, "annex8": ANNEX8, "annex9_activity": ANNEX9_ACTIVITY}.get(code) or annex9(programs)
        lines += [
            f"## {spec.title}（`{spec.code}`）",
            "",
            spec.note,
            "",
            "| 字段 | 表头 | 单位 | 口径 | 查询 |",
            "|---|---|---|---|---|",
        ]
        for c in spec.columns:
            head = f"{c.group} / {c.label}" if c.group else c.label
            lines.append(f"| `{c.key}` | {head} | {c.unit} | {c.definition} | {c.measure or '由本行其他列计算'} |")
        lines.append("")
    return "\n".join(lines)
