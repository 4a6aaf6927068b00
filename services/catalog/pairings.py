"""金牌蓝领 pairings (校企结对助学就业): a 中职 or 高职 school and an enterprise of the catalog agree, under a union,
to take a number of hardship-family students, give them aid while they study, train them in internships and employ
them when they finish (助学和就业一体化).

The agreement is the catalog's, beside the positions the enterprise offers: school, enterprise, period, terms,
headcount and the aid per student. The students in it, their internships, the aid paid to them and their placement
into the enterprise are the students' track, so tracking keeps them (:mod:`services.tracking.pairings`).

Who may do what: union staff sign pairings for a union of their scope; the union side reads the pairings of its
own units and of the units above them (a city pairing serves every county); an enterprise reads only the
pairings it is party to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, Date, ForeignKey, Integer, Numeric, String, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.catalog.models import Employer, EmployerStatus
from services.db import Base, TimestampMixin
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped

SCHOOL_KINDS = {"05": "中等职业学校", "06": "高等职业学校（专科）"}
ORGANISING_KINDS = frozenset({OrgKind.CITY, OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT})
MAX_AMOUNT = Decimal("999999.99")


class GoldenPairing(TimestampMixin, Base):
    """A 金牌蓝领 school–enterprise agreement under a union."""

    __tablename__ = "catalog_golden_pairing"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        CheckConstraint("aid_per_student >= 0", name="aid_not_negative"),
    )
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the organising union
    number: Mapped[str] = mapped_column(String(60), unique=True)  # 协议编号
    school_name: Mapped[str] = mapped_column(String(200), index=True)
    school_kind: Mapped[str] = mapped_column(String(4))  # 05 中职 / 06 高职 (refdata school_kind)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    majors: Mapped[str] = mapped_column(String(300), default="")  # 结对专业方向
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    terms: Mapped[str] = mapped_column(Text)  # 协议条款：助学、实习、就业承诺
    headcount: Mapped[int] = mapped_column(Integer)  # 结对学生名额
    aid_per_student: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # 企业每生每年助学金（元）
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


@dataclass(frozen=True, slots=True)
class PairingData:
    org_unit_id: int
    number: str
    school_name: str
    school_kind: str
    employer_id: int
    starts_on: date
    ends_on: date
    terms: str
    headcount: int
    aid_per_student: Decimal
    majors: str = ""


def school_key(name: str) -> str:
    """A school name as compared: spaces and full-width forms folded."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in name)
    return "".join(folded.split()).replace("(", "（").replace(")", "）")


def pairing_problem(data: PairingData) -> tuple[str, str] | None:
    """Why the agreement's own fields are wrong, as (field, reason), or None (pure)."""
    if len(data.number.strip()) < 2:
        return "number", "请填写协议编号"
    if len(data.school_name.strip()) < 4:
        return "school_name", "请填写结对学校全称"
    if data.school_kind not in SCHOOL_KINDS:
        return "school_kind", "金牌蓝领结对学校应为中等职业学校或高等职业学校（专科）"
    if data.ends_on < data.starts_on:
        return "ends_on", "协议结束日期不能早于开始日期"
    if len(data.terms.strip()) < 4:
        return "terms", "请写明协议条款（助学、实习、就业安排）"
    if data.headcount < 1:
        return "headcount", "结对学生名额至少为1人"
    amount = Decimal(data.aid_per_student)
    if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        return "aid_per_student", "每生助学金应为不小于0的金额，最多两位小数"
    return None


def _ancestors(session: Session, principal: Principal) -> list[int]:
    if principal.org_unit_id is None:
        return []
    unit = session.get(OrgUnit, principal.org_unit_id)
    return [] if unit is None else [int(p) for p in unit.path.strip("/").split("/") if p]


