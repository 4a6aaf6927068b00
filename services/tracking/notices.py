"""In-app messages written by tracking (recommendations, pipeline moves, signing confirmations, handoffs)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalog.models import EmployerAccount
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import NotFound
from services.security.models import User
from services.security.principal import Principal
from services.tracking.models import (
    Notification,
)

# ---- notifications ---------------------------------------------------------------------------------------


def notify(
    session: Session, *, recipient_id: int, kind: str, title: str, body: str, link: str | None = None
) -> Notification:
    org = session.scalar(select(User.org_unit_id).where(User.id == recipient_id))
    row = Notification(recipient_id=recipient_id, org_unit_id=org, kind=kind, title=title, body=body, link=link)
    session.add(row)
    session.flush()
    return row


def list_notifications(
    session: Session, *, principal: Principal, unread_only: bool, limit: int, offset: int
) -> tuple[list[Notification], int]:
    cond = [Notification.recipient_id == principal.user_id]
    if unread_only:
        cond.append(Notification.is_read.is_(False))
    total = session.scalar(select(func.count()).select_from(Notification).where(*cond)) or 0
    rows = session.scalars(
        select(Notification).where(*cond).order_by(Notification.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def mark_read(session: Session, *, principal: Principal, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != principal.user_id:
        raise NotFound("消息不存在")
    if not row.is_read:
        row.is_read = True
        row.read_at = utcnow()
        session.flush()
    return row


def _employer_users(session: Session, employer_id: int | None) -> list[int]:
    if employer_id is None:
        return []
    return list(session.scalars(select(EmployerAccount.user_id).where(EmployerAccount.employer_id == employer_id)))
