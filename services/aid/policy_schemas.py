"""Request and response shapes of the employment policies, claims, fund budgets and national aid routes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.aid.schemas import Request

PolicyKindIn = Literal[
    "job_seeking",
    "internship",
    "tuition_compensation",
    "loan_repayment",
    "skills_training",
    "job_referral",
    "summer_special",
    "other",
]
FundIn = Literal["central_support", "province_employment", "government_employment", "city_support"]
EmployerKindIn = Literal["grassroots_unit", "grassroots_program", "sme", "enterprise", "public", "self_employed"]
NationalKindIn = Literal["scholarship", "grant", "loan", "work_study", "reduction", "waiver"]


class PolicyRulesIn(Request):
    stages: list[Literal["graduate", "student"]] = Field(default_factory=list, examples=[["graduate"]])
    hardship_only: bool = Field(default=True, description="限建档在册困难职工家庭")
    graduation_min: int | None = Field(default=None, ge=2000, le=2100, examples=[2021])
    graduation_max: int | None = Field(default=None, ge=2000, le=2100, examples=[2023])
    min_education: str | None = Field(default=None, max_length=4, examples=["31"], description="最低学历代码")
    max_age: int | None = Field(default=None, ge=16, le=70)
    employment_statuses: list[str] = Field(default_factory=list, examples=[["grassroots", "employed"]])
    employer_kinds: list[EmployerKindIn] = Field(default_factory=list, examples=[["grassroots_unit"]])
    employer_places: list[str] = Field(default_factory=list, examples=[["340000"]])
    employer_place_cut: Literal[2, 4, 6] = Field(default=4, description="就业地点比较位数：2 省、4 市、6 县区")


class PolicyVersionIn(Request):
    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9_]+$", examples=["grassroots_tuition"])
    name: str = Field(min_length=2, max_length=100, examples=["基层就业学费补偿"])
    kind: PolicyKindIn = Field(examples=["tuition_compensation"])
    valid_from: date = Field(examples=["2023-01-01"])
    fund: FundIn = Field(examples=["government_employment"])
    basis: Literal["fixed", "cap"] = Field(examples=["cap"])
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, examples=["8000.00"])
    rules: PolicyRulesIn
    proofs: list[str] = Field(default_factory=list, max_length=20, examples=[["就业协议或劳动合同", "学费缴费凭证"]])
    legal_basis: str = Field(default="", max_length=400)


class RuleCheckOut(BaseModel):
    code: str
    passed: bool
    text: str = Field(examples=["毕业年份符合：限2021–2023届"])


class PolicyVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    policy_id: int
    version: int
    status: str = Field(examples=["active"])
    valid_from: date
    valid_to: date | None
    fund: str
    basis: str
    amount: Decimal
    rules: dict[str, object]
    proofs: list[str]
    legal_basis: str


class PolicyOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    fund_name: str
    current: PolicyVersionOut
    versions: list[PolicyVersionOut]


class EntitlementOut(BaseModel):
    policy_id: int
    policy_name: str
    version: int
    fund_name: str
    amount: Decimal
    basis: str
    proofs: list[str]
    eligible: bool
    checks: list[RuleCheckOut]
    claim_id: int | None
    claim_status: str | None


class ClaimIn(Request):
    student_id: int = Field(examples=[12])
    policy_id: int = Field(examples=[3])
    year: int = Field(ge=2000, le=2100, examples=[2023])
    requested_amount: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)
    employer_name: str | None = Field(default=None, max_length=200, examples=["蒙城县篆刻镇人民政府"])
    employer_kind: EmployerKindIn | None = Field(default=None, examples=["grassroots_unit"])
    employer_place: str | None = Field(default=None, pattern=r"^\d{6}$", examples=["341622"])
    proofs: list[str] = Field(default_factory=list, max_length=20)
    payee_name: str | None = Field(default=None, max_length=50)
    payee_bank: str | None = Field(default=None, max_length=100)
    payee_card: str | None = Field(default=None, max_length=30, description="不填则用档案中的家庭银行卡")


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    policy_id: int
    version_id: int
    student_id: int
    org_unit_id: int
    county_org_id: int
    year: int
    fund: str
    status: str = Field(examples=["granted"])
    requested_amount: Decimal
    amount: Decimal | None
    employer_name: str | None
    employer_kind: str | None
    employer_place: str | None
    proofs: list[str]
    checks: list[RuleCheckOut]
    payee_name: str
    payee_bank: str
    payee_card_masked: str
    applied_at: datetime
    decided_at: datetime | None
    refusal_reason: str | None
    paid_at: datetime | None


class GrantIn(Request):
    amount: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)


class RefuseIn(Request):
    reason: str = Field(min_length=2, max_length=500, examples=["未提供基层单位就业证明"])


class ClaimPaymentIn(Request):
    idempotency_key: str = Field(min_length=8, max_length=100)


class FundBudgetIn(Request):
    county_org_id: int
    year: int = Field(ge=2000, le=2100)
    fund: FundIn
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, examples=["50000.00"])


class FundBudgetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    county_org_id: int
    year: int
    fund: str
    amount: Decimal
    committed: Decimal
    paid: Decimal


class NationalAidIn(Request):
    student_id: int
    kind: NationalKindIn = Field(examples=["grant"])
    year: int = Field(ge=2000, le=2100, examples=[2023], description="学年起始年份")
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, examples=["3300.00"])
    source: str = Field(min_length=2, max_length=200, examples=["国家助学金（安徽大学）"])
    note: str | None = Field(default=None, max_length=300)


class NationalAidImportIn(Request):
    rows: list[NationalAidIn] = Field(min_length=1, max_length=5000)


class NationalAidImportOut(BaseModel):
    created: int
    updated: int


class NationalAidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    student_id: int
    kind: str
    year: int
    amount: Decimal
    source: str
    note: str | None


class NotEnrolledOut(BaseModel):
    student_id: int
    name: str
    stage: str
    school_name: str
    cohort: int | None
