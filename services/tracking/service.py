"""Full-process tracking: who may see and serve a graduate (with handoffs), the application pipeline, the
employment status and its history, events, services delivered against the service standard, contacts with
reminders, notifications and the views built on them.

Keyword-only functions taking a session; they flush, never commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.catalog import service as catalog
from services.catalog.models import EmployerAccount, Position, PositionStatus
from services.clock import local_today as local_today
from services.config import get_settings
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit
from services.registry import service as registry
from services.registry.models import Graduate, Stage
from services.security import audit
from services.security.models import Role, User
from services.security.principal import Principal
from services.tracking import pipeline
from services.tracking.models import (
    Application,
    Assignment,
    Contact,
    ContactChannel,
    ContactOutcome,
    Event,
    EventKind,
    Handoff,
    HandoffState,
    Notification,
    Reminder,
    ServiceKind,
    ServiceRecord,
    ServiceStandard,
    StatusChange,
    StatusOverride,
    StatusSource,
    Transition,
)
from services.tracking.pipeline import Actor, AppState, Status

log = logging.getLogger(__name__)

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


# ---- notifications ---------------------------------------------------------------------------------------


def notify(
    session: Session, *, recipient_id: int, kind: str, title: str, body: str, link: str | None = None
) -> Notification:
    org = session.scalar(select(User.org_unit_id).where(User.id == recipient_id))
    row = Notification(recipient_id=recipient_id, org_unit_id=org, kind=kind, title=title, body=body, link=link)
    session.add(row)
    session.flush()
    return row


def list_notifications(
    session: Session, *, principal: Principal, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int]:
    cond = [Notification.recipient_id == principal.user_id]
    if unread_only:
        cond.append(Notification.is_read.is_(False))
    total = session.scalar(select(func.count()).select_from(Notification).where(*cond)) or 0
    rows = session.scalars(
        select(Notification).where(*cond).order_by(Notification.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def mark_read(session: Session, *, principal: Principal, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != principal.user_id:
        raise NotFound("消息不存在")
    if not row.is_read:
        row.is_read = True
        row.read_at = utcnow()
        session.flush()
    return row


def _employer_users(session: Session, employer_id: int | None) -> list[int]:
    if employer_id is None:
        return []
    return list(session.scalars(select(EmployerAccount.user_id).where(EmployerAccount.employer_id == employer_id)))


# ---- the application pipeline ----------------------------------------------------------------------------


def _position(session: Session, position_id: int) -> Position:
    position = session.get(Position, position_id)
    if position is None or position.status == PositionStatus.DRAFT:
        raise NotFound(f"编号为 {position_id} 的岗位不存在")
    return position


def position_problem(position: Position, *, today: date) -> str | None:
    """Why a graduate cannot apply to the position now (Chinese), or None when it is open."""
    if position.status == PositionStatus.FILLED or (
        position.headcount is not None and position.filled >= position.headcount
    ):
        return "岗位已招满"
    if position.status != PositionStatus.OPEN:
        return "岗位已关闭"
    if position.deadline is not None and position.deadline < today:
        return f"岗位已于 {position.deadline.isoformat()} 截止"
    if position.opens_on is not None and position.opens_on > today:
        return f"岗位 {position.opens_on.isoformat()} 起开放报名"
    return None


def _record_transition(
    session: Session,
    app: Application,
    *,
    frm: AppState | None,
    to: AppState,
    actor: Actor,
    actor_id: int | None,
    reason: str | None = None,
    note: str | None = None,
    confirmation_only: bool = False,
) -> Transition:
    row = Transition(
        application_id=app.id,
        org_unit_id=app.org_unit_id,
        from_state=frm.value if frm else None,
        to_state=to.value,
        actor_id=actor_id,
        actor_role=actor.value,
        at=utcnow(),
        reason=reason,
        note=note,
        offline=actor == Actor.COUNSELOR and to != AppState.RECOMMENDED,
        confirmation_only=confirmation_only,
    )
    session.add(row)
    if not confirmation_only:
        app.state = to.value
        app.state_changed_at = row.at
        if to in pipeline.CLOSED:
            app.closed_reason = reason
    session.flush()
    return row


def _clean_note(note: str | None) -> str | None:
    return note.strip() if note and note.strip() else None


def recommend(
    session: Session, *, principal: Principal, graduate_id: int, position_id: int, note: str | None = None
) -> Application:
    """A counselor recommends a position: the application starts as ``recommended`` and a 岗位推荐 is logged."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    position = _position(session, position_id)
    if (problem := position_problem(position, today=local_today())) is not None:
        raise Conflict(f"不能推荐该岗位：{problem}", field="position_id")
    if _existing(session, graduate.id, position.id) is not None:
        raise Conflict("已向该毕业生推荐或其已申请过该岗位", field="position_id")
    app = Application(
        graduate_id=graduate.id,
        position_id=position.id,
        employer_id=position.employer_id,
        org_unit_id=graduate.org_unit_id,
        state=AppState.RECOMMENDED.value,
        recommended_by_id=principal.user_id,
    )
    session.add(app)
    session.flush()
    note = _clean_note(note)
    _record_transition(
        session, app, frm=None, to=AppState.RECOMMENDED, actor=Actor.COUNSELOR, actor_id=principal.user_id, note=note
    )
    session.add(
        ServiceRecord(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            kind=ServiceKind.JOB_RECOMMENDATION.value,
            delivered_on=local_today(),
            delivered_by_id=principal.user_id,
            application_id=app.id,
            note=f"推荐岗位：{position.title}",
        )
    )
    if graduate.user_id is not None:
        notify(
            session,
            recipient_id=graduate.user_id,
            kind="recommendation",
            title="为您推荐了新岗位",
            body=f"就业指导员为您推荐了岗位“{position.title}”，可在“我的求职”中查看并投递。",
            link=f"/api/v1/tracking/applications/{app.id}",
        )
    recompute_status(
        session,
        graduate=graduate,
        source=StatusSource.PIPELINE,
        actor_id=principal.user_id,
        reason=f"推荐岗位：{position.title}",
    )
    return app


def _existing(session: Session, graduate_id: int, position_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.graduate_id == graduate_id, Application.position_id == position_id)
    )


def apply(session: Session, *, principal: Principal, position_id: int, note: str | None = None) -> Application:
    """The graduate applies (求职) to an open position, directly or after a recommendation."""
    if principal.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以投递；指导员请先推荐，再登记线下投递")
    graduate = own_graduate(session, principal=principal)
    position = _position(session, position_id)
    existing = _existing(session, graduate.id, position.id)
    if existing is not None:
        if existing.state != AppState.RECOMMENDED:
            raise Conflict(f"您已申请过该岗位（当前：{pipeline.STATE_NAMES[existing.state]}）", field="position_id")
        return move(session, principal=principal, application_id=existing.id, to_state=AppState.APPLIED, note=note)
    if (problem := position_problem(position, today=local_today())) is not None:
        raise Conflict(f"不能投递：{problem}", field="position_id")
    app = Application(
        graduate_id=graduate.id,
        position_id=position.id,
        employer_id=position.employer_id,
        org_unit_id=graduate.org_unit_id,
        state=AppState.APPLIED.value,
    )
    session.add(app)
    session.flush()
    _record_transition(
        session, app, frm=None, to=AppState.APPLIED, actor=Actor.GRADUATE, actor_id=principal.user_id, note=note
    )
    _after_move(
        session,
        app,
        position=position,
        frm=None,
        to=AppState.APPLIED,
        actor=Actor.GRADUATE,
        graduate=graduate,
        actor_id=principal.user_id,
    )
    return app


