"""The HTTP face: the enterprise's applicant list without hardship data, the graduate's own timeline, refusals as
problem+json, notifications, and the counselor's workbench with fresh matches."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.db import utcnow
from services.matches.models import MatchResult
from services.tracking import service
from tests.conftest import World
from tests.tracking.factories import enterprise_position, make_graduate, make_position, own_graduate, principal

APPLICANT_FIELDS = {
    "application_id",
    "state",
    "state_name",
    "updated_at",
    "graduate_name",
    "school_name",
    "major",
    "cohort",
    "education",
    "education_name",
}


def test_enterprise_sees_applicants_without_hardship_data(client: TestClient, db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    recommended_only = make_graduate(db, world, name="只被推荐")
    service.recommend(
        db, principal=principal(db, world, "counselor_a"), graduate_id=recommended_only.id, position_id=position.id
    )
    db.commit()
    applied = client.post(
        "/api/v1/tracking/applications", json={"position_id": position.id}, headers=world.headers("graduate_a")
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["state"] == "applied" and applied.json()["next_states"] == ["withdrawn"]

    resp = client.get(f"/api/v1/tracking/positions/{position.id}/applicants", headers=world.headers("enterprise_a"))
    assert resp.status_code == 200
    rows = resp.json()
    assert [r["graduate_name"] for r in rows] == ["陈同学"]
    assert set(rows[0]) == APPLICANT_FIELDS
    # 学历 reads as its name, as on the form, never as a bare code
    assert rows[0]["education_name"] not in ("", rows[0]["education"]) and not rows[0]["education_name"].isdigit()
    text = resp.text
    for secret in ("id_number", "family", "phone", "income", "hardship", "341622"):
        assert secret not in text
    # another enterprise's position is not there for this enterprise
    theirs = enterprise_position(db, world, key="enterprise_b")
    db.commit()
    other = client.get(f"/api/v1/tracking/positions/{theirs.id}/applicants", headers=world.headers("enterprise_a"))
    assert other.status_code == 404


def test_enterprise_moves_its_applicant_and_the_graduate_is_told(client: TestClient, db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world, title="电商运营专员")
    db.commit()
    app_id = client.post(
        "/api/v1/tracking/applications", json={"position_id": position.id}, headers=world.headers("graduate_a")
    ).json()["id"]
    ent = world.headers("enterprise_a")
    url = f"/api/v1/tracking/applications/{app_id}/moves"
    assert client.post(url, json={"to_state": "offered", "note": "欢迎加入"}, headers=ent).status_code == 200
    inbox = client.get("/api/v1/notifications?unread=true", headers=world.headers("graduate_a")).json()
    offer = next(n for n in inbox["items"] if n["title"] == "录用通知")
    assert "电商运营专员" in offer["body"]
    read = client.post(f"/api/v1/notifications/{offer['id']}/read", headers=world.headers("graduate_a"))
    assert read.json()["is_read"] is True
    # signing needs both sides
    half = client.post(url, json={"to_state": "signed"}, headers=world.headers("graduate_a")).json()
    assert half["state"] == "offered" and half["graduate_confirmed_at"] is not None
    done = client.post(url, json={"to_state": "signed"}, headers=ent).json()
    assert done["state"] == "signed"
    assert [h["to_state"] for h in done["history"]] == ["applied", "offered", "signed", "signed"]
    assert [h["confirmation_only"] for h in done["history"]] == [False, False, True, False]


def test_refusals_are_problem_json(client: TestClient, db: Session, world: World) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    db.commit()
    app_id = client.post(
        "/api/v1/tracking/applications", json={"position_id": position.id}, headers=world.headers("graduate_a")
    ).json()["id"]
    url = f"/api/v1/tracking/applications/{app_id}/moves"
    ent = world.headers("enterprise_a")
    missing = client.post(url, json={"to_state": "rejected"}, headers=ent)
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["errors"][0]["field"] == "reason"
    assert client.post(url, json={"to_state": "rejected", "reason": "not_qualified"}, headers=ent).status_code == 200
    offer = client.post(url, json={"to_state": "offered"}, headers=ent)
    assert offer.status_code == 409 and "未录用" in offer.json()["detail"]
    forbidden = client.post(url, json={"to_state": "employed"}, headers=world.headers("graduate_a"))
    assert forbidden.status_code == 409
    sneaky = client.post(url, json={"to_state": "withdrawn", "reason": "personal", "actor": "x"}, headers=ent)
    assert sneaky.status_code == 422  # unknown fields are refused


def test_graduate_timeline_hides_counselor_notes(client: TestClient, db: Session, world: World) -> None:
    grad = own_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    service.record_contact(
        db, principal=counselor, graduate_id=grad.id, channel="visit", outcome="needs_help", summary="家中经济困难"
    )
    service.record_service(
        db, principal=counselor, graduate_id=grad.id, kind="policy_briefing", delivered_on=service.local_today()
    )
    db.commit()
    mine = client.get(f"/api/v1/tracking/graduates/{grad.id}/timeline", headers=world.headers("graduate_a")).json()
    kinds = {i["kind"] for i in mine["items"]}
    assert {"contact", "service"} <= kinds
    assert "家中经济困难" not in str(mine)
    theirs = client.get(f"/api/v1/tracking/graduates/{grad.id}/timeline", headers=world.headers("counselor_a")).json()
    assert "家中经济困难" in str(theirs)
    assert (
        client.get(f"/api/v1/tracking/graduates/{grad.id}/contacts", headers=world.headers("graduate_a")).status_code
        == 403
    )


def test_workbench_shows_caseload_gaps_and_fresh_matches(client: TestClient, db: Session, world: World) -> None:
    grad = make_graduate(db, world, name="周同学")
    fresh = make_position(db, world, employer=None, kind="job", title="新岗位")
    stale = make_position(db, world, employer=None, kind="job", title="旧岗位")
    db.add_all(
        [
            MatchResult(
                graduate_id=grad.id,
                position_id=fresh.id,
                org_unit_id=grad.org_unit_id,
                rank=1,
                score=0.9,
                reasons=["地点：蒙城县"],
                catalog_version=1,
                computed_at=utcnow(),
            ),
            MatchResult(
                graduate_id=grad.id,
                position_id=stale.id,
                org_unit_id=grad.org_unit_id,
                rank=2,
                score=0.8,
                reasons=[],
                catalog_version=1,
                computed_at=utcnow() - timedelta(days=30),
            ),
        ]
    )
    db.commit()
    body = client.get("/api/v1/tracking/workbench", headers=world.headers("counselor_a")).json()
    row = next(c for c in body["caseload"] if c["graduate_id"] == grad.id)
    assert row["status"] == "unemployed" and row["status_name"] == "未就业"
    gap = next(g for g in body["gaps"] if g["graduate_id"] == grad.id)
    assert gap["missing"]["job_recommendation"] == 3
    assert [(m["graduate_name"], m["position_title"]) for m in body["fresh_matches"]] == [("周同学", "新岗位")]
    # county B's counselor does not see this graduate at all
    other = client.get("/api/v1/tracking/workbench", headers=world.headers("counselor_b")).json()
    assert grad.id not in {c["graduate_id"] for c in other["caseload"]}


def test_an_employer_refused_verification_no_longer_sees_its_earlier_applicants(
    client: TestClient, db: Session, world: World
) -> None:
    own_graduate(db, world)
    position = enterprise_position(db, world)
    db.commit()
    ent = world.headers("enterprise_a")
    applied = client.post(
        "/api/v1/tracking/applications", json={"position_id": position.id}, headers=world.headers("graduate_a")
    )
    assert applied.status_code == 201, applied.text
    app_id = applied.json()["id"]
    applicants = f"/api/v1/tracking/positions/{position.id}/applicants"
    assert [r["graduate_name"] for r in client.get(applicants, headers=ent).json()] == ["陈同学"]

    refused = client.post(
        f"/api/v1/employers/{position.employer_id}/review",
        json={"approve": False, "note": "营业执照已被吊销"},
        headers=world.headers("county_a"),
    )
    assert refused.status_code == 200 and refused.json()["status"] == "rejected", refused.text
    assert client.get(applicants, headers=ent).json() == []
    listed = client.get("/api/v1/tracking/applications", headers=ent)
    assert listed.status_code == 200 and listed.json()["items"] == [], listed.text
    assert client.get(f"/api/v1/tracking/applications/{app_id}", headers=ent).status_code == 404
    moved = client.post(f"/api/v1/tracking/applications/{app_id}/moves", json={"to_state": "interviewing"}, headers=ent)
    assert moved.status_code == 404
    # the graduate and the union keep their record of it
    mine = client.get(f"/api/v1/tracking/applications/{app_id}", headers=world.headers("graduate_a"))
    assert mine.status_code == 200 and mine.json()["state"] == "applied"
    assert client.get(applicants, headers=world.headers("county_a")).json()[0]["graduate_name"] == "陈同学"
