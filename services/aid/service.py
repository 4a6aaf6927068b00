"""Student aid: standards, applications, review, awards and budgets, public notices, payments, deadlines.

Every function is keyword-only, takes a session, flushes and never commits. Dates that matter to the rules
(notice periods, objections, payment eligibility, deadline warnings) take ``today`` so that tests and the
daily job run on a working-day clock of their choosing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.aid import attachments as files
from services.aid import bank as bankmod
from services.aid import workdays
from services.aid.models import (
    AidApplication,
    AidApplicationMember,
    AidAttachment,
    AidAward,
    AidBudget,
    AidCampaign,
    AidNotice,
    AidNoticeEntry,
    AidObjection,
    AidPayment,
    AidPaymentBatch,
    AidPaymentRequest,
    AidReview,
    AidStandard,
    AidWorkStudy,
    AmountBasis,
    ApplicationKind,
    ApplicationStatus,
    AwardStatus,
    BatchStatus,
    EducationStage,
    FundSource,
    NoticeStatus,
    ObjectionStatus,
    PaymentStatus,
    ReviewDecision,
    ReviewStage,
)
from services.aid.registry_link import StudentFacts, student_facts
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_bank_card, normalize_phone, parse_resident_id
from services.notifications import service as notifications
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.security import audit, pii, reveal
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import STAFF, UNION_SIDE, scoped

CENT = Decimal("0.01")
_Row = TypeVar("_Row")
REVIEW_ROLES = STAFF
LIVE_AWARD = (AwardStatus.APPROVED, AwardStatus.NOTICED, AwardStatus.PAYING, AwardStatus.PAID)
DEADLINES: dict[str, str] = {
    "archives": "建立完善助学档案并上报金秋助学资金需求汇总表",
    "paper_files": "报送纸质申报材料至职工服务中心",
    "stage_report": "报送活动阶段性情况报告",
    "final_report": "报送活动总结",
}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _require_staff(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以执行此操作")


def _covers_or_404(principal: Principal, org_unit_id: int | None, what: str) -> None:
    if not principal.covers(org_unit_id):
        raise NotFound(f"{what}不存在或不在您的管辖范围内")


def _lock(stmt: Select[_Row], session: Session) -> Select[_Row]:
    """``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers on its own."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update()
    return stmt


# ---------------------------------------------------------------------------------------------- campaigns


@dataclass(frozen=True, slots=True)
class StandardSpec:
    code: str
    name: str
    fund_source: str
    archived_family: bool
    stages: list[str]
    kinds: list[str]
    basis: str
    cap: Decimal
    max_awards_per_year: int = 1
    new_enrolment_first: bool = False
    donor: str | None = None
    legal_basis: str = ""


def bundled_config() -> dict[str, Any]:
    text = resources.files("services.aid").joinpath("data", "campaigns.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _check_spec(spec: StandardSpec) -> None:
    if spec.fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{spec.fund_source}”无效", field="fund_source")
    if spec.basis not in {b.value for b in AmountBasis}:
        raise ValidationFailed(f"发放依据“{spec.basis}”无效", field="basis")
    stages = {s.value for s in EducationStage}
    if not spec.stages or any(s not in stages for s in spec.stages):
        raise ValidationFailed("教育阶段无效", field="stages")
    kinds = {k.value for k in ApplicationKind}
    if not spec.kinds or any(k not in kinds for k in spec.kinds):
        raise ValidationFailed("申请类型无效", field="kinds")
    if spec.cap <= 0 or spec.cap != spec.cap.quantize(CENT):
        raise ValidationFailed("标准金额须为正数，最多两位小数", field="cap")
    if spec.max_awards_per_year < 1:
        raise ValidationFailed("每年资助次数至少为1", field="max_awards_per_year")
    if spec.fund_source == FundSource.DONATION and (spec.basis != AmountBasis.DESIGNATED or not spec.donor):
        raise ValidationFailed("捐款资助须写明捐赠方，并按捐赠方指定的标准发放", field="donor")


def upsert_standard(session: Session, *, year: int, spec: StandardSpec) -> AidStandard:
    _check_spec(spec)
    row = session.scalar(select(AidStandard).where(AidStandard.year == year, AidStandard.code == spec.code))
    if row is None:
        row = AidStandard(year=year, code=spec.code)
        session.add(row)
    elif row.cap != spec.cap and session.scalar(select(AidAward.id).where(AidAward.standard_id == row.id).limit(1)):
        raise Conflict("该标准已有资助记录，不能再改金额；请新增一条标准", field="cap")
    row.name, row.fund_source, row.archived_family = spec.name, spec.fund_source, spec.archived_family
    row.stages, row.kinds, row.basis = list(spec.stages), list(spec.kinds), spec.basis
    row.cap, row.max_awards_per_year = _money(spec.cap), spec.max_awards_per_year
    row.new_enrolment_first, row.donor, row.legal_basis = spec.new_enrolment_first, spec.donor, spec.legal_basis
    row.active = True
    session.flush()
    return row


def upsert_campaign(
    session: Session,
    *,
    year: int,
    name: str,
    archives_due: date,
    paper_files_due: date,
    stage_report_due: date,
    final_report_due: date,
    notice_working_days: int = 5,
    warn_days_before: int = 7,
) -> AidCampaign:
    for label, due in (
        ("archives_due", archives_due),
        ("paper_files_due", paper_files_due),
        ("stage_report_due", stage_report_due),
        ("final_report_due", final_report_due),
    ):
        if due.year != year:
            raise ValidationFailed(f"截止日期须在{year}年内", field=label)
    if notice_working_days < 1:
        raise ValidationFailed("公示期至少1个工作日", field="notice_working_days")
    if not 0 <= warn_days_before <= 60:
        raise ValidationFailed("提前提醒天数应在0至60之间", field="warn_days_before")
    row = session.scalar(select(AidCampaign).where(AidCampaign.year == year))
    if row is None:
        row = AidCampaign(year=year)
        session.add(row)
    row.name, row.notice_working_days, row.warn_days_before = name, notice_working_days, warn_days_before
    row.archives_due, row.paper_files_due = archives_due, paper_files_due
    row.stage_report_due, row.final_report_due = stage_report_due, final_report_due
    session.flush()
    return row


def load_year(session: Session, *, year: int, config: dict[str, Any] | None = None) -> AidCampaign:
    """Load one year's campaign settings and standards from the bundled (or a given) configuration.

    A year absent from the file takes the newest configured year's rules with the dates moved to ``year``.
    """
    data = config or bundled_config()
    campaigns: dict[str, Any] = data["campaigns"]
    if not campaigns:
        raise ValidationFailed("配置文件中没有任何年度", field="campaigns")
    base_year = str(year) if str(year) in campaigns else max(campaigns, key=int)
    spec = campaigns[base_year]

    def moved(text: str) -> date:
        d = date.fromisoformat(text)
        return d.replace(year=year)

    campaign = upsert_campaign(
        session,
        year=year,
        name=str(spec["name"]).replace(base_year, str(year)),
        archives_due=moved(spec["archives_due"]),
        paper_files_due=moved(spec["paper_files_due"]),
        stage_report_due=moved(spec["stage_report_due"]),
        final_report_due=moved(spec["final_report_due"]),
        notice_working_days=int(spec.get("notice_working_days", 5)),
        warn_days_before=int(spec.get("warn_days_before", 7)),
    )
    for item in spec["standards"]:
        upsert_standard(
            session,
            year=year,
            spec=StandardSpec(
                code=item["code"],
                name=item["name"],
                fund_source=item["fund_source"],
                archived_family=bool(item["archived_family"]),
                stages=list(item["stages"]),
                kinds=list(item["kinds"]),
                basis=item["basis"],
                cap=Decimal(item["cap"]),
                max_awards_per_year=int(item.get("max_awards_per_year", 1)),
                new_enrolment_first=bool(item.get("new_enrolment_first", False)),
                donor=item.get("donor"),
                legal_basis=item.get("legal_basis", ""),
            ),
        )
    return campaign


def get_campaign(session: Session, *, year: int) -> AidCampaign:
    row = session.scalar(select(AidCampaign).where(AidCampaign.year == year))
    if row is None:
        raise NotFound(f"{year}年度的助学活动尚未配置")
    return row


def list_standards(session: Session, *, year: int) -> list[AidStandard]:
    return list(session.scalars(select(AidStandard).where(AidStandard.year == year).order_by(AidStandard.id)))


def get_standard(session: Session, *, year: int, code: str) -> AidStandard:
    row = session.scalar(select(AidStandard).where(AidStandard.year == year, AidStandard.code == code))
    if row is None or not row.active:
        raise ValidationFailed(f"{year}年度没有代码为“{code}”的资助标准", field="standard_code")
    return row


# ---------------------------------------------------------------------------------------------- budgets


def set_budget(
    session: Session,
    *,
    principal: Principal,
    county_org_id: int,
    year: int,
    fund_source: str,
    amount: Decimal,
    note: str | None = None,
) -> AidBudget:
    if principal.role not in {Role.UNION_CITY, Role.ADMIN}:
        raise Forbidden("预算由市总帮扶中心下达")
    if fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{fund_source}”无效", field="fund_source")
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValidationFailed("预算金额须为非负数，最多两位小数", field="amount")
    county = session.get(OrgUnit, county_org_id)
    if county is None or orgs.county_of(session, org_unit_id=county_org_id).id != county_org_id:
        raise ValidationFailed("预算须下达到县区、园区或市直工会", field="county_org_id")
    row = session.scalar(
        _lock(
            select(AidBudget).where(
                AidBudget.county_org_id == county_org_id, AidBudget.year == year, AidBudget.fund_source == fund_source
            ),
            session,
        )
    )
    if row is None:
        row = AidBudget(
            county_org_id=county_org_id, year=year, fund_source=fund_source, committed=Decimal(0), paid=Decimal(0)
        )
        session.add(row)
    elif amount < row.committed:
        raise Conflict(f"预算不能低于已批准金额 {row.committed} 元", field="amount")
    row.amount, row.note = _money(amount), note
    session.flush()
    return row


def list_budgets(session: Session, *, principal: Principal, year: int) -> list[AidBudget]:
    _require_staff(principal)
    stmt = select(AidBudget).where(AidBudget.year == year).order_by(AidBudget.county_org_id, AidBudget.fund_source)
    stmt = scoped(stmt, principal, org=AidBudget.county_org_id)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class BudgetTotal:
    county_org_id: int
    county_name: str
    fund_source: str
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed


def budget_totals(session: Session, *, year: int, scope: frozenset[int] | None) -> list[BudgetTotal]:
    """Budget, committed (approved awards), paid and remaining by county and fund source."""
    stmt = (
        select(AidBudget, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == AidBudget.county_org_id)
        .where(AidBudget.year == year)
        .order_by(OrgUnit.path, AidBudget.fund_source)
    )
    if scope is not None:
        stmt = stmt.where(AidBudget.county_org_id.in_(scope))
    return [
        BudgetTotal(b.county_org_id, name, b.fund_source, b.amount, b.committed, b.paid)
        for b, name in session.execute(stmt)
    ]


# ---------------------------------------------------------------------------------------------- applications


@dataclass(frozen=True, slots=True)
class MemberInput:
    relation: str
    name: str
    employer: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class ApplicationInput:
    kind: str
    year: int
    student_id: int
    standard_code: str
    education_stage: str
    student_name: str
    student_id_number: str
    home_address: str
    school_name: str
    enrolment_date: date
    length_of_study: int
    reason: str
    hardship_reason: str
    payee_name: str | None = None
    payee_bank: str | None = None
    payee_card: str | None = None
    counselor_user_id: int | None = None
    major: str | None = None
    school_kind: str | None = None
    worker_name: str | None = None
    worker_employer: str | None = None
    worker_id_number: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    birth_date: date | None = None
    tuition_invoice_amount: Decimal | None = None
    requested_amount: Decimal | None = None
    members: list[MemberInput] = field(default_factory=list)


def _resident_id(raw: str, field_name: str) -> str:
    try:
        return parse_resident_id(raw).number
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field=field_name) from exc