def create_pairing(session: Session, *, principal: Principal, data: PairingData) -> GoldenPairing:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以登记金牌蓝领校企结对")
    unit = session.get(OrgUnit, data.org_unit_id)
    if unit is None or unit.kind not in ORGANISING_KINDS:
        raise ValidationFailed("组织单位应为市总工会或县区（园区）总工会", field="org_unit_id")
    if not principal.covers(unit.id):
        raise Forbidden("不能为管辖范围之外的单位登记校企结对")
    found = pairing_problem(data)
    if found is not None:
        raise ValidationFailed(found[1], field=found[0])
    employer = session.get(Employer, data.employer_id)
    if employer is None:
        raise ValidationFailed("请选择已登记的企业", field="employer_id")
    if employer.status != EmployerStatus.VERIFIED:
        raise ValidationFailed(f"企业“{employer.name}”尚未通过认证，不能结对", field="employer_id")
    number = data.number.strip()
    if session.scalar(select(GoldenPairing.id).where(GoldenPairing.number == number)) is not None:
        raise Conflict(f"协议编号“{number}”已登记", field="number")
    row = GoldenPairing(
        org_unit_id=unit.id,
        number=number,
        school_name=data.school_name.strip(),
        school_kind=data.school_kind,
        employer_id=employer.id,
        majors=data.majors.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        terms=data.terms.strip(),
        headcount=data.headcount,
        aid_per_student=Decimal(data.aid_per_student),
        created_by=principal.user_id if principal.user_id > 0 else None,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise Conflict(f"协议编号“{number}”已登记", field="number") from exc
    return row


def get_pairing(session: Session, *, principal: Principal, pairing_id: int) -> GoldenPairing:
    """A pairing of the principal's units or above them, or the enterprise's own; else 404."""
    above = GoldenPairing.org_unit_id.in_(_ancestors(session, principal))
    row = session.scalar(
        scoped(
            select(GoldenPairing).where(GoldenPairing.id == pairing_id),
            principal,
            org=GoldenPairing.org_unit_id,
            employer=GoldenPairing.employer_id,
            public=above if principal.role in UNION_SIDE else None,
            roles=UNION_SIDE | {Role.ENTERPRISE},
        )
    )
    if row is None:
        raise NotFound(f"编号为 {pairing_id} 的金牌蓝领结对不存在或不在您的管辖范围内")
    return row


def list_pairings(
    session: Session, *, principal: Principal, active_on: date | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[GoldenPairing], int]:
    cond: list[ColumnElement[bool]] = []
    if active_on is not None:
        cond += [GoldenPairing.starts_on <= active_on, GoldenPairing.ends_on >= active_on]
    above = GoldenPairing.org_unit_id.in_(_ancestors(session, principal))
    public = above if principal.role in UNION_SIDE else None
    roles = UNION_SIDE | {Role.ENTERPRISE}
    total = session.scalar(
        scoped(
            select(func.count()).select_from(GoldenPairing).where(*cond),
            principal,
            org=GoldenPairing.org_unit_id,
            employer=GoldenPairing.employer_id,
            public=public,
            roles=roles,
        )
    )
    rows = session.scalars(
        scoped(
            select(GoldenPairing).where(*cond).order_by(GoldenPairing.starts_on.desc(), GoldenPairing.id.desc()),
            principal,
            org=GoldenPairing.org_unit_id,
            employer=GoldenPairing.employer_id,
            public=public,
            roles=roles,
        )
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def pairing_covers(session: Session, *, pairing: GoldenPairing, org_unit_id: int) -> bool:
    """True when a student of ``org_unit_id`` lies under the organising union of ``pairing``."""
    organiser = session.get(OrgUnit, pairing.org_unit_id)
    unit = session.get(OrgUnit, org_unit_id)
    return organiser is not None and unit is not None and unit.path.startswith(organiser.path)


def employer_names(session: Session, *, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Employer.id, Employer.name).where(Employer.id.in_(sorted(set(ids))))
    return {int(i): str(n) for i, n in session.execute(stmt)}
