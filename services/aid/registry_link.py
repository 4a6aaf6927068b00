"""What aid needs to know about a registry student: who, where, whose account, and whether the family is archived.

A family is "archived" (建档) when the student is linked to a registry family whose archive is in force; a
student without a family, or whose family's archive was closed, counts as a non-archived hardship family.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.errors import NotFound
from services.registry.models import Family, FamilyStatus, Graduate


@dataclass(frozen=True, slots=True)
class StudentFacts:
    student_id: int
    family_id: int | None
    archived: bool
    org_unit_id: int
    user_id: int | None
    name: str
    id_number_bidx: str | None
    family_card_enc: str | None = None
    family_card_bidx: str | None = None
    family_card_masked: str | None = None
    family_bank: str | None = None
    family_head: str | None = None


def student_facts(session: Session, *, student_id: int) -> StudentFacts:
    student = session.get(Graduate, student_id)
    if student is None:
        raise NotFound(f"学生档案 {student_id} 不存在")
    family = session.get(Family, student.family_id) if student.family_id is not None else None
    archived = family is not None and family.status == FamilyStatus.ACTIVE
    bank = None
    if family is not None and family.bank_name:
        bank = family.bank_name + (family.bank_branch or "")
    return StudentFacts(
        student_id=student.id,
        family_id=family.id if family else None,
        archived=archived,
        org_unit_id=student.org_unit_id,
        user_id=student.user_id,
        name=student.name,
        id_number_bidx=student.id_number_bidx,
        family_card_enc=family.bank_card_enc if family else None,
        family_card_bidx=family.bank_card_bidx if family else None,
        family_card_masked=family.bank_card_masked if family else None,
        family_bank=bank,
        family_head=family.name if family else None,
    )
