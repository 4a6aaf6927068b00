"""A generated but realistic 亳州市 world, built through the domains' own service functions.

``build_world(session, size=1.0, seed=2023)`` fills an empty, migrated database that already holds the org tree
and the reference catalogs (``sunshine orgs load``, ``services.refdata.service.load_all``):

- the staff who do the work: the assistance centre (two reviewers), and a clerk and a counselor per county, park
  and 市直 union;
- about 2,000 hardship families (附件3 城镇困难职工, 附件4 困难农民工) with their members, their graduates of the
  three latest cohorts and their children still at school — handed in by each grassroots union as a spreadsheet
  and taken in by the registry's import (the same validation, sealing, derived fields and history as a clerk's
  upload); a few graduates from outside the archives (service categories 三 and 六);
- about 300 employers of the region's trades, in the four counties and the parks and in 合肥 and other cities,
  registered by union staff (verified) or by the enterprises themselves (some still pending, some refused);
- about 1,500 positions of all five kinds, grassroots posts (特岗计划, 三支一扶, 西部计划, 城乡社区, 乡村医生)
  linked to the program rule sets, and job fairs offering them;
- counselors' caseloads: pipelines in every state, services delivered (1131), contacts with follow-ups (some
  overdue), events, status decisions and cross-region handoffs;
- the year's 金秋助学 campaign: budgets, the families' signed authorisations (附件5) with their economic checks,
  applications at every step from submitted to paid, a public notice in its period with objections, and a settled
  bank batch.

Dates. The running service judges deadlines, notice periods and overdue follow-ups against the real clock, so
the world is anchored on a "demo today" that is the real date (Asia/Shanghai) unless a test passes one. Cohorts
are the three latest graduating classes on that day (graduation in June: before July the latest is last year's),
so in the campaign year of the notice, 2023, they are exactly 2021, 2022 and 2023. Everything else — deadlines,
fairs, contacts, notices — is placed relative to demo today. Records the services stamp themselves (created,
moved) carry the time of the build.

Every choice comes from ``random.Random(seed)``; the same seed and demo today give the same world. Every ID number,
credit code, bank card and phone comes from :mod:`services.demo.identities`: valid, and visibly synthetic.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import random
import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid import bank as aid_bank
from services.aid import service as aid
from services.aid.attachments import REQUIRED as AID_REQUIRED
from services.aid.models import AidApplication, AidAward
from services.catalog import service as catalog
from services.catalog.models import Employer, EmployerStatus, Position, PositionKind, PositionStatus, ProgramRuleSet
from services.catalog.schemas import (
    EmployerCreate,
    EmployerStaffCreate,
    EntrepreneurshipDetails,
    GrassrootsDetails,
    InternshipDetails,
    JobFairCreate,
    PositionCreate,
    WorkStudyDetails,
)
from services.clock import local_today
from services.config import get_settings
from services.demo import identities, lexicon
from services.errors import Conflict, DomainError, ValidationFailed
from services.orgs import service as orgs
from services.orgs.models import OrgKind, OrgUnit
from services.refdata.models import RefMajor
from services.registry import access as registry_access
from services.registry import checks as registry_checks
from services.registry import importer
from services.registry import writes as registry_writes
from services.registry.forms import FAMILY_FIELDS, GRADUATE_FIELDS, HEAD_ID_FIELD, MEMBER_FIELDS
from services.registry.majors import EDUCATION_LEVELS
from services.registry.models import Family, Graduate, ImportStatus, Stage
from services.security.models import Role, User
from services.security.passwords import hash_password
from services.security.principal import Principal
from services.tracking import flows
from services.tracking import service as tracking
from services.tracking.models import Application

log = logging.getLogger(__name__)

#: How the families spread over the county-level unions (by org code); other codes get the default weight.
COUNTY_WEIGHTS = {"BZ-QC": 27, "BZ-GY": 22, "BZ-MC": 21, "BZ-LX": 22, "BZ-GX": 3, "BZ-BW": 3, "BZ-SZ": 2}
PIPELINE_ENDS = (
    ("recommended", 14),
    ("applied", 13),
    ("interviewing", 11),
    ("offered", 8),
    ("signed", 9),
    ("employed", 15),
    ("rejected", 12),
    ("withdrawn", 9),
    ("expired", 9),
)
PATH = {
    "recommended": (),
    "applied": ("applied",),
    "interviewing": ("applied", "interviewing"),
    "offered": ("applied", "interviewing", "offered"),
    "signed": ("applied", "interviewing", "offered", "signed"),
    "employed": ("applied", "interviewing", "offered", "signed", "employed"),
    "rejected": ("applied", "interviewing", "rejected"),
    "withdrawn": ("applied", "withdrawn"),
    "expired": ("applied", "expired"),
}
MOVE_NOTES = {
    "applied": "毕业生电话确认已投递简历",
    "interviewing": "企业人事电话告知已安排面试",
    "offered": "企业发出录用通知，已电话核实",
    "signed": "已核验双方签字的就业协议书",
    "employed": "回访确认已到岗上班",
    "rejected": "企业反馈面试未通过",
    "withdrawn": "毕业生表示已接受其他岗位",
    "expired": "多次联系企业未获答复",
}
CLOSE_REASONS = {"rejected": "interview_failed", "withdrawn": "accepted_other_offer", "expired": "no_response"}
PROGRAMS = ("tegang", "sanzhi_yifu", "xibu", "chengxiang_shequ", "xiangcun_yisheng")
PDF = b"%PDF-1.4\n% demo attachment\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class WorldSummary:
    """What was built: counts a newcomer can check against the API, and the records the demo logins use."""

    seed: int
    size: float
    today: date
    cohorts: list[int]
    families: int = 0
    members: int = 0
    graduates: int = 0
    students: int = 0
    employers: int = 0
    positions: int = 0
    job_fairs: int = 0
    applications: int = 0
    services: int = 0
    contacts: int = 0
    aid_applications: int = 0
    accounts: int = 0
    seconds: float = 0.0
    positions_by_kind: dict[str, int] = field(default_factory=dict)
    applications_by_state: dict[str, int] = field(default_factory=dict)
    aid_by_status: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["today"] = self.today.isoformat()
        return out


def demo_today() -> date:
    """The real date in the service's time zone: the day the running service judges deadlines by."""
    return local_today()


