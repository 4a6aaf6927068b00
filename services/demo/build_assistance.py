"""The demo world's work beyond the county: a graduate handed to the 合肥市总工会 (a union outside the tree, its
acknowledgement and outcome recorded by the sending counselor on its behalf) and one still waiting at a 合肥 county
union; a purchased-service contract of the city with unemployed graduates referred, accepted, placed and not placed.
Every record goes through the same domain functions as the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.catalog import service as catalog
from services.demo import identities
from services.demo.build_base import BuilderBase, _Grad, log
from services.errors import Conflict, ValidationFailed
from services.registry.models import Stage
from services.tracking import service as tracking

HEFEI = "340100"  # 合肥市
SHUSHAN = "340104"  # 合肥市蜀山区


class AssistancePart(BuilderBase):
    def _assistance(self) -> None:
        self._hefei_handoffs()
        self._purchased_services()

    def _unemployed(self, county: str | None = None) -> list[_Grad]:
        graduates = [
            g
            for g in self.grads
            if g.stage == Stage.GRADUATE and g.cohort in self.cohorts and (county is None or g.county == county)
        ]
        ids = [g.id for g in graduates]
        statuses = tracking.status_as_of(self.session, as_of=self.today, graduate_ids=ids) if ids else {}
        return [g for g in graduates if statuses.get(g.id) in {"unemployed", "seeking"}]

    def _hefei_handoffs(self) -> None:
        home = self.by_code.get("BZ-MC")
        if home is None:
            return
        counselor = self._p(home.counselor)
        sent = 0
        for grad in self._unemployed("BZ-MC"):
            if sent == 2:
                break
            division = HEFEI if sent == 0 else SHUSHAN
            try:
                handoff = tracking.request_external_handoff(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    division_code=division,
                    contact_name="王老师" if sent == 0 else "陈老师",
                    contact_phone=identities.phone(self.rng),
                    reason="毕业生意向到合肥市就业，家人在合肥务工，转介当地工会推荐岗位",
                    intended_place="合肥市" if sent == 0 else "合肥市蜀山区",
                )
            except (Conflict, ValidationFailed):
                continue
            sent += 1
            if division != HEFEI:
                continue  # the 蜀山区 handoff waits for that union's answer
            tracking.decide_handoff(
                self.session,
                principal=counselor,
                handoff_id=handoff.id,
                accept=True,
                note="合肥市总工会王老师电话确认接收，将推荐合肥当地岗位",
            )
            tracking.record_handoff_outcome(
                self.session,
                principal=counselor,
                handoff_id=handoff.id,
                outcome="unemployed",
                outcome_on=self.today,
                note="已参加合肥市总工会组织的专场招聘会，继续推荐岗位",
            )
        log.info("demo: %d handoffs to 合肥 unions", sent)

    def _purchased_services(self) -> None:
        city = self._p(self.city)
        provider = catalog.create_provider(
            self.session,
            principal=city,
            data=catalog.ProviderData(
                name="亳州市皖北人力资源服务有限公司",
                credit_code=identities.credit_code(self.rng, division="341600"),
                kind="hr_agency",
                contact_name="刘经理",
                contact_phone=identities.phone(self.rng),
                address="亳州市谯城区",
            ),
        )
        buyer = self.top_id or self.units[0].unit.id
        contract = catalog.create_contract(
            self.session,
            principal=city,
            data=catalog.ContractData(
                provider_id=provider.id,
                org_unit_id=buyer,
                number=f"BZGH-GM-{self.today.year}-01",
                title="困难职工家庭未就业高校毕业生定向就业援助服务",
                service_content="职业培训、就业咨询、面试指导、岗位推荐，每人至少推荐3个岗位",
                starts_on=self.today - timedelta(days=60),
                ends_on=self.today + timedelta(days=120),
                amount=Decimal("60000.00"),
                fund="province",
                graduates_to_serve=12,
            ),
        )
        by_county = {u.unit.code: u for u in self.units}
        referred = []
        for grad in self._unemployed()[:6]:
            counselor = by_county[grad.county].counselor
            try:
                referred.append(
                    tracking.refer(
                        self.session,
                        principal=self._p(counselor),
                        graduate_id=grad.id,
                        contract_id=contract.id,
                        note="需要面试辅导和岗位推荐",
                    )
                )
            except (Conflict, ValidationFailed):
                continue
        for i, row in enumerate(referred[:4]):
            tracking.move_referral(
                self.session,
                principal=city,
                referral_id=row.id,
                move=tracking.ReferralMove(to="accepted", on=self.today),
            )
            if i == 0:
                move = tracking.ReferralMove(to="placed", on=self.today, employer_name="亳州市某医药物流有限公司")
            elif i == 1:
                move = tracking.ReferralMove(to="not_placed", on=self.today, note="本人暂缓求职，转回县区跟踪")
            else:
                continue
            tracking.move_referral(self.session, principal=city, referral_id=row.id, move=move)
        log.info("demo: purchased-service contract with %d referrals", len(referred))
