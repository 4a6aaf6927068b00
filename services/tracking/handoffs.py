"""Handoffs (异地求职): the home union refers a graduate to the union of the place where they seek work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.config import get_settings
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.notifications.api import notify
from services.orgs.models import OrgKind, OrgUnit
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import scoped
from services.tracking.access import servable_graduate
from services.tracking.applications import _clean_note
from services.tracking.models import (
    Handoff,
    HandoffOutcome,
    HandoffState,
)

# ---- handoffs (异地求职) ---------------------------------------------------------------------------------


UNION_LEVELS = frozenset({OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT})
RECEIVING_KINDS = UNION_LEVELS | {OrgKind.EXTERNAL}  # a union of the tree, or one anywhere in China


OUTCOME_NAMES = {
    HandoffOutcome.EMPLOYED.value: "已就业",
    HandoffOutcome.UNEMPLOYED.value: "未就业（继续帮扶）",
    HandoffOutcome.LOST_CONTACT.value: "失联",
    HandoffOutcome.RETURNED.value: "已返回生源地",
}


HANDOFF_NAMES = {
    HandoffState.PENDING.value: "待接收",
    HandoffState.ACCEPTED.value: "已接收",
    HandoffState.DECLINED.value: "已拒绝",
    HandoffState.ENDED.value: "已结束",
}


def _open_handoff(session: Session, graduate_id: int) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(
            Handoff.graduate_id == graduate_id,
            Handoff.state.in_([HandoffState.PENDING.value, HandoffState.ACCEPTED.value]),
        )
    )


def request_handoff(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    to_org_unit_id: int,
    reason: str,
    intended_place: str | None = None,
) -> Handoff:
    """The home union hands a graduate to the union of the intended work place (pending until it decides)."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if principal.scope is not None and graduate.org_unit_id not in principal.scope:
        raise Forbidden("只有生源地工会可以发起异地转介")
    target = session.get(OrgUnit, to_org_unit_id)
    if target is None or target.kind not in RECEIVING_KINDS:
        raise ValidationFailed("请选择意向工作地的县区（园区）总工会", field="to_org_unit_id")
    if _within(session, graduate.org_unit_id, target):
        raise ValidationFailed("意向工作地工会不能是生源地工会本身", field="to_org_unit_id")
    if _open_handoff(session, graduate.id) is not None:
        raise Conflict("该毕业生已有进行中的异地转介", field="graduate_id")
    if len(reason.strip()) < 2:
        raise ValidationFailed("请填写转介原因", field="reason")
    row = Handoff(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        to_org_unit_id=target.id,
        state=HandoffState.PENDING.value,
        intended_place=intended_place,
        reason=reason.strip(),
        requested_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    for uid in _union_staff(session, target.id):
        notify(
            session,
            recipient_id=uid,
            kind="handoff",
            title="异地求职转介待接收",
            body=f"有一名异地求职毕业生转介至贵会（意向地：{intended_place or target.name}），请及时接收或说明原因。",
            link=f"/api/v1/tracking/handoffs/{row.id}",
        )
    return row


def _within(session: Session, org_unit_id: int, target: OrgUnit) -> bool:
    """True when ``org_unit_id`` lies inside ``target``'s subtree (the target would be the home union)."""
    unit = session.get(OrgUnit, org_unit_id)
    return unit is not None and unit.path.startswith(target.path)


def _union_staff(session: Session, org_unit_id: int) -> list[int]:
    return list(
        session.scalars(
            select(User.id).where(
                User.org_unit_id == org_unit_id,
                User.role.in_([Role.COUNSELOR.value, Role.UNION_COUNTY.value]),
                User.is_active.is_(True),
            )
        )
    )


def get_handoff(session: Session, *, principal: Principal, handoff_id: int) -> Handoff:
    row = session.scalar(
        scoped(
            select(Handoff).where(Handoff.id == handoff_id),
            principal,
            org=Handoff.org_unit_id,
            handoff_to=Handoff.to_org_unit_id,
        )
    )
    if row is None:
        raise NotFound(f"编号为 {handoff_id} 的转介不存在")
    return row


def list_handoffs(
    session: Session, *, principal: Principal, state: str | None, limit: int, offset: int
) -> tuple[list[Handoff], int]:
    cond: list[ColumnElement[bool]] = []
    if state:
        cond.append(Handoff.state == state)
    count = scoped(
        select(func.count()).select_from(Handoff).where(*cond),
        principal,
        org=Handoff.org_unit_id,
        handoff_to=Handoff.to_org_unit_id,
    )
    page = scoped(
        select(Handoff).where(*cond).order_by(Handoff.id.desc()).limit(limit).offset(offset),
        principal,
        org=Handoff.org_unit_id,
        handoff_to=Handoff.to_org_unit_id,
    )
    return list(session.scalars(page)), session.scalar(count) or 0


def decide_handoff(
    session: Session, *, principal: Principal, handoff_id: int, accept: bool, note: str | None = None
) -> Handoff:
    """The receiving union accepts (its counselors then serve the graduate) or declines with a reason."""
    row = get_handoff(session, principal=principal, handoff_id=handoff_id)
    voice = receiver_voice(session, principal=principal, handoff=row)
    if not voice.allowed:
        raise Forbidden("只有接收地工会可以接收或拒绝转介")
    if row.state != HandoffState.PENDING:
        raise Conflict("该转介已处理")
    note = _clean_note(note)
    if not accept and note is None:
        raise ValidationFailed("拒绝转介须说明原因", field="note")
    if voice.on_behalf and note is None:
        raise ValidationFailed("代外地工会登记时，请注明对方的确认人和确认方式（如电话确认）", field="note")
    row.state = (HandoffState.ACCEPTED if accept else HandoffState.DECLINED).value
    row.decided_on_behalf = voice.on_behalf
    row.decided_by_id = principal.user_id
    row.decided_at = utcnow()
    row.decision_note = note
    session.flush()
    if row.requested_by_id is not None and row.requested_by_id != principal.user_id:
        notify(
            session,
            recipient_id=row.requested_by_id,
            kind="handoff",
            title="异地转介已接收" if accept else "异地转介被拒绝",
            body=("接收地工会已接收转介，将为毕业生推荐当地岗位。" if accept else f"接收地工会未接收转介：{note}"),
            link=f"/api/v1/tracking/handoffs/{row.id}",
        )
    return row


def end_handoff(session: Session, *, principal: Principal, handoff_id: int, note: str) -> Handoff:
    """Either union ends a handoff (the graduate returns home, or the request is withdrawn)."""
    row = get_handoff(session, principal=principal, handoff_id=handoff_id)
    if row.state not in {HandoffState.PENDING, HandoffState.ACCEPTED}:
        raise Conflict("该转介已结束")
    if len(note.strip()) < 2:
        raise ValidationFailed("请说明结束转介的原因", field="note")
    row.state = HandoffState.ENDED.value
    row.ended_by_id = principal.user_id
    row.ended_at = utcnow()
    row.end_note = note.strip()
    session.flush()
    return row


# ---- the receiving union's voice ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiverVoice:
    """Whether a principal may record the receiving union's answer, and whether it does so on that union's behalf."""

    allowed: bool
    on_behalf: bool = False


def receiver_voice(session: Session, *, principal: Principal, handoff: Handoff) -> ReceiverVoice:
    """The one rule for who answers for the receiving union (acknowledge, decline, report the outcome).

    The receiving union's own accounts always may. A union outside the loaded tree (kind ``external``) may have
    no account, so the sending side — the accounts whose scope holds the graduate's home unit — records its answers
    on its behalf, and the row keeps that it did. City staff answer for a tree union as before.
    """
    target = session.get(OrgUnit, handoff.to_org_unit_id)
    external = target is not None and target.kind == OrgKind.EXTERNAL
    if principal.scope is None:
        return ReceiverVoice(allowed=True, on_behalf=external and principal.org_unit_id != handoff.to_org_unit_id)
    if handoff.to_org_unit_id in principal.scope:
        return ReceiverVoice(allowed=True)
    if external and handoff.org_unit_id in principal.scope:
        return ReceiverVoice(allowed=True, on_behalf=True)
    return ReceiverVoice(allowed=False)


def record_handoff_outcome(
    session: Session,
    *,
    principal: Principal,
    handoff_id: int,
    outcome: str,
    outcome_on: date,
    employer: str | None = None,
    note: str | None = None,
) -> Handoff:
    """The receiving union reports what became of the graduate (已就业 / 未就业 / 失联 / 已返回); it may be updated."""
    row = get_handoff(session, principal=principal, handoff_id=handoff_id)
    voice = receiver_voice(session, principal=principal, handoff=row)
    if not voice.allowed:
        raise Forbidden("只有接收地工会（或代外地工会登记的生源地工会）可以登记转介结果")
    if row.state != HandoffState.ACCEPTED:
        raise Conflict("只有已接收、正在异地服务的转介可以登记结果", field="outcome")
    if outcome not in OUTCOME_NAMES:
        raise ValidationFailed("请选择转介结果：已就业、未就业、失联或已返回生源地", field="outcome")
    if outcome_on > local_today():
        raise ValidationFailed("结果日期不能晚于今天", field="outcome_on")
    if row.decided_at is not None and outcome_on < _local_day(row.decided_at):
        raise ValidationFailed("结果日期不能早于接收转介的日期", field="outcome_on")
    employer = _clean_note(employer)
    if outcome == HandoffOutcome.EMPLOYED and employer is None:
        raise ValidationFailed("已就业的，请填写就业单位", field="employer")
    row.outcome = outcome
    row.outcome_on = outcome_on
    row.outcome_employer = employer if outcome == HandoffOutcome.EMPLOYED else None
    row.outcome_note = _clean_note(note)
    row.outcome_by_id = principal.user_id
    row.outcome_on_behalf = voice.on_behalf
    row.outcome_recorded_at = utcnow()
    session.flush()
    if row.requested_by_id is not None and row.requested_by_id != principal.user_id:
        notify(
            session,
            recipient_id=row.requested_by_id,
            kind="handoff",
            title="异地转介结果",
            body=f"接收地工会登记了转介结果：{OUTCOME_NAMES[outcome]}。",
            link=f"/api/v1/tracking/handoffs/{row.id}",
        )
    return row


def _local_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(get_settings().timezone)).date()
