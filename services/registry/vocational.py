"""The vocational path of a 两后生 (service category 四: children of hardship families who, after junior or senior
high school, go on to no further general study): 技能培训 enrolments, 中职 / 技工学校 enrolments and
apprenticeships, each with its dates, status and outcome (certificate gained, what came after).

A counselor or union staff member who serves the person records the track; every change goes to the registry's
history. Whether a step may be added or moved is decided by :func:`track_problem` and :func:`move_problem`, which
the API, the console and the demo all call. The steps are the person's own record, so they live in the registry;
金牌蓝领 pairings read the schools here through :func:`vocational_schools`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.clock import local_today
from services.db import Base, TimestampMixin
from services.errors import Conflict, NotFound, ValidationFailed
from services.registry.access import get_graduate, servable_graduate
from services.registry.models import Graduate
from services.registry.writes import Actor, add_history
from services.security.principal import Principal
from services.security.scope import scoped

TWO_AFTER_CATEGORY: Final = "4"  # 困难职工家庭“两后生”


class TrackKind(StrEnum):
    TRAINING = "training"  # 技能培训
    SCHOOL = "school"  # 中职 / 技工学校就读
    APPRENTICESHIP = "apprenticeship"  # 学徒（企业新型学徒制）


class TrackStatus(StrEnum):
    ENROLLED = "enrolled"  # 在训 / 在读 / 学徒中
    COMPLETED = "completed"  # 已结业 / 已毕业 / 已出师
    DROPPED = "dropped"  # 中途退出


class TrackOutcome(StrEnum):
    EMPLOYED = "employed"  # 已就业
    FURTHER_STUDY = "further_study"  # 继续升学（如中职升高职）
    FURTHER_TRAINING = "further_training"  # 继续培训
    SEEKING = "seeking"  # 求职中
    OTHER = "other"  # 其他


TRACK_KINDS: Final[dict[str, str]] = {
    TrackKind.TRAINING.value: "技能培训",
    TrackKind.SCHOOL.value: "中职/技工学校就读",
    TrackKind.APPRENTICESHIP.value: "学徒",
}
TRACK_STATUSES: Final[dict[str, str]] = {
    TrackStatus.ENROLLED.value: "在训/在读",
    TrackStatus.COMPLETED.value: "已结业/毕业",
    TrackStatus.DROPPED.value: "中途退出",
}
TRACK_OUTCOMES: Final[dict[str, str]] = {
    TrackOutcome.EMPLOYED.value: "已就业",
    TrackOutcome.FURTHER_STUDY.value: "继续升学",
    TrackOutcome.FURTHER_TRAINING.value: "继续培训",
    TrackOutcome.SEEKING.value: "求职中",
    TrackOutcome.OTHER.value: "其他",
}
SCHOOL_TYPES: Final[dict[str, str]] = {
    "secondary_vocational": "中等职业学校",
    "technical": "技工学校",
}
MOVES: Final[dict[str, frozenset[str]]] = {
    TrackStatus.ENROLLED.value: frozenset({TrackStatus.COMPLETED.value, TrackStatus.DROPPED.value}),
    TrackStatus.COMPLETED.value: frozenset(),
    TrackStatus.DROPPED.value: frozenset(),
}
# what each kind calls its programme and its provider, for reasons and labels
PROGRAMME_LABEL: Final = {"training": "培训项目", "school": "就读专业", "apprenticeship": "学徒工种"}
PROVIDER_LABEL: Final = {"training": "培训机构", "school": "学校名称", "apprenticeship": "学徒企业"}
MAX_AHEAD = timedelta(days=366)


class VocationalTrack(TimestampMixin, Base):
    """One step of a 两后生's vocational path: a training course, a school enrolment or an apprenticeship."""

    __tablename__ = "registry_vocational_track"
    __table_args__ = (CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),)
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the person's
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    programme: Mapped[str] = mapped_column(String(200))  # 培训项目 / 就读专业 / 学徒工种
    provider: Mapped[str] = mapped_column(String(200))  # 培训机构 / 学校 / 企业
    school_type: Mapped[str | None] = mapped_column(String(24))  # 中等职业学校 / 技工学校 (school only)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # planned, then actual end
    hours: Mapped[int | None] = mapped_column(Integer)  # 培训课时 (training)
    certificate: Mapped[str | None] = mapped_column(String(200))  # 取得证书（名称与等级）
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


