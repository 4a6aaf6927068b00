"""The counselor responsible for a graduate (帮扶责任人), as domains below tracking need to know it.

The caseload assignment is tracking's (``services.tracking.caseload.assign_counselor`` writes it); aid reads it to
put the responsible counselor on a student's application and keep them off its review. It is read here through a
column-only view of ``tracking_assignment`` so that this module imports no domain.
"""

from __future__ import annotations

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

_assignment = table("tracking_assignment", column("graduate_id"), column("counselor_id"))


def assigned_counselor_id(session: Session, *, graduate_id: int) -> int | None:
    """The counselor the graduate is assigned to, or None when no one is."""
    found = session.scalar(select(_assignment.c.counselor_id).where(_assignment.c.graduate_id == graduate_id))
    return None if found is None else int(found)
