"""Student aid: yearly campaign settings and standards, applications (附件1/附件2) with attachments, two-step
review, awards, public notices (附件6) with objections, budgets, payments to the bank card, and warnings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, TimestampMixin, utcnow

Money = Numeric(12, 2)


class FundSource(StrEnum):
    PROVINCE = "province"  # 省总金秋助学经费
    CITY = "city"  # 市总帮扶资金
    COUNTY = "county"  # 县区总工会资金
    DONATION = "donation"  # 社会各界捐款


FUND_NAMES = {
    FundSource.PROVINCE: "省总工会经费",
    FundSource.CITY: "市总工会经费",
    FundSource.COUNTY: "县区工会经费",
    FundSource.DONATION: "社会捐款",
}


class AmountBasis(StrEnum):
    FIXED_CAP = "fixed_cap"  # up to the cap, amount decided at review
    TUITION_INVOICE = "tuition_invoice"  # the invoice's tuition, at most the cap
    DESIGNATED = "designated"  # as the donor designates (cap = designated amount)


class EducationStage(StrEnum):
    PRESCHOOL = "preschool"  # 学前教育
    COMPULSORY = "compulsory"  # 义务教育
    HIGH_SCHOOL = "high_school"  # 普通高中
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中等职业教育
    COLLEGE = "college"  # 高等教育（专科、本科、研究生）
    SPECIAL_EDUCATION = "special_education"  # 特殊教育


STAGE_NAMES = {
    EducationStage.PRESCHOOL: "学前教育",
    EducationStage.COMPULSORY: "义务教育",
    EducationStage.HIGH_SCHOOL: "普通高中",
    EducationStage.SECONDARY_VOCATIONAL: "中等职业教育",
    EducationStage.COLLEGE: "高等教育",
    EducationStage.SPECIAL_EDUCATION: "特殊教育",
}


class ApplicationKind(StrEnum):
    NEW_ENROLMENT = "new_enrolment"  # 附件1 困难职工子女金秋助学申请表（今年新入学）
    IN_SCHOOL = "in_school"  # 附件2 在校“圆梦计划”助学申请表


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"  # 待基层工会审核
    GRASSROOTS_APPROVED = "grassroots_approved"  # 待帮扶中心审核
    RETURNED = "returned"  # 退回补正
    REFUSED = "refused"  # 不予资助
    APPROVED = "approved"  # 审核通过，已生成资助
    REVOKED = "revoked"  # 撤销（公示异议成立或核实不符）


class ReviewStage(StrEnum):
    GRASSROOTS = "grassroots"  # 基层工会审核意见
    CENTRE = "centre"  # 帮扶中心意见


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REFUSE = "refuse"


class AwardStatus(StrEnum):
    APPROVED = "approved"  # 待公示
    NOTICED = "noticed"  # 已列入公示
    PAYING = "paying"  # 已发起付款
    PAID = "paid"  # 银行确认到账
    REVOKED = "revoked"


class NoticeStatus(StrEnum):
    PUBLISHED = "published"
    TAKEN_DOWN = "taken_down"


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # 异议成立：撤销资助
    DISMISSED = "dismissed"  # 异议不成立


class PaymentStatus(StrEnum):
    PENDING = "pending"  # 待编入批次
    BATCHED = "batched"  # 已编入批次，待导出
    SENT = "sent"  # 已导出给银行，等待回盘
    UNKNOWN = "unknown"  # 结果未知：回盘未列出或查询无结论，重发前必须先查询
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class BatchStatus(StrEnum):
    OPEN = "open"
    EXPORTED = "exported"
    RESULTS_IMPORTED = "results_imported"


class AidCampaign(TimestampMixin, Base):
    """One year's campaign settings: the deadlines of the notice and the public-notice period."""

    __tablename__ = "aid_campaign"
    __table_args__ = (
        CheckConstraint("notice_working_days >= 1", name="notice_days_positive"),
        CheckConstraint("warn_days_before >= 0", name="warn_days_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    notice_working_days: Mapped[int] = mapped_column(Integer, default=5)
    archives_due: Mapped[date] = mapped_column(Date)  # 建立完善助学档案、上报需求汇总表
    paper_files_due: Mapped[date] = mapped_column(Date)  # 纸质申报材料报送
    stage_report_due: Mapped[date] = mapped_column(Date)  # 阶段性情况报告
    final_report_due: Mapped[date] = mapped_column(Date)  # 活动总结
    warn_days_before: Mapped[int] = mapped_column(Integer, default=7)


class AidStandard(TimestampMixin, Base):
    """One rule of the notice for one year: who qualifies, from which fund, how much."""

    __tablename__ = "aid_standard"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("year", "code"),
        CheckConstraint("cap > 0", name="cap_positive"),
        CheckConstraint("max_awards_per_year >= 1", name="max_awards_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    fund_source: Mapped[str] = mapped_column(String(16))
    archived_family: Mapped[bool] = mapped_column(Boolean)  # True: 建档困难职工家庭; False: 未建档
    stages: Mapped[list[str]] = mapped_column(JSON)
    kinds: Mapped[list[str]] = mapped_column(JSON)  # application kinds it accepts
    basis: Mapped[str] = mapped_column(String(20))
    cap: Mapped[Decimal] = mapped_column(Money)
    max_awards_per_year: Mapped[int] = mapped_column(Integer, default=1)
    new_enrolment_first: Mapped[bool] = mapped_column(Boolean, default=False)
    donor: Mapped[str | None] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AidApplication(TimestampMixin, Base):
    """An application as submitted on 附件1 or 附件2, linked to the registry's student (and family)."""

    __tablename__ = "aid_application"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("tuition_invoice_amount IS NULL OR tuition_invoice_amount >= 0", name="tuition_nonneg"),
        CheckConstraint("requested_amount IS NULL OR requested_amount > 0", name="requested_positive"),
        CheckConstraint("length_of_study BETWEEN 1 AND 9", name="length_of_study_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    standard_id: Mapped[int] = mapped_column(ForeignKey("aid_standard.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("registry_family.id"), index=True)
    family_archived: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # the student's login
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(24), index=True, default=ApplicationStatus.SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    education_stage: Mapped[str] = mapped_column(String(24))
    # 附件1: the worker
    worker_name: Mapped[str | None] = mapped_column(String(50))
    worker_employer: Mapped[str | None] = mapped_column(String(200))
    worker_id_enc: Mapped[str | None] = mapped_column(String(300))
    worker_id_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    worker_id_masked: Mapped[str | None] = mapped_column(String(24))
    # both forms: the student
    student_name: Mapped[str] = mapped_column(String(50))
    student_id_enc: Mapped[str] = mapped_column(String(300))
    student_id_bidx: Mapped[str] = mapped_column(String(64), index=True)
    student_id_masked: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str | None] = mapped_column(String(2))  # 附件2
    ethnicity: Mapped[str | None] = mapped_column(String(20))  # 附件2
    birth_date: Mapped[date | None] = mapped_column(Date)  # 附件2
    address_enc: Mapped[str] = mapped_column(String(1000))
    address_masked: Mapped[str] = mapped_column(String(20))
    school_kind: Mapped[str | None] = mapped_column(String(40))  # 附件1 学校种类
    school_name: Mapped[str] = mapped_column(String(200))
    enrolment_date: Mapped[date] = mapped_column(Date)
    length_of_study: Mapped[int] = mapped_column(Integer)
    major: Mapped[str | None] = mapped_column(String(200))
    reason_enc: Mapped[str] = mapped_column(Text)  # 申请原因 (may name illnesses): encrypted
    hardship_reason: Mapped[str] = mapped_column(String(100))  # 困难原因 as shown on the public notice
    tuition_invoice_amount: Mapped[Decimal | None] = mapped_column(Money)
    requested_amount: Mapped[Decimal | None] = mapped_column(Money)
    payee_name: Mapped[str] = mapped_column(String(50))
    payee_bank: Mapped[str] = mapped_column(String(100))
    payee_card_enc: Mapped[str] = mapped_column(String(300))
    payee_card_bidx: Mapped[str] = mapped_column(String(64))
    payee_card_masked: Mapped[str] = mapped_column(String(30))
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    return_reason: Mapped[str | None] = mapped_column(String(500))

    members: Mapped[list[AidApplicationMember]] = relationship(
        back_populates="application", lazy="raise", cascade="all, delete-orphan", order_by="AidApplicationMember.id"
    )


class AidApplicationMember(Base):
    """共同生活家庭成员信息 as written on the form."""

    __tablename__ = "aid_application_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("aid_application.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    employer: Mapped[str | None] = mapped_column(String(200))
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_masked: Mapped[str | None] = mapped_column(String(20))

    application: Mapped[AidApplication] = relationship(back_populates="members", lazy="raise")


class AidAttachment(TimestampMixin, Base):
    __tablename__ = "aid_attachment"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("aid_application.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_path: Mapped[str] = mapped_column(String(400))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None] = mapped_column()
    check_note: Mapped[str | None] = mapped_column(String(200))


class AidReview(Base):
    """One opinion on an application; append-only."""

    __tablename__ = "aid_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("aid_application.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    opinion: Mapped[str] = mapped_column(String(500))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AidBudget(TimestampMixin, Base):
    """The money of one fund source for one county in one year; ``committed`` is held by live awards."""

    __tablename__ = "aid_budget"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("county_org_id", "year", "fund_source"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("committed >= 0 AND committed <= amount", name="committed_within_amount"),
        CheckConstraint("paid >= 0 AND paid <= committed", name="paid_within_committed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    fund_source: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    committed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(String(200))


class AidAward(TimestampMixin, Base):
    """The grant decided for an application. ``award_seq`` numbers a student's awards of one fund in one year
    (at most the standard's allowance); a revoked award gives its number back (NULL)."""

    __tablename__ = "aid_award"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("student_id", "year", "fund_source", "award_seq"),
        CheckConstraint("amount > 0 AND amount <= cap", name="amount_within_cap"),
        CheckConstraint("award_seq IS NULL OR award_seq >= 1", name="award_seq_positive"),
        CheckConstraint("status = 'revoked' OR award_seq IS NOT NULL", name="live_award_numbered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("aid_application.id"), unique=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("aid_standard.id"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("aid_budget.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    fund_source: Mapped[str] = mapped_column(String(16))
    award_seq: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    cap: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), index=True, default=AwardStatus.APPROVED)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    paid_at: Mapped[datetime | None] = mapped_column()


class AidNotice(TimestampMixin, Base):
    """公示 (附件6): a batch of approved awards shown for at least N working days."""

    __tablename__ = "aid_notice"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("working_days >= 1", name="working_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200))
    supervision_phone: Mapped[str] = mapped_column(String(30))  # 单位监督电话 (a public office number)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.PUBLISHED)
    taken_down_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidNoticeEntry(Base):
    __tablename__ = "aid_notice_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("aid_notice.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("aid_award.id"), unique=True)
    position: Mapped[int] = mapped_column(Integer)


class AidObjection(TimestampMixin, Base):
    __tablename__ = "aid_objection"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("aid_notice.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("aid_award.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    content: Mapped[str] = mapped_column(String(1000))
    lodged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lodged_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ObjectionStatus.OPEN, index=True)
    resolution: Mapped[str | None] = mapped_column(String(1000))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()


class AidPaymentBatch(TimestampMixin, Base):
    __tablename__ = "aid_payment_batch"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.OPEN)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    count: Mapped[int] = mapped_column(Integer, default=0)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    exported_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidPayment(TimestampMixin, Base):
    """The one payment of an award (unique award_id) or of a policy claim (unique claim_id) — exactly one of the
    two —, to the card the application or the claim names."""

    __tablename__ = "aid_payment"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(award_id IS NULL) <> (claim_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("aid_award.id"), unique=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("aid_policy_claim.id"), unique=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("aid_payment_batch.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # 付款流水号 sent to the bank
    amount: Mapped[Decimal] = mapped_column(Money)
    payee_name: Mapped[str] = mapped_column(String(50))
    payee_bank: Mapped[str] = mapped_column(String(100))
    payee_card_enc: Mapped[str] = mapped_column(String(300))
    payee_card_masked: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(16), index=True, default=PaymentStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    bank_message: Mapped[str | None] = mapped_column(String(300))
    settled_at: Mapped[datetime | None] = mapped_column()
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidPaymentRequest(Base):
    """An idempotency key and the answer given for it: the same key always gets the same answer."""

    __tablename__ = "aid_payment_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("aid_award.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("aid_policy_claim.id"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AidWorkStudy(TimestampMixin, Base):
    """A work-study placement (勤工俭学岗位, incl. the summer special) of an aided student, with its subsidy."""

    __tablename__ = "aid_work_study"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("subsidy_amount >= 0", name="subsidy_nonneg"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    post_title: Mapped[str] = mapped_column(String(200))
    employer_name: Mapped[str] = mapped_column(String(200))
    summer_special: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    subsidy_amount: Mapped[Decimal] = mapped_column(Money)
    fund_source: Mapped[str] = mapped_column(String(16))
