"""Hardship family archives through the API: derived figures, masking, history, members, closing, stale
archives, and the scope rule that a county cannot read, list, count or export another county's families."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.db import utcnow
from services.registry import lookups
from services.registry.models import Family
from services.security import audit
from tests.conftest import World
from tests.registry import factories


def create(
    client: TestClient, world: World, *, org: str = "BZ-MC-01", actor: str = "county_a", **overrides: Any
) -> Any:
    body = factories.api_body(factories.family_fields(**overrides))
    body["org_unit_id"] = world.orgs[org]
    return client.post("/api/v1/registry/families", headers=world.headers(actor), json=body)


def test_create_derives_figures_and_masks_sensitive_values(client: TestClient, db: Session, world: World) -> None:
    head = factories.family_fields(monthly_income="2000.00", other_annual_income="1200", work_status="下岗")
    child = factories.member_fields(head["id_number"], monthly_income="0", work_status="在校学生")
    spouse = factories.member_fields(head["id_number"], child=False, monthly_income="1000.50", work_status="失业")
    body = {**factories.api_body(head), "org_unit_id": world.orgs["BZ-MC-01"]}
    body["members"] = [factories.api_body(child), factories.api_body(spouse)]
    resp = client.post("/api/v1/registry/families", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 201, resp.text
    data = resp.json()
    number = head["id_number"]
    assert data["family_size"] == 3
    assert data["zero_employment"] is True  # 下岗 + student + unemployed spouse
    assert data["sex"] in {"男", "女"} and data["birth_date"] == f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    assert data["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert data["monthly_income_masked"] == "****" and data["annual_income_masked"] == "****"
    assert number not in resp.text and head["bank_card"] not in resp.text and "2000.00" not in resp.text
    income = lookups.family_income(db, family_id=data["id"])
    assert str(income.annual_total) == "37206.00"  # (2000 + 0 + 1000.50) × 12 + 1200
    assert str(income.per_capita_monthly) == "1033.50"


def test_starred_fields_and_form_specific_stars_are_required(client: TestClient, world: World) -> None:
    resp = create(client, world, name="", archive_type="困难农民工", contract_term=None, employer_name=None)
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.json()["errors"]}
    assert {"name", "contract_signed_on", "contract_term", "employer_name"} <= fields
    bad = create(client, world, id_number="341622198001011230", secondary_causes="收入低、住房困难、单亲、自然灾害")
    assert bad.status_code == 422
    reasons = {e["field"]: e["reason"] for e in bad.json()["errors"]}
    assert "校验位" in reasons["id_number"] and "最多3项" in reasons["secondary_causes"]


def test_one_person_one_id(client: TestClient, world: World) -> None:
    number = factories.new_id()
    assert create(client, world, id_number=number).status_code == 201
    twice = create(client, world, id_number=number)
    assert twice.status_code == 409 and "已作为户主" in twice.json()["detail"]
    other_county = create(client, world, org="BZ-GY-01", actor="county_b", id_number=number)
    assert other_county.status_code == 409
    head = factories.new_id()
    as_member = factories.api_body(factories.family_fields(id_number=head))
    as_member["members"] = [factories.api_body(factories.member_fields(head, id_number=number))]
    refused = client.post("/api/v1/registry/families", headers=world.headers("county_a"), json=as_member)
    assert refused.status_code == 409


def test_update_keeps_history_masked_and_recomputes(client: TestClient, db: Session, world: World) -> None:
    family_id = create(client, world, phone="17000001111", housing_type="自有住房").json()["id"]
    resp = client.patch(
        f"/api/v1/registry/families/{family_id}",
        headers=world.headers("county_a"),
        json={"phone": "17000002222", "housing_type": "租赁私房", "monthly_income": "3000"},
    )
    assert resp.status_code == 200, resp.text
    history = client.get(f"/api/v1/registry/families/{family_id}/history", headers=world.headers("county_a")).json()
    latest = history["items"][0]
    assert latest["action"] == "update" and latest["actor_id"] == world.users["county_a"]
    assert latest["changes"]["phone"] == ["170****1111", "170****2222"]
    assert latest["changes"]["housing_type"] == ["1", "2"]
    assert latest["changes"]["monthly_income"] == ["****", "****"]
    assert "17000002222" not in str(history)
    assert history["items"][-1]["action"] == "create"
    member = client.post(
        f"/api/v1/registry/families/{family_id}/members",
        headers=world.headers("county_a"),
        json=factories.api_body(factories.member_fields(lookups.family_head_id(db.get(Family, family_id)))),
    )
    assert member.status_code == 201, member.text
    detail = client.get(f"/api/v1/registry/families/{family_id}", headers=world.headers("county_a")).json()
    assert detail["family_size"] == 2 and len(detail["members"]) == 1
    gone = client.delete(
        f"/api/v1/registry/families/{family_id}/members/{member.json()['id']}", headers=world.headers("county_a")
    )
    assert gone.status_code == 204
    assert (
        client.get(f"/api/v1/registry/families/{family_id}", headers=world.headers("county_a")).json()["family_size"]
        == 1
    )


def test_close_and_archived_status(client: TestClient, db: Session, world: World) -> None:
    family_id = create(client, world).json()["id"]
    assert lookups.is_archived(db, family_id=family_id)
    resp = client.post(
        f"/api/v1/registry/families/{family_id}/close",
        headers=world.headers("county_a"),
        json={"reason": "收入稳定脱困", "closed_on": "2023-12-31"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "closed"
    assert not lookups.is_archived(db, family_id=family_id)
    again = client.post(
        f"/api/v1/registry/families/{family_id}/close",
        headers=world.headers("county_a"),
        json={"reason": "重复", "closed_on": "2023-12-31"},
    )
    assert again.status_code == 409


def test_stale_archives_are_listed(client: TestClient, db: Session, world: World) -> None:
    old_id = create(client, world).json()["id"]
    fresh_id = create(client, world).json()["id"]
    db.execute(update(Family).where(Family.id == old_id).values(updated_at=utcnow() - timedelta(days=400)))
    db.commit()
    stale = client.get("/api/v1/registry/families/stale", headers=world.headers("county_a")).json()
    ids = {f["id"] for f in stale["items"]}
    assert old_id in ids and fresh_id not in ids


def test_a_county_cannot_read_list_count_or_export_another_countys_families(
    client: TestClient, db: Session, world: World
) -> None:
    mine = create(client, world, org="BZ-MC-01", actor="county_a").json()["id"]
    theirs = create(client, world, org="BZ-GY-01", actor="county_b").json()["id"]
    a = world.headers("county_a")
    assert client.get(f"/api/v1/registry/families/{theirs}", headers=a).status_code == 404
    listed = {f["id"] for f in client.get("/api/v1/registry/families?limit=100", headers=a).json()["items"]}
    assert mine in listed and theirs not in listed
    counted = client.get("/api/v1/registry/families/count", headers=a).json()
    assert str(world.orgs["BZ-GY-01"]) not in counted["by_org_unit"]
    assert (
        client.get(f"/api/v1/registry/families/count?org_unit_id={world.orgs['BZ-GY']}", headers=a).status_code == 404
    )
    exported = client.get("/api/v1/registry/export/families.xlsx", headers=a)
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content), read_only=True)["档案"]
    names = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    theirs_name = db.get(Family, theirs).name
    mine_name = db.get(Family, mine).name
    assert mine_name in names and (theirs_name not in names or theirs_name == mine_name)
    assert len(names) == len(listed)
    city = client.get("/api/v1/registry/families/count", headers=world.headers("city")).json()
    assert city["total"] >= counted["total"] + 1


def test_export_is_masked_unless_revealed_with_a_purpose(client: TestClient, db: Session, world: World) -> None:
    family_id = create(client, world).json()["id"]
    number = lookups.family_head_id(db.get(Family, family_id))
    masked = client.get("/api/v1/registry/export/families.xlsx", headers=world.headers("county_a"))
    assert number.encode() not in masked.content
    no_purpose = client.get("/api/v1/registry/export/families.xlsx?unmasked=true", headers=world.headers("county_a"))
    assert no_purpose.status_code == 422
    plain = client.get(
        "/api/v1/registry/export/families.xlsx?unmasked=true&purpose=报送省总工会",
        headers=world.headers("county_a"),
    )
    assert plain.status_code == 200
    rows = list(load_workbook(io.BytesIO(plain.content), read_only=True)["档案"].iter_rows(values_only=True))
    assert any(number in row for row in rows)
    counselor = client.get(
        "/api/v1/registry/export/graduates.xlsx?unmasked=true&purpose=联系", headers=world.headers("counselor_a")
    )
    assert counselor.status_code == 403
    assert audit is not None


def test_reveal_goes_through_the_audited_endpoint(client: TestClient, db: Session, world: World) -> None:
    family_id = create(client, world, phone="17000003333").json()["id"]
    body = {"target_type": "registry_family", "target_id": str(family_id), "field": "phone", "purpose": "电话回访"}
    resp = client.post("/api/v1/reveal", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 200 and "17000003333" in resp.text
    assert client.post("/api/v1/reveal", headers=world.headers("county_b"), json=body).status_code == 404
