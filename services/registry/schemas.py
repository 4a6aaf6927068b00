"""Request and response bodies of the registry API. Enumerated fields take the code or the name of an option
(``GET /api/v1/enums/{key}``) and answer with the code; sensitive values answer masked."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# ------------------------------------------------------------------------------------------------ enums


class EnumOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str = Field(examples=["hardship_category"])
    title: str = Field(examples=["困难类别"])
    source: str = Field(examples=["附件3/附件4 *困难类别"])


class EnumItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["1"])
    name: str = Field(examples=["深度困难"])
    parent_code: str | None = Field(default=None, examples=[None])
    flags: str = Field(default="", examples=[""])
    active: bool = True


class EnumItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["因灾致困"])
    flags: str = Field(default="", max_length=100, examples=[""])
    active: bool = True


# ------------------------------------------------------------------------------------------------ families


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["低保证复印件"])
    type: str = Field(default="", max_length=40, examples=["证明材料"])
    note: str = Field(default="", max_length=200, examples=[""])


class MemberFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=50, examples=["李小明"], description="*姓名")
    relation: str | None = Field(default=None, examples=["子"], description="*关系（是户主的）")
    ethnicity: str | None = Field(default=None, examples=["汉族"], description="*民族")
    id_number: str | None = Field(default=None, examples=["341622200501011234"], description="*身份证号")
    political_status: str | None = Field(default=None, examples=["共青团员"])
    monthly_income: Decimal | None = Field(default=None, examples=["0.00"], description="*月收入（元）")
    model_worker_type: str | None = Field(default=None, examples=["非劳模"], description="*劳模类型")
    health_status: str | None = Field(default=None, examples=["健康"], description="*健康状况")
    disability: str | None = Field(default=None, examples=[None], description="疾病/残疾类别")
    medical_insurance: str | None = Field(default=None, examples=["城乡居民基本医疗保险"], description="*医保状况")
    marital_status: str | None = Field(default=None, examples=["未婚"], description="*婚姻状况")
    household_type: str | None = Field(default=None, examples=["城镇户口"], description="*户口类型")
    phone: str | None = Field(default=None, examples=["13905671234"])
    other_contact: str | None = Field(default=None, max_length=100, examples=[None])
    identity: str | None = Field(default=None, examples=["学生"], description="*人员身份")
    education: str | None = Field(default=None, examples=["大学本科"], description="当前学历")
    enrolment_year: int | None = Field(default=None, examples=[2021], description="入学年份")
    study_years: int | None = Field(default=None, examples=[4], description="年制")
    school_or_employer: str | None = Field(default=None, max_length=200, examples=["安徽大学"])
    employer_nature: str | None = Field(default=None, examples=[None])
    enterprise_status: str | None = Field(default=None, examples=[None])
    industry_code: str | None = Field(default=None, examples=[None])
    work_status: str | None = Field(default=None, examples=["在校学生"])
    contract_signed_on: date | None = Field(default=None, examples=[None], description="劳动合同签订/入伍时间")
    contract_term: str | None = Field(default=None, max_length=40, examples=[None])
    remarks: str | None = Field(default=None, max_length=1000, examples=[None])


class MemberCreate(MemberFields):
    """A family member; fields marked * in 附件3/4 are required."""


class MemberUpdate(MemberFields):
    """Only the fields sent are changed."""


class FamilyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    archive_no: str | None = Field(default=None, max_length=40, examples=["MC2023-0001"], description="*职工编号")
    hardship_category: str | None = Field(default=None, examples=["深度困难"], description="*困难类别")
    archive_type: str | None = Field(default=None, examples=["城镇困难职工"], description="*档案类型")
    archive_standard: str | None = Field(default=None, examples=["01"], description="*建档标准")
    name: str | None = Field(default=None, max_length=50, examples=["李建国"], description="*姓名")
    ethnicity: str | None = Field(default=None, examples=["汉族"], description="*民族")
    political_status: str | None = Field(default=None, examples=["群众"], description="*政治面貌")
    id_number: str | None = Field(default=None, examples=["341622197803151236"], description="*身份证号")
    health_status: str | None = Field(default=None, examples=["慢性病"], description="*健康状况")
    disability: str | None = Field(default=None, examples=["慢性病"], description="疾病/残疾类别")
    work_status: str | None = Field(default=None, examples=["在岗"], description="*工作状态（附件3）")
    work_start_date: date | None = Field(default=None, examples=["2001-03-01"], description="*工作时间（附件3）")
    contract_signed_on: date | None = Field(default=None, examples=[None], description="*劳动合同签订时间（附件4）")
    contract_term: str | None = Field(default=None, max_length=40, examples=[None], description="*合同期限（附件4）")
    housing_type: str | None = Field(default=None, examples=["自有住房"], description="*住房类型")
    floor_area: Decimal | None = Field(default=None, examples=["62.50"], description="建筑面积（平方米）")
    phone: str | None = Field(default=None, examples=["13905671234"], description="手机号码")
    other_contact: str | None = Field(default=None, max_length=100, examples=[None])
    model_worker_type: str | None = Field(default=None, examples=["非劳模"], description="*劳模类型")
    marital_status: str | None = Field(default=None, examples=["已婚"], description="*婚姻状况")
    single_parent: bool | None = Field(default=None, examples=[False], description="是否单亲")
    medical_insurance: str | None = Field(default=None, examples=["城镇职工基本医疗保险"], description="*医保状况")
    address: str | None = Field(
        default=None, max_length=200, examples=["蒙城县城关街道健康路12号"], description="*家庭住址"
    )
    postal_code: str | None = Field(default=None, examples=["233500"])
    employer_name: str | None = Field(default=None, max_length=200, examples=["蒙城县某纺织有限公司"])
    employer_nature: str | None = Field(default=None, examples=["私营企业"])
    enterprise_status: str | None = Field(default=None, examples=["经营困难"])
    industry_code: str | None = Field(default=None, examples=["17"], description="*所属行业（GB/T 4754 代码或名称）")
    monthly_income: Decimal | None = Field(default=None, examples=["2100.00"], description="*本人月平均收入（元）")
    other_annual_income: Decimal | None = Field(
        default=None, examples=["1200.00"], description="*家庭其他非薪资年收入（元）"
    )
    household_division_code: str | None = Field(default=None, examples=["341622"], description="*户口所在地行政区划")
    household_type: str | None = Field(default=None, examples=["城镇户口"], description="*户口类型")
    self_help_ability: bool | None = Field(default=None, examples=[True])
    primary_cause: str | None = Field(default=None, examples=["子女上学"], description="*主要致困原因")
    necessary_expense: Decimal | None = Field(default=None, examples=["8000.00"], description="年度必要支出（元）")
    cause_note: str | None = Field(default=None, max_length=500, examples=[None], description="其他(文字描述)")
    secondary_causes: list[str] | None = Field(
        default=None, examples=[["家属患大病"]], description="次要致困原因（0-3项）"
    )
    bank_name: str | None = Field(default=None, max_length=100, examples=["中国农业银行"])
    bank_branch: str | None = Field(default=None, max_length=100, examples=["蒙城支行"])
    bank_card: str | None = Field(default=None, examples=["6228480402564890018"])
    remarks: str | None = Field(default=None, max_length=1000, examples=[None])
    filed_by: str | None = Field(default=None, max_length=50, examples=["王芳"], description="*建档人")
    reviewed_by: str | None = Field(default=None, max_length=50, examples=["刘科长"], description="*审核人")


class FamilyCreate(FamilyFields):
    """A new archive (附件3 or 附件4) with its members; derived figures are computed, never sent."""

    org_unit_id: int | None = Field(default=None, examples=[13], description="所属工会单位，默认本人单位")
    members: list[MemberCreate] = Field(default_factory=list, max_length=30)
    attachments: list[Attachment] = Field(default_factory=list, max_length=30)


class FamilyUpdate(FamilyFields):
    """Only the fields sent are changed."""

    org_unit_id: int | None = Field(default=None, examples=[13])
    attachments: list[Attachment] | None = Field(default=None, max_length=30)


class FamilyClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=200, examples=["家庭收入已稳定高于建档标准，脱困解档"])
    closed_on: date = Field(examples=["2023-12-31"])


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    family_id: int
    name: str = Field(examples=["李小明"])
    relation: str = Field(examples=["20"])
    ethnicity: str = Field(examples=["01"])
    id_number_masked: str = Field(examples=["341***********1234"])
    sex: str = Field(examples=["男"])
    birth_date: date
    age: int = Field(examples=[18])
    political_status: str | None
    monthly_income_masked: str = Field(examples=["****"])
    model_worker_type: str
    health_status_masked: str = Field(examples=["****"])
    disability_masked: str | None
    medical_insurance: str
    marital_status: str
    household_type: str
    phone_masked: str | None = Field(examples=["139****1234"])
    other_contact: str | None
    identity: str
    education: str | None
    enrolment_year: int | None
    study_years: int | None
    school_or_employer: str | None
    employer_nature: str | None
    enterprise_status: str | None
    industry_code: str | None
    work_status: str | None
    contract_signed_on: date | None
    contract_term: str | None
    remarks: str | None


class FamilySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    status: str = Field(examples=["active"])
    archive_no: str = Field(examples=["MC2023-0001"])
    archive_type: str = Field(examples=["1"])
    hardship_category: str = Field(examples=["1"])
    name: str = Field(examples=["李建国"])
    id_number_masked: str = Field(examples=["341***********1236"])
    family_size: int = Field(examples=[3])
    zero_employment: bool
    primary_cause: str = Field(examples=["05"])
    updated_at: datetime


class FamilyOut(FamilySummary):
    closed_on: date | None
    closed_reason: str | None
    archive_standard: str
    ethnicity: str
    sex: str
    birth_date: date
    age: int
    political_status: str
    health_status_masked: str
    disability_masked: str | None
    work_status: str | None
    work_start_date: date | None
    contract_signed_on: date | None
    contract_term: str | None
    housing_type: str
    floor_area: Decimal | None
    phone_masked: str | None
    other_contact: str | None
    model_worker_type: str
    marital_status: str
    single_parent: bool | None
    medical_insurance: str
    address_masked: str
    postal_code: str | None
    employer_name: str | None
    employer_nature: str | None
    enterprise_status: str | None
    industry_code: str
    monthly_income_masked: str
    other_annual_income_masked: str
    annual_income_masked: str = Field(description="家庭年度总收入（自动算出，脱敏）")
    per_capita_income_masked: str = Field(description="家庭月人均收入（自动算出，脱敏）")
    household_division_code: str
    household_type: str
    self_help_ability: bool | None
    secondary_causes: list[str]
    necessary_expense_masked: str | None
    cause_note_masked: str | None
    bank_name: str | None
    bank_branch: str | None
    bank_card_masked: str | None
    attachments: list[dict[str, Any]]
    remarks: str | None
    filed_by: str
    reviewed_by: str
    entered_by_id: int | None
    created_at: datetime
    members: list[MemberOut] = Field(default_factory=list)


class FamilyCounts(BaseModel):
    total: int = Field(examples=[120])
    active: int = Field(examples=[110])
    zero_employment: int = Field(examples=[8])
    by_hardship_category: dict[str, int] = Field(examples=[{"1": 40, "2": 70, "3": 10}])
    by_org_unit: dict[str, int] = Field(examples=[{"13": 60, "14": 60}])


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_role: str | None
    entity_type: str = Field(examples=["family"])
    entity_id: int
    action: str = Field(examples=["update"])
    source: str = Field(examples=["api"])
    changes: dict[str, Any] = Field(examples=[{"phone": ["139****1234", "138****5678"], "housing_type": ["1", "2"]}])


# ------------------------------------------------------------------------------------------------ consent


class CoveredPersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50, examples=["李建国"])
    relation: str = Field(min_length=1, max_length=20, examples=["本人"])
    id_number: str = Field(examples=["341622197803151236"])


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=2, max_length=100, examples=["金秋助学"], description="本家庭已提出申请享受 ___")
    signed_on: date = Field(examples=["2023-07-10"])
    handler_name: str = Field(min_length=1, max_length=50, examples=["王芳"], description="经办人")
    grassroots_union: str | None = Field(default=None, max_length=200, examples=["蒙城县城关街道工会"])
    phone: str | None = Field(default=None, examples=["13905671234"], description="联系电话")
    members: list[CoveredPersonIn] = Field(min_length=1, max_length=20, description="查询所涉及的家庭成员")


class ConsentRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=200, examples=["户主书面申请撤回授权"])


class CoveredPersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    relation: str
    id_number_masked: str


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    family_id: int
    purpose: str
    signed_on: date
    handler_name: str
    grassroots_union: str | None
    phone_masked: str | None
    recorded_by_id: int | None
    revoked_at: datetime | None
    revoke_reason: str | None
    in_force: bool
    members: list[CoveredPersonOut]


class CheckCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked_on: date = Field(examples=["2023-07-20"])
    agency: str = Field(min_length=2, max_length=100, examples=["蒙城县民政局居民家庭经济状况核对中心"])
    items: list[str] = Field(default_factory=list, max_length=10, examples=[["社保缴纳金", "机动车辆", "房屋", "存款"]])
    result: str = Field(min_length=1, max_length=2000, examples=["未发现登记车辆和商品房，存款低于标准"])


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    family_id: int
    consent_id: int
    checked_on: date
    agency: str
    items: list[str]
    result_masked: str
    recorded_by_id: int | None


# ------------------------------------------------------------------------------------------------ graduates


class GraduatePlanFields(BaseModel):
    """What a counselor may change: employment status, intentions and preferences."""

    model_config = ConfigDict(extra="forbid")

    employment_status: str | None = Field(default=None, examples=["seeking"])
    intentions: list[str] | None = Field(default=None, examples=[["job", "grassroots"]], description="就业意愿")
    preferred_places: list[str] | None = Field(default=None, examples=[["341622", "340100"]], description="意向地区")
    expected_pay_min: Decimal | None = Field(default=None, examples=["3500.00"])
    expected_pay_max: Decimal | None = Field(default=None, examples=["5000.00"])
    skills: list[str] | None = Field(default=None, examples=[["Python", "驾驶证C1"]])
    assistance_needs: str | None = Field(default=None, max_length=1000, examples=["希望获得面试辅导"])


class GraduateSelfUpdate(BaseModel):
    """What a graduate may change in the own profile."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, examples=["13905671234"])
    email: str | None = Field(default=None, max_length=200, examples=["chen@example.com"])
    intentions: list[str] | None = Field(default=None, examples=[["job", "internship"]])
    preferred_places: list[str] | None = Field(default=None, examples=[["341622"]])
    expected_pay_min: Decimal | None = Field(default=None, examples=["3000.00"])
    expected_pay_max: Decimal | None = Field(default=None, examples=["4500.00"])
    skills: list[str] | None = Field(default=None, examples=[["Excel", "普通话二甲"]])
    assistance_needs: str | None = Field(default=None, max_length=1000, examples=["需要求职补贴政策咨询"])
    enterprise_visible: bool | None = Field(default=None, examples=[True], description="同意企业查看我的简历")


