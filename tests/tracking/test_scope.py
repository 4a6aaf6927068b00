"""Scope: a counselor of one county can neither see nor move another county's graduates — unless the graduate is
handed off to the counselor's union, which then serves the graduate while the home union keeps read access."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.notifications.models import Notification
from services.registry.models import Graduate
from services.security.scope import GraduateScope, can_read_graduate, graduate_scope
from services.tracking import service
from tests.conftest import World
from tests.tracking.factories import enterprise_position, make_graduate, principal, today


def _visible(db: Session, key: str, world: World) -> set[int]:
    """The graduates the scope's clause lets through, checked against the same clause built once with its ids as
    parameters (what a statement cached per scope shape runs with)."""
    scope = graduate_scope(db, principal=principal(db, world, key))
    seen = set(db.scalars(select(Graduate.id).where(scope.clause(Graduate.id, Graduate.org_unit_id))))
    bound = select(Graduate.id).where(GraduateScope.bound_clause(scope.shape, Graduate.id, Graduate.org_unit_id))
    assert set(db.scalars(bound, scope.params())) == seen
    return seen


def test_a_bound_scope_clause_refuses_to_run_without_its_ids(db: Session, world: World) -> None:
    scope = graduate_scope(db, principal=principal(db, world, "counselor_a"))
    assert scope.shape == (False, True, False)
    with pytest.raises(StatementError, match="scope_units"):
        bound = GraduateScope.bound_clause(scope.shape, Graduate.id, Graduate.org_unit_id)
        db.scalars(select(Graduate.id).where(bound)).all()


def test_counselor_cannot_see_or_move_another_countys_graduate(db: Session, world: World) -> None:
    theirs = make_graduate(db, world, side="b")
    position = enterprise_position(db, world)
    app = service.recommend(
        db, principal=principal(db, world, "counselor_b"), graduate_id=theirs.id, position_id=position.id
    )
    me = principal(db, world, "counselor_a")
    assert theirs.id not in _visible(db, "counselor_a", world)
    with pytest.raises(NotFound):
        service.timeline(db, principal=me, graduate_id=theirs.id)
    with pytest.raises(NotFound):
        service.record_contact(db, principal=me, graduate_id=theirs.id, channel="phone", outcome="reached", summary="x")
    with pytest.raises(NotFound):
        service.recommend(db, principal=me, graduate_id=theirs.id, position_id=position.id)
    with pytest.raises(NotFound):
        service.move(db, principal=me, application_id=app.id, to_state="applied", note="代为登记")
    with pytest.raises(NotFound):
        service.get_application(db, principal=me, application_id=app.id)


def test_handoff_lets_the_receiving_union_serve_and_the_home_union_read(db: Session, world: World) -> None:
    grad = make_graduate(db, world, side="b")  # home: 涡阳县 (county B)
    home, receiving = principal(db, world, "counselor_b"), principal(db, world, "counselor_a")
    handoff = service.request_handoff(
        db, principal=home, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-MC"], reason="意向在蒙城县就业"
    )
    # the receiving union's staff get an in-app message
    notified = set(db.scalars(select(Notification.recipient_id).where(Notification.kind == "handoff")))
    assert {world.users["counselor_a"], world.users["county_a"]} <= notified
    # pending: nothing changes yet
    assert grad.id not in _visible(db, "counselor_a", world)
    with pytest.raises(Forbidden):  # the sending side cannot accept its own request
        service.decide_handoff(db, principal=home, handoff_id=handoff.id, accept=True)
    service.decide_handoff(db, principal=receiving, handoff_id=handoff.id, accept=True, note="已安排专人对接")

    assert grad.id in _visible(db, "counselor_a", world)
    position = enterprise_position(db, world)
    app = service.recommend(db, principal=receiving, graduate_id=grad.id, position_id=position.id)
    service.record_contact(
        db, principal=receiving, graduate_id=grad.id, channel="phone", outcome="reached", summary="介绍蒙城岗位"
    )
    # the home union still reads everything, but cannot serve while the handoff stands
    assert grad.id in _visible(db, "counselor_b", world)
    assert service.timeline(db, principal=home, graduate_id=grad.id)
    assert service.get_application(db, principal=home, application_id=app.id).id == app.id
    with pytest.raises(Forbidden):
        service.record_service(db, principal=home, graduate_id=grad.id, kind="career_guidance", delivered_on=today())
    with pytest.raises(Forbidden):
        service.move(db, principal=home, application_id=app.id, to_state="withdrawn", reason="other", note="x")
    # county A's staff serve the graduate too; a third county sees nothing
    assert grad.id in _visible(db, "county_a", world)
    third = graduate_scope(db, principal=principal(db, world, "city"))
    assert third.can_serve(grad.id, grad.org_unit_id)
    wb = service.workbench(db, principal=receiving)
    row = next(c for c in wb.caseload if c.graduate_id == grad.id)
    assert row.handed_in and row.open_applications == 1
    wb_home = service.workbench(db, principal=home)
    assert next(c for c in wb_home.caseload if c.graduate_id == grad.id).handed_out

    # ending the handoff returns the graduate home
    service.end_handoff(db, principal=home, handoff_id=handoff.id, note="毕业生返回生源地求职")
    assert grad.id not in _visible(db, "counselor_a", world)
    service.record_service(db, principal=home, graduate_id=grad.id, kind="career_guidance", delivered_on=today())


def test_handoff_rules(db: Session, world: World) -> None:
    grad = make_graduate(db, world, side="a")
    county_a = principal(db, world, "county_a")
    with pytest.raises(ValidationFailed):  # not to the home union itself
        service.request_handoff(
            db, principal=county_a, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-MC"], reason="同县"
        )
    with pytest.raises(ValidationFailed):  # a union at county level, not a grassroots unit
        service.request_handoff(
            db, principal=county_a, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-GY-01"], reason="基层"
        )
    with pytest.raises(NotFound):  # another county cannot hand off someone else's graduate
        service.request_handoff(
            db,
            principal=principal(db, world, "county_b"),
            graduate_id=grad.id,
            to_org_unit_id=world.orgs["BZ-LX"],
            reason="意向利辛",
        )
    first = service.request_handoff(
        db, principal=county_a, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-GY"], reason="意向涡阳"
    )
    with pytest.raises(Conflict):
        service.request_handoff(
            db, principal=county_a, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-LX"], reason="意向利辛"
        )
    with pytest.raises(ValidationFailed):  # declining needs a reason
        service.decide_handoff(db, principal=principal(db, world, "county_b"), handoff_id=first.id, accept=False)
    service.decide_handoff(
        db, principal=principal(db, world, "county_b"), handoff_id=first.id, accept=False, note="当地暂无对口岗位"
    )
    assert grad.id not in _visible(db, "counselor_b", world)
    # the requester is told why
    note = db.scalar(select(Notification).where(Notification.kind == "handoff").order_by(Notification.id.desc()))
    assert note is not None and "当地暂无对口岗位" in note.body
    # declined: a new request may go elsewhere
    service.request_handoff(
        db, principal=county_a, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-LX"], reason="意向利辛"
    )


def test_graduate_and_enterprise_scope(db: Session, world: World) -> None:
    from tests.tracking.factories import own_graduate

    mine = own_graduate(db, world)
    other = make_graduate(db, world, side="a")
    me = principal(db, world, "graduate_a")
    assert service.timeline(db, principal=me, graduate_id=mine.id) is not None
    with pytest.raises(NotFound):
        service.timeline(db, principal=me, graduate_id=other.id)
    with pytest.raises(Forbidden):
        service.timeline(db, principal=principal(db, world, "enterprise_a"), graduate_id=mine.id)
    assert _visible(db, "graduate_a", world) == {mine.id}
    assert _visible(db, "enterprise_a", world) == set()


def test_reading_one_graduate_decides_as_the_whole_scope_does(db: Session, world: World) -> None:
    mine = make_graduate(db, world, side="a", user_id=world.users["graduate_a"])
    theirs = make_graduate(db, world, side="b")
    moved = make_graduate(db, world, side="b")
    home, receiving = principal(db, world, "counselor_b"), principal(db, world, "counselor_a")
    handoff = service.request_handoff(
        db, principal=home, graduate_id=moved.id, to_org_unit_id=world.orgs["BZ-MC"], reason="意向在蒙城县就业"
    )
    service.decide_handoff(db, principal=receiving, handoff_id=handoff.id, accept=True, note="已接收")
    keys = [k for k in world.users if not k.startswith("enterprise")]
    for key in keys:
        who = principal(db, world, key)
        scope = graduate_scope(db, principal=who)
        for g in (mine, theirs, moved):
            one = can_read_graduate(db, principal=who, graduate_id=g.id, org_unit_id=g.org_unit_id, user_id=g.user_id)
            assert one == scope.can_read(g.id, g.org_unit_id), (key, g.id)
    me = principal(db, world, "graduate_a")
    assert can_read_graduate(db, principal=me, graduate_id=mine.id, org_unit_id=mine.org_unit_id, user_id=mine.user_id)
    assert not can_read_graduate(db, principal=me, graduate_id=theirs.id, org_unit_id=theirs.org_unit_id, user_id=None)
    assert can_read_graduate(
        db, principal=receiving, graduate_id=moved.id, org_unit_id=moved.org_unit_id, user_id=moved.user_id
    )