@dataclass(frozen=True, slots=True)
class TrackData:
    kind: str
    programme: str
    provider: str
    starts_on: date
    ends_on: date | None = None
    school_type: str | None = None
    hours: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TrackMove:
    to: str
    on: date
    certificate: str | None = None
    certificate_no: str | None = None
    outcome: str | None = None
    outcome_note: str | None = None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def category_problem(graduate: Graduate) -> tuple[str, str] | None:
    if graduate.service_category != TWO_AFTER_CATEGORY:
        return "graduate_id", "职业发展路径只为“两后生”（服务对象类别（四））登记，请先将其服务对象类别改为（四）"
    return None


def track_problem(data: TrackData, *, today: date) -> tuple[str, str] | None:
    """Why a new step cannot be recorded, as (field, reason), or None (pure)."""
    if data.kind not in TRACK_KINDS:
        return "kind", "请选择类型：技能培训、中职/技工学校就读或学徒"
    if len((data.programme or "").strip()) < 2:
        return "programme", f"请填写{PROGRAMME_LABEL[data.kind]}"
    if len((data.provider or "").strip()) < 2:
        return "provider", f"请填写{PROVIDER_LABEL[data.kind]}"
    if data.kind == TrackKind.SCHOOL:
        if data.school_type not in SCHOOL_TYPES:
            return "school_type", "请选择学校类别：中等职业学校或技工学校"
    elif data.school_type:
        return "school_type", "只有中职/技工学校就读需要填写学校类别"
    if data.starts_on > today + MAX_AHEAD:
        return "starts_on", "开始日期不能晚于一年以后"
    if data.ends_on is not None and data.ends_on < data.starts_on:
        return "ends_on", "结束日期不能早于开始日期"
    if data.hours is not None:
        if data.kind != TrackKind.TRAINING:
            return "hours", "只有技能培训需要填写课时"
        if not 1 <= data.hours <= 5000:
            return "hours", "培训课时应在1至5000之间"
    return None


def move_problem(track: VocationalTrack, move: TrackMove, *, today: date) -> tuple[str, str] | None:
    """Why ``move`` cannot be applied to ``track``, as (field, reason), or None (pure: the state machine)."""
    if move.to not in TRACK_STATUSES:
        return "to", "请选择结果：已结业/毕业或中途退出"
    if move.to not in MOVES[track.status]:
        here, there = TRACK_STATUSES[track.status], TRACK_STATUSES[move.to]
        return "to", f"该记录当前为“{here}”，不能改为“{there}”"
    if move.on > today:
        return "on", "日期不能晚于今天"
    if move.on < track.starts_on:
        return "on", f"日期不能早于开始日期{track.starts_on:%Y年%m月%d日}"
    if move.to == TrackStatus.COMPLETED:
        if move.outcome not in TRACK_OUTCOMES:
            return "outcome", "请选择结业/毕业后的去向：已就业、继续升学、继续培训、求职中或其他"
        if _clean(move.certificate_no) and not _clean(move.certificate):
            return "certificate", "填写了证书编号的，请同时填写证书名称"
    elif not _clean(move.outcome_note):
        return "outcome_note", "请说明中途退出的原因"
    return None


def _history(
    session: Session, principal: Principal, track: VocationalTrack, action: str, changes: dict[str, object]
) -> None:
    graduate = session.get(Graduate, track.graduate_id)
    add_history(
        session,
        entity_type="vocational_track",
        entity_id=track.id,
        family_id=graduate.family_id if graduate else None,
        org_unit_id=track.org_unit_id,
        action=action,
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )


