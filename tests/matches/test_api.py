"""The matching routes: both directions with reasons, the enterprise view, scope, recommendations, and the index
following the catalog version without a restart."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.catalog.schemas import EmployerUpdate
from services.matches import service as matches
from services.matches.holder import holder_for
from services.matches.schemas import MatchListOut
from services.tracking.models import Application, ServiceRecord
from tests.catalog.factories import make_rule_set, principal
from tests.conftest import World
from tests.matches.factories import NURSING, make_employer, make_family, make_graduate, make_position


def _matches(client: TestClient, world: World, key: str, graduate_id: int, **params: object) -> dict[str, object]:
    resp = client.get(f"/api/v1/graduates/{graduate_id}/matches", headers=world.headers(key), params=params)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _ids(body: dict[str, object]) -> list[int]:
    return [int(item["position_id"]) for item in body["items"]]  # type: ignore[attr-defined]


def _employers(body: dict[str, object]) -> dict[int, str]:
    return {int(item["position_id"]): str(item["employer_name"]) for item in body["items"]}  # type: ignore[attr-defined]


def test_graduate_sees_own_matches_with_reasons_and_never_a_position_failing_a_rule(
    client: TestClient, db: Session, world: World
) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    employer = make_employer(db, world)
    near = make_position(db, world, employer=employer, major_classes=["5102"])
    far = make_position(db, world, employer=make_employer(db, world, side="b"), side="b")
    masters = make_position(db, world, employer=employer, min_education="master")
    nurses = make_position(db, world, employer=employer, title="护士", majors=[NURSING[0]])
    expired = make_position(db, world, employer=employer, deadline=date.today() - timedelta(days=1))
    db.commit()

    body = _matches(client, world, "graduate_a", me.id)
    ids = _ids(body)
    assert ids[:2] == [near.id, far.id]
    assert not {masters.id, nurses.id, expired.id} & set(ids)
    top = body["items"][0]  # type: ignore[index]
    assert "专业对口：软件技术 ↔ 计算机类" in top["reasons"]
    assert any(r.startswith("地点：蒙城县") for r in top["reasons"])
    assert all(check["passed"] for check in top["checks"])
    assert {c["code"] for c in top["checks"]} >= {"education", "major", "status", "deadline"}
    assert set(top["features"]) == {"major", "occupation", "text", "place", "pay", "kind", "freshness", "hardship"}
    assert body["catalog_version"] == catalog.current_version(db)


def test_the_matches_body_is_the_documented_list_field_for_field(client: TestClient, db: Session, world: World) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    employer = make_employer(db, world)
    make_position(db, world, employer=employer, major_classes=["5102"], pay_min=4000, pay_max=6500)
    make_position(db, world, employer=make_employer(db, world, side="b"), side="b", deadline=None)
    db.commit()
    resp = client.get(f"/api/v1/graduates/{me.id}/matches", headers=world.headers("graduate_a"))
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
    page = matches.graduate_matches(db, principal=principal(db, world, "graduate_a"), graduate_id=me.id)
    documented = MatchListOut.model_validate(page, from_attributes=True)
    assert len(documented.items) == 2
    assert resp.content == documented.model_dump_json().encode()  # every field, its name, type and order


def test_filters_by_kind_and_place_and_caps_paging(client: TestClient, db: Session, world: World) -> None:
    me = make_graduate(db, world)
    job = make_position(db, world)
    internship = make_position(db, world, kind="internship", title="软件测试见习")
    elsewhere = make_position(db, world, side="b")
    db.commit()
    assert set(_ids(_matches(client, world, "counselor_a", me.id, kind="internship"))) == {internship.id}
    assert set(_ids(_matches(client, world, "counselor_a", me.id, place="341622"))) == {job.id, internship.id}
    assert elsewhere.id in _ids(_matches(client, world, "counselor_a", me.id, place="341600"))
    first = _matches(client, world, "counselor_a", me.id, limit=1)
    assert len(first["items"]) == 1 and first["has_more"] is True  # type: ignore[arg-type]
    second = _matches(client, world, "counselor_a", me.id, limit=1, offset=1)
    assert second["items"][0]["rank"] == 2  # type: ignore[index]
    bad = client.get(
        f"/api/v1/graduates/{me.id}/matches", headers=world.headers("counselor_a"), params={"place": "蒙城"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "place"
    deep = client.get(
        f"/api/v1/graduates/{me.id}/matches", headers=world.headers("counselor_a"), params={"offset": 190, "limit": 20}
    )
    assert deep.status_code == 422


def test_counselor_of_another_county_gets_404(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world, side="a")
    position = make_position(db, world)
    db.commit()
    for method, path, kwargs in (
        ("GET", f"/api/v1/graduates/{graduate.id}/matches", {}),
        ("POST", f"/api/v1/graduates/{graduate.id}/recommendations", {"json": {"position_id": position.id}}),
    ):
        resp = client.request(method, path, headers=world.headers("counselor_b"), **kwargs)  # type: ignore[arg-type]
        assert resp.status_code == 404, resp.text
    candidates = client.get(f"/api/v1/positions/{position.id}/candidates", headers=world.headers("counselor_b"))
    assert candidates.status_code == 200
    assert graduate.id not in [c["graduate_id"] for c in candidates.json()["items"]]


def test_counselor_ranks_candidates_of_the_scope_with_reasons(client: TestClient, db: Session, world: World) -> None:
    software = make_graduate(db, world, family=make_family(db, world))
    nurse = make_graduate(db, world, major=NURSING, skills=["护理"])
    make_graduate(db, world, side="b")  # another county: not in counselor A's list
    make_graduate(db, world, employment_status="employed")  # already employed: not a candidate
    position = make_position(db, world, employer=make_employer(db, world), hardship_priority=True)
    db.commit()
    resp = client.get(f"/api/v1/positions/{position.id}/candidates", headers=world.headers("counselor_a"))
    assert resp.status_code == 200, resp.text
    items = resp.json()["items"]
    assert [c["graduate_id"] for c in items] == [software.id, nurse.id]
    assert items[0]["hardship_family"] is True
    assert items[0]["features"]["hardship"] == 1.0 and items[1]["features"]["hardship"] == 0.0
    assert items[0]["reasons"] and items[0]["checks"] and items[0]["features"]


def test_enterprise_sees_only_opted_in_graduates_without_protected_data(
    client: TestClient, db: Session, world: World
) -> None:
    employer = make_employer(db, world, account="enterprise_a")
    family = make_family(db, world)
    hardship = make_graduate(db, world, family=family, enterprise_visible=True, name="困难家庭的同学")
    plain = make_graduate(db, world, enterprise_visible=True, name="普通同学")
    hidden = make_graduate(db, world, enterprise_visible=False, name="未公开的同学")
    position = make_position(db, world, employer=employer, hardship_priority=True)
    other = make_position(db, world, employer=make_employer(db, world))
    db.commit()

    resp = client.get(f"/api/v1/positions/{position.id}/candidates", headers=world.headers("enterprise_a"))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    names = [c["name"] for c in body["items"]]
    assert sorted(names) == sorted([hardship.name, plain.name]) and hidden.name not in names
    allowed = {"rank", "name", "school_name", "major", "cohort", "education", "skills", "score", "reasons"}
    for item in body["items"]:
        assert set(item) == allowed
        assert item["reasons"]
        assert not any("困难" in r for r in item["reasons"])
    # the two differ only in hardship, which the enterprise's ranking must not see: equal scores
    assert body["items"][0]["score"] == body["items"][1]["score"]
    text = resp.text
    for secret in (hardship.id_number_masked, hardship.phone_masked or "", "hardship", "family", "income"):
        assert secret not in text
    # not their position: 404
    assert (
        client.get(f"/api/v1/positions/{other.id}/candidates", headers=world.headers("enterprise_a")).status_code == 404
    )


def test_closed_or_filled_position_disappears_after_the_version_bump_without_restart(
    client: TestClient, db: Session, world: World
) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    to_close = make_position(db, world)
    to_fill = make_position(db, world, headcount=1)
    stays = make_position(db, world)
    db.commit()
    assert {to_close.id, to_fill.id, stays.id} <= set(_ids(_matches(client, world, "graduate_a", me.id)))
    holder = holder_for(db)
    built_at = holder.stamp

    staff = principal(db, world, "county_a")
    catalog.close_position(db, principal=staff, position_id=to_close.id)
    catalog.record_signing(db, position_id=to_fill.id)
    db.commit()
    ids = _ids(_matches(client, world, "graduate_a", me.id))
    assert stays.id in ids and to_close.id not in ids and to_fill.id not in ids
    assert holder.stamp is not None and built_at is not None and holder.stamp.version > built_at.version
    assert holder.last_sync.rebuilt is False and holder.last_sync.closed == 2

    reopened = catalog.release_signing(db, position_id=to_fill.id)
    db.commit()
    assert reopened.status == "open"
    assert to_fill.id in _ids(_matches(client, world, "graduate_a", me.id))
    assert holder.last_sync.updated == 1


def test_recommendation_is_tracked_and_refused_when_a_rule_fails(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world)
    fits = make_position(db, world)
    masters = make_position(db, world, min_education="master")
    db.commit()
    url = f"/api/v1/graduates/{graduate.id}/recommendations"

    resp = client.post(url, headers=world.headers("counselor_a"), json={"position_id": fits.id, "note": "专业对口"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["state"] == "recommended" and body["reasons"]
    app = db.scalar(select(Application).where(Application.id == body["application_id"]))
    assert app is not None and app.graduate_id == graduate.id and app.state == "recommended"
    service = db.scalar(select(ServiceRecord).where(ServiceRecord.application_id == app.id))
    assert service is not None and service.kind == "job_recommendation"

    again = client.post(url, headers=world.headers("counselor_a"), json={"position_id": fits.id})
    assert again.status_code == 409
    refused = client.post(url, headers=world.headers("counselor_a"), json={"position_id": masters.id})
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "education"
    assert "学历不符" in refused.json()["detail"]
    assert db.scalar(select(Application).where(Application.position_id == masters.id)) is None
    forged = client.post(url, headers=world.headers("counselor_a"), json={"position_id": fits.id, "state": "signed"})
    assert forged.status_code == 422


def test_positions_follow_their_employers_verification(client: TestClient, db: Session, world: World) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    pending = make_employer(db, world)
    pending.status = "pending"
    position = make_position(db, world, employer=pending)
    db.commit()
    assert position.id not in _ids(_matches(client, world, "graduate_a", me.id))
    staff = principal(db, world, "county_a")
    catalog.review_employer(db, principal=staff, employer_id=pending.id, approve=True)
    db.commit()
    assert position.id in _ids(_matches(client, world, "graduate_a", me.id))
    catalog.review_employer(db, principal=staff, employer_id=pending.id, approve=False, note="营业执照已吊销")
    db.commit()
    assert position.id not in _ids(_matches(client, world, "graduate_a", me.id))
    assert holder_for(db).last_sync.rebuilt is False


def test_each_match_names_its_employer_and_a_renamed_employer_at_once(
    client: TestClient, db: Session, world: World
) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    employer = make_employer(db, world)
    position = make_position(db, world, employer=employer, major_classes=["5102"])
    union_post = make_position(db, world, employer=None, major_classes=["5102"])
    db.commit()
    named = _employers(_matches(client, world, "graduate_a", me.id))
    assert named[position.id] == employer.name
    assert named[union_post.id] == ""
    staff = principal(db, world, "county_a")
    catalog.update_employer(
        db, principal=staff, employer_id=employer.id, data=EmployerUpdate(name="蒙城县新名称科技有限公司")
    )
    db.commit()
    assert _employers(_matches(client, world, "graduate_a", me.id))[position.id] == "蒙城县新名称科技有限公司"
    assert holder_for(db).last_sync.rebuilt is False


def test_a_new_program_rule_version_applies_at_once(client: TestClient, db: Session, world: World) -> None:
    me = make_graduate(
        db, world, user_id=world.users["graduate_a"], birth_date=date(1991, 3, 1), intentions=["grassroots"]
    )
    rule = make_rule_set(db, year=2026, max_age=40)
    program = make_position(
        db, world, kind="grassroots", title="三支一扶·支农", rule_set_id=rule.id, program="sanzhi_yifu"
    )
    db.commit()
    first = _matches(client, world, "graduate_a", me.id)
    assert program.id in _ids(first)
    checks = next(i["checks"] for i in first["items"] if i["position_id"] == program.id)  # type: ignore[attr-defined]
    assert {"code": "age", "passed": True, "text": "年龄符合：限40周岁以下"} in checks
    make_rule_set(db, year=2026, max_age=30)  # the next version governs; positions move to it
    db.commit()
    assert program.id not in _ids(_matches(client, world, "graduate_a", me.id))
