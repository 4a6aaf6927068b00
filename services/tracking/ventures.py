"""Entrepreneurship (§三(四)): graduates' projects — 网络创业, 返乡创业, 传统创业 — recorded in or outside a contest;
the 创新创业大赛 a union organises with its screening criteria (基础条件好、市场前景广、发展潜力大、科技含量高 by
default); entries screened as passed, or refused with the criterion named; and what a project was given (funds with
the amount, space, incubation, mentoring, 成果转化).

Who may do what: the union side (counselors and staff) records a project and enters it for a graduate it serves;
union staff register contests for a union of their scope, screen the entries of their contests and record
support. A contest is seen by the union side of its union and of the units below it; a project, an entry and a
support by whoever may see the graduate (``scoped`` with the graduate rules). Enterprises see none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.clock import local_today
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped
from services.tracking.access import servable_graduate
from services.tracking.mentor_models import (
    Contest,
    ContestEntry,
    EntryState,
    SupportKind,
    Venture,
    VentureKind,
    VentureState,
    VentureSupport,
)
from services.tracking.mentors import get_mentor

S = TypeVar("S", bound=Select[Any])
VENTURE_KINDS = {
    VentureKind.ONLINE.value: "网络创业",
    VentureKind.RETURNING.value: "返乡创业",
    VentureKind.TRADITIONAL.value: "传统创业",
}
VENTURE_STATES = {
    VentureState.PLANNING.value: "筹备中",
    VentureState.OPERATING.value: "经营中",
    VentureState.CLOSED.value: "已停止经营",
}
ENTRY_STATES = {
    EntryState.SUBMITTED.value: "待筛选",
    EntryState.PASSED.value: "通过筛选",
    EntryState.REFUSED.value: "未通过筛选",
}
SUPPORT_KINDS = {
    SupportKind.FUNDS.value: "扶持资金",
    SupportKind.SPACE.value: "创业场地",
    SupportKind.INCUBATION.value: "产品孵化",
    SupportKind.MENTORING.value: "创新指导",
    SupportKind.COMMERCIALISATION.value: "成果转化",
}
# the notice's own words for the projects to select (§三(四))
DEFAULT_CRITERIA = ("基础条件好", "市场前景广", "发展潜力大", "科技含量高")
MAX_AMOUNT = Decimal("9999999.99")


def _union_side(principal: Principal) -> None:
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以查看创业项目")


def _staff(principal: Principal, action: str) -> None:
    if principal.role not in STAFF:
        raise Forbidden(f"只有工会工作人员可以{action}")


def scoped_graduate_rows(session: Session, principal: Principal, stmt: S, model: Any) -> S:
    return scoped(stmt, principal, org=model.org_unit_id, graduate=model.graduate_id, session=session, roles=UNION_SIDE)


# ---- projects --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VentureData:
    graduate_id: int
    name: str
    kind: str
    description: str
    team: str = ""
    place: str = ""
    state: str = VentureState.PLANNING.value
    started_on: date | None = None


def venture_problem(data: VentureData, *, today: date) -> tuple[str, str] | None:
    """Why a project cannot be recorded as given, as (field, reason), or None."""
    if len(data.name.strip()) < 2:
        return "name", "请填写项目名称"
    if data.kind not in VENTURE_KINDS:
        return "kind", "请选择项目类型：网络创业、返乡创业或传统创业"
    if data.state not in VENTURE_STATES:
        return "state", "请选择项目状态：筹备中、经营中或已停止经营"
    if len(data.description.strip()) < 4:
        return "description", "请简要介绍项目（做什么、面向谁）"
    if data.kind == VentureKind.RETURNING and len(data.place.strip()) < 2:
        return "place", "返乡创业请填写返乡创业的地点"
    if data.started_on is not None and data.started_on > today:
        return "started_on", "开业日期不能晚于今天"
    if data.state == VentureState.OPERATING and data.started_on is None:
        return "started_on", "经营中的项目请填写开业日期"
    return None


def record_venture(session: Session, *, principal: Principal, data: VentureData) -> Venture:
    graduate = servable_graduate(session, principal=principal, graduate_id=data.graduate_id)
    today = local_today()
    problem = venture_problem(data, today=today)
    if problem is not None:
        raise ValidationFailed(problem[1], field=problem[0])
    row = Venture(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        name=data.name.strip(),
        kind=data.kind,
        state=data.state,
        team=data.team.strip() or None,
        place=data.place.strip() or None,
        description=data.description.strip(),
        started_on=data.started_on,
        recorded_on=today,
        created_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def get_venture(session: Session, *, principal: Principal, venture_id: int) -> Venture:
    _union_side(principal)
    row = session.scalar(
        scoped_graduate_rows(session, principal, select(Venture).where(Venture.id == venture_id), Venture)
    )
    if row is None:
        raise NotFound(f"编号为 {venture_id} 的创业项目不存在或不在您的管辖范围内")
    return row


def list_ventures(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Venture], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if graduate_id is not None:
        cond.append(Venture.graduate_id == graduate_id)
    if kind:
        cond.append(Venture.kind == kind)
    total = session.scalar(
        scoped_graduate_rows(session, principal, select(func.count()).select_from(Venture).where(*cond), Venture)
    )
    stmt = scoped_graduate_rows(session, principal, select(Venture).where(*cond).order_by(Venture.id.desc()), Venture)
    return list(session.scalars(stmt.limit(limit).offset(offset))), int(total or 0)


def set_venture_state(
    session: Session, *, principal: Principal, venture_id: int, state: str, started_on: date | None = None
) -> Venture:
    row = get_venture(session, principal=principal, venture_id=venture_id)
    servable_graduate(session, principal=principal, graduate_id=row.graduate_id)
    if state not in VENTURE_STATES:
        raise ValidationFailed("请选择项目状态：筹备中、经营中或已停止经营", field="state")
    if started_on is not None and started_on > local_today():
        raise ValidationFailed("开业日期不能晚于今天", field="started_on")
    if state == VentureState.OPERATING and (started_on or row.started_on) is None:
        raise ValidationFailed("经营中的项目请填写开业日期", field="started_on")
    row.state = state
    row.started_on = started_on or row.started_on
    session.flush()
    return row


# ---- contests --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestData:
    org_unit_id: int
    year: int
    name: str
    organiser: str
    criteria: tuple[str, ...] = DEFAULT_CRITERIA
    entries_close_on: date | None = None


def _units_above(session: Session, principal: Principal) -> list[int]:
    if principal.org_unit_id is None:
        return []
    unit = session.get(OrgUnit, principal.org_unit_id)
    return [int(p) for p in unit.path.strip("/").split("/") if p] if unit is not None else []


def visible_contests(session: Session, principal: Principal, stmt: S) -> S:
    """``stmt`` over contests narrowed to those the principal sees: its scope and the unions above it."""
    above = _units_above(session, principal)
    return scoped(
        stmt,
        principal,
        org=Contest.org_unit_id,
        roles=UNION_SIDE,
        public=Contest.org_unit_id.in_(above) if above else None,
    )


def create_contest(session: Session, *, principal: Principal, data: ContestData) -> Contest:
    _staff(principal, "登记创新创业大赛")
    unit = session.get(OrgUnit, data.org_unit_id)
    if unit is None:
        raise ValidationFailed("请选择主办的工会", field="org_unit_id")
    if not principal.covers(unit.id):
        raise Forbidden("不能为管辖范围之外的工会登记大赛")
    if not 2000 <= data.year <= local_today().year + 1:
        raise ValidationFailed(f"大赛年度应在2000年至{local_today().year + 1}年之间", field="year")
    name = data.name.strip()
    if len(name) < 4:
        raise ValidationFailed("请填写大赛名称", field="name")
    if len(data.organiser.strip()) < 2:
        raise ValidationFailed("请填写主办、承办单位", field="organiser")
    labels = [c.strip() for c in data.criteria if c.strip()]
    if not labels:
        raise ValidationFailed("请至少填写一条筛选条件", field="criteria")
    if len(set(labels)) != len(labels):
        raise ValidationFailed("筛选条件不能重复", field="criteria")
    if any(len(c) > 100 for c in labels) or len(labels) > 20:
        raise ValidationFailed("筛选条件最多20条，每条不超过100字", field="criteria")
    if session.scalar(
        select(Contest.id).where(Contest.org_unit_id == unit.id, Contest.year == data.year, Contest.name == name)
    ):
        raise Conflict(f"{data.year}年“{name}”已登记", field="name")
    row = Contest(
        org_unit_id=unit.id,
        year=data.year,
        name=name,
        organiser=data.organiser.strip(),
        criteria=[{"code": str(i), "label": label} for i, label in enumerate(labels, start=1)],
        entries_close_on=data.entries_close_on,
        created_by_id=principal.user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same contest
        raise Conflict(f"{data.year}年“{name}”已登记", field="name") from exc
    return row


def get_contest(session: Session, *, principal: Principal, contest_id: int) -> Contest:
    _union_side(principal)
    row = session.scalar(visible_contests(session, principal, select(Contest).where(Contest.id == contest_id)))
    if row is None:
        raise NotFound(f"编号为 {contest_id} 的大赛不存在或不在您的管辖范围内")
    return row


def list_contests(
    session: Session, *, principal: Principal, year: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[Contest], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = [] if year is None else [Contest.year == year]
    total = session.scalar(visible_contests(session, principal, select(func.count()).select_from(Contest).where(*cond)))
    stmt = visible_contests(
        session, principal, select(Contest).where(*cond).order_by(Contest.year.desc(), Contest.id.desc())
    )
    return list(session.scalars(stmt.limit(limit).offset(offset))), int(total or 0)


def criterion_label(contest: Contest, code: str | None) -> str:
    for c in contest.criteria:
        if str(c.get("code")) == code:
            return str(c.get("label"))
    return code or ""


# ---- entries and screening -------------------------------------------------------------------------------


def enter(
    session: Session, *, principal: Principal, contest_id: int, venture_id: int, on: date | None = None
) -> ContestEntry:
    """Enter a project of a graduate the principal serves in a contest it sees, while entries are open."""
    contest = get_contest(session, principal=principal, contest_id=contest_id)
    venture = get_venture(session, principal=principal, venture_id=venture_id)
    servable_graduate(session, principal=principal, graduate_id=venture.graduate_id)
    today = local_today()
    day = on or today
    if day > today:
        raise ValidationFailed("报名日期不能晚于今天", field="on")
    if contest.entries_close_on is not None and day > contest.entries_close_on:
        raise Conflict(f"“{contest.name}”已于{contest.entries_close_on:%Y年%m月%d日}截止报名", field="contest_id")
    if venture.state == VentureState.CLOSED:
        raise Conflict("已停止经营的项目不能报名参赛", field="venture_id")
    if session.scalar(
        select(ContestEntry.id).where(ContestEntry.contest_id == contest.id, ContestEntry.venture_id == venture.id)
    ):
        raise Conflict(f"项目“{venture.name}”已报名“{contest.name}”", field="venture_id")
    row = ContestEntry(
        contest_id=contest.id,
        venture_id=venture.id,
        graduate_id=venture.graduate_id,
        org_unit_id=venture.org_unit_id,
        state=EntryState.SUBMITTED.value,
        submitted_on=day,
        submitted_by_id=principal.user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"项目“{venture.name}”已报名“{contest.name}”", field="venture_id") from exc
    return row


def get_entry(session: Session, *, principal: Principal, entry_id: int) -> ContestEntry:
    _union_side(principal)
    stmt = scoped_graduate_rows(
        session, principal, select(ContestEntry).where(ContestEntry.id == entry_id), ContestEntry
    )
    row = session.scalar(stmt)
    if row is None:
        raise NotFound(f"编号为 {entry_id} 的参赛项目不存在或不在您的管辖范围内")
    return row


def list_entries(
    session: Session,
    *,
    principal: Principal,
    contest_id: int | None = None,
    venture_id: int | None = None,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[ContestEntry], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if contest_id is not None:
        cond.append(ContestEntry.contest_id == contest_id)
    if venture_id is not None:
        cond.append(ContestEntry.venture_id == venture_id)
    if state:
        cond.append(ContestEntry.state == state)
    total = session.scalar(
        scoped_graduate_rows(
            session, principal, select(func.count()).select_from(ContestEntry).where(*cond), ContestEntry
        )
    )
    stmt = scoped_graduate_rows(
        session, principal, select(ContestEntry).where(*cond).order_by(ContestEntry.id), ContestEntry
    )
    return list(session.scalars(stmt.limit(limit).offset(offset))), int(total or 0)


@dataclass(frozen=True, slots=True)
class Screening:
    to: str
    on: date
    criterion: str | None = None
    note: str | None = None


def screening_problem(
    entry: ContestEntry, contest: Contest, screening: Screening, *, today: date
) -> tuple[str, str] | None:
    """Why ``screening`` cannot be recorded on ``entry``, as (field, reason), or None (pure)."""
    if screening.to not in (EntryState.PASSED, EntryState.REFUSED):
        return "to", "请选择筛选结果：通过筛选或未通过筛选"
    if entry.state != EntryState.SUBMITTED:
        return "to", f"该项目已筛选（{ENTRY_STATES[entry.state]}），不能再改"
    if screening.on > today:
        return "on", "筛选日期不能晚于今天"
    if screening.on < entry.submitted_on:
        return "on", f"筛选日期不能早于报名日期{entry.submitted_on:%Y年%m月%d日}"
    codes = {str(c.get("code")) for c in contest.criteria}
    if screening.to == EntryState.REFUSED:
        if not screening.criterion:
            return "criterion", "未通过筛选的，请选择不符合的筛选条件"
        if screening.criterion not in codes:
            return "criterion", "所选筛选条件不是本大赛的条件"
    elif screening.criterion:
        return "criterion", "通过筛选的项目不需选择不符合的条件"
    return None


def screen(session: Session, *, principal: Principal, entry_id: int, screening: Screening) -> ContestEntry:
    """Staff of the contest's union record the screening: passed, or refused with the criterion not met."""
    _staff(principal, "筛选参赛项目")
    entry = get_entry(session, principal=principal, entry_id=entry_id)
    contest = get_contest(session, principal=principal, contest_id=entry.contest_id)
    if not principal.covers(contest.org_unit_id):
        raise Forbidden("只有主办工会的工作人员可以筛选参赛项目")
    problem = screening_problem(entry, contest, screening, today=local_today())
    if problem is not None:
        field, reason = problem
        if field == "to" and screening.to in (EntryState.PASSED, EntryState.REFUSED):
            raise Conflict(reason, field=field)
        raise ValidationFailed(reason, field=field)
    entry.state = screening.to
    entry.criterion = screening.criterion if screening.to == EntryState.REFUSED else None
    entry.screened_on = screening.on
    entry.screening_note = (screening.note or "").strip() or None
    entry.screened_by_id = principal.user_id
    session.flush()
    return entry


