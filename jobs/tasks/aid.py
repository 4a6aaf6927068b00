"""Daily aid jobs: deadline warnings for union staff, taking down notices whose period has ended."""

from __future__ import annotations

from datetime import date

from jobs.base import task
from services.aid import service, workdays
from services.db import session_scope


@task("sunshine.aid.deadline_warnings", idempotent=True)
def deadline_warnings(day: str | None = None) -> int:
    """Warn staff before each campaign deadline; one notification per person, deadline and day."""
    today = date.fromisoformat(day) if day else workdays.today()
    with session_scope() as session:
        return service.warn_deadlines(session, today=today)


@task("sunshine.aid.take_down_notices", idempotent=True)
def take_down_notices(day: str | None = None) -> int:
    """Take down the public notices whose period has ended."""
    today = date.fromisoformat(day) if day else workdays.today()
    with session_scope() as session:
        return service.take_down_expired(session, today=today)
