"""Full-process tracking (全流程跟踪): applications and their moves, status history, events, services delivered,
the service standard, caseload assignments, contacts and reminders, and handoffs. Their in-app messages are in
:mod:`services.notifications`.

Every row that belongs to a graduate carries the graduate's ``org_unit_id`` (the home union); a handoff lets the
receiving union serve the graduate while it is accepted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, TimestampMixin, utcnow


class Application(TimestampMixin, Base):
    """One graduate and one position: the pipeline from recommendation to employment (or a side exit)."""

    __tablename__ = "tracking_application"
    __table_args__ = (UniqueConstraint("graduate_id", "position_id"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)  # None: programs
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the graduate's
    state: Mapped[str] = mapped_column(String(16), index=True)
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    graduate_confirmed_at: Mapped[datetime | None]  # signing: the graduate's side
    employer_confirmed_at: Mapped[datetime | None]  # signing: the enterprise's side
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    transitions: Mapped[list[Transition]] = relationship(
        back_populates="application", lazy="raise", order_by="Transition.id"
    )


class Transition(Base):
    """One move (or one side's signing confirmation) of an application: who, in which role, when, why."""

    __tablename__ = "tracking_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("tracking_application.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))  # graduate / enterprise / counselor / system
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    offline: Mapped[bool] = mapped_column(default=False)  # recorded by a counselor for something done offline
    confirmation_only: Mapped[bool] = mapped_column(default=False)  # one side's signing confirmation

    application: Mapped[Application] = relationship(back_populates="transitions", lazy="raise")


class StatusSource(StrEnum):
    REGISTRY = "registry"  # the status recorded when the graduate was filed
    PIPELINE = "pipeline"
    EVENT = "event"
    OVERRIDE = "override"
    OVERRIDE_CLEARED = "override_cleared"


