"""Students and graduates: categories and family links, major resolution, cohorts, the counselor's caseload
(read, update intentions and status only), the graduate's own profile and masked family, and the plain records
other domains read (no protected attributes)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.registry import access, lookups, writes
from services.registry.certificates import add_certificate, held_flags
from services.security import pii
from tests.conftest import World
from tests.registry import factories, lookup


def create(client: TestClient, world: World, *, org: str = "BZ-MC-01", **overrides: Any) -> Any:
    body = factories.api_body(factories.graduate_fields(**overrides))
    body["org_unit_id"] = world.orgs[org]
    return client.post("/api/v1/registry/graduates", headers=world.headers("county_a"), json=body)


def test_major_is_resolved_and_raw_text_kept(client: TestClient, world: World) -> None:
    exact = create(client, world, major="软件工程").json()
    assert (exact["major_code"], exact["major_name"], exact["major_raw"]) == ("080902", "软件工程", "软件工程")
    by_code = create(client, world, major="080901 计算机").json()
    assert by_code["major_code"] == "080901"
    unknown = create(client, world, major="量子烹饪学").json()
    assert unknown["major_code"] is None and unknown["major_raw"] == "量子烹饪学"


def test_any_later_cohort_and_category_rules(client: TestClient, db: Session, world: World) -> None:
    assert create(client, world, cohort=2031).status_code == 201
    missing_cohort = create(client, world, cohort=None)
    assert missing_cohort.status_code == 422 and "cohort" in missing_cohort.text
    needs_family = create(client, world, service_category="1")
    assert needs_family.status_code == 422 and "family_head_id_number" in needs_family.text
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"], members=1)
    db.commit()
    member = access.members_of(db, family_id=family.id)[0]
    linked = create(
        client,
        world,
        service_category="1",
        id_number=pii.decrypt(member.id_number_enc),
        family_head_id_number=lookups.family_head_id(family),
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["family_id"] == family.id and linked.json()["member_id"] == member.id
    assert linked.json()["enterprise_visible"] is False  # off by default


def test_counselor_updates_intentions_and_status_only(client: TestClient, db: Session, world: World) -> None:
    graduate_id = create(client, world).json()["id"]
    c = world.headers("counselor_a")
    plan = client.patch(
        f"/api/v1/registry/graduates/{graduate_id}/plan",
        headers=c,
        json={"employment_status": "已签约", "intentions": ["job", "entrepreneurship"], "expected_pay_min": "3500"},
    )
    assert plan.status_code == 200, plan.text
    assert plan.json()["employment_status"] == "signed"
    assert (
        client.patch(f"/api/v1/registry/graduates/{graduate_id}", headers=c, json={"name": "改名"}).status_code == 403
    )
    extra = client.patch(f"/api/v1/registry/graduates/{graduate_id}/plan", headers=c, json={"name": "改名"})
    assert extra.status_code == 422
    history = client.get(f"/api/v1/registry/graduates/{graduate_id}/history", headers=c).json()
    assert history["items"][0]["changes"]["employment_status"] == ["unemployed", "signed"]
    assert history["items"][0]["actor_role"] == "counselor"
    other = create(client, world, org="BZ-GY-01")
    assert other.status_code == 404  # county A cannot register into county B
    listed = client.get("/api/v1/registry/graduates?limit=100", headers=c).json()
    assert graduate_id in {g["id"] for g in listed["items"]}
    wrong = client.patch(
        f"/api/v1/registry/graduates/{graduate_id}/plan",
        headers=c,
        json={"expected_pay_min": "5000", "expected_pay_max": "3000"},
    )
    assert wrong.status_code == 422


def test_graduate_sees_own_profile_and_masked_family(client: TestClient, db: Session, world: World) -> None:
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"], members=1)
    factories.make_graduate(db, org_unit_id=world.orgs["BZ-MC-01"], user_id=world.users["graduate_a"], family=family)
    db.commit()
    g = world.headers("graduate_a")
    me = client.get("/api/v1/registry/me", headers=g)
    assert me.status_code == 200 and me.json()["enterprise_visible"] is False
    updated = client.patch(
        "/api/v1/registry/me",
        headers=g,
        json={"enterprise_visible": True, "skills": ["Python"], "preferred_places": ["341622"]},
    )
    assert updated.status_code == 200 and updated.json()["enterprise_visible"] is True
    assert client.patch("/api/v1/registry/me", headers=g, json={"employment_status": "employed"}).status_code == 422
    own_family = client.get("/api/v1/registry/me/family", headers=g).json()
    head = lookups.family_head_id(family)
    assert own_family["head_id_number_masked"].startswith(head[:3]) and head not in str(own_family)
    assert "income" not in str(own_family) and own_family["family_size"] == 2
    assert client.get("/api/v1/registry/me", headers=world.headers("graduate_b")).status_code == 404


def test_records_for_matching_leave_out_protected_attributes(db: Session, world: World) -> None:
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"])
    graduate = factories.make_graduate(db, org_unit_id=world.orgs["BZ-MC-01"], family=family, ethnicity="回族")
    profiles = lookups.graduate_profiles(db, scope=factories.scope_of(db, world.orgs["BZ-MC"]))
    profile = next(p for p in profiles if p.id == graduate.id)
    names = {f.name for f in dataclasses.fields(profile)}
    assert not names & {
        "ethnicity",
        "sex",
        "political_status",
        "health_status",
        "disability",
        "marital_status",
        "household_type",
        "id_number",
        "phone",
        "family_id",
    }
    assert profile.hardship_family is True and profile.major_code == "080902"
    assert graduate.id not in {
        p.id for p in lookups.graduate_profiles(db, scope=factories.scope_of(db, world.orgs["BZ-GY"]))
    }
    place = lookups.graduate_place(db, graduate_id=graduate.id)
    assert place.county_org_unit_id == world.orgs["BZ-MC"] and place.division_code == "341622"
    ref = lookup.find_person(db, id_number=pii.decrypt(graduate.id_number_enc))
    assert ref is not None and ref.graduate_id == graduate.id
    lookups.set_employment_status(db, graduate_id=graduate.id, status="employed", actor=writes.Actor(None, "system"))
    assert graduate.employment_status == "employed"


def test_one_graduate_for_matching_is_read_as_the_lists_read_them(db: Session, world: World) -> None:
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"])
    graduate = factories.make_graduate(db, org_unit_id=world.orgs["BZ-MC-01"], family=family)
    add_certificate(db, graduate_id=graduate.id, kind="teacher_cert", subject="语文")
    add_certificate(db, graduate_id=graduate.id, kind="teacher_cert", subject="数学")
    add_certificate(db, graduate_id=graduate.id, kind="driver_license")
    found = lookups.matching_profile(db, graduate_id=graduate.id)
    assert found is not None
    assert found.profile == lookups.graduate_profiles(db, scope=None, ids=[graduate.id])[0]
    assert found.profile.hardship_family is True and found.user_id is None
    assert found.certificates == held_flags(db, [graduate.id])[graduate.id] == {"teacher_cert", "driver_license"}
    assert found.county_division == "341622"
    family.status = "closed"
    bare = factories.make_graduate(db, org_unit_id=world.orgs["BZ-GY"])
    db.flush()
    closed = lookups.matching_profile(db, graduate_id=graduate.id)
    assert closed is not None and closed.profile.hardship_family is False
    alone = lookups.matching_profile(db, graduate_id=bare.id)
    assert alone is not None and alone.certificates == frozenset() and alone.county_division == "341621"
    assert lookups.matching_profile(db, graduate_id=bare.id + 10_000) is None