def _validate_form(data: ApplicationInput, standard: AidStandard, facts: StudentFacts) -> None:
    if data.kind not in {k.value for k in ApplicationKind}:
        raise ValidationFailed("申请类型应为 new_enrolment（附件1）或 in_school（附件2）", field="kind")
    if data.kind not in standard.kinds:
        raise ValidationFailed(f"“{standard.name}”不接受该类申请", field="kind")
    if data.education_stage not in standard.stages:
        raise ValidationFailed(f"“{standard.name}”不适用于该教育阶段", field="education_stage")
    if standard.archived_family != facts.archived:
        need = "建档困难职工家庭" if standard.archived_family else "未建档的困难职工家庭"
        raise ValidationFailed(f"“{standard.name}”只面向{need}", field="standard_code")
    if data.kind == ApplicationKind.NEW_ENROLMENT:
        for name in ("worker_name", "worker_employer", "worker_id_number", "school_kind"):
            if not getattr(data, name):
                raise ValidationFailed("附件1须填写职工姓名、工作单位、身份证号和学校种类", field=name)
    else:
        for name in ("sex", "ethnicity", "birth_date", "major"):
            if not getattr(data, name):
                raise ValidationFailed("附件2须填写性别、民族、出生日期和就读专业", field=name)
    student_id = parse_resident_id(_resident_id(data.student_id_number, "student_id_number"))
    if facts.id_number_bidx and pii.blind_index(pii.PiiKind.ID_NUMBER, student_id.number) != facts.id_number_bidx:
        raise ValidationFailed("学生身份证号与实名制档案中的不一致，请核对", field="student_id_number")
    if data.kind == ApplicationKind.IN_SCHOOL:
        if data.birth_date != student_id.birth_date:
            raise ValidationFailed("出生日期与身份证号不符", field="birth_date")
        if data.sex != student_id.sex:
            raise ValidationFailed("性别与身份证号不符", field="sex")
    if data.enrolment_date.year > data.year:
        raise ValidationFailed("入学时间不能晚于申请年度", field="enrolment_date")
    if data.kind == ApplicationKind.NEW_ENROLMENT and data.enrolment_date.year != data.year:
        raise ValidationFailed("附件1用于今年新入学的学生，入学时间应在申请年度内", field="enrolment_date")
    if not 1 <= data.length_of_study <= 9:
        raise ValidationFailed("学制应为1至9年", field="length_of_study")
    if standard.basis == AmountBasis.TUITION_INVOICE and data.tuition_invoice_amount is None:
        raise ValidationFailed("按学费发票发放的，须填写发票上的学费金额", field="tuition_invoice_amount")
    for name in ("tuition_invoice_amount", "requested_amount"):
        value: Decimal | None = getattr(data, name)
        if value is not None and (value < 0 or value != value.quantize(CENT)):
            raise ValidationFailed("金额须为非负数，最多两位小数", field=name)
    if data.requested_amount is not None and data.requested_amount > standard.cap:
        raise ValidationFailed(f"申请金额超过标准上限 {standard.cap} 元", field="requested_amount")
    if len(data.members) > 10:
        raise ValidationFailed("家庭成员最多填写10人", field="members")


