from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Money = Decimal
Kind = Literal["new_enrolment", "in_school"]
Stage = Literal["preschool", "compulsory", "high_school", "secondary_vocational", "college", "special_education"]
Fund = Literal["province", "city", "county", "donation"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StandardIn(Request):
    name: str = Field(min_length=2, max_length=200, examples=["某爱心企业金秋助学金"])
    fund_source: Fund = Field(examples=["donation"])
    archived_family: bool = Field(examples=[True], description="是否面向建档困难职工家庭")
    stages: list[Stage] = Field(min_length=1, examples=[["college"]])
    kinds: list[Kind] = Field(min_length=1, examples=[["new_enrolment", "in_school"]])
    basis: Literal["fixed_cap", "tuition_invoice", "designated"] = Field(examples=["designated"])
    cap: Money = Field(gt=0, max_digits=12, decimal_places=2, examples=["1000.00"])
    max_awards_per_year: int = Field(default=1, ge=1, le=12, examples=[1])
    new_enrolment_first: bool = Field(default=False, examples=[False])
    donor: str | None = Field(default=None, max_length=200, examples=["亳州某药业有限公司"])
    legal_basis: str = Field(default="", max_length=400, examples=["按捐赠方意愿确定资助对象和标准"])


class StandardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int = Field(examples=[2023])
    code: str = Field(examples=["nonarchived_college"])
    name: str = Field(examples=["未建档困难职工家庭高校在读学生（同等条件优先新入学）"])
    fund_source: str = Field(examples=["province"])
    archived_family: bool
    stages: list[str]
    kinds: list[str]
    basis: str = Field(examples=["fixed_cap"])
    cap: Money = Field(examples=["2000.00"])
    max_awards_per_year: int
    new_enrolment_first: bool
    donor: str | None
    legal_basis: str
    active: bool


class CampaignIn(Request):
    name: str = Field(min_length=2, max_length=100, examples=["2024年金秋助学活动和阳光就业暖心行动"])
    archives_due: date = Field(examples=["2024-07-14"])
    paper_files_due: date = Field(examples=["2024-08-20"])
    stage_report_due: date = Field(examples=["2024-08-29"])
    final_report_due: date = Field(examples=["2024-11-28"])
    notice_working_days: int = Field(default=5, ge=1, le=30, examples=[5])
    warn_days_before: int = Field(default=7, ge=0, le=60, examples=[7])


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    name: str
    archives_due: date
    paper_files_due: date
    stage_report_due: date
    final_report_due: date
    notice_working_days: int
    warn_days_before: int


class BudgetIn(Request):
    county_org_id: int = Field(examples=[4])
    year: int = Field(ge=2000, le=2100, examples=[2023])
    fund_source: Fund = Field(examples=["province"])
    amount: Money = Field(ge=0, max_digits=12, decimal_places=2, examples=["200000.00"])
    note: str | None = Field(default=None, max_length=200, examples=["省总第一批金秋助学资金"])


class BudgetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    county_org_id: int
    year: int
    fund_source: str
    amount: Money = Field(examples=["200000.00"])
    committed: Money = Field(examples=["36000.00"])
    paid: Money = Field(examples=["30000.00"])
    note: str | None


class BudgetTotalOut(BaseModel):
    county_org_id: int
    county_name: str = Field(examples=["蒙城县总工会"])
    fund_source: str = Field(examples=["province"])
    budget: Money
    committed: Money
    paid: Money
    remaining: Money


class MemberIn(Request):
    relation: str = Field(min_length=1, max_length=20, examples=["父亲"])
    name: str = Field(min_length=1, max_length=50, examples=["张建国"])
    employer: str | None = Field(default=None, max_length=200, examples=["蒙城县某纺织厂"])
    phone: str | None = Field(default=None, max_length=30, examples=["13905671234"])


class ApplicationIn(Request):
    """附件1（kind=new_enrolment）或附件2（kind=in_school）的内容。"""

    kind: Kind = Field(examples=["new_enrolment"])
    year: int = Field(ge=2000, le=2100, examples=[2023])
    student_id: int = Field(description="实名制档案中的学生编号", examples=[12])
    standard_code: str = Field(max_length=40, examples=["archived_new_enrolment"])
    education_stage: Stage = Field(examples=["college"])
    student_name: str = Field(min_length=1, max_length=50, examples=["张小明"])
    student_id_number: str = Field(max_length=30, examples=["341622200503010012"])
    home_address: str = Field(min_length=2, max_length=300, examples=["蒙城县城关街道漆园路18号"])
    school_name: str = Field(min_length=2, max_length=200, examples=["安徽大学"])
    enrolment_date: date = Field(examples=["2023-09-01"])
    length_of_study: int = Field(ge=1, le=9, examples=[4])
    major: str | None = Field(default=None, max_length=200, examples=["软件工程"])
    school_kind: str | None = Field(default=None, max_length=40, examples=["普通本科高校"])
    worker_name: str | None = Field(default=None, max_length=50, examples=["张建国"])
    worker_employer: str | None = Field(default=None, max_length=200, examples=["蒙城县某纺织厂"])
    worker_id_number: str | None = Field(default=None, max_length=30, examples=["341622197806060011"])
    sex: Literal["男", "女"] | None = Field(default=None, examples=["男"])
    ethnicity: str | None = Field(default=None, max_length=20, examples=["汉族"])
    birth_date: date | None = Field(default=None, examples=["2005-03-01"])
    reason: str = Field(min_length=2, max_length=2000, examples=["父亲患病，家庭收入低，无力承担学费"])
    hardship_reason: str = Field(
        min_length=2, max_length=100, description="公示中显示的困难原因", examples=["因病致困"]
    )
    tuition_invoice_amount: Money | None = Field(
        default=None, ge=0, max_digits=12, decimal_places=2, examples=["1800.00"]
    )
    requested_amount: Money | None = Field(default=None, gt=0, max_digits=12, decimal_places=2, examples=["2000.00"])
    payee_name: str | None = Field(default=None, max_length=50, examples=["张建国"])
    payee_bank: str | None = Field(default=None, max_length=100, examples=["中国建设银行蒙城支行"])
    payee_card: str | None = Field(default=None, max_length=30, description="默认取档案中的银行卡", examples=[None])
    members: list[MemberIn] = Field(default_factory=list, max_length=10)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    relation: str
    name: str
    employer: str | None
    phone_masked: str | None


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(examples=["new_enrolment"])
    year: int
    status: str = Field(examples=["submitted"])
    org_unit_id: int
    county_org_id: int
    standard_id: int
    student_id: int
    family_id: int | None
    family_archived: bool
    education_stage: str
    worker_name: str | None
    worker_employer: str | None
    worker_id_masked: str | None
    student_name: str
    student_id_masked: str = Field(examples=["341*******0012"])
    sex: str | None
    ethnicity: str | None
    birth_date: date | None
    address_masked: str
    school_kind: str | None
    school_name: str
    enrolment_date: date
    length_of_study: int
    major: str | None
    hardship_reason: str
    tuition_invoice_amount: Money | None
    requested_amount: Money | None
    payee_name: str
    payee_bank: str
    payee_card_masked: str
    return_reason: str | None
    refusal_reason: str | None
    submitted_at: datetime
    members: list[MemberOut]


class ChecklistItemOut(BaseModel):
    kind: str = Field(examples=["admission_notice"])
    name: str = Field(examples=["录取通知书复印件（一式两份）"])
    uploaded: int
    checked: bool


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    checked_at: datetime | None
    check_note: str | None


class CheckIn(Request):
    note: str | None = Field(default=None, max_length=200, examples=["与原件核对一致"])


class ReviewIn(Request):
    stage: Literal["grassroots", "centre"] = Field(examples=["grassroots"])
    decision: Literal["approve", "return", "refuse"] = Field(examples=["approve"])
    opinion: str = Field(min_length=2, max_length=500, examples=["经走访核实，情况属实，同意上报"])
    amount: Money | None = Field(
        default=None, gt=0, max_digits=12, decimal_places=2, description="帮扶中心批准金额", examples=["2000.00"]
    )


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stage: str
    decision: str
    opinion: str
    amount: Money | None
    reviewer_id: int
    at: datetime


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_id: int
    standard_id: int
    student_id: int
    org_unit_id: int
    county_org_id: int
    year: int
    fund_source: str
    amount: Money = Field(examples=["2000.00"])
    cap: Money = Field(examples=["2000.00"])
    status: str = Field(examples=["noticed"])
    revoked_reason: str | None
    paid_at: datetime | None


class ReasonIn(Request):
    reason: str = Field(min_length=2, max_length=500, examples=["经复核，家庭收入超过标准"])


class NoticeIn(Request):
    org_unit_id: int = Field(examples=[4])
    award_ids: list[int] = Field(min_length=1, max_length=500, examples=[[1, 2, 3]])
    supervision_phone: str = Field(max_length=30, examples=["0558-3032682"])
    starts_on: date | None = Field(default=None, description="默认今天", examples=["2023-09-25"])
    working_days: int | None = Field(default=None, ge=1, le=60, description="不少于年度设定（默认5个工作日）")
    unit_name: str | None = Field(default=None, max_length=200, examples=["蒙城县总工会"])


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    year: int
    unit_name: str
    supervision_phone: str
    starts_on: date
    ends_on: date
    working_days: int
    status: str
    taken_down_at: datetime | None


class ObjectionIn(Request):
    award_id: int = Field(examples=[3])
    content: str = Field(min_length=2, max_length=1000, examples=["群众来电反映该户家中有经营性门面房"])


class ResolveIn(Request):
    upheld: bool = Field(examples=[False], description="异议是否成立（成立则撤销资助）")
    resolution: str = Field(min_length=2, max_length=1000, examples=["经入户核查，门面房已于2022年转让，异议不成立"])


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    notice_id: int
    award_id: int
    content: str
    lodged_on: date
    status: str
    resolution: str | None
    resolved_at: datetime | None


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    award_id: int | None = Field(description="资助编号（助学金付款）")
    claim_id: int | None = Field(description="补贴申领编号（就业补贴付款）")
    batch_id: int | None
    reference: str = Field(examples=["JQ20231016093000A1B2C3D4"])
    amount: Money
    payee_name: str
    payee_bank: str
    payee_card_masked: str
    status: str = Field(examples=["sent"])
    attempts: int
    bank_message: str | None
    settled_at: datetime | None


class PaymentIn(Request):
    idempotency_key: str = Field(min_length=8, max_length=100, examples=["9f1c2d7e-付款-2023-0001"])


class PaymentCreated(BaseModel):
    payment_id: int
    award_id: int | None = None
    claim_id: int | None = None
    reference: str
    amount: str = Field(examples=["2000.00"])
    status: str = Field(examples=["pending"])
    payee_name: str
    payee_card_masked: str


class BatchIn(Request):
    county_org_id: int = Field(examples=[4])
    year: int = Field(ge=2000, le=2100, examples=[2023])


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    county_org_id: int
    year: int
    status: str
    reference: str
    total: Money
    count: int
    exported_at: datetime | None


class ImportOut(BaseModel):
    succeeded: int
    failed: int
    unknown: int


class DeadlineOut(BaseModel):
    code: str = Field(examples=["paper_files"])
    title: str = Field(examples=["报送纸质申报材料至职工服务中心"])
    due_on: date = Field(examples=["2023-08-20"])


class WorkStudyIn(Request):
    student_id: int = Field(examples=[12])
    year: int = Field(ge=2000, le=2100, examples=[2023])
    post_title: str = Field(min_length=2, max_length=200, examples=["职工书屋图书管理助理"])
    employer_name: str = Field(min_length=2, max_length=200, examples=["蒙城县总工会职工服务中心"])
    summer_special: bool = Field(default=False, examples=[True])
    starts_on: date = Field(examples=["2023-07-10"])
    ends_on: date = Field(examples=["2023-08-20"])
    subsidy_amount: Money = Field(ge=0, max_digits=12, decimal_places=2, examples=["1200.00"])
    fund_source: Fund = Field(examples=["city"])


class WorkStudyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    student_id: int
    org_unit_id: int
    year: int
    post_title: str
    employer_name: str
    summer_special: bool
    starts_on: date
    ends_on: date
    subsidy_amount: Money
    fund_source: str
