"""The catalog's role sets and reference names, its version counter, and who may manage an employer or a position.

Every change calls :func:`bump_version`; the matcher compares :func:`current_version` with the version its index
was built from.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from matching.records import Education as MatchEducation
from services.catalog.models import (
    CatalogVersion,
    Education,
    Employer,
    EmployerAccount,
    EmployerStatus,
    Position,
    PositionKind,
    PositionStatus,
)
from services.clock import local_today as local_today
from services.db import utcnow
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import STAFF

MANAGERS = STAFF | {Role.ENTERPRISE}  # who manage positions: staff in their scope, an enterprise its own
RULE_EDITORS = frozenset({Role.UNION_CITY, Role.ADMIN})
NATIONWIDE = "000000"
EDUCATION_RANK: dict[str, int] = {e.value: MatchEducation[e.name].value for e in Education}
EDUCATION_NAMES = {
    Education.SECONDARY: "中职/高中",
    Education.JUNIOR_COLLEGE: "高职专科",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}
KIND_DETAILS = {
    PositionKind.INTERNSHIP: "internship",
    PositionKind.WORK_STUDY: "work_study",
    PositionKind.GRASSROOTS: "grassroots",
    PositionKind.ENTREPRENEURSHIP: "entrepreneurship",
}
DUPLICATE_CUTOFF = 90.0


# ------------------------------------------------------------------------------------------ catalog version


def current_version(session: Session) -> int:
    """The catalog version; it grows by one with every change to employers, positions, rules or fairs."""
    value = session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1))
    return int(value or 0)


def employer_entry(name: str, status: str) -> tuple[str, bool]:
    """How an answer names a position's employer: (its name, whether it is verified)."""
    return name, status == EmployerStatus.VERIFIED


def bump_version(session: Session) -> int:
    stmt = (
        update(CatalogVersion)
        .where(CatalogVersion.id == 1)
        .values(version=CatalogVersion.version + 1, changed_at=utcnow())
        .returning(CatalogVersion.version)
    )
    value = session.execute(stmt).scalar()
    if value is None:
        session.execute(insert(CatalogVersion).values(id=1, version=1, changed_at=utcnow()))
        value = 1
    return int(value)


# ------------------------------------------------------------------------------------------------ access


def employer_id_for_user(session: Session, *, user_id: int) -> int | None:
    """The employer an enterprise account manages, if any."""
    return session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == user_id))


def _is_staff(principal: Principal) -> bool:
    return principal.role in STAFF


def _manages_employer(session: Session, principal: Principal, employer: Employer) -> bool:
    if _is_staff(principal):
        return principal.covers(employer.org_unit_id)
    if principal.role == Role.ENTERPRISE:
        return employer_id_for_user(session, user_id=principal.user_id) == employer.id
    return False


def manages_position(session: Session, *, principal: Principal, position: Position) -> bool:
    """Whether the principal may change the position (and, for tracking, see its applicants)."""
    if _is_staff(principal):
        return principal.covers(position.org_unit_id)
    if principal.role == Role.ENTERPRISE and position.employer_id is not None:
        return employer_id_for_user(session, user_id=principal.user_id) == position.employer_id
    return False


def public_position() -> ColumnElement[bool]:
    """Positions everyone may see: published (not a draft) and of a verified employer, or of none. The query
    must outer-join :class:`Employer` on ``Position.employer_id``."""
    return and_(
        Position.status != PositionStatus.DRAFT,
        or_(Position.employer_id.is_(None), Employer.status == EmployerStatus.VERIFIED),
    )


def _employer_verified(session: Session, position: Position) -> bool:
    if position.employer_id is None:
        return True
    return session.scalar(select(Employer.status).where(Employer.id == position.employer_id)) == EmployerStatus.VERIFIED


def _publicly_visible(session: Session, position: Position) -> bool:
    return position.status != PositionStatus.DRAFT and _employer_verified(session, position)