def _apply_form(app: AidApplication, data: ApplicationInput, standard: AidStandard, facts: StudentFacts) -> None:
    student_no = _resident_id(data.student_id_number, "student_id_number")
    sealed = pii.seal(pii.PiiKind.ID_NUMBER, student_no)
    app.student_id_enc, app.student_id_bidx, app.student_id_masked = (
        sealed.ciphertext,
        sealed.blind_index,
        sealed.masked,
    )
    if data.worker_id_number:
        worker = pii.seal(pii.PiiKind.ID_NUMBER, _resident_id(data.worker_id_number, "worker_id_number"))
        app.worker_id_enc, app.worker_id_bidx, app.worker_id_masked = (
            worker.ciphertext,
            worker.blind_index,
            worker.masked,
        )
    else:
        app.worker_id_enc = app.worker_id_bidx = app.worker_id_masked = None
    if data.payee_card:
        try:
            card = normalize_bank_card(data.payee_card)
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field="payee_card") from exc
        sealed_card = pii.seal(pii.PiiKind.BANK_CARD, card)
        app.payee_card_enc, app.payee_card_bidx, app.payee_card_masked = (
            sealed_card.ciphertext,
            sealed_card.blind_index,
            sealed_card.masked,
        )
        if not data.payee_name or not data.payee_bank:
            raise ValidationFailed("填写收款银行卡时须同时填写收款人姓名和开户银行", field="payee_name")
        app.payee_name, app.payee_bank = data.payee_name.strip(), data.payee_bank.strip()
    elif facts.family_card_enc and facts.family_card_bidx and facts.family_card_masked:
        # the bank account of the family archive (附件3/4 开户银行、银行卡号)
        app.payee_card_enc, app.payee_card_bidx, app.payee_card_masked = (
            facts.family_card_enc,
            facts.family_card_bidx,
            facts.family_card_masked,
        )
        app.payee_name = (data.payee_name or facts.family_head or "").strip()
        app.payee_bank = (data.payee_bank or facts.family_bank or "").strip()
    else:
        raise ValidationFailed("档案中没有银行卡，须填写收款银行卡号", field="payee_card")
    if not app.payee_name or not app.payee_bank:
        raise ValidationFailed("须填写收款人姓名和开户银行", field="payee_bank")
    address = pii.seal(pii.PiiKind.TEXT, data.home_address.strip())
    app.address_enc, app.address_masked = address.ciphertext, address.masked
    app.reason_enc = pii.encrypt(data.reason.strip())
    app.kind, app.year, app.standard_id, app.education_stage = data.kind, data.year, standard.id, data.education_stage
    app.student_name, app.sex, app.ethnicity, app.birth_date = (
        data.student_name.strip(),
        data.sex,
        data.ethnicity,
        data.birth_date,
    )
    app.worker_name, app.worker_employer = data.worker_name, data.worker_employer
    app.school_kind, app.school_name, app.major = data.school_kind, data.school_name.strip(), data.major
    app.enrolment_date, app.length_of_study = data.enrolment_date, data.length_of_study
    app.hardship_reason = data.hardship_reason.strip()
    app.tuition_invoice_amount = data.tuition_invoice_amount
    app.requested_amount = data.requested_amount


