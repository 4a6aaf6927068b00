"""附件5 consent: recorded with the members it covers; economic checks refused without it; revocation."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.registry import access, lookups
from services.security import pii
from tests.conftest import World
from tests.registry import factories


def test_checks_need_a_consent_in_force(client: TestClient, db: Session, world: World) -> None:
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"], members=1)
    db.commit()
    h = world.headers("county_a")
    check = {
        "checked_on": "2023-07-20",
        "agency": "蒙城县民政局核对中心",
        "items": ["房屋", "存款"],
        "result": "无房产",
    }
    refused = client.post(f"/api/v1/registry/families/{family.id}/checks", headers=h, json=check)
    assert refused.status_code == 409 and "授权书" in refused.json()["detail"]

    head = lookups.family_head_id(family)
    member = access.members_of(db, family_id=family.id)[0]
    consent = client.post(
        f"/api/v1/registry/families/{family.id}/consents",
        headers=h,
        json={
            "purpose": "金秋助学",
            "signed_on": "2023-07-10",
            "handler_name": "王芳",
            "phone": "17000001234",
            "members": [
                {"name": family.name, "relation": "本人", "id_number": head},
                {"name": member.name, "relation": "子", "id_number": pii.decrypt(member.id_number_enc)},
            ],
        },
    )
    assert consent.status_code == 201, consent.text
    data = consent.json()
    assert data["in_force"] and len(data["members"]) == 2 and head not in consent.text
    assert data["phone_masked"] == "170****1234"

    before = client.post(
        f"/api/v1/registry/families/{family.id}/checks", headers=h, json={**check, "checked_on": "2023-07-01"}
    )
    assert before.status_code == 409  # a check dated before the signature is not covered
    logged = client.post(f"/api/v1/registry/families/{family.id}/checks", headers=h, json=check)
    assert logged.status_code == 201 and logged.json()["result_masked"] == "****"

    revoked = client.post(f"/api/v1/registry/consents/{data['id']}/revoke", headers=h, json={"reason": "户主书面撤回"})
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False
    after = client.post(f"/api/v1/registry/families/{family.id}/checks", headers=h, json=check)
    assert after.status_code == 409
    assert (
        client.post(f"/api/v1/registry/consents/{data['id']}/revoke", headers=h, json={"reason": "再次"}).status_code
        == 409
    )
    history = client.get(f"/api/v1/registry/families/{family.id}/history", headers=h).json()
    assert {"revoke", "create"} <= {c["action"] for c in history["items"] if c["entity_type"] == "consent"}


def test_consent_refuses_a_bad_id(client: TestClient, db: Session, world: World) -> None:
    family = factories.make_family(db, org_unit_id=world.orgs["BZ-MC-01"])
    db.commit()
    resp = client.post(
        f"/api/v1/registry/families/{family.id}/consents",
        headers=world.headers("county_a"),
        json={
            "purpose": "金秋助学",
            "signed_on": "2023-07-10",
            "handler_name": "王芳",
            "members": [{"name": "甲", "relation": "本人", "id_number": "341622198001011230"}],
        },
    )
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "members.0.id_number"
