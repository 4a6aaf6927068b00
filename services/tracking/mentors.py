"""The mentor registry and one-to-one pairings (一帮一结对): union staff register 劳模, 工匠, 创业专家 and 爱心企业
contacts for their union; a counselor (or staff) pairs a mentor with a graduate it serves — for help into work, or
with a founding graduate (创业结对) — logs the contacts of the pairing and records its outcome (已就业, 已创业,
结对结束).

Who sees a mentor: the union side of the mentor's union and of the units below it (a city mentor serves every
county), decided by :func:`visible_mentors`; who sees a pairing: whoever may see its graduate (``scoped`` with the
graduate rules). The moves a pairing may make are :data:`PAIRING_MOVES`, checked by :func:`outcome_problem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_phone
from services.orgs.models import OrgUnit
from services.security import pii, reveal
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped
from services.tracking.access import servable_graduate
from services.tracking.mentor_models import (
    Mentor,
    MentorContact,
    MentorKind,
    MentorPairing,
    PairingKind,
    PairingState,
    Venture,
)
from services.tracking.models import ContactChannel
from services.tracking.pipeline import Status
from services.tracking.status import set_override

S = TypeVar("S", bound=Select[Any])
MENTOR_KINDS = {
    MentorKind.MODEL_WORKER.value: "劳模",
    MentorKind.CRAFTSMAN.value: "工匠",
    MentorKind.BUSINESS_EXPERT.value: "创业专家",
    MentorKind.CARING_ENTERPRISE.value: "爱心企业",
}
PAIRING_KINDS = {PairingKind.HELP.value: "一帮一结对帮扶", PairingKind.STARTUP.value: "创业结对（创业导师）"}
PAIRING_STATES = {
    PairingState.ACTIVE.value: "结对中",
    PairingState.EMPLOYED.value: "已就业",
    PairingState.BUSINESS_STARTED.value: "已创业",
    PairingState.ENDED.value: "结对结束",
}
PAIRING_MOVES: dict[str, frozenset[str]] = {
    PairingState.ACTIVE.value: frozenset(
        {PairingState.EMPLOYED.value, PairingState.BUSINESS_STARTED.value, PairingState.ENDED.value}
    ),
    PairingState.EMPLOYED.value: frozenset(),
    PairingState.BUSINESS_STARTED.value: frozenset(),
    PairingState.ENDED.value: frozenset(),
}
CHANNELS = {
    ContactChannel.PHONE.value: "电话",
    ContactChannel.VISIT.value: "走访",
    ContactChannel.MESSAGE.value: "短信/微信",
    ContactChannel.MEETING.value: "座谈/谈心",
}


def _union_side(principal: Principal) -> None:
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以查看结对帮扶")


def _units_above(session: Session, principal: Principal) -> list[int]:
    """The principal's own unit and the units above it, whose mentors serve its graduates too."""
    if principal.org_unit_id is None:
        return []
    unit = session.get(OrgUnit, principal.org_unit_id)
    if unit is None:
        return []
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def visible_mentors(session: Session, principal: Principal, stmt: S) -> S:
    """``stmt`` over mentors narrowed to those the principal may see: its scope and the unions above it."""
    above = _units_above(session, principal)
    return scoped(
        stmt,
        principal,
        org=Mentor.org_unit_id,
        roles=UNION_SIDE,
        public=Mentor.org_unit_id.in_(above) if above else None,
    )


# ---- the registry ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentorData:
    org_unit_id: int
    name: str
    kind: str
    unit: str
    field: str
    contact_phone: str
    note: str = ""


