"""The daily campaign reminders: each responsible clerk, once per deadline, before each deadline of the year."""

from __future__ import annotations

from datetime import date

from jobs.base import task
from services.db import session_scope
from services.reports import service as reports
from services.reports.campaign import reminders


@task("sunshine.reports.deadline_reminders", idempotent=True)
def deadline_reminders(day: str | None = None) -> int:
    """Remind the responsible staff before each campaign deadline; one message per deadline and person."""
    today = date.fromisoformat(day) if day else reports.today()
    with session_scope() as session:
        return reminders.send_reminders(session, today=today)
