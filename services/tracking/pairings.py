"""The students of a 金牌蓝领 pairing and their track in it: joined → placed into the paired enterprise, or left;
the internships done there (跟岗 / 岗位实习) and the enterprise's aid paid to them.

Whether a student may join a pairing is :func:`join_problem` (the pairing's organising union covers the student's
unit, the agreement is in its period with seats left, the student studies at the paired 中职 / 高职 school — by
the registry record or a 两后生's school enrolment); the moves are :data:`MOVES`. An internship is also an
internship event on the student's timeline, and a placement an employment event, linked to the student's signed
application to the enterprise when there is one: tracking's employment status follows from them as from any
other record. The agreements themselves are the catalog's (:mod:`services.catalog.pairings`).

Who may do what: the union side that serves the student adds them, records internships, aid and the outcome; the
enterprise of the pairing reads its students — name, school, major, internships and outcome, never the family,
the hardship data, ID numbers or phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.catalog import api as catalog
from services.catalog.api import GoldenPairing
from services.clock import local_today
from services.db import Base, TimestampMixin, utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.registry import api as registry
from services.registry.api import Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import UNION_SIDE
from services.security.scope import scoped
from services.tracking.access import servable_graduate
from services.tracking.events import record_event
from services.tracking.models import Application, EventKind
from services.tracking.pipeline import AppState

VOCATIONAL_SCHOOL_KINDS = frozenset({"05", "06"})  # 中等职业学校, 高等职业学校（专科）
VOCATIONAL_EDUCATION = frozenset({"41", "31"})  # 中等职业教育, 大学专科（高职）
MAX_AID = Decimal("99999.99")


class PairingState(StrEnum):
    JOINED = "joined"  # 结对培养中
    PLACED = "placed"  # 已入职结对企业
    LEFT = "left"  # 退出结对


PAIRING_STATES: Final[dict[str, str]] = {
    PairingState.JOINED.value: "结对培养中",
    PairingState.PLACED.value: "已入职结对企业",
    PairingState.LEFT.value: "退出结对",
}
MOVES: Final[dict[str, frozenset[str]]] = {
    PairingState.JOINED.value: frozenset({PairingState.PLACED.value, PairingState.LEFT.value}),
    PairingState.PLACED.value: frozenset(),
    PairingState.LEFT.value: frozenset(),
}
INTERNSHIP_KINDS: Final[dict[str, str]] = {
    "cognition": "认识实习",
    "follow": "跟岗实习",
    "post": "岗位实习",
}


class PairingStudent(TimestampMixin, Base):
    """A student in a 金牌蓝领 pairing, from joining to placement into the enterprise (or leaving)."""

    __tablename__ = "tracking_pairing_student"
    __table_args__ = (UniqueConstraint("pairing_id", "graduate_id"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("catalog_golden_pairing.id"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the student's
    state: Mapped[str] = mapped_column(String(16), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    placed_on: Mapped[date | None] = mapped_column(Date)
    placed_post: Mapped[str | None] = mapped_column(String(100))  # 入职岗位
    application_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_application.id"))
    employment_event_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_event.id"))
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class PairingInternship(Base):
    """An internship a pairing student did at the paired enterprise."""

    __tablename__ = "tracking_pairing_internship"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("tracking_pairing_student.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # 认识实习 / 跟岗实习 / 岗位实习
    post: Mapped[str] = mapped_column(String(100))  # 实习岗位
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    assessment: Mapped[str | None] = mapped_column(String(300))  # 企业评价
    event_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_event.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PairingAid(Base):
    """Aid the enterprise paid a pairing student under the agreement (企业助学金)."""

    __tablename__ = "tracking_pairing_aid"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("tracking_pairing_student.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _user(principal: Principal) -> int | None:
    return principal.user_id if principal.user_id > 0 else None


def _union_side(principal: Principal) -> None:
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以办理金牌蓝领结对")


# ---- joining --------------------------------------------------------------------------------------------------


def join_problem(
    session: Session, *, pairing: GoldenPairing, graduate: Graduate, today: date
) -> tuple[str, str] | None:
    """Why ``graduate`` cannot join ``pairing`` today, as (field, reason), or None when they may."""
    if not catalog.pairing_covers(session, pairing=pairing, org_unit_id=graduate.org_unit_id):
        return "pairing_id", "该结对由其他县区组织，不面向本县区的学生"
    if today < pairing.starts_on:
        return "pairing_id", f"该结对协议自{pairing.starts_on:%Y年%m月%d日}开始，尚未开始"
    if today > pairing.ends_on:
        return "pairing_id", f"该结对协议已于{pairing.ends_on:%Y年%m月%d日}到期"
    schools = registry.vocational_schools(session, graduate_id=graduate.id)
    vocational = graduate.school_kind in VOCATIONAL_SCHOOL_KINDS or graduate.education in VOCATIONAL_EDUCATION
    if not vocational and not schools:
        return "graduate_id", "金牌蓝领面向就读中职、高职院校的学生，该学生未登记中职或高职就读"
    wanted = catalog.school_key(pairing.school_name)
    names = [graduate.school_name, *schools] if vocational else schools
    if wanted not in {catalog.school_key(n) for n in names if n}:
        shown = "、".join(dict.fromkeys(n for n in names if n)) or "未登记"
        return "graduate_id", f"该学生就读于{shown}，不是结对学校“{pairing.school_name}”的学生"
    taken = session.scalar(
        select(func.count())
        .select_from(PairingStudent)
        .where(PairingStudent.pairing_id == pairing.id, PairingStudent.state != PairingState.LEFT.value)
    )
    if int(taken or 0) >= pairing.headcount:
        return "pairing_id", f"该结对约定名额{pairing.headcount}人，已满"
    return None


def add_student(
    session: Session,
    *,
    principal: Principal,
    pairing_id: int,
    graduate_id: int,
    joined_on: date | None = None,
    note: str | None = None,
) -> PairingStudent:
    """The union side that serves a 中职 / 高职 student adds them to a pairing of its units or above (joined today,
    or on an earlier day of the agreement's period)."""
    _union_side(principal)
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    pairing = catalog.get_pairing(session, principal=principal, pairing_id=pairing_id)
    existing = session.scalar(
        select(PairingStudent.id).where(
            PairingStudent.pairing_id == pairing.id, PairingStudent.graduate_id == graduate.id
        )
    )
    if existing is not None:
        raise Conflict("该学生已在这一结对中", field="graduate_id")
    today = local_today()
    found = join_problem(session, pairing=pairing, graduate=graduate, today=today)
    if found is not None:
        raise Conflict(found[1], field=found[0])
    joined = joined_on or today
    if joined > today:
        raise ValidationFailed("加入日期不能晚于今天", field="joined_on")
    if joined < pairing.starts_on:
        raise ValidationFailed(f"加入日期不能早于协议开始日期{pairing.starts_on:%Y年%m月%d日}", field="joined_on")
    row = PairingStudent(
        pairing_id=pairing.id,
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        state=PairingState.JOINED.value,
        joined_on=joined,
        note=(note or "").strip() or None,
        added_by_id=_user(principal),
        updated_by_id=_user(principal),
    )
    session.add(row)
    session.flush()
    return row


# ---- reading --------------------------------------------------------------------------------------------------


def list_students(
    session: Session, *, principal: Principal, pairing_id: int | None = None, graduate_id: int | None = None
) -> list[PairingStudent]:
    """Students of pairings: the union side sees those it may read; an enterprise those of its own pairings."""
    cond: list[ColumnElement[bool]] = []
    if pairing_id is not None:
        pairing = catalog.get_pairing(session, principal=principal, pairing_id=pairing_id)
        cond.append(PairingStudent.pairing_id == pairing.id)
    if graduate_id is not None:
        cond.append(PairingStudent.graduate_id == graduate_id)
    if principal.role == Role.ENTERPRISE:
        if pairing_id is None:
            raise Forbidden("企业请按结对查看学生")
        # the enterprise reached the pairing through its own employer scope above: every student of it
        stmt = select(PairingStudent).where(*cond)
        return list(session.scalars(stmt.order_by(PairingStudent.id)))
    stmt = scoped(
        select(PairingStudent).where(*cond),
        principal,
        org=PairingStudent.org_unit_id,
        graduate=PairingStudent.graduate_id,
        session=session,
        roles=UNION_SIDE,
    )
    return list(session.scalars(stmt.order_by(PairingStudent.id)))


def get_student(session: Session, *, principal: Principal, student_id: int) -> PairingStudent:
    row = session.scalar(
        scoped(
            select(PairingStudent).where(PairingStudent.id == student_id),
            principal,
            org=PairingStudent.org_unit_id,
            graduate=PairingStudent.graduate_id,
            session=session,
            roles=UNION_SIDE,
        )
    )
    if row is None:
        raise NotFound(f"编号为 {student_id} 的结对学生不存在或不在您的管辖范围内")
    return row


def _servable_student(session: Session, principal: Principal, student_id: int) -> PairingStudent:
    _union_side(principal)
    row = get_student(session, principal=principal, student_id=student_id)
    servable_graduate(session, principal=principal, graduate_id=row.graduate_id)
    return row


def internships_of(session: Session, *, student_ids: list[int]) -> dict[int, list[PairingInternship]]:
    """Internships per student, for students the caller already holds."""
    out: dict[int, list[PairingInternship]] = {i: [] for i in student_ids}
    if not student_ids:
        return out
    stmt = select(PairingInternship).where(PairingInternship.student_id.in_(sorted(set(student_ids))))
    for row in session.scalars(stmt.order_by(PairingInternship.starts_on, PairingInternship.id)):
        out[row.student_id].append(row)
    return out


def aid_totals(session: Session, *, student_ids: list[int]) -> dict[int, Decimal]:
    """Aid paid per student, for students the caller already holds."""
    out = {i: Decimal("0.00") for i in student_ids}
    if not student_ids:
        return out
    stmt = (
        select(PairingAid.student_id, func.sum(PairingAid.amount))
        .where(PairingAid.student_id.in_(sorted(set(student_ids))))
        .group_by(PairingAid.student_id)
    )
    for sid, total in session.execute(stmt):
        out[int(sid)] = Decimal(str(total or 0)).quantize(Decimal("0.01"))
    return out


def pairing_figures(session: Session, *, pairing_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per pairing the students in each state (for pairings the caller already holds)."""
    out: dict[int, dict[str, int]] = {pid: dict.fromkeys(PAIRING_STATES, 0) for pid in pairing_ids}
    if not pairing_ids:
        return out
    stmt = (
        select(PairingStudent.pairing_id, PairingStudent.state, func.count())
        .where(PairingStudent.pairing_id.in_(sorted(set(pairing_ids))))
        .group_by(PairingStudent.pairing_id, PairingStudent.state)
    )
    for pid, state, n in session.execute(stmt):
        out[int(pid)][str(state)] = int(n)
    return out


# ---- internships and aid --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InternshipData:
    kind: str
    post: str
    starts_on: date
    ends_on: date | None = None
    assessment: str | None = None


def internship_problem(row: PairingStudent, data: InternshipData, *, today: date) -> tuple[str, str] | None:
    if row.state == PairingState.LEFT:
        return "student_id", "该学生已退出结对，不能再登记实习"
    if data.kind not in INTERNSHIP_KINDS:
        return "kind", "请选择实习类别：认识实习、跟岗实习或岗位实习"
    if len(data.post.strip()) < 2:
        return "post", "请填写实习岗位"
    if data.starts_on > today:
        return "starts_on", "不能登记尚未开始的实习"
    if data.starts_on < row.joined_on:
        return "starts_on", f"实习开始日期不能早于加入结对的日期{row.joined_on:%Y年%m月%d日}"
    if data.ends_on is not None and data.ends_on < data.starts_on:
        return "ends_on", "实习结束日期不能早于开始日期"
    return None


def record_internship(
    session: Session, *, principal: Principal, student_id: int, data: InternshipData
) -> PairingInternship:
    """An internship at the paired enterprise; it is also an internship event on the student's timeline."""
    row = _servable_student(session, principal, student_id)
    found = internship_problem(row, data, today=local_today())
    if found is not None:
        raise ValidationFailed(found[1], field=found[0])
    pairing = catalog.get_pairing(session, principal=principal, pairing_id=row.pairing_id)
    employer = catalog.employer_names(session, ids=[pairing.employer_id]).get(pairing.employer_id, "")
    event = record_event(
        session,
        principal=principal,
        graduate_id=row.graduate_id,
        kind=EventKind.INTERNSHIP.value,
        occurred_on=data.starts_on,
        ended_on=data.ends_on,
        title=f"金牌蓝领{INTERNSHIP_KINDS[data.kind]}：{data.post.strip()}",
        organisation=employer or None,
    )
    internship = PairingInternship(
        student_id=row.id,
        org_unit_id=row.org_unit_id,
        kind=data.kind,
        post=data.post.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        assessment=(data.assessment or "").strip() or None,
        event_id=event.id,
        recorded_by_id=_user(principal),
    )
    session.add(internship)
    session.flush()
    return internship


def aid_problem(row: PairingStudent, *, amount: Decimal, paid_on: date, today: date) -> tuple[str, str] | None:
    if row.state == PairingState.LEFT:
        return "student_id", "该学生已退出结对，不能再登记助学金"
    if amount <= 0 or amount > MAX_AID or amount != amount.quantize(Decimal("0.01")):
        return "amount", "助学金金额应大于0，最多两位小数"
    if paid_on > today:
        return "paid_on", "发放日期不能晚于今天"
    if paid_on < row.joined_on:
        return "paid_on", f"发放日期不能早于加入结对的日期{row.joined_on:%Y年%m月%d日}"
    return None


def record_aid(
    session: Session, *, principal: Principal, student_id: int, amount: Decimal, paid_on: date, note: str | None
) -> PairingAid:
    """Aid the enterprise paid the student under the agreement."""
    row = _servable_student(session, principal, student_id)
    found = aid_problem(row, amount=Decimal(amount), paid_on=paid_on, today=local_today())
    if found is not None:
        raise ValidationFailed(found[1], field=found[0])
    aid = PairingAid(
        student_id=row.id,
        org_unit_id=row.org_unit_id,
        paid_on=paid_on,
        amount=Decimal(amount),
        note=(note or "").strip() or None,
        recorded_by_id=_user(principal),
    )
    session.add(aid)
    session.flush()
    return aid


# ---- the outcome ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairingMove:
    to: str
    on: date
    post: str | None = None
    reason: str | None = None


def move_problem(row: PairingStudent, move: PairingMove, *, today: date) -> tuple[str, str] | None:
    """Why ``move`` cannot be applied to ``row``, as (field, reason), or None (pure: the state machine)."""
    if move.to not in PAIRING_STATES:
        return "to", "请选择结果：已入职结对企业或退出结对"
    if move.to not in MOVES[row.state]:
        here, there = PAIRING_STATES[row.state], PAIRING_STATES[move.to]
        return "to", f"该学生当前为“{here}”，不能改为“{there}”"
    if move.on > today:
        return "on", "日期不能晚于今天"
    if move.on < row.joined_on:
        return "on", f"日期不能早于加入结对的日期{row.joined_on:%Y年%m月%d日}"
    if move.to == PairingState.PLACED and not (move.post or "").strip():
        return "post", "入职结对企业的，请填写入职岗位"
    if move.to == PairingState.LEFT and not (move.reason or "").strip():
        return "reason", "请说明退出结对的原因"
    return None


def signed_application(session: Session, *, graduate_id: int, employer_id: int) -> int | None:
    """The student's latest signed (or employed) application to the enterprise, if any."""
    found = session.scalar(
        select(Application.id)
        .where(
            Application.graduate_id == graduate_id,
            Application.employer_id == employer_id,
            Application.state.in_([AppState.SIGNED.value, AppState.EMPLOYED.value]),
        )
        .order_by(Application.state_changed_at.desc(), Application.id.desc())
        .limit(1)
    )
    return None if found is None else int(found)


def move_student(session: Session, *, principal: Principal, student_id: int, move: PairingMove) -> PairingStudent:
    """Placed into the paired enterprise (an employment event on the timeline, linked to the signed application when
    there is one), or left the pairing (with the reason)."""
    row = _servable_student(session, principal, student_id)
    found = move_problem(row, move, today=local_today())
    if found is not None:
        field, reason = found
        if field == "to" and move.to in PAIRING_STATES:
            raise Conflict(reason, field=field)
        raise ValidationFailed(reason, field=field)
    row.state = move.to
    row.updated_by_id = _user(principal)
    if move.to == PairingState.PLACED:
        pairing = catalog.get_pairing(session, principal=principal, pairing_id=row.pairing_id)
        employer = catalog.employer_names(session, ids=[pairing.employer_id]).get(pairing.employer_id, "")
        row.placed_on = move.on
        row.placed_post = (move.post or "").strip()
        row.application_id = signed_application(session, graduate_id=row.graduate_id, employer_id=pairing.employer_id)
        event = record_event(
            session,
            principal=principal,
            graduate_id=row.graduate_id,
            kind=EventKind.EMPLOYMENT.value,
            occurred_on=move.on,
            title=f"金牌蓝领入职结对企业：{row.placed_post}",
            organisation=employer or None,
            destination="employed",
        )
        row.employment_event_id = event.id
    else:
        row.left_on = move.on
        row.left_reason = (move.reason or "").strip()
    session.flush()
    return row
