"""Request and response shapes of donation funds and their allocations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DonorKind = Literal["enterprise", "organisation", "individual", "model_worker", "union", "other"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionsIn(Request):
    stages: list[Literal["student", "graduate"]] = Field(default_factory=list, examples=[["student"]])
    service_categories: list[str] = Field(default_factory=list, max_length=10, examples=[["1", "2"]])
    school_kinds: list[str] = Field(default_factory=list, max_length=20, examples=[["07"]])
    educations: list[str] = Field(default_factory=list, max_length=20, examples=[["21"]])
    county_org_ids: list[int] = Field(default_factory=list, max_length=50, examples=[[3]])
    cohorts: list[int] = Field(default_factory=list, max_length=20, examples=[[2023]])
    majors: list[str] = Field(default_factory=list, max_length=50, examples=[["0809"]])
    archived_only: bool = Field(default=False, examples=[False])


class FundIn(Request):
    year: int = Field(ge=2000, le=2100, examples=[2023])
    name: str = Field(min_length=2, max_length=200, examples=["华佗药业爱心助学金"])
    donor_name: str = Field(min_length=2, max_length=200, examples=["亳州华佗药业有限公司"])
    donor_kind: DonorKind = Field(examples=["enterprise"])
    pledged: Decimal = Field(ge=0, max_digits=12, decimal_places=2, examples=["50000.00"])
    received: Decimal = Field(ge=0, max_digits=12, decimal_places=2, examples=["30000.00"])
    standard_amount: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2, examples=["2000.00"])
    max_per_person: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=2, examples=[None])
    conditions: ConditionsIn = Field(default_factory=ConditionsIn)
    recipient_ids: list[int] = Field(default_factory=list, max_length=500, description="捐赠方指定的受助学生")
    note: str | None = Field(default=None, max_length=500)
    org_unit_id: int | None = Field(default=None, description="管理该笔捐款的工会；缺省为本人所在工会")


class FundPatch(Request):
    pledged: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    received: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2, examples=["50000.00"])
    status: Literal["open", "closed"] | None = None
    note: str | None = Field(default=None, max_length=500)


class FundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    year: int
    name: str
    donor_name: str
    donor_kind: str
    pledged: Decimal
    received: Decimal
    allocated: Decimal
    balance: Decimal = Field(description="到账金额减已安排金额")
    standard_amount: Decimal | None
    max_per_person: Decimal | None
    conditions: dict[str, Any]
    conditions_text: list[str] = Field(description="捐赠方意愿的文字说明")
    recipient_ids: list[int]
    status: str


class AllocationIn(Request):
    student_id: int = Field(ge=1, examples=[12])
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, examples=["2000.00"])
    award_id: int | None = Field(default=None, ge=1, description="由助学流程发放的资助（经其唯一付款到卡）")
    note: str | None = Field(default=None, max_length=300)


class WithdrawIn(Request):
    reason: str = Field(min_length=2, max_length=300, examples=["学生已获其他资助，按捐赠方意见撤回"])


class AllocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    fund_id: int
    student_id: int
    org_unit_id: int
    county_org_id: int
    amount: Decimal
    award_id: int | None
    status: str
    source: str
    note: str | None
    withdrawn_reason: str | None
    allocated_at: datetime


class ReportLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    allocation_id: int
    name_masked: str = Field(examples=["张*明"])
    id_masked: str
    county: str
    school: str
    education: str
    amount: Decimal
    allocated_at: datetime
    state: str


class ReportOut(BaseModel):
    fund: FundOut
    recipients: int
    allocated: Decimal
    paid: Decimal
    balance: Decimal
    lines: list[ReportLineOut]


class ImportOut(BaseModel):
    created: list[int]
