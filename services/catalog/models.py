"""Employers, positions of five kinds, grassroots program rule sets, job fairs and the catalog version."""

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
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin, utcnow

Money = Numeric(12, 2)


class EmployerStatus(StrEnum):
    PENDING = "pending"  # 待认证
    VERIFIED = "verified"  # 已认证
    REJECTED = "rejected"  # 未通过


class Ownership(StrEnum):
    """单位性质."""

    STATE_OWNED = "state_owned"
    COLLECTIVE = "collective"
    PRIVATE = "private"
    FOREIGN = "foreign"
    HK_MACAO_TAIWAN = "hk_macao_taiwan"
    GOVERNMENT = "government"
    INSTITUTION = "institution"
    SOCIAL_ORG = "social_org"
    INDIVIDUAL = "individual"
    OTHER = "other"


OWNERSHIP_NAMES: dict[str, str] = {
    Ownership.STATE_OWNED: "国有企业",
    Ownership.COLLECTIVE: "集体企业",
    Ownership.PRIVATE: "民营企业",
    Ownership.FOREIGN: "外资企业",
    Ownership.HK_MACAO_TAIWAN: "港澳台资企业",
    Ownership.GOVERNMENT: "机关",
    Ownership.INSTITUTION: "事业单位",
    Ownership.SOCIAL_ORG: "社会组织",
    Ownership.INDIVIDUAL: "个体工商户",
    Ownership.OTHER: "其他",
}


class PositionKind(StrEnum):
    JOB = "job"  # 就业岗位
    INTERNSHIP = "internship"  # 实习见习
    WORK_STUDY = "work_study"  # 勤工俭学
    GRASSROOTS = "grassroots"  # 基层服务项目
    ENTREPRENEURSHIP = "entrepreneurship"  # 创业扶持


class PositionStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    FILLED = "filled"


class PositionSource(StrEnum):
    JOB_FAIR = "job_fair"  # 招聘会
    SCHOOL_ENTERPRISE = "school_enterprise"  # 校企对接
    UNION_PARTNER = "union_partner"  # 工会合作单位
    SELF_POSTED = "self_posted"  # 企业自行发布


class Education(StrEnum):
    SECONDARY = "secondary"  # 中职/高中
    JUNIOR_COLLEGE = "junior_college"  # 高职专科
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTOR = "doctor"  # 博士


class PayBasis(StrEnum):
    HOURLY = "hourly"
    MONTHLY = "monthly"


class MentorKind(StrEnum):
    EXPERT = "expert"  # 创业专家
    MODEL_WORKER = "model_worker"  # 劳动模范
    CRAFTSMAN = "craftsman"  # 工匠


class FairMode(StrEnum):
    ONLINE = "online"
    ON_SITE = "on_site"