class GraduateFields(GraduatePlanFields):
    name: str | None = Field(default=None, max_length=50, examples=["陈晓"])
    id_number: str | None = Field(default=None, examples=["341622200203041235"])
    ethnicity: str | None = Field(default=None, examples=["汉族"])
    phone: str | None = Field(default=None, examples=["13905671234"])
    email: str | None = Field(default=None, max_length=200, examples=["chen@example.com"])
    service_category: str | None = Field(default=None, examples=["5"], description="服务对象类别（通知 二、(一)–(六)）")
    stage: str | None = Field(default=None, examples=["毕业生"], description="在校生 / 毕业生")
    family_head_id_number: str | None = Field(default=None, examples=["341622197803151236"], description="户主身份证号")
    school_kind: str | None = Field(default=None, examples=["普通本科高校"])
    school_name: str | None = Field(default=None, max_length=200, examples=["安徽大学"])
    enrolled_on: date | None = Field(default=None, examples=["2019-09-01"])
    study_years: int | None = Field(default=None, examples=[4])
    major: str | None = Field(default=None, max_length=100, examples=["软件工程"], description="专业（代码或名称）")
    education: str | None = Field(default=None, examples=["大学本科"])
    cohort: int | None = Field(default=None, examples=[2023], description="毕业届别")
    home_division_code: str | None = Field(default=None, examples=["341622"], description="生源地")
    enterprise_visible: bool | None = Field(default=None, examples=[False])
    remarks: str | None = Field(default=None, max_length=1000, examples=[None])


