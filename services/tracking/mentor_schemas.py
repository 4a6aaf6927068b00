"""Request and response shapes of mentors, pairings (一帮一结对), entrepreneurship projects and 创新创业大赛."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.tracking import mentors as m
from services.tracking import ventures as v
from services.tracking.schemas import DB_ID_MAX

Id = Field(ge=1, le=DB_ID_MAX)


class MentorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit_id: int = Field(ge=1, le=DB_ID_MAX, description="导师所属工会", examples=[2])
    name: str = Field(min_length=1, max_length=50, examples=["王师傅"])
    kind: str = Field(
        max_length=20,
        description="model_worker 劳模 / craftsman 工匠 / business_expert 创业专家 / caring_enterprise 爱心企业",
        examples=["craftsman"],
    )
    unit: str = Field(max_length=200, description="工作单位或企业名称", examples=["亳州某中药饮片有限公司"])
    field: str = Field(max_length=200, description="擅长领域", examples=["中药材炮制"])
    contact_phone: str = Field(max_length=20, description="联系电话（加密保存，显示时打码）", examples=["13955667788"])
    note: str = Field(default="", max_length=1000)


class MentorActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(description="false：暂停接受新的结对")


class MentorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    name: str
    kind: str
    unit: str
    field: str
    contact_phone_masked: str | None
    active: bool
    note: str | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_name(self) -> str:
        return m.MENTOR_KINDS.get(self.kind, self.kind)


class PairingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentor_id: int = Field(ge=1, le=DB_ID_MAX, examples=[1])
    graduate_id: int = Field(ge=1, le=DB_ID_MAX, examples=[35])
    kind: str = Field(max_length=16, description="help 一帮一结对帮扶 / startup 创业结对", examples=["help"])
    started_on: date | None = Field(default=None, description="结对日期，默认今天")
    venture_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="创业结对的创业项目")
    goal: str | None = Field(default=None, max_length=1000, examples=["每月联系一次，帮助准备面试"])


class PairingOutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=20, description="employed 已就业 / business_started 已创业 / ended 结对结束")
    on: date = Field(description="结果日期", examples=["2023-10-08"])
    employer_name: str | None = Field(default=None, max_length=200, description="已就业时必填")
    note: str | None = Field(default=None, max_length=1000, description="结对结束时必填")


class PairingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    mentor_id: int
    graduate_id: int
    org_unit_id: int = Field(description="毕业生所属单位")
    venture_id: int | None
    kind: str
    state: str
    started_on: date
    goal: str | None
    outcome_on: date | None
    employer_name: str | None
    outcome_note: str | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_name(self) -> str:
        return m.PAIRING_KINDS.get(self.kind, self.kind)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_name(self) -> str:
        return m.PAIRING_STATES.get(self.state, self.state)


class MentorContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacted_on: date = Field(examples=["2023-09-15"])
    channel: str = Field(max_length=16, description="phone 电话 / visit 走访 / message 短信微信 / meeting 座谈谈心")
    summary: str = Field(max_length=2000, examples=["导师介绍了本地药企的招聘情况"])


class MentorContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    pairing_id: int
    contacted_on: date
    channel: str
    summary: str
    recorded_by_id: int | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def channel_name(self) -> str:
        return m.CHANNELS.get(self.channel, self.channel)


class VentureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graduate_id: int = Field(ge=1, le=DB_ID_MAX, examples=[35])
    name: str = Field(max_length=200, examples=["亳芍花茶网店"])
    kind: str = Field(max_length=16, description="online 网络创业 / returning 返乡创业 / traditional 传统创业")
    description: str = Field(max_length=2000, examples=["在电商平台销售本地花草茶"])
    team: str = Field(default="", max_length=1000, description="团队成员")
    place: str = Field(default="", max_length=200, description="经营地点；返乡创业必填")
    state: str = Field(default="planning", max_length=16, description="planning 筹备中 / operating 经营中 / closed")
    started_on: date | None = Field(default=None, description="开业日期；经营中必填")


class VentureStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str = Field(max_length=16)
    started_on: date | None = None


class VentureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    graduate_id: int
    org_unit_id: int
    name: str
    kind: str
    state: str
    team: str | None
    place: str | None
    description: str
    started_on: date | None
    recorded_on: date
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_name(self) -> str:
        return v.VENTURE_KINDS.get(self.kind, self.kind)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_name(self) -> str:
        return v.VENTURE_STATES.get(self.state, self.state)


class ContestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_unit_id: int = Field(ge=1, le=DB_ID_MAX, description="主办工会", examples=[1])
    year: int = Field(ge=1900, le=2200, examples=[2023])
    name: str = Field(max_length=200, examples=["亳州市困难职工家庭高校毕业生创新创业大赛"])
    organiser: str = Field(max_length=200, examples=["亳州市总工会、亳州市人力资源和社会保障局"])
    criteria: list[str] = Field(
        default_factory=lambda: list(v.DEFAULT_CRITERIA),
        max_length=20,
        description="筛选条件，默认：基础条件好、市场前景广、发展潜力大、科技含量高",
    )
    entries_close_on: date | None = Field(default=None, description="报名截止日期")


class Criterion(BaseModel):
    code: str
    label: str


class ContestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    year: int
    name: str
    organiser: str
    criteria: list[Criterion]
    entries_close_on: date | None
    created_at: datetime


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    venture_id: int = Field(ge=1, le=DB_ID_MAX, description="报名的创业项目")
    on: date | None = Field(default=None, description="报名日期，默认今天")


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(max_length=16, description="passed 通过筛选 / refused 未通过筛选")
    on: date = Field(examples=["2023-09-20"])
    criterion: str | None = Field(default=None, max_length=32, description="未通过时：不符合的筛选条件编号")
    note: str | None = Field(default=None, max_length=1000)


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contest_id: int
    venture_id: int
    graduate_id: int
    org_unit_id: int
    state: str
    submitted_on: date
    criterion: str | None
    criterion_label: str | None = None
    screening_note: str | None
    screened_on: date | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state_name(self) -> str:
        return v.ENTRY_STATES.get(self.state, self.state)

    @classmethod
    def of(cls, row: Any, contest: Any) -> EntryOut:
        out = cls.model_validate(row)
        out.criterion_label = v.criterion_label(contest, row.criterion) if row.criterion else None
        return out


class SupportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        max_length=20,
        description="funds 扶持资金 / space 创业场地 / incubation 产品孵化 / "
        "mentoring 创新指导 / commercialisation 成果转化",
    )
    given_on: date = Field(examples=["2023-10-10"])
    amount: Decimal | None = Field(default=None, ge=0, le=v.MAX_AMOUNT, decimal_places=2, examples=["20000.00"])
    description: str = Field(default="", max_length=1000, examples=["市创业孵化基地工位2个，免租一年"])
    provider: str = Field(default="", max_length=200, description="提供方")
    entry_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="按大赛给予时的参赛记录")
    mentor_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="创新指导的导师")


class SupportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    venture_id: int
    entry_id: int | None
    mentor_id: int | None
    kind: str
    amount: Decimal | None
    description: str
    provider: str | None
    given_on: date
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_name(self) -> str:
        return v.SUPPORT_KINDS.get(self.kind, self.kind)
