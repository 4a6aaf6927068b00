"""Employment status: derived from the pipeline, set by a counselor's override, reconciled with registry edits,
with its history and its value as of a day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.catalog.api import Position
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Conflict, ValidationFailed
from services.registry import api as registry
from services.registry.api import Graduate
from services.security import audit
from services.security.principal import Principal
from services.security.scope import Col
from services.tracking import pipeline
from services.tracking.access import _aware, end_of_day_utc, servable_graduate
from services.tracking.models import (
    Application,
    Event,
    StatusChange,
    StatusOverride,
    StatusSource,
)
from services.tracking.pipeline import AppState, Status

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


def status_expression(
    graduate_id: Col, filed: Col, *, before: datetime | ColumnElement[datetime] | None = None
) -> ColumnElement[Any]:
    """SQL: the graduate's status as :func:`current_status` (or, with ``before``, :func:`status_as_of`) gives it,
    for each row of an outer query that has the graduate's id and the status the registry filed."""
    last = select(StatusChange.status).where(StatusChange.graduate_id == graduate_id)
    if before is not None:
        last = last.where(StatusChange.at < before)
    latest = (
        last.order_by(StatusChange.at.desc(), StatusChange.id.desc()).limit(1).correlate_except(StatusChange)
    ).scalar_subquery()
    return func.coalesce(latest, func.nullif(filed, ""), Status.UNEMPLOYED.value)


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
    who = audit.current_principal(session)
    registry.record_employment_status(
        session,
        graduate=graduate,
        status=status,
        actor_id=actor_id,
        actor_role=who.role if who is not None and who.user_id == actor_id else None,
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
    if ids is None:
        return dict(session.execute(select(sub.c.graduate_id, sub.c.status).where(sub.c.rn == 1)).all())
    # named graduates: one statement, the registry's filed status where tracking has no change yet
    latest = select(sub.c.graduate_id, sub.c.status).where(sub.c.rn == 1).subquery()
    rows = session.execute(
        select(Graduate.id, latest.c.status, Graduate.employment_status)
        .outerjoin(latest, latest.c.graduate_id == Graduate.id)
        .where(Graduate.id.in_(ids))
    ).all()
    out: dict[int, str] = {gid: tracked or filed or Status.UNEMPLOYED.value for gid, tracked, filed in rows}
    for gid in ids:
        out.setdefault(gid, Status.UNEMPLOYED.value)
    return out
