"""The demo world's 金秋助学 campaign: budgets, consents and checks, applications at every step, notices
and payments."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.aid import bank as aid_bank
from services.aid import service as aid
from services.aid.attachments import REQUIRED as AID_REQUIRED
from services.aid.models import AidApplication, AidAward
from services.catalog.models import Position
from services.demo import identities
from services.demo.build_base import PDF, BuilderBase, _count, _csv_rows, _Grad, _Unit, log
from services.errors import DomainError
from services.registry import access as registry_access
from services.registry import checks as registry_checks
from services.registry.models import Family, Stage
from services.security.principal import Principal
from services.tracking.models import Application


class AidPart(BuilderBase):
    def _aid(self) -> None:
        year = self.today.year
        aid.load_year(self.session, year=year)
        city = self._p(self.city)
        for unit in self.units:
            for fund, amount in (("province", 60000), ("city", 80000)):
                aid.set_budget(
                    self.session,
                    principal=city,
                    county_org_id=unit.unit.id,
                    year=year,
                    fund_source=fund,
                    amount=Decimal(max(20000, round(amount * self.size * 2))),
                    note="市总下达",
                )
        students = [g for g in self.grads if g.stage == Stage.STUDENT]
        college = [g for g in students if g.school_kind in {"06", "07", "08"}]
        school = [g for g in students if g.school_kind in {"02", "03", "04"}]
        applications: list[tuple[int, _Grad]] = []
        total = _count(60, self.size, 22)
        pool = self.rng.sample(college, min(len(college), total))
        pool += self.rng.sample(school, min(len(school), max(2, total // 8)))
        for grad in pool:
            app_id = self._aid_application(grad, year)
            if app_id is not None:
                applications.append((app_id, grad))
        self._aid_steps(applications, year)

    def _aid_application(self, grad: _Grad, year: int) -> int | None:
        rng = self.rng
        unit = next(u for u in self.units if u.unit.code == grad.county)
        new = grad.enrolled.year == year
        if grad.school_kind in {"02", "03", "04"}:
            code, stage, kind = (
                "archived_tuition",
                {"02": "compulsory", "03": "compulsory", "04": "high_school"}[grad.school_kind],
                "in_school",
            )
        elif not grad.archived:
            code, stage, kind = "nonarchived_college", "college", "new_enrolment" if new else "in_school"
        else:
            code, stage = ("archived_new_enrolment", "college") if new else ("archived_dream_plan", "college")
            kind = "new_enrolment" if new else "in_school"
        if kind == "new_enrolment" and not grad.head_id:
            kind = "in_school"
            if code == "archived_new_enrolment":
                return None
        data = aid.ApplicationInput(
            kind=kind,
            year=year,
            student_id=grad.id,
            standard_code=code,
            education_stage=stage,
            student_name=grad.name,
            student_id_number=grad.id_number,
            home_address=grad.address,
            school_name=grad.school,
            enrolment_date=grad.enrolled,
            length_of_study=grad.study_years,
            reason=rng.choice(
                (
                    "父亲患病长期治疗，家庭收入微薄，学费难以负担",
                    "父母均为农民工，收入不稳定，家中两个孩子上学",
                    "母亲下岗后靠零工维持生活，申请助学金完成学业",
                )
            ),
            hardship_reason=rng.choice(("因病致困", "子女上学", "下岗失业", "收入低")),
            major=grad.major_raw or "（无）",
            school_kind=grad.school_kind,
            worker_name=grad.head_name,
            worker_employer=grad.head_employer or "无固定单位",
            worker_id_number=grad.head_id,
            sex="女" if grad.female else "男",
            ethnicity="汉族",
            birth_date=grad.birth,
            tuition_invoice_amount=Decimal(rng.choice((800, 1200, 1500, 2400))) if code == "archived_tuition" else None,
            requested_amount=Decimal(rng.choice((1000, 1500, 2000))) if code != "archived_tuition" else None,
            payee_name=None if grad.head_id else grad.name,
            payee_bank=None if grad.head_id else "中国邮政储蓄银行",
            payee_card=None if grad.head_id else identities.bank_card(rng),
            members=[aid.MemberInput(relation="户主", name=grad.head_name)] if grad.head_name else [],
        )
        if kind == "new_enrolment" and not grad.head_id:
            return None
        if grad.family_id is not None and grad.head_id and grad.head_name:
            self._consent(grad, unit)
        try:
            with self.session.begin_nested():
                app = aid.submit_application(self.session, principal=self._p(unit.clerk), data=data)
        except DomainError as exc:
            log.info("demo aid application skipped: %s", exc.detail)
            return None
        self.summary.aid_applications += 1
        return app.id

    def _consent(self, grad: _Grad, unit: _Unit) -> None:
        """附件5: the family authorises the economic-status check for the aid application; the check follows."""
        assert grad.family_id is not None
        assert grad.head_id is not None
        assert grad.head_name is not None
        family = registry_access.get_family(self.session, principal=self._p(unit.clerk), family_id=grad.family_id)
        if registry_checks.consent_in_force(self.session, family_id=family.id) is not None:
            return
        registry_checks.record_consent(
            self.session,
            principal=self._p(unit.clerk),
            family=family,
            purpose="金秋助学",
            signed_on=self.today - timedelta(days=self.rng.randint(20, 60)),
            handler_name=self._name(True),
            grassroots_union=unit.unit.name,
            phone=identities.phone(self.rng),
            people=[
                registry_checks.CoveredPerson(name=grad.head_name, relation="本人", id_number=grad.head_id),
                registry_checks.CoveredPerson(
                    name=grad.name, relation="女" if grad.female else "子", id_number=grad.id_number
                ),
            ],
        )
        registry_checks.log_check(
            self.session,
            principal=self._p(unit.clerk),
            family=family,
            checked_on=self.today - timedelta(days=self.rng.randint(5, 19)),
            agency="亳州市居民家庭经济状况核对中心",
            items=["社保", "车辆", "房屋", "存款"],
            result="核对结果与申报情况一致",
        )

    def _attach_all(self, app_id: int, clerk: Principal) -> None:
        app = self.session.get(AidApplication, app_id)
        assert app is not None
        for kind in AID_REQUIRED[app.kind]:
            row = aid.upload_attachment(
                self.session, principal=clerk, application_id=app_id, kind=kind, filename=f"{kind}.pdf", content=PDF
            )
            aid.check_attachment(self.session, principal=clerk, attachment_id=row.id, note="原件已核对")

    def _aid_steps(self, applications: list[tuple[int, _Grad]], year: int) -> None:
        """Spread the applications over every step: submitted, returned, refused, reviewed by the grassroots union,
        approved, in a public notice (with objections, one upheld), payment requested, paid."""
        steps = (
            "submitted",
            "returned",
            "refused",
            "grassroots_approved",
            "approved",
            "noticed",
            "noticed",
            "objection",
            "paying",
            "paid",
            "paid",
        )
        centre = self._p(self.centre)
        noticed: dict[str, list[tuple[int, int, _Grad]]] = {"current": [], "ended": []}
        for i, (app_id, grad) in enumerate(applications):
            step = steps[i % len(steps)]
            unit = next(u for u in self.units if u.unit.code == grad.county)
            clerk = self._p(unit.clerk)
            if step == "submitted":
                continue
            try:
                with self.session.begin_nested():
                    if step == "returned":
                        aid.review(
                            self.session,
                            principal=clerk,
                            application_id=app_id,
                            stage="grassroots",
                            decision="return",
                            opinion="缺少学费发票原件，请补正后重新提交",
                        )
                        continue
                    self._attach_all(app_id, clerk)
                    if step == "refused":
                        aid.review(
                            self.session,
                            principal=clerk,
                            application_id=app_id,
                            stage="grassroots",
                            decision="refuse",
                            opinion="经核实家庭收入高于建档标准，不予资助",
                        )
                        continue
                    aid.review(
                        self.session,
                        principal=clerk,
                        application_id=app_id,
                        stage="grassroots",
                        decision="approve",
                        opinion="情况属实，同意推荐",
                    )
                    if step == "grassroots_approved":
                        continue
                    approved = aid.review(
                        self.session,
                        principal=centre,
                        application_id=app_id,
                        stage="centre",
                        decision="approve",
                        opinion="符合资助标准，同意资助",
                    )
                    award = aid.award_of(self.session, application=approved)
                    assert award is not None
                    if step != "approved":
                        which = "current" if step in {"noticed", "objection"} else "ended"
                        noticed[which].append((award.id, unit.unit.id, grad))
            except DomainError as exc:
                log.info("demo aid step skipped: %s", exc.detail)
        self._notices(noticed, year)

    def _notices(self, noticed: dict[str, list[tuple[int, int, _Grad]]], year: int) -> None:
        city = self._p(self.city)
        starts = {"current": self.today - timedelta(days=1), "ended": self.today - timedelta(days=25)}
        for which, awards in noticed.items():
            if not awards:
                continue
            notice = aid.publish_notice(
                self.session,
                principal=city,
                org_unit_id=self.top_id,
                award_ids=[a for a, _, _ in awards],
                supervision_phone="05585512345",
                starts_on=starts[which],
                today=starts[which],
                unit_name="亳州市总工会",
            )
            if which == "current":
                for n, (award_id, _, _) in enumerate(awards[:3]):
                    objection = aid.lodge_objection(
                        self.session,
                        principal=city,
                        notice_id=notice.id,
                        award_id=award_id,
                        content="反映该户家中有经营性车辆，请核实",
                        today=self.today,
                    )
                    if n < 2:
                        aid.resolve_objection(
                            self.session,
                            principal=self._p(self.centre),
                            objection_id=objection.id,
                            upheld=n == 0,
                            resolution="经入户核查属实，撤销资助" if n == 0 else "经核查车辆已于前年转让，异议不成立",
                        )
                continue
            aid.take_down(self.session, principal=city, notice_id=notice.id, today=self.today)
            self._payments(awards, year)

    def _payments(self, awards: list[tuple[int, int, _Grad]], year: int) -> None:
        city = self._p(self.city)
        by_county: dict[int, list[int]] = {}
        for award_id, _, _grad in awards:
            answer = aid.request_payment(
                self.session,
                principal=city,
                award_id=award_id,
                idempotency_key=f"demo-pay-{award_id:06d}",
                today=self.today,
            )
            if answer.status_code == 201:
                award = self.session.get(AidAward, award_id)
                assert award is not None
                by_county.setdefault(award.county_org_id, []).append(award_id)
        gateway = aid_bank.FileBankGateway()
        for county_id in sorted(by_county)[: max(1, len(by_county) // 2 + 1)]:
            batch = aid.create_batch(self.session, principal=city, county_org_id=county_id, year=year)
            submission = aid.export_batch(self.session, principal=city, batch_id=batch.id, gateway=gateway)
            results = [
                aid_bank.BankResult(row[0], Decimal(row[4]), aid_bank.BankOutcome.SUCCEEDED, "")
                for row in _csv_rows(submission.content)
            ]
            aid.import_results(
                self.session,
                principal=city,
                batch_id=batch.id,
                content=aid_bank.render_results(results),
                gateway=gateway,
            )

    # ------------------------------------------------------------------------------------------ summary

    def _count_all(self) -> None:
        s = self.summary
        session = self.session
        s.graduates = sum(1 for g in self.grads if g.stage == Stage.GRADUATE)
        s.students = sum(1 for g in self.grads if g.stage == Stage.STUDENT)
        s.members = int(session.scalar(select(func.sum(Family.family_size))) or 0) - s.families
        s.positions_by_kind = dict(sorted(Counter(session.scalars(select(Position.kind))).items()))
        s.applications_by_state = dict(sorted(Counter(session.scalars(select(Application.state))).items()))
        s.applications = sum(s.applications_by_state.values())
        s.aid_by_status = dict(sorted(Counter(session.scalars(select(AidApplication.status))).items()))
