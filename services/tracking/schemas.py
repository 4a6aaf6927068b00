from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.schema_types import ZonedDatetime
from services.tracking.models import ContactChannel, ContactOutcome, EventKind, ServiceKind
from services.tracking.pipeline import AppState, Status

DB_ID_MAX = 2_147_483_647  # record ids are 32-bit integers in the database

# ---- applications ----------------------------------------------------------------------------------------


class ApplicationCreate(BaseModel):
    """A graduate applies (``graduate_id`` omitted), or a counselor recommends a position to ``graduate_id``."""

    model_config = ConfigDict(extra="forbid")

    position_id: int = Field(ge=1, le=DB_ID_MAX, examples=[12])
    graduate_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="指导员推荐时填写；毕业生本人投递时不填", examples=[35]
    )
    note: str | None = Field(default=None, max_length=1000, examples=["专业对口，离家近"])


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_state: AppState = Field(examples=["interviewing"])
    reason: str | None = Field(
        default=None, max_length=32, description="未录用、放弃、过期时必填的关闭原因代码", examples=["declined_offer"]
    )
    note: str | None = Field(
        default=None,
        max_length=2000,
        description="说明；指导员代为登记线下进展时必填（如签约凭证）",
        examples=["已电话通知面试时间"],
    )


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_state: str | None = Field(examples=["applied"])
    to_state: str = Field(examples=["interviewing"])
    actor_id: int | None
    actor_role: str = Field(examples=["enterprise"])
    at: datetime
    reason: str | None = Field(examples=[None])
    note: str | None = Field(examples=["约定周三上午面试"])
    offline: bool
    confirmation_only: bool = Field(description="签约时一方的确认（另一方确认后才签约）")


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    position_id: int
    employer_id: int | None
    org_unit_id: int
    state: str = Field(examples=["applied"])
    state_name: str = Field(examples=["已投递"])
    closed_reason: str | None = None
    graduate_confirmed_at: datetime | None = None
    employer_confirmed_at: datetime | None = None
    state_changed_at: datetime
    next_states: list[str] = Field(default_factory=list, description="当前账号可执行的下一步", examples=[["withdrawn"]])
    history: list[TransitionOut] | None = None


class ApplicantOut(BaseModel):
    """What an enterprise sees of an applicant: no hardship, family, ID or contact data."""

    application_id: int
    state: str = Field(examples=["applied"])
    state_name: str = Field(examples=["已投递"])
    updated_at: datetime
    graduate_name: str = Field(examples=["陈同学"])
    school_name: str = Field(examples=["亳州职业技术学院"])
    major: str | None = Field(examples=["软件技术"])
    cohort: int | None = Field(examples=[2023])
    education: str = Field(examples=["31"])
    education_name: str = Field(examples=["大学专科"])


# ---- status ----------------------------------------------------------------------------------------------


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str = Field(examples=["signed"])
    previous_status: str | None = Field(examples=["seeking"])
    source: str = Field(examples=["pipeline"])
    reason: str | None
    actor_id: int | None
    at: datetime


class StatusOut(BaseModel):
    graduate_id: int
    as_of: date | None = Field(description="查询的日期；为空表示当前")
    status: str = Field(examples=["seeking"])
    status_name: str = Field(examples=["求职中"])
    derived_status: str = Field(description="由求职进展和事件推算的状态", examples=["seeking"])
    override_status: str | None = Field(description="人工认定的状态（若有）", examples=[None])
    override_reason: str | None = None
    history: list[StatusChangeOut]


class OverrideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = Field(description="人工认定的就业状态；为空表示撤销人工认定", examples=["military"])
    reason: str = Field(min_length=2, max_length=1000, examples=["电话核实：已于9月应征入伍"])


# ---- events ----------------------------------------------------------------------------------------------


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind = Field(examples=["training"])
    occurred_on: date = Field(examples=["2023-07-20"])
    ended_on: date | None = Field(default=None, examples=["2023-07-30"])
    title: str = Field(min_length=1, max_length=200, examples=["电子商务技能培训班"])
    organisation: str | None = Field(default=None, max_length=200, examples=["蒙城县职业技能培训中心"])
    job_fair: bool = Field(default=False, description="求职事件是否为参加招聘会")
    destination: Status | None = Field(default=None, description="就业事件的去向", examples=["employed"])
    note: str | None = Field(default=None, max_length=2000)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    kind: str
    occurred_on: date
    ended_on: date | None
    title: str
    organisation: str | None
    job_fair: bool
    destination: str | None
    note: str | None
    recorded_by_id: int | None


# ---- services and the standard ---------------------------------------------------------------------------


class ServiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ServiceKind = Field(examples=["policy_briefing"])
    delivered_on: date = Field(examples=["2023-08-02"])
    note: str | None = Field(default=None, max_length=2000, examples=["宣讲就业见习补贴政策"])


class ServiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    kind: str
    delivered_on: date
    delivered_by_id: int | None
    application_id: int | None
    note: str | None


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$", examples=["policy_briefing"])
    label: str = Field(min_length=1, max_length=40, examples=["政策宣介"])
    kinds: list[ServiceKind] = Field(min_length=1, examples=[["policy_briefing"]])
    minimum: int = Field(ge=1, le=50, examples=[1])


class StandardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=20, examples=["1131"])
    name: str = Field(min_length=1, max_length=100, examples=["1131 服务标准"])
    requirements: list[RequirementIn] = Field(min_length=1, max_length=20)
    applies_to: list[Status] = Field(min_length=1, examples=[["unemployed", "seeking", "internship"]])


