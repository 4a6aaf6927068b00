"""Events in a graduate's path (training, interviews, job fairs attended, ...), with the status they imply."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.errors import ValidationFailed
from services.security.principal import Principal
from services.tracking import pipeline
from services.tracking.access import servable_graduate
from services.tracking.applications import _clean_note
from services.tracking.models import (
    Event,
    EventKind,
    StatusSource,
)
from services.tracking.status import recompute_status

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
