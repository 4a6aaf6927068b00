from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from services.catalog.models import (
    Education,
    EmployerStatus,
    FairMode,
    MentorKind,
    Ownership,
    PayBasis,
    PositionKind,
    PositionSource,
    PositionStatus,
)
from services.schema_types import ZonedDatetime

MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
DivisionCode = Annotated[str, Field(min_length=6, max_length=6, pattern=r"^\d{6}$", examples=["341622"])]


# ------------------------------------------------------------------------------------------------ employers


class EmployerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=200, examples=["安徽亳药示范制药有限公司"])
    credit_code: str = Field(
        min_length=1,
        max_length=40,
        description="统一社会信用代码（18位，校验位核验）",
        examples=["91341600MA2N4L0Q2H"],
    )
    industry_code: str = Field(
        min_length=1, max_length=8, description="国民经济行业分类代码（GB/T 4754-2017）", examples=["2720"]
    )
    ownership: Ownership = Field(description="单位性质", examples=["private"])
    division_code: DivisionCode = Field(description="所在地行政区划代码")
    address: str = Field(default="", max_length=300, examples=["蒙城县经济开发区纬一路8号"])
    contact_name: str = Field(default="", max_length=50, examples=["李经理"])
    contact_phone: str | None = Field(default=None, max_length=30, examples=["13905671234"])
    contact_email: str | None = Field(default=None, max_length=200, examples=["hr@example.cn"])
    description: str = Field(default="", max_length=4000, examples=["中药饮片生产企业，长期招聘药学、中药学毕业生。"])


class EnterpriseSignUp(BaseModel):
    """企业自助注册：新的企业账号和本单位登记，待工会认证。"""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$", examples=["bozhou_pharma"])
    password: str = Field(min_length=1, max_length=128, examples=["Sunshine-2025"])
    display_name: str = Field(default="", max_length=50, description="联系人姓名，默认单位名称", examples=["李经理"])
    employer: EmployerCreate


class EmployerStaffCreate(EmployerCreate):
    org_unit_id: int | None = Field(default=None, description="负责联系的工会单位；默认为本人所在单位", examples=[4])


class EmployerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=200, examples=["安徽亳药示范制药股份有限公司"])
    credit_code: str | None = Field(default=None, min_length=1, max_length=40, examples=["91341600MA2N4L0Q2H"])
    industry_code: str | None = Field(default=None, min_length=1, max_length=8, examples=["2740"])
    ownership: Ownership | None = Field(default=None, examples=["private"])
    division_code: DivisionCode | None = None
    address: str | None = Field(default=None, max_length=300, examples=["蒙城县经济开发区纬一路8号"])
    contact_name: str | None = Field(default=None, max_length=50, examples=["王主管"])
    contact_phone: str | None = Field(default=None, max_length=30, examples=["05585555678"])
    contact_email: str | None = Field(default=None, max_length=200, examples=["hr@example.cn"])
    description: str | None = Field(default=None, max_length=4000, examples=["新增中药材种植基地。"])


class EmployerReview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool = Field(description="true 认证通过，false 不予认证", examples=[True])
    note: str = Field(default="", max_length=300, examples=["营业执照与信用代码核对一致"])


class DuplicateOut(BaseModel):
    id: int = Field(examples=[12])
    name: str = Field(examples=["安徽亳药示范制药公司"])
    score: float = Field(examples=[95.2])


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[3])
    name: str = Field(examples=["安徽亳药示范制药有限公司"])
    credit_code: str = Field(examples=["91341600MA2N4L0Q2H"])
    industry_code: str = Field(examples=["2720"])
    industry_name: str = Field(default="", examples=["化学药品制剂制造"])
    ownership: str = Field(examples=["private"])
    ownership_name: str = Field(default="", examples=["民营企业"])
    division_code: str = Field(examples=["341622"])
    division_name: str = Field(default="", examples=["安徽省亳州市蒙城县"])
    address: str = Field(examples=["蒙城县经济开发区纬一路8号"])
    contact_name: str = Field(examples=["李经理"])
    contact_phone_masked: str | None = Field(default=None, examples=["139****1234"])
    contact_email: str | None = None
    description: str = ""
    org_unit_id: int = Field(examples=[4])
    status: EmployerStatus = Field(
        description="pending 待认证 / verified 已认证 / rejected 未通过", examples=["verified"]
    )
    review_note: str = Field(default="", examples=["营业执照与信用代码核对一致"])
    verified_at: datetime | None = None
    possible_duplicates: list[DuplicateOut] = Field(default_factory=list, description="名称相近的已登记单位")
    created_at: datetime
    updated_at: datetime