class RequirementOut(BaseModel):
    key: str
    label: str
    kinds: list[str]
    minimum: int


class StandardOut(BaseModel):
    code: str = Field(examples=["1131"])
    name: str
    requirements: list[RequirementOut]
    applies_to: list[str]


class GapOut(BaseModel):
    graduate_id: int
    name: str
    org_unit_id: int
    county_id: int
    county_name: str = Field(examples=["蒙城县总工会"])
    counselor_id: int | None
    counselor_name: str | None
    status: str
    counts: dict[str, int] = Field(examples=[{"policy_briefing": 1, "job_recommendation": 1}])
    missing: dict[str, int] = Field(examples=[{"job_recommendation": 2}])


class GapGroupOut(BaseModel):
    county_id: int
    county_name: str
    counselor_id: int | None
    counselor_name: str | None
    graduates: int
    missing: dict[str, int]


class GapReport(BaseModel):
    standard: StandardOut
    as_of: date
    groups: list[GapGroupOut]
    items: list[GapOut]
    total: int


# ---- assignment, contacts --------------------------------------------------------------------------------


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    counselor_id: int = Field(ge=1, le=DB_ID_MAX, examples=[7])


class AssignmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    graduate_id: int
    counselor_id: int
    org_unit_id: int
    assigned_by_id: int | None


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: ContactChannel = Field(examples=["phone"])
    outcome: ContactOutcome = Field(examples=["reached"])
    summary: str = Field(min_length=1, max_length=2000, examples=["了解求职进展，已参加两场面试"])
    contacted_at: ZonedDatetime | None = Field(default=None, description="联系时间（带时区），默认现在")
    next_due_on: date | None = Field(default=None, description="下次联系日期", examples=["2023-09-15"])


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    counselor_id: int | None
    channel: str
    contacted_at: datetime
    outcome: str
    summary: str
    next_due_on: date | None


class OverdueOut(BaseModel):
    graduate_id: int
    name: str
    org_unit_id: int
    due_on: date
    days_overdue: int = Field(examples=[3])
    counselor_id: int | None
    counselor_name: str | None
    last_contact_id: int
    last_channel: str
    last_outcome: str
    last_contacted_at: datetime


# ---- timeline, workbench ---------------------------------------------------------------------------------


class TimelineItemOut(BaseModel):
    at: datetime
    kind: str = Field(description="application / event / service / contact / status / handoff", examples=["event"])
    title: str = Field(examples=["电商运营专员：已投递"])
    detail: str | None
    ref_id: int | None


class TimelineOut(BaseModel):
    graduate_id: int
    name: str
    status: str
    status_name: str
    items: list[TimelineItemOut]


class CaseOut(BaseModel):
    graduate_id: int
    name: str
    org_unit_id: int
    status: str
    status_name: str
    counselor_id: int | None
    handed_in: bool = Field(description="异地工会转入、由本会服务")
    handed_out: bool = Field(description="已转至异地工会服务，本会只读")
    last_contact_at: datetime | None
    next_due_on: date | None
    open_applications: int


class FreshMatchOut(BaseModel):
    graduate_id: int
    graduate_name: str
    position_id: int
    position_title: str = Field(examples=["电商运营专员"])
    score: float = Field(examples=[0.82])
    reasons: list[str] = Field(examples=[["专业对口：软件工程 ↔ 计算机类", "地点：蒙城县"]])
    computed_at: datetime


class WorkbenchOut(BaseModel):
    caseload: list[CaseOut]
    caseload_total: int
    limit: int
    offset: int
    overdue: list[OverdueOut]
    overdue_total: int = Field(description="逾期未回访的总人数（overdue 为其中一页）", examples=[12])
    gaps: list[GapOut]
    gaps_total: int = Field(description="未达服务标准的总人数（gaps 为其中一页）", examples=[40])
    fresh_matches: list[FreshMatchOut] = Field(description="近7天新算出的匹配岗位（每人最多3个，未推荐未投递的）")


# ---- handoffs, notifications -----------------------------------------------------------------------------


class HandoffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graduate_id: int = Field(ge=1, le=DB_ID_MAX, examples=[35])
    to_org_unit_id: int = Field(ge=1, le=DB_ID_MAX, description="意向工作地的县区（园区）总工会", examples=[3])
    reason: str = Field(min_length=2, max_length=1000, examples=["毕业生意向在涡阳县就业，家人在当地"])
    intended_place: str | None = Field(default=None, max_length=100, examples=["涡阳县"])


class HandoffDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept: bool = Field(examples=[True])
    note: str | None = Field(default=None, max_length=1000, description="拒绝时必填原因", examples=["已安排专人对接"])


class HandoffEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=2, max_length=1000, examples=["毕业生已返回生源地求职"])


class HandoffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    org_unit_id: int = Field(description="生源地工会")
    to_org_unit_id: int = Field(description="接收地工会")
    state: str = Field(examples=["pending"])
    intended_place: str | None
    reason: str
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str | None
    decided_on_behalf: bool = Field(description="接收确认由生源地工会代外地工会登记")
    outcome: str | None = Field(description="employed / unemployed / lost_contact / returned", examples=["employed"])
    outcome_on: date | None
    outcome_employer: str | None
    outcome_note: str | None
    outcome_by_id: int | None = Field(description="登记结果的账号")
    outcome_on_behalf: bool = Field(description="结果由生源地工会代外地工会登记")
    ended_at: datetime | None
    end_note: str | None
    created_at: datetime
