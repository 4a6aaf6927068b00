"""A subsidy claim in a real browser (Debian chromium driven by Playwright): a counselor, on a phone, opens a
graduate's 可享受的政策, is told which proof is missing, claims 基层就业学费补偿 with it; the county clerk grants it
within the fund's budget and starts its payment — twice, as a double click or a resent form would — and exactly one
payment is made. Every page is saved as a screenshot."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.models import AidPayment
from services.aid.policy_models import AidPolicyClaim, ClaimStatus
from services.app import create_app
from tests.conftest import World
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_policy_pages import _setup
from tests.web.test_staff_in_browser import PHONE, _page, _sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_claim_is_made_on_a_phone_granted_and_paid_exactly_once(browser: Any, db: Session, world: World) -> None:
    grad_id, _, tuition = _setup(db, world)
    pid = f"p{tuition}"
    with LiveServer(create_app()) as server:
        with _page(browser, server, PHONE) as page:
            _sign_in(page, server, "t_counselor_a")
            page.goto(f"{server.url}/counselor/graduates/{grad_id}/policies")
            form = page.get_by_role("form", name="申领基层就业学费补偿")
            form.locator(f"#{pid}-amount").fill("6000")
            form.locator(f"#{pid}-employer").fill("蒙城县篆刻镇人民政府")
            form.locator(f"#{pid}-kind").select_option(value="grassroots_unit")
            form.locator(f"#{pid}-place").fill("341622")
            form.get_by_label("就业协议或劳动合同").check()
            form.get_by_label("学费缴费凭证").check()
            form.get_by_role("button", name="申领基层就业学费补偿").click()
            page.get_by_text("缺少证明材料：基层服务满3年证明").first.wait_for()
            screenshot(page, "counselor-policy-claim-refused")
            form = page.get_by_role("form", name="申领基层就业学费补偿")
            form.locator(f"#{pid}-amount").fill("6000")
            form.locator(f"#{pid}-employer").fill("蒙城县篆刻镇人民政府")
            form.locator(f"#{pid}-kind").select_option(value="grassroots_unit")
            form.locator(f"#{pid}-place").fill("341622")
            for proof in ("就业协议或劳动合同", "学费缴费凭证", "基层服务满3年证明"):
                form.get_by_label(proof).check()
            form.get_by_role("button", name="申领基层就业学费补偿").click()
            page.get_by_text("补贴申领已登记").first.wait_for()
            screenshot(page, "counselor-policy-claimed")
        db.expire_all()
        claim = db.scalar(select(AidPolicyClaim).where(AidPolicyClaim.student_id == grad_id))
        assert claim is not None and claim.status == ClaimStatus.APPLIED
        with _page(browser, server) as page:
            _sign_in(page, server, "t_county_a")
            page.goto(f"{server.url}/union/aid/claims")
            page.get_by_role("button", name=f"核准：申领 {claim.id}", exact=True).click()
            page.get_by_text("已核准，占用相应资金预算").first.wait_for()
            screenshot(page, "union-claim-granted")
            pay = page.get_by_role("button", name=f"发起付款：申领 {claim.id}", exact=True)
            key = pay.locator("xpath=ancestor::form").locator("input[name=idempotency_key]").get_attribute("value")
            assert key
            pay.click()
            page.get_by_text("已发起付款").first.wait_for()
            screenshot(page, "union-claim-paying")
            # the same form sent again (a double click or a resent page) makes no second payment
            answer = page.request.post(
                f"{server.url}/union/aid/claims/{claim.id}/pay",
                form={
                    "idempotency_key": key,
                    "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute("value") or "",
                },
            )
            assert answer.status == 200
    db.expire_all()
    payments = db.scalars(select(AidPayment).where(AidPayment.claim_id == claim.id)).all()
    assert len(payments) == 1 and payments[0].reference.startswith("BT")
    assert db.get(AidPolicyClaim, claim.id).status == ClaimStatus.PAYING  # type: ignore[union-attr]
