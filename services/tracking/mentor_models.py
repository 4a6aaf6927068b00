"""Mentors and entrepreneurship (§三、§五): the mentor registry (劳模, 工匠, 创业专家, 爱心企业 contacts), one-to-one
pairings (一帮一结对) of a mentor with a graduate or a founding graduate, with their contact log and outcome; the
graduates' entrepreneurship projects (网络创业, 返乡创业, 传统创业), the 创新创业大赛 they enter, the screening of
the entries against the contest's criteria and the support a project was given (funds, space, incubation,
mentoring, 成果转化).

Every row that belongs to a graduate carries the graduate's ``org_unit_id`` (the home union), like the rest of
tracking; a mentor and a contest carry the union that registered or organises them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin, utcnow


class MentorKind(StrEnum):
    MODEL_WORKER = "model_worker"  # 劳模
    CRAFTSMAN = "craftsman"  # 工匠
    BUSINESS_EXPERT = "business_expert"  # 创业专家
    CARING_ENTERPRISE = "caring_enterprise"  # 爱心企业


class Mentor(TimestampMixin, Base):
    """A person (or a caring enterprise's contact) who helps graduates one to one; owned by a union."""

    __tablename__ = "tracking_mentor"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str] = mapped_column(String(200))  # 工作单位 / 企业名称
    field: Mapped[str] = mapped_column(String(200))  # 擅长领域
    contact_phone_enc: Mapped[str | None] = mapped_column(String(300))
    contact_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class PairingKind(StrEnum):
    HELP = "help"  # 一帮一结对帮扶（就业）
    STARTUP = "startup"  # 创业结对（创业导师）


class PairingState(StrEnum):
    ACTIVE = "active"  # 结对中
    EMPLOYED = "employed"  # 已就业
    BUSINESS_STARTED = "business_started"  # 已创业
    ENDED = "ended"  # 结对结束


class MentorPairing(TimestampMixin, Base):
    """One mentor and one graduate (or founder), from the day they were paired to the outcome."""

    __tablename__ = "tracking_mentor_pairing"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("tracking_mentor.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the graduate's
    venture_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_venture.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20), index=True)
    started_on: Mapped[date]
    goal: Mapped[str | None] = mapped_column(Text)
    outcome_on: Mapped[date | None]
    employer_name: Mapped[str | None] = mapped_column(String(200))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class MentorContact(Base):
    """One contact of a pairing: when, how (tracking's contact channels) and what was talked about."""

    __tablename__ = "tracking_mentor_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("tracking_mentor_pairing.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    contacted_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VentureKind(StrEnum):
    ONLINE = "online"  # 网络创业
    RETURNING = "returning"  # 返乡创业
    TRADITIONAL = "traditional"  # 传统创业


class VentureState(StrEnum):
    PLANNING = "planning"  # 筹备中
    OPERATING = "operating"  # 经营中
    CLOSED = "closed"  # 已停止经营


class Venture(TimestampMixin, Base):
    """A graduate's entrepreneurship project (创业项目), inside a contest or not."""

    __tablename__ = "tracking_venture"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(Text)  # 团队成员
    place: Mapped[str | None] = mapped_column(String(200))  # 经营地点 / 返乡地
    description: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date | None]
    recorded_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Contest(TimestampMixin, Base):
    """创新创业大赛: organised by a union (with the government and enterprises), with its screening criteria."""

    __tablename__ = "tracking_contest"
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "name"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    # [{"code": "1", "label": "基础条件好"}, …]: an entry refused names one of them
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    entries_close_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class EntryState(StrEnum):
    SUBMITTED = "submitted"  # 待筛选
    PASSED = "passed"  # 通过筛选
    REFUSED = "refused"  # 未通过筛选


class ContestEntry(TimestampMixin, Base):
    """A project entered in a contest and its screening (passed, or refused with the criterion it failed)."""

    __tablename__ = "tracking_contest_entry"
    __table_args__ = (UniqueConstraint("contest_id", "venture_id"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("tracking_contest.id"), index=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("tracking_venture.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    submitted_on: Mapped[date]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    criterion: Mapped[str | None] = mapped_column(String(32))
    screening_note: Mapped[str | None] = mapped_column(Text)
    screened_on: Mapped[date | None]
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class SupportKind(StrEnum):
    FUNDS = "funds"  # 扶持资金
    SPACE = "space"  # 创业场地
    INCUBATION = "incubation"  # 产品孵化
    MENTORING = "mentoring"  # 创新指导（导师）
    COMMERCIALISATION = "commercialisation"  # 成果转化


class VentureSupport(Base):
    """What a project was given, once: funds (with the amount), space, incubation, mentoring or 成果转化."""

    __tablename__ = "tracking_venture_support"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("tracking_venture.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_contest_entry.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_mentor.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    description: Mapped[str] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(200))  # 提供方（政府部门、企业、孵化基地）
    given_on: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
