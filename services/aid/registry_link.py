"""What aid needs to know about a registry student: who, where, whose account, and whether the family is archived.

A family is "archived" (建档) when the student is linked to a registry family whose archive is in force; a
student without a family, or whose family's archive was closed, counts as a non-archived hardship family. The
facts come from the registry's public look-up (``services.registry.lookups.aid_student``), never its tables.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.api import AidStudent, aid_student

StudentFacts = AidStudent


def student_facts(session: Session, *, student_id: int) -> StudentFacts:
    return aid_student(session, student_id=student_id)
