"""Donations (社会各界捐款, 通知三（三）): a fund per donor with the donor's conditions, its named recipients, and the
allocations of aid made from it. The fund's running ``allocated`` total never exceeds what was received."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin, utcnow

Money = Numeric(12, 2)


class DonorKind(StrEnum):
    ENTERPRISE = "enterprise"  # 爱心企业
    ORGANISATION = "organisation"  # 公益组织
    INDIVIDUAL = "individual"  # 爱心人士
    MODEL_WORKER = "model_worker"  # 劳模先进人物
    UNION = "union"  # 工会会员捐款
    OTHER = "other"


DONOR_KIND_NAMES = {
    DonorKind.ENTERPRISE: "爱心企业",
    DonorKind.ORGANISATION: "公益组织",
    DonorKind.INDIVIDUAL: "爱心人士",
    DonorKind.MODEL_WORKER: "劳模先进人物",
    DonorKind.UNION: "工会会员捐款",
    DonorKind.OTHER: "其他",
}


class FundStatus(StrEnum):
    OPEN = "open"  # 使用中
    CLOSED = "closed"  # 已结项


class AllocationStatus(StrEnum):
    ALLOCATED = "allocated"  # 已安排
    WITHDRAWN = "withdrawn"  # 已撤回（金额退回捐款余额）


class AidDonationFund(TimestampMixin, Base):
    """One donor's money for one year, kept by the union that received it (city or county).

    ``conditions`` holds the donor's criteria as data (see ``services.aid.donations.Conditions``); named
    recipients, when the donor names them, are rows of ``aid_donation_recipient``. ``standard_amount`` is the
    amount per person the donor set (every allocation is exactly that), ``max_per_person`` a cap per student.
    """

    __tablename__ = "aid_donation_fund"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("pledged >= 0", name="pledged_nonneg"),
        CheckConstraint("received >= 0", name="received_nonneg"),
        CheckConstraint("allocated >= 0 AND allocated <= received", name="allocated_within_received"),
        CheckConstraint("standard_amount IS NULL OR standard_amount > 0", name="standard_positive"),
        CheckConstraint("max_per_person IS NULL OR max_per_person > 0", name="max_per_person_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    donor_name: Mapped[str] = mapped_column(String(200))
    donor_kind: Mapped[str] = mapped_column(String(20))
    pledged: Mapped[Decimal] = mapped_column(Money)
    received: Mapped[Decimal] = mapped_column(Money)
    allocated: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    standard_amount: Mapped[Decimal | None] = mapped_column(Money)
    max_per_person: Mapped[Decimal | None] = mapped_column(Money)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=FundStatus.OPEN)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidDonationRecipient(Base):
    """A student the donor named: when a fund has any, only they may receive from it."""

    __tablename__ = "aid_donation_recipient"
    __table_args__ = (UniqueConstraint("fund_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("aid_donation_fund.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)


class AidDonationAllocation(TimestampMixin, Base):
    """Aid given to one student from a donation fund; ``award_id`` links it to the aid award that pays it (through
    the award's one payment to the bank card)."""

    __tablename__ = "aid_donation_allocation"
    __audit__ = True
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("aid_donation_fund.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("aid_award.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=AllocationStatus.ALLOCATED, index=True)
    source: Mapped[str] = mapped_column(String(16), default="api")  # api, console, import
    note: Mapped[str | None] = mapped_column(String(300))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    allocated_at: Mapped[datetime] = mapped_column(default=utcnow)
