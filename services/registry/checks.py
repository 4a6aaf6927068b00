"""Consent (附件5) to economic checks, its members and revocation, and the log of checks made."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.db import utcnow
from services.errors import Conflict, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_phone, parse_resident_id
from services.registry.access import require_staff
from services.registry.models import (
    Consent,
    ConsentMember,
    EconomicCheck,
    Family,
)
from services.registry.writes import Actor, add_history, set_sealed, user_of
from services.security import pii
from services.security.principal import Principal


@dataclass(frozen=True, slots=True)
class CoveredPerson:
    name: str
    relation: str
    id_number: str


def record_consent(
    session: Session,
    *,
    principal: Principal,
    family: Family,
    purpose: str,
    signed_on: date,
    handler_name: str,
    grassroots_union: str | None,
    phone: str | None,
    people: Sequence[CoveredPerson],
) -> Consent:
    """Record a signed 附件5 with the people it covers (each by name, relation and checked ID number)."""
    require_staff(principal)
    if not people:
        raise ValidationFailed("授权书须列明查询所涉及的家庭成员", field="members")
    if signed_on > local_today():
        raise ValidationFailed("签署日期不能晚于今天", field="signed_on")
    consent = Consent(
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        purpose=purpose.strip(),
        signed_on=signed_on,
        handler_name=handler_name.strip(),
        grassroots_union=(grassroots_union or "").strip() or None,
        recorded_by_id=user_of(principal),
    )
    scratch: dict[str, Any] = {}
    if phone:
        try:
            set_sealed(consent, "phone", pii.PiiKind.PHONE, normalize_phone(phone), scratch)
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field="phone") from exc
    seen: set[str] = set()
    covered: list[ConsentMember] = []
    for index, person in enumerate(people):
        try:
            number = parse_resident_id(person.id_number).number
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field=f"members.{index}.id_number") from exc
        if number in seen:
            raise ValidationFailed("同一身份证号出现了两次", field=f"members.{index}.id_number")
        seen.add(number)
        row = ConsentMember(name=person.name.strip(), relation=person.relation.strip())
        set_sealed(row, "id_number", pii.PiiKind.ID_NUMBER, number, scratch)
        covered.append(row)
    consent.members = covered
    session.add(consent)
    session.flush()
    add_history(
        session,
        entity_type="consent",
        entity_id=consent.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="create",
        changes={
            "purpose": [None, consent.purpose],
            "signed_on": [None, signed_on.isoformat()],
            "members": [None, [f"{m.name}（{m.id_number_masked}）" for m in covered]],
        },
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return consent


def get_consent(session: Session, *, principal: Principal, consent_id: int) -> Consent:
    require_staff(principal)
    consent = session.get(Consent, consent_id)
    if consent is None or not principal.covers(consent.org_unit_id):
        raise NotFound(f"编号为 {consent_id} 的授权书不存在或不在您的管辖范围内")
    return consent


def consents_of(session: Session, *, family_id: int) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.family_id == family_id).order_by(Consent.id)))


def consent_members(session: Session, *, consent_ids: Iterable[int]) -> dict[int, list[ConsentMember]]:
    out: dict[int, list[ConsentMember]] = {}
    ids = list(consent_ids)
    if ids:
        for row in session.scalars(
            select(ConsentMember).where(ConsentMember.consent_id.in_(ids)).order_by(ConsentMember.id)
        ):
            out.setdefault(row.consent_id, []).append(row)
    return out


def revoke_consent(session: Session, *, principal: Principal, consent: Consent, reason: str) -> Consent:
    require_staff(principal)
    if consent.revoked_at is not None:
        raise Conflict("该授权书已撤销")
    consent.revoked_at = utcnow()
    consent.revoked_by_id = user_of(principal)
    consent.revoke_reason = reason.strip()
    add_history(
        session,
        entity_type="consent",
        entity_id=consent.id,
        family_id=consent.family_id,
        org_unit_id=consent.org_unit_id,
        action="revoke",
        changes={"revoked_at": [None, consent.revoked_at.isoformat()], "revoke_reason": [None, consent.revoke_reason]},
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return consent


def consent_in_force(session: Session, *, family_id: int, on: date | None = None) -> Consent | None:
    """The latest consent of the family signed on or before ``on`` and not revoked (``None`` when there is none)."""
    day = on or local_today()
    return session.scalar(
        select(Consent)
        .where(Consent.family_id == family_id, Consent.signed_on <= day, Consent.revoked_at.is_(None))
        .order_by(Consent.signed_on.desc(), Consent.id.desc())
        .limit(1)
    )


def log_check(
    session: Session,
    *,
    principal: Principal,
    family: Family,
    checked_on: date,
    agency: str,
    items: Sequence[str],
    result: str,
) -> EconomicCheck:
    """Log an economic-status check; refused unless a consent (附件5) is in force on that day."""
    require_staff(principal)
    consent = consent_in_force(session, family_id=family.id, on=checked_on)
    if consent is None:
        raise Conflict("该家庭没有有效的《家庭经济状况核对承诺授权书》（未签署或已撤销），不能登记经济状况核对")
    if checked_on > local_today():
        raise ValidationFailed("核对日期不能晚于今天", field="checked_on")
    check = EconomicCheck(
        family_id=family.id,
        consent_id=consent.id,
        org_unit_id=family.org_unit_id,
        checked_on=checked_on,
        agency=agency.strip(),
        items=[i.strip() for i in items if i.strip()],
        recorded_by_id=user_of(principal),
    )
    set_sealed(check, "result", pii.PiiKind.TEXT, result.strip(), {})
    session.add(check)
    session.flush()
    return check


def checks_of(session: Session, *, family_id: int) -> list[EconomicCheck]:
    return list(
        session.scalars(select(EconomicCheck).where(EconomicCheck.family_id == family_id).order_by(EconomicCheck.id))
    )
