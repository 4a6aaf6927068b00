"""Request and response shapes of a 两后生's vocational path (技能培训, 中职/技工学校, 学徒)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class TrackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="training（技能培训）/ school（中职/技工学校就读）/ apprenticeship（学徒）")
    programme: str = Field(
        min_length=2, max_length=200, description="培训项目 / 就读专业 / 学徒工种", examples=["电工（初级）"]
    )
    provider: str = Field(
        min_length=2, max_length=200, description="培训机构 / 学校名称 / 学徒企业", examples=["亳州市职业技能培训中心"]
    )
    school_type: str | None = Field(
        default=None, description="学校就读时必填：secondary_vocational（中等职业学校）/ technical（技工学校）"
    )
    starts_on: date = Field(examples=["2023-09-01"])
    ends_on: date | None = Field(default=None, description="计划结束日期")
    hours: int | None = Field(default=None, ge=1, le=5000, description="培训课时（技能培训）")
    note: str | None = Field(default=None, max_length=1000)


class TrackMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(description="completed（已结业/毕业）/ dropped（中途退出）")
    on: date = Field(description="结业、毕业、出师或退出的日期", examples=["2023-12-20"])
    certificate: str | None = Field(default=None, max_length=200, examples=["电工职业技能等级证书（五级）"])
    certificate_no: str | None = Field(default=None, max_length=60)
    outcome: str | None = Field(
        default=None, description="结业后去向：employed / further_study / further_training / seeking / other"
    )
    outcome_note: str | None = Field(default=None, max_length=1000, description="中途退出时必填：原因")


class TrackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    kind: str
    kind_name: str
    status: str
    status_name: str
    programme: str
    provider: str
    school_type: str | None
    starts_on: date
    ends_on: date | None
    hours: int | None
    certificate: str | None
    certificate_no: str | None
    outcome: str | None
    outcome_name: str | None
    outcome_note: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class TrackList(BaseModel):
    items: list[TrackOut]