# ---- support given ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupportData:
    venture_id: int
    kind: str
    given_on: date
    description: str = ""
    amount: Decimal | None = None
    provider: str = ""
    entry_id: int | None = None
    mentor_id: int | None = None


def support_problem(data: SupportData, *, today: date) -> tuple[str, str] | None:
    """Why a support cannot be recorded as given (the fields alone), or None (pure)."""
    if data.kind not in SUPPORT_KINDS:
        return "kind", "请选择扶持内容：扶持资金、创业场地、产品孵化、创新指导或成果转化"
    if data.given_on > today:
        return "given_on", "扶持日期不能晚于今天"
    if data.kind == SupportKind.FUNDS:
        if data.amount is None:
            return "amount", "扶持资金请填写金额"
        amount = Decimal(data.amount)
        if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            return "amount", "扶持金额应为大于0的金额，最多两位小数"
    elif data.amount is not None:
        return "amount", "只有扶持资金填写金额"
    if data.kind != SupportKind.FUNDS and len(data.description.strip()) < 2:
        what = {"space": "场地位置和面积", "incubation": "孵化基地和内容", "mentoring": "指导内容"}
        return "description", f"请写明{what.get(data.kind, '扶持内容')}"
    return None


def give_support(session: Session, *, principal: Principal, data: SupportData) -> VentureSupport:
    """Staff record what a project was given; from a contest, only for an entry that passed screening."""
    _staff(principal, "登记创业扶持")
    venture = get_venture(session, principal=principal, venture_id=data.venture_id)
    servable_graduate(session, principal=principal, graduate_id=venture.graduate_id)
    problem = support_problem(data, today=local_today())
    if problem is not None:
        raise ValidationFailed(problem[1], field=problem[0])
    if data.entry_id is not None:
        entry = get_entry(session, principal=principal, entry_id=data.entry_id)
        if entry.venture_id != venture.id:
            raise ValidationFailed("所选参赛记录不是该项目的", field="entry_id")
        if entry.state != EntryState.PASSED:
            raise Conflict(f"参赛项目{ENTRY_STATES[entry.state]}，不能按大赛给予扶持", field="entry_id")
    if data.mentor_id is not None:
        get_mentor(session, principal=principal, mentor_id=data.mentor_id)
    row = VentureSupport(
        venture_id=venture.id,
        graduate_id=venture.graduate_id,
        org_unit_id=venture.org_unit_id,
        entry_id=data.entry_id,
        mentor_id=data.mentor_id,
        kind=data.kind,
        amount=Decimal(data.amount) if data.amount is not None else None,
        description=data.description.strip() or SUPPORT_KINDS[data.kind],
        provider=data.provider.strip() or None,
        given_on=data.given_on,
        recorded_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def supports_of(session: Session, *, venture: Venture) -> list[VentureSupport]:
    """What a project the caller already holds was given, in order."""
    stmt = (
        select(VentureSupport)
        .where(VentureSupport.venture_id == venture.id)
        .order_by(VentureSupport.given_on, VentureSupport.id)
    )
    return list(session.scalars(stmt))


def list_supports(
    session: Session, *, principal: Principal, venture_id: int | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[VentureSupport], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = [] if venture_id is None else [VentureSupport.venture_id == venture_id]
    total = session.scalar(
        scoped_graduate_rows(
            session, principal, select(func.count()).select_from(VentureSupport).where(*cond), VentureSupport
        )
    )
    stmt = scoped_graduate_rows(
        session, principal, select(VentureSupport).where(*cond).order_by(VentureSupport.id.desc()), VentureSupport
    )
    return list(session.scalars(stmt.limit(limit).offset(offset))), int(total or 0)
