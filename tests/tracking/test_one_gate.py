"""One gate: every way an application or a recommendation comes into being — the graduate applying, a counselor
applying on the graduate's behalf, a recommendation from a match, the graduate taking up a recommendation, a
counselor recording an offline application — refuses the same ineligible pairs with 409 naming the same failed
rules, and lets an eligible pair through with 201/200."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import Employer, EmployerStatus, Position, PositionStatus
from services.registry.models import Graduate
from services.tracking.models import Application
from tests.catalog.factories import make_rule_set
from tests.conftest import World
from tests.tracking.factories import make_employer, make_position, own_graduate

Path = Callable[[TestClient, Session, World, Graduate, Position], httpx.Response]


def _self_apply(client: TestClient, db: Session, world: World, grad: Graduate, position: Position) -> httpx.Response:
    return client.post(
        "/api/v1/tracking/applications", json={"position_id": position.id}, headers=world.headers("graduate_a")
    )


def _on_behalf(client: TestClient, db: Session, world: World, grad: Graduate, position: Position) -> httpx.Response:
    return client.post(
        "/api/v1/tracking/applications",
        json={"position_id": position.id, "graduate_id": grad.id},
        headers=world.headers("counselor_a"),
    )


def _recommend(client: TestClient, db: Session, world: World, grad: Graduate, position: Position) -> httpx.Response:
    return client.post(
        f"/api/v1/graduates/{grad.id}/recommendations",
        json={"position_id": position.id},
        headers=world.headers("counselor_a"),
    )


def _recommended_before(db: Session, world: World, grad: Graduate, position: Position) -> Application:
    """A recommendation made while the position still fitted (written as it stood then)."""
    app = Application(
        graduate_id=grad.id,
        position_id=position.id,
        employer_id=position.employer_id,
        org_unit_id=grad.org_unit_id,
        state="recommended",
        recommended_by_id=world.users["counselor_a"],
    )
    db.add(app)
    db.commit()
    return app


def _take_up(client: TestClient, db: Session, world: World, grad: Graduate, position: Position) -> httpx.Response:
    app = _recommended_before(db, world, grad, position)
    return client.post(
        f"/api/v1/tracking/applications/{app.id}/moves",
        json={"to_state": "applied"},
        headers=world.headers("graduate_a"),
    )


def _offline(client: TestClient, db: Session, world: World, grad: Graduate, position: Position) -> httpx.Response:
    app = _recommended_before(db, world, grad, position)
    return client.post(
        f"/api/v1/tracking/applications/{app.id}/moves",
        json={"to_state": "applied", "note": "电话核实：已到企业现场投递简历"},
        headers=world.headers("counselor_a"),
    )


CREATING = frozenset({"self_apply", "on_behalf", "recommendation"})
PATHS: dict[str, Path] = {
    "self_apply": _self_apply,
    "on_behalf": _on_behalf,
    "recommendation": _recommend,
    "take_up_recommendation": _take_up,
    "offline_by_counselor": _offline,
}


def _verified(db: Session, world: World) -> Employer:
    return make_employer(db, world)


def _masters_only(db: Session, world: World) -> Position:
    position = make_position(db, world, employer=_verified(db, world))
    position.min_education = "master"
    return position


def _deadline_passed(db: Session, world: World) -> Position:
    return make_position(db, world, employer=_verified(db, world), deadline=date.today() - timedelta(days=3))


def _filled(db: Session, world: World) -> Position:
    position = make_position(db, world, employer=_verified(db, world), headcount=1)
    position.filled = 1
    position.status = PositionStatus.FILLED
    return position


def _program_rule(db: Session, world: World) -> Position:
    rule = make_rule_set(db, year=date.today().year, max_age=20, requires_local_hukou=False)
    position = make_position(db, world, employer=None, kind="grassroots", title="三支一扶·支农")
    position.program, position.rule_set_id = "sanzhi_yifu", rule.id
    return position


def _unverified(db: Session, world: World) -> Position:
    employer = _verified(db, world)
    employer.status = EmployerStatus.PENDING
    return make_position(db, world, employer=employer)


# the pair, the rules the gate must name, and a phrase of the refusal
INELIGIBLE: dict[str, tuple[Callable[[Session, World], Position], set[str], str]] = {
    "education": (_masters_only, {"education"}, "学历不符"),
    "deadline": (_deadline_passed, {"deadline"}, "报名已截止"),
    "filled": (_filled, {"status", "headcount"}, "名额已满（1/1）"),
    "program_rule": (_program_rule, {"age", "graduation"}, "年龄超限：限20周岁以下"),
    "unverified_employer": (_unverified, {"employer"}, "用人单位未认证"),
}


@pytest.mark.parametrize("pair", sorted(INELIGIBLE))
def test_every_path_refuses_an_ineligible_pair_with_the_same_rules(
    client: TestClient, db: Session, world: World, pair: str
) -> None:
    grad = own_graduate(db, world)
    build, rules, phrase = INELIGIBLE[pair]
    answers: dict[str, tuple[int, list[str], str]] = {}
    for name, path in PATHS.items():
        position = build(db, world)
        db.commit()
        resp = path(client, db, world, grad, position)
        assert resp.headers["content-type"].startswith("application/problem+json"), (name, resp.text)
        body = resp.json()
        answers[name] = (resp.status_code, sorted(e["code"] for e in body.get("errors", [])), body["detail"])
        assert phrase in body["detail"], (name, body)
        db.expire_all()
        states = list(db.scalars(select(Application.state).where(Application.position_id == position.id)))
        # nothing was written: no new application, and a recommendation made earlier is still only that
        assert states == ([] if name in CREATING else ["recommended"]), (name, states)
    assert {code for code, _, _ in answers.values()} == {409}, answers
    assert {tuple(codes) for _, codes, _ in answers.values()} == {tuple(sorted(rules))}, answers
    assert len({detail for _, _, detail in answers.values()}) == 1, answers


def test_every_path_lets_an_eligible_pair_through(client: TestClient, db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    expected = {
        "self_apply": (201, "applied"),
        "on_behalf": (201, "recommended"),
        "recommendation": (201, "recommended"),
        "take_up_recommendation": (200, "applied"),
        "offline_by_counselor": (200, "applied"),
    }
    for name, path in PATHS.items():
        position = make_position(db, world, employer=_verified(db, world))
        db.commit()
        resp = path(client, db, world, grad, position)
        assert resp.status_code == expected[name][0], (name, resp.text)
        db.expire_all()
        state = db.scalar(select(Application.state).where(Application.position_id == position.id))
        assert state == expected[name][1], name
