"""Employment policies as versioned data: who may claim what and why (the matcher's rule engine), claims within
the fund's budget, paid exactly once through the aid payment path, and the national aid 奖助贷勤减免 records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import national_aid, policies, policy_claims, service, workdays
from services.aid.models import AidPayment, PaymentStatus
from services.aid.policy_models import AidFundBudget, AidPolicy, ClaimStatus
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.registry.models import Graduate
from tests.aid import factories as f
from tests.conftest import World

TODAY = date(2023, 9, 1)
YEAR = 2023


@pytest.fixture
def loaded(db: Session, world: World) -> dict[str, int]:
    city = f.principal(db, world, "city")
    policies.load_bundled(db, principal=city, valid_from=date(2023, 1, 1))
    for fund in ("government_employment", "central_support", "province_employment", "city_support"):
        policies.set_fund_budget(
            db, principal=city, county_org_id=world.orgs["BZ-MC"], year=YEAR, fund=fund, amount=Decimal("10000.00")
        )
    return {p.code: p.id for p in db.scalars(select(AidPolicy))}


def graduate(db: Session, world: World, *, status: str = "grassroots", cohort: int = 2023, archived: bool = True):
    grad, seeded = f.seeded_student(db, world, archived=archived)
    grad.stage, grad.cohort, grad.employment_status = "graduate", cohort, status
    db.flush()
    return grad, seeded


def claim_input(grad: Graduate, policy_id: int, **kw: object) -> policy_claims.ClaimInput:
    base: dict[str, object] = {
        "student_id": grad.id,
        "policy_id": policy_id,
        "year": YEAR,
        "requested_amount": Decimal("5000.00"),
        "employer_name": "蒙城县篆刻镇人民政府",
        "employer_kind": "grassroots_unit",
        "employer_place": "341622",
        "proofs": ("就业协议或劳动合同", "学费缴费凭证", "基层服务满3年证明"),
    }
    base.update(kw)
    return policy_claims.ClaimInput(**base)  # type: ignore[arg-type]


def test_entitlements_list_reasons_from_the_rule_engine(db: Session, world: World, loaded: dict[str, int]) -> None:
    grad, _ = graduate(db, world, status="grassroots", cohort=2022)
    counselor = f.principal(db, world, "counselor_a")
    listed = {e.policy.code: e for e in policies.entitlements(db, principal=counselor, student_id=grad.id, today=TODAY)}
    tuition = listed["grassroots_tuition"]
    assert tuition.eligible
    assert "毕业年份符合：限2021–2023届" in [c.text for c in tuition.checks]
    assert "就业单位符合：基层服务项目" in [c.text for c in tuition.checks]
    training = listed["skills_training"]
    assert not training.eligible
    assert any(c.text.startswith("就业状态不符") and "参加基层服务项目" in c.text for c in training.checks)
    seeking = listed["job_seeking"]
    assert "对象不符：限在校生" in [c.text for c in seeking.checks]
    # eligible policies come first
    order = [e.eligible for e in policies.entitlements(db, principal=counselor, student_id=grad.id, today=TODAY)]
    assert order == sorted(order, reverse=True)


def test_cohort_outside_the_window_is_named(db: Session, world: World, loaded: dict[str, int]) -> None:
    grad, _ = graduate(db, world, status="grassroots", cohort=2019)
    county = f.principal(db, world, "county_a")
    with pytest.raises(Conflict, match="毕业年份不符：限2021–2023届"):
        policy_claims.apply_claim(
            db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
        )


def test_tuition_compensation_wants_a_grassroots_employer_in_the_province(
    db: Session, world: World, loaded: dict[str, int]
) -> None:
    grad, _ = graduate(db, world, status="employed")
    county = f.principal(db, world, "county_a")
    with pytest.raises(Conflict, match="就业单位不符：限基层服务项目、县以下基层单位，为企业"):
        policy_claims.apply_claim(
            db,
            principal=county,
            data=claim_input(grad, loaded["grassroots_tuition"], employer_kind="enterprise"),
            today=TODAY,
        )
    with pytest.raises(Conflict, match="就业地点不符"):
        policy_claims.apply_claim(
            db,
            principal=county,
            data=claim_input(grad, loaded["grassroots_tuition"], employer_place="320102"),
            today=TODAY,
        )
    with pytest.raises(ValidationFailed, match="缺少证明材料：基层服务满3年证明"):
        policy_claims.apply_claim(
            db,
            principal=county,
            data=claim_input(grad, loaded["grassroots_tuition"], proofs=("就业协议或劳动合同", "学费缴费凭证")),
            today=TODAY,
        )
    with pytest.raises(ValidationFailed, match=r"最高限额 8000\.00"):
        policy_claims.apply_claim(
            db,
            principal=county,
            data=claim_input(grad, loaded["grassroots_tuition"], requested_amount=Decimal("9000.00")),
            today=TODAY,
        )


def test_claim_granted_and_paid_exactly_once_through_the_bank_file(
    db: Session, world: World, loaded: dict[str, int], tmp_path: Path
) -> None:
    grad, seeded = graduate(db, world)
    county = f.principal(db, world, "county_a")
    claim = policy_claims.apply_claim(
        db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    assert claim.status == ClaimStatus.APPLIED and claim.payee_card_masked.endswith(seeded.card[-4:])
    assert seeded.card not in claim.payee_card_masked
    not_yet = policy_claims.pay_claim(
        db, principal=county, claim_id=claim.id, idempotency_key="claim-key-0001", today=TODAY
    )
    assert not_yet.status_code == 409 and "尚未核准" in not_yet.body["detail"]
    policy_claims.grant_claim(db, principal=county, claim_id=claim.id)
    budget = db.get(AidFundBudget, claim.budget_id)
    assert budget is not None and budget.committed == Decimal("5000.00")
    first = policy_claims.pay_claim(
        db, principal=county, claim_id=claim.id, idempotency_key="claim-key-0002", today=TODAY
    )
    again = policy_claims.pay_claim(
        db, principal=county, claim_id=claim.id, idempotency_key="claim-key-0002", today=TODAY
    )
    other = policy_claims.pay_claim(
        db, principal=county, claim_id=claim.id, idempotency_key="claim-key-0003", today=TODAY
    )
    assert first.status_code == 201 and first.body["claim_id"] == claim.id and first.body["award_id"] is None
    assert again.replayed and again.body == first.body
    assert other.status_code == 409 and other.body["payment_id"] == first.body["payment_id"]
    assert len(db.scalars(select(AidPayment).where(AidPayment.claim_id == claim.id)).all()) == 1
    # the same batch, export and result import as 助学金
    batch = service.create_batch(db, principal=county, county_org_id=world.orgs["BZ-MC"], year=YEAR)
    gateway = bankmod.FileBankGateway(tmp_path)
    text = service.export_batch(db, principal=county, batch_id=batch.id, gateway=gateway).content.decode("utf-8-sig")
    assert "2023年基层就业学费补偿" in text and seeded.card in text
    payment = db.scalar(select(AidPayment).where(AidPayment.claim_id == claim.id))
    assert payment is not None
    result = bankmod.render_results(
        [bankmod.BankResult(payment.reference, payment.amount, bankmod.BankOutcome.SUCCEEDED, "")]
    )
    service.import_results(db, principal=county, batch_id=batch.id, content=result, gateway=gateway)
    service.import_results(db, principal=county, batch_id=batch.id, content=result, gateway=gateway)
    assert payment.status == PaymentStatus.SUCCEEDED and claim.status == ClaimStatus.PAID
    assert budget.paid == Decimal("5000.00")
    with pytest.raises(Conflict, match="已到账"):
        policy_claims.withdraw_claim(db, principal=county, claim_id=claim.id)


def test_budget_refuses_with_the_fund_named(db: Session, world: World, loaded: dict[str, int]) -> None:
    county = f.principal(db, world, "county_a")
    city = f.principal(db, world, "city")
    policies.set_fund_budget(
        db,
        principal=city,
        county_org_id=world.orgs["BZ-MC"],
        year=YEAR,
        fund="government_employment",
        amount=Decimal("6000.00"),
    )
    one, _ = graduate(db, world)
    two, _ = graduate(db, world)
    a = policy_claims.apply_claim(
        db, principal=county, data=claim_input(one, loaded["grassroots_tuition"]), today=TODAY
    )
    b = policy_claims.apply_claim(
        db, principal=county, data=claim_input(two, loaded["grassroots_tuition"]), today=TODAY
    )
    policy_claims.grant_claim(db, principal=county, claim_id=a.id)
    with pytest.raises(Conflict, match=r"“政府就业补助资金”预算不足：剩余 1000\.00 元"):
        policy_claims.grant_claim(db, principal=county, claim_id=b.id)
    assert b.status == ClaimStatus.APPLIED
    policy_claims.withdraw_claim(db, principal=county, claim_id=a.id)
    assert policy_claims.grant_claim(db, principal=county, claim_id=b.id).status == ClaimStatus.GRANTED


def test_new_version_supersedes_and_old_claims_keep_theirs(db: Session, world: World, loaded: dict[str, int]) -> None:
    county = f.principal(db, world, "county_a")
    city = f.principal(db, world, "city")
    grad, _ = graduate(db, world)
    old = policy_claims.apply_claim(
        db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    spec = next(s for s in policies.bundled_specs(date(2024, 1, 1)) if s.code == "grassroots_tuition")
    new_rules = {**spec.rules, "graduation_max": 2024}
    new = policies.publish_version(
        db,
        principal=city,
        spec=policies.VersionSpec(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            valid_from=date(2024, 1, 1),
            fund=spec.fund,
            basis=spec.basis,
            amount=Decimal("10000.00"),
            rules=new_rules,
            proofs=spec.proofs,
        ),
    )
    view = policies.get_policy(db, principal=county, policy_id=loaded["grassroots_tuition"])
    assert [v.version for v in view.history] == [1, 2] and view.version.id == new.id
    assert view.history[0].status == "superseded" and view.history[0].valid_to == date(2023, 12, 31)
    assert old.version_id == view.history[0].id
    with pytest.raises(Conflict, match="生效日期须晚于现行第2版"):
        policies.publish_version(
            db,
            principal=city,
            spec=policies.VersionSpec(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                valid_from=date(2023, 6, 1),
                fund=spec.fund,
                basis=spec.basis,
                amount=Decimal("1.00"),
                rules=new_rules,
                proofs=[],
            ),
        )
    with pytest.raises(Forbidden):
        policies.publish_version(db, principal=county, spec=spec)


def test_scopes_counselor_county_city_enterprise(db: Session, world: World, loaded: dict[str, int]) -> None:
    grad, _ = graduate(db, world)
    county_a = f.principal(db, world, "county_a")
    claim = policy_claims.apply_claim(
        db, principal=county_a, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    assert [c.id for c in policy_claims.list_claims(db, principal=f.principal(db, world, "counselor_a"))] == [claim.id]
    assert policy_claims.list_claims(db, principal=f.principal(db, world, "county_b")) == []
    assert claim.id in [c.id for c in policy_claims.list_claims(db, principal=f.principal(db, world, "city"))]
    with pytest.raises(NotFound):
        policy_claims.get_claim(db, principal=f.principal(db, world, "counselor_b"), claim_id=claim.id)
    with pytest.raises(Forbidden):
        policy_claims.list_claims(db, principal=f.principal(db, world, "enterprise_a"))
    with pytest.raises(Forbidden, match="指导员不能办理"):
        policy_claims.grant_claim(db, principal=f.principal(db, world, "counselor_a"), claim_id=claim.id)


def test_national_aid_records_import_and_not_enrolled(db: Session, world: World) -> None:
    counselor = f.principal(db, world, "counselor_a")
    aided, _ = f.seeded_student(db, world)
    missing, _ = f.seeded_student(db, world)
    row = national_aid.NationalAidInput(aided.id, "grant", 2023, Decimal("3300.00"), "国家助学金（安徽大学）")
    national_aid.record_national_aid(db, principal=counselor, data=row)
    national_aid.record_national_aid(
        db,
        principal=counselor,
        data=national_aid.NationalAidInput(aided.id, "grant", 2023, Decimal("3500.00"), "国家助学金（安徽大学）"),
    )
    rows = national_aid.national_aid_of(db, principal=counselor, student_id=aided.id)
    assert [(r.kind, r.amount) for r in rows] == [("grant", Decimal("3500.00"))]
    ids = [n.student_id for n in national_aid.not_enrolled(db, principal=counselor, limit=10_000)]
    assert missing.id in ids and aided.id not in ids
    batch = [
        national_aid.NationalAidInput(missing.id, "loan", 2023, Decimal("12000.00"), "生源地信用助学贷款"),
        national_aid.NationalAidInput(missing.id, "waiver", 2023, Decimal("0"), "学费免除"),
    ]
    assert national_aid.import_national_aid(db, principal=counselor, rows=batch) == national_aid.ImportAnswer(2, 0)
    assert national_aid.import_national_aid(db, principal=counselor, rows=batch) == national_aid.ImportAnswer(0, 2)
    bad = [*batch, national_aid.NationalAidInput(missing.id, "gift", 1990, Decimal("-1"), "")]
    with pytest.raises(ValidationFailed) as err:
        national_aid.import_national_aid(db, principal=counselor, rows=bad)
    assert {e.field for e in err.value.errors} >= {"rows[2].kind", "rows[2].year", "rows[2].amount", "rows[2].source"}
    assert missing.id not in [n.student_id for n in national_aid.not_enrolled(db, principal=counselor, limit=10_000)]
    with pytest.raises(NotFound):
        national_aid.national_aid_of(db, principal=f.principal(db, world, "counselor_b"), student_id=aided.id)


def test_http_problem_json_and_payment_route(
    client: TestClient, db: Session, world: World, loaded: dict[str, int]
) -> None:
    grad, _ = graduate(db, world)
    headers = world.headers("county_a")
    bad = client.post(
        "/api/v1/aid/policy-claims", json={"student_id": grad.id, "policy_id": 1, "year": 2023, "x": 1}, headers=headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    body = {
        "student_id": grad.id,
        "policy_id": loaded["grassroots_tuition"],
        "year": 2023,
        "requested_amount": "4000.00",
        "employer_kind": "grassroots_unit",
        "employer_place": "341622",
        "proofs": ["就业协议或劳动合同", "学费缴费凭证"],
    }
    missing = client.post("/api/v1/aid/policy-claims", json=body, headers=headers)
    assert missing.status_code == 422 and "基层服务满3年证明" in missing.json()["detail"]
    assert missing.json()["errors"][0]["field"] == "proofs"
    body["proofs"] = [*body["proofs"], "基层服务满3年证明"]  # type: ignore[misc]
    created = client.post("/api/v1/aid/policy-claims", json=body, headers=headers)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert client.post(f"/api/v1/aid/policy-claims/{cid}/grant", headers=headers).json()["status"] == "granted"
    paid = client.post(
        f"/api/v1/aid/policy-claims/{cid}/payments", headers={**headers, "Idempotency-Key": "http-claim-0001"}
    )
    again = client.post(
        f"/api/v1/aid/policy-claims/{cid}/payments", headers={**headers, "Idempotency-Key": "http-claim-0001"}
    )
    assert paid.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    listed = client.get("/api/v1/aid/payments", headers=headers).json()
    assert [p["claim_id"] for p in listed if p["claim_id"] == cid] == [cid]
    ent = client.get(f"/api/v1/aid/students/{grad.id}/entitlements", headers=world.headers("counselor_a"))
    assert ent.status_code == 200 and any(e["claim_status"] == "paying" for e in ent.json())
    assert client.get("/api/v1/aid/policy-claims", headers=world.headers("enterprise_a")).status_code == 403


def test_annex9_activity_counts_paid_subsidies(
    client: TestClient, db: Session, world: World, loaded: dict[str, int], tmp_path: Path
) -> None:
    county = f.principal(db, world, "county_a")
    grad, _ = graduate(db, world)
    waiting, _ = graduate(db, world)
    claim = policy_claims.apply_claim(
        db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    policy_claims.apply_claim(
        db,
        principal=county,
        data=claim_input(
            waiting,
            loaded["loan_repayment"],
            proofs=("就业协议或劳动合同", "国家助学贷款合同及还款凭证", "基层服务满3年证明"),
        ),
        today=TODAY,
    )
    policy_claims.grant_claim(db, principal=county, claim_id=claim.id)
    policy_claims.pay_claim(db, principal=county, claim_id=claim.id, idempotency_key="report-key-01", today=TODAY)
    batch = service.create_batch(db, principal=county, county_org_id=world.orgs["BZ-MC"], year=YEAR)
    gateway = bankmod.FileBankGateway(tmp_path)
    service.export_batch(db, principal=county, batch_id=batch.id, gateway=gateway)
    payment = db.scalar(select(AidPayment).where(AidPayment.claim_id == claim.id))
    assert payment is not None
    result = bankmod.BankResult(payment.reference, payment.amount, bankmod.BankOutcome.SUCCEEDED, "")
    content = bankmod.render_results([result])
    service.import_results(db, principal=county, batch_id=batch.id, content=content, gateway=gateway)
    params = {"as_of": workdays.today().isoformat(), "year": YEAR}
    body = client.get("/api/v1/reports/annex9", params=params, headers=world.headers("city")).json()
    activity = next(t for t in body["tables"] if t["code"] == "annex9_activity")
    row = next(r for r in activity["rows"] if r["county_code"] == "BZ-MC")["values"]
    assert Decimal(str(row["employment_subsidy"])) == Decimal("5000.00")
    assert row["subsidy_persons"] == 1 and row["subsidy_grassroots_persons"] == 1
    assert row["subsidy_claims_pending"] == 1
    assert Decimal(str(row["money_spent"])) >= Decimal("5000.00")
    columns = {c["key"]: c["label"] for c in activity["columns"]}
    assert columns["employment_subsidy"] == "就业补贴"


def test_one_live_claim_per_policy_and_year(db: Session, world: World, loaded: dict[str, int]) -> None:
    grad, _ = graduate(db, world)
    county = f.principal(db, world, "county_a")
    first = policy_claims.apply_claim(
        db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    with pytest.raises(Conflict, match="2023年已申领“基层就业学费补偿”，不能重复申领"):
        policy_claims.apply_claim(
            db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
        )
    policy_claims.refuse_claim(db, principal=county, claim_id=first.id, reason="材料待补")
    again = policy_claims.apply_claim(
        db, principal=county, data=claim_input(grad, loaded["grassroots_tuition"]), today=TODAY
    )
    assert again.status == ClaimStatus.APPLIED and first.refusal_reason == "材料待补"
