"""The console pages of handoffs across China and of purchased services: the counselor hands a graduate to the
合肥市总工会 and records its answers on its behalf; staff register a provider and a contract, the counselor refers
a graduate, staff record the outcome — each refusal shown with the API's reason, every control labelled."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.models import ServiceContract, ServiceProvider
from services.clock import local_today
from services.tracking.models import Handoff, ServiceReferral
from tests.catalog.factories import credit_code
from tests.conftest import World
from tests.tracking.factories import make_graduate
from tests.tracking.test_external_handoffs import _divisions
from tests.web.console import login, post_form, unlabelled_controls


def test_a_counselor_hands_a_graduate_to_hefei_and_answers_for_that_union(
    client: TestClient, db: Session, world: World
) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b", name="韩雪")
    db.commit()
    login(client, "t_counselor_b")
    page = f"/counselor/external-handoffs?graduate_id={grad.id}&q=合肥"
    picker = client.get(page)
    assert picker.status_code == 200 and "合肥市总工会" in picker.text and "合肥市蜀山区总工会" in picker.text
    assert unlabelled_controls(picker.text) == []

    form = {"graduate_id": str(grad.id), "division_code": "340100", "reason": "毕业生意向在合肥市就业", "q": "合肥"}
    refused = post_form(client, page, "/counselor/external-handoffs", form)
    assert refused.status_code == 422 and "首次转介至合肥市总工会，请填写对方联系人" in refused.text
    made = post_form(
        client, page, "/counselor/external-handoffs", {**form, "contact_name": "王老师", "contact_phone": "13955102468"}
    )
    assert made.status_code == 200 and made.url.path == "/counselor/handoffs"
    assert "合肥市总工会" in made.text and "王老师 139****2468" in made.text and "代为确认接收" in made.text
    handoff = db.scalar(select(Handoff).where(Handoff.graduate_id == grad.id))
    assert handoff is not None

    accepted = post_form(
        client,
        "/counselor/handoffs",
        f"/counselor/handoffs/{handoff.id}",
        {"action": "accept", "note": "王老师电话确认"},
    )
    assert "接收确认由生源地工会代登记" in accepted.text and "代为登记结果" in accepted.text
    today = local_today().isoformat()
    action = f"/counselor/handoffs/{handoff.id}/outcome"
    nameless = post_form(client, "/counselor/handoffs", action, {"outcome": "employed", "outcome_on": today})
    assert nameless.status_code == 422 and "已就业的，请填写就业单位" in nameless.text
    done = post_form(
        client,
        "/counselor/handoffs",
        action,
        {"outcome": "employed", "outcome_on": today, "employer": "合肥某软件公司"},
    )
    assert f"{today} 已就业（合肥某软件公司） · 生源地工会代登记" in done.text


def test_staff_buy_a_service_a_counselor_refers_and_staff_record_the_placement(
    client: TestClient, db: Session, world: World
) -> None:
    grad = make_graduate(db, world, side="a", name="周宁")
    employed = make_graduate(db, world, side="a", name="吴迪", status="employed")
    db.commit()
    login(client, "t_city")
    code = credit_code()
    provider = {
        "name": "亳州市某人力资源服务有限公司",
        "credit_code": code,
        "kind": "hr_agency",
        "contact_name": "李经理",
        "contact_phone": "13855667788",
    }
    shown = post_form(client, "/union/purchased", "/union/purchased/providers", provider)
    assert "亳州市某人力资源服务有限公司" in shown.text and "138****7788" in shown.text
    assert unlabelled_controls(shown.text) == []
    today = local_today()
    contract = {
        "provider_id": "",
        "org_unit_id": str(world.orgs["BZ"]),
        "number": "BZGH-GM-TEST-01",
        "title": "未就业毕业生定向就业援助",
        "service_content": "职业培训、就业咨询、面试指导",
        "starts_on": (today - timedelta(days=5)).isoformat(),
        "ends_on": (today + timedelta(days=120)).isoformat(),
        "amount": "60000",
        "fund": "province",
        "graduates_to_serve": "10",
    }
    refused = post_form(client, "/union/purchased", "/union/purchased/contracts", contract)
    assert refused.status_code == 422 and "请选择服务机构" in refused.text
    provider_id = db.scalar(select(ServiceProvider.id).where(ServiceProvider.credit_code == code))
    created = post_form(
        client, "/union/purchased", "/union/purchased/contracts", {**contract, "provider_id": str(provider_id)}
    )
    assert created.status_code == 200 and "未就业毕业生定向就业援助" in created.text
    contract_id = db.scalar(select(ServiceContract.id).where(ServiceContract.number == "BZGH-GM-TEST-01"))

    login(client, "t_counselor_a")
    page = f"/counselor/referrals?graduate_id={employed.id}"
    assert unlabelled_controls(client.get(page).text) == []
    no = post_form(
        client, page, "/counselor/referrals", {"graduate_id": str(employed.id), "contract_id": str(contract_id)}
    )
    assert no.status_code == 409 and "定向就业援助只面向未就业的毕业生" in no.text
    ok = post_form(client, page, "/counselor/referrals", {"graduate_id": str(grad.id), "contract_id": str(contract_id)})
    assert ok.status_code == 200 and "已转介。" in ok.text and "周宁" in ok.text

    login(client, "t_county_a")
    referral = db.scalar(select(ServiceReferral).where(ServiceReferral.graduate_id == grad.id))
    assert referral is not None
    detail = f"/union/purchased/contracts/{contract_id}"
    assert "周宁" in client.get(detail).text
    action = f"/union/purchased/referrals/{referral.id}"
    post_form(client, detail, action, {"to": "accepted", "on": today.isoformat()})
    nameless = post_form(client, detail, action, {"to": "placed", "on": today.isoformat()})
    assert nameless.status_code == 422 and "已就业的，请填写就业单位" in nameless.text
    placed = post_form(
        client, detail, action, {"to": "placed", "on": today.isoformat(), "employer_name": "亳州某药业公司"}
    )
    assert f"{today.isoformat()} 就业于 亳州某药业公司" in placed.text and "已就业 1 人" in placed.text
