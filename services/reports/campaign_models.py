"""Tables of the campaign records: county surveys, narrative reports, typical experiences, deadlines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin


class FilingStatus(StrEnum):
    """A county's filing (a survey, a report): drafted, handed in to the city, or sent back for correction."""

    DRAFT = "draft"  # 填报中
    SUBMITTED = "submitted"  # 已报送
    RETURNED = "returned"  # 已退回修改


FILING_STATUS_NAMES: dict[str, str] = {
    FilingStatus.DRAFT: "填报中",
    FilingStatus.SUBMITTED: "已报送",
    FilingStatus.RETURNED: "已退回修改",
}


class CountySurvey(TimestampMixin, Base):
    """The 摸排 of one county for one year: the aid need by family kind and education category (persons and
    amounts, the figures 附件7 asks for) and the employment need of its graduates."""

    __tablename__ = "report_county_survey"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("org_unit_id", "year"),
        CheckConstraint("archived_amount >= 0", name="archived_amount_nonnegative"),
        CheckConstraint("nonarchived_amount >= 0", name="nonarchived_amount_nonnegative"),
        CheckConstraint(
            "job_seekers >= 0 AND internship_need >= 0 AND training_need >= 0 AND entrepreneurship_need >= 0",
            name="employment_need_nonnegative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the county
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default=FilingStatus.DRAFT)
    aid_persons: Mapped[dict[str, int]] = mapped_column(JSON)  # "<archived|nonarchived>_<category>" -> persons
    archived_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    nonarchived_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    job_seekers: Mapped[int] = mapped_column(Integer, default=0)  # 有就业援助需求的毕业生
    internship_need: Mapped[int] = mapped_column(Integer, default=0)  # 需要见习岗位
    training_need: Mapped[int] = mapped_column(Integer, default=0)  # 需要技能培训
    entrepreneurship_need: Mapped[int] = mapped_column(Integer, default=0)  # 有创业意愿
    note: Mapped[str] = mapped_column(Text, default="")
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]


class NarrativeKind(StrEnum):
    STAGE = "stage"  # 阶段性情况报告（8月29日前）
    FINAL = "final"  # 活动总结（11月28日前）


NARRATIVE_KIND_NAMES: dict[str, str] = {NarrativeKind.STAGE: "阶段性情况报告", NarrativeKind.FINAL: "活动总结"}


class NarrativeReport(TimestampMixin, Base):
    """A stage report or a summary of one unit for one year: the sections the staff write and the snapshot whose
    figures it reports."""

    __tablename__ = "report_narrative"
    __audit__ = True
    __table_args__ = (UniqueConstraint("org_unit_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=FilingStatus.DRAFT)
    sections: Mapped[dict[str, str]] = mapped_column(JSON)  # section code -> text
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("report_snapshot.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]


class TypicalExperience(TimestampMixin, Base):
    """A 典型经验做法 a county hands in at any time: a title and its text."""

    __tablename__ = "report_typical_experience"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CampaignDeadline(TimestampMixin, Base):
    """One deadline of one year's campaign, who answers for it, and how many days before it they are reminded."""

    __tablename__ = "report_campaign_deadline"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("year", "code"),
        CheckConstraint("remind_days_before >= 0 AND remind_days_before <= 60", name="remind_days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    remind_days_before: Mapped[int] = mapped_column(Integer, default=7)
    roles: Mapped[list[str]] = mapped_column(JSON)  # the roles that answer for it
