"""A state machine over apply / review / approve / notice / object / resolve / pay / settle / revoke with a
working-day clock that crosses the 2023 National Day holidays and their swapped workdays.

Invariants: amounts never exceed the cap or the budget; nothing is paid without two distinct reviewers and a
completed notice without open objections; nothing leaves "paid".
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import service
from services.aid.models import (
    AidApplication,
    AidAward,
    AidBudget,
    AidNotice,
    AidNoticeEntry,
    AidObjection,
    AidPayment,
    AidReview,
    AidStandard,
    ApplicationStatus,
    AwardStatus,
    ObjectionStatus,
    PaymentStatus,
)
from services.errors import DomainError
from tests.aid import factories as f
from tests.conftest import World

START = date(2023, 9, 20)
BUDGET = Decimal("5000.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2200.00"), places=2)
REVIEWERS = ("county_a", "city", "admin")
LIVE = (AwardStatus.APPROVED, AwardStatus.NOTICED, AwardStatus.PAYING, AwardStatus.PAID)


def _count(stmt) -> int:  # type: ignore[no-untyped-def]
    return int(db_holder[0].scalar(select(func.count()).select_from(stmt.subquery())) or 0)


db_holder: list[Session] = []


def _has_apps(status: str):  # type: ignore[no-untyped-def]
    return lambda _self: _count(select(AidApplication.id).where(AidApplication.status == status)) > 0


def _has_awards(*statuses: str):  # type: ignore[no-untyped-def]
    return lambda _self: _count(select(AidAward.id).where(AidAward.status.in_(statuses))) > 0


def _has_payments(*statuses: str):  # type: ignore[no-untyped-def]
    return lambda _self: _count(select(AidPayment.id).where(AidPayment.status.in_(statuses))) > 0


def test_aid_state_machine(db: Session, world: World, tmp_path: Path) -> None:
    db_holder[:] = [db]
    f.setup_year(db, world, budget=BUDGET)
    staff = {key: f.principal(db, world, key) for key in REVIEWERS}
    students = [f.seeded_student(db, world, archived=i % 2 == 0)[1] for i in range(4)]
    gateway = bankmod.FileBankGateway(tmp_path / "bank")
    reached: dict[str, int] = {"payment created": 0, "award paid": 0}

    class AidMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.savepoint = db.begin_nested()
            self.today = START
            self.apps: list[int] = []
            self.paid: set[int] = set()
            self.payment_day: dict[int, date] = {}

        def teardown(self) -> None:
            if self.savepoint.is_active:
                self.savepoint.rollback()

        # ------------------------------------------------------------------ helpers
        def _awards(self, *statuses: str) -> list[AidAward]:
            stmt = select(AidAward).order_by(AidAward.id)
            if statuses:
                stmt = stmt.where(AidAward.status.in_(statuses))
            return list(db.scalars(stmt))

        def _apps(self, status: str) -> list[AidApplication]:
            return list(
                db.scalars(select(AidApplication).where(AidApplication.status == status).order_by(AidApplication.id))
            )

        def _attempt(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            try:
                with db.begin_nested():
                    return fn(*args, **kwargs)
            except DomainError:
                return None

        # ------------------------------------------------------------------ rules
        @initialize(first=st.none() | amounts, second=st.none() | amounts, centre=st.sampled_from(REVIEWERS))
        def two_noticed_awards(self, first: Decimal | None, second: Decimal | None, centre: str) -> None:
            """Start from two applications taken through both reviews and into a notice published today."""
            awards = []
            for seeded, code, amount in (
                (students[0], "archived_new_enrolment", first),
                (students[1], "nonarchived_college", second),
            ):
                app = service.submit_application(
                    db, principal=staff["county_a"], data=f.application_input(seeded, standard_code=code)
                )
                f.attach_all(db, staff["county_a"], app)
                service.review(
                    db,
                    principal=staff["county_a"],
                    application_id=app.id,
                    stage="grassroots",
                    decision="approve",
                    opinion="基层工会意见",
                )
                self._attempt(
                    service.review,
                    db,
                    principal=staff[centre],
                    application_id=app.id,
                    stage="centre",
                    decision="approve",
                    opinion="帮扶中心意见",
                    amount=amount,
                )
                award = service.award_of(db, application=app)
                if award is not None:
                    awards.append(award.id)
            if awards:
                self._attempt(
                    service.publish_notice,
                    db,
                    principal=staff["county_a"],
                    org_unit_id=world.orgs["BZ-MC"],
                    award_ids=awards,
                    supervision_phone="0558-3032682",
                    starts_on=self.today,
                    today=self.today,
                )

        @rule(days=st.sampled_from([1, 3, 7, 12]))
        def advance(self, days: int) -> None:
            self.today += timedelta(days=days)

        @precondition(
            lambda _self: (
                _count(
                    select(AidApplication.id).where(
                        AidApplication.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.GRASSROOTS_APPROVED])
                    )
                )
                < 2
            )
        )
        @rule(i=st.integers(0, 3), requested=st.none() | amounts)
        def apply(self, i: int, requested: Decimal | None) -> None:
            seeded = students[i]
            code = "archived_new_enrolment" if i % 2 == 0 else "nonarchived_college"
            data = f.application_input(seeded, standard_code=code, requested=requested)
            app = self._attempt(service.submit_application, db, principal=staff["county_a"], data=data)
            if app is not None:
                f.attach_all(db, staff["county_a"], app)
                self.apps.append(app.id)

        @precondition(_has_apps(ApplicationStatus.SUBMITTED))
        @rule(data=st.data(), decision=st.sampled_from(["approve", "approve", "return", "refuse"]))
        def review_grassroots(self, data: st.DataObject, decision: str) -> None:
            apps = self._apps(ApplicationStatus.SUBMITTED)
            if not apps:
                return
            app = data.draw(st.sampled_from(apps))
            who = data.draw(st.sampled_from(REVIEWERS))
            self._attempt(
                service.review,
                db,
                principal=staff[who],
                application_id=app.id,
                stage="grassroots",
                decision=decision,
                opinion="基层工会意见",
            )

        @precondition(_has_apps(ApplicationStatus.GRASSROOTS_APPROVED))
        @rule(data=st.data(), amount=st.none() | amounts, decision=st.sampled_from(["approve", "approve", "refuse"]))
        def review_centre(self, data: st.DataObject, amount: Decimal | None, decision: str) -> None:
            apps = self._apps(ApplicationStatus.GRASSROOTS_APPROVED)
            if not apps:
                return
            app = data.draw(st.sampled_from(apps))
            who = data.draw(st.sampled_from(REVIEWERS))
            self._attempt(
                service.review,
                db,
                principal=staff[who],
                application_id=app.id,
                stage="centre",
                decision=decision,
                opinion="帮扶中心意见",
                amount=amount,
            )

        @precondition(_has_apps(ApplicationStatus.RETURNED))
        @rule(data=st.data())
        def correct(self, data: st.DataObject) -> None:
            apps = self._apps(ApplicationStatus.RETURNED)
            if not apps:
                return
            app = data.draw(st.sampled_from(apps))
            seeded = next(s for s in students if s.student_id == app.student_id)
            standard = db.get(AidStandard, app.standard_id)
            assert standard is not None
            self._attempt(
                service.correct_application,
                db,
                principal=staff["county_a"],
                application_id=app.id,
                data=f.application_input(seeded, standard_code=standard.code),
            )

        @precondition(_has_awards(AwardStatus.APPROVED))
        @rule(data=st.data())
        def notice(self, data: st.DataObject) -> None:
            awards = self._awards(AwardStatus.APPROVED)
            if not awards:
                return
            chosen = data.draw(st.lists(st.sampled_from(awards), min_size=1, unique_by=lambda a: a.id))
            self._attempt(
                service.publish_notice,
                db,
                principal=staff["county_a"],
                org_unit_id=world.orgs["BZ-MC"],
                award_ids=[a.id for a in chosen],
                supervision_phone="0558-3032682",
                starts_on=self.today,
                today=self.today,
            )

        @precondition(_has_awards(AwardStatus.NOTICED))
        @rule(data=st.data())
        def object(self, data: st.DataObject) -> None:
            entries = list(db.execute(select(AidNoticeEntry.notice_id, AidNoticeEntry.award_id)))
            if not entries:
                return
            notice_id, award_id = data.draw(st.sampled_from(entries))
            self._attempt(
                service.lodge_objection,
                db,
                principal=staff["county_a"],
                notice_id=notice_id,
                award_id=award_id,
                content="群众反映情况不实",
                today=self.today,
            )

        @precondition(lambda _self: _count(select(AidObjection.id).where(AidObjection.status == "open")) > 0)
        @rule(data=st.data(), upheld=st.booleans())
        def resolve(self, data: st.DataObject, upheld: bool) -> None:
            open_ones = list(db.scalars(select(AidObjection).where(AidObjection.status == ObjectionStatus.OPEN)))
            if not open_ones:
                return
            objection = data.draw(st.sampled_from(open_ones))
            self._attempt(
                service.resolve_objection,
                db,
                principal=staff["city"],
                objection_id=objection.id,
                upheld=upheld,
                resolution="核查处理完毕",
            )

        @precondition(_has_awards(AwardStatus.NOTICED, AwardStatus.PAYING, AwardStatus.REVOKED))
        @rule(
            data=st.data(),
            reuse=st.booleans(),
            outcome=st.sampled_from([bankmod.BankOutcome.SUCCEEDED, *bankmod.BankOutcome]),
        )
        def pay(self, data: st.DataObject, reuse: bool, outcome: bankmod.BankOutcome) -> None:
            """Request the payment, then (when one is waiting) run the bank batch: export and import results."""
            awards = self._awards()
            noticed = self._awards(AwardStatus.NOTICED)
            award = data.draw(st.sampled_from(noticed or awards))
            key = f"award-key-{award.id}" if reuse else f"fresh-key-{award.id}-{data.draw(st.integers(0, 10**6))}"
            answer = self._attempt(
                service.request_payment,
                db,
                principal=staff["county_a"],
                award_id=award.id,
                idempotency_key=key,
                today=self.today,
            )
            if answer is not None and answer.status_code == 201 and not answer.replayed:
                self.payment_day[award.id] = self.today
                event("payment created")
                reached["payment created"] += 1
            batch = self._attempt(
                service.create_batch, db, principal=staff["county_a"], county_org_id=world.orgs["BZ-MC"], year=f.YEAR
            )
            if batch is None:
                return
            service.export_batch(db, principal=staff["county_a"], batch_id=batch.id, gateway=gateway)
            sent = list(db.scalars(select(AidPayment).where(AidPayment.batch_id == batch.id)))
            results = [bankmod.BankResult(p.reference, p.amount, outcome, "") for p in sent]
            service.import_results(
                db,
                principal=staff["county_a"],
                batch_id=batch.id,
                content=bankmod.render_results(results),
                gateway=gateway,
            )
            for p in sent:
                if p.status == PaymentStatus.SUCCEEDED:
                    self.paid.add(p.award_id)
                    event("award paid")
                    reached["award paid"] += 1

        @precondition(_has_payments(PaymentStatus.FAILED, PaymentStatus.UNKNOWN))
        @rule(data=st.data())
        def resend(self, data: st.DataObject) -> None:
            payments = list(
                db.scalars(
                    select(AidPayment).where(AidPayment.status.in_([PaymentStatus.FAILED, PaymentStatus.UNKNOWN]))
                )
            )
            if not payments:
                return
            payment = data.draw(st.sampled_from(payments))
            before = payment.status
            done = self._attempt(
                service.resend_payment, db, principal=staff["county_a"], payment_id=payment.id, gateway=gateway
            )
            if before == PaymentStatus.UNKNOWN:
                assert done is None  # the file bank has no answer for it: never resent blind

        @precondition(_has_awards(*LIVE))
        @rule(data=st.data())
        def revoke(self, data: st.DataObject) -> None:
            awards = self._awards()
            if not awards:
                return
            award = data.draw(st.sampled_from(awards))
            self._attempt(service.revoke_award, db, principal=staff["city"], award_id=award.id, reason="复核撤销")

        # ------------------------------------------------------------------ invariants
        @invariant()
        def amounts_within_cap_and_budget(self) -> None:
            for award in self._awards():
                standard = db.get(AidStandard, award.standard_id)
                assert standard is not None
                assert Decimal(0) < award.amount <= award.cap == standard.cap
            for budget in db.scalars(select(AidBudget)):
                live = db.scalar(
                    select(func.coalesce(func.sum(AidAward.amount), 0)).where(
                        AidAward.budget_id == budget.id, AidAward.status != AwardStatus.REVOKED
                    )
                )
                assert Decimal(live) == budget.committed <= budget.amount
                assert budget.paid <= budget.committed

        @invariant()
        def payments_only_after_two_reviewers_and_a_clean_notice(self) -> None:
            for payment in db.scalars(select(AidPayment)):
                award = db.get(AidAward, payment.award_id)
                assert award is not None
                approvals = list(
                    db.scalars(
                        select(AidReview).where(
                            AidReview.application_id == award.application_id, AidReview.decision == "approve"
                        )
                    )
                )
                assert {r.stage for r in approvals} == {"grassroots", "centre"}
                assert len({r.reviewer_id for r in approvals}) == 2
                notice = db.scalar(
                    select(AidNotice)
                    .join(AidNoticeEntry, AidNoticeEntry.notice_id == AidNotice.id)
                    .where(AidNoticeEntry.award_id == award.id)
                )
                assert notice is not None
                assert notice.ends_on < self.payment_day[award.id]
                assert notice.working_days >= 5
                open_objections = db.scalar(
                    select(func.count())
                    .select_from(AidObjection)
                    .where(AidObjection.award_id == award.id, AidObjection.status == ObjectionStatus.OPEN)
                )
                assert open_objections == 0
                assert award.status in {AwardStatus.PAYING, AwardStatus.PAID}
                assert payment.amount == award.amount

        @invariant()
        def nothing_leaves_paid(self) -> None:
            for award_id in self.paid:
                award = db.get(AidAward, award_id)
                assert award is not None and award.status == AwardStatus.PAID

        @invariant()
        def one_live_award_per_student_and_fund(self) -> None:
            rows = db.execute(
                select(AidAward.student_id, AidAward.fund_source, func.count())
                .where(AidAward.status != AwardStatus.REVOKED)
                .group_by(AidAward.student_id, AidAward.fund_source)
            )
            assert all(n == 1 for _, _, n in rows)

    run_state_machine_as_test(
        AidMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=30,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # the clock, the notice and the bank were really exercised, not only the early states
    assert reached["payment created"] > 0
    assert reached["award paid"] > 0