def cohorts_on(today: date) -> list[int]:
    """The three latest graduating classes on ``today`` (classes graduate in June)."""
    latest = today.year if today.month >= 7 else today.year - 1
    return [latest - 2, latest - 1, latest]


def has_world(session: Session) -> bool:
    """True when the database already holds registry families (a world, or real data): never build over it."""
    return bool(session.scalar(select(func.count()).select_from(Family)))


def build_world(session: Session, *, size: float = 1.0, seed: int = 2023, today: date | None = None) -> WorldSummary:
    """Build the demo world (see the module docstring) in the caller's transaction; flushes, never commits."""
    if size <= 0:
        raise ValidationFailed("规模应大于0", field="size")
    if has_world(session):
        raise Conflict("数据库中已有档案数据，不能再生成演示数据")
    if not session.scalar(select(func.count()).select_from(RefMajor)):
        raise ValidationFailed("请先载入参考目录（sunshine refdata load）", field="refdata")
    if session.scalar(select(func.count()).select_from(OrgUnit)) == 0:
        raise ValidationFailed("请先载入工会组织树（sunshine orgs load）", field="orgs")
    started = datetime.now(UTC)
    builder = _Builder(session, size=size, seed=seed, today=today or demo_today())
    builder.run()
    builder.summary.seconds = round((datetime.now(UTC) - started).total_seconds(), 2)
    return builder.summary


def digest(session: Session) -> str:
    """A fingerprint of the world's key fields (names, identifiers' blind indexes left out, states, counts), for
    checking that the same seed gives the same world."""
    parts: list[Any] = [
        list(
            session.execute(
                select(Family.archive_no, Family.name, Family.archive_type, Family.family_size).order_by(
                    Family.archive_no
                )
            ).all()
        ),
        list(
            session.execute(
                select(
                    Graduate.name,
                    Graduate.stage,
                    Graduate.school_name,
                    Graduate.major_code,
                    Graduate.cohort,
                    Graduate.employment_status,
                ).order_by(Graduate.id)
            ).all()
        ),
        list(session.execute(select(Employer.name, Employer.credit_code, Employer.status).order_by(Employer.id)).all()),
        list(
            session.execute(
                select(Position.title, Position.kind, Position.status, Position.filled, Position.deadline).order_by(
                    Position.id
                )
            ).all()
        ),
        list(
            session.execute(
                select(Application.graduate_id, Application.position_id, Application.state).order_by(Application.id)
            ).all()
        ),
        list(
            session.execute(
                select(AidApplication.student_name, AidApplication.status).order_by(AidApplication.id)
            ).all()
        ),
    ]
    text = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------ helpers


