from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NarrativeKindIn = Literal["stage", "final"]
Persons = Field(default=0, ge=0, le=1_000_000)


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aid_persons: dict[str, int] = Field(
        default_factory=dict,
        max_length=32,
        description="各类需求人数：键为 archived_/nonarchived_ 加教育阶段（preschool、compulsory、high_school、"
        "secondary_vocational、higher_vocational、undergraduate、postgraduate、special_education），未列出的计0",
        examples=[{"archived_undergraduate": 12, "nonarchived_high_school": 5}],
    )
    archived_amount: Decimal = Field(default=Decimal("0"), ge=0, le=Decimal("9999999999.99"), examples=["36000.00"])
    nonarchived_amount: Decimal = Field(default=Decimal("0"), ge=0, le=Decimal("9999999999.99"), examples=["10000"])
    job_seekers: int = Persons
    internship_need: int = Persons
    training_need: int = Persons
    entrepreneurship_need: int = Persons
    note: str = Field(default="", max_length=2000)


class SurveyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int = Field(description="县区（单位）")
    year: int
    status: str = Field(examples=["submitted"])
    aid_persons: dict[str, int]
    archived_amount: Decimal
    nonarchived_amount: Decimal
    job_seekers: int
    internship_need: int
    training_need: int
    entrepreneurship_need: int
    note: str
    return_reason: str | None
    submitted_at: datetime | None
    returned_at: datetime | None
    updated_at: datetime


class SurveyLineOut(BaseModel):
    county_id: int
    county_name: str
    status: str = Field(description="not_started（未填报）、draft、submitted 或 returned")
    survey: SurveyOut | None


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=500, description="退回原因，县区据此修改")


class NarrativeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100, examples=[2023])
    kind: NarrativeKindIn = Field(description="stage：阶段性情况报告（8月29日）；final：活动总结（11月28日）")


class SectionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: dict[str, str] = Field(
        max_length=8,
        description="work_done（工作开展情况）、practices（主要做法）、problems（存在问题）、next_steps（下一步打算）",
        examples=[{"work_done": "7月以来，我县……", "problems": "部分基层工会摸排不够细。"}],
    )


class NarrativeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    year: int
    kind: str
    title: str
    due_on: date
    status: str
    sections: dict[str, str]
    snapshot_id: int | None
    return_reason: str | None
    submitted_at: datetime | None
    updated_at: datetime


class ExperienceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100, examples=[2023])
    title: str = Field(max_length=100, examples=["“一对一”结对帮扶困难家庭毕业生"])
    body: str = Field(max_length=10000)


class ExperienceOut(BaseModel):
    id: int
    org_unit_id: int
    unit_name: str
    year: int
    title: str
    body: str
    created_at: datetime


class DeadlineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    code: str = Field(examples=["stage_report"])
    title: str
    due_on: date
    remind_days_before: int
    roles: list[str]


class DeadlineUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_on: date | None = None
    remind_days_before: int | None = Field(default=None, ge=0, le=60)
    roles: list[str] | None = Field(default=None, max_length=3, examples=[["union_county"]])
