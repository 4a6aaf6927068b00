"""What other domains read from the registry: archive status, family income, graduate places and profiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from services.errors import NotFound, ValidationFailed
from services.orgs import service as orgs
from services.refdata.api import vocabularies
from services.registry.certificates import GraduateCertificate
from services.registry.families import Income
from services.registry.models import (
    Family,
    FamilyStatus,
    Graduate,
)
from services.registry.writes import Actor, add_history, decrypt_money, set_plain
from services.security import pii


def is_archived(session: Session, *, family_id: int, on: date | None = None) -> bool:
    """True when the family is an archived hardship family (建档在册): today, or on the day ``on``."""
    row = session.execute(
        select(Family.status, Family.closed_on, Family.created_at).where(Family.id == family_id)
    ).first()
    if row is None:
        return False
    if on is None:
        return bool(row.status == FamilyStatus.ACTIVE)
    if row.created_at.date() > on:
        return False
    return not (row.status == FamilyStatus.CLOSED and (row.closed_on is None or row.closed_on <= on))


def family_income(session: Session, *, family_id: int) -> Income:
    """The derived family figures in plaintext, for server-side rules (aid eligibility); never for display."""
    family = session.get(Family, family_id)
    if family is None:
        raise NotFound(f"编号为 {family_id} 的档案不存在")
    return Income(
        family_size=family.family_size,
        annual_total=decrypt_money(family.annual_income_enc),
        per_capita_monthly=decrypt_money(family.per_capita_income_enc),
        zero_employment=family.zero_employment,
    )


def family_head_id(family: Family) -> str:
    """The head's ID number in plaintext, for server-side use (filling a form the family signed, say)."""
    return pii.decrypt(family.id_number_enc)


@dataclass(frozen=True, slots=True)
class GraduatePlace:
    org_unit_id: int
    county_org_unit_id: int
    county_name: str
    division_code: str


def graduate_place(session: Session, *, graduate_id: int) -> GraduatePlace:
    """The org unit of a graduate, its county (or park / 市直) unit and that unit's division code."""
    org_unit_id = session.scalar(select(Graduate.org_unit_id).where(Graduate.id == graduate_id))
    if org_unit_id is None:
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在")
    county = orgs.county_of(session, org_unit_id=org_unit_id)
    return GraduatePlace(org_unit_id, county.id, county.name, county.division_code)


def graduate_for_user(session: Session, *, user_id: int) -> Graduate | None:
    return session.scalar(select(Graduate).where(Graduate.user_id == user_id))


@dataclass(frozen=True, slots=True)
class AidStudent:
    """A student as the aid domain needs them: their place, account and archive, and the family's bank account
    (sealed, as the archive holds it)."""

    student_id: int
    family_id: int | None
    archived: bool
    org_unit_id: int
    user_id: int | None
    name: str
    id_number_bidx: str | None
    family_card_enc: str | None
    family_card_bidx: str | None
    family_card_masked: str | None
    family_bank: str | None
    family_head: str | None


def aid_student(session: Session, *, student_id: int) -> AidStudent:
    """The archive facts an aid application is built on; the caller checks scope on the result's org unit."""
    student = session.get(Graduate, student_id)
    if student is None:
        raise NotFound(f"学生档案 {student_id} 不存在")
    family = session.get(Family, student.family_id) if student.family_id is not None else None
    bank = None
    if family is not None and family.bank_name:
        bank = family.bank_name + (family.bank_branch or "")
    return AidStudent(
        student_id=student.id,
        family_id=family.id if family else None,
        archived=family is not None and family.status == FamilyStatus.ACTIVE,
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


@dataclass(frozen=True, slots=True)
class GraduateProfile:
    """A graduate as matching and employers may see them: no ethnicity, sex, political status, health or
    disability, marital status, household type, ID number, phone, family or income."""

    id: int
    org_unit_id: int
    stage: str
    education: str
    cohort: int | None
    school_name: str
    major_raw: str | None
    major_code: str | None
    major_name: str | None
    birth_date: date
    intentions: tuple[str, ...]
    preferred_places: tuple[str, ...]
    home_division_code: str | None
    expected_pay_min: Decimal | None
    expected_pay_max: Decimal | None
    skills: tuple[str, ...]
    employment_status: str
    hardship_family: bool
    enterprise_visible: bool
    updated_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)
    school_kind: str = ""
    enrolled_on: date | None = None
    study_years: int | None = None


#: the graduate columns a :class:`GraduateProfile` is made of (read as columns, not as the whole record)
_PROFILE_COLUMNS = (
    Graduate.id,
    Graduate.org_unit_id,
    Graduate.family_id,
    Graduate.user_id,
    Graduate.stage,
    Graduate.education,
    Graduate.cohort,
    Graduate.school_name,
    Graduate.major_raw,
    Graduate.major_code,
    Graduate.major_name,
    Graduate.birth_date,
    Graduate.intentions,
    Graduate.preferred_places,
    Graduate.home_division_code,
    Graduate.expected_pay_min,
    Graduate.expected_pay_max,
    Graduate.skills,
    Graduate.employment_status,
    Graduate.enterprise_visible,
    Graduate.updated_at,
    Graduate.school_kind,
    Graduate.enrolled_on,
    Graduate.study_years,
)


