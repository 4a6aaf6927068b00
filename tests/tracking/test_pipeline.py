"""The application pipeline through the service: who may move what, refusals, signing by both sides, history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from services.catalog.models import Position, PositionStatus
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.tracking import service
from services.tracking.models import ServiceRecord
from services.tracking.pipeline import AppState
from tests.conftest import World
from tests.tracking.factories import enterprise_position, make_position, own_graduate, principal


def test_graduate_applies_enterprise_interviews_offers_both_sign(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    position = enterprise_position(db, world, headcount=2)
    me = principal(db, world, "graduate_a")
    ent = principal(db, world, "enterprise_a")

    app = service.apply(db, principal=me, position_id=position.id, note="很想去")
    assert app.state == AppState.APPLIED
    assert service.current_status(db, graduate_id=grad.id) == "seeking"

    service.move(db, principal=ent, application_id=app.id, to_state="interviewing", note="周三面试")
    service.move(db, principal=ent, application_id=app.id, to_state="offered")
    # the graduate confirms first: still offered, one side recorded
    service.move(db, principal=me, application_id=app.id, to_state="signed")
    assert app.state == AppState.OFFERED
    with pytest.raises(Conflict):
        service.move(db, principal=me, application_id=app.id, to_state="signed")
    service.move(db, principal=ent, application_id=app.id, to_state="signed")
    assert app.state == AppState.SIGNED
    assert position.filled == 1
    assert service.current_status(db, graduate_id=grad.id) == "signed"
    service.move(db, principal=ent, application_id=app.id, to_state="employed")
    assert service.current_status(db, graduate_id=grad.id) == "employed"
    assert grad.employment_status == "employed"

    steps = [
        (t.from_state, t.to_state, t.actor_role, t.confirmation_only)
        for t in service.history(db, application_id=app.id)
    ]
    assert steps == [
        (None, "applied", "graduate", False),
        ("applied", "interviewing", "enterprise", False),
        ("interviewing", "offered", "enterprise", False),
        ("offered", "signed", "graduate", True),
        ("offered", "signed", "enterprise", False),
        ("signed", "employed", "enterprise", False),
    ]


def test_applying_to_a_closed_or_full_position_is_refused(db: Session, world: World) -> None:
    own_graduate(db, world)
    me = principal(db, world, "graduate_a")
    closed = enterprise_position(db, world, status=PositionStatus.CLOSED)
    full = enterprise_position(db, world, headcount=1)
    full.filled = 1
    past = enterprise_position(db, world, deadline=date.today() - timedelta(days=2))
    for position, words in ((closed, "关闭"), (full, "招满"), (past, "截止")):
        with pytest.raises(Conflict) as err:
            service.apply(db, principal=me, position_id=position.id)
        assert words in err.value.detail


def test_offering_to_a_rejected_applicant_is_refused(db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    ent = principal(db, world, "enterprise_a")
    app = service.apply(db, principal=principal(db, world, "graduate_a"), position_id=position.id)
    with pytest.raises(ValidationFailed):
        service.move(db, principal=ent, application_id=app.id, to_state="rejected")  # a reason is required
    service.move(db, principal=ent, application_id=app.id, to_state="rejected", reason="not_qualified")
    with pytest.raises(Conflict):
        service.move(db, principal=ent, application_id=app.id, to_state="offered")
    assert app.closed_reason == "not_qualified"


def test_roles_are_held_to_their_moves(db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    me = principal(db, world, "graduate_a")
    app = service.apply(db, principal=me, position_id=position.id)
    with pytest.raises(Forbidden):  # the graduate cannot offer himself the job
        service.move(db, principal=me, application_id=app.id, to_state="offered")
    # another enterprise does not even see the application
    other = enterprise_position(db, world, key="enterprise_b")
    assert other.employer_id != position.employer_id
    with pytest.raises(NotFound):
        service.move(db, principal=principal(db, world, "enterprise_b"), application_id=app.id, to_state="interviewing")
    counselor = principal(db, world, "counselor_a")
    with pytest.raises(ValidationFailed):  # offline records need a note
        service.move(db, principal=counselor, application_id=app.id, to_state="interviewing")
    service.move(db, principal=counselor, application_id=app.id, to_state="interviewing", note="企业电话告知已约面试")
    last = service.history(db, application_id=app.id)[-1]
    assert last.offline and last.actor_id == counselor.user_id and last.note == "企业电话告知已约面试"


def test_counselor_recommendation_logs_a_service_and_graduate_applies_from_it(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    position = enterprise_position(db, world)
    counselor = principal(db, world, "counselor_a")
    app = service.recommend(db, principal=counselor, graduate_id=grad.id, position_id=position.id)
    services = db.query(ServiceRecord).filter_by(graduate_id=grad.id).all()
    assert [(s.kind, s.application_id) for s in services] == [("job_recommendation", app.id)]
    # the enterprise does not see a bare recommendation
    with pytest.raises(NotFound):
        service.get_application(db, principal=principal(db, world, "enterprise_a"), application_id=app.id)
    again = service.apply(db, principal=principal(db, world, "graduate_a"), position_id=position.id)
    assert again.id == app.id and again.state == AppState.APPLIED
    assert service.get_application(db, principal=principal(db, world, "enterprise_a"), application_id=app.id)


def test_signing_the_last_place_fills_the_position_and_expires_the_others(db: Session, world: World) -> None:
    from tests.tracking.factories import make_graduate

    position = enterprise_position(db, world, headcount=1)
    counselor = principal(db, world, "counselor_a")
    first = make_graduate(db, world)
    second = make_graduate(db, world)
    a = service.recommend(db, principal=counselor, graduate_id=first.id, position_id=position.id)
    b = service.recommend(db, principal=counselor, graduate_id=second.id, position_id=position.id)
    for step in ("applied", "offered", "signed"):
        service.move(db, principal=counselor, application_id=a.id, to_state=step, note="线下办理，有签约协议复印件")
    assert position.status == PositionStatus.FILLED and position.filled == 1
    assert b.state == AppState.EXPIRED and b.closed_reason == "position_closed"


def test_program_position_without_employer_is_signed_by_a_counselor(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    program = make_position(db, world, employer=None, kind="grassroots", title="三支一扶")
    counselor = principal(db, world, "counselor_a")
    app = service.recommend(db, principal=counselor, graduate_id=grad.id, position_id=program.id)
    service.apply(db, principal=principal(db, world, "graduate_a"), position_id=program.id)
    service.move(db, principal=counselor, application_id=app.id, to_state="offered", note="考试通过，公示无异议")
    service.move(db, principal=counselor, application_id=app.id, to_state="signed", note="已签服务协议")
    service.move(db, principal=counselor, application_id=app.id, to_state="employed", note="已到岗")
    assert service.current_status(db, graduate_id=grad.id) == "grassroots"


def test_deadline_job_expires_open_applications(db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    app = service.apply(db, principal=principal(db, world, "graduate_a"), position_id=position.id)
    db.get(Position, position.id).deadline = date.today() - timedelta(days=1)  # type: ignore[union-attr]
    assert service.expire_past_deadline(db, today=date.today()) == 1
    assert app.state == AppState.EXPIRED and app.closed_reason == "deadline_passed"
    assert service.history(db, application_id=app.id)[-1].actor_role == "system"


def test_a_recommendation_the_graduate_let_go_never_reaches_the_employer(db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    position = enterprise_position(db, world)
    app = service.recommend(
        db, principal=principal(db, world, "counselor_a"), graduate_id=grad.id, position_id=position.id
    )
    service.move(
        db,
        principal=principal(db, world, "graduate_a"),
        application_id=app.id,
        to_state="withdrawn",
        reason="not_interested",
    )
    ent = principal(db, world, "enterprise_a")
    rows, total = service.list_applications(db, principal=ent, limit=10, offset=0)
    assert (rows, total) == ([], 0)
    assert service.position_applicants(db, principal=ent, position_id=position.id) == []
