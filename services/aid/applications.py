"""Aid applications: the forms (附件1/附件2), their validation, filing, correction and look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from services.aid.campaigns import get_campaign, get_standard
from services.aid.guards import CENT, covers_or_404
from services.aid.models import (
    AidApplication,
    AidApplicationMember,
    AidStandard,
    AmountBasis,
    ApplicationKind,
    ApplicationStatus,
)
from services.aid.registry_link import StudentFacts, student_facts
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_bank_card, normalize_phone, parse_resident_id
from services.orgs import service as orgs
from services.security import pii
from services.security.caseload import assigned_counselor_id
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import STAFF, UNION_SIDE, scoped


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


def submit_application(session: Session, *, principal: Principal, data: ApplicationInput) -> AidApplication:
    """File a new application for a registry student. Staff file for students in scope, a student for self.

    The application's org unit comes from the archive (the student's unit) and its counselor from the caseload
    (the student's assigned counselor), never from the filer: no one can move an application to another county
    or keep a reviewer off it by naming them.
    """
    facts = student_facts(session, student_id=data.student_id)
    if principal.role == Role.GRADUATE:
        if facts.user_id != principal.user_id:
            raise NotFound("学生档案不存在或不属于您")
    elif principal.role in STAFF:
        covers_or_404(principal, facts.org_unit_id, "学生档案")
    else:
        raise Forbidden("您的角色不能提交助学申请")
    unit_id = facts.org_unit_id
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
        counselor_id=assigned_counselor_id(session, graduate_id=facts.student_id),
        created_by=principal.user_id,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    _apply_form(app, data, standard, facts)
    app.members = _members(data)
    session.add(app)
    session.flush()
    return app


def visible_aid_applications(stmt: Select[AidApplication], principal: Principal) -> Select[AidApplication]:
    """``stmt`` narrowed to the applications ``principal`` may see: a graduate those they filed, the union side
    those of its scope, no one else any."""
    return scoped(stmt, principal, org=AidApplication.org_unit_id, roles=UNION_SIDE, owner=AidApplication.user_id)


def get_application(session: Session, *, principal: Principal, application_id: int) -> AidApplication:
    if principal.role == Role.ENTERPRISE:
        raise Forbidden("企业不能查看助学申请")
    stmt = select(AidApplication).where(AidApplication.id == application_id)
    app = session.scalar(visible_aid_applications(stmt, principal).options(selectinload(AidApplication.members)))
    if app is None:
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
    stmt = visible_aid_applications(select(AidApplication), principal)
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
    app.counselor_id = assigned_counselor_id(session, graduate_id=app.student_id)
    app.status = ApplicationStatus.SUBMITTED
    app.submitted_at = utcnow()
    session.flush()
    return app


def conflicted_reviewers(session: Session, *, app: AidApplication) -> frozenset[int]:
    """Who may not review ``app``: the student, the counselor on the application and the one assigned now."""
    current = assigned_counselor_id(session, graduate_id=app.student_id)
    return frozenset(i for i in (app.user_id, app.counselor_id, current) if i is not None)


def reveal_form_field(app: AidApplication, field_name: str) -> str | None:
    return {
        "student_id_number": app.student_id_enc,
        "worker_id_number": app.worker_id_enc,
        "home_address": app.address_enc,
        "payee_card": app.payee_card_enc,
        "reason": app.reason_enc,
    }[field_name]
