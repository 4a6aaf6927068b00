"""One table for the messages of every source: tracking's recommendations, pipeline moves, reminders and handoffs,
aid's deadline warnings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, utcnow


class Notification(Base):
    """An in-app message to one account. ``source`` names the domain that wrote it; ``key``, when set, makes a
    message idempotent per recipient (a deadline warning is written once per deadline and day)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_read", "recipient_id", "is_read"),
        Index("uq_notification_recipient_key", "recipient_id", "key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="tracking")
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    key: Mapped[str | None] = mapped_column(String(120))
    is_read: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