def visible_applications_clause(session: Session, *, principal: Principal) -> ColumnElement[bool]:
    if principal.role == Role.ENTERPRISE:
        employer = own_employer_id(session, principal=principal)
        if employer is None:
            return false()
        # only what the graduate actually applied to: a recommendation the graduate let go never reaches the employer
        applied = select(Transition.application_id).where(Transition.to_state == AppState.APPLIED.value)
        return (Application.employer_id == employer) & Application.id.in_(applied)
    scope = visible_graduate_scope(session, principal=principal)
    return scope.clause(Application.graduate_id, Application.org_unit_id)


def get_application(session: Session, *, principal: Principal, application_id: int) -> Application:
    app = session.scalar(
        select(Application).where(
            Application.id == application_id, visible_applications_clause(session, principal=principal)
        )
    )
    if app is None:
        raise NotFound(f"编号为 {application_id} 的求职记录不存在")
    return app


def list_applications(
    session: Session,
    *,
    principal: Principal,
    state: str | None = None,
    graduate_id: int | None = None,
    position_id: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Application], int]:
    cond: list[ColumnElement[bool]] = [visible_applications_clause(session, principal=principal)]
    if state:
        cond.append(Application.state == state)
    if graduate_id is not None:
        cond.append(Application.graduate_id == graduate_id)
    if position_id is not None:
        cond.append(Application.position_id == position_id)
    total = session.scalar(select(func.count()).select_from(Application).where(*cond)) or 0
    rows = session.scalars(select(Application).where(*cond).order_by(Application.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def history(session: Session, *, application_id: int) -> list[Transition]:
    return list(
        session.scalars(select(Transition).where(Transition.application_id == application_id).order_by(Transition.id))
    )


def move(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    to_state: str,
    reason: str | None = None,
    note: str | None = None,
) -> Application:
    """Move an application along the transition table, as the principal's side (see ``pipeline.TRANSITIONS``)."""
    app = get_application(session, principal=principal, application_id=application_id)
    actor = actor_of(principal)
    try:
        to = AppState(to_state)
    except ValueError as exc:
        raise ValidationFailed(f"目标状态“{to_state}”无效", field="to_state") from exc
    frm = AppState(app.state)
    graduate = _graduate_row(session, app.graduate_id)
    if actor == Actor.GRADUATE and graduate.user_id != principal.user_id:
        raise NotFound(f"编号为 {application_id} 的求职记录不存在")
    if actor == Actor.COUNSELOR and not visible_graduate_scope(session, principal=principal).can_serve(
        graduate.id, graduate.org_unit_id
    ):
        raise Forbidden("该毕业生已转至异地工会服务，生源地工会只能查看")
    if (frm, to) not in pipeline.TRANSITIONS:
        raise Conflict(f"“{pipeline.STATE_NAMES[frm]}”的求职记录不能改为“{pipeline.STATE_NAMES[to]}”", field="to_state")
    if not pipeline.allowed(frm, to, actor):
        raise Forbidden(f"您无权将求职记录改为“{pipeline.STATE_NAMES[to]}”")
    if (problem := pipeline.reason_problem(to, reason)) is not None:
        raise ValidationFailed(problem, field="reason")
    note = _clean_note(note)
    if actor == Actor.COUNSELOR and note is None:
        raise ValidationFailed("代为登记线下进展须填写说明（如签约凭证、电话核实情况）", field="note")
    position = session.get(Position, app.position_id)
    if position is None:  # pragma: no cover - foreign key
        raise NotFound("岗位不存在")
    today = local_today()
    if to == AppState.APPLIED and (problem := position_problem(position, today=today)) is not None:
        raise Conflict(f"不能投递：{problem}", field="position_id")
    if to in {AppState.OFFERED, AppState.SIGNED} and _full(position):
        raise Conflict("岗位已招满，不能再录用或签约", field="to_state")
    if (
        (frm, to) in pipeline.TWO_SIDED
        and actor != Actor.COUNSELOR
        and not _confirm_signing(session, app, actor=actor, principal=principal, note=note)
    ):
        return app
    _record_transition(session, app, frm=frm, to=to, actor=actor, actor_id=principal.user_id, reason=reason, note=note)
    _after_move(
        session, app, position=position, frm=frm, to=to, actor=actor, graduate=graduate, actor_id=principal.user_id
    )
    return app


def _full(position: Position) -> bool:
    return position.headcount is not None and position.filled >= position.headcount


def _confirm_signing(
    session: Session, app: Application, *, actor: Actor, principal: Principal, note: str | None
) -> bool:
    """Record one side's signing confirmation; True when both sides have now confirmed."""
    now = utcnow()
    if actor == Actor.GRADUATE:
        if app.graduate_confirmed_at is not None:
            raise Conflict("您已确认签约，正在等待企业确认")
        app.graduate_confirmed_at = now
        other_done = app.employer_confirmed_at is not None
    else:
        if app.employer_confirmed_at is not None:
            raise Conflict("企业已确认签约，正在等待毕业生确认")
        app.employer_confirmed_at = now
        other_done = app.graduate_confirmed_at is not None
    if other_done:
        return True
    _record_transition(
        session,
        app,
        frm=AppState.OFFERED,
        to=AppState.SIGNED,
        actor=actor,
        actor_id=principal.user_id,
        note=note,
        confirmation_only=True,
    )
    if actor == Actor.GRADUATE:
        for uid in _employer_users(session, app.employer_id):
            notify(
                session,
                recipient_id=uid,
                kind="signing",
                title="毕业生已确认签约",
                body="毕业生已确认签约，请贵单位确认后完成签约。",
                link=f"/api/v1/tracking/applications/{app.id}",
            )
    else:
        graduate = _graduate_row(session, app.graduate_id)
        if graduate.user_id is not None:
            notify(
                session,
                recipient_id=graduate.user_id,
                kind="signing",
                title="企业已确认签约",
                body="用人单位已确认签约，请您确认后完成签约。",
                link=f"/api/v1/tracking/applications/{app.id}",
            )
    return False


def _after_move(
    session: Session,
    app: Application,
    *,
    position: Position,
    frm: AppState | None,
    to: AppState,
    actor: Actor,
    graduate: Graduate,
    actor_id: int | None,
) -> None:
    if to == AppState.SIGNED:
        fill_position(session, position=position, application_id=app.id)
    message = {
        AppState.INTERVIEWING: ("面试洽谈邀请", f"用人单位邀请您就岗位“{position.title}”面试洽谈。"),
        AppState.OFFERED: ("录用通知", f"您已被岗位“{position.title}”录用，请确认签约。"),
        AppState.REJECTED: ("求职结果", f"很遗憾，岗位“{position.title}”未能录用您。"),
        AppState.SIGNED: ("签约完成", f"您与岗位“{position.title}”的签约已完成。"),
    }.get(to)
    if message and graduate.user_id is not None and actor != Actor.GRADUATE:
        notify(
            session,
            recipient_id=graduate.user_id,
            kind="application",
            title=message[0],
            body=message[1],
            link=f"/api/v1/tracking/applications/{app.id}",
        )
    if to == AppState.APPLIED or (to == AppState.WITHDRAWN and frm != AppState.RECOMMENDED):
        for uid in _employer_users(session, app.employer_id):
            text = "收到新的求职申请" if to == AppState.APPLIED else "求职者已放弃申请"
            notify(
                session,
                recipient_id=uid,
                kind="application",
                title=text,
                body=f"岗位“{position.title}”：{text}。",
                link=f"/api/v1/tracking/positions/{position.id}/applicants",
            )
    recompute_status(
        session,
        graduate=graduate,
        source=StatusSource.PIPELINE,
        actor_id=actor_id,
        reason=f"求职记录 {app.id}：{pipeline.STATE_NAMES[frm] if frm else '新建'} → {pipeline.STATE_NAMES[to]}",
        lift_override=to in {AppState.SIGNED, AppState.EMPLOYED},
    )


def fill_position(session: Session, *, position: Position, application_id: int) -> None:
    """A signing takes one place: ``filled`` + 1 and the catalog's status rule applies (a position that reaches its
    headcount is filled; the matcher sees a new catalog version); its other open applications then expire
    (reason ``position_closed``). Written here against the catalog's model: the catalog has no such function.
    """
    position.filled = (position.filled or 0) + 1
    catalog.refresh_status(position)
    catalog.bump_version(session)
    if position.status == PositionStatus.FILLED:
        session.flush()
        others = session.scalars(
            select(Application).where(
                Application.position_id == position.id,
                Application.id != application_id,
                Application.state.in_([s.value for s in pipeline.ACTIVE]),
            )
        )
        for other in list(others):
            expire(session, application=other, reason="position_closed", note="岗位已招满，自动关闭")
    session.flush()


def expire(session: Session, *, application: Application, reason: str, note: str | None = None) -> None:
    """Close an open application as the system (deadline passed, position closed)."""
    frm = AppState(application.state)
    if not pipeline.allowed(frm, AppState.EXPIRED, Actor.SYSTEM):
        return
    _record_transition(
        session, application, frm=frm, to=AppState.EXPIRED, actor=Actor.SYSTEM, actor_id=None, reason=reason, note=note
    )
    graduate = _graduate_row(session, application.graduate_id)
    recompute_status(
        session,
        graduate=graduate,
        source=StatusSource.PIPELINE,
        actor_id=None,
        reason=f"求职记录 {application.id} 过期",
    )


def expire_past_deadline(session: Session, *, today: date) -> int:
    """Expire open applications of positions whose deadline has passed or that were closed. Returns the count."""
    stale = session.scalars(
        select(Application)
        .join(Position, Position.id == Application.position_id)
        .where(
            Application.state.in_([s.value for s in pipeline.ACTIVE if s != AppState.OFFERED]),
            or_(Position.deadline < today, Position.status == PositionStatus.CLOSED.value),
        )
        .order_by(Application.id)
    )
    count = 0
    for app in list(stale):
        expire(session, application=app, reason="deadline_passed", note="岗位截止或关闭，自动关闭")
        count += 1
    return count


# ---- employment status -----------------------------------------------------------------------------------


def active_override(session: Session, *, graduate_id: int) -> StatusOverride | None:
    return session.scalar(
        select(StatusOverride)
        .where(StatusOverride.graduate_id == graduate_id, StatusOverride.cleared_at.is_(None))
        .order_by(StatusOverride.id.desc())
    )


def derived_status(session: Session, *, graduate_id: int, today: date | None = None) -> Status:
    """The status the pipeline and the events imply today (without any override)."""
    day = today or local_today()
    apps = [
        pipeline.AppFact(AppState(state), kind)
        for state, kind in session.execute(
            select(Application.state, Position.kind)
            .join(Position, Position.id == Application.position_id)
            .where(Application.graduate_id == graduate_id)
        )
    ]
    events = [
        pipeline.EventFact(kind, destination, ongoing=ended is None or ended >= day)
        for kind, destination, ended in session.execute(
            select(Event.kind, Event.destination, Event.ended_on).where(
                Event.graduate_id == graduate_id, Event.occurred_on <= day
            )
        )
    ]
    return pipeline.derive(apps, events)


def current_status(session: Session, *, graduate_id: int) -> str:
    last = session.scalar(
        select(StatusChange.status)
        .where(StatusChange.graduate_id == graduate_id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(1)
    )
    if last is not None:
        return last
    filed = session.scalar(select(Graduate.employment_status).where(Graduate.id == graduate_id))
    return filed or Status.UNEMPLOYED.value


def ensure_baseline(session: Session, *, graduate: Graduate) -> None:
    """Before tracking first touches a graduate, take over the status the registry recorded at filing.

    A status the pipeline cannot derive (e.g. 升学 or 已就业 learned when filing) becomes a standing override
    with the reason "建档时登记", so that a later recommendation does not silently reset it.
    """
    last = session.scalar(
        select(StatusChange.status)
        .where(StatusChange.graduate_id == graduate.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(1)
    )
    if last is not None:
        _reconcile_registry_edit(session, graduate=graduate, tracked=last)
        return
    filed = graduate.employment_status or Status.UNEMPLOYED.value
    if filed not in {s.value for s in Status}:
        filed = Status.UNEMPLOYED.value
    session.add(
        StatusChange(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            status=filed,
            previous_status=None,
            source=StatusSource.REGISTRY.value,
            reason="建档时登记",
            actor_id=None,
            at=_aware(graduate.created_at),
        )
    )
    if filed != Status.UNEMPLOYED.value:
        session.add(
            StatusOverride(
                graduate_id=graduate.id,
                org_unit_id=graduate.org_unit_id,
                status=filed,
                reason="建档时登记",
                set_by_id=None,
                set_at=_aware(graduate.created_at),
            )
        )
    session.flush()


def _reconcile_registry_edit(session: Session, *, graduate: Graduate, tracked: str) -> None:
    """A status changed in the registry form after tracking began is taken as a counselor's decision."""
    edited = graduate.employment_status
    if not edited or edited == tracked or edited not in {s.value for s in Status}:
        return
    now = utcnow()
    current = active_override(session, graduate_id=graduate.id)
    if current is not None:
        current.cleared_at = now
        current.clear_reason = "档案中修改了就业状态"
    session.add(
        StatusOverride(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            status=edited,
            reason="档案中修改了就业状态",
            set_at=now,
        )
    )
    session.add(
        StatusChange(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            status=edited,
            previous_status=tracked,
            source=StatusSource.REGISTRY.value,
            reason="档案中修改了就业状态",
            at=now,
        )
    )
    session.flush()


def recompute_status(
    session: Session,
    *,
    graduate: Graduate,
    source: StatusSource,
    actor_id: int | None,
    reason: str | None,
    lift_override: bool = False,
    today: date | None = None,
) -> str:
    """Derive the status again and record a change when it differs. An override stands until cleared, or until
    a signing or employment recorded after it (``lift_override``)."""
    ensure_baseline(session, graduate=graduate)
    derived = derived_status(session, graduate_id=graduate.id, today=today)
    override = active_override(session, graduate_id=graduate.id)
    if override is not None and lift_override and derived in pipeline.PLACED and derived != override.status:
        override.cleared_at = utcnow()
        override.clear_reason = "此后登记了签约或就业，人工认定自动解除"
        override = None
    effective = override.status if override is not None else derived.value
    _set_status(session, graduate=graduate, status=effective, source=source, actor_id=actor_id, reason=reason)
    return effective


def _set_status(
    session: Session, *, graduate: Graduate, status: str, source: StatusSource, actor_id: int | None, reason: str | None
) -> None:
    previous = current_status(session, graduate_id=graduate.id)
    if previous == status:
        return
    session.add(
        StatusChange(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            status=status,
            previous_status=previous,
            source=source.value,
            reason=reason,
            actor_id=actor_id,
            at=utcnow(),
        )
    )
    # the registry's column mirrors the tracked status (with a registry history row), so registry, matching and
    # reports agree with tracking
    changes: dict[str, Any] = {}
    registry.set_plain(graduate, "employment_status", status, changes)
    who = audit.current_principal(session)
    registry.add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=registry.Actor(actor_id, who.role if who is not None and who.user_id == actor_id else None),
        source="tracking",
    )
    session.flush()


def refresh_statuses(session: Session, *, today: date | None = None) -> int:
    """Derive again the statuses that depend on the date — an internship that has ended — and return how many
    changed (run daily)."""
    ranked = select(
        StatusChange.graduate_id,
        StatusChange.status,
        func.row_number()
        .over(partition_by=StatusChange.graduate_id, order_by=(StatusChange.at.desc(), StatusChange.id.desc()))
        .label("rn"),
    ).subquery()
    ids = list(
        session.scalars(
            select(ranked.c.graduate_id).where(ranked.c.rn == 1, ranked.c.status == Status.INTERNSHIP.value)
        )
    )
    changed = 0
    for graduate in session.scalars(select(Graduate).where(Graduate.id.in_(ids)).order_by(Graduate.id)):
        new = recompute_status(
            session, graduate=graduate, source=StatusSource.EVENT, actor_id=None, reason="见习实习期结束", today=today
        )
        changed += int(new != Status.INTERNSHIP.value)
    return changed


def set_override(session: Session, *, principal: Principal, graduate_id: int, status: str | None, reason: str) -> str:
    """A counselor sets (or, with ``status`` None, clears) the status by hand; the reason is kept."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    ensure_baseline(session, graduate=graduate)
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationFailed("请说明人工认定的依据", field="reason")
    current = active_override(session, graduate_id=graduate.id)
    if current is not None:
        current.cleared_at = utcnow()
        current.cleared_by_id = principal.user_id
        current.clear_reason = reason
    if status is None:
        if current is None:
            raise Conflict("该毕业生没有人工认定的就业状态", field="status")
        session.flush()
        return recompute_status(
            session, graduate=graduate, source=StatusSource.OVERRIDE_CLEARED, actor_id=principal.user_id, reason=reason
        )
    try:
        value = Status(status)
    except ValueError as exc:
        raise ValidationFailed(f"就业状态“{status}”无效", field="status") from exc
    session.add(
        StatusOverride(
            graduate_id=graduate.id,
            org_unit_id=graduate.org_unit_id,
            status=value.value,
            reason=reason,
            set_by_id=principal.user_id,
            set_at=utcnow(),
        )
    )
    session.flush()
    _set_status(
        session,
        graduate=graduate,
        status=value.value,
        source=StatusSource.OVERRIDE,
        actor_id=principal.user_id,
        reason=reason,
    )
    return value.value


def status_history(session: Session, *, graduate_id: int) -> list[StatusChange]:
    return list(
        session.scalars(
            select(StatusChange)
            .where(StatusChange.graduate_id == graduate_id)
            .order_by(StatusChange.at, StatusChange.id)
        )
    )


def status_as_of(
    session: Session,
    *,
    as_of: date,
    org_unit_ids: frozenset[int] | None = None,
    graduate_ids: Iterable[int] | None = None,
) -> dict[int, str]:
    """Each graduate's employment status at the end of ``as_of`` (local time). Graduates tracking has not touched
    yet are left out unless named in ``graduate_ids``; then they get the status the registry filed."""
    cutoff = end_of_day_utc(as_of)
    ranked = select(
        StatusChange.graduate_id,
        StatusChange.status,
        func.row_number()
        .over(partition_by=StatusChange.graduate_id, order_by=(StatusChange.at.desc(), StatusChange.id.desc()))
        .label("rn"),
    ).where(StatusChange.at < cutoff)
    ids = list(graduate_ids) if graduate_ids is not None else None
    if ids is not None:
        ranked = ranked.where(StatusChange.graduate_id.in_(ids))
    if org_unit_ids is not None:
        ranked = ranked.where(StatusChange.org_unit_id.in_(sorted(org_unit_ids)))
    sub = ranked.subquery()
    out: dict[int, str] = dict(session.execute(select(sub.c.graduate_id, sub.c.status).where(sub.c.rn == 1)).all())
    missing = [gid for gid in ids or () if gid not in out]
    if missing:
        filed = dict(
            session.execute(select(Graduate.id, Graduate.employment_status).where(Graduate.id.in_(missing))).all()
        )
        for gid in missing:
            out[gid] = filed.get(gid) or Status.UNEMPLOYED.value
    return out


# ---- events ----------------------------------------------------------------------------------------------


def record_event(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    kind: str,
    occurred_on: date,
    title: str,
    ended_on: date | None = None,
    organisation: str | None = None,
    job_fair: bool = False,
    destination: str | None = None,
    note: str | None = None,
) -> Event:
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    try:
        kind_value = EventKind(kind)
    except ValueError as exc:
        raise ValidationFailed(f"事件类别“{kind}”无效", field="kind") from exc
    today = local_today()
    if occurred_on > today:
        raise ValidationFailed("不能登记尚未发生的事件", field="occurred_on")
    if ended_on is not None and ended_on < occurred_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ended_on")
    if destination is not None:
        if kind_value != EventKind.EMPLOYMENT:
            raise ValidationFailed("只有“就业”事件需要填写去向", field="destination")
        if destination not in pipeline.DESTINATIONS:
            options = "、".join(f"{d}（{pipeline.STATUS_NAMES[d]}）" for d in sorted(pipeline.DESTINATIONS))
            raise ValidationFailed(f"去向无效，可选：{options}", field="destination")
    if job_fair and kind_value != EventKind.JOB_SEEKING:
        raise ValidationFailed("参加招聘会请登记为“求职”事件", field="job_fair")
    event = Event(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        kind=kind_value.value,
        occurred_on=occurred_on,
        ended_on=ended_on,
        title=title.strip(),
        organisation=organisation,
        job_fair=job_fair,
        destination=destination,
        note=_clean_note(note),
        recorded_by_id=principal.user_id,
    )
    session.add(event)
    session.flush()
    recompute_status(
        session,
        graduate=graduate,
        source=StatusSource.EVENT,
        actor_id=principal.user_id,
        reason=f"登记事件：{title.strip()}",
        lift_override=kind_value in {EventKind.SIGNING, EventKind.EMPLOYMENT},
    )
    return event


def list_events(session: Session, *, graduate_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.graduate_id == graduate_id).order_by(Event.occurred_on, Event.id))
    )


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


def _county_map(session: Session) -> dict[int, OrgUnit]:
    """Every org unit id → its county-level unit (county, park or 市直), the city for the city itself."""
    units = {u.id: u for u in session.scalars(select(OrgUnit))}
    out: dict[int, OrgUnit] = {}
    levels = {OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT}
    for uid, unit in units.items():
        chain = [units[int(p)] for p in unit.path.strip("/").split("/") if p and int(p) in units]
        out[uid] = next((u for u in chain if u.kind in levels), unit)
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


def _responsible(session: Session, graduate_ids: Sequence[int]) -> dict[int, int]:
    """Graduate → responsible counselor: the assignment, else whoever made the latest contact."""
    if not graduate_ids:
        return {}
    out: dict[int, int] = {}
    latest = _latest_contacts(session, graduate_ids=graduate_ids)
    for gid, contact in latest.items():
        if contact.counselor_id is not None:
            out[gid] = contact.counselor_id
    for gid, counselor in session.execute(
        select(Assignment.graduate_id, Assignment.counselor_id).where(Assignment.graduate_id.in_(graduate_ids))
    ):
        out[gid] = counselor
    return out


def _user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


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
    """Graduates the standard covers (by status on ``as_of``) who fall short of it, with what is missing."""
    standard = active_standard(session)
    day = as_of or local_today()
    graduates = _graduates_in(session, scope)
    ids = [g.id for g in graduates]
    statuses = status_as_of(session, as_of=day, graduate_ids=ids)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if ids:
        for gid, kind, n in session.execute(
            select(ServiceRecord.graduate_id, ServiceRecord.kind, func.count())
            .where(ServiceRecord.graduate_id.in_(ids), ServiceRecord.delivered_on <= day)
            .group_by(ServiceRecord.graduate_id, ServiceRecord.kind)
        ):
            counts[gid][kind] = int(n)
    responsible = _responsible(session, ids)
    names = _user_names(session, responsible.values())
    counties = _county_map(session)
    out: list[Gap] = []
    for g in graduates:
        status = statuses[g.id]
        if status not in standard.applies_to:
            continue
        have = {r.key: sum(counts[g.id].get(k, 0) for k in r.kinds) for r in standard.requirements}
        missing = {r.key: r.minimum - have[r.key] for r in standard.requirements if have[r.key] < r.minimum}
        if not missing:
            continue
        county = counties.get(g.org_unit_id)
        who = responsible.get(g.id)
        gap = Gap(
            graduate_id=g.id,
            name=g.name,
            org_unit_id=g.org_unit_id,
            county_id=county.id if county else g.org_unit_id,
            county_name=county.name if county else "",
            counselor_id=who,
            counselor_name=names.get(who) if who else None,
            status=status,
            counts=have,
            missing=missing,
        )
        if counselor_id is not None and gap.counselor_id != counselor_id:
            continue
        if county_id is not None and gap.county_id != county_id:
            continue
        out.append(gap)
    out.sort(key=lambda x: (x.county_name, x.counselor_name or "", x.graduate_id))
    return out


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


# ---- caseload assignment ---------------------------------------------------------------------------------


def assign_counselor(session: Session, *, principal: Principal, graduate_id: int, counselor_id: int) -> Assignment:
    """Make ``counselor_id`` the graduate's responsible counselor. Counselors may take graduates themselves."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if principal.role == Role.COUNSELOR and counselor_id != principal.user_id:
        raise Forbidden("就业指导员只能把毕业生分配给自己，分配给他人请联系县区总工会")
    counselor = session.get(User, counselor_id)
    if counselor is None or counselor.role != Role.COUNSELOR or not counselor.is_active:
        raise ValidationFailed("请选择有效的就业指导员账号", field="counselor_id")
    reach = _union_reach(session, counselor)
    scope = GraduateScope(org_unit_ids=reach, handed_in=_handed_in_ids(session, reach))
    if not scope.can_serve(graduate.id, graduate.org_unit_id):
        raise ValidationFailed("该指导员不负责该毕业生所在地区", field="counselor_id")
    row = session.scalar(select(Assignment).where(Assignment.graduate_id == graduate.id))
    if row is None:
        row = Assignment(graduate_id=graduate.id, org_unit_id=graduate.org_unit_id, counselor_id=counselor_id)
        session.add(row)
    row.counselor_id = counselor_id
    row.assigned_by_id = principal.user_id
    session.flush()
    if counselor_id != principal.user_id:
        notify(
            session,
            recipient_id=counselor_id,
            kind="assignment",
            title="新分配的帮扶对象",
            body=f"毕业生 {graduate.name} 已分配给您，请及时联系。",
            link=f"/api/v1/tracking/graduates/{graduate.id}/timeline",
        )
    return row


def _union_reach(session: Session, user: User) -> frozenset[int]:
    from services.orgs import service as orgs

    if user.org_unit_id is None:
        return frozenset()
    return orgs.subtree_ids(session, org_unit_id=user.org_unit_id)


def _handed_in_ids(session: Session, reach: frozenset[int]) -> frozenset[int]:
    if not reach:
        return frozenset()
    return frozenset(
        session.scalars(
            select(Handoff.graduate_id).where(
                Handoff.state == HandoffState.ACCEPTED, Handoff.to_org_unit_id.in_(sorted(reach))
            )
        )
    )


# ---- contacts and reminders ------------------------------------------------------------------------------


def record_contact(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    channel: str,
    outcome: str,
    summary: str,
    contacted_at: datetime | None = None,
    next_due_on: date | None = None,
) -> Contact:
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if channel not in {c.value for c in ContactChannel}:
        raise ValidationFailed(
            f"联系方式“{channel}”无效，可选：电话 phone、走访 visit、短信微信 message、座谈 meeting", field="channel"
        )
    if outcome not in {o.value for o in ContactOutcome}:
        raise ValidationFailed(f"联系结果“{outcome}”无效", field="outcome")
    when = _aware(contacted_at) if contacted_at is not None else utcnow()
    if when > utcnow() + timedelta(minutes=5):
        raise ValidationFailed("联系时间不能晚于现在", field="contacted_at")
    contact_day = when.astimezone(ZoneInfo(get_settings().timezone)).date()
    if next_due_on is not None and next_due_on <= contact_day:
        raise ValidationFailed("下次联系日期应晚于本次联系日期", field="next_due_on")
    row = Contact(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        counselor_id=principal.user_id,
        channel=channel,
        contacted_at=when,
        outcome=outcome,
        summary=summary.strip(),
        next_due_on=next_due_on,
    )
    session.add(row)
    session.flush()
    return row


def list_contacts(session: Session, *, graduate_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact).where(Contact.graduate_id == graduate_id).order_by(Contact.contacted_at, Contact.id)
        )
    )


def _latest_contacts(
    session: Session, *, graduate_ids: Sequence[int] | None = None, scope: GraduateScope | None = None
) -> dict[int, Contact]:
    ranked = select(
        Contact.id,
        func.row_number()
        .over(partition_by=Contact.graduate_id, order_by=(Contact.contacted_at.desc(), Contact.id.desc()))
        .label("rn"),
    )
    if graduate_ids is not None:
        ranked = ranked.where(Contact.graduate_id.in_(list(graduate_ids)))
    if scope is not None:
        ranked = ranked.where(scope.clause(Contact.graduate_id, Contact.org_unit_id))
    sub = ranked.subquery()
    rows = session.scalars(select(Contact).join(sub, sub.c.id == Contact.id).where(sub.c.rn == 1))
    return {c.graduate_id: c for c in rows}


@dataclass(slots=True)
class Overdue:
    graduate_id: int
    name: str
    org_unit_id: int
    due_on: date
    days_overdue: int
    counselor_id: int | None
    counselor_name: str | None
    last_contact_id: int
    last_channel: str
    last_outcome: str
    last_contacted_at: datetime


def overdue_contacts(
    session: Session, *, scope: GraduateScope, today: date | None = None, counselor_id: int | None = None
) -> list[Overdue]:
    """Graduates whose latest contact set a next due date that has passed, oldest first."""
    day = today or local_today()
    latest = _latest_contacts(session, scope=scope)
    due = {gid: c for gid, c in latest.items() if c.next_due_on is not None and c.next_due_on < day}
    if not due:
        return []
    responsible = _responsible(session, list(due))
    names = _user_names(session, responsible.values())
    graduates = {g.id: g for g in session.scalars(select(Graduate).where(Graduate.id.in_(list(due))))}
    out: list[Overdue] = []
    for gid, contact in due.items():
        who = responsible.get(gid)
        if counselor_id is not None and who != counselor_id:
            continue
        assert contact.next_due_on is not None
        out.append(
            Overdue(
                graduate_id=gid,
                name=graduates[gid].name,
                org_unit_id=graduates[gid].org_unit_id,
                due_on=contact.next_due_on,
                days_overdue=(day - contact.next_due_on).days,
                counselor_id=who,
                counselor_name=names.get(who) if who else None,
                last_contact_id=contact.id,
                last_channel=contact.channel,
                last_outcome=contact.outcome,
                last_contacted_at=_aware(contact.contacted_at),
            )
        )
    out.sort(key=lambda o: (o.due_on, o.graduate_id))
    return out


def create_follow_up_reminders(session: Session, *, today: date | None = None) -> list[int]:
    """One reminder (an in-app notification, and an e-mail to send when SMTP is configured) per graduate per
    due date, for every follow-up due today or earlier. Running it again creates nothing new: the unique
    (graduate, due date) constraint decides, so two concurrent runs cannot both create one."""
    day = today or local_today()
    latest = _latest_contacts(session)
    due = {gid: c for gid, c in latest.items() if c.next_due_on is not None and c.next_due_on <= day}
    if not due:
        return []
    known = {
        (gid, due_on)
        for gid, due_on in session.execute(
            select(Reminder.graduate_id, Reminder.due_on).where(Reminder.graduate_id.in_(list(due)))
        )
    }
    responsible = _responsible(session, list(due))
    graduates = {g.id: g for g in session.scalars(select(Graduate).where(Graduate.id.in_(list(due))))}
    smtp = bool(get_settings().smtp_host)
    created: list[int] = []
    for gid, contact in sorted(due.items()):
        assert contact.next_due_on is not None
        recipient = responsible.get(gid)
        if recipient is None or (gid, contact.next_due_on) in known:
            continue
        graduate = graduates[gid]
        overdue_days = (day - contact.next_due_on).days
        when = "今天" if overdue_days == 0 else f"已逾期 {overdue_days} 天"
        email = session.scalar(select(User.email).where(User.id == recipient))
        try:
            with session.begin_nested():
                note = notify(
                    session,
                    recipient_id=recipient,
                    kind="follow_up",
                    title=f"回访提醒：{graduate.name}",
                    body=(
                        f"毕业生 {graduate.name} 的下次联系日期为 {contact.next_due_on.isoformat()}（{when}），"
                        "请及时联系回访。"
                    ),
                    link=f"/api/v1/tracking/graduates/{gid}/timeline",
                )
                row = Reminder(
                    graduate_id=gid,
                    org_unit_id=graduate.org_unit_id,
                    due_on=contact.next_due_on,
                    contact_id=contact.id,
                    recipient_id=recipient,
                    notification_id=note.id,
                    email_state="pending" if smtp and email else "none",
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            log.info("reminder for graduate %s due %s already exists", gid, contact.next_due_on)
            continue
        created.append(row.id)
    return created


@dataclass(frozen=True, slots=True)
class Mail:
    reminder_id: int
    to: str
    subject: str
    body: str


def claim_reminder_emails(session: Session, *, limit: int = 200) -> list[Mail]:
    """Claim pending reminder e-mails (pending → sending) so that no two workers send the same one."""
    ids = list(
        session.scalars(select(Reminder.id).where(Reminder.email_state == "pending").order_by(Reminder.id).limit(limit))
    )
    out: list[Mail] = []
    for rid in ids:
        result = session.execute(
            update(Reminder).where(Reminder.id == rid, Reminder.email_state == "pending").values(email_state="sending")
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        reminder = session.get(Reminder, rid)
        assert reminder is not None
        note = session.get(Notification, reminder.notification_id)
        to = session.scalar(select(User.email).where(User.id == reminder.recipient_id))
        if note is None or not to:
            reminder.email_state = "none"
            continue
        out.append(Mail(reminder_id=rid, to=to, subject=note.title, body=note.body))
    session.flush()
    return out


def finish_reminder_email(session: Session, *, reminder_id: int, sent: bool) -> None:
    reminder = session.get(Reminder, reminder_id)
    if reminder is None:
        return
    reminder.email_state = "sent" if sent else "failed"
    reminder.emailed_at = utcnow() if sent else None
    session.flush()


# ---- handoffs (异地求职) ---------------------------------------------------------------------------------


UNION_LEVELS = frozenset({OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT})


HANDOFF_NAMES = {
    HandoffState.PENDING.value: "待接收",
    HandoffState.ACCEPTED.value: "已接收",
    HandoffState.DECLINED.value: "已拒绝",
    HandoffState.ENDED.value: "已结束",
}


def _open_handoff(session: Session, graduate_id: int) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(
            Handoff.graduate_id == graduate_id,
            Handoff.state.in_([HandoffState.PENDING.value, HandoffState.ACCEPTED.value]),
        )
    )


def request_handoff(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    to_org_unit_id: int,
    reason: str,
    intended_place: str | None = None,
) -> Handoff:
    """The home union hands a graduate to the union of the intended work place (pending until it decides)."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if principal.scope is not None and graduate.org_unit_id not in principal.scope:
        raise Forbidden("只有生源地工会可以发起异地转介")
    target = session.get(OrgUnit, to_org_unit_id)
    if target is None or target.kind not in UNION_LEVELS:
        raise ValidationFailed("请选择意向工作地的县区（园区）总工会", field="to_org_unit_id")
    if _within(session, graduate.org_unit_id, target):
        raise ValidationFailed("意向工作地工会不能是生源地工会本身", field="to_org_unit_id")
    if _open_handoff(session, graduate.id) is not None:
        raise Conflict("该毕业生已有进行中的异地转介", field="graduate_id")
    if len(reason.strip()) < 2:
        raise ValidationFailed("请填写转介原因", field="reason")
    row = Handoff(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        to_org_unit_id=target.id,
        state=HandoffState.PENDING.value,
        intended_place=intended_place,
        reason=reason.strip(),
        requested_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    for uid in _union_staff(session, target.id):
        notify(
            session,
            recipient_id=uid,
            kind="handoff",
            title="异地求职转介待接收",
            body=f"有一名异地求职毕业生转介至贵会（意向地：{intended_place or target.name}），请及时接收或说明原因。",
            link=f"/api/v1/tracking/handoffs/{row.id}",
        )
    return row


def _within(session: Session, org_unit_id: int, target: OrgUnit) -> bool:
    """True when ``org_unit_id`` lies inside ``target``'s subtree (the target would be the home union)."""
    unit = session.get(OrgUnit, org_unit_id)
    return unit is not None and unit.path.startswith(target.path)


def _union_staff(session: Session, org_unit_id: int) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(
                User.org_unit_id == org_unit_id,
                User.role.in_([Role.COUNSELOR.value, Role.UNION_COUNTY.value]),
                User.is_active.is_(True),
            )
        )
    )