class GraduateCreate(GraduateFields):
    org_unit_id: int | None = Field(default=None, examples=[13])


class GraduateUpdate(GraduateFields):
    org_unit_id: int | None = Field(default=None, examples=[13])


class AccountLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int | None = Field(examples=[42], description="毕业生本人账号；null 取消关联")


class GraduateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    user_id: int | None
    family_id: int | None
    member_id: int | None
    stage: str = Field(examples=["graduate"])
    service_category: str = Field(examples=["5"])
    name: str = Field(examples=["陈晓"])
    id_number_masked: str = Field(examples=["341***********1235"])
    sex: str
    birth_date: date
    age: int
    ethnicity: str | None
    phone_masked: str | None
    email: str | None
    home_division_code: str | None
    school_kind: str
    school_name: str
    enrolled_on: date | None
    study_years: int | None
    major_raw: str | None = Field(examples=["软件工程"])
    major_code: str | None = Field(examples=["080902"])
    major_name: str | None = Field(examples=["软件工程"])
    education: str
    cohort: int | None
    employment_status: str
    intentions: list[str]
    preferred_places: list[str]
    expected_pay_min: Decimal | None
    expected_pay_max: Decimal | None
    skills: list[str]
    assistance_needs: str | None
    enterprise_visible: bool
    remarks: str | None
    updated_at: datetime


