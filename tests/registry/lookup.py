"""Where an ID number is registered, looked up through the blind index: the expected values registry tests use."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.identifiers import parse_resident_id
from services.registry.lookups import is_archived
from services.registry.models import Family, FamilyMember, Graduate
from services.registry.writes import id_index


@dataclass(frozen=True, slots=True)
class PersonRef:
    """Where an ID number is registered: as a family head, a family member and/or a student/graduate."""

    family_id: int | None
    member_id: int | None
    graduate_id: int | None
    org_unit_id: int
    archived: bool  # the family is 在档 (建档立卡)


def find_person(session: Session, *, id_number: str) -> PersonRef | None:
    bidx = id_index(parse_resident_id(id_number).number)
    head = session.execute(
        select(Family.id, Family.org_unit_id, Family.status).where(Family.id_number_bidx == bidx)
    ).first()
    member = session.execute(
        select(FamilyMember.id, FamilyMember.family_id, FamilyMember.org_unit_id).where(
            FamilyMember.id_number_bidx == bidx
        )
    ).first()
    grad = session.execute(
        select(Graduate.id, Graduate.org_unit_id, Graduate.family_id).where(Graduate.id_number_bidx == bidx)
    ).first()
    if head is None and member is None and grad is None:
        return None
    family_id = head.id if head else member.family_id if member else grad.family_id if grad else None
    org_unit_id = head.org_unit_id if head else member.org_unit_id if member else grad.org_unit_id  # type: ignore[union-attr]
    return PersonRef(
        family_id=family_id,
        member_id=member.id if member else None,
        graduate_id=grad.id if grad else None,
        org_unit_id=org_unit_id,
        archived=is_archived(session, family_id=family_id) if family_id is not None else False,
    )
