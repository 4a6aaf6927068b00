"""The demo world's shared parts: the constants of the generated 亳州市, small helpers, and the builder's
base (its state, people, accounts and staff) that each domain's part extends."""

from __future__ import annotations

import csv
import io
import logging
import random
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.demo import identities, lexicon
from services.errors import Conflict, ValidationFailed
from services.orgs import service as orgs
from services.orgs.models import OrgKind, OrgUnit
from services.security.models import Role, User
from services.security.passwords import hash_password
from services.security.principal import Principal

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


class BuilderBase:
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


def _csv_rows(content: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return rows[1:]
