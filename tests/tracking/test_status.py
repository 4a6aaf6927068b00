"""Employment status: derived from the pipeline and events, a counselor's override with its reason, the status
the registry filed, and the status "as of" a date (local time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Conflict, ValidationFailed
from services.tracking import service
from services.tracking.models import StatusChange
from tests.conftest import World
from tests.tracking.factories import enterprise_position, make_graduate, own_graduate, principal, today

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_override_keeps_its_reason_and_clearing_restores_the_derived_status(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    service.apply(db, principal=principal(db, world, "graduate_a"), position_id=enterprise_position(db, world).id)
    assert service.current_status(db, graduate_id=grad.id) == "seeking"
    with pytest.raises(ValidationFailed):
        service.set_override(db, principal=counselor, graduate_id=grad.id, status="military", reason=" ")
    service.set_override(db, principal=counselor, graduate_id=grad.id, status="military", reason="电话核实：9月入伍")
    assert service.current_status(db, graduate_id=grad.id) == "military"
    assert grad.employment_status == "military"
    last = service.status_history(db, graduate_id=grad.id)[-1]
    assert (last.source, last.reason, last.actor_id) == ("override", "电话核实：9月入伍", counselor.user_id)
    # a new application does not silently undo the counselor's decision
    service.apply(db, principal=principal(db, world, "graduate_a"), position_id=enterprise_position(db, world).id)
    assert service.current_status(db, graduate_id=grad.id) == "military"
    service.set_override(db, principal=counselor, graduate_id=grad.id, status=None, reason="核实有误，撤销认定")
    assert service.current_status(db, graduate_id=grad.id) == "seeking"
    with pytest.raises(Conflict):
        service.set_override(db, principal=counselor, graduate_id=grad.id, status=None, reason="再次撤销")


def test_a_later_signing_lifts_an_override(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    service.set_override(db, principal=counselor, graduate_id=grad.id, status="not_seeking", reason="本人暂不就业")
    app = service.apply(db, principal=principal(db, world, "graduate_a"), position_id=enterprise_position(db, world).id)
    for step in ("offered", "signed"):
        service.move(db, principal=counselor, application_id=app.id, to_state=step, note="签约协议已核验")
    assert service.current_status(db, graduate_id=grad.id) == "signed"
    assert service.active_override(db, graduate_id=grad.id) is None


def test_registry_status_is_the_starting_point(db: Session, world: World) -> None:
    grad = make_graduate(db, world, status="further_study")
    counselor = principal(db, world, "counselor_a")
    # untouched by tracking, the filed status is reported
    assert service.status_as_of(db, as_of=today(), graduate_ids=[grad.id]) == {grad.id: "further_study"}
    service.recommend(db, principal=counselor, graduate_id=grad.id, position_id=enterprise_position(db, world).id)
    assert service.current_status(db, graduate_id=grad.id) == "further_study"
    override = service.active_override(db, graduate_id=grad.id)
    assert override is not None and override.reason == "建档时登记"


def test_events_move_the_status(db: Session, world: World) -> None:
    grad = make_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    service.record_event(
        db,
        principal=counselor,
        graduate_id=grad.id,
        kind="job_seeking",
        occurred_on=today(),
        title="秋季招聘会",
        job_fair=True,
    )
    assert service.current_status(db, graduate_id=grad.id) == "seeking"
    service.record_event(
        db,
        principal=counselor,
        graduate_id=grad.id,
        kind="internship",
        occurred_on=today() - timedelta(days=3),
        ended_on=today() + timedelta(days=60),
        title="见习岗位",
        organisation="亳州某药业",
    )
    assert service.current_status(db, graduate_id=grad.id) == "internship"
    service.record_event(
        db,
        principal=counselor,
        graduate_id=grad.id,
        kind="employment",
        occurred_on=today(),
        title="入伍",
        destination="military",
    )
    assert service.current_status(db, graduate_id=grad.id) == "military"
    with pytest.raises(ValidationFailed):
        service.record_event(
            db,
            principal=counselor,
            graduate_id=grad.id,
            kind="training",
            occurred_on=today() + timedelta(days=2),
            title="未来的培训",
        )
    with pytest.raises(ValidationFailed):
        service.record_event(
            db,
            principal=counselor,
            graduate_id=grad.id,
            kind="training",
            occurred_on=today(),
            title="培训",
            destination="employed",
        )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_status_as_of_a_date_uses_local_days(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    app = service.apply(db, principal=principal(db, world, "graduate_a"), position_id=enterprise_position(db, world).id)
    for step in ("offered", "signed"):
        service.move(db, principal=counselor, application_id=app.id, to_state=step, note="线下签约")
    rows = list(db.scalars(select(StatusChange).where(StatusChange.graduate_id == grad.id).order_by(StatusChange.id)))
    assert [r.status for r in rows] == ["unemployed", "seeking", "signed"]
    # back-date the history: filed 6/1, applied 7/1, signed 8/15 at 23:30 Beijing time (15:30 UTC)
    rows[0].at, rows[1].at, rows[2].at = (
        _at(date(2023, 6, 1), 9),
        _at(date(2023, 7, 1), 10),
        _at(date(2023, 8, 15), 23, 30),
    )
    db.flush()

    def on(day: date) -> str | None:
        return service.status_as_of(db, as_of=day, org_unit_ids=frozenset({grad.org_unit_id})).get(grad.id)

    assert on(date(2023, 5, 31)) is None  # not yet filed
    assert on(date(2023, 6, 30)) == "unemployed"
    assert on(date(2023, 7, 1)) == "seeking"
    assert on(date(2023, 8, 14)) == "seeking"
    assert on(date(2023, 8, 15)) == "signed"  # the evening signing counts on that Beijing day


def test_registry_mirror_and_edits_made_in_the_registry_form(db: Session, world: World) -> None:
    from services.registry.models import RegistryChange

    grad = own_graduate(db, world)
    service.apply(db, principal=principal(db, world, "graduate_a"), position_id=enterprise_position(db, world).id)
    mirrored = db.scalar(
        select(RegistryChange).where(RegistryChange.entity_id == grad.id, RegistryChange.source == "tracking")
    )
    assert mirrored is not None and mirrored.changes == {"employment_status": ["unemployed", "seeking"]}
    grad.employment_status = "further_study"  # a clerk edits the registry form
    db.flush()
    service.record_event(
        db,
        principal=principal(db, world, "counselor_a"),
        graduate_id=grad.id,
        kind="training",
        occurred_on=today(),
        title="面试技巧培训",
    )
    assert service.current_status(db, graduate_id=grad.id) == "further_study"
    override = service.active_override(db, graduate_id=grad.id)
    assert override is not None and override.reason == "档案中修改了就业状态"


def test_an_ended_internship_is_noticed_by_the_daily_job(db: Session, world: World) -> None:
    from services import queue

    grad = make_graduate(db, world)
    service.record_event(
        db,
        principal=principal(db, world, "counselor_a"),
        graduate_id=grad.id,
        kind="internship",
        occurred_on=today() - timedelta(days=30),
        ended_on=today() + timedelta(days=1),
        title="三个月见习",
    )
    assert service.current_status(db, graduate_id=grad.id) == "internship"
    db.commit()
    result = queue.send_now("sunshine.tracking.expire_applications", (today() + timedelta(days=2)).isoformat()).get()
    assert result == {"expired": 0, "statuses": 1}
    assert service.current_status(db, graduate_id=grad.id) == "unemployed"
