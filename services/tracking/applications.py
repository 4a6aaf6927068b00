"""The application pipeline: recommendations, applications, moves along the transition table
(``pipeline.TRANSITIONS``), two-sided signing confirmation and expiry. Signing takes its seat through the
catalog's guarded :func:`services.catalog.service.record_signing`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from services.catalog import api as catalog
from services.catalog.api import Employer, EmployerAccount, EmployerStatus, Position, PositionStatus
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.matches import api as matches
from services.notifications.api import notify
from services.registry.api import Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import graduate_scope, scoped
from services.tracking import pipeline
from services.tracking.access import (
    _graduate_row,
    actor_of,
    own_graduate,
    servable_graduate,
)
from services.tracking.models import (
    Application,
    ServiceKind,
    ServiceRecord,
    StatusSource,
    Transition,
)
from services.tracking.pipeline import Actor, AppState
from services.tracking.status import recompute_status


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
    if not confirmation_only:
        matches.record_outcome(session, application_id=app.id, state=to.value)
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


S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


def visible_applications(session: Session, stmt: S, *, principal: Principal) -> S:
    """``stmt`` over applications narrowed to those ``principal`` may see: a graduate their own, the union side
    those of its caseload scope (handoffs included), an enterprise those of its employer that the graduate
    actually applied to, and only while the employer is verified — a recommendation the graduate let go never
    reaches the employer, and an employer pending or refused verification sees no applicant, earlier ones
    included."""
    stmt = scoped(
        stmt,
        principal,
        org=Application.org_unit_id,
        graduate=Application.graduate_id,
        employer=Application.employer_id,
        session=session,
    )
    if principal.role == Role.ENTERPRISE:
        applied = select(Transition.application_id).where(Transition.to_state == AppState.APPLIED.value)
        verified = select(Employer.id).where(Employer.status == EmployerStatus.VERIFIED)
        stmt = stmt.where(Application.id.in_(applied), Application.employer_id.in_(verified))
    return stmt


def get_application(session: Session, *, principal: Principal, application_id: int) -> Application:
    app = session.scalar(
        visible_applications(session, select(Application).where(Application.id == application_id), principal=principal)
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
    cond: list[ColumnElement[bool]] = []
    if state:
        cond.append(Application.state == state)
    if graduate_id is not None:
        cond.append(Application.graduate_id == graduate_id)
    if position_id is not None:
        cond.append(Application.position_id == position_id)
    count = visible_applications(
        session, select(func.count()).select_from(Application).where(*cond), principal=principal
    )
    total = session.scalar(count) or 0
    page = visible_applications(
        session,
        select(Application).where(*cond).order_by(Application.id.desc()).limit(limit).offset(offset),
        principal=principal,
    )
    return list(session.scalars(page)), total


def history(session: Session, *, application_id: int) -> list[Transition]:
    return list(
        session.scalars(select(Transition).where(Transition.application_id == application_id).order_by(Transition.id))
    )


def histories(session: Session, *, application_ids: Sequence[int]) -> dict[int, list[Transition]]:
    """The transitions of several applications in one statement, each list in order (empty when none)."""
    found: dict[int, list[Transition]] = {i: [] for i in application_ids}
    if found:
        rows = session.scalars(
            select(Transition).where(Transition.application_id.in_(sorted(found))).order_by(Transition.id)
        )
        for t in rows:
            found[t.application_id].append(t)
    return found


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
    if actor == Actor.COUNSELOR and not graduate_scope(session, principal=principal).can_serve(
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
    if to == AppState.SIGNED:
        _take_seat(session, position=position, application_id=app.id)
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


def _take_seat(session: Session, *, position: Position, application_id: int) -> None:
    """A signing takes one place through the catalog's guarded :func:`~services.catalog.service.record_signing`
    (row lock, headcount guard: a signing beyond the headcount is refused with 409 and nothing is written); when
    the position is now filled, its other open applications expire (reason ``position_closed``)."""
    seated = catalog.record_signing(session, position_id=position.id)
    if seated.status == PositionStatus.FILLED:
        others = session.scalars(
            select(Application).where(
                Application.position_id == seated.id,
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
