"""Contacts and follow-ups: validation, the overdue list per counselor, and the reminder job — one reminder per
graduate per due date, in-app and by e-mail when SMTP is configured, nothing twice."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import queue
from services.config import get_settings
from services.errors import ValidationFailed
from services.notifications.models import Notification
from services.registry.models import Graduate
from services.security.models import User
from services.security.scope import graduate_scope
from services.tracking import service
from services.tracking.models import Contact, Reminder
from tests.conftest import World
from tests.tracking.factories import make_graduate, make_user, principal, principal_of, today
from tests.tracking.smtp_stub import Mailbox, smtp_server


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=1)


def _contact(db: Session, who: int, grad: Graduate, *, days_ago: int, due_in: int | None) -> Contact:
    # 02:00 on that day in China, or a moment ago when that is still to come today
    at = min(service.end_of_day_utc(today() - timedelta(days=days_ago + 1)) + timedelta(hours=2), _now())
    return service.record_contact(
        db,
        principal=principal_of(db, who),
        graduate_id=grad.id,
        channel="phone",
        outcome="reached",
        summary="了解近况",
        contacted_at=at,
        next_due_on=None if due_in is None else today() + timedelta(days=due_in),
    )


def test_contact_validation(db: Session, world: World) -> None:
    grad = make_graduate(db, world)
    counselor = principal(db, world, "counselor_a")
    with pytest.raises(ValidationFailed) as err:
        service.record_contact(
            db, principal=counselor, graduate_id=grad.id, channel="fax", outcome="reached", summary="x"
        )
    assert err.value.errors[0].field == "channel"
    with pytest.raises(ValidationFailed):
        service.record_contact(
            db,
            principal=counselor,
            graduate_id=grad.id,
            channel="phone",
            outcome="reached",
            summary="x",
            next_due_on=today(),
        )


def test_overdue_list_per_counselor(db: Session, world: World) -> None:
    wang = make_user(db, world, role="counselor", org="BZ-MC")
    li = make_user(db, world, role="counselor", org="BZ-MC")
    late = make_graduate(db, world, name="逾期")
    due_today = make_graduate(db, world, name="今天到期")
    answered = make_graduate(db, world, name="已回访")
    assigned = make_graduate(db, world, name="指定给李")
    _contact(db, wang.id, late, days_ago=10, due_in=-3)
    _contact(db, wang.id, due_today, days_ago=10, due_in=0)
    _contact(db, wang.id, answered, days_ago=10, due_in=-3)
    _contact(db, wang.id, answered, days_ago=1, due_in=20)  # the follow-up happened: no longer overdue
    _contact(db, wang.id, assigned, days_ago=10, due_in=-1)
    service.assign_counselor(
        db, principal=principal(db, world, "county_a"), graduate_id=assigned.id, counselor_id=li.id
    )
    scope = graduate_scope(db, principal=principal(db, world, "county_a"))
    rows = service.overdue_contacts(db, scope=scope)
    mine = {r.name: (r.counselor_id, r.days_overdue) for r in rows}
    assert mine == {"逾期": (wang.id, 3), "指定给李": (li.id, 1)}
    assert [r.name for r in service.overdue_contacts(db, scope=scope, counselor_id=li.id)] == ["指定给李"]
    # county B's counselor sees none of these
    other = graduate_scope(db, principal=principal(db, world, "counselor_b"))
    assert service.overdue_contacts(db, scope=other) == []


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (host, port, mailbox):
        settings = get_settings()
        monkeypatch.setattr(settings, "smtp_host", host)
        monkeypatch.setattr(settings, "smtp_port", port)
        yield mailbox


def _subject(raw: str) -> str:
    return str(make_header(decode_header(email.message_from_string(raw)["Subject"])))


def test_reminder_job_twice_creates_and_mails_each_reminder_once(db: Session, world: World, smtp: Mailbox) -> None:
    wang = make_user(db, world, role="counselor", org="BZ-MC", email="wang@example.invalid")
    nomail = make_user(db, world, role="counselor", org="BZ-MC")
    late = make_graduate(db, world, name="陈同学")
    due_today = make_graduate(db, world, name="李同学")
    later = make_graduate(db, world, name="王同学")
    offline = make_graduate(db, world, name="赵同学")
    _contact(db, wang.id, late, days_ago=9, due_in=-2)
    _contact(db, wang.id, due_today, days_ago=9, due_in=0)
    _contact(db, wang.id, later, days_ago=1, due_in=5)
    _contact(db, nomail.id, offline, days_ago=9, due_in=-1)
    db.commit()

    first = queue.send_now("sunshine.tracking.follow_up_reminders").get()
    second = queue.send_now("sunshine.tracking.follow_up_reminders").get()
    assert first == {"created": 3, "emailed": 2}
    assert second == {"created": 0, "emailed": 0}

    reminders = {r.graduate_id: r for r in db.scalars(select(Reminder))}
    assert set(reminders) == {late.id, due_today.id, offline.id}
    assert reminders[late.id].due_on == today() - timedelta(days=2)
    assert reminders[late.id].email_state == "sent" and reminders[offline.id].email_state == "none"
    notes = list(db.scalars(select(Notification).where(Notification.kind == "follow_up")))
    assert sorted(n.recipient_id for n in notes) == sorted([wang.id, wang.id, nomail.id])
    assert any("已逾期 2 天" in n.body for n in notes)
    mails = smtp.snapshot()
    assert len(mails) == 2 and all(r == ["wang@example.invalid"] for r, _ in mails)
    assert sorted(_subject(m) for _, m in mails) == ["回访提醒：李同学", "回访提醒：陈同学"]

    # the follow-up is made and a new date agreed: that new date gets its own reminder once it falls due
    _contact(db, wang.id, late, days_ago=0, due_in=7)
    db.commit()
    assert service.create_follow_up_reminders(db, today=today() + timedelta(days=7)) != []
    assert service.create_follow_up_reminders(db, today=today() + timedelta(days=7)) == []


def test_reminders_without_smtp_stay_in_app(db: Session, world: World) -> None:
    wang = make_user(db, world, role="counselor", org="BZ-MC", email="wang@example.invalid")
    grad = make_graduate(db, world)
    _contact(db, wang.id, grad, days_ago=5, due_in=-1)
    created = service.create_follow_up_reminders(db)
    assert len(created) == 1
    assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.email_state == "pending")) == 0
    assert db.get(User, wang.id) is not None


def test_commands_run_reminders_and_print_the_shortfall(db: Session, world: World) -> None:
    from typer.testing import CliRunner

    from services.tracking.commands import app

    wang = make_user(db, world, role="counselor", org="BZ-MC")
    grad = make_graduate(db, world, name="命令行")
    _contact(db, wang.id, grad, days_ago=4, due_in=-1)
    db.commit()
    runner = CliRunner()
    first = runner.invoke(app, ["reminders"])
    assert first.exit_code == 0, first.output
    assert "新建回访提醒 1 条" in first.output
    assert "新建回访提醒 0 条" in runner.invoke(app, ["reminders"]).output
    gaps = runner.invoke(app, ["gaps", "--county", "BZ-MC"])
    assert gaps.exit_code == 0 and "未达标" in gaps.output and "1 人" in gaps.output
    bad = runner.invoke(app, ["expire", "--today", "2023-13-01"])
    assert bad.exit_code != 0