class OwnFamilyOut(BaseModel):
    """The graduate's own family, read-only and masked."""

    archive_type: str
    hardship_category: str
    status: str
    head_name: str
    head_id_number_masked: str
    family_size: int
    members: list[dict[str, str]] = Field(
        examples=[[{"name": "李小明", "relation": "20", "id_number_masked": "341***1234"}]]
    )


# ------------------------------------------------------------------------------------------------ import


class ImportError_(BaseModel):
    sheet: str = Field(examples=["档案"])
    row: int = Field(examples=[7])
    column: str = Field(examples=["*身份证号"])
    cell: str = Field(default="", examples=["I7"])
    code: str = Field(examples=["checksum"])
    reason: str = Field(examples=["身份证号校验位错误，请核对"])
    value: str = Field(default="", examples=["341***********1237"])


class SuggestedOption(BaseModel):
    code: str = Field(examples=["2"])
    name: str = Field(examples=["农村户口"])


class UnmappedWording(BaseModel):
    sheet: str = Field(examples=["档案"])
    field: str = Field(examples=["household_type"])
    enumeration: str = Field(examples=["household_type"])
    title: str = Field(examples=["户口类型"])
    wording: str = Field(examples=["农业户"])
    rows: int = Field(examples=[123])
    ambiguous: bool = Field(description="同一写法可对应多个选项（如“患病”），须由经办人选择")
    suggestions: list[SuggestedOption]


class ImportJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    kind: str = Field(examples=["families"])
    filename: str
    file_format: str
    size_bytes: int
    dry_run: bool
    good_rows_only: bool
    status: str = Field(examples=["succeeded"])
    rows_total: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    error_count: int
    errors: list[ImportError_]
    message: str | None
    source_job_id: int | None
    existing: str = Field(default="update", examples=["update"], description="已登记人员：update 更新 / skip 跳过")
    attempts: int = Field(default=0, description="已开始运行的次数（后台进程中断后重投会再计一次）")
    unmapped: list[UnmappedWording] = Field(
        default_factory=list, description="未能识别的选项写法：每列每种写法一次，附行数和建议选项"
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    good_rows_only: bool = Field(default=False, description="只导入无误的行（默认全部无误才导入）")
