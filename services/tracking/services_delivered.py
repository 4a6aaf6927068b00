"""Services delivered to a graduate and the service standard (1131) they are measured against, with the gaps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Select, Subquery, bindparam, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.db import UTCDateTime, codepoint_order
from services.errors import Forbidden, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit
from services.pagination import total_beside_page
from services.registry.api import Graduate, Stage
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import GraduateScope, ScopeShape
from services.tracking.access import end_of_day_utc, servable_graduate
from services.tracking.applications import _clean_note
from services.tracking.caseload import responsible_counselor
from services.tracking.models import (
    ServiceKind,
    ServiceRecord,
    ServiceStandard,
)
from services.tracking.pipeline import Status
from services.tracking.status import status_expression

# ---- services delivered and the service standard ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    label: str
    kinds: tuple[str, ...]
    minimum: int


@dataclass(frozen=True, slots=True)
class Standard:
    code: str
    name: str
    requirements: tuple[Requirement, ...]
    applies_to: frozenset[str]


DEFAULT_STANDARD = Standard(
    code="1131",
    name="1131 服务标准：1次政策宣介、1次职业指导、3个岗位推荐、1次培训或见习机会",
    requirements=(
        Requirement("policy_briefing", "政策宣介", (ServiceKind.POLICY_BRIEFING.value,), 1),
        Requirement("career_guidance", "职业指导", (ServiceKind.CAREER_GUIDANCE.value,), 1),
        Requirement("job_recommendation", "岗位推荐", (ServiceKind.JOB_RECOMMENDATION.value,), 3),
        Requirement(
            "training_or_internship",
            "培训或见习机会",
            (ServiceKind.TRAINING_OFFER.value, ServiceKind.INTERNSHIP_OFFER.value),
            1,
        ),
    ),
    applies_to=frozenset({Status.UNEMPLOYED.value, Status.SEEKING.value, Status.INTERNSHIP.value}),
)


def _standard_from_row(row: ServiceStandard) -> Standard:
    return Standard(
        code=row.code,
        name=row.name,
        requirements=tuple(
            Requirement(str(r["key"]), str(r["label"]), tuple(r["kinds"]), int(r["minimum"])) for r in row.requirements
        ),
        applies_to=frozenset(row.applies_to),
    )


def active_standard(session: Session) -> Standard:
    row = session.scalar(select(ServiceStandard).where(ServiceStandard.is_active.is_(True)).limit(1))
    return _standard_from_row(row) if row is not None else DEFAULT_STANDARD


def set_standard(
    session: Session,
    *,
    principal: Principal,
    code: str,
    name: str,
    requirements: Sequence[Requirement],
    applies_to: Iterable[str],
) -> Standard:
    """Replace the active standard (city staff and admin)."""
    if principal.role not in {Role.UNION_CITY, Role.ADMIN}:
        raise Forbidden("只有市总帮扶中心和管理员可以调整服务标准")
    kinds = {k.value for k in ServiceKind}
    if not requirements:
        raise ValidationFailed("服务标准至少包含一项要求", field="requirements")
    keys: set[str] = set()
    for i, req in enumerate(requirements):
        if req.key in keys:
            raise ValidationFailed(f"要求“{req.key}”重复", field=f"requirements.{i}.key")
        keys.add(req.key)
        bad = [k for k in req.kinds if k not in kinds]
        if bad or not req.kinds:
            raise ValidationFailed(f"服务类别无效：{'、'.join(bad) or '未填写'}", field=f"requirements.{i}.kinds")
        if req.minimum < 1:
            raise ValidationFailed("最少次数应不小于1", field=f"requirements.{i}.minimum")
    statuses = sorted(set(applies_to))
    bad_status = [s for s in statuses if s not in {v.value for v in Status}]
    if bad_status or not statuses:
        raise ValidationFailed(f"适用的就业状态无效：{'、'.join(bad_status) or '未填写'}", field="applies_to")
    session.execute(update(ServiceStandard).values(is_active=False))
    row = session.scalar(select(ServiceStandard).where(ServiceStandard.code == code))
    if row is None:
        row = ServiceStandard(code=code)
        session.add(row)
    row.name = name
    row.requirements = [
        {"key": r.key, "label": r.label, "kinds": list(r.kinds), "minimum": r.minimum} for r in requirements
    ]
    row.applies_to = statuses
    row.is_active = True
    row.updated_by_id = principal.user_id
    session.flush()
    return _standard_from_row(row)


def record_service(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    kind: str,
    delivered_on: date,
    note: str | None = None,
) -> ServiceRecord:
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    try:
        kind_value = ServiceKind(kind)
    except ValueError as exc:
        raise ValidationFailed(f"服务类别“{kind}”无效", field="kind") from exc
    if delivered_on > local_today():
        raise ValidationFailed("服务日期不能晚于今天", field="delivered_on")
    row = ServiceRecord(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        kind=kind_value.value,
        delivered_on=delivered_on,
        delivered_by_id=principal.user_id,
        note=_clean_note(note),
    )
    session.add(row)
    session.flush()
    return row


def list_services(session: Session, *, graduate_id: int) -> list[ServiceRecord]:
    return list(
        session.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.graduate_id == graduate_id)
            .order_by(ServiceRecord.delivered_on, ServiceRecord.id)
        )
    )


@dataclass(frozen=True, slots=True)
class CountyUnit:
    """The county-level unit an org unit belongs to, as the lists and figures name it."""

    id: int
    name: str
    code: str


def _county_map(session: Session) -> dict[int, CountyUnit]:
    """Every org unit id → its county-level unit (county, park or 市直), the city for the city itself (read as
    the five columns this needs: every workbench request reads it)."""
    columns = (OrgUnit.id, OrgUnit.name, OrgUnit.code, OrgUnit.kind, OrgUnit.path)
    units = {row.id: row for row in session.execute(select(*columns))}
    out: dict[int, CountyUnit] = {}
    levels = {OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT}
    for uid, unit in units.items():
        chain = [units[int(p)] for p in unit.path.strip("/").split("/") if p and int(p) in units]
        found = next((u for u in chain if u.kind in levels), unit)
        out[uid] = CountyUnit(found.id, found.name, found.code)
    return out


@dataclass(slots=True)
class Gap:
    graduate_id: int
    name: str
    org_unit_id: int
    county_id: int
    county_name: str
    counselor_id: int | None
    counselor_name: str | None
    status: str
    counts: dict[str, int]
    missing: dict[str, int]


def _graduates_in(session: Session, scope: GraduateScope, *, stage_graduate: bool = True) -> list[Graduate]:
    stmt = select(Graduate).where(scope.clause(Graduate.id, Graduate.org_unit_id))
    if stage_graduate:
        stmt = stmt.where(Graduate.stage == Stage.GRADUATE.value)
    return list(session.scalars(stmt.order_by(Graduate.id)))


def service_gaps(
    session: Session,
    *,
    scope: GraduateScope,
    as_of: date | None = None,
    counselor_id: int | None = None,
    county_id: int | None = None,
) -> list[Gap]:
    """Graduates the standard covers (by status on ``as_of``) who fall short of it, with what is missing, by
    county, counselor and graduate."""
    gaps, _ = service_gaps_page(session, scope=scope, as_of=as_of, counselor_id=counselor_id, county_id=county_id)
    return gaps


def service_gaps_page(
    session: Session,
    *,
    scope: GraduateScope,
    as_of: date | None = None,
    counselor_id: int | None = None,
    county_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Gap], int]:
    """One page (``limit``/``offset``, all when ``limit`` is None) of :func:`service_gaps` and the number of all.

    One statement finds them over the whole scope and returns only the page, in order, with the total beside it:
    status, responsible counselor and the count of each requirement are subqueries of it, so neither the number
    of statements nor the rows that reach Python grow with the caseload."""
    standard = active_standard(session)
    day = as_of or local_today()
    counties = _county_map(session)
    stmt, found = _gaps_statement(
        _GapsShape(
            requirements=standard.requirements,
            applies_to=tuple(sorted(standard.applies_to)),
            scope=scope.shape,
            by_counselor=counselor_id is not None,
            by_county=county_id is not None,
            paged=limit is not None,
            county_ranks=_county_ranks(counties),
            postgres=session.get_bind().dialect.name == "postgresql",
        )
    )
    params = {
        **scope.params(),
        "day": day,
        "before": end_of_day_utc(day),
        "counselor": counselor_id,
        "county_units": sorted(u for u, c in counties.items() if c.id == county_id),
        "offset": offset,
        "limit": limit,
    }
    rows = session.execute(stmt, params).all()
    total = total_beside_page(
        rows,
        offset=offset,
        limit=limit,
        count=lambda: int(session.scalar(select(func.count()).select_from(found), params) or 0),
    )
    width = len(standard.requirements)
    out: list[Gap] = []
    for gid, name, org_unit_id, state, who, *rest in rows:
        numbers, display_name = rest[:width], rest[width]
        counts = {r.key: int(n) for r, n in zip(standard.requirements, numbers, strict=True)}
        county = counties.get(org_unit_id)
        out.append(
            Gap(
                graduate_id=gid,
                name=name,
                org_unit_id=org_unit_id,
                county_id=county.id if county else org_unit_id,
                county_name=county.name if county else "",
                counselor_id=who,
                counselor_name=display_name if who else None,
                status=state,
                counts=counts,
                missing={r.key: r.minimum - counts[r.key] for r in standard.requirements if counts[r.key] < r.minimum},
            )
        )
    return out, total


@dataclass(frozen=True, slots=True)
class _GapsShape:
    """What the gaps statement's structure depends on; the values it is run with are parameters."""

    requirements: tuple[Requirement, ...]
    applies_to: tuple[str, ...]
    scope: ScopeShape
    by_counselor: bool
    by_county: bool
    paged: bool
    county_ranks: tuple[tuple[int, int], ...]  # org unit → rank of its county's name
    postgres: bool


