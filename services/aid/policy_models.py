"""Employment policies as data (§五(二)(三)): subsidies and compensations with versioned rules, the funds that pay
them and their budgets, the claims graduates make (applied → granted → paid, to the bank card like 助学金), and
the national student aid (奖、助、贷、勤、减、免) a student receives."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.aid.models import Money
from services.db import Base, TimestampMixin, utcnow


class PolicyKind(StrEnum):
    JOB_SEEKING = "job_seeking"  # 求职创业补贴
    INTERNSHIP = "internship"  # 就业见习补贴
    TUITION_COMPENSATION = "tuition_compensation"  # 基层就业学费补偿
    LOAN_REPAYMENT = "loan_repayment"  # 助学贷款代偿
    SKILLS_TRAINING = "skills_training"  # 技能培训补贴
    JOB_REFERRAL = "job_referral"  # 职业介绍补贴
    SUMMER_SPECIAL = "summer_special"  # 暑期专项勤工俭学岗位补贴
    OTHER = "other"


POLICY_KIND_NAMES = {
    PolicyKind.JOB_SEEKING: "求职创业补贴",
    PolicyKind.INTERNSHIP: "就业见习补贴",
    PolicyKind.TUITION_COMPENSATION: "基层就业学费补偿",
    PolicyKind.LOAN_REPAYMENT: "助学贷款代偿",
    PolicyKind.SKILLS_TRAINING: "技能培训补贴",
    PolicyKind.JOB_REFERRAL: "职业介绍补贴",
    PolicyKind.SUMMER_SPECIAL: "暑期专项勤工俭学补贴",
    PolicyKind.OTHER: "其他补贴",
}


class PolicyFund(StrEnum):
    CENTRAL_SUPPORT = "central_support"  # 央财帮扶资金
    PROVINCE_EMPLOYMENT = "province_employment"  # 省总就业创业资金
    GOVERNMENT_EMPLOYMENT = "government_employment"  # 政府就业补助资金（人社、财政）
    CITY_SUPPORT = "city_support"  # 市总帮扶资金


POLICY_FUND_NAMES = {
    PolicyFund.CENTRAL_SUPPORT: "央财帮扶资金",
    PolicyFund.PROVINCE_EMPLOYMENT: "省总就业创业资金",
    PolicyFund.GOVERNMENT_EMPLOYMENT: "政府就业补助资金",
    PolicyFund.CITY_SUPPORT: "市总帮扶资金",
}


class AmountBasis(StrEnum):
    FIXED = "fixed"  # the amount, to everyone who qualifies
    CAP = "cap"  # the amount claimed (tuition paid, loan owed, training fee), at most the cap


AMOUNT_BASIS_NAMES = {AmountBasis.FIXED: "定额", AmountBasis.CAP: "按实际，最高限额"}


class EmployerKind(StrEnum):
    GRASSROOTS_UNIT = "grassroots_unit"  # 县以下基层单位（乡镇、街道、村和社区，县以下机关事业单位）
    GRASSROOTS_PROGRAM = "grassroots_program"  # 基层服务项目（特岗、三支一扶、西部计划…）
    SME = "sme"  # 中小微企业
    ENTERPRISE = "enterprise"  # 其他企业
    PUBLIC = "public"  # 县以上机关事业单位
    SELF_EMPLOYED = "self_employed"  # 自主创业


EMPLOYER_KIND_NAMES = {
    EmployerKind.GRASSROOTS_UNIT: "县以下基层单位",
    EmployerKind.GRASSROOTS_PROGRAM: "基层服务项目",
    EmployerKind.SME: "中小微企业",
    EmployerKind.ENTERPRISE: "企业",
    EmployerKind.PUBLIC: "机关事业单位",
    EmployerKind.SELF_EMPLOYED: "自主创业",
}


class VersionStatus(StrEnum):
    ACTIVE = "active"  # 现行
    SUPERSEDED = "superseded"  # 已被新版本替代


class ClaimStatus(StrEnum):
    APPLIED = "applied"  # 已申请，待审核
    GRANTED = "granted"  # 已核准，待发放
    REFUSED = "refused"  # 不予核准
    WITHDRAWN = "withdrawn"  # 已撤回
    PAYING = "paying"  # 已发起付款
    PAID = "paid"  # 银行确认到账


CLAIM_STATUS_NAMES = {
    ClaimStatus.APPLIED: "待审核",
    ClaimStatus.GRANTED: "已核准待发放",
    ClaimStatus.REFUSED: "不予核准",
    ClaimStatus.WITHDRAWN: "已撤回",
    ClaimStatus.PAYING: "付款中",
    ClaimStatus.PAID: "已到账",
}


class NationalAidKind(StrEnum):
    SCHOLARSHIP = "scholarship"  # 奖：国家奖学金、国家励志奖学金
    GRANT = "grant"  # 助：国家助学金
    LOAN = "loan"  # 贷：国家助学贷款（生源地信用助学贷款、校园地助学贷款）
    WORK_STUDY = "work_study"  # 勤：勤工助学
    REDUCTION = "reduction"  # 减：学费减免（减）
    WAIVER = "waiver"  # 免：免学费


NATIONAL_AID_NAMES = {
    NationalAidKind.SCHOLARSHIP: "奖（奖学金）",
    NationalAidKind.GRANT: "助（助学金）",
    NationalAidKind.LOAN: "贷（助学贷款）",
    NationalAidKind.WORK_STUDY: "勤（勤工助学）",
    NationalAidKind.REDUCTION: "减（学费减缴）",
    NationalAidKind.WAIVER: "免（学费免除）",
}


class AidPolicy(TimestampMixin, Base):
    """A subsidy or compensation the unions follow up (its name and kind); its rules are in its versions."""

    __tablename__ = "aid_policy"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidPolicyVersion(TimestampMixin, Base):
    """One version of a policy's rules. A new version supersedes the active one from its first day; a claim keeps
    the version it was made under."""

    __tablename__ = "aid_policy_version"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("policy_id", "version"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("aid_policy.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.ACTIVE, index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    fund: Mapped[str] = mapped_column(String(24))
    basis: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Money)  # the fixed amount, or the cap
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    proofs: Mapped[list[str]] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(String(400), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AidFundBudget(TimestampMixin, Base):
    """The money of one policy fund for one county in one year; ``committed`` is held by granted claims."""

    __tablename__ = "aid_fund_budget"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("county_org_id", "year", "fund"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
        CheckConstraint("committed >= 0 AND committed <= amount", name="committed_within_amount"),
        CheckConstraint("paid >= 0 AND paid <= committed", name="paid_within_committed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    committed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))


class AidPolicyClaim(TimestampMixin, Base):
    """A graduate's claim of one policy version: the employer facts its rules read, the proofs handed in, the
    amount, and the card it is paid to."""

    __tablename__ = "aid_policy_claim"
    __audit__ = True
    __table_args__ = (
        CheckConstraint("requested_amount > 0", name="requested_positive"),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("aid_policy.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("aid_policy_version.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    fund: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), index=True, default=ClaimStatus.APPLIED)
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    budget_id: Mapped[int | None] = mapped_column(ForeignKey("aid_fund_budget.id"), index=True)
    employer_name: Mapped[str | None] = mapped_column(String(200))
    employer_kind: Mapped[str | None] = mapped_column(String(24))
    employer_place: Mapped[str | None] = mapped_column(String(6))
    proofs: Mapped[list[str]] = mapped_column(JSON)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the rule checks as decided at application
    payee_name: Mapped[str] = mapped_column(String(50))
    payee_bank: Mapped[str] = mapped_column(String(100))
    payee_card_enc: Mapped[str] = mapped_column(String(300))
    payee_card_bidx: Mapped[str] = mapped_column(String(64))
    payee_card_masked: Mapped[str] = mapped_column(String(30))
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    paid_at: Mapped[datetime | None] = mapped_column()


class NationalAid(TimestampMixin, Base):
    """National student aid a student received (奖、助、贷、勤、减、免): kind, school year, amount and source."""

    __tablename__ = "aid_national_aid"
    __audit__ = True
    __table_args__ = (
        UniqueConstraint("student_id", "kind", "year", "source"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    county_org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)  # 学年的起始年份（2023 = 2023—2024学年）
    amount: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(String(200))  # e.g. 国家助学金（学校）、生源地信用助学贷款（国家开发银行）
    note: Mapped[str | None] = mapped_column(String(300))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