def visible_handoffs_clause(principal: Principal) -> ColumnElement[bool]:
    if principal.role not in UNION_SIDE:
        return false()
    if principal.scope is None:
        return true()
    scope = sorted(principal.scope)
    return or_(Handoff.org_unit_id.in_(scope), Handoff.to_org_unit_id.in_(scope))


def get_handoff(session: Session, *, principal: Principal, handoff_id: int) -> Handoff:
    row = session.scalar(select(Handoff).where(Handoff.id == handoff_id, visible_handoffs_clause(principal)))
    if row is None:
        raise NotFound(f"编号为 {handoff_id} 的转介不存在")
    return row


def list_handoffs(
    session: Session, *, principal: Principal, state: str | None, limit: int, offset: int
) -> tuple[list[Handoff], int]:
    cond: list[ColumnElement[bool]] = [visible_handoffs_clause(principal)]
    if state:
        cond.append(Handoff.state == state)
    total = session.scalar(select(func.count()).select_from(Handoff).where(*cond)) or 0
    rows = session.scalars(select(Handoff).where(*cond).order_by(Handoff.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def decide_handoff(
    session: Session, *, principal: Principal, handoff_id: int, accept: bool, note: str | None = None
) -> Handoff:
    """The receiving union accepts (its counselors then serve the graduate) or declines with a reason."""
    row = get_handoff(session, principal=principal, handoff_id=handoff_id)
    if not principal.covers(row.to_org_unit_id):
        raise Forbidden("只有接收地工会可以接收或拒绝转介")
    if row.state != HandoffState.PENDING:
        raise Conflict("该转介已处理")
    note = _clean_note(note)
    if not accept and note is None:
        raise ValidationFailed("拒绝转介须说明原因", field="note")
    row.state = (HandoffState.ACCEPTED if accept else HandoffState.DECLINED).value
    row.decided_by_id = principal.user_id
    row.decided_at = utcnow()
    row.decision_note = note
    session.flush()
    if row.requested_by_id is not None:
        notify(
            session,
            recipient_id=row.requested_by_id,
            kind="handoff",
            title="异地转介已接收" if accept else "异地转介被拒绝",
            body=("接收地工会已接收转介，将为毕业生推荐当地岗位。" if accept else f"接收地工会未接收转介：{note}"),
            link=f"/api/v1/tracking/handoffs/{row.id}",
        )
    return row


def end_handoff(session: Session, *, principal: Principal, handoff_id: int, note: str) -> Handoff:
    """Either union ends a handoff (the graduate returns home, or the request is withdrawn)."""
    row = get_handoff(session, principal=principal, handoff_id=handoff_id)
    if row.state not in {HandoffState.PENDING, HandoffState.ACCEPTED}:
        raise Conflict("该转介已结束")
    if len(note.strip()) < 2:
        raise ValidationFailed("请说明结束转介的原因", field="note")
    row.state = HandoffState.ENDED.value
    row.ended_by_id = principal.user_id
    row.ended_at = utcnow()
    row.end_note = note.strip()
    session.flush()
    return row


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
    cond = [
        Application.position_id == position.id,
        Application.state != AppState.RECOMMENDED.value,
        visible_applications_clause(session, principal=principal),
    ]
    rows = session.execute(
        select(Application, Graduate)
        .join(Graduate, Graduate.id == Application.graduate_id)
        .where(*cond)
        .order_by(Application.id)
    )
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
    gaps: list[Gap]


def workbench(
    session: Session, *, principal: Principal, mine_only: bool = False, limit: int = 100, offset: int = 0
) -> Workbench:
    """The counselor's desk: caseload with status, overdue follow-ups and 1131 gaps (``mine_only``: own graduates)."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以使用工作台")
    scope = visible_graduate_scope(session, principal=principal)
    graduates = _graduates_in(session, scope)
    ids = [g.id for g in graduates]
    responsible = _responsible(session, ids)
    if mine_only:
        graduates = [g for g in graduates if responsible.get(g.id) == principal.user_id]
    total = len(graduates)
    page = graduates[offset : offset + limit]
    page_ids = [g.id for g in page]
    statuses = {gid: current_status(session, graduate_id=gid) for gid in page_ids}
    latest = _latest_contacts(session, graduate_ids=page_ids) if page_ids else {}
    open_counts: dict[int, int] = {}
    if page_ids:
        open_counts = dict(
            session.execute(
                select(Application.graduate_id, func.count())
                .where(
                    Application.graduate_id.in_(page_ids),
                    Application.state.in_([s.value for s in pipeline.ACTIVE]),
                )
                .group_by(Application.graduate_id)
            ).all()
        )
    caseload = [
        CaseRow(
            graduate_id=g.id,
            name=g.name,
            org_unit_id=g.org_unit_id,
            status=statuses[g.id],
            counselor_id=responsible.get(g.id),
            handed_in=g.id in scope.handed_in,
            handed_out=g.id in scope.handed_out,
            last_contact_at=_aware(latest[g.id].contacted_at) if g.id in latest else None,
            next_due_on=latest[g.id].next_due_on if g.id in latest else None,
            open_applications=int(open_counts.get(g.id, 0)),
        )
        for g in page
    ]
    mine = principal.user_id if mine_only else None
    overdue = overdue_contacts(session, scope=scope, counselor_id=mine)
    gaps = service_gaps(session, scope=scope, counselor_id=mine)
    return Workbench(caseload=caseload, caseload_total=total, overdue=overdue, gaps=gaps)


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


# ---- figures for the reports ------------------------------------------------------------------------------


def _scope_of(org_unit_ids: frozenset[int] | None) -> GraduateScope:
    return GraduateScope(org_unit_ids=org_unit_ids)


def count_graduates(
    session: Session,
    *,
    org_unit_ids: frozenset[int] | None,
    as_of: date,
    by: Sequence[str] = ("county", "cohort", "status"),
) -> list[dict[str, Any]]:
    """Graduates (stage ``graduate``) counted by any of ``county``, ``cohort``, ``status``, ``destination``
    (the status for placed graduates, ``unplaced`` otherwise) and ``education``, on ``as_of``.

    Rows: the chosen keys plus ``count``; graduates registered after ``as_of`` are not counted.
    """
    allowed_keys = {"county", "cohort", "status", "destination", "education"}
    bad = [k for k in by if k not in allowed_keys]
    if bad:
        raise ValidationFailed(f"不支持的分组：{'、'.join(bad)}", field="by")
    graduates = [
        g for g in _graduates_in(session, _scope_of(org_unit_ids)) if _aware(g.created_at) < end_of_day_utc(as_of)
    ]
    statuses = status_as_of(session, as_of=as_of, graduate_ids=[g.id for g in graduates])
    counties = _county_map(session)
    tally: dict[tuple[Any, ...], int] = defaultdict(int)
    for g in graduates:
        status = statuses[g.id]
        county = counties.get(g.org_unit_id)
        values = {
            "county": county.code if county else None,
            "cohort": g.cohort,
            "status": status,
            "destination": status if status in pipeline.PLACED else "unplaced",
            "education": g.education,
        }
        tally[tuple(values[k] for k in by)] += 1
    ordered = sorted(tally.items(), key=lambda kv: str(kv[0]))
    return [{**dict(zip(by, key, strict=True)), "count": n} for key, n in ordered]


def services_by_kind(
    session: Session, *, org_unit_ids: frozenset[int] | None, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """Services delivered per county and kind: ``{"county", "kind", "count", "graduates"}`` rows."""
    stmt = select(ServiceRecord.org_unit_id, ServiceRecord.kind, ServiceRecord.graduate_id)
    if org_unit_ids is not None:
        stmt = stmt.where(ServiceRecord.org_unit_id.in_(sorted(org_unit_ids)))
    if since is not None:
        stmt = stmt.where(ServiceRecord.delivered_on >= since)
    if until is not None:
        stmt = stmt.where(ServiceRecord.delivered_on <= until)
    counties = _county_map(session)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for org, kind, gid in session.execute(stmt):
        key = (counties[org].code if org in counties else str(org), kind)
        counts[key] += 1
        people[key].add(gid)
    return [
        {"county": c, "kind": k, "count": n, "graduates": len(people[(c, k)])} for (c, k), n in sorted(counts.items())
    ]


def contacts_summary(
    session: Session,
    *,
    org_unit_ids: frozenset[int] | None,
    since: date | None = None,
    until: date | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Contacts per county and channel in the period, with the graduates reached and those overdue now:
    ``{"county", "channel", "count", "graduates", "overdue"}`` (``overdue`` is per county, repeated)."""
    stmt = select(Contact.org_unit_id, Contact.channel, Contact.graduate_id)
    if org_unit_ids is not None:
        stmt = stmt.where(Contact.org_unit_id.in_(sorted(org_unit_ids)))
    if since is not None:
        stmt = stmt.where(Contact.contacted_at >= end_of_day_utc(since - timedelta(days=1)))
    if until is not None:
        stmt = stmt.where(Contact.contacted_at < end_of_day_utc(until))
    counties = _county_map(session)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for org, channel, gid in session.execute(stmt):
        key = (counties[org].code if org in counties else str(org), channel)
        counts[key] += 1
        people[key].add(gid)
    overdue: dict[str, int] = defaultdict(int)
    for row in overdue_contacts(session, scope=_scope_of(org_unit_ids), today=today):
        county = counties.get(row.org_unit_id)
        overdue[county.code if county else str(row.org_unit_id)] += 1
    return [
        {"county": c, "channel": ch, "count": n, "graduates": len(people[(c, ch)]), "overdue": overdue.get(c, 0)}
        for (c, ch), n in sorted(counts.items())
    ]


def compliance(session: Session, *, org_unit_ids: frozenset[int] | None, as_of: date) -> list[dict[str, Any]]:
    """The service standard per county on ``as_of``: ``{"county", "covered", "compliant", "short", "rate"}``,
    where ``covered`` counts graduates whose status the standard applies to and ``rate`` is compliant/covered."""
    standard = active_standard(session)
    scope = _scope_of(org_unit_ids)
    graduates = [g for g in _graduates_in(session, scope) if _aware(g.created_at) < end_of_day_utc(as_of)]
    statuses = status_as_of(session, as_of=as_of, graduate_ids=[g.id for g in graduates])
    short_ids = {gap.graduate_id for gap in service_gaps(session, scope=scope, as_of=as_of)}
    counties = _county_map(session)
    covered: dict[str, int] = defaultdict(int)
    short: dict[str, int] = defaultdict(int)
    for g in graduates:
        if statuses[g.id] not in standard.applies_to:
            continue
        county = counties.get(g.org_unit_id)
        code = county.code if county else str(g.org_unit_id)
        covered[code] += 1
        if g.id in short_ids:
            short[code] += 1
    return [
        {
            "county": code,
            "covered": n,
            "compliant": n - short[code],
            "short": short[code],
            "rate": round((n - short[code]) / n, 4) if n else None,
        }
        for code, n in sorted(covered.items())
    ]
