"""金牌蓝领: staff sign a school–enterprise pairing, a counselor adds a 中职 student of that school, the enterprise's
internship, aid and the placement are recorded (the placement is an employment on the timeline, linked to the
signed application), and the enterprise sees its own pairing's students without any hardship data."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.clock import local_today
from services.registry.models import Graduate
from services.tracking.models import Application
from services.tracking.pairings import MOVES, PAIRING_STATES, PairingMove, move_problem
from services.tracking.status import current_status
from tests.conftest import World
from tests.tracking.factories import make_employer, make_graduate, make_position

P = "/api/v1/golden-pairings"
SCHOOL = "蒙城县中等职业学校"


def _error(resp: Any) -> tuple[str, str]:
    first = resp.json()["errors"][0]
    return first["field"], first["reason"]


def student(db: Session, world: World, side: str = "a", school: str = SCHOOL) -> Graduate:
    grad = make_graduate(db, world, side=side, name="孙中职")
    grad.stage = "student"
    grad.school_kind = "05"
    grad.education = "41"
    grad.school_name = school
    db.flush()
    return grad


def pairing(client: TestClient, world: World, employer_id: int, org: str = "BZ-MC", **extra: Any) -> dict[str, Any]:
    today = local_today()
    body = {
        "org_unit_id": world.orgs[org],
        "number": f"JPLL-{employer_id}-{org}",
        "school_name": SCHOOL,
        "school_kind": "05",
        "employer_id": employer_id,
        "majors": "中药制药",
        "starts_on": (today - timedelta(days=100)).isoformat(),
        "ends_on": (today + timedelta(days=600)).isoformat(),
        "terms": "企业每年资助结对学生助学金，安排跟岗实习，毕业后录用",
        "headcount": 2,
        "aid_per_student": "2000.00",
        **extra,
    }
    key = "city" if org == "BZ" else ("county_a" if org == "BZ-MC" else "county_b")
    resp = client.post(P, headers=world.headers(key), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_pairing_fields_are_checked_and_staff_only(client: TestClient, db: Session, world: World) -> None:
    employer = make_employer(db, world, side="a")
    base = {
        "org_unit_id": world.orgs["BZ-MC"],
        "number": "JPLL-MC-01",
        "school_name": SCHOOL,
        "school_kind": "07",
        "employer_id": employer.id,
        "starts_on": "2023-09-01",
        "ends_on": "2026-07-31",
        "terms": "助学、实习、就业",
        "headcount": 10,
        "aid_per_student": "1500.00",
    }
    kind = client.post(P, headers=world.headers("county_a"), json=base)
    assert _error(kind) == ("school_kind", "金牌蓝领结对学校应为中等职业学校或高等职业学校（专科）")
    ok = {**base, "school_kind": "05"}
    assert client.post(P, headers=world.headers("counselor_a"), json=ok).status_code == 403
    assert (
        client.post(P, headers=world.headers("county_a"), json={**ok, "org_unit_id": world.orgs["BZ-GY"]}).status_code
        == 403
    )
    employer.status = "pending"
    db.flush()
    pending = client.post(P, headers=world.headers("county_a"), json=ok)
    assert _error(pending)[0] == "employer_id" and "尚未通过认证" in _error(pending)[1]
    employer.status = "verified"
    db.flush()
    assert client.post(P, headers=world.headers("county_a"), json=ok).status_code == 201
    dup = client.post(P, headers=world.headers("county_a"), json=ok)
    assert (dup.status_code, dup.json()["detail"]) == (409, "协议编号“JPLL-MC-01”已登记")


def test_join_intern_aid_and_place_into_the_paired_enterprise(client: TestClient, db: Session, world: World) -> None:
    employer = make_employer(db, world, side="a", account_key="enterprise_a")
    made = pairing(client, world, employer.id)
    grad = student(db, world)
    h = world.headers("counselor_a")
    early = (local_today() - timedelta(days=30)).isoformat()
    joined = client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": grad.id, "joined_on": early})
    assert joined.status_code == 201, joined.text
    sid = joined.json()["id"]
    assert joined.json()["state_name"] == "结对培养中"
    start = local_today() - timedelta(days=20)
    intern = client.post(
        f"{P}/students/{sid}/internships",
        headers=h,
        json={"kind": "follow", "post": "中药饮片炮制工", "starts_on": start.isoformat(), "assessment": "勤恳"},
    )
    assert intern.status_code == 201, intern.text
    assert current_status(db, graduate_id=grad.id) == "internship"
    aid = client.post(f"{P}/students/{sid}/aid", headers=h, json={"amount": "1000.00", "paid_on": start.isoformat()})
    assert aid.status_code == 201, aid.text
    bad_aid = client.post(
        f"{P}/students/{sid}/aid", headers=h, json={"amount": "1000.005", "paid_on": start.isoformat()}
    )
    assert bad_aid.status_code == 422
    position = make_position(db, world, employer=employer)
    app = Application(
        graduate_id=grad.id,
        position_id=position.id,
        employer_id=employer.id,
        org_unit_id=grad.org_unit_id,
        state="signed",
    )
    db.add(app)
    db.flush()
    placed = client.post(
        f"{P}/students/{sid}/moves",
        headers=h,
        json={"to": "placed", "on": local_today().isoformat(), "post": "中药制剂操作工"},
    )
    assert placed.status_code == 200, placed.text
    body = placed.json()
    assert (body["state_name"], body["application_id"], body["aid_total"]) == ("已入职结对企业", app.id, "1000.00")
    assert current_status(db, graduate_id=grad.id) == "employed"
    seen = client.get(f"{P}/{made['id']}/students", headers=world.headers("enterprise_a"))
    assert seen.status_code == 200
    item = seen.json()["items"][0]
    assert item["name"] == "孙中职" and item["internships"][0]["post"] == "中药饮片炮制工"
    text = seen.text
    for secret in ("id_number", "phone", "family", "service_category", "hardship", grad.id_number_masked):
        assert secret not in text


def test_who_may_join_a_pairing(client: TestClient, db: Session, world: World) -> None:
    employer = make_employer(db, world, side="a")
    made = pairing(client, world, employer.id, headcount=1)
    h = world.headers("counselor_a")
    elsewhere = student(db, world, school="亳州中药科技学校")
    wrong = client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": elsewhere.id})
    assert _error(wrong) == ("graduate_id", f"该学生就读于亳州中药科技学校，不是结对学校“{SCHOOL}”的学生")
    college = make_graduate(db, world, side="a")
    college.school_kind, college.education = "07", "21"
    db.flush()
    not_vocational = client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": college.id})
    assert _error(not_vocational)[1] == "金牌蓝领面向就读中职、高职院校的学生，该学生未登记中职或高职就读"
    first = student(db, world)
    assert client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": first.id}).status_code == 201
    second = student(db, world)
    full = client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": second.id})
    assert _error(full) == ("pairing_id", "该结对约定名额1人，已满")
    other_county = client.post(
        f"{P}/{made['id']}/students", headers=world.headers("counselor_b"), json={"graduate_id": second.id}
    )
    assert other_county.status_code == 404


def test_a_two_after_enrolled_at_the_school_may_join(client: TestClient, db: Session, world: World) -> None:
    employer = make_employer(db, world, side="a")
    made = pairing(client, world, employer.id)
    grad = make_graduate(db, world, side="a")
    grad.service_category, grad.education, grad.school_kind = "4", "71", "03"
    db.flush()
    h = world.headers("counselor_a")
    track = client.post(
        f"/api/v1/registry/graduates/{grad.id}/vocational-tracks",
        headers=h,
        json={
            "kind": "school",
            "programme": "中药制药",
            "provider": f" {SCHOOL} ",
            "school_type": "secondary_vocational",
            "starts_on": (local_today() - timedelta(days=30)).isoformat(),
        },
    )
    assert track.status_code == 201, track.text
    assert client.post(f"{P}/{made['id']}/students", headers=h, json={"graduate_id": grad.id}).status_code == 201


def test_scopes_of_pairings(client: TestClient, db: Session, world: World) -> None:
    mine = make_employer(db, world, side="a", account_key="enterprise_a")
    theirs = make_employer(db, world, side="b", account_key="enterprise_b")
    city = pairing(client, world, mine.id, org="BZ")
    county_b = pairing(client, world, theirs.id, org="BZ-GY")
    seen_a = {p["id"] for p in client.get(P, headers=world.headers("counselor_a")).json()["items"]}
    assert city["id"] in seen_a and county_b["id"] not in seen_a
    assert client.get(f"{P}/{county_b['id']}", headers=world.headers("county_a")).status_code == 404
    ent = {p["id"] for p in client.get(P, headers=world.headers("enterprise_a")).json()["items"]}
    assert ent == {city["id"]}
    assert client.get(f"{P}/{county_b['id']}/students", headers=world.headers("enterprise_a")).status_code == 404
    assert client.get(P, headers=world.headers("graduate_a")).status_code == 403


@given(
    start=st.sampled_from(sorted(PAIRING_STATES)),
    to=st.sampled_from([*sorted(PAIRING_STATES), "hired"]),
    days=st.integers(min_value=-30, max_value=30),
    post=st.sampled_from([None, "", "操作工"]),
    reason=st.sampled_from([None, "转学"]),
)
def test_the_pairing_state_machine(start: str, to: str, days: int, post: str | None, reason: str | None) -> None:
    today = date(2024, 6, 30)
    row: Any = SimpleNamespace(state=start, joined_on=date(2024, 6, 1))
    move = PairingMove(to=to, on=today + timedelta(days=days), post=post, reason=reason)
    allowed = (
        to in MOVES.get(start, frozenset())
        and row.joined_on <= move.on <= today
        and (bool(post) if to == "placed" else bool(reason))
    )
    assert (move_problem(row, move, today=today) is None) == allowed
