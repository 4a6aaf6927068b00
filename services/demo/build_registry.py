"""The demo world's registry: families, members, graduates and pupils handed in as each grassroots union's
sheet and taken in by the registry's own import."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from services.demo import identities, lexicon
from services.demo.build_base import COUNTY_WEIGHTS, BuilderBase, _count, _Grad, _Person, _Unit, _weighted
from services.errors import ValidationFailed
from services.orgs.models import OrgUnit
from services.registry import importer
from services.registry import writes as registry_writes
from services.registry.forms import FAMILY_FIELDS, GRADUATE_FIELDS, HEAD_ID_FIELD, MEMBER_FIELDS
from services.registry.models import Family, Graduate, ImportStatus


class RegistryPart(BuilderBase):
    def _registry(self) -> None:
        """Each county-level union hands in its sheets (档案, 家庭成员, 学生毕业生) and the registry imports them."""
        total = _count(2000, self.size, 40)
        weights = [COUNTY_WEIGHTS.get(u.unit.code, 3) for u in self.units]
        plan = Counter(self.rng.choices(range(len(self.units)), weights=weights, k=total))
        outsiders = _count(80, self.size, 4)
        for index, unit in enumerate(self.units):
            extra = outsiders // len(self.units) + (1 if index < outsiders % len(self.units) else 0)
            if plan[index] or extra:
                self._import_unit(unit, unit.unit, plan[index], extra)
        self.summary.families = len(self.families)

    def _import_unit(self, unit: _Unit, grassroots: OrgUnit, count: int, outsiders: int) -> None:
        rng = self.rng
        county = unit.division
        family_rows: list[dict[str, Any]] = []
        member_rows: list[dict[str, Any]] = []
        graduate_rows: list[dict[str, Any]] = []
        pending: list[dict[str, Any]] = []
        for _ in range(count):
            head, fam = self._family_row(grassroots, county)
            family_rows.append(fam)
            members, grads = self._household(head, fam, county)
            member_rows += members
            graduate_rows += grads
            pending += [{"row": g, "family": fam} for g in grads]
        for _ in range(outsiders):
            grad = self._graduate_row(None, county, category=rng.choice(("3", "6")))
            graduate_rows.append(grad)
            pending.append({"row": grad, "family": None})
        # three CSV files, as a grassroots union exports them from its own spreadsheet: the archives first, then
        # the members and the students, which name the head of family by ID number
        for label, fields, rows in (
            ("档案", FAMILY_FIELDS, family_rows),
            ("家庭成员", (HEAD_ID_FIELD, *MEMBER_FIELDS), member_rows),
            ("学生毕业生", GRADUATE_FIELDS, graduate_rows),
        ):
            if rows:
                self._import_csv(unit, grassroots, f"{grassroots.name}{label}{self.today.year}.csv", fields, rows)
        self._remember(unit, pending)

    def _import_csv(
        self, unit: _Unit, grassroots: OrgUnit, filename: str, fields: Sequence[Any], rows: list[dict[str, Any]]
    ) -> None:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([f.column for f in fields if not f.derived])
        writer.writerows(self._cells(fields, rows))
        job = importer.create_job(
            self.session,
            principal=self._p(unit.clerk),
            filename=filename,
            content=out.getvalue().encode("utf-8"),
            org_unit_id=grassroots.id,
            dry_run=False,
            good_rows_only=False,
        )
        importer.start(self.session, job_id=job.id)
        done = importer.run(self.session, job_id=job.id)
        if done.status != ImportStatus.SUCCEEDED:
            raise ValidationFailed(f"演示档案导入未通过：{done.message}；{done.errors[:3]}", field="registry")

    def _cells(self, fields: Sequence[Any], rows: list[dict[str, Any]]) -> Iterator[list[object]]:
        keys = [f.key for f in fields if not f.derived]
        for row in rows:
            yield [row.get(k) for k in keys]

    def _family_row(self, grassroots: OrgUnit, county: str) -> tuple[_Person, dict[str, Any]]:
        rng = self.rng
        migrant = rng.random() < 0.4
        female = rng.random() < 0.35
        head = self._person(county=county, birth=self._birth(self.today.year - 58, self.today.year - 42), female=female)
        cause = _weighted(
            rng,
            (
                ("05", 30),
                ("01", 14),
                ("02", 16),
                ("07", 10),
                ("14", 12),
                ("03", 5),
                ("04", 5),
                ("06", 4),
                ("10", 2),
                ("08", 2),
            ),
        )
        standard = {"05": "05", "01": "03", "02": "03", "03": "04", "04": "04", "07": "07", "06": "08"}.get(
            cause, rng.choice(("01", "02"))
        )
        health = "4" if cause == "01" else "5" if cause == "03" else _weighted(rng, (("1", 70), ("2", 12), ("3", 18)))
        disability = {"4": rng.choice(("21", "22", "23")), "5": "14", "3": "31"}.get(health)
        secondary = [c for c in rng.sample(("13", "14", "12", "05", "02"), rng.randint(0, 2)) if c != cause]
        town = rng.choice(lexicon.TOWNS[county])
        bank, branch = rng.choice(lexicon.BANKS)
        unemployed = cause == "07" or health in {"4", "5"}
        row: dict[str, Any] = {
            "archive_no": f"{grassroots.code}-{self.today.year}{len(self.used_ids):05d}",
            "hardship_category": _weighted(rng, (("1", 30), ("2", 55), ("3", 15))),
            "archive_type": "2" if migrant else "1",
            "archive_standard": standard,
            "name": head.name,
            "ethnicity": "01" if rng.random() < 0.97 else "03",
            "political_status": "01" if rng.random() < 0.1 else "13",
            "id_number": head.id_number,
            "health_status": health,
            "disability": disability,
            "housing_type": _weighted(rng, (("1", 55), ("2", 25), ("3", 15), ("5", 5))),
            "floor_area": f"{rng.randint(35, 110)}.{rng.randint(0, 9)}",
            "phone": identities.phone(rng),
            "model_worker_type": "4" if rng.random() < 0.02 else "0",
            "marital_status": _weighted(rng, (("20", 84), ("30", 8), ("40", 8))),
            "medical_insurance": "2" if migrant else "1",
            "address": f"安徽省亳州市{lexicon.COUNTY_NAMES[county]}{town}{rng.choice(lexicon.STREETS)}"
            f"{rng.randint(1, 300)}号",
            "postal_code": lexicon.POSTAL[county],
            "industry_code": rng.choice(("C", "E", "F", "G", "H", "A", "O")),
            "monthly_income": "0.00" if unemployed else f"{rng.randint(1300, 3300)}.00",
            "other_annual_income": str(rng.choice((0, 0, 1200, 2400, 3600, 6000))),
            "household_division_code": county,
            "household_type": "2" if migrant else "1",
            "self_help_ability": "否" if unemployed else "是",
            "primary_cause": cause,
            "secondary_causes": "、".join(secondary),
            "necessary_expense": f"{rng.randint(8, 60)}000" if cause in {"01", "02"} else None,
            "bank_name": bank,
            "bank_branch": f"{lexicon.COUNTY_NAMES[county]}{branch}",
            "bank_card": identities.bank_card(rng),
            "filed_by": self._name(True),
            "reviewed_by": self._name(False),
        }
        row["single_parent"] = "是" if row["marital_status"] in {"30", "40"} else "否"
        if migrant:
            row["employer_name"] = (
                f"{rng.choice(lexicon.PLACE_WORDS[county])}"
                + rng.choice(("建筑劳务", "物流", "食品", "纺织", "药材加工", "家政服务"))
                + "有限公司"
            )
            row["employer_nature"] = "33"
            row["enterprise_status"] = _weighted(rng, (("1", 70), ("2", 25), ("3", 5)))
            row["contract_signed_on"] = self._birth(self.today.year - 6, self.today.year - 1).isoformat()
            row["contract_term"] = rng.choice(("一年", "三年", "无固定期限"))
        else:
            row["work_status"] = (
                "11" if cause == "07" else "18" if unemployed else _weighted(rng, (("01", 60), ("02", 25), ("12", 15)))
            )
            row["work_start_date"] = f"{rng.randint(1992, 2010)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
            row["employer_nature"] = _weighted(rng, (("33", 50), ("31", 20), ("32", 15), ("35", 15)))
            row["enterprise_status"] = _weighted(rng, (("1", 60), ("2", 30), ("3", 10)))
            row["employer_name"] = (
                f"{rng.choice(lexicon.PLACE_WORDS[county])}"
                + rng.choice(("纺织", "机械", "酒业", "药业", "建材", "商贸"))
                + "有限公司"
            )
        if row["disability"] is None:
            del row["disability"]
        return head, row

    def _household(
        self, head: _Person, fam: dict[str, Any], county: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        members: list[dict[str, Any]] = []
        grads: list[dict[str, Any]] = []
        surname = head.name[0]
        if fam["marital_status"] == "20":
            spouse = self._person(
                county=county, birth=head.birth + timedelta(days=rng.randint(-900, 900)), female=not head.female
            )
            members.append(
                self._member(
                    head,
                    spouse,
                    relation="10",
                    identity=rng.choice(("01", "02", "07", "06")),
                    work=rng.choice(("01", "03", "12", "02")),
                    income=rng.randint(0, 2600),
                )
            )
        # the children: one graduate of the tracked cohorts or a college student, sometimes both, and now and then
        # a younger child at school
        children = 1 + (rng.random() < 0.35)
        for i in range(children):
            female = rng.random() < 0.5
            kind = "graduate" if i == 0 and rng.random() < 0.72 else "student"
            if kind == "graduate":
                cohort = rng.choice(self.cohorts)
                birth = self._birth(cohort - 23, cohort - 21)
            else:
                birth = self._birth(self.today.year - 21, self.today.year - 18)
                cohort = None
            child = self._person(county=county, birth=birth, female=female, surname=surname)
            grad = self._graduate_row(
                child, county, category="5" if kind == "graduate" else "1", head=head, cohort=cohort, stage=kind
            )
            members.append(
                self._member(
                    head,
                    child,
                    relation="30" if female else "20",
                    identity="03",
                    work="21" if kind == "student" else "17",
                    income=0,
                    school=grad["school_name"],
                    education=grad["education"],
                    enrolled=int(grad["enrolled_on"][:4]),
                    years=int(grad["study_years"]),
                )
            )
            grads.append(grad)
        if rng.random() < 0.12:
            female = rng.random() < 0.5
            child = self._person(
                county=county,
                birth=self._birth(self.today.year - 15, self.today.year - 7),
                female=female,
                surname=surname,
            )
            members.append(
                self._member(head, child, relation="30" if female else "20", identity="03", work="21", income=0)
            )
            grads.append(self._school_child_row(child, county, head))
        if rng.random() < 0.15:
            elder = self._person(
                county=county, birth=self._birth(self.today.year - 85, self.today.year - 70), female=rng.random() < 0.6
            )
            members.append(
                self._member(head, elder, relation="50", identity="05", work="16", income=rng.choice((0, 300, 800)))
            )
        return members, grads

    def _member(
        self,
        head: _Person,
        person: _Person,
        *,
        relation: str,
        identity: str,
        work: str,
        income: int,
        school: str | None = None,
        education: str | None = None,
        enrolled: int | None = None,
        years: int | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        adult = relation in {"10", "50"}
        return {
            "head_id_number": head.id_number,
            "name": person.name,
            "relation": relation,
            "ethnicity": "01",
            "id_number": person.id_number,
            "political_status": "13" if adult else "03",
            "monthly_income": f"{income}.00",
            "model_worker_type": "0",
            "health_status": _weighted(rng, (("1", 80), ("3", 15), ("2", 5))) if adult else "1",
            "medical_insurance": rng.choice(("1", "2")),
            "marital_status": "20" if relation == "10" else ("30" if relation == "50" else "10"),
            "household_type": rng.choice(("1", "2")),
            "identity": identity,
            "education": education,
            "enrolment_year": enrolled,
            "study_years": years,
            "school_or_employer": school,
            "work_status": work,
        }

    def _school(self) -> lexicon.School:
        return _weighted(self.rng, lexicon.SCHOOLS)  # type: ignore[no-any-return]

    def _graduate_row(
        self,
        person: _Person | None,
        county: str,
        *,
        category: str,
        head: _Person | None = None,
        cohort: int | None = None,
        stage: str = "graduate",
    ) -> dict[str, Any]:
        rng = self.rng
        if person is None:
            cohort = rng.choice(self.cohorts)
            person = self._person(county=county, birth=self._birth(cohort - 23, cohort - 21), female=rng.random() < 0.5)
        school = self._school()
        undergrad = school.education == "21"
        major = _weighted(rng, lexicon.UNDERGRAD_MAJORS if undergrad else lexicon.VOCATIONAL_MAJORS)
        years = 5 if major == "临床医学" and undergrad else (4 if undergrad else 3)
        if stage == "graduate":
            assert cohort is not None
            enrolled = date(cohort - years, 9, 1)
        else:
            enrolled = date(self.today.year - rng.randint(0, years - 1) - (0 if self.today.month >= 9 else 1), 9, 1)
            if rng.random() < 0.3:
                enrolled = date(self.today.year, 9, 1)  # this year's new enrolment (附件1)
        intentions = _weighted(rng, lexicon.INTENTION_SETS)
        places = [county] + ([rng.choice(lexicon.HEFEI)] if rng.random() < 0.35 else [])
        skills = [s for key, options in lexicon.SKILLS.items() if key in major for s in options]
        skills = rng.sample(skills, min(len(skills), rng.randint(1, 3))) if skills else []
        if major in {"小学教育", "学前教育", "汉语言文学", "数学与应用数学", "英语"} and rng.random() < 0.6:
            skills.append("教师资格证")
        if major in {"临床医学"} and rng.random() < 0.4:
            skills.append("执业医师资格证")
        low = rng.choice((2500, 3000, 3500, 4000, 4500, 5000))
        status = "unemployed"
        if stage == "graduate":
            status = _weighted(rng, (("unemployed", 72), ("seeking", 18), ("further_study", 4), ("employed", 6)))
        return {
            "name": person.name,
            "id_number": person.id_number,
            "ethnicity": "01",
            "phone": identities.phone(rng),
            "service_category": category,
            "stage": "毕业生" if stage == "graduate" else "在校生",
            "family_head_id_number": head.id_number if head else None,
            "school_kind": school.kind,
            "school_name": school.name,
            "enrolled_on": enrolled.isoformat(),
            "study_years": str(years),
            "major": major,
            "education": school.education,
            "cohort": str(cohort) if cohort else str(enrolled.year + years),
            "employment_status": status,
            "intentions": "、".join(intentions),
            "preferred_places": "、".join(places),
            "expected_pay_min": str(low),
            "expected_pay_max": str(low + rng.choice((1000, 1500, 2000, 3000))),
            "skills": "、".join(skills),
            "assistance_needs": rng.choice(("", "希望推荐本地岗位", "需要面试辅导", "希望参加技能培训", "")),
            "home_division_code": county,
            "enterprise_visible": "是" if rng.random() < 0.6 else "否",
            "_person": person,
        }

    def _school_child_row(self, person: _Person, county: str, head: _Person) -> dict[str, Any]:
        age = self.today.year - person.birth.year
        kind, education = ("02", "81") if age <= 12 else ("03", "71") if age <= 15 else ("04", "61")
        school = {"02": "小学", "03": "初级中学", "04": "高级中学"}[kind]
        town = self.rng.choice(lexicon.TOWNS[county])
        return {
            "name": person.name,
            "id_number": person.id_number,
            "ethnicity": "01",
            "service_category": "1",
            "stage": "在校生",
            "family_head_id_number": head.id_number,
            "school_kind": kind,
            "school_name": f"{lexicon.COUNTY_NAMES[county]}{town}{school}",
            "enrolled_on": date(self.today.year - 1, 9, 1).isoformat(),
            "study_years": "6" if kind == "02" else "3",
            "education": education,
            "cohort": str(self.today.year + 3),
            "home_division_code": county,
            "_person": person,
        }

    def _remember(self, unit: _Unit, pending: list[dict[str, Any]]) -> None:
        """Look up what the import created, for the later steps."""
        numbers = [p["row"]["id_number"] for p in pending]
        bidx = {registry_writes.id_index(n): n for n in numbers}
        rows = {
            bidx[g.id_number_bidx]: g
            for g in self.session.scalars(select(Graduate).where(Graduate.id_number_bidx.in_(list(bidx))))
        }
        heads = {p["family"]["id_number"] for p in pending if p["family"]}
        head_ids = {registry_writes.id_index(n): n for n in heads}
        families = {
            head_ids[f.id_number_bidx]: f.id
            for f in self.session.scalars(select(Family).where(Family.id_number_bidx.in_(list(head_ids))))
        }
        self.families += [families[h] for h in sorted(heads, key=lambda n: families[n])]
        for item in pending:
            row, fam = item["row"], item["family"]
            g = rows[row["id_number"]]
            person: _Person = row["_person"]
            self.grads.append(
                _Grad(
                    id=g.id,
                    org_unit_id=g.org_unit_id,
                    county=unit.unit.code,
                    name=g.name,
                    stage=g.stage,
                    education=g.education,
                    major_code=g.major_code,
                    cohort=g.cohort,
                    intentions=tuple(g.intentions or ()),
                    places=tuple(g.preferred_places or ()),
                    archived=fam is not None,
                    family_id=families[fam["id_number"]] if fam else None,
                    id_number=row["id_number"],
                    birth=person.birth,
                    female=person.female,
                    school=g.school_name,
                    major_raw=g.major_raw or "",
                    enrolled=g.enrolled_on or date(self.today.year, 9, 1),
                    study_years=g.study_years or 4,
                    school_kind=g.school_kind,
                    head_name=fam["name"] if fam else None,
                    head_id=fam["id_number"] if fam else None,
                    head_employer=fam.get("employer_name") if fam else None,
                    address=fam["address"] if fam else f"安徽省亳州市{lexicon.COUNTY_NAMES[unit.division]}",
                )
            )

    # ------------------------------------------------------------------------------------------ catalog
