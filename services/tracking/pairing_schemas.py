"""Request and response shapes of 金牌蓝领 pairing students, their internships, aid and placement."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.tracking.schemas import DB_ID_MAX


class StudentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graduate_id: int = Field(ge=1, le=DB_ID_MAX, description="学生（实名制档案编号）", examples=[35])
    joined_on: date | None = Field(default=None, description="加入结对日期（默认今天）")
    note: str | None = Field(default=None, max_length=1000)


class InternshipIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="cognition（认识实习）/ follow（跟岗实习）/ post（岗位实习）", examples=["follow"])
    post: str = Field(min_length=2, max_length=100, description="实习岗位", examples=["中药饮片炮制工"])
    starts_on: date
    ends_on: date | None = None
    assessment: str | None = Field(default=None, max_length=300, description="企业评价")


class AidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Decimal = Field(gt=0, max_digits=7, decimal_places=2, description="助学金金额（元）", examples=["1000.00"])
    paid_on: date
    note: str | None = Field(default=None, max_length=300)


class StudentMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(description="placed（已入职结对企业）/ left（退出结对）")
    on: date
    post: str | None = Field(default=None, max_length=100, description="入职岗位（入职时必填）")
    reason: str | None = Field(default=None, max_length=1000, description="退出原因（退出时必填）")


class InternshipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    post: str
    starts_on: date
    ends_on: date | None
    assessment: str | None
    event_id: int | None


class AidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    student_id: int
    paid_on: date
    amount: Decimal
    note: str | None


class StudentOut(BaseModel):
    """A pairing student as the union side and the enterprise see it: no ID number, phone or family data."""

    id: int
    pairing_id: int
    graduate_id: int
    name: str
    school_name: str
    major_name: str | None
    cohort: int | None
    state: str
    state_name: str
    joined_on: date
    placed_on: date | None
    placed_post: str | None
    application_id: int | None
    left_on: date | None
    left_reason: str | None
    aid_total: Decimal
    internships: list[InternshipOut]
    created_at: datetime


class StudentList(BaseModel):
    items: list[StudentOut]
