"""Positions: five kinds, majors from free text, who may touch what, and status driven by deadline and headcount."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.catalog import service
from services.catalog.models import Position
from services.errors import Conflict
from services.queue import send_now
from tests.catalog import factories as f
from tests.conftest import World

TODAY = date(2024, 6, 1)


def test_enterprise_posts_a_job_with_majors_written_as_text(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world, account="enterprise_a")
    db.commit()
    body = f.position_payload(majors_text="计科、软工，会计学；计算机类", publish=True, source="union_partner")
    resp = client.post("/api/v1/positions", json=body, headers=world.headers("enterprise_a"))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["employer_id"] == employer.id
    assert out["source"] == "self_posted"  # an enterprise's own posting, whatever it claims
    assert out["status"] == "open"
    assert set(out["majors"]) == {"080901", "080902", "120203K"}
    assert set(out["major_classes"]) == {"0809", "5102"}
    assert out["majors_text"] == "计科、软工，会计学；计算机类"


def test_unknown_major_text_is_refused_with_the_term(client: TestClient, db: Session, world: World) -> None:
    f.make_employer(db, world, account="enterprise_a")
    db.commit()
    resp = client.post(
        "/api/v1/positions",
        json=f.position_payload(majors_text="软工、魔法学"),
        headers=world.headers("enterprise_a"),
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "majors_text"
    assert "魔法学" in resp.json()["errors"][0]["reason"]


def test_each_kind_takes_its_own_details(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world)
    f.make_rule_set(db, year=2024)
    db.commit()
    headers = world.headers("county_a")
    kinds = {
        "internship": {"internship": {"duration_months": 6, "subsidy": "1800.00"}},
        "work_study": {
            "work_study": {"hours_per_week": 10, "pay_basis": "hourly", "rate": "20", "summer_special": True}
        },
        "grassroots": {"grassroots": {"program": "sanzhi_yifu", "program_year": 2024, "service_years": 2}},
        "entrepreneurship": {
            "entrepreneurship": {"fund_amount": "50000", "venue": "亳州市创业孵化基地", "mentor_kind": "craftsman"}
        },
    }
    for kind, details in kinds.items():
        employer_id = None if kind in {"grassroots", "entrepreneurship"} else employer.id
        body = f.position_payload(kind=kind, employer_id=employer_id, **details)
        resp = client.post("/api/v1/positions", json=body, headers=headers)
        assert resp.status_code == 201, (kind, resp.text)
        assert resp.json()[kind] is not None
    grassroots = client.get("/api/v1/positions", params={"kind": "grassroots"}, headers=headers).json()["items"][0]
    assert grassroots["rule_set"]["program_name"] == "三支一扶"
    assert grassroots["rule_set"]["year"] == 2024
    assert grassroots["org_unit_id"] == world.orgs["BZ-MC"]
    # details of another kind, or none at all, are refused
    wrong = f.position_payload(kind="internship", employer_id=employer.id, work_study=kinds["work_study"]["work_study"])
    assert client.post("/api/v1/positions", json=wrong, headers=headers).status_code == 422
    missing = f.position_payload(kind="work_study", employer_id=employer.id)
    assert client.post("/api/v1/positions", json=missing, headers=headers).json()["errors"][0]["field"] == "work_study"


def test_a_program_without_rules_for_that_year_is_refused(client: TestClient, db: Session, world: World) -> None:
    f.make_rule_set(db, year=2024)
    db.commit()
    body = f.position_payload(kind="grassroots", grassroots={"program": "sanzhi_yifu", "program_year": 2019})
    resp = client.post("/api/v1/positions", json=body, headers=world.headers("county_a"))
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "grassroots.program"


def test_an_enterprise_cannot_touch_another_enterprises_positions(
    client: TestClient, db: Session, world: World
) -> None:
    mine = f.make_employer(db, world, side="a", account="enterprise_a")
    theirs = f.make_employer(db, world, side="b", account="enterprise_b")
    their_draft = f.make_position(db, world, employer=theirs, status="draft")
    their_open = f.make_position(db, world, employer=theirs, status="open")
    db.commit()
    me = world.headers("enterprise_a")
    for position in (their_draft, their_open):
        assert client.patch(f"/api/v1/positions/{position.id}", json={"title": "改掉"}, headers=me).status_code == 404
        assert client.post(f"/api/v1/positions/{position.id}/close", headers=me).status_code == 404
        assert client.post(f"/api/v1/positions/{position.id}/publish", headers=me).status_code == 404
    assert client.get(f"/api/v1/positions/{their_draft.id}", headers=me).status_code == 404
    # a published position of a verified employer is public, but still not editable
    assert client.get(f"/api/v1/positions/{their_open.id}", headers=me).status_code == 200
    posted = client.post("/api/v1/positions", json=f.position_payload(employer_id=theirs.id), headers=me)
    assert posted.status_code == 404
    assert client.patch(f"/api/v1/employers/{theirs.id}", json={"address": "x"}, headers=me).status_code == 404
    listed = client.get("/api/v1/positions", params={"mine": True}, headers=me).json()["items"]
    assert all(p["employer_id"] == mine.id for p in listed)
    db.refresh(their_open)
    assert their_open.title != "改掉" and their_open.status == "open"


def test_graduates_see_published_positions_of_verified_employers_only(
    client: TestClient, db: Session, world: World
) -> None:
    verified = f.make_employer(db, world)
    pending = f.make_employer(db, world, status="pending")
    shown = f.make_position(db, world, employer=verified)
    draft = f.make_position(db, world, employer=verified, status="draft")
    unverified = f.make_position(db, world, employer=pending)
    union_run = f.make_position(db, world, side="b", kind="entrepreneurship", venue="涡阳县孵化基地")
    db.commit()
    me = world.headers("graduate_a")
    ids = {p["id"] for p in client.get("/api/v1/positions", params={"limit": 100}, headers=me).json()["items"]}
    assert shown.id in ids and union_run.id in ids
    assert draft.id not in ids and unverified.id not in ids
    assert client.get(f"/api/v1/positions/{unverified.id}", headers=me).status_code == 404
    assert client.patch(f"/api/v1/positions/{shown.id}", json={"title": "x"}, headers=me).status_code == 403


@given(
    status=st.sampled_from(["draft", "open", "closed", "filled"]),
    reason=st.sampled_from([None, "deadline", "manual"]),
    offset=st.one_of(st.none(), st.integers(-30, 30)),
    headcount=st.one_of(st.none(), st.integers(1, 5)),
    filled=st.integers(0, 6),
)
def test_status_follows_deadline_and_headcount(
    status: str, reason: str | None, offset: int | None, headcount: int | None, filled: int
) -> None:
    deadline = TODAY + timedelta(days=offset) if offset is not None else None
    new, new_reason = service.next_status(
        status, closed_reason=reason, deadline=deadline, headcount=headcount, filled=filled, today=TODAY
    )
    full = headcount is not None and filled >= headcount
    expired = deadline is not None and deadline < TODAY
    if status == "draft" or (status == "closed" and reason == "manual"):
        assert (new, new_reason) == (status, reason)  # drafts and hand-closed positions stay put
    elif full:
        assert new == "filled"
    elif expired:
        assert (new, new_reason) == ("closed", "deadline")
    else:
        assert (new, new_reason) == ("open", None)
    again = service.next_status(
        new, closed_reason=new_reason, deadline=deadline, headcount=headcount, filled=filled, today=TODAY
    )
    assert again == (new, new_reason)  # applying it twice changes nothing


def test_signing_fills_a_position_and_a_withdrawal_reopens_it(db: Session, world: World) -> None:
    position = f.make_position(db, world, employer=f.make_employer(db, world), headcount=2)
    before = service.current_version(db)
    service.record_signing(db, position_id=position.id)
    assert position.status == "open" and position.filled == 1
    service.record_signing(db, position_id=position.id)
    assert position.status == "filled"
    with pytest.raises(Conflict):
        service.record_signing(db, position_id=position.id)  # beyond the headcount
    service.release_signing(db, position_id=position.id)
    assert (position.status, position.filled) == ("open", 1)
    assert service.current_version(db) == before + 3


def test_headcount_and_deadline_edits_move_the_status(client: TestClient, db: Session, world: World) -> None:
    position = f.make_position(db, world, employer=f.make_employer(db, world), headcount=2, filled=2, status="filled")
    db.commit()
    me = world.headers("county_a")
    url = f"/api/v1/positions/{position.id}"
    assert client.patch(url, json={"headcount": 4}, headers=me).json()["status"] == "open"
    past = (date.today() - timedelta(days=1)).isoformat()
    resp = client.patch(url, json={"deadline": past, "opens_on": None}, headers=me).json()
    assert (resp["status"], resp["closed_reason"]) == ("closed", "deadline")
    future = (date.today() + timedelta(days=10)).isoformat()
    assert client.patch(url, json={"deadline": future}, headers=me).json()["status"] == "open"
    assert client.post(f"{url}/close", headers=me).json()["closed_reason"] == "manual"
    assert client.patch(url, json={"deadline": future}, headers=me).json()["status"] == "closed"
    assert client.post(f"{url}/publish", headers=me).json()["status"] == "open"
    too_many = client.patch(url, json={"filled": 9}, headers=me)
    assert too_many.status_code == 422


def test_the_daily_job_closes_expired_positions(db: Session, world: World) -> None:
    employer = f.make_employer(db, world)
    expired = f.make_position(db, world, employer=employer, deadline=date(2024, 5, 31), opens_on=date(2024, 5, 1))
    current = f.make_position(db, world, employer=employer, deadline=date(2024, 6, 30), opens_on=date(2024, 5, 1))
    db.commit()
    result = send_now("sunshine.catalog.close_expired", "2024-06-01").get()
    assert result == {"closed": 1}
    db.expire_all()
    assert db.get(Position, expired.id).status == "closed"  # type: ignore[union-attr]
    assert db.get(Position, current.id).status == "open"  # type: ignore[union-attr]
    assert send_now("sunshine.catalog.close_expired", "2024-06-01").get() == {"closed": 0}


def test_publishing_refuses_a_past_deadline(client: TestClient, db: Session, world: World) -> None:
    position = f.make_position(
        db,
        world,
        employer=f.make_employer(db, world),
        status="draft",
        opens_on=None,
        deadline=date.today() - timedelta(days=1),
    )
    db.commit()
    resp = client.post(f"/api/v1/positions/{position.id}/publish", headers=world.headers("county_a"))
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "deadline"


def test_pay_range_must_be_ordered(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world)
    db.commit()
    body = f.position_payload(employer_id=employer.id, pay_min="8000", pay_max="5000")
    resp = client.post("/api/v1/positions", json=body, headers=world.headers("county_a"))
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "pay_min"


def test_rewriting_the_major_text_replaces_what_it_meant(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world)
    db.commit()
    me = world.headers("county_a")
    created = client.post(
        "/api/v1/positions", json=f.position_payload(employer_id=employer.id, majors_text="计科"), headers=me
    ).json()
    assert created["majors"] == ["080901"]
    edited = client.patch(f"/api/v1/positions/{created['id']}", json={"majors_text": "会计学"}, headers=me).json()
    assert edited["majors"] == ["120203K"] and edited["majors_text"] == "会计学"
    cleared = client.patch(f"/api/v1/positions/{created['id']}", json={"majors_text": ""}, headers=me).json()
    assert (cleared["majors"], cleared["major_classes"], cleared["disciplines"]) == ([], [], [])  # open to any major


def test_the_list_total_is_the_same_on_every_page_and_past_the_end(
    client: TestClient, db: Session, world: World
) -> None:
    employer = f.make_employer(db, world)
    for i in range(5):
        f.make_position(db, world, employer=employer, title=f"翻页岗位{i}")
    db.commit()
    headers = world.headers("county_a")
    url = f"/api/v1/positions?employer_id={employer.id}&limit=2"
    pages = [client.get(f"{url}&offset={offset}", headers=headers).json() for offset in (0, 2, 4, 10)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert not any(p["total_is_estimate"] for p in pages)
    assert len({i["id"] for p in pages for i in p["items"]}) == 5