def _seal_phone(row: Mentor, raw: str) -> None:
    try:
        phone = normalize_phone(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(f"联系电话：{exc.reason}", field="contact_phone") from exc
    sealed = pii.seal(pii.PiiKind.PHONE, phone)
    row.contact_phone_enc, row.contact_phone_bidx, row.contact_phone_masked = (
        sealed.ciphertext,
        sealed.blind_index,
        sealed.masked,
    )


def create_mentor(session: Session, *, principal: Principal, data: MentorData) -> Mentor:
    """Union staff register a mentor for a union of their scope (phone sealed, shown masked)."""
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以登记导师")
    unit = session.get(OrgUnit, data.org_unit_id)
    if unit is None:
        raise ValidationFailed("请选择导师所属的工会", field="org_unit_id")
    if not principal.covers(unit.id):
        raise Forbidden("不能为管辖范围之外的工会登记导师")
    name = data.name.strip()
    if len(name) < 2:
        raise ValidationFailed("请填写导师姓名（爱心企业填写联系人姓名）", field="name")
    if data.kind not in MENTOR_KINDS:
        raise ValidationFailed("请选择导师类别：劳模、工匠、创业专家或爱心企业", field="kind")
    if len(data.unit.strip()) < 2:
        raise ValidationFailed("请填写工作单位或企业名称", field="unit")
    if len(data.field.strip()) < 2:
        raise ValidationFailed("请填写擅长领域（如电子商务、中药材种植、数控加工）", field="field")
    row = Mentor(
        org_unit_id=unit.id,
        name=name,
        kind=data.kind,
        unit=data.unit.strip(),
        field=data.field.strip(),
        note=data.note.strip() or None,
        created_by_id=principal.user_id,
    )
    _seal_phone(row, data.contact_phone)
    dup = session.scalar(
        select(Mentor.id).where(
            Mentor.org_unit_id == unit.id, Mentor.name == name, Mentor.contact_phone_bidx == row.contact_phone_bidx
        )
    )
    if dup is not None:
        raise Conflict(f"“{name}”已在本工会的导师库中", field="name")
    session.add(row)
    session.flush()
    return row


def get_mentor(session: Session, *, principal: Principal, mentor_id: int) -> Mentor:
    _union_side(principal)
    row = session.scalar(visible_mentors(session, principal, select(Mentor).where(Mentor.id == mentor_id)))
    if row is None:
        raise NotFound(f"编号为 {mentor_id} 的导师不存在或不在您的管辖范围内")
    return row


def list_mentors(
    session: Session,
    *,
    principal: Principal,
    kind: str | None = None,
    query: str | None = None,
    active_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Mentor], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if kind:
        cond.append(Mentor.kind == kind)
    if query and query.strip():
        q = query.strip()
        cond.append(or_(Mentor.name.contains(q), Mentor.unit.contains(q), Mentor.field.contains(q)))
    if active_only:
        cond.append(Mentor.active.is_(True))
    total = session.scalar(visible_mentors(session, principal, select(func.count()).select_from(Mentor).where(*cond)))
    rows = session.scalars(
        visible_mentors(session, principal, select(Mentor).where(*cond).order_by(Mentor.id.desc()))
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def set_mentor_active(session: Session, *, principal: Principal, mentor_id: int, active: bool) -> Mentor:
    """Staff of the mentor's union take a mentor off the list of those who take new pairings (or back)."""
    row = get_mentor(session, principal=principal, mentor_id=mentor_id)
    if principal.role not in STAFF or not principal.covers(row.org_unit_id):
        raise Forbidden("只有导师所属工会的工作人员可以修改导师状态")
    row.active = active
    session.flush()
    return row


def mentor_names(session: Session, *, ids: list[int]) -> dict[int, str]:
    """Names of mentors the caller already reached (pairings it holds)."""
    if not ids:
        return {}
    rows = session.execute(select(Mentor.id, Mentor.name).where(Mentor.id.in_(sorted(set(ids)))))
    return {int(i): str(n) for i, n in rows}


def _load_contact_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("导师不存在")
    return get_mentor(session, principal=principal, mentor_id=int(target_id)).contact_phone_enc


reveal.register(
    "mentor",
    "contact_phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
    load=_load_contact_phone,
)


# ---- pairings --------------------------------------------------------------------------------------------


def scoped_pairings(session: Session, principal: Principal, stmt: S) -> S:
    return scoped(
        stmt,
        principal,
        org=MentorPairing.org_unit_id,
        graduate=MentorPairing.graduate_id,
        session=session,
        roles=UNION_SIDE,
    )


def pair(
    session: Session,
    *,
    principal: Principal,
    mentor_id: int,
    graduate_id: int,
    kind: str,
    started_on: date | None = None,
    venture_id: int | None = None,
    goal: str | None = None,
) -> MentorPairing:
    """Pair a mentor the principal may see with a graduate it serves; one active pairing per mentor and graduate."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    mentor = get_mentor(session, principal=principal, mentor_id=mentor_id)
    if not mentor.active:
        raise Conflict(f"导师“{mentor.name}”已暂停结对", field="mentor_id")
    if kind not in PAIRING_KINDS:
        raise ValidationFailed("请选择结对类型：一帮一结对帮扶或创业结对", field="kind")
    today = local_today()
    start = started_on or today
    if start > today:
        raise ValidationFailed("结对日期不能晚于今天", field="started_on")
    if venture_id is not None:
        venture = session.get(Venture, venture_id)
        if venture is None or venture.graduate_id != graduate.id:
            raise ValidationFailed("所选创业项目不是该毕业生的项目", field="venture_id")
    elif kind == PairingKind.STARTUP:
        found = session.scalar(
            select(Venture.id).where(Venture.graduate_id == graduate.id).order_by(Venture.id.desc()).limit(1)
        )
        if found is None:
            raise ValidationFailed("创业结对请先登记该毕业生的创业项目", field="venture_id")
        venture_id = int(found)
    active = session.scalar(
        scoped_pairings(
            session,
            principal,
            select(MentorPairing.id).where(
                MentorPairing.mentor_id == mentor.id,
                MentorPairing.graduate_id == graduate.id,
                MentorPairing.state == PairingState.ACTIVE.value,
            ),
        )
    )
    if active is not None:
        raise Conflict(f"该毕业生已与导师“{mentor.name}”结对", field="mentor_id")
    row = MentorPairing(
        mentor_id=mentor.id,
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        venture_id=venture_id,
        kind=kind,
        state=PairingState.ACTIVE.value,
        started_on=start,
        goal=(goal or "").strip() or None,
        created_by_id=principal.user_id,
        updated_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def get_pairing(session: Session, *, principal: Principal, pairing_id: int) -> MentorPairing:
    _union_side(principal)
    row = session.scalar(
        scoped_pairings(session, principal, select(MentorPairing).where(MentorPairing.id == pairing_id))
    )
    if row is None:
        raise NotFound(f"编号为 {pairing_id} 的结对不存在或不在您的管辖范围内")
    return row


def list_pairings(
    session: Session,
    *,
    principal: Principal,
    mentor_id: int | None = None,
    graduate_id: int | None = None,
    state: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MentorPairing], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if mentor_id is not None:
        cond.append(MentorPairing.mentor_id == mentor_id)
    if graduate_id is not None:
        cond.append(MentorPairing.graduate_id == graduate_id)
    if state:
        cond.append(MentorPairing.state == state)
    if kind:
        cond.append(MentorPairing.kind == kind)
    total = session.scalar(
        scoped_pairings(session, principal, select(func.count()).select_from(MentorPairing).where(*cond))
    )
    rows = session.scalars(
        scoped_pairings(session, principal, select(MentorPairing).where(*cond).order_by(MentorPairing.id.desc()))
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def _serve(session: Session, principal: Principal, pairing_id: int) -> MentorPairing:
    row = get_pairing(session, principal=principal, pairing_id=pairing_id)
    servable_graduate(session, principal=principal, graduate_id=row.graduate_id)
    return row


def record_mentor_contact(
    session: Session,
    *,
    principal: Principal,
    pairing_id: int,
    contacted_on: date,
    channel: str,
    summary: str,
) -> MentorContact:
    """One contact of an active pairing: the day (not in the future, not before the pairing), channel, summary."""
    row = _serve(session, principal, pairing_id)
    if row.state != PairingState.ACTIVE:
        raise Conflict(f"结对当前为“{PAIRING_STATES[row.state]}”，不能再登记联系", field="pairing_id")
    if channel not in CHANNELS:
        raise ValidationFailed("请选择联系方式：电话、走访、短信/微信或座谈/谈心", field="channel")
    if contacted_on > local_today():
        raise ValidationFailed("联系日期不能晚于今天", field="contacted_on")
    if contacted_on < row.started_on:
        raise ValidationFailed(f"联系日期不能早于结对日期{row.started_on:%Y年%m月%d日}", field="contacted_on")
    text = summary.strip()
    if len(text) < 2:
        raise ValidationFailed("请填写联系内容", field="summary")
    contact = MentorContact(
        pairing_id=row.id,
        graduate_id=row.graduate_id,
        org_unit_id=row.org_unit_id,
        contacted_on=contacted_on,
        channel=channel,
        summary=text,
        recorded_by_id=principal.user_id,
    )
    session.add(contact)
    session.flush()
    return contact


def contacts_of(session: Session, *, pairing: MentorPairing) -> list[MentorContact]:
    """The contact log of a pairing the caller already holds, newest first."""
    stmt = (
        select(MentorContact)
        .where(MentorContact.pairing_id == pairing.id)
        .order_by(MentorContact.contacted_on.desc(), MentorContact.id.desc())
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class PairingOutcome:
    to: str
    on: date
    employer_name: str | None = None
    note: str | None = None


def outcome_problem(row: MentorPairing, outcome: PairingOutcome, *, today: date) -> tuple[str, str] | None:
    """Why ``outcome`` cannot be recorded on ``row``, as (field, reason), or None (pure: the pairing's rules)."""
    if outcome.to not in PAIRING_STATES or outcome.to == PairingState.ACTIVE:
        return "to", "请选择结对结果：已就业、已创业或结对结束"
    if outcome.to not in PAIRING_MOVES[row.state]:
        return "to", f"结对当前为“{PAIRING_STATES[row.state]}”，不能改为“{PAIRING_STATES[outcome.to]}”"
    if outcome.on > today:
        return "on", "日期不能晚于今天"
    if outcome.on < row.started_on:
        return "on", f"日期不能早于结对日期{row.started_on:%Y年%m月%d日}"
    if outcome.to == PairingState.EMPLOYED and not (outcome.employer_name or "").strip():
        return "employer_name", "已就业的，请填写就业单位"
    if outcome.to in (PairingState.ENDED, PairingState.BUSINESS_STARTED) and not (outcome.note or "").strip():
        if outcome.to == PairingState.ENDED:
            return "note", "请说明结对结束的原因"
        if row.venture_id is None:
            return "note", "请写明所创办的项目或企业"
    return None


def apply_outcome(row: MentorPairing, outcome: PairingOutcome) -> None:
    """Write an allowed outcome onto the row (the caller checked :func:`outcome_problem`)."""
    row.state = outcome.to
    row.outcome_on = outcome.on
    row.employer_name = (outcome.employer_name or "").strip() or None if outcome.to == PairingState.EMPLOYED else None
    row.outcome_note = (outcome.note or "").strip() or None


def record_outcome(
    session: Session, *, principal: Principal, pairing_id: int, outcome: PairingOutcome
) -> MentorPairing:
    """The counselor or staff record how a pairing ended; 已就业 and 已创业 set the graduate's employment status
    (已就业 / 自主创业) with the pairing as the recorded ground, and 已创业 marks the project as operating."""
    row = _serve(session, principal, pairing_id)
    problem = outcome_problem(row, outcome, today=local_today())
    if problem is not None:
        field, reason = problem
        if field == "to" and outcome.to in PAIRING_STATES and outcome.to != PairingState.ACTIVE:
            raise Conflict(reason, field=field)
        raise ValidationFailed(reason, field=field)
    apply_outcome(row, outcome)
    row.updated_by_id = principal.user_id
    session.flush()
    mentor = session.get(Mentor, row.mentor_id)
    who = mentor.name if mentor is not None else "导师"
    if row.state == PairingState.EMPLOYED:
        set_override(
            session,
            principal=principal,
            graduate_id=row.graduate_id,
            status=Status.EMPLOYED.value,
            reason=f"一帮一结对（{who}）：{row.outcome_on:%Y年%m月%d日}就业于{row.employer_name}",
        )
    elif row.state == PairingState.BUSINESS_STARTED:
        if row.venture_id is not None:
            venture = session.get(Venture, row.venture_id)
            if venture is not None and venture.state != "closed":
                venture.state = "operating"
                venture.started_on = venture.started_on or row.outcome_on
        set_override(
            session,
            principal=principal,
            graduate_id=row.graduate_id,
            status=Status.SELF_EMPLOYED.value,
            reason=f"创业结对（{who}）：{row.outcome_on:%Y年%m月%d日}创业"
            + (f"，{row.outcome_note}" if row.outcome_note else ""),
        )
    return row


def pairing_counts(session: Session, *, mentor_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per mentor the caller already holds, the number of pairings in each state."""
    if not mentor_ids:
        return {}
    stmt = (
        select(MentorPairing.mentor_id, MentorPairing.state, func.count())
        .where(MentorPairing.mentor_id.in_(sorted(set(mentor_ids))))
        .group_by(MentorPairing.mentor_id, MentorPairing.state)
    )
    out: dict[int, dict[str, int]] = {m: dict.fromkeys(PAIRING_STATES, 0) for m in mentor_ids}
    for mid, state, n in session.execute(stmt):
        out[int(mid)][str(state)] = int(n)
    return out