# ------------------------------------------------------------------------------------------------ positions


class InternshipDetails(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    duration_months: int = Field(ge=1, le=36, description="见习期限（月）", examples=[6])
    subsidy: MoneyIn | None = Field(default=None, description="见习补贴（元/月）", examples=["1800.00"])


class WorkStudyDetails(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    hours_per_week: int = Field(ge=1, le=40, description="每周工时", examples=[12])
    pay_basis: PayBasis = Field(description="hourly 按小时 / monthly 按月", examples=["hourly"])
    rate: MoneyIn = Field(description="报酬（元/小时或元/月）", examples=["22.00"])
    summer_special: bool = Field(default=False, description="暑期专项勤工俭学", examples=[True])


class GrassrootsDetails(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    program: str = Field(
        min_length=2,
        max_length=24,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="项目代码：tegang 特岗计划、sanzhi_yifu 三支一扶、xibu 西部计划、chengxiang_shequ 城乡社区、"
        "xiangcun_yisheng 乡村医生，或工会发布的其他项目",
        examples=["sanzhi_yifu"],
    )
    program_year: int = Field(ge=2000, le=2100, examples=[2024])
    service_years: int | None = Field(default=None, ge=1, le=10, description="服务年限", examples=[2])
    province_code: DivisionCode | None = Field(
        default=None, description="适用哪个省的规则；默认取岗位地点或单位所在省", examples=["340000"]
    )


class EntrepreneurshipDetails(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    fund_amount: MoneyIn | None = Field(default=None, description="扶持资金（元）", examples=["50000.00"])
    venue: str | None = Field(default=None, max_length=300, description="场地", examples=["亳州市大学生创业孵化基地"])
    mentor_kind: MentorKind | None = Field(
        default=None,
        description="导师类型：expert 创业专家、model_worker 劳动模范、craftsman 工匠",
        examples=["craftsman"],
    )
    mentor_name: str | None = Field(default=None, max_length=50, examples=["张师傅"])
    competition: str | None = Field(default=None, max_length=200, examples=["亳州市职工创新创业大赛"])


class PositionFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200, examples=["中药质量检验员"])
    description: str = Field(default="", max_length=8000, examples=["负责中药饮片质量检验，提供食宿。"])
    majors: list[str] = Field(default_factory=list, max_length=50, description="专业代码", examples=[["100801"]])
    major_classes: list[str] = Field(default_factory=list, max_length=50, description="专业类代码", examples=[["1008"]])
    disciplines: list[str] = Field(default_factory=list, max_length=20, description="门类/大类代码", examples=[[]])
    majors_text: str = Field(
        default="",
        max_length=500,
        description="用文字填写的专业要求（顿号、逗号分隔），自动识别为专业代码、专业类或门类",
        examples=["药学、中药学、计算机类"],
    )
    min_education: Education = Field(default=Education.SECONDARY, examples=["junior_college"])
    places: list[DivisionCode] = Field(default_factory=list, max_length=30, description="工作地点（行政区划代码）")
    remote: bool = Field(default=False, description="远程工作", examples=[False])
    pay_min: MoneyIn | None = Field(default=None, description="月薪下限（元）", examples=["3500.00"])
    pay_max: MoneyIn | None = Field(default=None, description="月薪上限（元）", examples=["5000.00"])
    headcount: int | None = Field(default=None, ge=1, le=100000, description="招聘人数，不填为不限", examples=[5])
    opens_on: date | None = Field(default=None, examples=["2024-05-20"])
    deadline: date | None = Field(default=None, examples=["2024-07-31"])
    hardship_priority: bool = Field(default=False, description="困难职工家庭毕业生优先", examples=[True])
    occupations: list[str] = Field(default_factory=list, max_length=20, description="职业分类代码", examples=[[]])


class PositionCreate(PositionFields):
    kind: PositionKind = Field(examples=["job"])
    employer_id: int | None = Field(default=None, description="企业账号可不填（默认本单位）", examples=[3])
    org_unit_id: int | None = Field(default=None, description="无用人单位的项目岗位所属工会单位", examples=[4])
    source: PositionSource | None = Field(
        default=None,
        description="来源：job_fair 招聘会、school_enterprise 校企对接、union_partner 工会合作单位、"
        "self_posted 企业自行发布",
        examples=["school_enterprise"],
    )
    publish: bool = Field(default=False, description="保存后立即发布", examples=[True])
    internship: InternshipDetails | None = None
    work_study: WorkStudyDetails | None = None
    grassroots: GrassrootsDetails | None = None
    entrepreneurship: EntrepreneurshipDetails | None = None


class PositionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=2, max_length=200, examples=["中药质量检验员（急招）"])
    description: str | None = Field(default=None, max_length=8000)
    majors: list[str] | None = Field(default=None, max_length=50)
    major_classes: list[str] | None = Field(default=None, max_length=50)
    disciplines: list[str] | None = Field(default=None, max_length=20)
    majors_text: str | None = Field(
        default=None,
        max_length=500,
        description="按新文字重新识别专业要求；未同时提交的专业代码、专业类、门类随之清空",
        examples=["中药学"],
    )
    min_education: Education | None = None
    places: list[DivisionCode] | None = Field(default=None, max_length=30)
    remote: bool | None = None
    pay_min: MoneyIn | None = None
    pay_max: MoneyIn | None = None
    headcount: int | None = Field(default=None, ge=1, le=100000, examples=[8])
    filled: int | None = Field(default=None, ge=0, description="已招人数（更正用）", examples=[2])
    opens_on: date | None = None
    deadline: date | None = Field(default=None, examples=["2024-08-31"])
    hardship_priority: bool | None = None
    occupations: list[str] | None = Field(default=None, max_length=20)
    source: PositionSource | None = None
    internship: InternshipDetails | None = None
    work_study: WorkStudyDetails | None = None
    grassroots: GrassrootsDetails | None = None
    entrepreneurship: EntrepreneurshipDetails | None = None


class RuleSummaryOut(BaseModel):
    id: int = Field(examples=[2])
    program_name: str = Field(examples=["三支一扶"])
    year: int = Field(examples=[2024])
    province_code: str = Field(examples=["340000"])
    version: int = Field(examples=[1])


class PositionOut(BaseModel):
    id: int = Field(examples=[15])
    kind: PositionKind = Field(examples=["job"])
    title: str = Field(examples=["中药质量检验员"])
    description: str = ""
    employer_id: int | None = Field(examples=[3])
    employer_name: str = Field(default="", examples=["安徽亳药示范制药有限公司"])
    employer_verified: bool = Field(examples=[True])
    org_unit_id: int = Field(examples=[4])
    majors: list[str] = Field(examples=[["100801"]])
    major_classes: list[str] = Field(examples=[["1008"]])
    disciplines: list[str] = Field(examples=[[]])
    majors_text: str = ""
    min_education: Education
    places: list[str] = Field(examples=[["341622"]])
    remote: bool
    pay_min: Decimal | None = Field(examples=["3500.00"])
    pay_max: Decimal | None = Field(examples=["5000.00"])
    headcount: int | None = Field(examples=[5])
    filled: int = Field(examples=[1])
    opens_on: date | None
    deadline: date | None
    hardship_priority: bool
    source: PositionSource
    status: PositionStatus = Field(description="draft 草稿 / open 招聘中 / closed 已关闭 / filled 已招满")
    closed_reason: str | None = Field(default=None, description="deadline 截止 / manual 手动关闭")
    occupations: list[str] = Field(default_factory=list)
    occupation_state: str = Field(
        default="", description="suggested 按岗位名称推断 / confirmed 发布方确认 / 空：未定", examples=["confirmed"]
    )
    occupation_confidence: float | None = Field(default=None, description="推断的置信度（0–1），确认后为空")
    internship: InternshipDetails | None = None
    work_study: WorkStudyDetails | None = None
    grassroots: GrassrootsDetails | None = None
    entrepreneurship: EntrepreneurshipDetails | None = None
    rule_set: RuleSummaryOut | None = None
    created_at: datetime
    updated_at: datetime


# --------------------------------------------------------------------------------------------- program rules


class RuleSetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    program: str = Field(min_length=2, max_length=24, pattern=r"^[a-z][a-z0-9_]*$", examples=["sanzhi_yifu"])
    program_name: str = Field(min_length=2, max_length=60, examples=["三支一扶"])
    year: int = Field(ge=2000, le=2100, examples=[2024])
    province_code: DivisionCode = Field(description="省级区划代码；000000 表示全国通用", examples=["340000"])
    education_levels: list[Education] = Field(default_factory=list, description="限定学历层次，空为不限")
    min_education: Education = Field(default=Education.SECONDARY, examples=["junior_college"])
    max_age: int | None = Field(default=None, ge=16, le=60, examples=[30])
    graduation_window_years: int | None = Field(
        default=None, ge=0, le=10, description="当年毕业生及此前几年的毕业生（2 表示毕业两年内）", examples=[2]
    )
    majors: list[str] = Field(default_factory=list, max_length=200, examples=[[]])
    major_classes: list[str] = Field(default_factory=list, max_length=100, examples=[["1002", "5201"]])
    disciplines: list[str] = Field(default_factory=list, max_length=40, examples=[[]])
    requires_local_hukou: bool = Field(default=False, description="要求本地户籍或生源", examples=[True])
    hukou_scope: str = Field(default="province", pattern=r"^(province|city)$", examples=["province"])
    required_flags: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="teacher_cert 教师资格证、doctor_license 执业（助理）医师资格证、nurse_license 护士执业资格证等",
        examples=[["teacher_cert"]],
    )
    notes: str = Field(default="", max_length=4000, examples=["以安徽省2024年三支一扶招募公告为准。"])
    source_notice: str = Field(default="", max_length=300, examples=["安徽省2024年高校毕业生“三支一扶”计划招募公告"])


class RuleSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[2])
    program: str = Field(examples=["sanzhi_yifu"])
    program_name: str = Field(examples=["三支一扶"])
    year: int = Field(examples=[2024])
    province_code: str = Field(examples=["340000"])
    version: int = Field(examples=[1])
    current: bool = Field(default=True, description="是否为该项目、年度、省份的现行版本")
    education_levels: list[str]
    min_education: str
    max_age: int | None
    graduation_window_years: int | None
    majors: list[str]
    major_classes: list[str]
    disciplines: list[str]
    requires_local_hukou: bool
    hukou_scope: str
    required_flags: list[str]
    notes: str
    source_notice: str
    created_at: datetime


