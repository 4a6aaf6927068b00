"""The real-name registry (实名制档案): hardship families (附件3/4), members, students and graduates, consent
(附件5), economic checks, change history and spreadsheet import runs.

Sensitive values are stored sealed (``services.security.pii.seal``) as ``<name>_enc`` / ``<name>_bidx`` /
``<name>_masked``; derived values (birth date, sex, family size, incomes) are computed by the service, never typed.
Enumerated fields hold the codes of ``services/refdata/enums``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import Base, TimestampMixin, utcnow


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class FamilyStatus(StrEnum):
    ACTIVE = "active"  # 在档
    CLOSED = "closed"  # 已解档（脱困、迁出）


class Stage(StrEnum):
    STUDENT = "student"  # 在校生
    GRADUATE = "graduate"  # 毕业生


class Family(TimestampMixin, Base):
    """A hardship family archive: the head (职工本人) with the fields of 附件3 or 附件4."""

    __tablename__ = "registry_family"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=FamilyStatus.ACTIVE, index=True)
    closed_on: Mapped[date | None]
    closed_reason: Mapped[str | None] = mapped_column(String(200))

    archive_no: Mapped[str] = mapped_column(String(40), index=True)  # *职工编号
    hardship_category: Mapped[str] = mapped_column(String(20))  # *困难类别
    archive_type: Mapped[str] = mapped_column(String(20), index=True)  # *档案类型
    archive_standard: Mapped[str] = mapped_column(String(20))  # *建档标准

    name: Mapped[str] = mapped_column(String(50))  # *姓名
    ethnicity: Mapped[str] = mapped_column(String(20))  # *民族
    political_status: Mapped[str] = mapped_column(String(20))  # *政治面貌
    id_number_enc: Mapped[str] = mapped_column(String(300))  # *身份证号
    id_number_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str] = mapped_column(String(2))  # *性别 (from the ID)
    birth_date: Mapped[date]  # *出生日期 (from the ID)
    health_status_enc: Mapped[str] = mapped_column(String(300))  # *健康状况
    health_status_bidx: Mapped[str] = mapped_column(String(64))
    health_status_masked: Mapped[str] = mapped_column(String(24))
    disability_enc: Mapped[str | None] = mapped_column(String(300))  # 疾病/残疾类别
    disability_bidx: Mapped[str | None] = mapped_column(String(64))
    disability_masked: Mapped[str | None] = mapped_column(String(24))
    work_status: Mapped[str | None] = mapped_column(String(20))  # *工作状态 (附件3)
    work_start_date: Mapped[date | None]  # *工作时间 (附件3)
    contract_signed_on: Mapped[date | None]  # *劳动合同签订时间 (附件4)
    contract_term: Mapped[str | None] = mapped_column(String(40))  # *合同期限 (附件4)

    housing_type: Mapped[str] = mapped_column(String(20))  # *住房类型
    floor_area: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # 建筑面积
    phone_enc: Mapped[str | None] = mapped_column(String(300))  # 手机号码
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    other_contact: Mapped[str | None] = mapped_column(String(100))  # 其他联系方式
    model_worker_type: Mapped[str] = mapped_column(String(20))  # *劳模类型
    marital_status: Mapped[str] = mapped_column(String(20))  # *婚姻状况
    single_parent: Mapped[bool | None]  # 是否单亲
    medical_insurance: Mapped[str] = mapped_column(String(20))  # *医保状况

    address_enc: Mapped[str] = mapped_column(Text)  # *家庭住址
    address_bidx: Mapped[str] = mapped_column(String(64))
    address_masked: Mapped[str] = mapped_column(String(24))
    postal_code: Mapped[str | None] = mapped_column(String(6))  # 邮政编码
    employer_name: Mapped[str | None] = mapped_column(String(200))  # 工作单位 (*附件4)
    employer_nature: Mapped[str | None] = mapped_column(String(20))  # 单位性质
    enterprise_status: Mapped[str | None] = mapped_column(String(20))  # 企业状况
    industry_code: Mapped[str] = mapped_column(String(20))  # *所属行业

    monthly_income_enc: Mapped[str] = mapped_column(String(300))  # *本人月平均收入
    monthly_income_bidx: Mapped[str] = mapped_column(String(64))
    monthly_income_masked: Mapped[str] = mapped_column(String(24))
    other_annual_income_enc: Mapped[str] = mapped_column(String(300))  # *家庭其他非薪资年收入
    other_annual_income_bidx: Mapped[str] = mapped_column(String(64))
    other_annual_income_masked: Mapped[str] = mapped_column(String(24))
    annual_income_enc: Mapped[str] = mapped_column(String(300))  # *家庭年度总收入 (derived)
    annual_income_bidx: Mapped[str] = mapped_column(String(64))
    annual_income_masked: Mapped[str] = mapped_column(String(24))
    per_capita_income_enc: Mapped[str] = mapped_column(String(300))  # 家庭月人均收入 (derived)
    per_capita_income_bidx: Mapped[str] = mapped_column(String(64))
    per_capita_income_masked: Mapped[str] = mapped_column(String(24))
    family_size: Mapped[int] = mapped_column(Integer)  # *家庭人口 (derived)
    household_division_code: Mapped[str] = mapped_column(String(6))  # *户口所在地行政区划
    household_type: Mapped[str] = mapped_column(String(20))  # *户口类型

    self_help_ability: Mapped[bool | None]  # 是否有一定自救能力
    zero_employment: Mapped[bool] = mapped_column(default=False)  # 是否为零就业家庭 (derived)
    primary_cause: Mapped[str] = mapped_column(String(20), index=True)  # *主要致困原因
    secondary_causes: Mapped[list[str]] = mapped_column(JSON, default=list)  # 次要致困原因（0-3项）
    necessary_expense_enc: Mapped[str | None] = mapped_column(String(300))  # 年度必要支出
    necessary_expense_bidx: Mapped[str | None] = mapped_column(String(64))
    necessary_expense_masked: Mapped[str | None] = mapped_column(String(24))
    cause_note_enc: Mapped[str | None] = mapped_column(Text)  # 其他(文字描述)
    cause_note_bidx: Mapped[str | None] = mapped_column(String(64))
    cause_note_masked: Mapped[str | None] = mapped_column(String(24))

    bank_name: Mapped[str | None] = mapped_column(String(100))  # 开户银行
    bank_branch: Mapped[str | None] = mapped_column(String(100))  # 支行名称
    bank_card_enc: Mapped[str | None] = mapped_column(String(300))  # 银行卡号
    bank_card_bidx: Mapped[str | None] = mapped_column(String(64))
    bank_card_masked: Mapped[str | None] = mapped_column(String(24))

    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # 附件名称/类型/备注
    remarks: Mapped[str | None] = mapped_column(Text)  # 备注
    filed_by: Mapped[str] = mapped_column(String(50))  # *建档人
    reviewed_by: Mapped[str] = mapped_column(String(50))  # *审核人
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # 录入人 (automatic)

    members: Mapped[list[FamilyMember]] = relationship(
        back_populates="family", lazy="raise", cascade="all, delete-orphan", order_by="FamilyMember.id"
    )

    @property
    def age(self) -> int:
        """Age today, from the birth date of the ID number."""
        return age_on(self.birth_date, date.today())


class FamilyMember(TimestampMixin, Base):
    """A member of the family (家庭成员信息表格), 0..n per family."""

    __tablename__ = "registry_family_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("registry_family.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))  # *姓名
    relation: Mapped[str] = mapped_column(String(20))  # *关系（是户主的）
    ethnicity: Mapped[str] = mapped_column(String(20))  # *民族
    id_number_enc: Mapped[str] = mapped_column(String(300))  # *身份证号
    id_number_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str] = mapped_column(String(2))  # derived
    birth_date: Mapped[date]  # derived
    political_status: Mapped[str | None] = mapped_column(String(20))
    monthly_income_enc: Mapped[str] = mapped_column(String(300))  # *月收入
    monthly_income_bidx: Mapped[str] = mapped_column(String(64))
    monthly_income_masked: Mapped[str] = mapped_column(String(24))
    model_worker_type: Mapped[str] = mapped_column(String(20))  # *劳模类型
    health_status_enc: Mapped[str] = mapped_column(String(300))  # *健康状况
    health_status_bidx: Mapped[str] = mapped_column(String(64))
    health_status_masked: Mapped[str] = mapped_column(String(24))
    disability_enc: Mapped[str | None] = mapped_column(String(300))  # 疾病/残疾类别
    disability_bidx: Mapped[str | None] = mapped_column(String(64))
    disability_masked: Mapped[str | None] = mapped_column(String(24))
    medical_insurance: Mapped[str] = mapped_column(String(20))  # *医保状况
    marital_status: Mapped[str] = mapped_column(String(20))  # *婚姻状况
    household_type: Mapped[str] = mapped_column(String(20))  # *户口类型
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    other_contact: Mapped[str | None] = mapped_column(String(100))
    identity: Mapped[str] = mapped_column(String(20))  # *人员身份
    education: Mapped[str | None] = mapped_column(String(20))  # 当前学历
    enrolment_year: Mapped[int | None] = mapped_column(Integer)  # 入学年份
    study_years: Mapped[int | None] = mapped_column(Integer)  # 年制
    school_or_employer: Mapped[str | None] = mapped_column(String(200))  # 单位或学校
    employer_nature: Mapped[str | None] = mapped_column(String(20))
    enterprise_status: Mapped[str | None] = mapped_column(String(20))
    industry_code: Mapped[str | None] = mapped_column(String(20))
    work_status: Mapped[str | None] = mapped_column(String(20))  # 工作状态
    contract_signed_on: Mapped[date | None]  # 劳动合同签订/入伍时间
    contract_term: Mapped[str | None] = mapped_column(String(40))  # 合同期限
    remarks: Mapped[str | None] = mapped_column(Text)

    family: Mapped[Family] = relationship(back_populates="members", lazy="raise")

    @property
    def age(self) -> int:
        """Age today, from the birth date of the ID number."""
        return age_on(self.birth_date, date.today())


class Graduate(TimestampMixin, Base):
    """A student or graduate served by the campaign (通知 二、服务对象), with intentions and preferences.

    Linked to a family for categories (一)(二), standing alone for (三)–(六). ``user_id`` is the graduate's own
    account. ``enterprise_visible`` is the graduate's opt-in for employers to see the profile (off by default).
    """

    __tablename__ = "registry_graduate"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("registry_family.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("registry_family_member.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.GRADUATE, index=True)
    service_category: Mapped[str] = mapped_column(String(20), index=True)

    name: Mapped[str] = mapped_column(String(50))
    id_number_enc: Mapped[str] = mapped_column(String(300))
    id_number_bidx: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str] = mapped_column(String(2))  # derived
    birth_date: Mapped[date]  # derived
    ethnicity: Mapped[str | None] = mapped_column(String(20))  # 附件2 民族
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    home_division_code: Mapped[str | None] = mapped_column(String(6))  # 生源地

    school_kind: Mapped[str] = mapped_column(String(20))  # 学校种类
    school_name: Mapped[str] = mapped_column(String(200), index=True)  # 学校名称
    enrolled_on: Mapped[date | None]  # 入学时间
    study_years: Mapped[int | None] = mapped_column(Integer)  # 学制
    major_raw: Mapped[str | None] = mapped_column(String(100))  # 专业 as written
    major_code: Mapped[str | None] = mapped_column(String(12), index=True)  # resolved catalog code
    major_name: Mapped[str | None] = mapped_column(String(100))  # catalog name of major_code
    education: Mapped[str] = mapped_column(String(20))  # 学历
    cohort: Mapped[int | None] = mapped_column(Integer, index=True)  # 毕业届别 (2021, 2022, 2023, …)

    employment_status: Mapped[str] = mapped_column(String(20), default="unemployed", index=True)
    intentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_places: Mapped[list[str]] = mapped_column(JSON, default=list)  # division codes
    expected_pay_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    expected_pay_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    assistance_needs: Mapped[str | None] = mapped_column(Text)
    enterprise_visible: Mapped[bool] = mapped_column(default=False)
    remarks: Mapped[str | None] = mapped_column(Text)

    family: Mapped[Family | None] = relationship(lazy="raise")

    @property
    def age(self) -> int:
        """Age today, from the birth date of the ID number."""
        return age_on(self.birth_date, date.today())


class Consent(TimestampMixin, Base):
    """附件5 家庭经济状况核对承诺授权书: the family's authorisation, the members it covers, and its revocation."""

    __tablename__ = "registry_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("registry_family.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(100))  # 本家庭已提出申请享受 ___
    signed_on: Mapped[date]
    handler_name: Mapped[str] = mapped_column(String(50))  # 经办人
    grassroots_union: Mapped[str | None] = mapped_column(String(200))  # 申请人所属基层工会
    phone_enc: Mapped[str | None] = mapped_column(String(300))  # 联系电话
    phone_bidx: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    members: Mapped[list[ConsentMember]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ConsentMember.id"
    )


