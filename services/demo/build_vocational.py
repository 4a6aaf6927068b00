"""The demo world's vocational path: children of archived families who left junior or senior high school become
两后生 (service category 四) with their 技能培训 courses (one certified, one dropped), a 中职 enrolment and an
apprenticeship; two 金牌蓝领 pairings — 亳州职业技术学院 and a 中职 school, each with a verified enterprise of the
region — with students, internships, the enterprise's aid and a placement into the enterprise. Every record goes
through the same domain functions as the API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from services.catalog import pairings as catalog_pairings
from services.catalog.models import Employer, EmployerStatus
from services.demo import lexicon
from services.demo.build_base import BuilderBase, log
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.registry import vocational
from services.registry.access import get_graduate
from services.registry.graduates import create_graduate, update_graduate
from services.registry.models import Stage
from services.security.principal import Principal
from services.tracking import pairings

VOCATIONAL_SCHOOL = "亳州中药科技学校"  # a 中职 of the region
COLLEGE = "亳州职业技术学院"
Refused = (Conflict, Forbidden, NotFound, ValidationFailed)


class VocationalPart(BuilderBase):
    def _vocational(self) -> None:
        city = self._p(self.city)
        enrolled = self._two_after(city)
        employers = self._verified_employers()
        if len(employers) < 2:
            return
        start = date(self.today.year - 1, 9, 1)
        college = self._pairing(city, employers[0], COLLEGE, "06", start, "智能制造、药品生产技术", 12)
        school = self._pairing(city, employers[1], VOCATIONAL_SCHOOL, "05", start, "中药制药、中药材种植", 8)
        students = [g for g in self.grads if g.stage == Stage.STUDENT and g.school == COLLEGE][:5]
        self._pair_students(city, college, [g.id for g in students], place_first=True)
        if enrolled is not None:
            self._pair_students(city, school, [enrolled], place_first=False)
        log.info("demo: 两后生 tracks and 金牌蓝领 pairings with %d students", len(students) + (enrolled is not None))

    def _verified_employers(self) -> list[Employer]:
        stmt = (
            select(Employer)
            .where(Employer.status == EmployerStatus.VERIFIED, Employer.division_code.like("3416%"))
            .order_by(Employer.id)
            .limit(2)
        )
        return list(self.session.scalars(stmt))

    def _two_after(self, city: Principal) -> int | None:
        """Four school leavers become 两后生 with their steps; the one enrolled at the 中职 school is returned."""
        leavers = [g for g in self.grads if g.stage == Stage.STUDENT and g.school_kind in {"03", "04"}][:4]
        ids: list[int] = []
        for grad in leavers:
            try:
                graduate = get_graduate(self.session, principal=city, graduate_id=grad.id)
                update_graduate(self.session, principal=city, graduate=graduate, raw={"service_category": "4"})
                ids.append(grad.id)
            except Refused:
                continue
        while len(ids) < 4:  # a small world has few children of school age: register school leavers of its own
            made = self._new_two_after(city, len(ids))
            if made is None:
                break
            ids.append(made)
        enrolled: int | None = None
        year_ago = self.today - timedelta(days=300)
        for i, graduate_id in enumerate(ids):
            steps: list[tuple[vocational.TrackData, vocational.TrackMove | None]]
            if i == 0:
                steps = [
                    (
                        vocational.TrackData(
                            kind="training",
                            programme="电工（初级）",
                            provider="亳州市职业技能培训中心",
                            starts_on=year_ago,
                            ends_on=year_ago + timedelta(days=60),
                            hours=160,
                        ),
                        vocational.TrackMove(
                            to="completed",
                            on=year_ago + timedelta(days=60),
                            certificate="电工职业技能等级证书（五级/初级工）",
                            certificate_no=f"S{self.today.year - 1}3416{graduate_id:06d}",
                            outcome="further_training",
                        ),
                    ),
                    (
                        vocational.TrackData(
                            kind="apprenticeship",
                            programme="维修电工",
                            provider="亳州市某机电设备有限公司",
                            starts_on=year_ago + timedelta(days=75),
                            ends_on=year_ago + timedelta(days=75 + 730),
                        ),
                        None,
                    ),
                ]
            elif i == 1:
                steps = [
                    (
                        vocational.TrackData(
                            kind="school",
                            programme="中药制药",
                            provider=VOCATIONAL_SCHOOL,
                            school_type="secondary_vocational",
                            starts_on=date(self.today.year - 1, 9, 1),
                            ends_on=date(self.today.year + 2, 7, 1),
                        ),
                        None,
                    )
                ]
            elif i == 2:
                steps = [
                    (
                        vocational.TrackData(
                            kind="training",
                            programme="中式烹调师（初级）",
                            provider="谯城区就业技能培训学校",
                            starts_on=self.today - timedelta(days=20),
                            ends_on=self.today + timedelta(days=40),
                            hours=120,
                        ),
                        None,
                    )
                ]
            else:
                steps = [
                    (
                        vocational.TrackData(
                            kind="training",
                            programme="汽车维修工（初级）",
                            provider="亳州市职业技能培训中心",
                            starts_on=self.today - timedelta(days=90),
                            hours=200,
                        ),
                        vocational.TrackMove(
                            to="dropped", on=self.today - timedelta(days=30), outcome_note="随父母外出务工"
                        ),
                    )
                ]
            for data, move in steps:
                try:
                    track = vocational.add_track(self.session, principal=city, graduate_id=graduate_id, data=data)
                    if move is not None:
                        vocational.move_track(
                            self.session, principal=city, graduate_id=graduate_id, track_id=track.id, move=move
                        )
                except Refused:
                    continue
            if i == 1:
                enrolled = graduate_id
        return enrolled

    def _new_two_after(self, city: Principal, n: int) -> int | None:
        unit = self.units[n % len(self.units)]
        home = unit.grassroots[0] if unit.grassroots else unit.unit
        female = self.rng.random() < 0.4
        person = self._person(county=unit.division, birth=date(self.today.year - 17, 3 + n, 10), female=female)
        raw = {
            "name": person.name,
            "id_number": person.id_number,
            "ethnicity": "01",
            "service_category": "4",
            "stage": "在校生",
            "school_kind": "03",
            "school_name": f"{lexicon.COUNTY_NAMES[unit.division]}第二初级中学",
            "enrolled_on": date(self.today.year - 4, 9, 1).isoformat(),
            "study_years": "3",
            "education": "71",
            "cohort": str(self.today.year - 1),
            "home_division_code": unit.division,
            "assistance_needs": "初中毕业后未继续升学，希望参加技能培训",
        }
        try:
            return create_graduate(self.session, principal=city, org_unit_id=home.id, raw=raw).id
        except Refused:
            return None

    def _pairing(
        self,
        city: Principal,
        employer: Employer,
        school: str,
        kind: str,
        start: date,
        majors: str,
        headcount: int,
    ) -> catalog_pairings.GoldenPairing:
        return catalog_pairings.create_pairing(
            self.session,
            principal=city,
            data=catalog_pairings.PairingData(
                org_unit_id=self.top_id or self.units[0].unit.id,
                number=f"BZGH-JPLL-{start.year}-{kind}",
                school_name=school,
                school_kind=kind,
                employer_id=employer.id,
                majors=majors,
                starts_on=start,
                ends_on=date(start.year + 3, 7, 31),
                terms="企业每年向结对困难职工子女发放助学金，安排认识实习、跟岗实习和岗位实习，毕业考核合格的优先录用",
                headcount=headcount,
                aid_per_student=Decimal("2000.00"),
            ),
        )

    def _pair_students(
        self, city: Principal, pairing: catalog_pairings.GoldenPairing, graduate_ids: list[int], *, place_first: bool
    ) -> None:
        joined_on = max(pairing.starts_on, self.today - timedelta(days=200))
        for i, graduate_id in enumerate(graduate_ids):
            try:
                row = pairings.add_student(
                    self.session, principal=city, pairing_id=pairing.id, graduate_id=graduate_id, joined_on=joined_on
                )
                pairings.record_aid(
                    self.session,
                    principal=city,
                    student_id=row.id,
                    amount=Decimal("1000.00"),
                    paid_on=joined_on + timedelta(days=10),
                    note="上学期助学金",
                )
                if i < 3:
                    pairings.record_internship(
                        self.session,
                        principal=city,
                        student_id=row.id,
                        data=pairings.InternshipData(
                            kind="follow" if i else "post",
                            post="生产线操作工" if i else "设备维护技术员",
                            starts_on=self.today - timedelta(days=60),
                            ends_on=self.today - timedelta(days=15),
                            assessment="按时到岗，学习认真",
                        ),
                    )
                if place_first and i == 0:
                    pairings.move_student(
                        self.session,
                        principal=city,
                        student_id=row.id,
                        move=pairings.PairingMove(
                            to="placed", on=self.today - timedelta(days=5), post="设备维护技术员"
                        ),
                    )
            except Refused:
                continue
