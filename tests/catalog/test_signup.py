"""Enterprise self-signup: an account and its employer in one step, pending until verified; drafts allowed,
publishing refused with the reason until a union clerk verifies the employer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import Employer, EmployerAccount
from services.security.models import User
from tests.catalog import factories as f
from tests.conftest import World

SIGNUP = "/api/v1/employers/signup"
PASSWORD = "Sunshine-2025"


def _signup(client: TestClient, username: str = "bz_pharma", **employer: object) -> object:
    body = {
        "username": username,
        "password": PASSWORD,
        "display_name": "李经理",
        "employer": f.employer_payload(**employer),
    }
    return client.post(SIGNUP, json=body)


def _token(client: TestClient, username: str) -> dict[str, str]:
    resp = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_signup_makes_an_enterprise_account_and_a_pending_employer_in_the_county_of_its_place(
    client: TestClient, db: Session, world: World
) -> None:
    f.ensure_reference(db)
    db.commit()
    resp = _signup(client)
    assert resp.status_code == 201, resp.text  # type: ignore[attr-defined]
    out = resp.json()  # type: ignore[attr-defined]
    assert out["status"] == "pending" and out["org_unit_id"] == world.orgs["BZ-MC"]
    user = db.scalar(select(User).where(User.username == "bz_pharma"))
    assert user is not None and user.role == "enterprise" and user.org_unit_id == world.orgs["BZ-MC"]
    link = db.scalar(select(EmployerAccount).where(EmployerAccount.user_id == user.id))
    assert link is not None and link.employer_id == out["id"]


def test_signup_refuses_a_taken_code_or_username_and_keeps_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    taken = f.make_employer(db, world)
    db.commit()
    resp = _signup(client, credit_code=taken.credit_code)
    assert resp.status_code == 409  # type: ignore[attr-defined]
    assert resp.json()["errors"][0]["field"] == "credit_code"  # type: ignore[attr-defined]
    assert db.scalar(select(User).where(User.username == "bz_pharma")) is None
    assert _signup(client, username="t_county_a").status_code == 409  # type: ignore[attr-defined]
    bad = _signup(client, username="bz_other", credit_code="91341600MA2N4L0Q2B")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert bad.json()["errors"][0]["reason"] == "统一社会信用代码校验位错误"  # type: ignore[attr-defined]


def test_a_pending_enterprise_drafts_but_publishes_only_after_verification(
    client: TestClient, db: Session, world: World
) -> None:
    f.ensure_reference(db)
    db.commit()
    employer_id = _signup(client).json()["id"]  # type: ignore[attr-defined]
    me = _token(client, "bz_pharma")
    refused = client.post("/api/v1/positions", json=f.position_payload(publish=True), headers=me)
    assert refused.status_code == 409
    assert "尚未通过工会认证" in refused.json()["detail"]
    draft = client.post("/api/v1/positions", json=f.position_payload(), headers=me)
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    url = f"/api/v1/positions/{draft.json()['id']}/publish"
    assert client.post(url, headers=me).status_code == 409
    review = client.post(
        f"/api/v1/employers/{employer_id}/review", json={"approve": True}, headers=world.headers("county_a")
    )
    assert review.status_code == 200, review.text
    assert db.get(Employer, employer_id) is not None
    assert client.post(url, headers=me).json()["status"] == "open"
