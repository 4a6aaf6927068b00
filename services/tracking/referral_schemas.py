"""Request and response shapes of referrals to purchased services (定向就业援助)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.tracking.schemas import DB_ID_MAX


class ReferralCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graduate_id: int = Field(ge=1, le=DB_ID_MAX, examples=[35])
    contract_id: int = Field(ge=1, le=DB_ID_MAX, examples=[2])
    note: str | None = Field(default=None, max_length=1000, examples=["需要面试辅导和岗位推荐"])


class ReferralMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(description="accepted（机构已接收）/ placed（已就业）/ not_placed（服务期满未就业）")
    on: date = Field(description="接收或结果的日期", examples=["2023-10-08"])
    employer_name: str | None = Field(default=None, max_length=200, description="已就业时必填")
    note: str | None = Field(default=None, max_length=1000, description="未就业时必填")


class ReferralOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contract_id: int
    graduate_id: int
    org_unit_id: int = Field(description="毕业生所属单位")
    state: str = Field(examples=["referred"])
    note: str | None
    referred_by_id: int | None
    referred_on: date
    accepted_on: date | None
    outcome_on: date | None
    employer_name: str | None
    outcome_note: str | None
    updated_by_id: int | None
    created_at: datetime
