"""Occupations on positions and certificates on graduates, through the HTTP API: suggestions for the posting
form, what the poster confirms is stored as confirmed, a plain posting gets a suggestion; a 特岗 post requiring
教师资格证 reaches the graduate once the certificate is recorded and explains what is missing before."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.refdata.models import RefOccupation
from tests.catalog import factories as f
from tests.conftest import World
from tests.matches.factories import make_employer, make_graduate


def test_posting_form_suggestions_then_confirmed_or_suggested_storage(
    client: TestClient, db: Session, world: World
) -> None:
    f.make_employer(db, world, account="enterprise_a")
    if db.get(RefOccupation, "2-05-08-04") is None:  # the test database holds only a few reference rows
        db.add(RefOccupation(code="2-05-08-04", level=4, level_name="细类", name="外科护士"))
    db.commit()
    headers = world.headers("enterprise_a")
    resp = client.get(
        "/api/v1/occupation-suggestions",
        params={"title": "内科护士", "description": "病区护理，执行医嘱，持护士执业证"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert 1 <= len(items) <= 5 and items[0]["code"] == "2-05-08-01" and items[0]["name"] == "内科护士"
    assert client.get("/api/v1/occupation-suggestions", params={"title": "护士"}).status_code == 401

    chosen = f.position_payload(title="护理岗", occupations=["2-05-08-04"], publish=True)
    confirmed = client.post("/api/v1/positions", json=chosen, headers=headers)
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["occupations"] == ["2-05-08-04"]
    assert confirmed.json()["occupation_state"] == "confirmed"

    plain = client.post(
        "/api/v1/positions", json=f.position_payload(title="数控车床操作工", publish=True), headers=headers
    )
    assert plain.status_code == 201, plain.text
    out = plain.json()
    assert out["occupation_state"] == "suggested" and out["occupations"]
    assert out["occupation_confidence"] is not None and 0 < out["occupation_confidence"] <= 1


def test_certificate_opens_a_tegang_post_and_its_absence_is_explained(
    client: TestClient, db: Session, world: World
) -> None:
    me = make_graduate(
        db,
        world,
        user_id=world.users["graduate_a"],
        major=("040107", "小学教育"),
        education="21",
        school_kind="07",
        intentions=["job", "grassroots"],
    )
    employer = make_employer(db, world)
    rule = f.make_rule_set(
        db,
        program="tegang",
        program_name="特岗计划",
        year=2024,
        min_education="bachelor",
        max_age=35,
        graduation_window_years=3,
        requires_local_hukou=False,
        required_flags=["teacher_cert"],
    )
    tegang = f.make_position(
        db,
        world,
        employer=employer,
        kind="grassroots",
        title="特岗计划小学语文教师",
        program="tegang",
        program_year=2024,
        service_years=3,
        rule_set_id=rule.id,
        min_education="bachelor",
    )
    catalog.bump_version(db)
    db.commit()
    headers = world.headers("graduate_a")

    before = client.get(f"/api/v1/graduates/{me.id}/matches", headers=headers).json()
    assert tegang.id not in [i["position_id"] for i in before["items"]]

    added = client.post(
        f"/api/v1/graduates/{me.id}/certificates",
        json={"kind": "teacher_cert", "subject": "语文", "level": "小学"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "教师资格证"
    listed = client.get(f"/api/v1/graduates/{me.id}/certificates", headers=headers).json()
    assert [c["kind"] for c in listed["items"]] == ["teacher_cert"]
    after = client.get(f"/api/v1/graduates/{me.id}/matches", headers=headers).json()
    item = next(i for i in after["items"] if i["position_id"] == tegang.id)
    assert any(c["code"] == "flags" and c["passed"] and "教师资格证" in c["text"] for c in item["checks"])

    gone = client.delete(f"/api/v1/graduates/{me.id}/certificates/{added.json()['id']}", headers=headers)
    assert gone.status_code == 204
    again = client.get(f"/api/v1/graduates/{me.id}/matches", headers=headers).json()
    assert tegang.id not in [i["position_id"] for i in again["items"]]
