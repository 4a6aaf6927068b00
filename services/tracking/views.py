"""Read models built from the other tracking modules: a graduate's timeline, a position's applicants, the
counselor's workbench and the fresh matches shown on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from services.catalog.api import Position, PositionStatus
from services.clock import local_today as local_today
from services.config import get_settings
from services.db import utcnow
from services.errors import Forbidden, NotFound
from services.pagination import total_beside_page
from services.registry.api import Graduate, Stage
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import UNION_SIDE, GraduateScope, ScopeShape, graduate_scope
from services.tracking import pipeline
from services.tracking.access import _aware, own_employer_id, readable_graduate
from services.tracking.applications import visible_applications
from services.tracking.caseload import latest_contact_value, responsible_counselor
from services.tracking.contacts import Overdue, list_contacts, overdue_page
from services.tracking.events import list_events
from services.tracking.handoffs import HANDOFF_NAMES, OUTCOME_NAMES
from services.tracking.models import (
    Application,
    Contact,
    EventKind,
    Handoff,
    Transition,
)
from services.tracking.pipeline import AppState
from services.tracking.services_delivered import Gap, list_services, service_gaps_page
from services.tracking.status import status_expression, status_history

# ---- views -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TimelineItem:
    at: datetime
    kind: str  # application / event / service / contact / status / handoff
    title: str
    detail: str | None = None
    ref_id: int | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=ZoneInfo(get_settings().timezone)).astimezone(UTC)


def timeline(session: Session, *, principal: Principal, graduate_id: int) -> list[TimelineItem]:
    """The graduate's path in time order: pipeline moves, events, services, contacts, status changes, handoffs.

    The graduate sees contacts without the counselor's notes.
    """
    graduate = readable_graduate(session, principal=principal, graduate_id=graduate_id)
    items: list[TimelineItem] = []
    apps = session.execute(
        select(Transition, Position.title)
        .join(Application, Application.id == Transition.application_id)
        .join(Position, Position.id == Application.position_id)
        .where(Application.graduate_id == graduate.id)
    )
    for tr, title in apps:
        state = pipeline.STATE_NAMES[tr.to_state]
        label = f"{title}：{'一方确认' + state if tr.confirmation_only else state}"
        reason = pipeline.CLOSING_REASONS.get(AppState(tr.to_state), {}).get(tr.reason or "")
        items.append(TimelineItem(_aware(tr.at), "application", label, reason or tr.note, tr.application_id))
    event_names = {
        "enrolment": "入学",
        "training": "培训",
        "internship": "实习",
        "job_seeking": "求职",
        "negotiation": "洽谈",
        "signing": "签约",
        "employment": "就业",
    }
    events = list_events(session, graduate_id=graduate.id)
    if graduate.enrolled_on is not None and not any(ev.kind == EventKind.ENROLMENT for ev in events):
        # the enrolment the registry filed (入学), unless an enrolment event was recorded
        items.append(TimelineItem(_day_start(graduate.enrolled_on), "event", f"入学：{graduate.school_name}"))
    for ev in events:
        label = f"{event_names[ev.kind]}：{ev.title}"
        items.append(TimelineItem(_day_start(ev.occurred_on), "event", label, ev.organisation, ev.id))
    service_names = {
        "policy_briefing": "政策宣介",
        "career_guidance": "职业指导",
        "job_recommendation": "岗位推荐",
        "training_offer": "提供培训机会",
        "internship_offer": "提供见习机会",
        "interview_coaching": "面试辅导",
        "entrepreneurship_guidance": "创业指导",
        "job_fair": "组织参加招聘会",
    }
    for sv in list_services(session, graduate_id=graduate.id):
        items.append(TimelineItem(_day_start(sv.delivered_on), "service", service_names[sv.kind], sv.note, sv.id))
    channel_names = {"phone": "电话联系", "visit": "走访", "message": "短信/微信联系", "meeting": "座谈谈心"}
    own = principal.role == Role.GRADUATE
    for ct in list_contacts(session, graduate_id=graduate.id):
        items.append(
            TimelineItem(
                _aware(ct.contacted_at), "contact", channel_names[ct.channel], None if own else ct.summary, ct.id
            )
        )
    for ch in status_history(session, graduate_id=graduate.id):
        items.append(
            TimelineItem(_aware(ch.at), "status", f"就业状态：{pipeline.STATUS_NAMES[ch.status]}", ch.reason, ch.id)
        )
    if not own:
        for ho in session.scalars(select(Handoff).where(Handoff.graduate_id == graduate.id)):
            label = f"异地转介（{HANDOFF_NAMES[ho.state]}）"
            if ho.outcome:
                label += f"：{OUTCOME_NAMES[ho.outcome]}"
                if ho.outcome_employer:
                    label += f"（{ho.outcome_employer}）"
            items.append(TimelineItem(_aware(ho.created_at), "handoff", label, ho.reason, ho.id))
    items.sort(key=lambda i: (i.at, i.kind))
    return items


@dataclass(slots=True)
class Applicant:
    application_id: int
    state: str
    updated_at: datetime
    graduate_name: str
    school_name: str
    major: str | None
    cohort: int | None
    education: str
    employer_confirmed: bool = False  # the enterprise has confirmed the offer; the graduate's signature is awaited


def position_applicants(session: Session, *, principal: Principal, position_id: int) -> list[Applicant]:
    """The applicants to one position — for its enterprise only the name, school, major, cohort, education and
    the pipeline state (never hardship, family or ID data); union staff see those of their scope."""
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound(f"编号为 {position_id} 的岗位不存在")
    if principal.role == Role.ENTERPRISE:
        employer = own_employer_id(session, principal=principal)
        if employer is None or position.employer_id != employer:
            raise NotFound(f"编号为 {position_id} 的岗位不存在")
    elif principal.role not in UNION_SIDE:
        raise Forbidden("您的角色无权查看岗位的求职者")
    stmt = (
        select(Application, Graduate)
        .join(Graduate, Graduate.id == Application.graduate_id)
        .where(Application.position_id == position.id, Application.state != AppState.RECOMMENDED.value)
        .order_by(Application.id)
    )
    rows = session.execute(visible_applications(session, stmt, principal=principal))
    return [
        Applicant(
            application_id=app.id,
            state=app.state,
            updated_at=_aware(app.state_changed_at),
            graduate_name=g.name,
            school_name=g.school_name,
            major=g.major_name or g.major_raw,
            cohort=g.cohort,
            education=g.education,
            employer_confirmed=app.employer_confirmed_at is not None,
        )
        for app, g in rows
    ]


@dataclass(slots=True)
class CaseRow:
    graduate_id: int
    name: str
    org_unit_id: int
    status: str
    counselor_id: int | None
    handed_in: bool
    handed_out: bool
    last_contact_at: datetime | None
    next_due_on: date | None
    open_applications: int


@dataclass(slots=True)
class Workbench:
    caseload: list[CaseRow]
    caseload_total: int
    overdue: list[Overdue]
    overdue_total: int
    gaps: list[Gap]
    gaps_total: int


def workbench(
    session: Session, *, principal: Principal, mine_only: bool = False, limit: int = 100, offset: int = 0
) -> Workbench:
    """The counselor's desk: caseload with status, overdue follow-ups and 1131 gaps (``mine_only``: own graduates).

    Each of the three lists is paged by ``limit``/``offset`` beside the count of all its rows. The caseload page
    is one query whatever its size: status, responsible counselor, latest contact and open applications are
    subqueries of it, so the statements per request do not grow with the caseload."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以使用工作台")
    scope = graduate_scope(session, principal=principal)
    stmt, cond = _caseload_statement(scope.shape, mine_only)
    params = {**scope.params(), "me": principal.user_id, "limit": limit, "offset": offset}
    rows = session.execute(stmt, params).all()
    caseload = [
        CaseRow(
            graduate_id=gid,
            name=name,
            org_unit_id=org_unit_id,
            status=status,
            counselor_id=who,
            handed_in=gid in scope.handed_in,
            handed_out=gid in scope.handed_out,
            last_contact_at=_aware(contacted) if contacted is not None else None,
            next_due_on=due,
            open_applications=int(open_count or 0),
        )
        for gid, name, org_unit_id, status, who, contacted, due, open_count, _ in rows
    ]
    total = total_beside_page(rows, offset=offset, limit=limit, count=lambda: _count_caseload(session, cond, params))
    mine = principal.user_id if mine_only else None
    overdue, overdue_total = overdue_page(session, scope=scope, counselor_id=mine, limit=limit, offset=offset)
    gaps, gaps_total = service_gaps_page(session, scope=scope, counselor_id=mine, limit=limit, offset=offset)
    return Workbench(
        caseload=caseload,
        caseload_total=total,
        overdue=overdue,
        overdue_total=overdue_total,
        gaps=gaps,
        gaps_total=gaps_total,
    )


