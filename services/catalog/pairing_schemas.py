"""Request and response shapes of 金牌蓝领 school–enterprise pairings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

DB_ID_MAX = 2_147_483_647


class PairingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit_id: int = Field(ge=1, le=DB_ID_MAX, description="组织单位（市总或县区总工会）")
    number: str = Field(min_length=2, max_length=60, description="协议编号", examples=["JPLL-2023-01"])
    school_name: str = Field(min_length=4, max_length=200, examples=["亳州中药科技学校"])
    school_kind: str = Field(description="05（中等职业学校）/ 06（高等职业学校（专科））", examples=["05"])
    employer_id: int = Field(ge=1, le=DB_ID_MAX, description="结对企业（已认证的企业）")
    majors: str = Field(default="", max_length=300, description="结对专业方向", examples=["中药制药、药品营销"])
    starts_on: date = Field(examples=["2023-09-01"])
    ends_on: date = Field(examples=["2026-07-31"])
    terms: str = Field(
        min_length=4, max_length=4000, examples=["企业每年资助结对学生助学金，安排跟岗、岗位实习，毕业后优先录用"]
    )
    headcount: int = Field(ge=1, le=10000, description="结对学生名额", examples=[20])
    aid_per_student: Decimal = Field(
        ge=0, max_digits=8, decimal_places=2, description="企业每生每年助学金（元）", examples=["2000.00"]
    )


class PairingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    number: str
    school_name: str
    school_kind: str
    employer_id: int
    majors: str
    starts_on: date
    ends_on: date
    terms: str
    headcount: int
    aid_per_student: Decimal
    created_at: datetime