def _profile(g: Any, archived_families: set[int]) -> GraduateProfile:
    """The profile of a row of :data:`_PROFILE_COLUMNS` (or a whole record)."""
    return GraduateProfile(
        id=g.id,
        org_unit_id=g.org_unit_id,
        stage=g.stage,
        education=g.education,
        cohort=g.cohort,
        school_name=g.school_name,
        major_raw=g.major_raw,
        major_code=g.major_code,
        major_name=g.major_name,
        birth_date=g.birth_date,
        intentions=tuple(g.intentions or ()),
        preferred_places=tuple(g.preferred_places or ()),
        home_division_code=g.home_division_code,
        expected_pay_min=g.expected_pay_min,
        expected_pay_max=g.expected_pay_max,
        skills=tuple(g.skills or ()),
        employment_status=g.employment_status,
        hardship_family=g.family_id is not None and g.family_id in archived_families,
        enterprise_visible=g.enterprise_visible,
        updated_at=g.updated_at,
        school_kind=g.school_kind or "",
        enrolled_on=g.enrolled_on,
        study_years=g.study_years,
    )


def graduate_profiles(
    session: Session,
    *,
    scope: frozenset[int] | None,
    ids: Sequence[int] | None = None,
    enterprise_visible_only: bool = False,
    after_id: int = 0,
    limit: int = 1000,
) -> list[GraduateProfile]:
    """Plain records for matching (keyset pages by id): ``scope`` None = all; protected attributes left out."""
    stmt = select(*_PROFILE_COLUMNS).where(Graduate.id > after_id).order_by(Graduate.id).limit(limit)
    if scope is not None:
        stmt = stmt.where(Graduate.org_unit_id.in_(scope))
    if ids is not None:
        stmt = stmt.where(Graduate.id.in_(list(ids)))
    if enterprise_visible_only:
        stmt = stmt.where(Graduate.enterprise_visible.is_(True))
    rows = list(session.execute(stmt))
    family_ids = {g.family_id for g in rows if g.family_id is not None}
    archived: set[int] = set()
    if family_ids:
        archived = set(
            session.scalars(select(Family.id).where(Family.id.in_(family_ids), Family.status == FamilyStatus.ACTIVE))
        )
    return [_profile(g, archived) for g in rows]


@dataclass(frozen=True, slots=True)
class MatchingProfile:
    """One graduate as their matches are ranked: the profile, the account it belongs to (None before an
    invitation is accepted), the certificate kinds held and the division of the home union's county."""

    profile: GraduateProfile
    user_id: int | None
    certificates: frozenset[str]
    county_division: str
    also: tuple[Any, ...] = ()


@lru_cache(maxsize=4)
def _matching_profile_select(also: tuple[ColumnElement[Any], ...] = ()) -> Any:
    """The statement of :func:`matching_profile` with the columns ``also``, built once for each (the graduate id
    is its parameter; ``also`` is a tuple its caller keeps, so the same tuple finds the same statement)."""
    held = (
        select(func.aggregate_strings(GraduateCertificate.kind, ","))
        .where(GraduateCertificate.graduate_id == Graduate.id)
        .scalar_subquery()
    )
    return (
        select(
            *_PROFILE_COLUMNS,
            Family.status.label("family_status"),
            held.label("certificate_kinds"),
            orgs.county_division_of(Graduate.org_unit_id).label("county_division"),
            *also,
        )
        .outerjoin(Family, Family.id == Graduate.family_id)
        .where(Graduate.id == bindparam("graduate_id"))
    )


def matching_profile(
    session: Session, *, graduate_id: int, also: tuple[ColumnElement[Any], ...] = ()
) -> MatchingProfile | None:
    """:class:`MatchingProfile` of one graduate in one statement (None when there is no such graduate).

    ``also``: uncorrelated scalar columns the caller reads in the same statement (their values in ``also``)."""
    stmt = _matching_profile_select(also)
    row = session.execute(stmt, {"graduate_id": graduate_id}).first()
    if row is None:
        return None
    archived = {row.family_id} if row.family_status == FamilyStatus.ACTIVE else set()
    return MatchingProfile(
        profile=_profile(row, archived),
        user_id=row.user_id,
        certificates=frozenset(k for k in (row.certificate_kinds or "").split(",") if k),
        county_division=row.county_division or "",
        also=tuple(row[len(row) - len(also) :]) if also else (),
    )


def set_employment_status(
    session: Session, *, graduate_id: int, status: str, actor: Actor, source: str = "tracking"
) -> Graduate:
    """Set a graduate's employment status (from the pipeline, say) with its history row."""
    graduate = session.get(Graduate, graduate_id)
    if graduate is None:
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在")
    voc = vocabularies(session)["employment_status"]
    code = voc.resolve(status)
    if code is None:
        raise ValidationFailed(f"“{status}”不是就业状态的可选项", field="employment_status")
    changes: dict[str, Any] = {}
    set_plain(graduate, "employment_status", code, changes)
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=actor,
        source=source,
    )
    session.flush()
    return graduate