def add_track(session: Session, *, principal: Principal, graduate_id: int, data: TrackData) -> VocationalTrack:
    """Record a training course, a school enrolment or an apprenticeship of a 两后生 the principal serves."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    found = category_problem(graduate)
    if found is not None:
        raise Conflict(found[1], field=found[0])
    found = track_problem(data, today=local_today())
    if found is not None:
        raise ValidationFailed(found[1], field=found[0])
    row = VocationalTrack(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        kind=data.kind,
        status=TrackStatus.ENROLLED.value,
        programme=data.programme.strip(),
        provider=data.provider.strip(),
        school_type=data.school_type if data.kind == TrackKind.SCHOOL else None,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        hours=data.hours,
        note=_clean(data.note),
        recorded_by_id=principal.user_id if principal.user_id > 0 else None,
        updated_by_id=principal.user_id if principal.user_id > 0 else None,
    )
    session.add(row)
    session.flush()
    _history(
        session,
        principal,
        row,
        "create",
        {"kind": [None, row.kind], "programme": [None, row.programme], "provider": [None, row.provider]},
    )
    return row


def get_track(session: Session, *, principal: Principal, graduate_id: int, track_id: int) -> VocationalTrack:
    graduate = get_graduate(session, principal=principal, graduate_id=graduate_id)
    row = session.scalar(
        scoped(
            select(VocationalTrack).where(VocationalTrack.id == track_id, VocationalTrack.graduate_id == graduate.id),
            principal,
            org=VocationalTrack.org_unit_id,
            graduate=VocationalTrack.graduate_id,
            session=session,
        )
    )
    if row is None:
        raise NotFound(f"编号为 {track_id} 的职业发展记录不存在")
    return row


def list_tracks(session: Session, *, principal: Principal, graduate_id: int) -> list[VocationalTrack]:
    """The steps of a person the principal may read, oldest first."""
    graduate = get_graduate(session, principal=principal, graduate_id=graduate_id)
    stmt = scoped(
        select(VocationalTrack).where(VocationalTrack.graduate_id == graduate.id),
        principal,
        org=VocationalTrack.org_unit_id,
        graduate=VocationalTrack.graduate_id,
        session=session,
    )
    return list(session.scalars(stmt.order_by(VocationalTrack.starts_on, VocationalTrack.id)))


def move_track(
    session: Session, *, principal: Principal, graduate_id: int, track_id: int, move: TrackMove
) -> VocationalTrack:
    """Record the end of a step: completed (with the certificate gained and what came after) or dropped."""
    servable_graduate(session, principal=principal, graduate_id=graduate_id)
    row = get_track(session, principal=principal, graduate_id=graduate_id, track_id=track_id)
    found = move_problem(row, move, today=local_today())
    if found is not None:
        field, reason = found
        if field == "to" and move.to in TRACK_STATUSES:
            raise Conflict(reason, field=field)
        raise ValidationFailed(reason, field=field)
    before = {k: getattr(row, k) for k in ("status", "ends_on", "certificate", "certificate_no", "outcome")}
    row.status = move.to
    row.ends_on = move.on
    if move.to == TrackStatus.COMPLETED:
        row.certificate = _clean(move.certificate)
        row.certificate_no = _clean(move.certificate_no)
        row.outcome = move.outcome
    row.outcome_note = _clean(move.outcome_note)
    row.updated_by_id = principal.user_id if principal.user_id > 0 else None
    session.flush()
    changes: dict[str, object] = {}
    for key, old in before.items():
        new = getattr(row, key)
        if new != old:
            changes[key] = [None if old is None else str(old), None if new is None else str(new)]
    _history(session, principal, row, "update", changes)
    return row


def vocational_schools(session: Session, *, graduate_id: int) -> list[str]:
    """The 中职 / 技工 schools a person has enrolled in (for a graduate the caller already holds)."""
    stmt = select(VocationalTrack.provider).where(
        VocationalTrack.graduate_id == graduate_id,
        VocationalTrack.kind == TrackKind.SCHOOL.value,
        VocationalTrack.status != TrackStatus.DROPPED.value,
    )
    return [str(p) for p in session.scalars(stmt)]