# --------------------------------------------------------------------------------------------------- fairs


class JobFairCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200, examples=["2024年蒙城县“阳光就业”专场招聘会"])
    mode: FairMode = Field(description="online 线上 / on_site 线下", examples=["on_site"])
    starts_at: ZonedDatetime = Field(examples=["2024-06-15T09:00:00+08:00"])
    ends_at: ZonedDatetime | None = Field(default=None, examples=["2024-06-15T12:00:00+08:00"])
    division_code: DivisionCode | None = None
    venue: str = Field(default="", max_length=300, examples=["蒙城县人力资源市场一楼大厅"])
    url: str = Field(default="", max_length=300, examples=[""])
    organiser: str = Field(min_length=2, max_length=200, examples=["蒙城县总工会"])
    description: str = Field(default="", max_length=4000)
    org_unit_id: int | None = Field(default=None, description="主办工会单位；默认为本人所在单位", examples=[4])


class JobFairUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=2, max_length=200)
    mode: FairMode | None = None
    starts_at: ZonedDatetime | None = None
    ends_at: ZonedDatetime | None = None
    division_code: DivisionCode | None = None
    venue: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=300)
    organiser: str | None = Field(default=None, min_length=2, max_length=200)
    description: str | None = Field(default=None, max_length=4000)


class FairPositions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position_ids: list[int] = Field(min_length=1, max_length=500, examples=[[15, 16]])


class JobFairOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    title: str = Field(examples=["2024年蒙城县“阳光就业”专场招聘会"])
    mode: FairMode
    starts_at: datetime
    ends_at: datetime | None
    division_code: str | None
    venue: str
    url: str
    organiser: str
    description: str
    org_unit_id: int
    position_ids: list[int] = Field(default_factory=list)


class JobFairDetailOut(JobFairOut):
    positions: list[PositionOut] = Field(default_factory=list)


class CatalogVersionOut(BaseModel):
    version: int = Field(examples=[42])


def dump(model: BaseModel) -> dict[str, Any]:
    """The fields a client actually sent (PATCH semantics)."""
    return model.model_dump(exclude_unset=True)
