"""Applications, two-step review, awards within cap and budget, notice period, objections and payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import service
from services.aid.models import AidAward, AidBudget, AidPayment, ApplicationStatus, AwardStatus, PaymentStatus
from services.errors import Conflict, Forbidden, ValidationFailed
from tests.aid import factories as f
from tests.aid import figures
from tests.conftest import World

AFTER_NOTICE = date(2023, 10, 16)


@pytest.fixture
def year(db: Session, world: World) -> int:
    f.setup_year(db, world)
    return f.YEAR


def test_application_keeps_the_form_and_links_the_registry_student(db: Session, world: World, year: int) -> None:
    grad, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    assert app.student_id == grad.id
    assert app.family_id == grad.family_id
    assert app.family_archived is True
    assert app.worker_name == "张建国"
    assert app.student_id_masked.startswith(seeded.student_no[:3]) and "*" in app.student_id_masked
    assert seeded.student_no not in app.student_id_enc
    assert app.members[0].phone_masked == seeded.phone[:3] + "****" + seeded.phone[-4:]
    assert app.county_org_id == world.orgs["BZ-MC"]


def test_form_fields_required_by_kind(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    data = f.application_input(seeded)
    data.worker_id_number = None
    with pytest.raises(ValidationFailed) as err:
        service.submit_application(db, principal=county, data=data)
    assert err.value.errors[0].field == "worker_id_number"
    data = f.application_input(seeded, kind="in_school", standard_code="archived_dream_plan")
    data.birth_date = date(2001, 1, 1)
    with pytest.raises(ValidationFailed, match="出生日期与身份证号不符"):
        service.submit_application(db, principal=county, data=data)


def test_standard_must_match_archive_status(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world, archived=False)
    county = f.principal(db, world, "county_a")
    with pytest.raises(ValidationFailed, match="只面向建档困难职工家庭"):
        service.submit_application(db, principal=county, data=f.application_input(seeded))
    app = service.submit_application(
        db, principal=county, data=f.application_input(seeded, standard_code="nonarchived_college")
    )
    assert app.family_archived is False


def test_student_id_must_match_the_registry(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    seeded.student_no = f.resident_id()
    county = f.principal(db, world, "county_a")
    with pytest.raises(ValidationFailed, match="实名制档案"):
        service.submit_application(db, principal=county, data=f.application_input(seeded))


def test_payee_card_defaults_to_the_family_archive(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded, with_card=False))
    assert app.payee_card_masked == seeded.card[:6] + "*" * (len(seeded.card) - 10) + seeded.card[-4:]
    assert app.payee_bank == "中国建设银行蒙城支行"


def test_grassroots_approval_needs_every_attachment_checked(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    with pytest.raises(Conflict, match="材料"):
        service.review(
            db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="同意"
        )
    items = service.checklist(db, app=app)
    assert {i.kind for i in items} >= {"score_slip", "admission_notice", "authorisation", "unit_notice"}
    f.attach_all(db, county, app)
    assert service.checklist_complete(db, app=app)


def test_two_different_reviewers(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    f.attach_all(db, county, app)
    with pytest.raises(Conflict, match="基层工会"):
        service.review(db, principal=county, application_id=app.id, stage="centre", decision="approve", opinion="同意")
    service.review(db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实")
    with pytest.raises(Forbidden, match="不同"):
        service.review(db, principal=county, application_id=app.id, stage="centre", decision="approve", opinion="同意")
    city = f.principal(db, world, "city")
    service.review(
        db,
        principal=city,
        application_id=app.id,
        stage="centre",
        decision="approve",
        opinion="同意",
        amount=Decimal("1800.00"),
    )
    award = service.award_of(db, application=app)
    assert award is not None and award.amount == Decimal("1800.00") and app.status == ApplicationStatus.APPROVED


def test_the_students_counselor_cannot_review(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    app.counselor_id = world.users["county_a"]  # an application on record naming county_a's clerk as counselor
    db.flush()
    f.attach_all(db, county, app)
    with pytest.raises(Forbidden, match="就业指导员"):
        service.review(
            db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实"
        )


def test_return_for_correction_then_refusal_with_reason(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    service.review(
        db, principal=county, application_id=app.id, stage="grassroots", decision="return", opinion="缺少录取通知书"
    )
    assert app.status == ApplicationStatus.RETURNED and app.return_reason == "缺少录取通知书"
    service.correct_application(db, principal=county, application_id=app.id, data=f.application_input(seeded))
    assert app.status == ApplicationStatus.SUBMITTED
    service.review(
        db, principal=county, application_id=app.id, stage="grassroots", decision="refuse", opinion="家庭收入超过标准"
    )
    assert app.status == ApplicationStatus.REFUSED and app.refusal_reason == "家庭收入超过标准"
    assert [r.decision for r in service.reviews_of(db, application_id=app.id)] == ["return", "refuse"]


def test_amount_never_above_the_cap(db: Session, world: World, year: int) -> None:
    with pytest.raises(ValidationFailed, match="2000"):
        f.approved_award(db, world, amount=Decimal("2000.01"))


def test_database_refuses_an_amount_above_the_cap(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    award.amount = Decimal("2500.00")
    with pytest.raises(IntegrityError), db.begin_nested():
        db.flush()


def test_tuition_standard_pays_the_invoice_up_to_2000(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    county, city = f.principal(db, world, "county_a"), f.principal(db, world, "city")
    data = f.application_input(
        seeded, kind="in_school", standard_code="archived_tuition", stage="high_school", tuition=Decimal("2600.00")
    )
    app = service.submit_application(db, principal=county, data=data)
    f.attach_all(db, county, app)
    service.review(db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实")
    service.review(db, principal=city, application_id=app.id, stage="centre", decision="approve", opinion="同意")
    award = service.award_of(db, application=app)
    assert award is not None and award.amount == Decimal("2000.00")


def test_one_award_per_student_year_and_fund(db: Session, world: World, year: int) -> None:
    award, seeded = f.approved_award(db, world)
    county, city = f.principal(db, world, "county_a"), f.principal(db, world, "city")
    data = f.application_input(seeded, kind="in_school", standard_code="archived_dream_plan")
    app = service.submit_application(db, principal=county, data=data)
    f.attach_all(db, county, app)
    service.review(db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实")
    with pytest.raises(Conflict, match="不允许重复"):
        service.review(db, principal=city, application_id=app.id, stage="centre", decision="approve", opinion="同意")
    # the database says the same when the service is bypassed
    twin = AidAward(
        application_id=app.id,
        standard_id=award.standard_id,
        budget_id=award.budget_id,
        student_id=award.student_id,
        org_unit_id=award.org_unit_id,
        county_org_id=award.county_org_id,
        year=award.year,
        fund_source=award.fund_source,
        award_seq=1,
        amount=Decimal(100),
        cap=Decimal(2000),
        status="approved",
    )
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(twin)
        db.flush()


def test_donor_standard_may_allow_more_awards(db: Session, world: World, year: int) -> None:
    service.upsert_standard(
        db,
        year=year,
        spec=service.StandardSpec(
            code="donor_abc",
            name="某爱心企业助学金",
            fund_source="donation",
            archived_family=True,
            stages=["college"],
            kinds=["new_enrolment", "in_school"],
            basis="designated",
            cap=Decimal("500.00"),
            max_awards_per_year=2,
            donor="某爱心企业",
        ),
    )
    _, seeded = f.seeded_student(db, world)
    county, city = f.principal(db, world, "county_a"), f.principal(db, world, "city")
    for _ in range(2):
        app = service.submit_application(
            db, principal=county, data=f.application_input(seeded, standard_code="donor_abc")
        )
        f.attach_all(db, county, app)
        service.review(
            db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实"
        )
        service.review(db, principal=city, application_id=app.id, stage="centre", decision="approve", opinion="同意")
        award = service.award_of(db, application=app)
        assert award is not None and award.amount == Decimal("500.00")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded, standard_code="donor_abc"))
    f.attach_all(db, county, app)
    service.review(db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="属实")
    with pytest.raises(Conflict, match="已达标准允许的次数"):
        service.review(db, principal=city, application_id=app.id, stage="centre", decision="approve", opinion="同意")


def test_budget_limits_awards(db: Session, world: World) -> None:
    f.setup_year(db, world, budget=Decimal("2500.00"))
    f.approved_award(db, world, amount=Decimal("2000.00"))
    with pytest.raises(Conflict, match="预算余额不足"):
        f.approved_award(db, world, amount=Decimal("600.00"))
    totals = {
        (t.county_name, t.fund_source): t
        for t in service.budget_totals(db, principal=f.principal(db, world, "city"), year=f.YEAR)
    }
    city_fund = totals[("蒙城县总工会", "city")]
    assert city_fund.committed == Decimal("2000.00") and city_fund.remaining == Decimal("500.00")


def test_revoking_returns_the_budget(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world, amount=Decimal("1200.00"))
    budget = db.get(AidBudget, award.budget_id)
    assert budget is not None and budget.committed == Decimal("1200.00")
    service.revoke_award(db, principal=f.principal(db, world, "county_a"), award_id=award.id, reason="核实不符")
    assert budget.committed == Decimal("0.00") and award.award_seq is None


def test_notice_period_counts_working_days_over_national_day(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    notice = f.noticed(db, world, [award], starts_on=date(2023, 9, 27))
    # 9/27, 9/28 work; 9/29–10/6 holiday; 10/7 (Saturday) and 10/8 (Sunday) are swapped workdays; then 10/9
    assert notice.ends_on == date(2023, 10, 9)
    assert award.status == AwardStatus.NOTICED


def test_notice_shorter_than_five_working_days_is_refused(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    county = f.principal(db, world, "county_a")
    with pytest.raises(ValidationFailed, match="5 个工作日"):
        service.publish_notice(
            db,
            principal=county,
            org_unit_id=world.orgs["BZ-MC"],
            award_ids=[award.id],
            supervision_phone="0558-3032682",
            starts_on=date(2023, 9, 25),
            today=date(2023, 9, 25),
            working_days=3,
        )


def _pay(db: Session, world: World, award: AidAward, today: date, key: str = "key-00000001") -> service.PaymentAnswer:
    return service.request_payment(
        db, principal=f.principal(db, world, "county_a"), award_id=award.id, idempotency_key=key, today=today
    )


def test_no_payment_before_the_notice_period_ends_or_with_open_objections(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    notice = f.noticed(db, world, [award])
    county = f.principal(db, world, "county_a")
    answer = _pay(db, world, award, notice.ends_on, key="key-early-0001")
    assert answer.status_code == 409 and "公示期未满" in answer.body["detail"]
    objection = service.lodge_objection(
        db, principal=county, notice_id=notice.id, award_id=award.id, content="该户已有稳定收入", today=notice.starts_on
    )
    answer = _pay(db, world, award, AFTER_NOTICE, key="key-open-00001")
    assert answer.status_code == 409 and "异议" in answer.body["detail"]
    service.resolve_objection(
        db, principal=county, objection_id=objection.id, upheld=False, resolution="经走访核实，收入情况属实，异议不成立"
    )
    answer = _pay(db, world, award, AFTER_NOTICE, key="key-after-0001")
    assert answer.status_code == 201


def test_objection_upheld_revokes_the_award(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    notice = f.noticed(db, world, [award])
    county = f.principal(db, world, "county_a")
    with pytest.raises(Conflict, match="公示期内"):
        service.lodge_objection(
            db, principal=county, notice_id=notice.id, award_id=award.id, content="不符", today=AFTER_NOTICE
        )
    objection = service.lodge_objection(
        db, principal=county, notice_id=notice.id, award_id=award.id, content="该户不符合条件", today=date(2023, 9, 26)
    )
    service.resolve_objection(db, principal=county, objection_id=objection.id, upheld=True, resolution="核实属实")
    assert award.status == AwardStatus.REVOKED
    assert _pay(db, world, award, AFTER_NOTICE).status_code == 409
    assert service.notice_lines(db, notice=notice) == []


def test_notice_taken_down_after_its_period(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    notice = f.noticed(db, world, [award])
    assert service.take_down_expired(db, today=notice.ends_on) == 0
    assert service.take_down_expired(db, today=AFTER_NOTICE) == 1
    with pytest.raises(Conflict, match="撤下"):
        service.public_notice(db, principal=f.principal(db, world, "county_a"), notice_id=notice.id)


def test_same_key_same_answer_and_one_payment(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    f.noticed(db, world, [award])
    first = _pay(db, world, award, AFTER_NOTICE, key="same-key-0001")
    again = _pay(db, world, award, AFTER_NOTICE, key="same-key-0001")
    other = _pay(db, world, award, AFTER_NOTICE, key="other-key-0001")
    assert first.status_code == 201 and again.body == first.body and again.replayed
    assert other.status_code == 409 and other.body["payment_id"] == first.body["payment_id"]
    assert len(list(db.scalars(select(AidPayment).where(AidPayment.award_id == award.id)))) == 1


def _paid_through_file(db: Session, world: World, tmp_path, outcome: bankmod.BankOutcome | None):
    award, seeded = f.approved_award(db, world)
    f.noticed(db, world, [award])
    assert _pay(db, world, award, AFTER_NOTICE).status_code == 201
    county = f.principal(db, world, "county_a")
    batch = service.create_batch(db, principal=county, county_org_id=world.orgs["BZ-MC"], year=f.YEAR)
    gateway = bankmod.FileBankGateway(tmp_path)
    sub = service.export_batch(db, principal=county, batch_id=batch.id, gateway=gateway)
    text = sub.content.decode("utf-8-sig")
    assert seeded.card in text and "1500.00" in text
    payment = db.scalar(select(AidPayment).where(AidPayment.award_id == award.id))
    assert payment is not None and payment.status == PaymentStatus.SENT
    results = []
    if outcome is not None:
        results = [bankmod.BankResult(payment.reference, payment.amount, outcome, "")]
    summary = service.import_results(
        db, principal=county, batch_id=batch.id, content=bankmod.render_results(results), gateway=gateway
    )
    return award, payment, summary, gateway


def test_bank_file_round_trip_marks_paid(db: Session, world: World, year: int, tmp_path) -> None:
    award, payment, summary, _ = _paid_through_file(db, world, tmp_path, bankmod.BankOutcome.SUCCEEDED)
    assert summary.succeeded == 1 and payment.status == PaymentStatus.SUCCEEDED
    assert award.status == AwardStatus.PAID
    budget = db.get(AidBudget, award.budget_id)
    assert budget is not None and budget.paid == Decimal("1500.00")
    with pytest.raises(Conflict, match="已发放"):
        service.revoke_award(db, principal=f.principal(db, world, "county_a"), award_id=award.id, reason="误发")
    paid = figures.amounts_paid(db, year=f.YEAR, scope=None)
    assert [(r.county_name, r.fund_source, r.amount) for r in paid] == [("蒙城县总工会", "city", Decimal("1500.00"))]


def test_outcome_unknown_is_queried_before_any_resend(db: Session, world: World, year: int, tmp_path) -> None:
    award, payment, summary, gateway = _paid_through_file(db, world, tmp_path, None)
    assert summary.unknown == 1 and payment.status == PaymentStatus.UNKNOWN
    county = f.principal(db, world, "county_a")
    with pytest.raises(Conflict, match="不能重发"):
        service.resend_payment(db, principal=county, payment_id=payment.id, gateway=gateway)

    class AnsweringBank:
        def __init__(self, outcome: bankmod.BankOutcome) -> None:
            self.outcome, self.asked = outcome, []

        def submit(self, *, batch_reference, instructions):
            raise AssertionError("a resend must not submit")

        def query(self, *, reference):
            self.asked.append(reference)
            return bankmod.BankResult(reference, payment.amount, self.outcome, "")

    paid_bank = AnsweringBank(bankmod.BankOutcome.SUCCEEDED)
    service.resend_payment(db, principal=county, payment_id=payment.id, gateway=paid_bank)
    assert paid_bank.asked == [payment.reference] and payment.status == PaymentStatus.SUCCEEDED
    assert award.status == AwardStatus.PAID


def test_failed_payment_is_resent_with_a_new_reference(db: Session, world: World, year: int, tmp_path) -> None:
    _award, payment, summary, gateway = _paid_through_file(db, world, tmp_path, bankmod.BankOutcome.FAILED)
    assert summary.failed == 1
    old = payment.reference
    service.resend_payment(db, principal=f.principal(db, world, "county_a"), payment_id=payment.id, gateway=gateway)
    assert payment.status == PaymentStatus.PENDING and payment.reference != old and payment.attempts == 2


def test_result_file_with_a_wrong_amount_is_refused(db: Session, world: World, year: int, tmp_path) -> None:
    award, _ = f.approved_award(db, world)
    f.noticed(db, world, [award])
    _pay(db, world, award, AFTER_NOTICE)
    county = f.principal(db, world, "county_a")
    batch = service.create_batch(db, principal=county, county_org_id=world.orgs["BZ-MC"], year=f.YEAR)
    gateway = bankmod.FileBankGateway(tmp_path)
    service.export_batch(db, principal=county, batch_id=batch.id, gateway=gateway)
    payment = db.scalar(select(AidPayment).where(AidPayment.award_id == award.id))
    assert payment is not None
    bad = bankmod.render_results(
        [bankmod.BankResult(payment.reference, Decimal("15000.00"), bankmod.BankOutcome.SUCCEEDED, "")]
    )
    with pytest.raises(ValidationFailed, match="金额与付款不符"):
        service.import_results(db, principal=county, batch_id=batch.id, content=bad, gateway=gateway)


def test_demand_by_county_puts_each_standard_on_its_row(db: Session, world: World, year: int) -> None:
    f.approved_award(db, world, amount=Decimal("1000.00"))
    f.approved_award(db, world, archived=False, amount=Decimal("800.00"))
    rows = {(r.county_name, r.category): r for r in figures.aid_demand_by_county(db, year=f.YEAR, scope=None)}
    assert rows[("蒙城县总工会", "nonarchived_college")].applications == 1
    assert rows[("蒙城县总工会", "archived_new_enrolment")].new_enrolment == 1