def _weighted(rng: random.Random, options: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _count(base: int, size: float, minimum: int) -> int:
    return max(minimum, round(base * size))


@dataclass
class _Unit:
    unit: OrgUnit
    grassroots: list[OrgUnit]
    division: str  # the county division of its people (parks and 市直 sit in 谯城区)
    clerk: Principal | None = None
    counselor: Principal | None = None


@dataclass
class _Person:
    name: str
    id_number: str
    birth: date
    female: bool


@dataclass
class _Grad:
    """A graduate (or student) as the builder knows them after the import."""

    id: int
    org_unit_id: int
    county: str  # org code of the county-level union
    name: str
    stage: str
    education: str
    major_code: str | None
    cohort: int | None
    intentions: tuple[str, ...]
    places: tuple[str, ...]
    archived: bool
    family_id: int | None
    id_number: str
    birth: date
    female: bool
    school: str
    major_raw: str
    enrolled: date
    study_years: int
    school_kind: str
    head_name: str | None
    head_id: str | None
    head_employer: str | None
    address: str


class _Builder:
    def __init__(self, session: Session, *, size: float, seed: int, today: date) -> None:
        self.session = session
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        self.cohorts = cohorts_on(today)
        self.summary = WorldSummary(seed=seed, size=size, today=today, cohorts=list(self.cohorts))
        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()
        self.units: list[_Unit] = []
        self.by_code: dict[str, _Unit] = {}
        self.city: Principal | None = None
        self.centre: Principal | None = None
        self.grads: list[_Grad] = []
        self.employer_manager: dict[int, Principal] = {}
        self.positions: list[int] = []
        self.families: list[int] = []
        self.top_id = 0
        self.shared_hash: str | None = None

    # ------------------------------------------------------------------------------------------ run

    def run(self) -> None:
        catalog.seed_rule_sets(self.session)
        self._staff()
        self._registry()
        self._catalog()
        self._tracking()
        self._aid()
        self._count_all()

    def _p(self, principal: Principal | None) -> Principal:
        assert principal is not None
        return principal

    # ------------------------------------------------------------------------------------------ people

    def _name(self, female: bool, surname: str | None = None) -> str:
        rng = self.rng
        family = surname or rng.choices(lexicon.SURNAMES, weights=lexicon.SURNAME_WEIGHTS)[0]
        pool = lexicon.GIVEN_FEMALE if female else lexicon.GIVEN_MALE
        return family + "".join(rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2))

    def _person(self, *, county: str, birth: date, female: bool, surname: str | None = None) -> _Person:
        day = birth
        for _ in range(400):
            region = identities.region_at(county, day.year)
            number = identities.resident_id(self.rng, region=region, birth=day, female=female)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return _Person(self._name(female, surname), number, day, female)
            day += timedelta(days=1)
        raise ValidationFailed("演示身份证号已用尽", field="id_number")  # pragma: no cover - 400 days of 5 each

    def _birth(self, low: int, high: int) -> date:
        return date(self.rng.randint(low, high), self.rng.randint(1, 12), self.rng.randint(1, 28))

    # ------------------------------------------------------------------------------------------ staff

    def _account(self, username: str, role: Role, unit: OrgUnit, display: str) -> Principal:
        """An account of the world's own staff or enterprises. Nobody logs in with these (the printed logins are
        made by :mod:`services.demo.logins` through the accounts service), so they share one hash of a random
        secret: argon2 takes most of a second per hash on a busy two-core machine, and the accounts service has
        no way to take a hash made once."""
        if self.shared_hash is None:
            self.shared_hash = hash_password(secrets.token_urlsafe(24))
        if self.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"用户名“{username}”已被使用", field="username")
        user = User(
            username=username,
            display_name=display,
            password_hash=self.shared_hash,
            role=role.value,
            org_unit_id=unit.id,
            token_version=1,
            is_active=True,
        )
        self.session.add(user)
        self.session.flush()
        self.summary.accounts += 1
        scope = None if role in {Role.UNION_CITY, Role.ADMIN} else orgs.subtree_ids(self.session, org_unit_id=unit.id)
        return Principal(user.id, user.username, role.value, unit.id, scope)

    def _staff(self) -> None:
        session = self.session
        top = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
        assert top is not None
        self.top_id = top.id
        self.city = self._account("bz-centre", Role.UNION_CITY, top, "市总帮扶中心 " + self._name(False))
        self.centre = self._account("bz-centre-review", Role.UNION_CITY, top, "市总帮扶中心审核 " + self._name(True))
        levels = [OrgKind.COUNTY.value, OrgKind.PARK.value, OrgKind.DIRECT.value]
        for unit in session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(levels)).order_by(OrgUnit.id)):
            grassroots = list(
                session.scalars(
                    select(OrgUnit)
                    .where(OrgUnit.parent_id == unit.id, OrgUnit.kind == OrgKind.GRASSROOTS.value)
                    .order_by(OrgUnit.id)
                )
            )
            division = unit.division_code if unit.division_code in lexicon.COUNTY_NAMES else lexicon.BOZHOU[0]
            entry = _Unit(unit, grassroots or [unit], division)
            slug = unit.code.lower()
            short = unit.name.removesuffix("总工会").removesuffix("基层工会")
            entry.clerk = self._account(f"{slug}-clerk", Role.UNION_COUNTY, unit, f"{short} {self._name(True)}（科员）")
            entry.counselor = self._account(
                f"{slug}-counselor", Role.COUNSELOR, unit, f"{short}就业指导员 {self._name(False)}"
            )
            self.units.append(entry)
            self.by_code[unit.code] = entry

    # ------------------------------------------------------------------------------------------ registry

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

    def _catalog(self) -> None:
        rng = self.rng
        employers = _count(300, self.size, 14)
        self_registered = max(3, round(employers * 0.05))
        trades = [(t, t.weight) for t in lexicon.TRADES]
        county_units = [u for u in self.units if u.unit.kind == OrgKind.COUNTY.value]
        parks = [u for u in self.units if u.unit.kind == OrgKind.PARK.value]
        made: list[tuple[int, lexicon.Trade, str]] = []
        for n in range(employers):
            trade: lexicon.Trade = _weighted(rng, trades)
            where = rng.random() if n >= self_registered else 0.0
            if where < 0.72:
                unit = rng.choice(county_units + parks if trade.ownership == "private" else county_units)
                division = unit.division
            else:
                unit = None
                division = rng.choice(lexicon.HEFEI if where < 0.9 else lexicon.ELSEWHERE)
            name = self._company(trade, division)
            data: dict[str, Any] = {
                "name": name,
                "credit_code": identities.credit_code(rng, division=division),
                "industry_code": trade.industry,
                "ownership": trade.ownership,
                "division_code": division,
                "address": f"{lexicon.PLACE_WORDS[division][0]}{rng.choice(lexicon.STREETS)}{rng.randint(1, 400)}号",
                "contact_name": self._name(rng.random() < 0.5)[0] + rng.choice(("经理", "主任", "女士", "先生")),
                "contact_phone": identities.phone(rng),
                "description": trade.description,
            }
            if n < self_registered and unit is not None:
                employer_id, manager = self._self_registered(unit, data, n)
            else:
                manager = self._p(unit.clerk if unit else self.city)
                employer = catalog.create_employer(
                    self.session,
                    principal=manager,
                    data=EmployerStaffCreate(**data, org_unit_id=unit.unit.id if unit else self.top_id),
                )
                employer_id = employer.id
            self.employer_manager[employer_id] = manager
            made.append((employer_id, trade, division))
        self.summary.employers = len(made)
        total = _count(1500, self.size, 60)
        per_employer = max(1, round(total * 0.8 / len(made)))
        for employer_id, trade, division in made:
            for _ in range(rng.randint(max(1, per_employer - 2), per_employer + 2)):
                self._employer_position(employer_id, trade, division)
        programs = max(len(PROGRAMS) * 2, round(total * 0.12))
        for i in range(programs):
            self._program_position(PROGRAMS[i % len(PROGRAMS)])
        for _ in range(max(3, round(total * 0.05))):
            self._entrepreneurship_position()
        self._settle_positions()
        self._fairs()

    def _company(self, trade: lexicon.Trade, division: str) -> str:
        rng = self.rng
        for _ in range(50):
            place = rng.choice(lexicon.PLACE_WORDS[division])
            word = rng.choice(trade.words)
            mark = rng.choice(lexicon.DEMO_MARK)
            if trade.key == "school":
                town = rng.choice(lexicon.TOWNS.get(division, ("城区",)))
                name = f"{lexicon.COUNTY_NAMES.get(division, place)}{town}{mark}{word}"
            elif trade.key == "hospital":
                name = f"{place}{mark}{word}"
            else:
                name = f"{place}{mark}{word}{rng.choice(trade.suffixes)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise ValidationFailed("演示单位名称已用尽", field="name")  # pragma: no cover

    def _self_registered(self, unit: _Unit, data: dict[str, Any], n: int) -> tuple[int, Principal]:
        """An enterprise that registered itself: verified by the county clerk, or still pending, or refused."""
        account = self._account(f"demo-hr-{n + 1:03d}", Role.ENTERPRISE, unit.unit, f"{data['name']} 人事部")
        employer = catalog.register_employer(self.session, principal=account, data=EmployerCreate(**data))
        outcome = n % 3
        if outcome == 0:
            catalog.review_employer(
                self.session,
                principal=self._p(unit.clerk),
                employer_id=employer.id,
                approve=True,
                note="营业执照与信用代码核对一致",
            )
        elif outcome == 2:
            catalog.review_employer(
                self.session,
                principal=self._p(unit.clerk),
                employer_id=employer.id,
                approve=False,
                note="营业执照照片不清晰，请重新上传后再提交认证",
            )
        return employer.id, account

    def _dates(self) -> dict[str, date]:
        rng = self.rng
        opens = self.today - timedelta(days=rng.randint(0, 75))
        deadline = self.today + timedelta(days=rng.choice((3, 6, 12, 20, 30, 45, 60, 90, 120)))
        return {"opens_on": opens, "deadline": deadline}

    def _create(self, principal: Principal, data: PositionCreate) -> int:
        position = catalog.create_position(self.session, principal=principal, data=data)
        self.positions.append(position.id)
        return position.id

    def _employer_position(self, employer_id: int, trade: lexicon.Trade, division: str) -> None:
        rng = self.rng
        manager = self.employer_manager[employer_id]
        kind = _weighted(rng, ((PositionKind.JOB, 74), (PositionKind.INTERNSHIP, 18), (PositionKind.WORK_STUDY, 8)))
        title = rng.choice(trade.titles)
        low, high = trade.pay
        pay_min = Decimal(rng.randrange(low, high - 800, 100))
        common: dict[str, Any] = {
            "kind": kind,
            "employer_id": employer_id,
            "description": f"{trade.description}岗位职责：{title}相关工作。",
            "major_classes": rng.sample(list(trade.classes), min(len(trade.classes), rng.randint(1, 3))),
            "min_education": rng.choice(("junior_college", "junior_college", "bachelor")),
            "places": [division],
            "headcount": rng.choice((1, 2, 2, 3, 5, 8)),
            "hardship_priority": rng.random() < 0.35,
            "publish": rng.random() > 0.03,
            **self._dates(),
        }
        if manager.role != Role.ENTERPRISE:
            common["source"] = rng.choice(("union_partner", "school_enterprise", "union_partner"))
        elif self.session.get(Employer, employer_id).status != EmployerStatus.VERIFIED:  # type: ignore[union-attr]
            common["publish"] = False  # an unverified enterprise keeps its positions as drafts
        if kind == PositionKind.JOB:
            common.update(title=title, pay_min=pay_min, pay_max=pay_min + Decimal(rng.choice((800, 1500, 2500))))
        elif kind == PositionKind.INTERNSHIP:
            common.update(
                title=f"{title}（就业见习）",
                internship=InternshipDetails(
                    duration_months=rng.choice((3, 6, 12)), subsidy=Decimal(rng.choice((1500, 1800, 2000, 2200)))
                ),
            )
        else:
            common.update(
                title=f"{title}（勤工俭学）",
                min_education="junior_college",
                major_classes=[],
                work_study=WorkStudyDetails(
                    hours_per_week=rng.choice((8, 12, 16)),
                    pay_basis="hourly",
                    rate=Decimal(rng.choice((16, 18, 20, 22))),
                    summer_special=rng.random() < 0.4,
                ),
            )
        self._create(manager, PositionCreate(**common))

    def _rule_year(self) -> int:
        years = list(self.session.scalars(select(ProgramRuleSet.year).distinct().order_by(ProgramRuleSet.year)))
        return min((y for y in years if y >= self.today.year), default=years[-1] if years else self.today.year)

    def _program_position(self, program: str) -> None:
        rng = self.rng
        unit = rng.choice([u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES])
        county = lexicon.COUNTY_NAMES[unit.division]
        town = rng.choice(lexicon.TOWNS[unit.division])
        year = self._rule_year()
        spec = {
            "tegang": (
                f"{year}年特岗计划 {county}农村小学{rng.choice(('语文', '数学', '英语'))}教师",
                ["0401", "0501", "0701", "0502"],
                "bachelor",
                3,
                [unit.division],
            ),
            "sanzhi_yifu": (
                f"{year}年三支一扶 {county}{town}{rng.choice(('支农', '支医', '帮扶乡村振兴'))}岗",
                [],
                "junior_college",
                2,
                [unit.division],
            ),
            "xibu": (
                f"{year}年大学生志愿服务西部计划 新疆阿克苏{rng.choice(('基础教育', '服务三农', '医疗卫生'))}专项",
                [],
                "junior_college",
                2,
                ["652901"],
            ),
            "chengxiang_shequ": (f"{year}年{county}{town}城乡社区工作者", [], "junior_college", None, [unit.division]),
            "xiangcun_yisheng": (f"{year}年{county}{town}卫生院乡村医生", [], "junior_college", None, [unit.division]),
        }[program]
        title, classes, education, years, places = spec
        data = PositionCreate(
            kind=PositionKind.GRASSROOTS,
            title=title,
            description="基层服务项目岗位，服务期满按政策享受考研加分、事业单位定向招聘等优惠。",
            major_classes=classes,
            min_education=education,
            places=places,
            headcount=rng.choice((2, 3, 5, 10)),
            hardship_priority=True,
            org_unit_id=unit.unit.id,
            source="union_partner",
            publish=True,
            grassroots=GrassrootsDetails(
                program=program,
                program_year=year,
                service_years=years,
                province_code="340000" if program != "xibu" else None,
            ),
            **self._dates(),
        )
        self._create(self._p(unit.clerk), data)

    def _entrepreneurship_position(self) -> None:
        rng = self.rng
        unit = rng.choice([u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES])
        county = lexicon.COUNTY_NAMES[unit.division]
        mentor = rng.choice(("expert", "model_worker", "craftsman"))
        data = PositionCreate(
            kind=PositionKind.ENTREPRENEURSHIP,
            title=rng.choice(
                (f"{county}大学生创业孵化基地入驻", f"{county}职工创新创业扶持资金", f"{county}农村电商创业导师帮带")
            ),
            description="面向有创业意愿的困难职工家庭高校毕业生，提供场地、资金和导师帮带。",
            places=[unit.division],
            hardship_priority=True,
            org_unit_id=unit.unit.id,
            source="union_partner",
            publish=True,
            entrepreneurship=EntrepreneurshipDetails(
                fund_amount=Decimal(rng.choice((20000, 30000, 50000))),
                venue=f"{county}大学生创业孵化基地",
                mentor_kind=mentor,
                mentor_name=self._name(False)[0] + rng.choice(("老师", "师傅")),
                competition="亳州市职工创新创业大赛" if rng.random() < 0.5 else None,
            ),
            **self._dates(),
        )
        self._create(self._p(unit.clerk), data)

    def _settle_positions(self) -> None:
        """Close a few positions by hand, the way staff withdraw a post that is no longer offered."""
        open_ids = list(
            self.session.scalars(
                select(Position.id).where(Position.status == PositionStatus.OPEN).order_by(Position.id)
            )
        )
        for position_id in self.rng.sample(open_ids, max(1, len(open_ids) // 30)):
            position = self.session.get(Position, position_id)
            assert position is not None
            principal = self._manager_of(position)
            catalog.close_position(self.session, principal=principal, position_id=position_id)
        self.summary.positions = len(self.positions)

    def _manager_of(self, position: Position) -> Principal:
        if position.employer_id is not None:
            return self.employer_manager[position.employer_id]
        return next(self._p(u.clerk) for u in self.units if u.unit.id == position.org_unit_id)

    def _fairs(self) -> None:
        rng = self.rng
        count = _count(12, self.size, 3)
        tz = ZoneInfo(get_settings().timezone)
        county_units = [u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES]
        for i in range(count):
            unit = county_units[i % len(county_units)]
            county = lexicon.COUNTY_NAMES[unit.division]
            day = self.today + timedelta(days=rng.choice((-40, -20, -6, 5, 12, 25)))
            online = rng.random() < 0.3
            fair = catalog.create_job_fair(
                self.session,
                principal=self._p(unit.clerk),
                data=JobFairCreate(
                    title=f"{day.year}年{county}“阳光就业”{'线上' if online else ''}专场招聘会（第{i // 4 + 1}场）",
                    mode="online" if online else "on_site",
                    starts_at=datetime.combine(day, time(9), tzinfo=tz),
                    ends_at=datetime.combine(day, time(12 if not online else 17), tzinfo=tz),
                    division_code=unit.division,
                    venue="" if online else f"{county}人力资源市场一楼大厅",
                    url=f"https://jobs.example.invalid/fair/{i + 1}" if online else "",
                    organiser=unit.unit.name,
                    description="困难职工家庭高校毕业生专场，现场提供政策咨询和简历指导。",
                    org_unit_id=unit.unit.id,
                ),
            )
            mine = list(
                self.session.scalars(
                    select(Position.id)
                    .where(
                        Position.org_unit_id.in_(sorted(self._p(unit.clerk).scope or ())),
                        Position.status == PositionStatus.OPEN,
                    )
                    .order_by(Position.id)
                )
            )
            if mine:
                chosen = sorted(rng.sample(mine, min(len(mine), rng.randint(5, 25))))
                catalog.add_fair_positions(
                    self.session, principal=self._p(unit.clerk), job_fair_id=fair.id, position_ids=chosen
                )
            self.summary.job_fairs += 1

    # ------------------------------------------------------------------------------------------ tracking

    def _tracking(self) -> None:
        """Caseloads, services and contacts; recommendations from the matcher (hard rules checked), then the moves
        of each pipeline. All recommendations come first: a signing changes the catalog, and the matcher would
        rebuild its index for the next recommendation."""
        rng = self.rng
        graduates = [g for g in self.grads if g.stage == Stage.GRADUATE and g.cohort in self.cohorts]
        units = {u.unit.code: u for u in self.units}
        candidates = self._open_positions()
        target = _count(300, self.size, 30)
        served = rng.sample(graduates, min(len(graduates), max(40, round(len(graduates) * 0.3))))
        ends = [e for e, _ in PIPELINE_ENDS]
        weights = [w for _, w in PIPELINE_ENDS]
        forced = list(ends)  # every state at least once, whatever the size
        taken: set[int] = set()  # positions an offer, signing or employment already went to
        plans: list[tuple[int, str, Principal]] = []
        for grad in served:
            counselor = self._p(units[grad.county].counselor)
            tracking.assign_counselor(
                self.session, principal=counselor, graduate_id=grad.id, counselor_id=counselor.user_id
            )
            self._services(grad, counselor)
            self._contacts(grad, counselor)
            if len(plans) >= target or "further_study" in grad.intentions:
                continue
            placed = False
            for position_id in self._fitting(grad, candidates)[: rng.randint(1, 3)]:
                end = forced[0] if forced else rng.choices(ends, weights=weights)[0]
                final = end in {"offered", "signed", "employed"}
                if final and (placed or position_id in taken):
                    if forced:
                        continue
                    end, final = "rejected", False
                app_id = self._recommend(grad, position_id, counselor)
                if app_id is None:
                    continue
                if forced:
                    forced.pop(0)
                plans.append((app_id, end, counselor))
                if final:
                    taken.add(position_id)
                    placed = True
        for app_id, end, counselor in plans:
            self._moves(app_id, end, counselor)
        self._statuses(served, units)
        self._handoffs(units)

    def _open_positions(self) -> list[tuple[int, str, str, tuple[str, ...], tuple[str, ...]]]:
        rows = self.session.execute(
            select(Position.id, Position.kind, Position.min_education, Position.major_classes, Position.places)
            .join(Employer, Employer.id == Position.employer_id, isouter=True)
            .where(
                Position.status == PositionStatus.OPEN,
                (Position.employer_id.is_(None)) | (Employer.status == "verified"),
            )
            .order_by(Position.id)
        ).all()
        return [(r[0], r[1], r[2], tuple(r[3] or ()), tuple(r[4] or ())) for r in rows]

    def _fitting(
        self, grad: _Grad, candidates: Sequence[tuple[int, str, str, tuple[str, ...], tuple[str, ...]]]
    ) -> list[int]:
        """Positions a counselor would pick for the graduate: the kinds wanted, the education and the major class
        the position asks for, in a wanted place first; then, further down, the same elsewhere."""
        level = EDUCATION_LEVELS.get(grad.education)
        own_class = (grad.major_code or "")[:4]
        wanted = (set(grad.intentions) | {"job"}) - {"grassroots", "work_study"}
        near: list[int] = []
        far: list[int] = []
        for position_id, kind, education, classes, places in candidates:
            if kind not in wanted or level is None or catalog.EDUCATION_RANK[education] > int(level):
                continue
            if classes and own_class not in classes:
                continue
            (near if not places or set(places) & set(grad.places) else far).append(position_id)
        self.rng.shuffle(near)
        self.rng.shuffle(far)
        return near + far

    def _recommend(self, grad: _Grad, position_id: int, counselor: Principal) -> int | None:
        try:
            with self.session.begin_nested():
                rec = flows.recommend(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    position_id=position_id,
                    note="根据匹配结果推荐，专业与意向地区相符",
                )
        except Conflict as exc:
            log.info("demo recommendation skipped: %s", exc.detail)
            return None
        return rec.application_id

    def _moves(self, app_id: int, end: str, counselor: Principal) -> None:
        try:
            with self.session.begin_nested():
                for step in PATH[end]:
                    tracking.move(
                        self.session,
                        principal=counselor,
                        application_id=app_id,
                        to_state=step,
                        reason=CLOSE_REASONS.get(step),
                        note=MOVE_NOTES[step],
                    )
        except Conflict as exc:
            log.info("demo pipeline stopped: %s", exc.detail)

    def _services(self, grad: _Grad, counselor: Principal) -> None:
        rng = self.rng
        plan = [
            ("policy_briefing", 0.85),
            ("career_guidance", 0.7),
            ("training_offer", 0.35),
            ("internship_offer", 0.3),
            ("interview_coaching", 0.2),
            ("job_fair", 0.3),
        ]
        for kind, chance in plan:
            if rng.random() < chance:
                tracking.record_service(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind=kind,
                    delivered_on=self.today - timedelta(days=rng.randint(3, 200)),
                    note="集中宣讲" if kind == "policy_briefing" else None,
                )
                self.summary.services += 1

    def _contacts(self, grad: _Grad, counselor: Principal) -> None:
        rng = self.rng
        tz = ZoneInfo(get_settings().timezone)
        days = sorted(rng.sample(range(5, 150), rng.randint(1, 3)), reverse=True)
        for i, back in enumerate(days):
            last = i == len(days) - 1
            when = datetime.combine(
                self.today - timedelta(days=back), time(rng.randint(9, 17), rng.choice((0, 30))), tzinfo=tz
            )
            due = None
            if last:
                # about a fifth are overdue: the next contact was due before today
                due = self.today + timedelta(days=rng.choice((-12, -4, 7, 14, 21, 30, 45)))
                due = max(due, when.date() + timedelta(days=1))
            tracking.record_contact(
                self.session,
                principal=counselor,
                graduate_id=grad.id,
                channel=rng.choice(("phone", "phone", "visit", "message", "meeting")),
                outcome=_weighted(rng, (("reached", 60), ("needs_help", 20), ("not_reached", 10), ("resolved", 10))),
                summary=rng.choice(
                    (
                        "了解求职进展，提醒关注招聘会信息",
                        "家访了解家庭近况，毕业生希望在本地就业",
                        "电话回访，已推送匹配岗位",
                        "毕业生咨询见习补贴政策",
                    )
                ),
                contacted_at=when,
                next_due_on=due,
            )
            self.summary.contacts += 1

    def _statuses(self, served: Sequence[_Grad], units: dict[str, _Unit]) -> None:
        """Destinations learned outside the pipeline: further study, the army, self-employment, not seeking."""
        rng = self.rng
        quiet = [
            g
            for g in served
            if not self.session.scalar(
                select(func.count()).select_from(Application).where(Application.graduate_id == g.id)
            )
        ]
        for i, grad in enumerate(quiet[: max(4, len(quiet) // 8)]):
            counselor = self._p(units[grad.county].counselor)
            choice = i % 4
            if choice == 0:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="employment",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 90)),
                    title="考取硕士研究生",
                    organisation="安徽大学",
                    destination="further_study",
                )
            elif choice == 1:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="employment",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 90)),
                    title="开设农村电商网店",
                    destination="self_employed",
                )
            elif choice == 2:
                tracking.set_override(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    status="military",
                    reason="本人电话告知已应征入伍，武装部已发入伍通知书",
                )
            else:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="training",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 60)),
                    ended_on=self.today - timedelta(days=rng.randint(1, 9)),
                    title="电子商务技能培训",
                    organisation="亳州职业技术学院",
                )

    def _handoffs(self, units: dict[str, _Unit]) -> None:
        rng = self.rng
        movers = [g for g in self.grads if g.stage == Stage.GRADUATE and g.county in {"BZ-LX", "BZ-GY", "BZ-MC"}]
        for i, grad in enumerate(rng.sample(movers, min(len(movers), 3))):
            home = units[grad.county]
            target = units.get("BZ-GX") or units["BZ-QC"]
            try:
                handoff = tracking.request_handoff(
                    self.session,
                    principal=self._p(home.clerk),
                    graduate_id=grad.id,
                    to_org_unit_id=target.unit.id,
                    reason="毕业生希望到亳州高新区就业，转介当地工会推荐岗位",
                    intended_place="亳州高新区",
                )
            except Conflict:
                continue
            if i < 2:
                tracking.decide_handoff(
                    self.session,
                    principal=self._p(target.clerk),
                    handoff_id=handoff.id,
                    accept=True,
                    note="已接收，安排专人对接",
                )

    # ------------------------------------------------------------------------------------------ aid

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
            counselor_user_id=self._p(unit.counselor).user_id,
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
                    aid.review(
                        self.session,
                        principal=centre,
                        application_id=app_id,
                        stage="centre",
                        decision="approve",
                        opinion="符合资助标准，同意资助",
                    )
                    award = aid.award_of(self.session, application_id=app_id)
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


def _csv_rows(content: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[1:]