class Employer(TimestampMixin, Base):
    __tablename__ = "employer"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised name for duplicate checks
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    industry_code: Mapped[str] = mapped_column(String(8))
    ownership: Mapped[str] = mapped_column(String(20))
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone_enc: Mapped[str | None] = mapped_column(String(300))
    contact_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True, default=EmployerStatus.PENDING)
    review_note: Mapped[str] = mapped_column(String(300), default="")
    verified_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    possible_duplicates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class EmployerAccount(Base):
    """Links an enterprise account to the employer it manages (one employer per account)."""

    __tablename__ = "employer_account"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramRuleSet(TimestampMixin, Base):
    """Eligibility rules of a grassroots program for one year and province; a new version supersedes older ones.

    ``province_code`` "000000" holds rules that apply nationwide when a province has none of its own.
    """

    __tablename__ = "program_rule_set"
    __table_args__ = (UniqueConstraint("program", "year", "province_code", "version"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(24), index=True)
    program_name: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer, index=True)
    province_code: Mapped[str] = mapped_column(String(6))
    version: Mapped[int] = mapped_column(Integer, default=1)
    education_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_education: Mapped[str] = mapped_column(String(16), default=Education.SECONDARY)
    max_age: Mapped[int | None] = mapped_column(Integer)
    graduation_window_years: Mapped[int | None] = mapped_column(Integer)
    majors: Mapped[list[str]] = mapped_column(JSON, default=list)
    major_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    disciplines: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_local_hukou: Mapped[bool] = mapped_column(Boolean, default=False)
    hukou_scope: Mapped[str] = mapped_column(String(10), default="province")
    required_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    source_notice: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Position(TimestampMixin, Base):
    """A position of one of five kinds; the kind's own fields are empty for the other kinds."""

    __tablename__ = "position"
    __table_args__ = (
        # two signings for the last place cannot both land: the database refuses a filled count above the headcount
        CheckConstraint("headcount IS NULL OR filled <= headcount", name="filled_within_headcount"),
    )
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    majors: Mapped[list[str]] = mapped_column(JSON, default=list)
    major_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    disciplines: Mapped[list[str]] = mapped_column(JSON, default=list)
    majors_text: Mapped[str] = mapped_column(String(500), default="")
    min_education: Mapped[str] = mapped_column(String(16), default=Education.SECONDARY)
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    pay_min: Mapped[Decimal | None] = mapped_column(Money)
    pay_max: Mapped[Decimal | None] = mapped_column(Money)
    headcount: Mapped[int | None] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)
    opens_on: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    hardship_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True, default=PositionStatus.DRAFT)
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    published_at: Mapped[datetime | None] = mapped_column()
    occupations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # how the occupations were set: "suggested" (inferred from the title), "confirmed" (by the poster), "" (none)
    occupation_state: Mapped[str] = mapped_column(String(10), default="", server_default="")
    occupation_confidence: Mapped[float | None] = mapped_column(Float)
    # internship / 见习
    duration_months: Mapped[int | None] = mapped_column(Integer)
    subsidy: Mapped[Decimal | None] = mapped_column(Money)
    # work-study / 勤工俭学
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    pay_basis: Mapped[str | None] = mapped_column(String(8))
    rate: Mapped[Decimal | None] = mapped_column(Money)
    summer_special: Mapped[bool] = mapped_column(Boolean, default=False)
    # grassroots program
    program: Mapped[str | None] = mapped_column(String(24))
    program_year: Mapped[int | None] = mapped_column(Integer)
    service_years: Mapped[int | None] = mapped_column(Integer)
    rule_set_id: Mapped[int | None] = mapped_column(ForeignKey("program_rule_set.id"), index=True)
    # entrepreneurship support
    fund_amount: Mapped[Decimal | None] = mapped_column(Money)
    venue: Mapped[str | None] = mapped_column(String(300))
    mentor_kind: Mapped[str | None] = mapped_column(String(16))
    mentor_name: Mapped[str | None] = mapped_column(String(50))
    competition: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class JobFair(TimestampMixin, Base):
    __tablename__ = "job_fair"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    division_code: Mapped[str | None] = mapped_column(String(6))
    venue: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    organiser: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class JobFairPosition(Base):
    __tablename__ = "job_fair_position"

    job_fair_id: Mapped[int] = mapped_column(ForeignKey("job_fair.id"), primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), primary_key=True, index=True)


class CatalogVersion(Base):
    """A single-row counter bumped by every catalog change; the matcher rebuilds its index when it moves."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProviderKind(StrEnum):
    HR_AGENCY = "hr_agency"  # 人力资源服务机构
    EMPLOYMENT_SERVICE = "employment_service"  # 社会就业服务机构
    TRAINING = "training"  # 职业培训机构


class ServiceProvider(TimestampMixin, Base):
    """An HR or employment-service agency the unions buy 定向就业援助 from (购买服务)."""

    __tablename__ = "catalog_service_provider"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone_enc: Mapped[str | None] = mapped_column(String(300))
    contact_phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ServiceContract(TimestampMixin, Base):
    """A purchased-service contract: a union buys employment services for a number of graduates over a period."""

    __tablename__ = "catalog_service_contract"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("graduates_to_serve >= 1", name="graduates_to_serve_positive"),
    )
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("catalog_service_provider.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the purchasing union
    number: Mapped[str] = mapped_column(String(60), unique=True)  # 合同编号
    title: Mapped[str] = mapped_column(String(200))
    service_content: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    fund: Mapped[str] = mapped_column(String(20))  # 资金来源
    graduates_to_serve: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