def _counselor(session: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    if session.get(User, user_id) is None:
        raise ValidationFailed("就业指导员账号不存在", field="counselor_user_id")
    return user_id


def _members(data: ApplicationInput) -> list[AidApplicationMember]:
    out = []
    for i, m in enumerate(data.members):
        phone_enc = phone_masked = None
        if m.phone:
            try:
                phone = normalize_phone(m.phone)
            except InvalidIdentifier as exc:
                raise ValidationFailed(exc.reason, field=f"members.{i}.phone") from exc
            sealed = pii.seal(pii.PiiKind.PHONE, phone)
            phone_enc, phone_masked = sealed.ciphertext, sealed.masked
        out.append(
            AidApplicationMember(
                relation=m.relation, name=m.name, employer=m.employer, phone_enc=phone_enc, phone_masked=phone_masked
            )
        )
    return out


def submit_application(
    session: Session, *, principal: Principal, data: ApplicationInput, org_unit_id: int | None = None
) -> AidApplication:
    """File a new application for a registry student. Staff file for students in scope, a student for self."""
    facts = student_facts(session, student_id=data.student_id)
    if principal.role == Role.GRADUATE:
        if facts.user_id != principal.user_id:
            raise NotFound("学生档案不存在或不属于您")
    elif principal.role in STAFF:
        _covers_or_404(principal, facts.org_unit_id, "学生档案")
    else:
        raise Forbidden("您的角色不能提交助学申请")
    unit_id = org_unit_id or facts.org_unit_id
    if not principal.covers(unit_id) and principal.role != Role.GRADUATE:
        raise NotFound("单位不存在或不在您的管辖范围内")
    if session.get(OrgUnit, unit_id) is None:
        raise ValidationFailed("所属单位不存在", field="org_unit_id")
    get_campaign(session, year=data.year)
    standard = get_standard(session, year=data.year, code=data.standard_code)
    _validate_form(data, standard, facts)
    open_app = session.scalar(
        select(AidApplication.id).where(
            AidApplication.student_id == data.student_id,
            AidApplication.year == data.year,
            AidApplication.standard_id == standard.id,
            AidApplication.status.in_(
                [ApplicationStatus.SUBMITTED, ApplicationStatus.GRASSROOTS_APPROVED, ApplicationStatus.RETURNED]
            ),
        )
    )
    if open_app is not None:
        raise Conflict(f"该学生本年度已有一份同类申请在办理中（编号 {open_app}）", field="student_id")
    app = AidApplication(
        org_unit_id=unit_id,
        county_org_id=orgs.county_of(session, org_unit_id=unit_id).id,
        student_id=facts.student_id,
        family_id=facts.family_id,
        family_archived=facts.archived,
        user_id=facts.user_id,
        counselor_id=_counselor(session, data.counselor_user_id),
        created_by=principal.user_id,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    _apply_form(app, data, standard, facts)
    app.members = _members(data)
    session.add(app)
    session.flush()
    return app


def _visible(principal: Principal, app: AidApplication) -> bool:
    if principal.role == Role.GRADUATE:
        return app.user_id == principal.user_id
    if principal.role in UNION_SIDE:
        return principal.covers(app.org_unit_id)
    return False


def get_application(session: Session, *, principal: Principal, application_id: int) -> AidApplication:
    if principal.role == Role.ENTERPRISE:
        raise Forbidden("企业不能查看助学申请")
    app = session.scalar(
        select(AidApplication).where(AidApplication.id == application_id).options(selectinload(AidApplication.members))
    )
    if app is None or not _visible(principal, app):
        raise NotFound(f"助学申请 {application_id} 不存在或不在您的管辖范围内")
    return app


def list_applications(
    session: Session,
    *,
    principal: Principal,
    year: int | None = None,
    status: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[AidApplication], int]:
    """Newest first, except that within a standard giving new enrolment priority, new enrolment comes first."""
    if principal.role == Role.ENTERPRISE:
        raise Forbidden("企业不能查看助学申请")
    stmt = select(AidApplication)
    if principal.role == Role.GRADUATE:
        stmt = stmt.where(AidApplication.user_id == principal.user_id)
    elif principal.scope is not None:
        stmt = stmt.where(AidApplication.org_unit_id.in_(principal.scope))
    if year is not None:
        stmt = stmt.where(AidApplication.year == year)
    if status is not None:
        stmt = stmt.where(AidApplication.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    priority = (
        select(AidStandard.new_enrolment_first).where(AidStandard.id == AidApplication.standard_id).scalar_subquery()
    )
    new_first = and_(priority.is_(True), AidApplication.kind == ApplicationKind.NEW_ENROLMENT)
    stmt = (
        stmt.options(selectinload(AidApplication.members))
        .order_by(new_first.desc(), AidApplication.submitted_at, AidApplication.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt)), total


def correct_application(
    session: Session, *, principal: Principal, application_id: int, data: ApplicationInput
) -> AidApplication:
    """Resubmit an application returned for correction; the earlier opinions stay on record."""
    app = get_application(session, principal=principal, application_id=application_id)
    if principal.role == Role.COUNSELOR:
        raise Forbidden("指导员不能修改助学申请")
    if app.status != ApplicationStatus.RETURNED:
        raise Conflict("只有退回补正的申请才能修改后重新提交")
    if data.student_id != app.student_id or data.year != app.year:
        raise ValidationFailed("补正时不能更换学生或年度", field="student_id")
    facts = student_facts(session, student_id=app.student_id)
    standard = get_standard(session, year=data.year, code=data.standard_code)
    _validate_form(data, standard, facts)
    _apply_form(app, data, standard, facts)
    app.members = _members(data)
    app.family_archived = facts.archived
    if data.counselor_user_id is not None:
        app.counselor_id = _counselor(session, data.counselor_user_id)
    app.status = ApplicationStatus.SUBMITTED
    app.submitted_at = utcnow()
    session.flush()
    return app


def reveal_form_field(app: AidApplication, field_name: str) -> str | None:
    return {
        "student_id_number": app.student_id_enc,
        "worker_id_number": app.worker_id_enc,
        "home_address": app.address_enc,
        "payee_card": app.payee_card_enc,
        "reason": app.reason_enc,
    }[field_name]


# ---------------------------------------------------------------------------------------------- attachments


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    kind: str
    name: str
    uploaded: int
    checked: bool


def checklist(session: Session, *, app: AidApplication) -> list[ChecklistItem]:
    rows = list(session.scalars(select(AidAttachment).where(AidAttachment.application_id == app.id)))
    out = []
    for kind in files.REQUIRED[app.kind]:
        mine = [r for r in rows if r.kind == kind]
        out.append(
            ChecklistItem(
                kind=kind,
                name=files.ATTACHMENT_NAMES[kind],
                uploaded=len(mine),
                checked=any(r.checked_at is not None for r in mine),
            )
        )
    return out


def checklist_complete(session: Session, *, app: AidApplication) -> bool:
    return all(item.checked for item in checklist(session, app=app))


def upload_attachment(
    session: Session, *, principal: Principal, application_id: int, kind: str, filename: str, content: bytes
) -> AidAttachment:
    app = get_application(session, principal=principal, application_id=application_id)
    if principal.role == Role.COUNSELOR:
        raise Forbidden("指导员不能上传助学申请材料")
    if kind not in files.REQUIRED[app.kind]:
        raise ValidationFailed(f"“{kind}”不是该类申请需要的材料", field="kind")
    if app.status not in {ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED}:
        raise Conflict("申请已进入后续审核，不能再补传材料")
    stored = files.store(application_id=app.id, content=content)
    row = AidAttachment(
        application_id=app.id,
        org_unit_id=app.org_unit_id,
        kind=kind,
        filename=(filename or "附件")[-200:],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_path=stored.storage_path,
        uploaded_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def get_attachment(session: Session, *, principal: Principal, attachment_id: int) -> AidAttachment:
    row = session.get(AidAttachment, attachment_id)
    if row is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    get_application(session, principal=principal, application_id=row.application_id)
    return row


def check_attachment(
    session: Session, *, principal: Principal, attachment_id: int, note: str | None = None
) -> AidAttachment:
    _require_staff(principal)
    row = get_attachment(session, principal=principal, attachment_id=attachment_id)
    row.checked_by, row.checked_at, row.check_note = principal.user_id, utcnow(), note
    session.flush()
    return row


# ---------------------------------------------------------------------------------------------- review


def _award_amount(app: AidApplication, standard: AidStandard, amount: Decimal | None) -> Decimal:
    if standard.basis == AmountBasis.TUITION_INVOICE:
        invoice = app.tuition_invoice_amount or Decimal(0)
        decided = min(invoice, standard.cap)
        if amount is not None and amount != decided:
            raise ValidationFailed(f"按学费发票发放：金额应为发票学费与上限中较小者 {decided} 元", field="amount")
    elif standard.basis == AmountBasis.DESIGNATED:
        decided = amount if amount is not None else standard.cap
    else:
        decided = amount if amount is not None else (app.requested_amount or standard.cap)
    if decided <= 0:
        raise ValidationFailed("资助金额须大于0", field="amount")
    if decided != decided.quantize(CENT):
        raise ValidationFailed("金额最多两位小数", field="amount")
    if decided > standard.cap:
        raise ValidationFailed(f"资助金额不得超过标准上限 {standard.cap} 元", field="amount")
    return decided


def _grant(session: Session, *, app: AidApplication, standard: AidStandard, amount: Decimal) -> AidAward:
    """Commit budget and number the award inside the student's allowance for the year and fund."""
    budget = session.scalar(
        _lock(
            select(AidBudget).where(
                AidBudget.county_org_id == app.county_org_id,
                AidBudget.year == app.year,
                AidBudget.fund_source == standard.fund_source,
            ),
            session,
        )
    )
    if budget is None:
        raise Conflict("该县区本年度此项资金尚未下达预算，不能批准")
    remaining = budget.amount - budget.committed
    if amount > remaining:
        raise Conflict(f"预算余额不足：剩余 {remaining} 元，本次 {amount} 元")
    live = list(
        session.scalars(
            _lock(
                select(AidAward).where(
                    AidAward.student_id == app.student_id,
                    AidAward.year == app.year,
                    AidAward.fund_source == standard.fund_source,
                    AidAward.status != AwardStatus.REVOKED,
                ),
                session,
            )
        )
    )
    allowance = standard.max_awards_per_year
    if len(live) >= allowance:
        if allowance == 1:
            raise Conflict("该学生本年度已获同一资金来源的资助，标准不允许重复资助")
        raise Conflict(f"该学生本年度已获此项资金资助 {len(live)} 次，已达标准允许的次数")
    if standard.basis == AmountBasis.TUITION_INVOICE:
        so_far = sum((a.amount for a in live if a.standard_id == standard.id), Decimal(0))
        if so_far + amount > standard.cap:
            raise Conflict(f"每生每年不超过 {standard.cap} 元，本年度已发 {so_far} 元")
    taken = {a.award_seq for a in live}
    seq = next(n for n in range(1, allowance + 1) if n not in taken)
    award = AidAward(
        application_id=app.id,
        standard_id=standard.id,
        budget_id=budget.id,
        student_id=app.student_id,
        org_unit_id=app.org_unit_id,
        county_org_id=app.county_org_id,
        year=app.year,
        fund_source=standard.fund_source,
        award_seq=seq,
        amount=amount,
        cap=standard.cap,
        status=AwardStatus.APPROVED,
    )
    budget.committed = budget.committed + amount
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("该学生本年度已获同一资金来源的资助（并发提交已被拦截）") from exc
    return award


def review(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    stage: str,
    decision: str,
    opinion: str,
    amount: Decimal | None = None,
) -> AidApplication:
    """Grassroots union opinion, then assistance-centre opinion, by two different people; neither may be the
    student's counselor or the student. Approval at the centre creates the award and commits the budget."""
    if principal.role not in REVIEW_ROLES:
        raise Forbidden("只有工会工作人员可以填写审核意见")
    app = get_application(session, principal=principal, application_id=application_id)
    session.scalar(_lock(select(AidApplication.id).where(AidApplication.id == app.id), session))
    session.refresh(app)
    if stage not in {s.value for s in ReviewStage}:
        raise ValidationFailed("审核环节应为 grassroots（基层工会）或 centre（帮扶中心）", field="stage")
    if decision not in {d.value for d in ReviewDecision}:
        raise ValidationFailed("审核结论应为 approve、return 或 refuse", field="decision")
    if not opinion or len(opinion.strip()) < 2:
        raise ValidationFailed("须填写审核意见（退回或不予资助须写明原因）", field="opinion")
    if principal.user_id in {app.counselor_id, app.user_id}:
        raise Forbidden("学生本人及其就业指导员不能审核该申请")
    expected = {
        ApplicationStatus.SUBMITTED: ReviewStage.GRASSROOTS,
        ApplicationStatus.GRASSROOTS_APPROVED: ReviewStage.CENTRE,
    }.get(ApplicationStatus(app.status))
    if expected is None:
        raise Conflict("该申请当前状态不需要审核")
    if stage != expected:
        raise Conflict("须先由基层工会审核，再由帮扶中心审核")
    standard = session.get(AidStandard, app.standard_id)
    assert standard is not None
    decided: Decimal | None = None
    if (
        stage == ReviewStage.GRASSROOTS
        and decision == ReviewDecision.APPROVE
        and not checklist_complete(session, app=app)
    ):
        raise Conflict("申请材料尚未全部上传并核对，不能通过")
    if stage == ReviewStage.CENTRE:
        first = session.scalar(
            select(AidReview)
            .where(
                AidReview.application_id == app.id,
                AidReview.stage == ReviewStage.GRASSROOTS,
                AidReview.decision == ReviewDecision.APPROVE,
            )
            .order_by(AidReview.id.desc())
        )
        if first is None:
            raise Conflict("缺少基层工会审核意见")
        if first.reviewer_id == principal.user_id:
            raise Forbidden("帮扶中心意见须由与基层工会审核人不同的人员填写")
        if decision == ReviewDecision.APPROVE:
            decided = _award_amount(app, standard, amount)
            _grant(session, app=app, standard=standard, amount=decided)
    session.add(
        AidReview(
            application_id=app.id,
            stage=stage,
            decision=decision,
            opinion=opinion.strip(),
            amount=decided,
            reviewer_id=principal.user_id,
            at=utcnow(),
        )
    )
    if decision == ReviewDecision.RETURN:
        app.status, app.return_reason = ApplicationStatus.RETURNED, opinion.strip()
    elif decision == ReviewDecision.REFUSE:
        app.status, app.refusal_reason = ApplicationStatus.REFUSED, opinion.strip()
    elif stage == ReviewStage.GRASSROOTS:
        app.status = ApplicationStatus.GRASSROOTS_APPROVED
    else:
        app.status = ApplicationStatus.APPROVED
    session.flush()
    return app


def reviews_of(session: Session, *, application_id: int) -> list[AidReview]:
    return list(
        session.scalars(select(AidReview).where(AidReview.application_id == application_id).order_by(AidReview.id))
    )


def award_of(session: Session, *, application_id: int) -> AidAward | None:
    return session.scalar(select(AidAward).where(AidAward.application_id == application_id))


def get_award(session: Session, *, principal: Principal, award_id: int) -> AidAward:
    award = session.get(AidAward, award_id)
    if award is None:
        raise NotFound(f"资助 {award_id} 不存在")
    if principal.role == Role.GRADUATE:
        app = session.get(AidApplication, award.application_id)
        if app is None or app.user_id != principal.user_id:
            raise NotFound(f"资助 {award_id} 不存在")
        return award
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看资助记录")
    _covers_or_404(principal, award.org_unit_id, f"资助 {award_id} ")
    return award


def list_awards(
    session: Session, *, principal: Principal, year: int | None, status: str | None, limit: int, offset: int
) -> list[AidAward]:
    _require_staff(principal)
    stmt = select(AidAward).order_by(AidAward.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidAward.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidAward.year == year)
    if status is not None:
        stmt = stmt.where(AidAward.status == status)
    return list(session.scalars(stmt))


def revoke_award(session: Session, *, principal: Principal, award_id: int, reason: str) -> AidAward:
    """Withdraw an award that has not been paid; its budget and its place in the student's allowance return."""
    _require_staff(principal)
    award = get_award(session, principal=principal, award_id=award_id)
    session.scalar(_lock(select(AidAward.id).where(AidAward.id == award.id), session))
    session.refresh(award)
    if not reason or len(reason.strip()) < 2:
        raise ValidationFailed("撤销须写明原因", field="reason")
    return _revoke(session, award=award, reason=reason.strip())


def _revoke(session: Session, *, award: AidAward, reason: str) -> AidAward:
    if award.status == AwardStatus.PAID:
        raise Conflict("已发放到账的资助不能撤销")
    if award.status == AwardStatus.REVOKED:
        raise Conflict("该资助已撤销")
    if session.scalar(select(AidPayment.id).where(AidPayment.award_id == award.id)) is not None:
        raise Conflict("该资助已发起付款，不能撤销；请先处理付款结果")
    budget = session.scalar(_lock(select(AidBudget).where(AidBudget.id == award.budget_id), session))
    assert budget is not None
    budget.committed = budget.committed - award.amount
    award.status, award.award_seq, award.revoked_reason = AwardStatus.REVOKED, None, reason
    app = session.get(AidApplication, award.application_id)
    assert app is not None
    app.status, app.refusal_reason = ApplicationStatus.REVOKED, reason
    session.flush()
    return award


# ---------------------------------------------------------------------------------------------- public notice


def publish_notice(
    session: Session,
    *,
    principal: Principal,
    org_unit_id: int,
    award_ids: Sequence[int],
    supervision_phone: str,
    starts_on: date,
    working_days: int | None = None,
    unit_name: str | None = None,
) -> AidNotice:
    """Publish approved awards for at least the campaign's number of working days (default 5)."""
    _require_staff(principal)
    _covers_or_404(principal, org_unit_id, "单位")
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise NotFound("单位不存在")
    if not award_ids:
        raise ValidationFailed("公示名单不能为空", field="award_ids")
    awards = list(session.scalars(_lock(select(AidAward).where(AidAward.id.in_(set(award_ids))), session)))
    if len(awards) != len(set(award_ids)):
        raise NotFound("部分资助记录不存在")
    years = {a.year for a in awards}
    if len(years) != 1:
        raise ValidationFailed("一次公示只能包含同一年度的资助", field="award_ids")
    year = years.pop()
    campaign = get_campaign(session, year=year)
    days = working_days if working_days is not None else campaign.notice_working_days
    if days < campaign.notice_working_days:
        raise ValidationFailed(f"公示期不得少于 {campaign.notice_working_days} 个工作日", field="working_days")
    subtree = orgs.subtree_ids(session, org_unit_id=org_unit_id)
    for award in awards:
        if award.org_unit_id not in subtree or not principal.covers(award.org_unit_id):
            raise NotFound(f"资助 {award.id} 不存在或不属于该单位")
        if award.status != AwardStatus.APPROVED:
            raise Conflict(f"资助 {award.id} 不是待公示状态")
    try:
        phone = normalize_phone(supervision_phone)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="supervision_phone") from exc
    notice = AidNotice(
        org_unit_id=org_unit_id,
        year=year,
        unit_name=(unit_name or unit.name).strip(),
        supervision_phone=phone,
        starts_on=starts_on,
        ends_on=workdays.period_end(starts_on, days),
        working_days=days,
        status=NoticeStatus.PUBLISHED,
        created_by=principal.user_id,
    )
    session.add(notice)
    session.flush()
    for position, award in enumerate(sorted(awards, key=lambda a: a.id), start=1):
        session.add(AidNoticeEntry(notice_id=notice.id, award_id=award.id, position=position))
        award.status = AwardStatus.NOTICED
    session.flush()
    return notice


def get_notice(session: Session, *, principal: Principal, notice_id: int) -> AidNotice:
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看公示管理信息")
    notice = session.get(AidNotice, notice_id)
    if notice is None:
        raise NotFound(f"公示 {notice_id} 不存在")
    _covers_or_404(principal, notice.org_unit_id, f"公示 {notice_id} ")
    return notice


def list_notices(
    session: Session, *, principal: Principal, year: int | None, limit: int, offset: int
) -> list[AidNotice]:
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看公示管理信息")
    stmt = select(AidNotice).order_by(AidNotice.id.desc()).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidNotice.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidNotice.year == year)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class NoticeLine:
    """What the public sees: unit, name and hardship reason — nothing else."""

    position: int
    award_id: int
    unit_name: str
    name: str
    hardship_reason: str


def notice_lines(session: Session, *, notice: AidNotice) -> list[NoticeLine]:
    rows = session.execute(
        select(AidNoticeEntry.position, AidAward.id, AidApplication)
        .join(AidAward, AidAward.id == AidNoticeEntry.award_id)
        .join(AidApplication, AidApplication.id == AidAward.application_id)
        .where(AidNoticeEntry.notice_id == notice.id, AidAward.status != AwardStatus.REVOKED)
        .order_by(AidNoticeEntry.position)
    )
    return [
        NoticeLine(
            position=pos,
            award_id=award_id,
            unit_name=app.worker_employer or notice.unit_name,
            name=app.worker_name or app.student_name,
            hardship_reason=app.hardship_reason,
        )
        for pos, award_id, app in rows
    ]


def notice_is_showing(notice: AidNotice, *, today: date) -> bool:
    return notice.status == NoticeStatus.PUBLISHED and notice.starts_on <= today <= notice.ends_on


def public_notice(session: Session, *, principal: Principal, notice_id: int) -> tuple[AidNotice, list[NoticeLine]]:
    notice = get_notice(session, principal=principal, notice_id=notice_id)
    if notice.status == NoticeStatus.TAKEN_DOWN:
        raise Conflict("公示期已满，公示已撤下")
    return notice, notice_lines(session, notice=notice)


def lodge_objection(
    session: Session, *, principal: Principal, notice_id: int, award_id: int, content: str, today: date
) -> AidObjection:
    """Record an objection received during the notice period (by letter, phone or in person)."""
    _require_staff(principal)
    notice = get_notice(session, principal=principal, notice_id=notice_id)
    if not notice_is_showing(notice, today=today):
        raise Conflict(f"只能在公示期内（{notice.starts_on:%Y年%m月%d日}至{notice.ends_on:%Y年%m月%d日}）登记异议")
    entry = session.scalar(
        select(AidNoticeEntry).where(AidNoticeEntry.notice_id == notice.id, AidNoticeEntry.award_id == award_id)
    )
    if entry is None:
        raise NotFound("该资助不在此公示名单中")
    if not content or len(content.strip()) < 2:
        raise ValidationFailed("须写明异议内容", field="content")
    award = session.get(AidAward, award_id)
    assert award is not None
    if award.status == AwardStatus.REVOKED:
        raise Conflict("该资助已撤销")
    row = AidObjection(
        notice_id=notice.id,
        award_id=award_id,
        org_unit_id=award.org_unit_id,
        content=content.strip(),
        lodged_by=principal.user_id,
        lodged_on=today,
        status=ObjectionStatus.OPEN,
    )
    session.add(row)
    session.flush()
    return row


def get_objection(session: Session, *, principal: Principal, objection_id: int) -> AidObjection:
    _require_staff(principal)
    row = session.get(AidObjection, objection_id)
    if row is None:
        raise NotFound(f"异议 {objection_id} 不存在")
    _covers_or_404(principal, row.org_unit_id, f"异议 {objection_id} ")
    return row


def resolve_objection(
    session: Session, *, principal: Principal, objection_id: int, upheld: bool, resolution: str
) -> AidObjection:
    """Close an objection: upheld withdraws the award, dismissed keeps it. Either way the finding is recorded."""
    row = get_objection(session, principal=principal, objection_id=objection_id)
    if row.status != ObjectionStatus.OPEN:
        raise Conflict("该异议已处理")
    if not resolution or len(resolution.strip()) < 2:
        raise ValidationFailed("须写明核查处理结果", field="resolution")
    row.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    row.resolution, row.resolved_by, row.resolved_at = resolution.strip(), principal.user_id, utcnow()
    if upheld:
        award = session.scalar(_lock(select(AidAward).where(AidAward.id == row.award_id), session))
        assert award is not None
        if award.status != AwardStatus.REVOKED:
            _revoke(session, award=award, reason="公示异议成立：" + resolution.strip())
    session.flush()
    return row


def objections_of(session: Session, *, notice_id: int) -> list[AidObjection]:
    return list(
        session.scalars(select(AidObjection).where(AidObjection.notice_id == notice_id).order_by(AidObjection.id))
    )


def take_down(session: Session, *, principal: Principal | None, notice_id: int, today: date) -> AidNotice:
    if principal is not None:
        _require_staff(principal)
        notice = get_notice(session, principal=principal, notice_id=notice_id)
    else:
        found = session.get(AidNotice, notice_id)
        if found is None:
            raise NotFound(f"公示 {notice_id} 不存在")
        notice = found
    if notice.status == NoticeStatus.TAKEN_DOWN:
        return notice
    if today <= notice.ends_on:
        raise Conflict(f"公示期至{notice.ends_on:%Y年%m月%d日}止，期满后才能撤下")
    notice.status, notice.taken_down_at = NoticeStatus.TAKEN_DOWN, utcnow()
    session.flush()
    return notice


def take_down_expired(session: Session, *, today: date) -> int:
    """Take down every notice whose period has ended (the daily job)."""
    ids = list(
        session.scalars(
            select(AidNotice.id).where(AidNotice.status == NoticeStatus.PUBLISHED, AidNotice.ends_on < today)
        )
    )
    for notice_id in ids:
        take_down(session, principal=None, notice_id=notice_id, today=today)
    return len(ids)


# ---------------------------------------------------------------------------------------------- payments


def payment_blockers(session: Session, *, award: AidAward, today: date) -> list[str]:
    """Why an award cannot be paid yet (empty when it can)."""
    out: list[str] = []
    if award.status != AwardStatus.NOTICED:
        names = {
            AwardStatus.APPROVED: "尚未公示",
            AwardStatus.PAYING: "已发起付款",
            AwardStatus.PAID: "已发放",
            AwardStatus.REVOKED: "已撤销",
        }
        out.append(names.get(AwardStatus(award.status), "状态不允许付款"))
        return out
    reviewers = {
        r.stage: r.reviewer_id
        for r in session.scalars(
            select(AidReview)
            .where(AidReview.application_id == award.application_id, AidReview.decision == ReviewDecision.APPROVE)
            .order_by(AidReview.id)
        )
    }
    if len(reviewers) != 2 or reviewers[ReviewStage.GRASSROOTS] == reviewers[ReviewStage.CENTRE]:
        out.append("缺少两名不同人员的审核意见")
    notice = session.scalar(
        select(AidNotice)
        .join(AidNoticeEntry, AidNoticeEntry.notice_id == AidNotice.id)
        .where(AidNoticeEntry.award_id == award.id)
    )
    if notice is None:
        out.append("尚未公示")
    elif today <= notice.ends_on:
        out.append(f"公示期未满（至{notice.ends_on:%Y年%m月%d日}）")
    open_objection = session.scalar(
        select(AidObjection.id).where(AidObjection.award_id == award.id, AidObjection.status == ObjectionStatus.OPEN)
    )
    if open_objection is not None:
        out.append("公示异议尚未处理完毕")
    return out


@dataclass(frozen=True, slots=True)
class PaymentAnswer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def _payment_body(payment: AidPayment) -> dict[str, Any]:
    return {
        "payment_id": payment.id,
        "award_id": payment.award_id,
        "reference": payment.reference,
        "amount": f"{payment.amount:.2f}",
        "status": str(payment.status),
        "payee_name": payment.payee_name,
        "payee_card_masked": payment.payee_card_masked,
    }


def _problem_body(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    return {
        "type": f"https://sunshine.invalid/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [],
    }


def new_reference(prefix: str) -> str:
    return f"{prefix}{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def request_payment(
    session: Session, *, principal: Principal, award_id: int, idempotency_key: str, today: date
) -> PaymentAnswer:
    """Create the one payment of an award. On PostgreSQL the award row is locked first (``SELECT … FOR UPDATE``),
    so concurrent requests for one award run one after the other: a request whose key was answered before gets
    that same answer, any other sees the payment already made. The unique award_id on payments and the unique
    idempotency key are the last guards."""
    _require_staff(principal)
    key = idempotency_key.strip()
    if not 8 <= len(key) <= 100:
        raise ValidationFailed("Idempotency-Key 应为8至100个字符", field="Idempotency-Key")
    award = get_award(session, principal=principal, award_id=award_id)
    # every request for this award queues here, before anything else takes a lock on the award row
    session.scalar(_lock(select(AidAward.id).where(AidAward.id == award.id), session))
    replay = _replay(session, key=key, award_id=award.id)
    if replay is not None:
        return replay
    claim = AidPaymentRequest(
        idempotency_key=key, award_id=award.id, requested_by=principal.user_id, status_code=0, response={}
    )
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        # another request with this key committed first: give its answer
        replay = _replay(session, key=key, award_id=award.id)
        if replay is None:  # pragma: no cover - the unique violation means the row exists
            raise Conflict("同一幂等键的请求正在处理，请稍后重试") from None
        return replay
    answer = _create_payment(session, principal=principal, award_id=award.id, today=today)
    claim.status_code, claim.response = answer.status_code, answer.body
    session.flush()
    return answer


def _replay(session: Session, *, key: str, award_id: int) -> PaymentAnswer | None:
    row = session.scalar(select(AidPaymentRequest).where(AidPaymentRequest.idempotency_key == key))
    if row is None:
        return None
    if row.award_id != award_id:
        raise Conflict("该幂等键已用于另一笔资助的付款请求", field="Idempotency-Key")
    return PaymentAnswer(status_code=row.status_code, body=dict(row.response), replayed=True)


def _create_payment(session: Session, *, principal: Principal, award_id: int, today: date) -> PaymentAnswer:
    award = session.scalar(_lock(select(AidAward).where(AidAward.id == award_id), session))
    assert award is not None
    session.refresh(award)
    existing = session.scalar(select(AidPayment).where(AidPayment.award_id == award.id))
    if existing is not None:
        detail = f"该资助已有付款记录（流水号 {existing.reference}），不会重复付款"
        body = _problem_body(409, "already_paid", "与现有数据冲突", detail)
        body["payment_id"] = existing.id
        return PaymentAnswer(status_code=409, body=body)
    blockers = payment_blockers(session, award=award, today=today)
    if blockers:
        return PaymentAnswer(
            status_code=409, body=_problem_body(409, "not_payable", "当前不能付款", "；".join(blockers))
        )
    app = session.get(AidApplication, award.application_id)
    assert app is not None
    payment = AidPayment(
        award_id=award.id,
        county_org_id=award.county_org_id,
        org_unit_id=award.org_unit_id,
        reference=new_reference("JQ"),
        amount=award.amount,
        payee_name=app.payee_name,
        payee_bank=app.payee_bank,
        payee_card_enc=app.payee_card_enc,
        payee_card_masked=app.payee_card_masked,
        status=PaymentStatus.PENDING,
        attempts=1,
        requested_by=principal.user_id,
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        existing = session.scalar(select(AidPayment).where(AidPayment.award_id == award.id))
        body = _problem_body(409, "already_paid", "与现有数据冲突", "该资助已有付款记录，不会重复付款")
        body["payment_id"] = existing.id if existing else None
        return PaymentAnswer(status_code=409, body=body)
    award.status = AwardStatus.PAYING
    session.flush()
    return PaymentAnswer(status_code=201, body=_payment_body(payment))


def get_payment(session: Session, *, principal: Principal, payment_id: int) -> AidPayment:
    _require_staff(principal)
    row = session.get(AidPayment, payment_id)
    if row is None:
        raise NotFound(f"付款 {payment_id} 不存在")
    _covers_or_404(principal, row.org_unit_id, f"付款 {payment_id} ")
    return row


def list_payments(
    session: Session, *, principal: Principal, status: str | None, batch_id: int | None, limit: int, offset: int
) -> list[AidPayment]:
    _require_staff(principal)
    stmt = select(AidPayment).order_by(AidPayment.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidPayment.org_unit_id)
    if status is not None:
        stmt = stmt.where(AidPayment.status == status)
    if batch_id is not None:
        stmt = stmt.where(AidPayment.batch_id == batch_id)
    return list(session.scalars(stmt))


def create_batch(session: Session, *, principal: Principal, county_org_id: int, year: int) -> AidPaymentBatch:
    """Gather the county's pending payments of the year into a batch for the bank."""
    _require_staff(principal)
    _covers_or_404(principal, county_org_id, "单位")
    if orgs.county_of(session, org_unit_id=county_org_id).id != county_org_id:
        raise ValidationFailed("付款批次按县区、园区或市直工会编制", field="county_org_id")
    payments = list(
        session.scalars(
            _lock(
                select(AidPayment)
                .join(AidAward, AidAward.id == AidPayment.award_id)
                .where(
                    AidPayment.county_org_id == county_org_id,
                    AidAward.year == year,
                    AidPayment.status == PaymentStatus.PENDING,
                    AidPayment.batch_id.is_(None),
                )
                .order_by(AidPayment.id),
                session,
            )
        )
    )
    if not payments:
        raise Conflict("没有待编入批次的付款")
    batch = AidPaymentBatch(
        county_org_id=county_org_id,
        year=year,
        status=BatchStatus.OPEN,
        reference=new_reference("PB"),
        total=sum((p.amount for p in payments), Decimal(0)),
        count=len(payments),
        created_by=principal.user_id,
    )
    session.add(batch)
    session.flush()
    for p in payments:
        p.batch_id, p.status = batch.id, PaymentStatus.BATCHED
    session.flush()
    return batch


def get_batch(session: Session, *, principal: Principal, batch_id: int) -> AidPaymentBatch:
    _require_staff(principal)
    row = session.get(AidPaymentBatch, batch_id)
    if row is None:
        raise NotFound(f"付款批次 {batch_id} 不存在")
    _covers_or_404(principal, row.county_org_id, f"付款批次 {batch_id} ")
    return row


def export_batch(
    session: Session, *, principal: Principal, batch_id: int, gateway: bankmod.BankGateway
) -> bankmod.Submission:
    """Hand the batch to the bank (the file a clerk uploads). Exporting again gives the same lines and
    references, so a bank that already took the file rejects the repeats."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    session.scalar(_lock(select(AidPaymentBatch.id).where(AidPaymentBatch.id == batch.id), session))
    payments = list(session.scalars(select(AidPayment).where(AidPayment.batch_id == batch.id).order_by(AidPayment.id)))
    instructions = [
        bankmod.Instruction(
            reference=p.reference,
            payee_name=p.payee_name,
            card_number=pii.decrypt(p.payee_card_enc),
            bank_name=p.payee_bank,
            amount=p.amount,
            purpose=f"{batch.year}年金秋助学金",
        )
        for p in payments
        if p.status in {PaymentStatus.BATCHED, PaymentStatus.SENT}
    ]
    if not instructions:
        raise Conflict("该批次没有待发送的付款")
    submission = gateway.submit(batch_reference=batch.reference, instructions=instructions)
    audit.record(
        session,
        action="export",
        target_type="aid_payment_batch",
        target_id=batch.id,
        field="payee_card",
        purpose="导出银行批量代发文件",
        principal=principal,
        detail={"count": len(instructions)},
    )
    for p in payments:
        if p.status == PaymentStatus.BATCHED:
            p.status = PaymentStatus.SENT
    batch.status, batch.exported_at = BatchStatus.EXPORTED, utcnow()
    batch.file_sha256 = hashlib.sha256(submission.content).hexdigest()
    session.flush()
    return submission


@dataclass(frozen=True, slots=True)
class ImportSummary:
    succeeded: int
    failed: int
    unknown: int


def _settle(session: Session, *, payment: AidPayment, result: bankmod.BankResult) -> None:
    if result.amount != payment.amount:
        raise ValidationFailed(
            f"回盘金额与付款不符：流水号 {payment.reference} 应为 {payment.amount}，回盘为 {result.amount}",
            field="file",
        )
    payment.bank_message = result.message or None
    if result.outcome == bankmod.BankOutcome.SUCCEEDED:
        award = session.scalar(_lock(select(AidAward).where(AidAward.id == payment.award_id), session))
        assert award is not None
        budget = session.scalar(_lock(select(AidBudget).where(AidBudget.id == award.budget_id), session))
        assert budget is not None
        payment.status, payment.settled_at = PaymentStatus.SUCCEEDED, utcnow()
        if award.status != AwardStatus.PAID:
            award.status, award.paid_at = AwardStatus.PAID, utcnow()
            budget.paid = budget.paid + payment.amount
    elif result.outcome == bankmod.BankOutcome.FAILED:
        payment.status = PaymentStatus.FAILED
    else:
        payment.status = PaymentStatus.UNKNOWN


def import_results(
    session: Session, *, principal: Principal, batch_id: int, content: bytes, gateway: bankmod.FileBankGateway
) -> ImportSummary:
    """Apply the bank's result file. Lines for payments already settled are ignored; payments of the batch the
    file does not mention become "outcome unknown" and must be queried before any resend."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    if batch.status == BatchStatus.OPEN:
        raise Conflict("批次尚未导出给银行")
    results = bankmod.parse_results(content)
    payments = {
        p.reference: p
        for p in session.scalars(_lock(select(AidPayment).where(AidPayment.batch_id == batch.id), session))
    }
    unknown_refs = [r.reference for r in results if r.reference not in payments]
    if unknown_refs:
        raise ValidationFailed("回盘文件中有不属于本批次的流水号：" + "，".join(unknown_refs[:10]), field="file")
    seen = set()
    for result in results:
        payment = payments[result.reference]
        seen.add(result.reference)
        if payment.status in {PaymentStatus.SENT, PaymentStatus.UNKNOWN}:
            _settle(session, payment=payment, result=result)
    for ref, payment in payments.items():
        if ref not in seen and payment.status == PaymentStatus.SENT:
            payment.status = PaymentStatus.UNKNOWN
    gateway.keep_results(name=f"{utcnow():%Y%m%d%H%M%S%f}-{batch.reference}.csv", content=content)
    batch.status = BatchStatus.RESULTS_IMPORTED
    session.flush()
    counts = dict.fromkeys(PaymentStatus, 0)
    for p in payments.values():
        counts[PaymentStatus(p.status)] += 1
    return ImportSummary(
        succeeded=counts[PaymentStatus.SUCCEEDED],
        failed=counts[PaymentStatus.FAILED],
        unknown=counts[PaymentStatus.UNKNOWN],
    )


def resend_payment(
    session: Session, *, principal: Principal, payment_id: int, gateway: bankmod.BankGateway
) -> AidPayment:
    """Put a payment back for the next batch. An "outcome unknown" payment is first queried at the bank:
    paid means settled (no resend), failed allows the resend, no answer refuses it."""
    payment = get_payment(session, principal=principal, payment_id=payment_id)
    session.scalar(_lock(select(AidPayment.id).where(AidPayment.id == payment.id), session))
    session.refresh(payment)
    if payment.status in {PaymentStatus.UNKNOWN, PaymentStatus.SENT}:
        answer = gateway.query(reference=payment.reference)
        if answer is None or answer.outcome == bankmod.BankOutcome.UNKNOWN:
            raise Conflict("银行尚未给出该笔付款的结果，为防止重复付款不能重发；请导入回盘文件或向银行查询后再试")
        _settle(session, payment=payment, result=answer)
        if payment.status == PaymentStatus.SUCCEEDED:
            session.flush()
            return payment
    if payment.status != PaymentStatus.FAILED:
        raise Conflict("只有银行明确退回失败的付款才能重发")
    payment.status, payment.batch_id = PaymentStatus.PENDING, None
    payment.attempts += 1
    payment.reference = new_reference("JQ")
    session.flush()
    return payment


# ---------------------------------------------------------------------------------------------- deadlines


@dataclass(frozen=True, slots=True)
class Deadline:
    code: str
    title: str
    due_on: date


def deadlines_of(campaign: AidCampaign) -> list[Deadline]:
    return [
        Deadline("archives", DEADLINES["archives"], campaign.archives_due),
        Deadline("paper_files", DEADLINES["paper_files"], campaign.paper_files_due),
        Deadline("stage_report", DEADLINES["stage_report"], campaign.stage_report_due),
        Deadline("final_report", DEADLINES["final_report"], campaign.final_report_due),
    ]


def warn_deadlines(session: Session, *, today: date) -> int:
    """Write one notification per staff account, deadline and day inside the warning window. Running it twice on
    the same day writes nothing new. Returns the number written."""
    campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == today.year))
    if campaign is None:
        return 0
    due = [
        d for d in deadlines_of(campaign) if d.due_on - timedelta(days=campaign.warn_days_before) <= today <= d.due_on
    ]
    if not due:
        return 0
    staff = list(
        session.scalars(
            select(User.id).where(User.is_active.is_(True), User.role.in_([Role.UNION_COUNTY, Role.UNION_CITY]))
        )
    )
    written = 0
    for d in due:
        left = (d.due_on - today).days
        when = "今天" if left == 0 else f"还有{left}天"
        message = f"{campaign.name}：{d.title}的截止日期为{d.due_on:%m月%d日}，{when}到期"
        for user_id in staff:
            row = notifications.notify_once(
                session,
                recipient_id=user_id,
                key=f"aid:{campaign.year}:{d.code}:{today.isoformat()}",
                source="aid",
                kind="deadline",
                title=f"截止日期提醒：{d.title}",
                body=message,
                link=f"/api/v1/aid/campaigns/{campaign.year}/deadlines",
            )
            written += row is not None
    return written


# ---------------------------------------------------------------------------------------------- work-study


def add_work_study(
    session: Session,
    *,
    principal: Principal,
    student_id: int,
    year: int,
    post_title: str,
    employer_name: str,
    summer_special: bool,
    starts_on: date,
    ends_on: date,
    subsidy_amount: Decimal,
    fund_source: str,
) -> AidWorkStudy:
    """Record a work-study post (勤工俭学岗位, incl. the summer special) given to a registry student."""
    _require_staff(principal)
    facts = student_facts(session, student_id=student_id)
    _covers_or_404(principal, facts.org_unit_id, "学生档案")
    if ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ends_on")
    if subsidy_amount < 0 or subsidy_amount != subsidy_amount.quantize(CENT):
        raise ValidationFailed("岗位补贴须为非负数，最多两位小数", field="subsidy_amount")
    if fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{fund_source}”无效", field="fund_source")
    row = AidWorkStudy(
        org_unit_id=facts.org_unit_id,
        county_org_id=orgs.county_of(session, org_unit_id=facts.org_unit_id).id,
        student_id=student_id,
        year=year,
        post_title=post_title.strip(),
        employer_name=employer_name.strip(),
        summer_special=summer_special,
        starts_on=starts_on,
        ends_on=ends_on,
        subsidy_amount=subsidy_amount,
        fund_source=fund_source,
    )
    session.add(row)
    session.flush()
    return row


def list_work_study(
    session: Session, *, principal: Principal, year: int | None, limit: int, offset: int
) -> list[AidWorkStudy]:
    _require_staff(principal)
    stmt = select(AidWorkStudy).order_by(AidWorkStudy.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidWorkStudy.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidWorkStudy.year == year)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------------------------- reveal


def _load_application_field(field_name: str) -> reveal.Loader:
    def load(session: Session, principal: Principal, target_id: str) -> str | None:
        if not target_id.isdigit():
            raise NotFound("助学申请不存在")
        app = get_application(session, principal=principal, application_id=int(target_id))
        return reveal_form_field(app, field_name)

    return load


for _field, _kind in (
    ("student_id_number", pii.PiiKind.ID_NUMBER),
    ("worker_id_number", pii.PiiKind.ID_NUMBER),
    ("home_address", pii.PiiKind.TEXT),
    ("payee_card", pii.PiiKind.BANK_CARD),
    ("reason", pii.PiiKind.TEXT),
):
    reveal.register(
        "aid_application",
        _field,
        kind=_kind,
        roles={Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
        load=_load_application_field(_field),
    )
