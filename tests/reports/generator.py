"""A generated registry with known outcomes, and the figures 附件7/8/9 must show for it.

The generator writes graduates, status history, services, contacts, grassroots and entrepreneurship placements,
positions and job fairs, aid applications, awards, budgets and work-study placements through the other domains'
models (and the aid service's year configuration). While writing, it tallies in plain Python what every cell of
every table should read on ``AS_OF`` — independently of the SQL in ``services.reports.measures``.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from stdnum.cn import ric

from services.aid import service as aid_service
from services.aid.models import AidApplication, AidAward, AidBudget, AidStandard, AidWorkStudy
from services.catalog.models import JobFair, Position
from services.registry.models import Graduate
from services.security import pii
from services.tracking.models import Application, Contact, ServiceRecord, StatusChange
from tests.conftest import World

AS_OF = date(2023, 8, 29)  # the first stage-report date of the 2023 campaign
YEAR = 2023
BEFORE = datetime(2023, 3, 1, 4, tzinfo=UTC)
AFTER = datetime(2023, 9, 15, 4, tzinfo=UTC)  # after AS_OF: must not count
COUNTIES = {  # county code -> org units its records are filed under
    "BZ-MC": ("BZ-MC-01", "BZ-MC-02", "BZ-MC"),
    "BZ-GY": ("BZ-GY-01", "BZ-GY"),
    "BZ-QC": ("BZ-QC-01",),
    "BZ-GX": ("BZ-GX-01",),
}
STATUSES = (
    "unemployed",
    "seeking",
    "internship",
    "signed",
    "employed",
    "grassroots",
    "self_employed",
    "further_study",
    "military",
    "not_seeking",
)
SERVICE_KINDS = (
    "policy_briefing",
    "career_guidance",
    "job_recommendation",
    "training_offer",
    "internship_offer",
    "interview_coaching",
    "entrepreneurship_guidance",
    "job_fair",
)
PROGRAMS = ("tegang", "sanzhi_yifu", "shequ_2025")  # shequ_2025 is only on a position: its column comes from data
CATEGORIES = (
    ("preschool", "preschool", "90"),
    ("compulsory", "compulsory", "90"),
    ("high_school", "high_school", "61"),
    ("secondary_vocational", "secondary_vocational", "41"),
    ("higher_vocational", "college", "31"),
    ("undergraduate", "college", "21"),
    ("postgraduate", "college", "14"),
    ("special_education", "special_education", "90"),
)
FUNDS = ("province", "city", "county", "donation")
COVERED = {"unemployed", "seeking", "internship"}

_seq = itertools.count(1)


def _id_number() -> str:
    """A unique synthetic resident ID (valid check digit) per call."""
    n = next(_seq)
    birth = date(1995, 1, 1) + timedelta(days=n // 1000)
    body = f"341622{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body)


Cell = dict[str, Any]


@dataclass
class Expected:
    """The cells each table must show, per county code (and cohort for 附件9)."""

    annex7: dict[str, Cell] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    annex8: dict[str, Cell] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    annex9: dict[tuple[str, int], Cell] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    activity: dict[str, Cell] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    graduates: list[int] = field(default_factory=list)
    counties: tuple[str, ...] = tuple(COUNTIES)


class Generator:
    def __init__(self, session: Session, world: World, *, seed: int = 8) -> None:
        self.s = session
        self.w = world
        self.rng = random.Random(seed)
        self.exp = Expected()
        self.n = 0

    # ---- helpers -----------------------------------------------------------------------------------------

    def _graduate(
        self, org: str, *, stage: str = "graduate", cohort: int | None, created: datetime, education: str
    ) -> Graduate:
        sealed = pii.seal(pii.PiiKind.ID_NUMBER, _id_number())
        self.n += 1
        g = Graduate(
            org_unit_id=self.w.orgs[org],
            stage=stage,
            service_category="5" if stage == "graduate" else "1",
            name=f"学生{self.n}",
            id_number_enc=sealed.ciphertext,
            id_number_bidx=sealed.blind_index,
            id_number_masked=sealed.masked,
            sex="男",
            birth_date=date(2001, 5, 1),
            school_kind="07",
            school_name="安徽大学",
            education=education,
            cohort=cohort,
            employment_status="unemployed",
            created_at=created,
        )
        self.s.add(g)
        return g

    def _position(self, org: str, kind: str, *, published: datetime | None, **kw: Any) -> Position:
        p = Position(
            org_unit_id=self.w.orgs[org],
            kind=kind,
            title=f"{kind}岗位{next(_seq)}",
            source="union_partner",
            status="open",
            published_at=published,
            **kw,
        )
        self.s.add(p)
        return p

    # ---- graduates (附件9) ------------------------------------------------------------------------------

    def graduates(self, per_county: int = 24) -> None:
        rng = self.rng
        plans: list[tuple[str, int, str, Graduate, str, bool, datetime]] = []
        for county, orgs in COUNTIES.items():
            for i in range(per_county):
                org = orgs[i % len(orgs)]
                cohort = (2021, 2022, 2023, 2024)[rng.randrange(4)]
                late = i == per_county - 1  # registered after AS_OF: counts nowhere
                created = AFTER if late else BEFORE + timedelta(days=rng.randrange(60))
                g = self._graduate(org, cohort=cohort, created=created, education="21")
                g.employment_status = "seeking"  # the registry column; the status history must win
                final = STATUSES[rng.randrange(len(STATUSES))]
                plans.append((county, cohort, org, g, final, late, created))
        # not counted: a student (not yet a graduate)
        self._graduate("BZ-MC-01", stage="student", cohort=None, created=BEFORE, education="21")
        self.s.flush()
        self._placements: list[tuple[Graduate, Position, str]] = []
        for county, cohort, org, g, final, late, created in plans:
            self.exp.graduates.append(g.id)
            # history: filed unemployed, then the final status before AS_OF, then a change after AS_OF
            self.s.add_all(
                [
                    StatusChange(
                        graduate_id=g.id, org_unit_id=g.org_unit_id, status="unemployed", source="registry", at=created
                    ),
                    StatusChange(
                        graduate_id=g.id,
                        org_unit_id=g.org_unit_id,
                        status=final,
                        previous_status="unemployed",
                        source="override",
                        at=created + timedelta(days=30),
                    ),
                    StatusChange(
                        graduate_id=g.id,
                        org_unit_id=g.org_unit_id,
                        status="seeking" if final != "seeking" else "employed",
                        previous_status=final,
                        source="override",
                        at=AFTER + timedelta(days=1),
                    ),
                ]
            )
            row = self.exp.annex9[(county, cohort)]
            if late:
                continue
            row["registered"] += 1
            row[self._destination(g, final, org)] += 1
            self._services(g, row, final)
            self._contacts(g, row)
        self.s.flush()
        for g, p, state in self._placements:
            self.s.add(Application(graduate_id=g.id, position_id=p.id, org_unit_id=g.org_unit_id, state=state))
        self.s.flush()

    def _destination(self, g: Graduate, final: str, org: str) -> str:
        if final in {"signed", "employed"}:
            return "enterprise"
        if final in {"unemployed", "seeking", "internship"}:
            return "still_seeking"
        if final in {"further_study", "military", "not_seeking"}:
            return final
        if final == "grassroots":
            pick = self.rng.randrange(len(PROGRAMS) + 1)
            if pick == len(PROGRAMS):
                return "grassroots_other"
            program = PROGRAMS[pick]
            p = self._position(org, "grassroots", published=BEFORE, program=program, program_year=2023, headcount=5)
            self._placements.append((g, p, "employed"))
            return f"grassroots_{program}"
        # self_employed: a venture with union support, or flexible work
        if self.rng.random() < 0.5:
            p = self._position(org, "entrepreneurship", published=None, fund_amount=Decimal("0"))
            self._placements.append((g, p, "signed"))
            return "self_employed"
        if self.rng.random() < 0.5:  # a withdrawn venture is no venture
            p = self._position(org, "entrepreneurship", published=None)
            self._placements.append((g, p, "withdrawn"))
        return "flexible"

    def _services(self, g: Graduate, row: Cell, final: str) -> None:
        counts: dict[str, int] = defaultdict(int)
        for _ in range(self.rng.randrange(8)):
            kind = SERVICE_KINDS[self.rng.randrange(len(SERVICE_KINDS))]
            counted = self.rng.random() < 0.85
            day = AS_OF - timedelta(days=self.rng.randrange(1, 100)) if counted else AS_OF + timedelta(days=3)
            self.s.add(ServiceRecord(graduate_id=g.id, org_unit_id=g.org_unit_id, kind=kind, delivered_on=day))
            if counted:
                counts[kind] += 1
        # the 1131 standard, deliberately met by some
        if self.rng.random() < 0.3:
            for kind, n in (
                ("policy_briefing", 1),
                ("career_guidance", 1),
                ("job_recommendation", 3),
                ("training_offer", 1),
            ):
                for _ in range(n):
                    self.s.add(
                        ServiceRecord(graduate_id=g.id, org_unit_id=g.org_unit_id, kind=kind, delivered_on=AS_OF)
                    )
                    counts[kind] += 1
        if counts:
            row["served_any"] += 1
        for kind, n in counts.items():
            row[f"served_{kind}"] += 1
            row["service_times"] += n
        if final in COVERED:
            row["standard_covered"] += 1
            met = (
                counts["policy_briefing"] >= 1
                and counts["career_guidance"] >= 1
                and counts["job_recommendation"] >= 3
                and counts["training_offer"] + counts["internship_offer"] >= 1
            )
            row["standard_met"] += int(met)

    def _contacts(self, g: Graduate, row: Cell) -> None:
        reached = False
        for _ in range(self.rng.randrange(3)):
            outcome = ("reached", "not_reached", "needs_help", "resolved")[self.rng.randrange(4)]
            after = self.rng.random() < 0.2
            at = AFTER if after else BEFORE + timedelta(days=100)
            self.s.add(
                Contact(
                    graduate_id=g.id,
                    org_unit_id=g.org_unit_id,
                    channel="phone",
                    contacted_at=at,
                    outcome=outcome,
                    summary="电话回访",
                )
            )
            reached = reached or (not after and outcome != "not_reached")
        row["contacted"] += int(reached)

    # ---- positions and job fairs (附件9 activities) -------------------------------------------------------

    def activities(self) -> None:
        rng = self.rng
        for county, orgs in COUNTIES.items():
            row = self.exp.activity[county]
            for i in range(6):
                org = orgs[i % len(orgs)]
                when = (BEFORE, AFTER, datetime(2022, 11, 1, tzinfo=UTC))[0 if i < 4 else i - 3]
                counted = when == BEFORE
                kind = ("job", "internship", "work_study", "entrepreneurship")[rng.randrange(4)]
                headcount = rng.choice([None, 2, 5])
                extra: dict[str, Any] = {"headcount": headcount}
                if kind == "internship":
                    extra |= {"subsidy": Decimal("1500.50"), "duration_months": 3, "filled": 2}
                if kind == "entrepreneurship":
                    extra |= {"fund_amount": Decimal("20000.00")}
                self._position(org, kind, published=when, **extra)
                if not counted:
                    continue
                seats = headcount or 1
                if kind == "job":
                    row["positions_offered"] += seats
                elif kind == "internship":
                    row["internship_posts"] += seats
                    row["internship_subsidy"] += Decimal("1500.50") * 3 * 2
                elif kind == "work_study":
                    row["work_study_positions"] += seats
                else:
                    row["entrepreneurship_support"] += 1
                    row["entrepreneurship_funds"] += Decimal("20000.00")
            for when in (BEFORE, BEFORE + timedelta(days=10), AFTER):
                self.s.add(
                    JobFair(
                        title="专场招聘会",
                        mode="on_site",
                        starts_at=when,
                        organiser="县总工会",
                        org_unit_id=self.w.orgs[orgs[0]],
                    )
                )
                row["job_fairs"] += int(when < AFTER)
        # a fair held by the city itself lands on the city-level row
        self.s.add(
            JobFair(
                title="市级招聘会", mode="online", starts_at=BEFORE, organiser="市总工会", org_unit_id=self.w.orgs["BZ"]
            )
        )
        self.exp.activity["BZ"]["job_fairs"] += 1
        self.s.flush()

    # ---- aid (附件7, 附件8) -----------------------------------------------------------------------------

    def aid(self, per_county: int = 12) -> None:
        aid_service.load_year(self.s, year=YEAR)
        standards = aid_service.list_standards(self.s, year=YEAR)
        rng = self.rng
        budgets: dict[tuple[str, str], AidBudget] = {}
        for county in COUNTIES:
            for fund in FUNDS:
                b = AidBudget(
                    county_org_id=self.w.orgs[county], year=YEAR, fund_source=fund, amount=Decimal("100000.00")
                )
                self.s.add(b)
                budgets[(county, fund)] = b
                self.exp.annex8[county]["budget_amount"] += Decimal("100000.00")
        self.s.flush()
        for county, orgs in COUNTIES.items():
            d7, d8 = self.exp.annex7[county], self.exp.annex8[county]
            seen7: set[tuple[str, str, int]] = set()
            paid_students: set[int] = set()
            picks = [CATEGORIES[rng.randrange(len(CATEGORIES))] for _ in range(per_county)]
            students = [
                self._graduate(orgs[i % len(orgs)], stage="student", cohort=None, created=BEFORE, education=pick[2])
                for i, pick in enumerate(picks)
            ]
            self.s.flush()
            awards: list[tuple[AidApplication, dict[str, Any]]] = []
            for i in range(per_county):
                org = orgs[i % len(orgs)]
                cat, stage, _education = picks[i]
                archived = rng.random() < 0.5
                standard = self._standard(standards, archived, stage)
                student = students[i]
                status = ("submitted", "grassroots_approved", "approved", "approved", "approved", "refused", "revoked")[
                    rng.randrange(7)
                ]
                requested = rng.choice([None, Decimal("1200.00"), Decimal("800.50")])
                invoice = rng.choice([None, Decimal("1500.00"), Decimal("2600.00")])
                late = rng.random() < 0.1
                app = self._application(
                    student, org, county, standard, stage, archived, status, requested, invoice, late
                )
                if status not in {"refused", "revoked"} and not late:
                    prefix = "archived" if archived else "nonarchived"
                    key = (prefix, cat, student.id)
                    if key not in seen7:
                        seen7.add(key)
                        d7[f"{prefix}_{cat}"] += 1
                    if requested is not None:
                        amount = requested
                    elif invoice is not None and invoice < standard.cap:
                        amount = invoice
                    else:
                        amount = standard.cap
                    d7[f"{prefix}_amount"] += amount
                    # a second application of the same student in the same category counts once, its money twice
                    if i % 5 == 0:
                        self._application(
                            student, org, county, standard, stage, archived, "submitted", Decimal("100.00"), None, False
                        )
                        d7[f"{prefix}_amount"] += Decimal("100.00")
                if status != "approved":
                    continue
                fund = FUNDS[rng.randrange(4)]
                award_status = ("approved", "noticed", "paying", "paid", "paid", "paid", "revoked")[rng.randrange(7)]
                amount = Decimal(rng.choice(["500.00", "1000.00", "2000.00", "1999.99"]))
                paid_at = None
                if award_status == "paid":
                    paid_at = AFTER if rng.random() < 0.2 else BEFORE + timedelta(days=20)
                awards.append(
                    (
                        app,
                        {
                            "standard_id": standard.id,
                            "budget_id": budgets[(county, fund)].id,
                            "student_id": student.id,
                            "county_org_id": self.w.orgs[county],
                            "year": YEAR,
                            "fund_source": fund,
                            "award_seq": None if award_status == "revoked" else 1,
                            "amount": amount,
                            "cap": standard.cap,
                            "status": award_status,
                            "paid_at": paid_at,
                            "created_at": BEFORE + timedelta(days=10),
                        },
                    )
                )
                if award_status == "revoked":
                    continue
                if award_status == "paid" and paid_at is not None and paid_at < AFTER:
                    paid_students.add(student.id)
                    d8[f"persons_{cat}"] += 1
                    d8[f"amount_{cat}"] += amount
                    d8[f"persons_{fund}"] += 1
                    d8[f"amount_{fund}"] += amount
                    d8["paid_amount"] += amount
                else:
                    d8["pending_persons"] += 1
                    d8["pending_amount"] += amount
            d8["aided_persons"] += len(paid_students)
            self.s.flush()
            for app, values in awards:
                self.s.add(AidAward(application_id=app.id, org_unit_id=app.org_unit_id, **values))
            workers = [
                self._graduate(orgs[0], stage="student", cohort=None, created=BEFORE, education="21") for _ in range(3)
            ]
            self.s.flush()
            for j, student in enumerate(workers):
                summer = j == 0
                late = j == 2
                self.s.add(
                    AidWorkStudy(
                        org_unit_id=self.w.orgs[orgs[0]],
                        county_org_id=self.w.orgs[county],
                        student_id=student.id,
                        year=YEAR,
                        post_title="图书馆助理",
                        employer_name="县图书馆",
                        summer_special=summer,
                        starts_on=AS_OF + timedelta(days=5) if late else date(2023, 7, 1),
                        ends_on=date(2023, 12, 31),
                        subsidy_amount=Decimal("600.25"),
                        fund_source="county",
                    )
                )
                if not late:
                    d8["work_study_posts"] += 1
                    d8["work_study_summer_posts"] += int(summer)
                    d8["work_study_students"] += 1
                    d8["work_study_subsidy"] += Decimal("600.25")
                    self.exp.activity[county]["work_study_subsidy"] += Decimal("600.25")
        self.s.flush()

    def _standard(self, standards: list[AidStandard], archived: bool, stage: str) -> AidStandard:
        same = [s for s in standards if s.archived_family == archived]
        return next((s for s in same if stage in s.stages), same[0])

    def _application(
        self,
        student: Graduate,
        org: str,
        county: str,
        standard: AidStandard,
        stage: str,
        archived: bool,
        status: str,
        requested: Decimal | None,
        invoice: Decimal | None,
        late: bool,
    ) -> AidApplication:
        sealed = pii.seal(pii.PiiKind.ID_NUMBER, _id_number())
        card = pii.seal(pii.PiiKind.BANK_CARD, "6217000000000000000")
        address = pii.seal(pii.PiiKind.TEXT, "蒙城县城关镇")
        app = AidApplication(
            org_unit_id=self.w.orgs[org],
            county_org_id=self.w.orgs[county],
            year=YEAR,
            kind="in_school",
            standard_id=standard.id,
            student_id=student.id,
            family_archived=archived,
            status=status,
            submitted_at=AFTER if late else BEFORE,
            education_stage=stage,
            student_name=student.name,
            student_id_enc=sealed.ciphertext,
            student_id_bidx=sealed.blind_index,
            student_id_masked=sealed.masked,
            address_enc=address.ciphertext,
            address_masked=address.masked,
            school_name="安徽大学",
            enrolment_date=date(2022, 9, 1),
            length_of_study=4,
            reason_enc=pii.encrypt("家庭困难"),
            hardship_reason="因病致困",
            tuition_invoice_amount=invoice,
            requested_amount=requested,
            payee_name="家长",
            payee_bank="农业银行",
            payee_card_enc=card.ciphertext,
            payee_card_bidx=card.blind_index,
            payee_card_masked=card.masked,
        )
        self.s.add(app)
        return app

    def build(self) -> Expected:
        self.graduates()
        self.activities()
        self.aid()
        self.s.flush()
        return self.exp


def generate(session: Session, world: World, *, seed: int = 8) -> Expected:
    return Generator(session, world, seed=seed).build()
