"""A state machine over policy claims: apply / grant (with any amount) / refuse / withdraw / pay (with reused or
fresh keys) / bank results (succeeded, failed, no answer) / resend, on one fund budget.

Invariants: the budget's committed sum is the granted, paying and paid claims' amounts and never exceeds the
budget; paid is the paid claims' amounts; no claim has more than one payment; only granted claims ever get one;
nothing leaves "paid"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import policies, policy_claims, service
from services.aid.models import AidPayment, PaymentStatus
from services.aid.policy_models import AidFundBudget, AidPolicy, AidPolicyClaim, ClaimStatus
from services.errors import DomainError
from tests.aid import factories as f
from tests.conftest import World

TODAY = date(2023, 9, 1)
BUDGET = Decimal("3000.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2)


def test_claim_state_machine(db: Session, world: World, tmp_path: Path) -> None:
    city = f.principal(db, world, "city")
    county = f.principal(db, world, "county_a")
    policies.load_bundled(db, principal=city, valid_from=date(2023, 1, 1))
    policy_id = db.scalar(select(AidPolicy.id).where(AidPolicy.code == "skills_training"))
    assert policy_id is not None
    gateway = bankmod.FileBankGateway(tmp_path / "bank")
    students = []
    for _ in range(4):
        grad, _ = f.seeded_student(db, world)
        grad.stage, grad.cohort, grad.employment_status = "graduate", 2022, "seeking"
        students.append(grad.id)
    db.flush()

    class Claims(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = db.begin_nested()
            self.keys: list[str] = []
            self.ever_paid: set[int] = set()

        def teardown(self) -> None:
            self.savepoint.rollback()

        @initialize()
        def budget(self) -> None:
            policies.set_fund_budget(
                db, principal=city, county_org_id=world.orgs["BZ-MC"], year=2023, fund="central_support", amount=BUDGET
            )

        def _claims(self, *statuses: ClaimStatus) -> list[AidPolicyClaim]:
            stmt = select(AidPolicyClaim).where(AidPolicyClaim.status.in_([s.value for s in statuses]))
            return list(db.scalars(stmt.order_by(AidPolicyClaim.id)))

        def _try(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                with db.begin_nested():
                    return fn(*args, **kwargs)
            except DomainError:
                return None

        @rule(i=st.integers(0, 3), amount=amounts)
        def apply(self, i: int, amount: Decimal) -> None:
            data = policy_claims.ClaimInput(
                student_id=students[i],
                policy_id=policy_id,
                year=2023,
                requested_amount=amount,
                proofs=("培训合格证书或职业技能等级证书", "培训费发票"),
            )
            self._try(policy_claims.apply_claim, db, principal=county, data=data, today=TODAY)

        @rule(data=st.data(), partial=st.booleans())
        def grant(self, data: st.DataObject, partial: bool) -> None:
            rows = self._claims(*ClaimStatus)
            if rows:
                claim = data.draw(st.sampled_from(rows))
                amount = (claim.requested_amount / 2).quantize(Decimal("0.01")) if partial else None
                if amount is not None and amount <= 0:
                    amount = None
                self._try(policy_claims.grant_claim, db, principal=county, claim_id=claim.id, amount=amount)

        @rule(data=st.data())
        def refuse(self, data: st.DataObject) -> None:
            rows = self._claims(*ClaimStatus)
            if rows:
                claim = data.draw(st.sampled_from(rows))
                self._try(policy_claims.refuse_claim, db, principal=county, claim_id=claim.id, reason="材料不全")

        @rule(data=st.data())
        def withdraw(self, data: st.DataObject) -> None:
            rows = self._claims(*ClaimStatus)
            if rows:
                claim = data.draw(st.sampled_from(rows))
                self._try(policy_claims.withdraw_claim, db, principal=county, claim_id=claim.id)

        @rule(data=st.data(), reuse=st.booleans())
        def pay(self, data: st.DataObject, reuse: bool) -> None:
            rows = self._claims(*ClaimStatus)
            if not rows:
                return
            claim = data.draw(st.sampled_from(rows))
            key = data.draw(st.sampled_from(self.keys)) if reuse and self.keys else f"sm-key-{len(self.keys):06d}"
            self.keys.append(key)
            was = claim.status
            answer = self._try(
                policy_claims.pay_claim, db, principal=county, claim_id=claim.id, idempotency_key=key, today=TODAY
            )
            if answer is not None and answer.status_code == 201 and not answer.replayed:
                assert was == ClaimStatus.GRANTED

        @rule(outcome=st.sampled_from(list(bankmod.BankOutcome)))
        def bank(self, outcome: bankmod.BankOutcome) -> None:
            batch = self._try(service.create_batch, db, principal=county, county_org_id=world.orgs["BZ-MC"], year=2023)
            if batch is None:
                return
            service.export_batch(db, principal=county, batch_id=batch.id, gateway=gateway)
            sent = db.scalars(select(AidPayment).where(AidPayment.batch_id == batch.id)).all()
            results = [bankmod.BankResult(p.reference, p.amount, outcome, "") for p in sent]
            service.import_results(
                db, principal=county, batch_id=batch.id, content=bankmod.render_results(results), gateway=gateway
            )

        @rule(data=st.data())
        def resend(self, data: st.DataObject) -> None:
            failed = db.scalars(
                select(AidPayment).where(
                    AidPayment.claim_id.is_not(None),
                    AidPayment.status.in_([PaymentStatus.FAILED, PaymentStatus.UNKNOWN]),
                )
            ).all()
            if failed:
                payment = data.draw(st.sampled_from(list(failed)))
                self._try(service.resend_payment, db, principal=county, payment_id=payment.id, gateway=gateway)

        @invariant()
        def budget_matches_claims(self) -> None:
            budget = db.scalar(select(AidFundBudget).where(AidFundBudget.fund == "central_support"))
            if budget is None:
                return
            held = self._claims(ClaimStatus.GRANTED, ClaimStatus.PAYING, ClaimStatus.PAID)
            assert budget.committed == sum((c.amount or Decimal(0) for c in held), Decimal(0))
            assert budget.committed <= budget.amount
            paid = self._claims(ClaimStatus.PAID)
            assert budget.paid == sum((c.amount or Decimal(0) for c in paid), Decimal(0))

        @invariant()
        def one_payment_per_claim_and_paid_stays_paid(self) -> None:
            counts = db.execute(
                select(AidPayment.claim_id, func.count())
                .where(AidPayment.claim_id.is_not(None))
                .group_by(AidPayment.claim_id)
            ).all()
            assert all(n == 1 for _, n in counts)
            paid = {c.id for c in self._claims(ClaimStatus.PAID)}
            assert self.ever_paid <= paid
            self.ever_paid |= paid
            for claim in self._claims(ClaimStatus.APPLIED, ClaimStatus.REFUSED):
                assert db.scalar(select(AidPayment.id).where(AidPayment.claim_id == claim.id)) is None

    run_state_machine_as_test(
        Claims,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