class StatusChange(Base):
    """The employment status over time: one row per change; the status on a day is the last row before its end."""

    __tablename__ = "tracking_status_change"
    __table_args__ = (Index("ix_tracking_status_change_graduate_at", "graduate_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    previous_status: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusOverride(Base):
    """A counselor's decision on a graduate's status (e.g. 应征入伍 learned by phone), kept with its reason."""

    __tablename__ = "tracking_status_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    clear_reason: Mapped[str | None] = mapped_column(Text)


class EventKind(StrEnum):
    ENROLMENT = "enrolment"  # 入学
    TRAINING = "training"  # 培训
    INTERNSHIP = "internship"  # 实习
    JOB_SEEKING = "job_seeking"  # 求职（含参加招聘会）
    NEGOTIATION = "negotiation"  # 洽谈
    SIGNING = "signing"  # 签约
    EMPLOYMENT = "employment"  # 就业


class Event(Base):
    """A step on the graduate's path recorded by the union (入学、培训、实习、求职、洽谈、签约、就业)."""

    __tablename__ = "tracking_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    occurred_on: Mapped[date]
    ended_on: Mapped[date | None]
    title: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    job_fair: Mapped[bool] = mapped_column(default=False)
    destination: Mapped[str | None] = mapped_column(String(20))  # for 就业: employed / grassroots / …
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceKind(StrEnum):
    POLICY_BRIEFING = "policy_briefing"  # 政策宣介
    CAREER_GUIDANCE = "career_guidance"  # 职业指导
    JOB_RECOMMENDATION = "job_recommendation"  # 岗位推荐
    TRAINING_OFFER = "training_offer"  # 提供培训机会
    INTERNSHIP_OFFER = "internship_offer"  # 提供见习实习机会
    INTERVIEW_COACHING = "interview_coaching"  # 面试辅导
    ENTREPRENEURSHIP_GUIDANCE = "entrepreneurship_guidance"  # 创业指导
    JOB_FAIR = "job_fair"  # 组织参加招聘会


class ServiceRecord(Base):
    """One service delivered to a graduate; job recommendations are logged automatically."""

    __tablename__ = "tracking_service_record"
    __table_args__ = (Index("ix_tracking_service_record_graduate_kind", "graduate_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    delivered_on: Mapped[date] = mapped_column(index=True)
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_application.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceStandard(TimestampMixin, Base):
    """A configurable service standard (default 1131): minimum counts per group of service kinds."""

    __tablename__ = "tracking_service_standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # [{"key": "briefing", "label": "政策宣介", "kinds": ["policy_briefing"], "minimum": 1}, …]
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    applies_to: Mapped[list[str]] = mapped_column(JSON)  # the statuses the standard covers
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Assignment(TimestampMixin, Base):
    """The responsible counselor (帮扶责任人) of a graduate; the counselor's caseload is made of these."""

    __tablename__ = "tracking_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ContactChannel(StrEnum):
    PHONE = "phone"  # 电话
    VISIT = "visit"  # 走访
    MESSAGE = "message"  # 短信/微信
    MEETING = "meeting"  # 座谈/谈心


class ContactOutcome(StrEnum):
    REACHED = "reached"  # 已联系上
    NOT_REACHED = "not_reached"  # 未联系上
    NEEDS_HELP = "needs_help"  # 提出帮扶需求
    RESOLVED = "resolved"  # 问题已解决


class Contact(Base):
    """A contact or follow-up visit (定时联系、关心回访) and when the next one is due."""

    __tablename__ = "tracking_contact"
    __table_args__ = (Index("ix_tracking_contact_graduate_at", "graduate_id", "contacted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    contacted_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    next_due_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """One follow-up reminder per graduate per due date; the unique constraint makes the job idempotent."""

    __tablename__ = "tracking_reminder"
    __table_args__ = (UniqueConstraint("graduate_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    due_on: Mapped[date]
    contact_id: Mapped[int] = mapped_column(ForeignKey("tracking_contact.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"))
    email_state: Mapped[str] = mapped_column(String(16), default="none")  # none / pending / sending / sent / failed
    emailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HandoffState(StrEnum):
    PENDING = "pending"  # 待接收
    ACCEPTED = "accepted"  # 已接收（异地服务中）
    DECLINED = "declined"  # 已拒绝
    ENDED = "ended"  # 已结束（返回生源地或撤回）


class HandoffOutcome(StrEnum):
    """What the receiving union reports back about a graduate it took in."""

    EMPLOYED = "employed"  # 已就业
    UNEMPLOYED = "unemployed"  # 未就业（继续帮扶）
    LOST_CONTACT = "lost_contact"  # 失联
    RETURNED = "returned"  # 已返回生源地


class Handoff(TimestampMixin, Base):
    """异地求职: the home union hands a graduate to the union of the intended work place."""

    __tablename__ = "tracking_handoff"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the home union
    to_org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the receiving union
    state: Mapped[str] = mapped_column(String(16), index=True)
    intended_place: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None]
    end_note: Mapped[str | None] = mapped_column(Text)
    # a union outside the loaded tree may have no account: the sending side records its answers on its behalf
    decided_on_behalf: Mapped[bool] = mapped_column(default=False, server_default=false())
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[date | None]
    outcome_employer: Mapped[str | None] = mapped_column(String(200))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome_on_behalf: Mapped[bool] = mapped_column(default=False, server_default=false())
    outcome_recorded_at: Mapped[datetime | None]


class ExternalUnion(TimestampMixin, Base):
    """A county or city union elsewhere in China that received a handoff, with the person to call there.

    Its org unit (kind ``external``) stands outside the loaded tree; an account given that org unit sees only the
    graduates handed to it.
    """

    __tablename__ = "tracking_external_union"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    level: Mapped[str] = mapped_column(String(12))  # city / county
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone_enc: Mapped[str | None] = mapped_column(String(300))
    contact_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ReferralState(StrEnum):
    """A graduate referred to a purchased-service contract (定向就业援助)."""

    REFERRED = "referred"  # 已转介
    ACCEPTED = "accepted"  # 机构已接收
    PLACED = "placed"  # 已就业
    NOT_PLACED = "not_placed"  # 服务期满未就业


class ServiceReferral(TimestampMixin, Base):
    """An unemployed graduate referred for 定向就业援助 to a provider under a purchased-service contract."""

    __tablename__ = "tracking_service_referral"
    __table_args__ = (UniqueConstraint("contract_id", "graduate_id"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("catalog_service_contract.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the graduate's
    state: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    referred_on: Mapped[date]
    accepted_on: Mapped[date | None]
    outcome_on: Mapped[date | None]
    employer_name: Mapped[str | None] = mapped_column(String(200))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
