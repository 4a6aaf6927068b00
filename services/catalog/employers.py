"""Employers: registration by an enterprise (unverified until union staff verify it), creation and edits by union
staff, duplicate detection by name, review, and the contact phone behind the reveal check.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matching import fuzzy
from services.catalog.access import DUPLICATE_CUTOFF, _is_staff, _manages_employer, bump_version, employer_id_for_user
from services.catalog.models import (
    OWNERSHIP_NAMES,
    Employer,
    EmployerAccount,
    EmployerStatus,
)
from services.catalog.schemas import (
    EmployerCreate,
    EmployerUpdate,
)
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_credit_code, normalize_phone
from services.orgs.models import OrgUnit
from services.refdata import api as refdata
from services.refdata.api import RefIndustry
from services.security import pii, reveal
from services.security import service as security
from services.security.models import Role, User
from services.security.principal import Principal

# --------------------------------------------------------------------------------------------- employers


def _credit_code(raw: str) -> str:
    try:
        return normalize_credit_code(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="credit_code") from exc


def _set_phone(employer: Employer, raw: str | None) -> None:
    if not raw:
        employer.contact_phone_enc = employer.contact_phone_bidx = employer.contact_phone_masked = None
        return
    try:
        value = normalize_phone(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="contact_phone") from exc
    sealed = pii.seal(pii.PiiKind.PHONE, value)
    employer.contact_phone_enc = sealed.ciphertext
    employer.contact_phone_bidx = sealed.blind_index
    employer.contact_phone_masked = sealed.masked


def find_similar_employers(
    session: Session, *, name: str, exclude_id: int | None = None, score_cutoff: float = DUPLICATE_CUTOFF
) -> list[dict[str, Any]]:
    """Registered employers whose names are near this one (legal-form suffixes ignored), best first."""
    key = fuzzy.normalize_org_name(name)
    stmt = select(Employer.id, Employer.name, Employer.name_key)
    if exclude_id is not None:
        stmt = stmt.where(Employer.id != exclude_id)
    rows = session.execute(stmt).all()
    if not rows or not key:
        return []
    choices = {row.id: row.name_key for row in rows}
    names = {row.id: row.name for row in rows}
    hits = fuzzy.extract(key, choices, scorer=fuzz.ratio, processor=None, limit=5, score_cutoff=score_cutoff)
    return [{"id": int(emp_id), "name": names[emp_id], "score": round(score, 1)} for _, score, emp_id in hits]


def _check_employer_fields(session: Session, values: dict[str, Any]) -> None:
    if "industry_code" in values:
        values["industry_code"] = refdata.check_industry(session, code=values["industry_code"]).code
    if "division_code" in values:
        refdata.check_division(session, code=values["division_code"])
    if "credit_code" in values:
        values["credit_code"] = _credit_code(values["credit_code"])


def _ensure_unique_code(session: Session, code: str, exclude_id: int | None = None) -> None:
    stmt = select(Employer.id, Employer.name).where(Employer.credit_code == code)
    found = session.execute(stmt).first()
    if found is not None and found.id != exclude_id:
        raise Conflict(f"统一社会信用代码已由“{found.name}”登记", field="credit_code")


def _new_employer(session: Session, data: EmployerCreate, *, org_unit_id: int, created_by: int | None) -> Employer:
    values = data.model_dump(exclude={"contact_phone", "org_unit_id"})
    _check_employer_fields(session, values)
    _ensure_unique_code(session, values["credit_code"])
    employer = Employer(
        **values,
        name_key=fuzzy.normalize_org_name(values["name"]),
        org_unit_id=org_unit_id,
        status=EmployerStatus.PENDING,
        created_by=created_by,
        possible_duplicates=find_similar_employers(session, name=values["name"]),
    )
    _set_phone(employer, data.contact_phone)
    session.add(employer)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same code
        raise Conflict("统一社会信用代码已被登记", field="credit_code") from exc
    return employer


def _org_unit_for_division(session: Session, division_code: str) -> int:
    """The union unit covering a place: the unit of that county, else of its city, else the top unit."""
    for code in (division_code, division_code[:4] + "00"):
        unit_id = session.scalar(
            select(OrgUnit.id).where(OrgUnit.division_code == code).order_by(OrgUnit.path).limit(1)
        )
        if unit_id is not None:
            return int(unit_id)
    top = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1))
    if top is None:
        raise ValidationFailed("尚未建立工会组织，无法登记用人单位", field="division_code")
    return int(top)


def register_employer(session: Session, *, principal: Principal, data: EmployerCreate) -> Employer:
    """Enterprise self-registration: an unverified employer linked to the enterprise account."""
    if principal.role != Role.ENTERPRISE:
        raise Forbidden("只有企业账号可以自助登记本单位")
    if employer_id_for_user(session, user_id=principal.user_id) is not None:
        raise Conflict("本账号已登记过单位，请修改原登记信息")
    org_unit_id = principal.org_unit_id or _org_unit_for_division(session, data.division_code)
    employer = _new_employer(session, data, org_unit_id=org_unit_id, created_by=principal.user_id)
    session.add(EmployerAccount(user_id=principal.user_id, employer_id=employer.id, created_at=utcnow()))
    session.flush()
    bump_version(session)
    return employer


def sign_up(
    session: Session, *, username: str, password: str, display_name: str, data: EmployerCreate
) -> tuple[User, Employer]:
    """An enterprise signs up by itself: a new enterprise account and its employer, pending until union staff
    verify it (the account may draft positions meanwhile but not publish them)."""
    _check_employer_fields(session, data.model_dump(include={"credit_code", "industry_code", "division_code"}))
    _ensure_unique_code(session, _credit_code(data.credit_code))
    org_unit_id = _org_unit_for_division(session, data.division_code)
    user = security.create_user(
        session,
        username=username.strip(),
        password=password,
        role=Role.ENTERPRISE,
        display_name=display_name.strip() or data.name,
        org_unit_id=org_unit_id,
    )
    principal = Principal(
        user_id=user.id, username=user.username, role=user.role, org_unit_id=org_unit_id, scope=frozenset()
    )
    return user, register_employer(session, principal=principal, data=data)


def create_employer(
    session: Session, *, principal: Principal, data: EmployerCreate, org_unit_id: int | None = None
) -> Employer:
    """Union staff register an employer (a partner, a fair exhibitor) in their scope; verified at once."""
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以代为登记单位")
    unit = org_unit_id or principal.org_unit_id or _org_unit_for_division(session, data.division_code)
    if not principal.covers(unit):
        raise Forbidden("不能在管辖范围之外登记单位")
    employer = _new_employer(session, data, org_unit_id=unit, created_by=principal.user_id)
    employer.status = EmployerStatus.VERIFIED
    employer.verified_at = utcnow()
    employer.verified_by = principal.user_id
    employer.review_note = "工会工作人员登记"
    session.flush()
    bump_version(session)
    return employer


def get_employer(session: Session, *, principal: Principal, employer_id: int) -> Employer:
    if not (_is_staff(principal) or principal.role == Role.ENTERPRISE):
        raise Forbidden("您的角色无权查看单位登记信息")
    employer = session.get(Employer, employer_id)
    if employer is None or not _manages_employer(session, principal, employer):
        raise NotFound(f"单位 {employer_id} 不存在")
    return employer


def list_employers(
    session: Session,
    *,
    principal: Principal,
    status: str | None,
    query: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Employer], int]:
    stmt = select(Employer)
    if principal.role == Role.ENTERPRISE:
        stmt = stmt.where(Employer.id == employer_id_for_user(session, user_id=principal.user_id))
    elif not _is_staff(principal):
        raise Forbidden("您的角色无权查看单位登记信息")
    elif principal.scope is not None:
        stmt = stmt.where(Employer.org_unit_id.in_(principal.scope))
    if status:
        stmt = stmt.where(Employer.status == status)
    if query:
        text = query.strip()
        stmt = stmt.where(or_(Employer.name.contains(text), Employer.credit_code == text.upper()))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(stmt.order_by(Employer.id).limit(limit).offset(offset))
    return list(rows), total


def update_employer(session: Session, *, principal: Principal, employer_id: int, data: EmployerUpdate) -> Employer:
    employer = get_employer(session, principal=principal, employer_id=employer_id)
    values = data.model_dump(exclude_unset=True)
    phone_sent = "contact_phone" in values
    phone = values.pop("contact_phone", None)
    for required in ("name", "credit_code", "industry_code", "ownership", "division_code"):
        if required in values and values[required] is None:
            raise ValidationFailed("该项不能清空", field=required)
    _check_employer_fields(session, values)
    if "credit_code" in values:
        _ensure_unique_code(session, values["credit_code"], exclude_id=employer.id)
    identity_changed = any(
        k in values and values[k] != getattr(employer, k) for k in ("name", "credit_code", "division_code")
    )
    for key, value in values.items():
        setattr(employer, key, value if value is not None or key == "contact_email" else "")
    if "name" in values:
        employer.name_key = fuzzy.normalize_org_name(employer.name)
        employer.possible_duplicates = find_similar_employers(session, name=employer.name, exclude_id=employer.id)
    if phone_sent:
        _set_phone(employer, phone)
    if identity_changed and principal.role == Role.ENTERPRISE and employer.status != EmployerStatus.PENDING:
        # A verified name, code or place changed by the enterprise itself is checked again.
        employer.status = EmployerStatus.PENDING
        employer.review_note = "单位名称、信用代码或所在地变更，待重新认证"
    session.flush()
    bump_version(session)
    return employer


def review_employer(
    session: Session, *, principal: Principal, employer_id: int, approve: bool, note: str = ""
) -> Employer:
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以认证单位")
    employer = get_employer(session, principal=principal, employer_id=employer_id)
    if not approve and not note.strip():
        raise ValidationFailed("不予认证须说明理由", field="note")
    employer.status = EmployerStatus.VERIFIED if approve else EmployerStatus.REJECTED
    employer.review_note = note.strip()
    employer.verified_at = utcnow() if approve else None
    employer.verified_by = principal.user_id if approve else None
    session.flush()
    bump_version(session)
    return employer


def employer_labels(session: Session, *, employer: Employer) -> dict[str, str]:
    industry = session.get(RefIndustry, employer.industry_code)
    return {
        "industry_name": industry.name if industry else "",
        "ownership_name": OWNERSHIP_NAMES.get(employer.ownership, employer.ownership),
        "division_name": refdata.division_names(session, codes=[employer.division_code]).get(
            employer.division_code, ""
        ),
    }


def _load_contact_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("单位不存在")
    return get_employer(session, principal=principal, employer_id=int(target_id)).contact_phone_enc


reveal.register(
    "employer",
    "contact_phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN, Role.ENTERPRISE},
    load=_load_contact_phone,
)
