"""After a handoff (异地求职) is accepted, the registry, tracking and matches answer alike for every role: the
receiving union reads and serves the graduate, the home union only reads, an unrelated county sees nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.security import tokens
from services.security.models import Role
from services.tracking import service as tracking
from tests.conftest import World
from tests.tracking.factories import make_graduate, make_user, principal


def _headers(user_id: int, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(user_id=user_id, role=role, version=1)}"}


def _reads(client: TestClient, headers: dict[str, str], graduate_id: int) -> tuple[int, int, int]:
    return (
        client.get(f"/api/v1/registry/graduates/{graduate_id}", headers=headers).status_code,
        client.get(f"/api/v1/tracking/graduates/{graduate_id}/timeline", headers=headers).status_code,
        client.get(f"/api/v1/graduates/{graduate_id}/matches", headers=headers).status_code,
    )


def _plan(client: TestClient, headers: dict[str, str], graduate_id: int) -> int:
    body = {"intentions": ["job"], "expected_pay_min": "3500"}
    return client.patch(f"/api/v1/registry/graduates/{graduate_id}/plan", headers=headers, json=body).status_code


def test_registry_tracking_and_matches_agree_after_an_accepted_handoff(
    client: TestClient, db: Session, world: World
) -> None:
    grad = make_graduate(db, world, side="b")  # home: 涡阳县 (county B)
    grad.service_category = "3"  # a category served without a family archive
    home, receiving = principal(db, world, "counselor_b"), principal(db, world, "counselor_a")
    lixin = make_user(db, world, role=Role.COUNSELOR, org="BZ-LX")  # 利辛县: no part in the handoff
    handoff = tracking.request_handoff(
        db, principal=home, graduate_id=grad.id, to_org_unit_id=world.orgs["BZ-MC"], reason="意向在蒙城县就业"
    )
    db.flush()
    # before the decision the receiving counselor sees nothing anywhere
    assert _reads(client, world.headers("counselor_a"), grad.id) == (404, 404, 404)

    tracking.decide_handoff(db, principal=receiving, handoff_id=handoff.id, accept=True, note="已安排专人对接")
    db.flush()

    for key in ("counselor_a", "county_a", "counselor_b", "county_b", "city"):
        assert _reads(client, world.headers(key), grad.id) == (200, 200, 200), key
    assert _reads(client, _headers(lixin.id, Role.COUNSELOR), grad.id) == (404, 404, 404)

    # the receiving union serves: registry plan and tracking contact both succeed
    assert _plan(client, world.headers("counselor_a"), grad.id) == 200
    contact = {"channel": "phone", "outcome": "reached", "summary": "介绍蒙城岗位"}
    path = f"/api/v1/tracking/graduates/{grad.id}/contacts"
    assert client.post(path, headers=world.headers("counselor_a"), json=contact).status_code == 201
    # the home union only reads: both domains refuse its writes alike
    assert _plan(client, world.headers("counselor_b"), grad.id) == 403
    assert client.post(path, headers=world.headers("counselor_b"), json=contact).status_code == 403
    # the receiving counselor finds the graduate in the registry's list too
    listed = client.get("/api/v1/registry/graduates", headers=world.headers("counselor_a")).json()
    assert grad.id in {item["id"] for item in listed["items"]}
