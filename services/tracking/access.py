"""Who sees and serves a graduate: the caseload scope of a principal (their org units, graduates handed in by an
accepted handoff, graduates handed out, which stay readable), the graduate a principal may read or serve, and
the pipeline side a principal acts as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.catalog.models import EmployerAccount
from services.clock import local_today as local_today
from services.config import get_settings
from services.errors import Forbidden, NotFound
from services.registry.models import Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.tracking.models import (
    Handoff,
    HandoffState,
)
from services.tracking.pipeline import Actor

UNION_SIDE = frozenset({Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})
Col = ColumnElement[Any] | InstrumentedAttribute[Any]


def end_of_day_utc(day: date) -> datetime:
    """The first instant after ``day`` in the service's time zone, in UTC (the bound of an "as of" query)."""
    tz = ZoneInfo(get_settings().timezone)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---- who sees and serves a graduate (scope + handoffs) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraduateScope:
    """The graduates a principal may see: those of ``org_unit_ids`` (None = all) plus ``extra_ids``.

    ``handed_in`` are graduates of other unions accepted by the principal's union (served here);
    ``handed_out`` are graduates of the principal's own scope currently served elsewhere (read only here).
    """

    org_unit_ids: frozenset[int] | None
    handed_in: frozenset[int] = frozenset()
    handed_out: frozenset[int] = frozenset()
    own_ids: frozenset[int] = frozenset()  # a graduate's own record

    def can_read(self, graduate_id: int, org_unit_id: int) -> bool:
        if self.org_unit_ids is None or graduate_id in self.handed_in or graduate_id in self.own_ids:
            return True
        return org_unit_id in self.org_unit_ids

    def can_serve(self, graduate_id: int, org_unit_id: int) -> bool:
        """Union-side writes: the home union while not handed out, the receiving union while accepted."""
        if self.org_unit_ids is None or graduate_id in self.handed_in:
            return True
        return org_unit_id in self.org_unit_ids and graduate_id not in self.handed_out

    def clause(self, graduate_id: Col, org_unit_id: Col) -> ColumnElement[bool]:
        """A SQL condition for rows keyed by a graduate id and its home org unit."""
        if self.org_unit_ids is None:
            return true()
        parts: list[ColumnElement[bool]] = []
        if self.org_unit_ids:
            parts.append(org_unit_id.in_(sorted(self.org_unit_ids)))
        ids = self.handed_in | self.own_ids
        if ids:
            parts.append(graduate_id.in_(sorted(ids)))
        return or_(*parts) if parts else false()


def visible_graduate_scope(session: Session, *, principal: Principal) -> GraduateScope:
    """The graduates ``principal`` may see (registry, matching and tracking views use this)."""
    if principal.role == Role.GRADUATE:
        own = session.scalar(select(Graduate.id).where(Graduate.user_id == principal.user_id))
        return GraduateScope(org_unit_ids=frozenset(), own_ids=frozenset({own}) if own else frozenset())
    if principal.role not in UNION_SIDE:
        return GraduateScope(org_unit_ids=frozenset())
    if principal.scope is None:
        return GraduateScope(org_unit_ids=None)
    scope = sorted(principal.scope)
    accepted = select(Handoff.graduate_id, Handoff.org_unit_id, Handoff.to_org_unit_id).where(
        Handoff.state == HandoffState.ACCEPTED,
        or_(Handoff.to_org_unit_id.in_(scope), Handoff.org_unit_id.in_(scope)),
    )
    handed_in: set[int] = set()
    handed_out: set[int] = set()
    for graduate_id, home, dest in session.execute(accepted):
        if dest in principal.scope and home not in principal.scope:
            handed_in.add(graduate_id)
        elif home in principal.scope and dest not in principal.scope:
            handed_out.add(graduate_id)
    return GraduateScope(org_unit_ids=principal.scope, handed_in=frozenset(handed_in), handed_out=frozenset(handed_out))


def _graduate_row(session: Session, graduate_id: int) -> Graduate:
    graduate = session.get(Graduate, graduate_id)
    if graduate is None:
        raise NotFound(f"编号为 {graduate_id} 的毕业生不存在或不在您的管辖范围内")
    return graduate


def readable_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """The graduate when ``principal`` may see it (own record, scope, or an accepted handoff); else 404."""
    graduate = _graduate_row(session, graduate_id)
    if principal.role == Role.ENTERPRISE:
        raise Forbidden("企业不能查看毕业生档案")
    if not visible_graduate_scope(session, principal=principal).can_read(graduate.id, graduate.org_unit_id):
        raise NotFound(f"编号为 {graduate_id} 的毕业生不存在或不在您的管辖范围内")
    return graduate


def servable_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """The graduate when ``principal`` (union side) may serve it; the home union is read-only during a handoff."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以办理")
    graduate = readable_graduate(session, principal=principal, graduate_id=graduate_id)
    if not visible_graduate_scope(session, principal=principal).can_serve(graduate.id, graduate.org_unit_id):
        raise Forbidden("该毕业生已转至异地工会服务，生源地工会只能查看")
    return graduate


def own_graduate(session: Session, *, principal: Principal) -> Graduate:
    graduate = session.scalar(select(Graduate).where(Graduate.user_id == principal.user_id))
    if graduate is None:
        raise NotFound("未找到与您的账号关联的毕业生档案，请联系所在工会")
    return graduate


def own_employer_id(session: Session, *, principal: Principal) -> int | None:
    return session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == principal.user_id))


def actor_of(principal: Principal) -> Actor:
    if principal.role == Role.GRADUATE:
        return Actor.GRADUATE
    if principal.role == Role.ENTERPRISE:
        return Actor.ENTERPRISE
    return Actor.COUNSELOR
