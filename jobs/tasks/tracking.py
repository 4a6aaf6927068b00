"""Tracking tasks: daily follow-up reminders (in-app, and e-mail when SMTP is configured) and pipeline expiry."""

from __future__ import annotations

from datetime import date

from jobs.base import task
from services.db import session_scope
from services.tracking import mailer, service


@task("sunshine.tracking.follow_up_reminders", idempotent=True)
def follow_up_reminders(today: str | None = None) -> dict[str, int]:
    """One reminder per graduate per due date; safe to run any number of times."""
    day = date.fromisoformat(today) if today else None
    with session_scope() as session:
        created = service.create_follow_up_reminders(session, today=day)
    return {"created": len(created), "emailed": send_reminder_emails()}


def send_reminder_emails() -> int:
    """Send the claimed reminder e-mails one by one, each marked sent or failed in its own transaction."""
    with session_scope() as session:
        mails = service.claim_reminder_emails(session)
    sent = 0
    for mail in mails:
        ok = mailer.send(to=mail.to, subject=mail.subject, body=mail.body)
        with session_scope() as session:
            service.finish_reminder_email(session, reminder_id=mail.reminder_id, sent=ok)
        sent += int(ok)
    return sent


@task("sunshine.tracking.expire_applications", idempotent=True)
def expire_applications(today: str | None = None) -> dict[str, int]:
    """Close open applications of positions past their deadline or closed; statuses of ended internships."""
    day = date.fromisoformat(today) if today else service.local_today()
    with session_scope() as session:
        expired = service.expire_past_deadline(session, today=day)
        statuses = service.refresh_statuses(session, today=day)
    return {"expired": expired, "statuses": statuses}
