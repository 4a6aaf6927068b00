"""Employers: credit-code validation, self-registration, near-duplicate names, verification, protected phone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from services.catalog import service
from services.catalog.models import Employer, EmployerAccount
from services.identifiers import InvalidIdentifier, normalize_credit_code
from services.security.models import AuditEvent
from tests.catalog import factories as f
from tests.conftest import World

REGISTER = "/api/v1/employers/register"
body_chars = st.text(alphabet=f.ALPHABET, min_size=9, max_size=9)


@given(body=body_chars)
def test_any_code_with_its_check_character_is_accepted(body: str) -> None:
    code = "91341600" + body
    code += uscc.calc_check_digit(code)
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(" " + code.lower().replace("9", "９", 1) + " ") == code  # careless typing


@given(body=body_chars, wrong=st.sampled_from(f.ALPHABET))
def test_a_wrong_check_character_is_refused(body: str, wrong: str) -> None:
    code = "91341600" + body
    right = uscc.calc_check_digit(code)
    if wrong == right:
        return
    with pytest.raises(InvalidIdentifier) as err:
        normalize_credit_code(code + wrong)
    assert err.value.code == "checksum"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91341600MA2N4L0Q2", "统一社会信用代码应为18位，实际为17位"),
        ("91341600MA2N4L0Q2AB", "统一社会信用代码应为18位，实际为19位"),
        ("91341600MA2N4L0Q2B", "统一社会信用代码校验位错误"),
    ],
)
def test_registration_explains_a_bad_credit_code(
    client: TestClient, db: Session, world: World, code: str, reason: str
) -> None:
    f.ensure_reference(db)
    db.commit()
    resp = client.post(REGISTER, json=f.employer_payload(credit_code=code), headers=world.headers("enterprise_a"))
    assert resp.status_code == 422
    problem = resp.json()
    assert problem["errors"][0]["field"] == "credit_code"
    assert problem["errors"][0]["reason"] == reason


def test_self_registration_creates_an_unverified_employer_linked_to_the_account(
    client: TestClient, db: Session, world: World
) -> None:
    f.ensure_reference(db)
    db.commit()
    resp = client.post(REGISTER, json=f.employer_payload(), headers=world.headers("enterprise_a"))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["status"] == "pending"
    assert out["contact_phone_masked"] == "139****1234"
    assert out["industry_name"] == "化学药品制剂制造"
    assert out["division_name"] == "安徽省亳州市蒙城县"
    assert out["org_unit_id"] == world.orgs["BZ-MC"]
    link = db.scalar(select(EmployerAccount).where(EmployerAccount.user_id == world.users["enterprise_a"]))
    assert link is not None and link.employer_id == out["id"]
    again = client.post(REGISTER, json=f.employer_payload(), headers=world.headers("enterprise_a"))
    assert again.status_code == 409


def test_phone_is_stored_sealed_and_revealed_only_with_a_purpose(client: TestClient, db: Session, world: World) -> None:
    f.ensure_reference(db)
    db.commit()
    emp_id = client.post(REGISTER, json=f.employer_payload(), headers=world.headers("enterprise_a")).json()["id"]
    stored = db.get(Employer, emp_id)
    assert stored is not None and stored.contact_phone_enc and "13905671234" not in stored.contact_phone_enc
    body = {"target_type": "employer", "target_id": str(emp_id), "field": "contact_phone", "purpose": "联系招聘事宜"}
    resp = client.post("/api/v1/reveal", json=body, headers=world.headers("county_a"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["value"] == "13905671234"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "reveal", AuditEvent.target_id == str(emp_id)))
    assert client.post("/api/v1/reveal", json=body, headers=world.headers("county_b")).status_code == 404


def test_a_near_duplicate_name_is_flagged(client: TestClient, db: Session, world: World) -> None:
    f.make_employer(db, world, name="亳州市华佗中药饮片有限公司")
    db.commit()
    resp = client.post(
        REGISTER, json=f.employer_payload(name="亳州华佗中药饮片公司"), headers=world.headers("enterprise_a")
    )
    assert resp.status_code == 201
    flagged = resp.json()["possible_duplicates"]
    assert [d["name"] for d in flagged] == ["亳州市华佗中药饮片有限公司"]
    assert flagged[0]["score"] >= 90
    distinct = service.find_similar_employers(db, name="蒙城县阳光物流有限公司")
    assert distinct == []


def test_the_same_credit_code_cannot_be_registered_twice(client: TestClient, db: Session, world: World) -> None:
    existing = f.make_employer(db, world, side="b")
    db.commit()
    resp = client.post(
        REGISTER, json=f.employer_payload(credit_code=existing.credit_code), headers=world.headers("enterprise_a")
    )
    assert resp.status_code == 409
    assert resp.json()["errors"][0]["field"] == "credit_code"


def test_staff_verify_and_an_identity_change_needs_verifying_again(
    client: TestClient, db: Session, world: World
) -> None:
    f.ensure_reference(db)
    db.commit()
    emp_id = client.post(REGISTER, json=f.employer_payload(), headers=world.headers("enterprise_a")).json()["id"]
    refused = client.post(
        f"/api/v1/employers/{emp_id}/review", json={"approve": False}, headers=world.headers("county_a")
    )
    assert refused.status_code == 422  # a refusal needs a reason
    ok = client.post(
        f"/api/v1/employers/{emp_id}/review",
        json={"approve": True, "note": "营业执照已核对"},
        headers=world.headers("county_a"),
    )
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    # a contact change keeps the verification, a new name does not
    same = client.patch(
        f"/api/v1/employers/{emp_id}", json={"contact_name": "王主管"}, headers=world.headers("enterprise_a")
    )
    assert same.json()["status"] == "verified"
    renamed = client.patch(
        f"/api/v1/employers/{emp_id}", json={"name": "安徽亳药新名称有限公司"}, headers=world.headers("enterprise_a")
    )
    assert renamed.status_code == 200
    assert renamed.json()["status"] == "pending"
    pending = client.get("/api/v1/employers", params={"status": "pending"}, headers=world.headers("county_a"))
    assert emp_id in [e["id"] for e in pending.json()["items"]]
    other_county = client.get("/api/v1/employers", params={"status": "pending"}, headers=world.headers("county_b"))
    assert emp_id not in [e["id"] for e in other_county.json()["items"]]


def test_staff_registered_employers_are_verified_in_their_scope(client: TestClient, db: Session, world: World) -> None:
    f.ensure_reference(db)
    db.commit()
    resp = client.post("/api/v1/employers", json=f.employer_payload(), headers=world.headers("county_a"))
    assert resp.status_code == 201
    assert resp.json()["status"] == "verified"
    outside = client.post(
        "/api/v1/employers",
        json={**f.employer_payload(), "org_unit_id": world.orgs["BZ-GY"]},
        headers=world.headers("county_a"),
    )
    assert outside.status_code == 403


def test_unknown_industry_and_division_are_refused(client: TestClient, db: Session, world: World) -> None:
    f.ensure_reference(db)
    db.commit()
    bad_industry = client.post(
        REGISTER, json=f.employer_payload(industry_code="9999"), headers=world.headers("enterprise_a")
    )
    assert bad_industry.status_code == 422
    assert bad_industry.json()["errors"][0]["field"] == "industry_code"
    bad_place = client.post(
        REGISTER, json=f.employer_payload(division_code="349999"), headers=world.headers("enterprise_a")
    )
    assert bad_place.status_code == 422
    assert bad_place.json()["errors"][0]["reason"] == "行政区划代码“349999”不存在"
