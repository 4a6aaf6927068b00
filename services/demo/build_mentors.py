"""The demo world's mentors and entrepreneurs: a mentor registry (the city's 劳模, 工匠 and 爱心企业, a 创业专家 per
county), one-to-one pairings with unemployed graduates and their contact logs (one ended in work), graduates'
网络创业 / 返乡创业 / 传统创业 projects — one paired with a 创业专家 and started —, the city's 创新创业大赛 with
its entries screened (one refused for 科技含量高) and the funds, space and mentoring given. Every record goes
through the same domain functions as the API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.demo import identities
from services.demo.build_base import BuilderBase, _Grad, log
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.registry.models import Stage
from services.security.principal import Principal
from services.tracking import mentors, ventures
from services.tracking import service as tracking

Refused = (Conflict, ValidationFailed, Forbidden, NotFound)
CITY_MENTORS = (
    ("张国华", "model_worker", "亳州市某机械制造有限公司", "数控加工、技能成才"),
    ("李秀英", "craftsman", "亳州市某中药饮片有限公司", "中药材炮制"),
    ("王经理", "caring_enterprise", "亳州市某医药物流有限公司", "提供实习岗位、就业推荐"),
)
PROJECTS = (
    ("亳芍花茶网店", "online", "在电商平台销售本地花草茶和药食同源产品", ""),
    ("返乡中药材种植合作社", "returning", "返乡流转土地种植白芍、菊花，带动乡邻就业", "利辛县"),
    ("社区便民维修铺", "traditional", "家电、手机维修和以旧换新", ""),
    ("乡村直播助农工作室", "returning", "为乡镇农产品做直播带货", "涡阳县"),
)


class MentorsPart(BuilderBase):
    def _mentors(self) -> None:
        city = self._p(self.city)
        top = self.top_id or self.units[0].unit.id
        registry = []
        for name, kind, unit, field in CITY_MENTORS:
            data = mentors.MentorData(
                org_unit_id=top, name=name, kind=kind, unit=unit, field=field, contact_phone=identities.phone(self.rng)
            )
            registry.append(mentors.create_mentor(self.session, principal=city, data=data))
        experts: dict[str, int] = {}
        for u in self.units:
            if u.clerk is None:
                continue
            data = mentors.MentorData(
                org_unit_id=u.unit.id,
                name=f"{u.unit.name[:2]}创业导师",
                kind="business_expert",
                unit=f"{u.unit.name}创业孵化基地",
                field="电子商务、创业计划",
                contact_phone=identities.phone(self.rng),
            )
            experts[u.unit.code] = mentors.create_mentor(self.session, principal=u.clerk, data=data).id
        paired = self._pairings([m.id for m in registry])
        started = self._projects(experts)
        log.info("demo: %d mentors, %d pairings, %d projects", len(registry) + len(experts), paired, started)

    def _unplaced(self) -> list[_Grad]:
        graduates = [g for g in self.grads if g.stage == Stage.GRADUATE and g.cohort in self.cohorts]
        ids = [g.id for g in graduates]
        statuses = tracking.status_as_of(self.session, as_of=self.today, graduate_ids=ids) if ids else {}
        # from the end of the list: the first ones went to the handoffs and purchased services
        return [g for g in reversed(graduates) if statuses.get(g.id) in {"unemployed", "seeking"}]

    def _counselor(self, grad: _Grad) -> Principal | None:
        unit = self.by_code.get(grad.county)
        return unit.counselor if unit is not None else None

    def _pairings(self, mentor_ids: list[int]) -> int:
        made = 0
        for i, grad in enumerate(self._unplaced()[:6]):
            counselor = self._counselor(grad)
            if counselor is None:
                continue
            try:
                pairing = mentors.pair(
                    self.session,
                    principal=counselor,
                    mentor_id=mentor_ids[i % len(mentor_ids)],
                    graduate_id=grad.id,
                    kind="help",
                    started_on=self.today - timedelta(days=40),
                    goal="每月至少联系一次，帮助明确求职方向、推荐实习岗位",
                )
                for days, channel, summary in (
                    (30, "meeting", "导师与毕业生座谈，了解专业和求职意向"),
                    (10, "phone", "导师电话推荐了两家企业的岗位，约定面试前再辅导一次"),
                ):
                    mentors.record_mentor_contact(
                        self.session,
                        principal=counselor,
                        pairing_id=pairing.id,
                        contacted_on=self.today - timedelta(days=days),
                        channel=channel,
                        summary=summary,
                    )
                if i == 0:
                    mentors.record_outcome(
                        self.session,
                        principal=counselor,
                        pairing_id=pairing.id,
                        outcome=mentors.PairingOutcome(
                            to="employed", on=self.today - timedelta(days=3), employer_name="亳州市某医药物流有限公司"
                        ),
                    )
            except Refused:
                continue
            made += 1
        return made

    def _projects(self, experts: dict[str, int]) -> int:
        city = self._p(self.city)
        top = self.top_id or self.units[0].unit.id
        contest = ventures.create_contest(
            self.session,
            principal=city,
            data=ventures.ContestData(
                org_unit_id=top,
                year=self.today.year,
                name="亳州市困难职工家庭高校毕业生创新创业大赛",
                organiser="亳州市总工会、亳州市人力资源和社会保障局",
                entries_close_on=self.today - timedelta(days=15),
            ),
        )
        made = 0
        i = -1
        for grad in self._unplaced()[6:]:
            if i == 3:
                break
            counselor = self._counselor(grad)
            if counselor is None:
                continue
            name, kind, description, place = PROJECTS[(i + 1) % len(PROJECTS)]
            try:
                venture = ventures.record_venture(
                    self.session,
                    principal=counselor,
                    data=ventures.VentureData(
                        graduate_id=grad.id,
                        name=name,
                        kind=kind,
                        description=description,
                        team=f"{grad.name}等3人",
                        place=place,
                    ),
                )
            except Refused:
                continue  # e.g. handed to another union: the founder is theirs to serve now
            i += 1
            made += 1
            try:
                if i != 3:  # the fourth, a 返乡创业 project, stays outside the contest and is given incubation below
                    self._contest_entry(city, counselor, contest.id, venture.id, grad, experts, i)
                if i in (1, 3):
                    ventures.give_support(
                        self.session,
                        principal=city,
                        data=ventures.SupportData(
                            venture_id=venture.id,
                            kind="space" if i == 1 else "incubation",
                            given_on=self.today - timedelta(days=4),
                            description="市创业孵化基地工位2个，免租一年" if i == 1 else "入驻市创业孵化基地孵化6个月",
                            provider="亳州市创业孵化基地",
                        ),
                    )
            except Refused:
                continue
        return made

    def _contest_entry(
        self,
        city: Principal,
        counselor: Principal,
        contest_id: int,
        venture_id: int,
        grad: _Grad,
        experts: dict[str, int],
        i: int,
    ) -> None:
        """Enter the project in the contest; the third is refused for 科技含量高, the first wins funds; the first two
        founders are paired with their county's 创业专家."""
        entry = ventures.enter(
            self.session,
            principal=counselor,
            contest_id=contest_id,
            venture_id=venture_id,
            on=self.today - timedelta(days=20),
        )
        screening = (
            ventures.Screening(to="refused", on=self.today - timedelta(days=10), criterion="4", note="同类产品多")
            if i == 2
            else ventures.Screening(to="passed", on=self.today - timedelta(days=10))
        )
        ventures.screen(self.session, principal=city, entry_id=entry.id, screening=screening)
        if i == 0:
            ventures.give_support(
                self.session,
                principal=city,
                data=ventures.SupportData(
                    venture_id=venture_id,
                    kind="funds",
                    amount=Decimal("20000.00"),
                    given_on=self.today - timedelta(days=5),
                    description="大赛一等奖创业扶持资金",
                    provider="亳州市总工会",
                    entry_id=entry.id,
                ),
            )
        if i in (0, 1) and grad.county in experts:
            self._startup_pairing(counselor, experts[grad.county], grad.id, venture_id, ended=i == 0)

    def _startup_pairing(
        self, counselor: Principal, mentor_id: int, graduate_id: int, venture_id: int, *, ended: bool
    ) -> None:
        """A 创业结对 with the county's 创业专家; a refusal (e.g. already paired) leaves the project as it is."""
        try:
            pairing = mentors.pair(
                self.session,
                principal=counselor,
                mentor_id=mentor_id,
                graduate_id=graduate_id,
                kind="startup",
                venture_id=venture_id,
                started_on=self.today - timedelta(days=8),
                goal="指导产品包装、网店运营和成果转化",
            )
            if ended:
                mentors.record_outcome(
                    self.session,
                    principal=counselor,
                    pairing_id=pairing.id,
                    outcome=mentors.PairingOutcome(
                        to="business_started", on=self.today - timedelta(days=2), note="网店已开业"
                    ),
                )
        except Refused:
            return