@lru_cache(maxsize=16)
def _caseload_statement(shape: ScopeShape, mine_only: bool) -> tuple[Select[Any], tuple[ColumnElement[bool], ...]]:
    """The caseload page (with the number of all its rows beside each) and its conditions, built once per scope
    shape (``GraduateScope.shape``); run with the scope's parameters, ``me``, ``limit`` and ``offset``."""
    responsible = responsible_counselor(Graduate.id)
    cond: tuple[ColumnElement[bool], ...] = (
        GraduateScope.bound_clause(shape, Graduate.id, Graduate.org_unit_id),
        Graduate.stage == Stage.GRADUATE.value,
    )
    if mine_only:
        cond += (responsible == bindparam("me"),)
    open_apps = (
        select(func.count())
        .select_from(Application)
        .where(
            Application.graduate_id == Graduate.id,
            Application.state.in_(sorted(s.value for s in pipeline.ACTIVE)),
        )
        .correlate_except(Application)
        .scalar_subquery()
    )
    stmt = (
        select(
            Graduate.id,
            Graduate.name,
            Graduate.org_unit_id,
            status_expression(Graduate.id, Graduate.employment_status),
            responsible,
            latest_contact_value(Graduate.id, Contact.contacted_at),
            latest_contact_value(Graduate.id, Contact.next_due_on),
            open_apps,
            func.count().over(),
        )
        .where(*cond)
        .order_by(Graduate.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return stmt, cond


def _count_caseload(session: Session, cond: tuple[ColumnElement[bool], ...], params: dict[str, Any]) -> int:
    """The caseload's size, when its page has no row to carry it."""
    return int(session.scalar(select(func.count()).select_from(Graduate).where(*cond), params) or 0)


class StoredMatchLike(Protocol):
    """What the matching service stores per graduate (``services.matches.service.StoredMatch``)."""

    @property
    def position_id(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def computed_at(self) -> datetime: ...


@dataclass(slots=True)
class FreshMatch:
    graduate_id: int
    graduate_name: str
    position_id: int
    position_title: str
    score: float
    reasons: list[str]
    computed_at: datetime


def fresh_matches(
    session: Session,
    *,
    caseload: Sequence[CaseRow],
    stored: Mapping[int, Sequence[StoredMatchLike]],
    days: int = 7,
    per_graduate: int = 3,
) -> list[FreshMatch]:
    """The best stored matches of the caseload computed in the last ``days`` days, for open positions the
    graduate has not yet been recommended or applied to (the matching service computes and stores them)."""
    since = utcnow() - timedelta(days=days)
    ids = [c.graduate_id for c in caseload]
    if not ids:
        return []
    taken = {
        (gid, pid)
        for gid, pid in session.execute(
            select(Application.graduate_id, Application.position_id).where(Application.graduate_id.in_(ids))
        )
    }
    wanted = {m.position_id for gid in ids for m in stored.get(gid, ())}
    titles: dict[int, str] = {}
    if wanted:
        titles = dict(
            session.execute(
                select(Position.id, Position.title).where(
                    Position.id.in_(sorted(wanted)), Position.status == PositionStatus.OPEN.value
                )
            ).all()
        )
    out: list[FreshMatch] = []
    for case in caseload:
        picked = 0
        for m in stored.get(case.graduate_id, ()):
            if picked >= per_graduate:
                break
            if _aware(m.computed_at) < since or m.position_id not in titles:
                continue
            if (case.graduate_id, m.position_id) in taken:
                continue
            out.append(
                FreshMatch(
                    graduate_id=case.graduate_id,
                    graduate_name=case.name,
                    position_id=m.position_id,
                    position_title=titles[m.position_id],
                    score=float(m.score),
                    reasons=list(m.reasons),
                    computed_at=_aware(m.computed_at),
                )
            )
            picked += 1
    return out
