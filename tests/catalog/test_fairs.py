"""Job fairs: online or on site, run by union staff in their scope, with the positions offered there."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.catalog import factories as f
from tests.conftest import World


def _fair_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "2024年蒙城县“阳光就业”专场招聘会",
        "mode": "on_site",
        "starts_at": (date.today() + timedelta(days=7)).isoformat() + "T09:00:00+08:00",
        "ends_at": (date.today() + timedelta(days=7)).isoformat() + "T12:00:00+08:00",
        "division_code": "341622",
        "venue": "蒙城县人力资源市场一楼大厅",
        "organiser": "蒙城县总工会",
    }
    body.update(overrides)
    return body


def test_a_fair_lists_its_positions_to_graduates(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world)
    offered = f.make_position(db, world, employer=employer, source="union_partner")
    draft = f.make_position(db, world, employer=employer, status="draft")
    db.commit()
    staff = world.headers("county_a")
    fair = client.post("/api/v1/job-fairs", json=_fair_body(), headers=staff)
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["id"]
    added = client.post(
        f"/api/v1/job-fairs/{fair_id}/positions", json={"position_ids": [offered.id, draft.id]}, headers=staff
    )
    assert added.json()["position_ids"] == sorted([offered.id, draft.id])
    seen = client.get(f"/api/v1/job-fairs/{fair_id}", headers=world.headers("graduate_a")).json()
    assert [p["id"] for p in seen["positions"]] == [offered.id]  # drafts stay with their managers
    assert seen["positions"][0]["source"] == "job_fair"
    managed = client.get(f"/api/v1/job-fairs/{fair_id}", headers=staff).json()
    assert {p["id"] for p in managed["positions"]} == {offered.id, draft.id}
    removed = client.delete(f"/api/v1/job-fairs/{fair_id}/positions/{draft.id}", headers=staff)
    assert removed.status_code == 204
    listed = client.get("/api/v1/job-fairs", headers=world.headers("counselor_b")).json()
    assert [x["position_ids"] for x in listed if x["id"] == fair_id] == [[offered.id]]


def test_online_fairs_need_an_address_and_times_must_be_ordered(client: TestClient, db: Session, world: World) -> None:
    f.ensure_reference(db)
    db.commit()
    staff = world.headers("county_a")
    online = client.post("/api/v1/job-fairs", json=_fair_body(mode="online", venue=""), headers=staff)
    assert online.status_code == 422 and online.json()["errors"][0]["field"] == "url"
    ok = client.post(
        "/api/v1/job-fairs", json=_fair_body(mode="online", venue="", url="https://jobs.example.cn/f/1"), headers=staff
    )
    assert ok.status_code == 201
    backwards = _fair_body(ends_at=(date.today() + timedelta(days=6)).isoformat() + "T09:00:00+08:00")
    assert client.post("/api/v1/job-fairs", json=backwards, headers=staff).json()["errors"][0]["field"] == "ends_at"


def test_staff_cannot_offer_positions_outside_their_scope(client: TestClient, db: Session, world: World) -> None:
    fair = f.make_fair(db, world, side="a")
    elsewhere = f.make_position(db, world, employer=f.make_employer(db, world, side="b"))
    db.commit()
    resp = client.post(
        f"/api/v1/job-fairs/{fair.id}/positions",
        json={"position_ids": [elsewhere.id]},
        headers=world.headers("county_a"),
    )
    assert resp.status_code == 404
