"""On PostgreSQL, 30 concurrent payment requests for one granted policy claim — half sharing one idempotency key,
half with fresh keys — make exactly one payment through the same path as an award's, and every caller with the
shared key gets the same answer."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from services.aid import payments, policies, policy_claims
from services.aid.models import AidPayment
from services.aid.policy_models import AidPolicy, AidPolicyClaim, ClaimStatus
from services.security.principal import Principal
from tests.aid import factories as f
from tests.aid.test_payment_concurrency import _world, pg_engine  # noqa: F401 - the fixture

REQUESTS = 30
TODAY = date(2023, 9, 1)


@pytest.mark.postgres
def test_concurrent_claim_payments_pay_once(pg_engine: Engine) -> None:  # noqa: F811
    factory = sessionmaker(bind=pg_engine, expire_on_commit=False)
    with factory.begin() as session:
        world = _world(session)
        city = f.principal(session, world, "city")
        policies.load_bundled(session, principal=city, valid_from=date(2023, 1, 1))
        policies.set_fund_budget(
            session,
            principal=city,
            county_org_id=world.orgs["BZ-MC"],
            year=2023,
            fund="government_employment",
            amount=Decimal("9000.00"),
        )
        grad, _ = f.seeded_student(session, world)
        grad.stage, grad.cohort, grad.employment_status = "graduate", 2023, "grassroots"
        session.flush()
        policy = session.scalar(select(AidPolicy.id).where(AidPolicy.code == "grassroots_tuition"))
        assert policy is not None
        data = policy_claims.ClaimInput(
            student_id=grad.id,
            policy_id=policy,
            year=2023,
            requested_amount=Decimal("5000.00"),
            employer_kind="grassroots_unit",
            employer_place="341622",
            proofs=("就业协议或劳动合同", "学费缴费凭证", "基层服务满3年证明"),
        )
        claim = policy_claims.apply_claim(session, principal=city, data=data, today=TODAY)
        policy_claims.grant_claim(session, principal=city, claim_id=claim.id)
        claim_id = claim.id
        clerk = f.principal(session, world, "county_a")

    shared = f"shared-{uuid.uuid4().hex}"
    keys = [shared] * (REQUESTS // 2) + [f"fresh-{uuid.uuid4().hex}" for _ in range(REQUESTS // 2)]
    barrier = threading.Barrier(REQUESTS)
    answers: list[tuple[str, payments.PaymentAnswer]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def call(key: str, who: Principal) -> None:
        try:
            barrier.wait(timeout=30)
            with factory.begin() as s:
                answer = policy_claims.pay_claim(s, principal=who, claim_id=claim_id, idempotency_key=key, today=TODAY)
            with lock:
                answers.append((key, answer))
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=call, args=(key, clerk)) for key in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(answers) == REQUESTS
    with factory() as s:
        made = list(s.scalars(select(AidPayment).where(AidPayment.claim_id == claim_id)))
        assert len(made) == 1
        assert s.scalar(select(AidPolicyClaim.status).where(AidPolicyClaim.id == claim_id)) == ClaimStatus.PAYING
    same = [a for k, a in answers if k == shared]
    assert len({(a.status_code, repr(sorted(a.body.items()))) for a in same}) == 1
    assert {a.status_code for _, a in answers} <= {201, 409}
    assert sum(1 for _, a in answers if a.status_code == 201 and not a.replayed) == 1
    assert all(a.body["payment_id"] == made[0].id for _, a in answers)
