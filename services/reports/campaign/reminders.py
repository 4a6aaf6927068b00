"""The reminder each responsible person gets before each campaign deadline: every active account of the
deadline's roles, once per deadline (a moved date reminds again), ``remind_days_before`` days ahead; a county that
has already handed in what the deadline asks for (its survey, its report) is left out."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications import api as notifications
from services.reports.campaign import deadlines, narratives, surveys
from services.reports.campaign_models import CampaignDeadline, NarrativeKind
from services.reports.tables import county_units
from services.security.models import User

NARRATIVE_OF = {deadlines.STAGE_REPORT: NarrativeKind.STAGE, deadlines.FINAL_REPORT: NarrativeKind.FINAL}


def _done_counties(session: Session, row: CampaignDeadline) -> frozenset[int]:
    if row.code == deadlines.ARCHIVES:
        return surveys.submitted_counties(session, year=row.year)
    if row.code in NARRATIVE_OF:
        return narratives.submitted_units(session, year=row.year, kind=NARRATIVE_OF[row.code])
    return frozenset()


def in_window(row: CampaignDeadline, today: date) -> bool:
    return row.due_on - timedelta(days=row.remind_days_before) <= today <= row.due_on


def send_reminders(session: Session, *, today: date) -> int:
    """One message per deadline in its warning window and per responsible account; a second run writes nothing.
    Returns the number written."""
    due = [r for r in deadlines.ensure_year(session, year=today.year) if in_window(r, today)]
    if not due:
        return 0
    fold, _units = county_units(session)
    written = 0
    for row in due:
        done = _done_counties(session, row)
        people = session.scalars(
            select(User).where(User.is_active.is_(True), User.role.in_(sorted(row.roles))).order_by(User.id)
        )
        left = (row.due_on - today).days
        when = "今天到期" if left == 0 else f"还有{left}天到期"
        for user in people:
            if user.org_unit_id is not None and fold.get(user.org_unit_id, user.org_unit_id) in done:
                continue
            written += (
                notifications.notify_once(
                    session,
                    recipient_id=user.id,
                    key=f"deadline:{row.id}:{row.due_on.isoformat()}",
                    source="reports",
                    kind="deadline",
                    title=f"截止日期提醒：{row.title}",
                    body=f"{row.year}年金秋助学和阳光就业暖心行动：{row.title}，截止日期{row.due_on.month}月"
                    f"{row.due_on.day}日，{when}。",
                    link=f"/union/deadlines?year={row.year}",
                )
                is not None
            )
    return written
