"""Public notice (公示) of awards, objections lodged during it, and taking it down when it ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import workdays
from services.aid.campaigns import get_campaign
from services.aid.guards import covers_or_404, for_update, require_staff
from services.aid.models import (
    AidApplication,
    AidAward,
    AidNotice,
    AidNoticeEntry,
    AidObjection,
    AwardStatus,
    NoticeStatus,
    ObjectionStatus,
)
from services.aid.reviews import withdraw_award
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_phone
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.security.principal import Principal
from services.security.scope import UNION_SIDE, scoped


def publish_notice(
    session: Session,
    *,
    principal: Principal,
    org_unit_id: int,
    award_ids: Sequence[int],
    supervision_phone: str,
    starts_on: date,
    today: date,
    working_days: int | None = None,
    unit_name: str | None = None,
) -> AidNotice:
    """Publish approved awards for at least the campaign's number of working days (default 5).

    ``today`` is the day of publication: a notice starts on that day or later, never earlier, and its working
    days are counted from its first day, so the public always gets the full period before anyone is paid.
    """
    require_staff(principal)
    if starts_on < today:
        raise ValidationFailed(
            f"公示开始日期不能早于发布当日（{today:%Y年%m月%d日}），公示期须从发布之日起计算", field="starts_on"
        )
    covers_or_404(principal, org_unit_id, "单位")
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise NotFound("单位不存在")
    if not award_ids:
        raise ValidationFailed("公示名单不能为空", field="award_ids")
    chosen = scoped(select(AidAward).where(AidAward.id.in_(set(award_ids))), principal, org=AidAward.org_unit_id)
    awards = list(session.scalars(for_update(chosen, session)))
    if len(awards) != len(set(award_ids)):
        raise NotFound("部分资助记录不存在")
    years = {a.year for a in awards}
    if len(years) != 1:
        raise ValidationFailed("一次公示只能包含同一年度的资助", field="award_ids")
    year = years.pop()
    campaign = get_campaign(session, year=year)
    days = working_days if working_days is not None else campaign.notice_working_days
    if days < campaign.notice_working_days:
        raise ValidationFailed(f"公示期不得少于 {campaign.notice_working_days} 个工作日", field="working_days")
    subtree = orgs.subtree_ids(session, org_unit_id=org_unit_id)
    for award in awards:
        if award.org_unit_id not in subtree or not principal.covers(award.org_unit_id):
            raise NotFound(f"资助 {award.id} 不存在或不属于该单位")
        if award.status != AwardStatus.APPROVED:
            raise Conflict(f"资助 {award.id} 不是待公示状态")
    try:
        phone = normalize_phone(supervision_phone)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="supervision_phone") from exc
    notice = AidNotice(
        org_unit_id=org_unit_id,
        year=year,
        unit_name=(unit_name or unit.name).strip(),
        supervision_phone=phone,
        starts_on=starts_on,
        ends_on=workdays.period_end(starts_on, days),
        working_days=days,
        status=NoticeStatus.PUBLISHED,
        created_by=principal.user_id,
    )
    session.add(notice)
    session.flush()
    for position, award in enumerate(sorted(awards, key=lambda a: a.id), start=1):
        session.add(AidNoticeEntry(notice_id=notice.id, award_id=award.id, position=position))
        award.status = AwardStatus.NOTICED
    session.flush()
    return notice


def get_notice(session: Session, *, principal: Principal, notice_id: int) -> AidNotice:
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看公示管理信息")
    notice = session.get(AidNotice, notice_id)
    if notice is None:
        raise NotFound(f"公示 {notice_id} 不存在")
    covers_or_404(principal, notice.org_unit_id, f"公示 {notice_id} ")
    return notice


def list_notices(
    session: Session, *, principal: Principal, year: int | None, limit: int, offset: int
) -> list[AidNotice]:
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看公示管理信息")
    stmt = select(AidNotice).order_by(AidNotice.id.desc()).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidNotice.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidNotice.year == year)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class NoticeLine:
    """What the public sees: unit, name and hardship reason — nothing else."""

    position: int
    award_id: int
    unit_name: str
    name: str
    hardship_reason: str


def notice_lines(session: Session, *, notice: AidNotice) -> list[NoticeLine]:
    rows = session.execute(
        select(AidNoticeEntry.position, AidAward.id, AidApplication)
        .join(AidAward, AidAward.id == AidNoticeEntry.award_id)
        .join(AidApplication, AidApplication.id == AidAward.application_id)
        .where(AidNoticeEntry.notice_id == notice.id, AidAward.status != AwardStatus.REVOKED)
        .order_by(AidNoticeEntry.position)
    )
    return [
        NoticeLine(
            position=pos,
            award_id=award_id,
            unit_name=app.worker_employer or notice.unit_name,
            name=app.worker_name or app.student_name,
            hardship_reason=app.hardship_reason,
        )
        for pos, award_id, app in rows
    ]


def notice_is_showing(notice: AidNotice, *, today: date) -> bool:
    return notice.status == NoticeStatus.PUBLISHED and notice.starts_on <= today <= notice.ends_on


def public_notice(session: Session, *, principal: Principal, notice_id: int) -> tuple[AidNotice, list[NoticeLine]]:
    notice = get_notice(session, principal=principal, notice_id=notice_id)
    if notice.status == NoticeStatus.TAKEN_DOWN:
        raise Conflict("公示期已满，公示已撤下")
    return notice, notice_lines(session, notice=notice)


def lodge_objection(
    session: Session, *, principal: Principal, notice_id: int, award_id: int, content: str, today: date
) -> AidObjection:
    """Record an objection received during the notice period (by letter, phone or in person)."""
    require_staff(principal)
    notice = get_notice(session, principal=principal, notice_id=notice_id)
    if not notice_is_showing(notice, today=today):
        raise Conflict(f"只能在公示期内（{notice.starts_on:%Y年%m月%d日}至{notice.ends_on:%Y年%m月%d日}）登记异议")
    entry = session.scalar(
        select(AidNoticeEntry).where(AidNoticeEntry.notice_id == notice.id, AidNoticeEntry.award_id == award_id)
    )
    if entry is None:
        raise NotFound("该资助不在此公示名单中")
    if not content or len(content.strip()) < 2:
        raise ValidationFailed("须写明异议内容", field="content")
    award = session.get(AidAward, award_id)
    assert award is not None
    if award.status == AwardStatus.REVOKED:
        raise Conflict("该资助已撤销")
    row = AidObjection(
        notice_id=notice.id,
        award_id=award_id,
        org_unit_id=award.org_unit_id,
        content=content.strip(),
        lodged_by=principal.user_id,
        lodged_on=today,
        status=ObjectionStatus.OPEN,
    )
    session.add(row)
    session.flush()
    return row


def get_objection(session: Session, *, principal: Principal, objection_id: int) -> AidObjection:
    """An objection the principal may act on: its own unit and its notice's unit both in scope (objection →
    notice → org), so a county cannot settle an objection to a notice it cannot see."""
    require_staff(principal)
    row = session.get(AidObjection, objection_id)
    if row is None:
        raise NotFound(f"异议 {objection_id} 不存在")
    covers_or_404(principal, row.org_unit_id, f"异议 {objection_id} ")
    notice = session.get(AidNotice, row.notice_id)
    if notice is None or not principal.covers(notice.org_unit_id):
        raise NotFound(f"异议 {objection_id} 不存在或不在您的管辖范围内")
    return row


def resolve_objection(
    session: Session, *, principal: Principal, objection_id: int, upheld: bool, resolution: str
) -> AidObjection:
    """Close an objection: upheld withdraws the award, dismissed keeps it. Either way the finding is recorded."""
    row = get_objection(session, principal=principal, objection_id=objection_id)
    if row.status != ObjectionStatus.OPEN:
        raise Conflict("该异议已处理")
    if not resolution or len(resolution.strip()) < 2:
        raise ValidationFailed("须写明核查处理结果", field="resolution")
    row.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    row.resolution, row.resolved_by, row.resolved_at = resolution.strip(), principal.user_id, utcnow()
    if upheld:
        award = session.scalar(for_update(select(AidAward).where(AidAward.id == row.award_id), session))
        assert award is not None
        if award.status != AwardStatus.REVOKED:
            withdraw_award(session, award=award, reason="公示异议成立：" + resolution.strip())
    session.flush()
    return row


def objections_of(session: Session, *, notice_id: int) -> list[AidObjection]:
    return list(
        session.scalars(select(AidObjection).where(AidObjection.notice_id == notice_id).order_by(AidObjection.id))
    )


def take_down(session: Session, *, principal: Principal | None, notice_id: int, today: date) -> AidNotice:
    if principal is not None:
        require_staff(principal)
        notice = get_notice(session, principal=principal, notice_id=notice_id)
    else:
        found = session.get(AidNotice, notice_id)
        if found is None:
            raise NotFound(f"公示 {notice_id} 不存在")
        notice = found
    if notice.status == NoticeStatus.TAKEN_DOWN:
        return notice
    if today <= notice.ends_on:
        raise Conflict(f"公示期至{notice.ends_on:%Y年%m月%d日}止，期满后才能撤下")
    notice.status, notice.taken_down_at = NoticeStatus.TAKEN_DOWN, utcnow()
    session.flush()
    return notice


def take_down_expired(session: Session, *, today: date) -> int:
    """Take down every notice whose period has ended (the daily job)."""
    ids = list(
        session.scalars(
            select(AidNotice.id).where(AidNotice.status == NoticeStatus.PUBLISHED, AidNotice.ends_on < today)
        )
    )
    for notice_id in ids:
        take_down(session, principal=None, notice_id=notice_id, today=today)
    return len(ids)
