"""Request and response shapes of handoffs to unions anywhere in China and of their outcomes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.tracking.schemas import DB_ID_MAX


class ExternalHandoffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graduate_id: int = Field(ge=1, le=DB_ID_MAX, examples=[35])
    division_code: str = Field(
        min_length=6, max_length=6, description="接收地的行政区划代码（市或县区）", examples=["340100"]
    )
    contact_name: str | None = Field(
        default=None, max_length=50, description="对方工会联系人（首次转介至该工会时必填）", examples=["王老师"]
    )
    contact_phone: str | None = Field(
        default=None, max_length=30, description="对方联系电话（首次转介时必填，加密保存）", examples=["0551-62651234"]
    )
    reason: str = Field(min_length=2, max_length=1000, examples=["毕业生意向在合肥市就业，已在当地租房"])
    intended_place: str | None = Field(default=None, max_length=100, examples=["合肥市"])


class HandoffOutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(
        description="employed（已就业）/ unemployed（未就业）/ lost_contact（失联）/ returned（已返回）"
    )
    outcome_on: date = Field(examples=["2023-10-20"])
    employer: str | None = Field(default=None, max_length=200, description="已就业时必填", examples=["合肥某科技公司"])
    note: str | None = Field(default=None, max_length=1000, examples=["合肥市总工会王老师电话告知"])


class ReceivingDivisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["340100"])
    union_name: str = Field(examples=["合肥市总工会"])
    level: str = Field(description="city / county", examples=["city"])
    full_name: str = Field(examples=["安徽省合肥市"])


class ExternalUnionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int = Field(description="该工会在系统中的单位编号（可为其开设账号）")
    name: str = Field(examples=["合肥市总工会"])
    division_code: str
    level: str
    contact_name: str
    contact_phone_masked: str | None = Field(examples=["055****1234"])
    accounts: int = Field(description="该工会在系统中的账号数；为0时由生源地工会代为登记")
