"""Who sees and serves a graduate: the caseload scope of a principal (their org units, graduates handed in by an
accepted handoff, graduates handed out, which stay readable), the graduate a principal may read or serve, and
the pipeline side a principal acts as."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.api import EmployerAccount
from services.clock import local_today as local_today
from services.config import get_settings
from services.errors import Forbidden, NotFound
from services.registry.api import Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import UNION_SIDE, graduate_scope
from services.tracking.pipeline import Actor


def end_of_day_utc(day: date) -> datetime:
    """The first instant after ``day`` in the service's time zone, in UTC (the bound of an "as of" query)."""
    tz = ZoneInfo(get_settings().timezone)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---- who sees and serves a graduate: services.security.scope decides -------------------------------------


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
    if not graduate_scope(session, principal=principal).can_read(graduate.id, graduate.org_unit_id):
        raise NotFound(f"编号为 {graduate_id} 的毕业生不存在或不在您的管辖范围内")
    return graduate


def servable_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """The graduate when ``principal`` (union side) may serve it; the home union is read-only during a handoff."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以办理")
    graduate = readable_graduate(session, principal=principal, graduate_id=graduate_id)
    if not graduate_scope(session, principal=principal).can_serve(graduate.id, graduate.org_unit_id):
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
