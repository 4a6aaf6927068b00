"""Write, list and mark read the messages of the one inbox. Keyword-only functions taking a session; they flush,
never commit. Other domains write through :func:`notify` (and :func:`notify_once` for idempotent messages)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import NotFound
from services.notifications.models import Notification
from services.security.models import User
from services.security.principal import Principal

SOURCES = frozenset({"tracking", "aid", "reports"})


def _row(
    session: Session,
    *,
    recipient_id: int,
    source: str,
    kind: str,
    title: str,
    body: str,
    link: str | None,
    key: str | None,
) -> Notification:
    if source not in SOURCES:
        raise ValueError(f"unknown notification source {source!r}")
    org = session.scalar(select(User.org_unit_id).where(User.id == recipient_id))
    return Notification(
        recipient_id=recipient_id,
        org_unit_id=org,
        source=source,
        kind=kind,
        title=title,
        body=body,
        link=link,
        key=key,
    )


def notify(
    session: Session,
    *,
    recipient_id: int,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    source: str = "tracking",
) -> Notification:
    """Write one message to ``recipient_id``'s inbox."""
    row = _row(
        session, recipient_id=recipient_id, source=source, kind=kind, title=title, body=body, link=link, key=None
    )
    session.add(row)
    session.flush()
    return row


def notify_once(
    session: Session,
    *,
    recipient_id: int,
    key: str,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    source: str,
) -> Notification | None:
    """Write the message unless the recipient already has one with ``key``; None when it was there already (also
    when a concurrent writer got there first)."""
    exists = session.scalar(
        select(Notification.id).where(Notification.recipient_id == recipient_id, Notification.key == key)
    )
    if exists is not None:
        return None
    row = _row(session, recipient_id=recipient_id, source=source, kind=kind, title=title, body=body, link=link, key=key)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def list_notifications(
    session: Session,
    *,
    principal: Principal,
    unread_only: bool,
    limit: int,
    offset: int,
    source: str | None = None,
) -> tuple[list[Notification], int]:
    """The principal's own messages, newest first, with the total for paging."""
    cond = [Notification.recipient_id == principal.user_id]
    if unread_only:
        cond.append(Notification.is_read.is_(False))
    if source is not None:
        cond.append(Notification.source == source)
    total = session.scalar(select(func.count()).select_from(Notification).where(*cond)) or 0
    rows = session.scalars(
        select(Notification).where(*cond).order_by(Notification.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def get_notification(session: Session, *, notification_id: int) -> Notification | None:
    """A message by id, for the domain that wrote it (no access check)."""
    return session.get(Notification, notification_id)


def mark_read(session: Session, *, principal: Principal, notification_id: int) -> Notification:
    """Mark one of the principal's own messages read (404 for anyone else's)."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != principal.user_id:
        raise NotFound("消息不存在")
    if not row.is_read:
        row.is_read = True
        row.read_at = utcnow()
        session.flush()
    return row
