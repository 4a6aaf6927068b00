"""The demo world's employment policies and national aid: the notice's policies as their first versions (and a
second version of 职业介绍补贴), each county's fund budgets, claims at every step — a 暑期专项勤工俭学补贴 paid
exactly once to the bank card (its payment requested twice with one key), a 基层就业学费补偿 granted, a
技能培训补贴 waiting — and the 奖助贷勤减免 of some students, the rest left for the not-enrolled list. Every record
goes through the same domain functions as the API."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.aid import bank as aid_bank
from services.aid import national_aid, policies, policy_claims
from services.aid import service as aid
from services.aid.models import AidPayment, PaymentStatus
from services.aid.policy_models import AidPolicy, ClaimStatus
from services.demo.build_base import BuilderBase, _csv_rows, _Grad, log
from services.errors import DomainError
from services.registry.models import Stage
from services.tracking import service as tracking

FUNDS = (
    ("government_employment", 60000),
    ("central_support", 20000),
    ("province_employment", 10000),
    ("city_support", 20000),
)


class PoliciesPart(BuilderBase):
    def _policies(self) -> None:
        city = self._p(self.city)
        first = date(self.cohorts[0], 1, 1)
        policies.load_bundled(self.session, principal=city, valid_from=first)
        spec = next(s for s in policies.bundled_specs(date(self.today.year, 1, 1)) if s.code == "job_referral")
        if spec.valid_from > first:
            policies.publish_version(self.session, principal=city, spec=replace(spec, amount=Decimal("500.00")))
        year = self.today.year
        for unit in self.units:
            for fund, amount in FUNDS:
                policies.set_fund_budget(
                    self.session,
                    principal=city,
                    county_org_id=unit.unit.id,
                    year=year,
                    fund=fund,
                    amount=Decimal(max(5000, round(amount * self.size))),
                )
        codes = {p.code: p.id for p in self.session.scalars(select(AidPolicy))}
        self._summer_special_paid(codes["summer_special"], year)
        self._grassroots_tuition(codes["grassroots_tuition"], year)
        self._training_waiting(codes["skills_training"], year)
        self._national_aid()

    def _claim(self, grad: _Grad, policy_id: int, year: int, **kw: object) -> int | None:
        unit = next((u for u in self.units if u.unit.code == grad.county), None)
        who = self._p(unit.counselor if unit is not None and unit.counselor else self.city)
        data = policy_claims.ClaimInput(student_id=grad.id, policy_id=policy_id, year=year, **kw)  # type: ignore[arg-type]
        try:
            with self.session.begin_nested():
                return policy_claims.apply_claim(self.session, principal=who, data=data, today=self.today).id
        except DomainError:
            return None

    def _pending_counties(self) -> set[int]:
        """Counties holding aid payments not yet in a batch: the demo's claim batch keeps clear of them."""
        return set(
            self.session.scalars(
                select(AidPayment.county_org_id).where(
                    AidPayment.status == PaymentStatus.PENDING, AidPayment.batch_id.is_(None)
                )
            )
        )

    def _summer_special_paid(self, policy_id: int, year: int) -> None:
        city = self._p(self.city)
        busy = self._pending_counties()
        students = [
            g
            for g in self.grads
            if g.stage == Stage.STUDENT and g.archived and self.by_code[g.county].unit.id not in busy
        ]
        for grad in students:
            claim_id = self._claim(
                grad, policy_id, year, requested_amount=Decimal("1200.00"), proofs=("暑期勤工俭学考勤表",)
            )
            if claim_id is None:
                continue
            claim = policy_claims.grant_claim(self.session, principal=city, claim_id=claim_id)
            key = f"demo-claim-{claim_id:06d}"
            first = policy_claims.pay_claim(
                self.session, principal=city, claim_id=claim_id, idempotency_key=key, today=self.today
            )
            again = policy_claims.pay_claim(
                self.session, principal=city, claim_id=claim_id, idempotency_key=key, today=self.today
            )
            assert first.status_code == 201
            assert again.replayed
            assert again.body == first.body
            gateway = aid_bank.FileBankGateway()
            batch = aid.create_batch(self.session, principal=city, county_org_id=claim.county_org_id, year=year)
            submission = aid.export_batch(self.session, principal=city, batch_id=batch.id, gateway=gateway)
            results = [
                aid_bank.BankResult(row[0], Decimal(row[4]), aid_bank.BankOutcome.SUCCEEDED, "")
                for row in _csv_rows(submission.content)
            ]
            content = aid_bank.render_results(results)
            aid.import_results(self.session, principal=city, batch_id=batch.id, content=content, gateway=gateway)
            assert claim.status == ClaimStatus.PAID
            log.info("demo: 暑期专项勤工俭学补贴 claim %d paid once", claim_id)
            return

    def _grassroots_tuition(self, policy_id: int, year: int) -> None:
        city = self._p(self.city)
        ids = [g.id for g in self.grads if g.stage == Stage.GRADUATE]
        statuses = tracking.status_as_of(self.session, as_of=self.today, graduate_ids=ids) if ids else {}
        done = 0
        for grad in self.grads:
            if done == 2:
                break
            if statuses.get(grad.id) != "grassroots":
                continue
            claim_id = self._claim(
                grad,
                policy_id,
                year,
                requested_amount=Decimal("6000.00"),
                employer_name="服务地乡镇人民政府",
                employer_kind="grassroots_program",
                employer_place=self.by_code[grad.county].division,
                proofs=("就业协议或劳动合同", "学费缴费凭证", "基层服务满3年证明"),
            )
            if claim_id is None:
                continue
            if done == 0:
                policy_claims.grant_claim(self.session, principal=city, claim_id=claim_id)
            done += 1

    def _training_waiting(self, policy_id: int, year: int) -> None:
        ids = [g.id for g in self.grads if g.stage == Stage.GRADUATE]
        statuses = tracking.status_as_of(self.session, as_of=self.today, graduate_ids=ids) if ids else {}
        for grad in self.grads:
            if grad.archived and statuses.get(grad.id) in {"unemployed", "seeking"}:
                made = self._claim(
                    grad,
                    policy_id,
                    year,
                    requested_amount=Decimal("1800.00"),
                    proofs=("培训合格证书或职业技能等级证书", "培训费发票"),
                )
                if made is not None:
                    return

    def _national_aid(self) -> None:
        kinds = (
            ("grant", Decimal("3300.00"), "国家助学金（{school}）"),
            ("loan", Decimal("12000.00"), "生源地信用助学贷款（国家开发银行）"),
            ("scholarship", Decimal("5000.00"), "国家励志奖学金（{school}）"),
            ("work_study", Decimal("1600.00"), "校内勤工助学（{school}）"),
            ("waiver", Decimal("4800.00"), "学费免除（{school}）"),
        )
        students = [g for g in self.grads if g.stage == Stage.STUDENT and g.archived]
        city = self._p(self.city)
        stored = 0
        for n, grad in enumerate(students[: max(2, len(students) * 2 // 3)]):
            kind, amount, source = kinds[n % len(kinds)]
            data = national_aid.NationalAidInput(
                student_id=grad.id,
                kind=kind,
                year=self.today.year if self.today.month >= 9 else self.today.year - 1,
                amount=amount,
                source=source.format(school=grad.school),
            )
            national_aid.record_national_aid(self.session, principal=city, data=data)
            stored += 1
        log.info("demo: %d national aid records", stored)