@lru_cache(maxsize=64)
def _gaps_statement(shape: _GapsShape) -> tuple[Select[Any], Subquery]:
    """The gaps statement (in order, with the total of all rows beside each) and the subquery of the rows it
    pages, built once per shape: building it costs more than running it. Parameters: the scope's
    (``GraduateScope.params``), ``day``, ``before`` (the end of that day in UTC), ``counselor``, ``county_units``,
    ``offset`` and ``limit``."""
    delivered = [
        func.sum(case((ServiceRecord.kind.in_(r.kinds), 1), else_=0)).label(f"r{i}")
        for i, r in enumerate(shape.requirements)
    ]
    counted = (
        select(ServiceRecord.graduate_id, *delivered)
        .where(ServiceRecord.delivered_on <= bindparam("day", type_=Date))
        .group_by(ServiceRecord.graduate_id)
        .subquery()
    )
    have = [func.coalesce(counted.c[f"r{i}"], 0) for i in range(len(shape.requirements))]
    before = bindparam("before", type_=UTCDateTime)
    status = status_expression(Graduate.id, Graduate.employment_status, before=before)
    responsible = responsible_counselor(Graduate.id)
    base = (
        select(
            Graduate.id.label("graduate_id"),
            Graduate.name.label("name"),
            Graduate.org_unit_id.label("org_unit_id"),
            status.label("status"),
            responsible.label("counselor_id"),
            *(n.label(f"n{i}") for i, n in enumerate(have)),
        )
        .outerjoin(counted, counted.c.graduate_id == Graduate.id)
        .where(
            GraduateScope.bound_clause(shape.scope, Graduate.id, Graduate.org_unit_id),
            Graduate.stage == Stage.GRADUATE.value,
            status.in_(shape.applies_to),
            or_(*(n < r.minimum for n, r in zip(have, shape.requirements, strict=True))),
        )
    )
    if shape.by_counselor:
        base = base.where(responsible == bindparam("counselor"))
    if shape.by_county:
        base = base.where(Graduate.org_unit_id.in_(bindparam("county_units", expanding=True)))
    found = base.subquery()
    by_name = codepoint_order(func.coalesce(User.display_name, ""), postgres=shape.postgres)
    county_rank = (
        case(dict(shape.county_ranks), value=found.c.org_unit_id, else_=-1) if shape.county_ranks else literal(0)
    )
    stmt = (
        select(found, User.display_name, func.count().over().label("total"))
        .outerjoin(User, User.id == found.c.counselor_id)
        .order_by(county_rank, by_name, found.c.graduate_id)
        .offset(bindparam("offset"))
    )
    if shape.paged:
        stmt = stmt.limit(bindparam("limit"))
    return stmt, found


def _county_ranks(counties: dict[int, CountyUnit]) -> tuple[tuple[int, int], ...]:
    """Each org unit and the rank of its county's name among the counties' names."""
    rank = {name: i for i, name in enumerate(sorted({c.name for c in counties.values()}))}
    return tuple(sorted((uid, rank[c.name]) for uid, c in counties.items()))


@dataclass(slots=True)
class GapGroup:
    county_id: int
    county_name: str
    counselor_id: int | None
    counselor_name: str | None
    graduates: int
    missing: dict[str, int] = field(default_factory=dict)  # requirement key → graduates short of it


def group_gaps(gaps: Iterable[Gap]) -> list[GapGroup]:
    groups: dict[tuple[int, int | None], GapGroup] = {}
    for gap in gaps:
        key = (gap.county_id, gap.counselor_id)
        group = groups.get(key)
        if group is None:
            group = groups[key] = GapGroup(gap.county_id, gap.county_name, gap.counselor_id, gap.counselor_name, 0)
        group.graduates += 1
        for req in gap.missing:
            group.missing[req] = group.missing.get(req, 0) + 1
    return sorted(groups.values(), key=lambda g: (g.county_name, g.counselor_name or ""))
