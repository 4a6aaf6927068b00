"""Donation funds: the donor's conditions as data, allocations checked by one rule on every path (API, import),
a breach refused with the condition named and nothing changed, the balance never below zero, the link to the award
that pays, and the donor's report (masked) as JSON and xlsx."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid import donation_reports, donations, service
from services.aid.campaigns import StandardSpec
from services.errors import ValidationFailed
from services.registry.models import Graduate
from services.security.models import AuditEvent
from tests.aid import factories as f
from tests.conftest import World

BASE = "/api/v1/aid/donations"


def _fund_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2023,
        "name": "华佗药业爱心助学金",
        "donor_name": "亳州华佗药业有限公司",
        "donor_kind": "enterprise",
        "pledged": "10000.00",
        "received": "6000.00",
        "standard_amount": "2000.00",
        "conditions": {"stages": ["student"], "educations": ["21"]},
    }
    body.update(over)
    return body


def _student(db: Session, world: World, *, side: str = "a", **fields: Any) -> tuple[Graduate, f.Seeded]:
    grad, seeded = f.seeded_student(db, world, side=side)
    for key, value in fields.items():
        setattr(grad, key, value)
    db.flush()
    return grad, seeded


def _fund(client: TestClient, world: World, **over: Any) -> dict[str, Any]:
    res = client.post(BASE, json=_fund_body(**over), headers=world.headers("county_a"))
    assert res.status_code == 201, res.text
    body: dict[str, Any] = res.json()
    return body


def test_fund_keeps_the_donors_conditions_and_allocates_within_them(
    client: TestClient, db: Session, world: World
) -> None:
    fund = _fund(client, world)
    assert fund["conditions_text"][:2] == ["仅资助在读学生", "学历：大学本科"]
    assert "资助标准：每人 2000.00 元" in fund["conditions_text"]
    assert Decimal(fund["balance"]) == Decimal("6000.00")
    grad, _ = _student(db, world)
    res = client.post(
        f"{BASE}/{fund['id']}/allocations",
        json={"student_id": grad.id, "amount": "2000.00"},
        headers=world.headers("county_a"),
    )
    assert res.status_code == 201, res.text
    assert res.json()["county_org_id"] == world.orgs["BZ-MC"]
    after = client.get(f"{BASE}/{fund['id']}", headers=world.headers("county_a")).json()
    assert Decimal(after["allocated"]) == Decimal("2000.00")
    assert Decimal(after["balance"]) == Decimal("4000.00")


def test_a_breach_is_refused_naming_the_condition_and_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    fund = _fund(client, world)
    graduate, _ = _student(db, world, stage="graduate", cohort=2023)
    college, _ = _student(db, world, education="31", school_kind="06")
    for student in (graduate, college):
        res = client.post(
            f"{BASE}/{fund['id']}/allocations",
            json={"student_id": student.id, "amount": "2000.00"},
            headers=world.headers("county_a"),
        )
        assert res.status_code == 422
        assert res.headers["content-type"].startswith("application/problem+json")
        assert res.json()["detail"] == "捐赠方限定：仅资助大学本科在读学生"
        assert res.json()["errors"][0]["field"] == "student_id"
    after = client.get(f"{BASE}/{fund['id']}", headers=world.headers("county_a")).json()
    assert Decimal(after["allocated"]) == 0
    assert client.get(f"{BASE}/{fund['id']}/allocations", headers=world.headers("county_a")).json() == []
    denied = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "aid.donation.allocate", AuditEvent.outcome == "denied")
    )
    assert denied and denied >= 2


def test_standard_per_person_named_recipients_county_and_balance(client: TestClient, db: Session, world: World) -> None:
    named, _ = _student(db, world)
    other, _ = _student(db, world)
    fund = _fund(client, world, recipient_ids=[named.id], received="2000.00")
    url = f"{BASE}/{fund['id']}/allocations"
    headers = world.headers("county_a")
    wrong = client.post(url, json={"student_id": named.id, "amount": "1500.00"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["detail"] == "捐赠方限定：资助标准为每人 2000.00 元"
    stranger = client.post(url, json={"student_id": other.id, "amount": "2000.00"}, headers=headers)
    assert stranger.status_code == 422
    assert stranger.json()["detail"] == "捐赠方限定：仅资助捐赠方指定的学生，该学生不在指定名单内"
    assert client.post(url, json={"student_id": named.id, "amount": "2000.00"}, headers=headers).status_code == 201
    again = client.post(url, json={"student_id": named.id, "amount": "2000.00"}, headers=headers)
    assert again.status_code == 422
    reasons = [e["reason"] for e in again.json()["errors"]]
    assert any("每人按标准资助一次" in r for r in reasons)
    assert any(r.startswith("捐款余额不足：余额 0.00 元") for r in reasons)

    by_county = _fund(
        client, world, standard_amount=None, conditions={"county_org_ids": [world.orgs["BZ-GY"]]}, name="涡阳专项"
    )
    res = client.post(
        f"{BASE}/{by_county['id']}/allocations", json={"student_id": other.id, "amount": "500.00"}, headers=headers
    )
    assert res.status_code == 422 and res.json()["detail"] == "捐赠方限定：仅资助涡阳县的学生"


def test_other_counties_do_not_see_the_fund_and_input_is_checked(client: TestClient, world: World) -> None:
    fund = _fund(client, world)
    assert client.get(f"{BASE}/{fund['id']}", headers=world.headers("county_b")).status_code == 404
    assert client.get(f"{BASE}/{fund['id']}", headers=world.headers("graduate_a")).status_code == 403
    assert client.get(f"{BASE}/{fund['id']}", headers=world.headers("city")).status_code == 200
    bad = client.post(BASE, json=_fund_body(conditions={"educations": ["99"]}), headers=world.headers("county_a"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "conditions.educations"
    extra = client.post(BASE, json=_fund_body(allocated="0"), headers=world.headers("county_a"))
    assert extra.status_code == 422
    low = client.patch(f"{BASE}/{fund['id']}", json={"received": "-1"}, headers=world.headers("county_a"))
    assert low.status_code == 422


def test_import_is_all_or_nothing_through_the_same_rule(client: TestClient, db: Session, world: World) -> None:
    fund = _fund(client, world)
    ok, ok_seed = _student(db, world)
    grad, grad_seed = _student(db, world, stage="graduate")
    sheet = f"身份证号,金额,备注\n{ok_seed.student_no},2000,首批\n{grad_seed.student_no},2000,\n".encode()
    url = f"{BASE}/{fund['id']}/allocations/import"
    res = client.post(url, files={"file": ("名单.csv", sheet, "text/csv")}, headers=world.headers("county_a"))
    assert res.status_code == 422
    assert res.json()["errors"][0]["reason"] == "第3行：捐赠方限定：仅资助大学本科在读学生"
    assert client.get(f"{BASE}/{fund['id']}/allocations", headers=world.headers("county_a")).json() == []
    good = f"身份证号,金额\n{ok_seed.student_no},2000\n".encode()
    res = client.post(url, files={"file": ("名单.csv", good, "text/csv")}, headers=world.headers("county_a"))
    assert res.status_code == 201, res.text
    rows = client.get(f"{BASE}/{fund['id']}/allocations", headers=world.headers("county_a")).json()
    assert [(r["student_id"], r["source"]) for r in rows] == [(ok.id, "import")]
    assert grad.id not in {r["student_id"] for r in rows}


def test_donor_report_masks_the_students_and_totals_the_money(client: TestClient, db: Session, world: World) -> None:
    fund = _fund(client, world)
    grad, seeded = _student(db, world, name="欧阳小明")
    client.post(
        f"{BASE}/{fund['id']}/allocations",
        json={"student_id": grad.id, "amount": "2000.00"},
        headers=world.headers("county_a"),
    )
    report = client.get(f"{BASE}/{fund['id']}/report", headers=world.headers("county_a")).json()
    assert report["recipients"] == 1 and Decimal(report["allocated"]) == Decimal("2000.00")
    assert Decimal(report["balance"]) == Decimal("4000.00")
    line = report["lines"][0]
    assert line["name_masked"] == "欧**明" and line["county"] == "蒙城县" and line["state"] == "已安排"
    assert seeded.student_no not in str(report)
    xlsx = client.get(f"{BASE}/{fund['id']}/report.xlsx", headers=world.headers("county_a"))
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "欧**明" in cells and "欧阳小明" not in cells and seeded.student_no not in cells
    assert "华佗药业爱心助学金" in cells[0]


def _donation_award(db: Session, world: World, seeded: f.Seeded) -> Any:
    service.upsert_standard(
        db,
        year=2023,
        spec=StandardSpec(
            code="huatuo_donation",
            name="华佗药业爱心助学金",
            fund_source="donation",
            archived_family=True,
            stages=["college"],
            kinds=["new_enrolment", "in_school"],
            basis="designated",
            cap=Decimal("2000.00"),
            donor="亳州华佗药业有限公司",
        ),
    )
    county = f.principal(db, world, "county_a")
    city = f.principal(db, world, "city")
    app = service.submit_application(
        db, principal=county, data=f.application_input(seeded, standard_code="huatuo_donation")
    )
    f.attach_all(db, county, app)
    service.review(
        db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="情况属实"
    )
    service.review(db, principal=city, application_id=app.id, stage="centre", decision="approve", opinion="同意")
    return service.award_of(db, application=app)


def test_allocation_linked_to_the_award_that_is_paid_once(client: TestClient, db: Session, world: World) -> None:
    f.setup_year(db, world)
    grad, seeded = _student(db, world)
    award = _donation_award(db, world, seeded)
    assert award is not None and award.fund_source == "donation"
    fund = _fund(client, world)
    url = f"{BASE}/{fund['id']}/allocations"
    headers = world.headers("county_a")
    mismatch = client.post(url, json={"student_id": grad.id, "amount": "2000.00", "award_id": 999999}, headers=headers)
    assert mismatch.status_code == 404
    res = client.post(url, json={"student_id": grad.id, "amount": "2000.00", "award_id": award.id}, headers=headers)
    assert res.status_code == 201, res.text
    f.noticed(db, world, [award])
    clerk = f.principal(db, world, "county_a")
    answer = service.request_payment(
        db, principal=clerk, award_id=award.id, idempotency_key="donation-pay-1", today=date(2023, 10, 16)
    )
    assert answer.status_code == 201
    again = service.request_payment(
        db, principal=clerk, award_id=award.id, idempotency_key="donation-pay-2", today=date(2023, 10, 16)
    )
    assert again.status_code == 409
    report = client.get(f"{BASE}/{fund['id']}/report", headers=headers).json()
    assert report["lines"][0]["state"] == "付款中"
    withdraw = client.post(
        f"{BASE}/allocations/{res.json()['id']}/withdraw", json={"reason": "捐赠方要求撤回"}, headers=headers
    )
    assert withdraw.status_code == 409


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=1, max_value=900_00), min_size=1, max_size=8))
def test_the_balance_never_goes_below_zero(db: Session, world: World, amounts: list[int]) -> None:
    nested = db.begin_nested()
    try:
        county = f.principal(db, world, "county_a")
        fund = donations.create_fund(
            db,
            principal=county,
            data=donations.FundInput(
                year=2023,
                name="爱心人士捐款",
                donor_name="李先生",
                donor_kind="individual",
                pledged=Decimal("2000.00"),
                received=Decimal("2000.00"),
            ),
        )
        grad, _ = _student(db, world)
        kept = Decimal("0.00")
        for cents in amounts:
            amount = Decimal(cents) / 100
            refused = kept + amount > Decimal("2000.00")
            try:
                with db.begin_nested():
                    donations.allocate(db, principal=county, fund_id=fund.id, student_id=grad.id, amount=amount)
                kept += amount
                outcome = "kept"
            except ValidationFailed as exc:
                outcome = exc.detail
            assert outcome.startswith("捐款余额不足") if refused else outcome == "kept"
            db.refresh(fund)
            assert fund.allocated == kept <= fund.received
            assert donation_reports.allocations_total(db, fund=fund) == kept
    finally:
        nested.rollback()


def test_mask_name() -> None:
    assert donation_reports.mask_name("张三") == "张*"
    assert donation_reports.mask_name("王小明") == "王*明"
    assert donation_reports.mask_name("李") == "李"


def test_withdrawing_returns_the_money_to_the_balance(client: TestClient, db: Session, world: World) -> None:
    fund = _fund(client, world)
    grad, _ = _student(db, world)
    headers = world.headers("county_a")
    made = client.post(
        f"{BASE}/{fund['id']}/allocations", json={"student_id": grad.id, "amount": "2000.00"}, headers=headers
    ).json()
    short = client.post(f"{BASE}/allocations/{made['id']}/withdraw", json={"reason": "x"}, headers=headers)
    assert short.status_code == 422
    done = client.post(
        f"{BASE}/allocations/{made['id']}/withdraw", json={"reason": "学生已获其他资助"}, headers=headers
    )
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    after = client.get(f"{BASE}/{fund['id']}", headers=headers).json()
    assert Decimal(after["balance"]) == Decimal("6000.00")
    again = client.post(
        f"{BASE}/{fund['id']}/allocations", json={"student_id": grad.id, "amount": "2000.00"}, headers=headers
    )
    assert again.status_code == 201, "a withdrawn allocation does not count against the standard per person"
    closed = client.patch(f"{BASE}/{fund['id']}", json={"status": "closed"}, headers=headers)
    assert closed.status_code == 200
    other, _ = _student(db, world)
    late = client.post(
        f"{BASE}/{fund['id']}/allocations", json={"student_id": other.id, "amount": "2000.00"}, headers=headers
    )
    assert late.status_code == 422 and late.json()["detail"] == "该笔捐款已结项，不能再安排资助"
