"""Contacts with a graduate, follow-up reminders when a contact is due, and the reminder e-mails."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.config import get_settings
from services.db import utcnow
from services.errors import ValidationFailed
from services.notifications import api as notifications
from services.notifications.api import notify
from services.pagination import total_beside_page
from services.registry.api import Graduate
from services.security.models import User
from services.security.principal import Principal
from services.security.scope import GraduateScope, ScopeShape
from services.tracking.access import _aware, servable_graduate
from services.tracking.caseload import _latest_contacts, _responsible, _user_names, assigned_counselor
from services.tracking.models import (
    Contact,
    ContactChannel,
    ContactOutcome,
    Reminder,
)

log = logging.getLogger(__name__)


# ---- contacts and reminders ------------------------------------------------------------------------------


def record_contact(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    channel: str,
    outcome: str,
    summary: str,
    contacted_at: datetime | None = None,
    next_due_on: date | None = None,
) -> Contact:
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if channel not in {c.value for c in ContactChannel}:
        raise ValidationFailed(
            f"联系方式“{channel}”无效，可选：电话 phone、走访 visit、短信微信 message、座谈 meeting", field="channel"
        )
    if outcome not in {o.value for o in ContactOutcome}:
        raise ValidationFailed(f"联系结果“{outcome}”无效", field="outcome")
    when = _aware(contacted_at) if contacted_at is not None else utcnow()
    if when > utcnow() + timedelta(minutes=5):
        raise ValidationFailed("联系时间不能晚于现在", field="contacted_at")
    contact_day = when.astimezone(ZoneInfo(get_settings().timezone)).date()
    if next_due_on is not None and next_due_on <= contact_day:
        raise ValidationFailed("下次联系日期应晚于本次联系日期", field="next_due_on")
    row = Contact(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        counselor_id=principal.user_id,
        channel=channel,
        contacted_at=when,
        outcome=outcome,
        summary=summary.strip(),
        next_due_on=next_due_on,
    )
    session.add(row)
    session.flush()
    return row


def list_contacts(session: Session, *, graduate_id: int) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact).where(Contact.graduate_id == graduate_id).order_by(Contact.contacted_at, Contact.id)
        )
    )


@dataclass(slots=True)
class Overdue:
    graduate_id: int
    name: str
    org_unit_id: int
    due_on: date
    days_overdue: int
    counselor_id: int | None
    counselor_name: str | None
    last_contact_id: int
    last_channel: str
    last_outcome: str
    last_contacted_at: datetime


@lru_cache(maxsize=16)
def _overdue_query(shape: ScopeShape, by_counselor: bool) -> Select[Contact, str, int, Any]:
    """Latest contacts of the scope whose next due date has passed, with the graduate and the responsible
    counselor, oldest due date first: built once per scope shape (``GraduateScope.shape``), run with the scope's
    parameters, ``day`` and ``counselor``."""
    ranked = (
        select(
            Contact.id,
            func.row_number()
            .over(partition_by=Contact.graduate_id, order_by=(Contact.contacted_at.desc(), Contact.id.desc()))
            .label("rn"),
        )
        .where(GraduateScope.bound_clause(shape, Contact.graduate_id, Contact.org_unit_id))
        .subquery()
    )
    responsible = func.coalesce(assigned_counselor(Contact.graduate_id), Contact.counselor_id)
    stmt = (
        select(Contact, Graduate.name, Graduate.org_unit_id, responsible.label("responsible"))
        .join(ranked, ranked.c.id == Contact.id)
        .join(Graduate, Graduate.id == Contact.graduate_id)
        .where(ranked.c.rn == 1, Contact.next_due_on < bindparam("day", type_=Date))
    )
    if by_counselor:
        stmt = stmt.where(responsible == bindparam("counselor"))
    return stmt.order_by(Contact.next_due_on, Contact.graduate_id)


@lru_cache(maxsize=16)
def _overdue_page_query(shape: ScopeShape, by_counselor: bool, paged: bool) -> Select[Any]:
    """:func:`_overdue_query` with the number of all its rows beside each, from ``offset`` (``limit`` rows)."""
    stmt = _overdue_query(shape, by_counselor).add_columns(func.count().over().label("total"))
    stmt = stmt.offset(bindparam("offset"))
    return stmt.limit(bindparam("limit")) if paged else stmt


def overdue_contacts(
    session: Session,
    *,
    scope: GraduateScope,
    today: date | None = None,
    counselor_id: int | None = None,
) -> list[Overdue]:
    """Graduates whose latest contact set a next due date that has passed, oldest first."""
    rows, _ = overdue_page(session, scope=scope, today=today, counselor_id=counselor_id)
    return rows


def overdue_page(
    session: Session,
    *,
    scope: GraduateScope,
    today: date | None = None,
    counselor_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Overdue], int]:
    """One page (``limit``/``offset``, all when ``limit`` is None) of :func:`overdue_contacts` and the number of
    all, counted beside the page by the same statement."""
    day = today or local_today()
    stmt = _overdue_page_query(scope.shape, counselor_id is not None, limit is not None)
    params = {**scope.params(), "day": day, "counselor": counselor_id, "offset": offset, "limit": limit}
    rows = session.execute(stmt, params).all()
    total = total_beside_page(
        rows,
        offset=offset,
        limit=limit,
        count=lambda: count_overdue(session, scope=scope, today=day, counselor_id=counselor_id),
    )
    names = _user_names(session, [row.responsible for row in rows if row.responsible is not None])
    out: list[Overdue] = []
    for contact, name, org_unit_id, who, _total in rows:
        assert contact.next_due_on is not None
        out.append(
            Overdue(
                graduate_id=contact.graduate_id,
                name=name,
                org_unit_id=org_unit_id,
                due_on=contact.next_due_on,
                days_overdue=(day - contact.next_due_on).days,
                counselor_id=who,
                counselor_name=names.get(who) if who else None,
                last_contact_id=contact.id,
                last_channel=contact.channel,
                last_outcome=contact.outcome,
                last_contacted_at=_aware(contact.contacted_at),
            )
        )
    return out, total


def count_overdue(
    session: Session, *, scope: GraduateScope, today: date | None = None, counselor_id: int | None = None
) -> int:
    stmt = _overdue_query(scope.shape, counselor_id is not None).order_by(None)
    params = {**scope.params(), "day": today or local_today(), "counselor": counselor_id}
    return int(session.scalar(select(func.count()).select_from(stmt.subquery()), params) or 0)


def create_follow_up_reminders(session: Session, *, today: date | None = None) -> list[int]:
    """One reminder (an in-app notification, and an e-mail to send when SMTP is configured) per graduate per
    due date, for every follow-up due today or earlier. Running it again creates nothing new: the unique
    (graduate, due date) constraint decides, so two concurrent runs cannot both create one."""
    day = today or local_today()
    latest = _latest_contacts(session)
    due = {gid: c for gid, c in latest.items() if c.next_due_on is not None and c.next_due_on <= day}
    if not due:
        return []
    known = {
        (gid, due_on)
        for gid, due_on in session.execute(
            select(Reminder.graduate_id, Reminder.due_on).where(Reminder.graduate_id.in_(list(due)))
        )
    }
    responsible = _responsible(session, list(due))
    graduates = {g.id: g for g in session.scalars(select(Graduate).where(Graduate.id.in_(list(due))))}
    smtp = bool(get_settings().smtp_host)
    created: list[int] = []
    for gid, contact in sorted(due.items()):
        assert contact.next_due_on is not None
        recipient = responsible.get(gid)
        if recipient is None or (gid, contact.next_due_on) in known:
            continue
        graduate = graduates[gid]
        overdue_days = (day - contact.next_due_on).days
        when = "今天" if overdue_days == 0 else f"已逾期 {overdue_days} 天"
        email = session.scalar(select(User.email).where(User.id == recipient))
        try:
            with session.begin_nested():
                note = notify(
                    session,
                    recipient_id=recipient,
                    kind="follow_up",
                    title=f"回访提醒：{graduate.name}",
                    body=(
                        f"毕业生 {graduate.name} 的下次联系日期为 {contact.next_due_on.isoformat()}（{when}），"
                        "请及时联系回访。"
                    ),
                    link=f"/api/v1/tracking/graduates/{gid}/timeline",
                )
                row = Reminder(
                    graduate_id=gid,
                    org_unit_id=graduate.org_unit_id,
                    due_on=contact.next_due_on,
                    contact_id=contact.id,
                    recipient_id=recipient,
                    notification_id=note.id,
                    email_state="pending" if smtp and email else "none",
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            log.info("reminder for graduate %s due %s already exists", gid, contact.next_due_on)
            continue
        created.append(row.id)
    return created


@dataclass(frozen=True, slots=True)
class Mail:
    reminder_id: int
    to: str
    subject: str
    body: str


def claim_reminder_emails(session: Session, *, limit: int = 200) -> list[Mail]:
    """Claim pending reminder e-mails (pending → sending) so that no two workers send the same one."""
    ids = list(
        session.scalars(select(Reminder.id).where(Reminder.email_state == "pending").order_by(Reminder.id).limit(limit))
    )
    out: list[Mail] = []
    for rid in ids:
        result = session.execute(
            update(Reminder).where(Reminder.id == rid, Reminder.email_state == "pending").values(email_state="sending")
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        reminder = session.get(Reminder, rid)
        assert reminder is not None
        note = notifications.get_notification(session, notification_id=reminder.notification_id)
        to = session.scalar(select(User.email).where(User.id == reminder.recipient_id))
        if note is None or not to:
            reminder.email_state = "none"
            continue
        out.append(Mail(reminder_id=rid, to=to, subject=note.title, body=note.body))
    session.flush()
    return out


def finish_reminder_email(session: Session, *, reminder_id: int, sent: bool) -> None:
    reminder = session.get(Reminder, reminder_id)
    if reminder is None:
        return
    reminder.email_state = "sent" if sent else "failed"
    reminder.emailed_at = utcnow() if sent else None
    session.flush()