class ConsentMember(Base):
    """A person the consent covers (共同生活的家庭成员及法定赡养人、抚养人、扶养人)."""

    __tablename__ = "registry_consent_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("registry_consent.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    relation: Mapped[str] = mapped_column(String(20))  # 与户主关系 (code, or "本人" for the head)
    id_number_enc: Mapped[str] = mapped_column(String(300))
    id_number_bidx: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(24))


class EconomicCheck(TimestampMixin, Base):
    """An economic-status check (家庭经济状况核对), only under a consent that was in force."""

    __tablename__ = "registry_economic_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("registry_family.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("registry_consent.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    checked_on: Mapped[date]
    agency: Mapped[str] = mapped_column(String(100))  # 核对部门
    items: Mapped[list[str]] = mapped_column(JSON, default=list)  # 社保, 车辆, 房屋, 存款, 经营
    result_enc: Mapped[str] = mapped_column(Text)
    result_bidx: Mapped[str] = mapped_column(String(64))
    result_masked: Mapped[str] = mapped_column(String(24))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class RegistryChange(Base):
    """History: one row per change of a family, member, graduate or consent — who, when, old → new.

    Values of sensitive fields appear masked; ``changes`` maps field → [old, new].
    """

    __tablename__ = "registry_change"
    __table_args__ = (Index("ix_registry_change_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(20))  # family / member / graduate / consent
    entity_id: Mapped[int] = mapped_column(Integer)
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # create / update / delete / close / revoke
    source: Mapped[str] = mapped_column(String(40), default="api")  # api / import:<job id>
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # every row imported (or checked, for a dry run)
    PARTIAL = "partial"  # good rows only: some rows skipped
    FAILED = "failed"  # all-or-nothing run with errors: nothing written
    ERROR = "error"  # the file could not be read at all


class ImportJob(TimestampMixin, Base):
    """One upload of a spreadsheet, its dry run or real run, progress, counts and every error found."""

    __tablename__ = "registry_import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(16))  # families / graduates
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(8))  # xlsx / csv
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the upload, encrypted for this job alone
    size_bytes: Mapped[int] = mapped_column(Integer)
    dry_run: Mapped[bool] = mapped_column(default=True)
    good_rows_only: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED, index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(String(300))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    source_job_id: Mapped[int | None] = mapped_column(ForeignKey("registry_import_job.id"))
    existing: Mapped[str] = mapped_column(String(8), default="update")  # a person already registered: update / skip
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # runs started (a redelivered task counts again)
    unmapped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # option wordings not understood


class ImportMapping(TimestampMixin, Base):
    """An option wording an org's clerk confirmed once (“农业户口” → 农村户口 for 户口类型), applied to its next
    sheets."""

    __tablename__ = "registry_import_mapping"
    __table_args__ = (UniqueConstraint("org_unit_id", "enumeration", "wording"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    enumeration: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(String(100))  # as compared: full-width folded, no spaces
    code: Mapped[str] = mapped_column(String(20))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("registry_import_job.id", ondelete="SET NULL"))
