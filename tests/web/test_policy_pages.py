"""The console pages of the employment policies and national aid: the counselor sees a graduate's 可享受的政策 with
the rule engine's reasons, claims 基层就业学费补偿 (a missing proof named beside the form), enters a 国家助学金 and
sees the not-enrolled list shrink; the county clerk grants the claim within the fund's budget and pays it once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import policies, workdays
from services.aid.models import AidPayment
from services.aid.policy_models import AidPolicy, AidPolicyClaim, ClaimStatus
from tests.aid import factories as f
from tests.conftest import World
from tests.web.console import csrf_of, login, post_form, unlabelled_controls


def _setup(db: Session, world: World) -> tuple[int, int, int]:
    city = f.principal(db, world, "city")
    policies.load_bundled(db, principal=city, valid_from=date(2023, 1, 1))
    policies.set_fund_budget(
        db,
        principal=city,
        county_org_id=world.orgs["BZ-MC"],
        year=workdays.today().year,
        fund="government_employment",
        amount=Decimal("20000.00"),
    )
    grad, seeded = f.seeded_student(db, world, side="a")
    grad.stage, grad.cohort, grad.employment_status = "graduate", 2023, "grassroots"
    other, _ = f.seeded_student(db, world, side="a")
    tuition = db.scalar(select(AidPolicy.id).where(AidPolicy.code == "grassroots_tuition"))
    assert tuition is not None
    db.commit()
    CARDS.append(seeded.card)
    return grad.id, other.id, tuition


CARDS: list[str] = []


def test_counselor_claims_and_records_national_aid_clerk_grants_and_pays(
    client: TestClient, db: Session, world: World
) -> None:
    grad_id, other_id, tuition = _setup(db, world)
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{grad_id}/policies"
    shown = client.get(page)
    assert shown.status_code == 200
    assert "基层就业学费补偿（第1版） · <strong>符合条件</strong>" in shown.text
    assert "就业单位符合：基层服务项目" in shown.text and "毕业年份符合：限2021–2023届" in shown.text
    assert "就业状态不符：限求职中、未就业，目前为参加基层服务项目" in shown.text
    assert unlabelled_controls(shown.text) == []

    form = {
        "policy_id": str(tuition),
        "requested_amount": "6000",
        "employer_name": "蒙城县篆刻镇人民政府",
        "employer_kind": "grassroots_unit",
        "employer_place": "341622",
        "proofs": ["就业协议或劳动合同", "学费缴费凭证"],
    }
    refused = client.post(f"/counselor/graduates/{grad_id}/claims", data={**form, "csrf_token": csrf_of(shown.text)})
    assert refused.status_code == 422 and "缺少证明材料：基层服务满3年证明" in refused.text
    assert db.scalar(select(AidPolicyClaim).where(AidPolicyClaim.student_id == grad_id)) is None
    form["proofs"] = [*form["proofs"], "基层服务满3年证明"]
    made = client.post(f"/counselor/graduates/{grad_id}/claims", data={**form, "csrf_token": csrf_of(shown.text)})
    assert made.status_code == 200 and "补贴申领已登记" in made.text and "待审核" in made.text
    assert CARDS[-1] not in made.text and CARDS[-1][-4:] in made.text  # the card shown masked only

    not_enrolled = client.get("/counselor/national-aid/not-enrolled")
    assert f"/counselor/graduates/{other_id}/policies" in not_enrolled.text
    page_other = f"/counselor/graduates/{other_id}/policies"
    bad = post_form(
        client,
        page_other,
        f"/counselor/graduates/{other_id}/national-aid",
        {"kind": "grant", "na_year": "23", "amount": "3300", "source": "国家助学金（安徽大学）"},
    )
    assert bad.status_code == 422 and "请填写4位学年起始年份" in bad.text
    saved = post_form(
        client,
        page_other,
        f"/counselor/graduates/{other_id}/national-aid",
        {"kind": "grant", "na_year": "2023", "amount": "3300", "source": "国家助学金（安徽大学）"},
    )
    assert saved.status_code == 200 and "助（助学金）" in saved.text and "2023—2024学年" in saved.text
    assert f"/counselor/graduates/{other_id}/policies" not in client.get("/counselor/national-aid/not-enrolled").text

    login(client, "t_county_a")
    claim = db.scalar(select(AidPolicyClaim).where(AidPolicyClaim.student_id == grad_id))
    assert claim is not None
    listing = client.get("/union/aid/claims")
    assert listing.status_code == 200 and "政府就业补助资金" in listing.text and "蒙城县篆刻镇人民政府" in listing.text
    assert CARDS[-1] not in listing.text
    assert unlabelled_controls(listing.text) == []
    too_much = post_form(client, "/union/aid/claims", f"/union/aid/claims/{claim.id}/grant", {"amount": "7000"})
    assert too_much.status_code == 422 and "核准金额不能超过申领金额 6000.00 元" in too_much.text
    granted = post_form(client, "/union/aid/claims", f"/union/aid/claims/{claim.id}/grant", {"amount": ""})
    assert "已核准，占用相应资金预算" in granted.text and "已核准待发放" in granted.text
    key = {"idempotency_key": "page-key-0001"}
    paid = post_form(client, "/union/aid/claims", f"/union/aid/claims/{claim.id}/pay", key)
    again = post_form(client, "/union/aid/claims", f"/union/aid/claims/{claim.id}/pay", key)
    assert "已发起付款" in paid.text and "付款中" in paid.text
    other_key = post_form(
        client, "/union/aid/claims", f"/union/aid/claims/{claim.id}/pay", {"idempotency_key": "x" * 12}
    )
    assert again.status_code == 200  # the same key answers the same: no second payment
    assert other_key.status_code == 409 and "该补贴申领已有付款记录" in other_key.text
    db.expire_all()
    assert len(db.scalars(select(AidPayment).where(AidPayment.claim_id == claim.id)).all()) == 1
    assert db.get(AidPolicyClaim, claim.id).status == ClaimStatus.PAYING  # type: ignore[union-attr]
    payments_page = client.get("/union/aid/payments")
    payment = db.scalar(select(AidPayment).where(AidPayment.claim_id == claim.id))
    assert payment is not None and payment.reference.startswith("BT") and payment.reference in payments_page.text

    login(client, "t_enterprise_a")
    assert client.get("/union/aid/claims").status_code in {403, 404}
    assert client.get(page).status_code in {403, 404}
