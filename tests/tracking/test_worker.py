"""A real Celery worker and beat on Redis run the reminder job again and again: each reminder (and its e-mail)
exists exactly once."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from services import queue
from services.config import get_settings
from services.notifications.models import Notification
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from services.tracking import service
from services.tracking.models import Reminder
from tests.conftest import World
from tests.tracking.factories import make_graduate, make_user, principal_of
from tests.tracking.smtp_stub import Mailbox, smtp_server

pytestmark = pytest.mark.slow
DONE = re.compile(r"Task sunshine\.tracking\.follow_up_reminders\[[^\]]+\] succeeded in [^:]+: (\{.*\})")


@pytest.fixture
def shared_db(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A committed SQLite file both this process and the worker use, and a clean Redis database."""
    env = {"SUNSHINE_REDIS_URL": redis_url, "SUNSHINE_DATABASE_URL": f"sqlite:///{tmp_path / 'beat.db'}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    queue.reset()
    from services import db as dbmod
    from services import migrate

    dbmod.reset_engine()
    migrate.upgrade()
    redis.Redis.from_url(redis_url).flushdb()
    yield env
    for key in env:
        monkeypatch.delenv(key)
    get_settings.cache_clear()
    queue.reset()
    dbmod.reset_engine()


def _seed() -> dict[str, int]:
    """Counselors (one with e-mail), and graduates with follow-ups due, not yet due and overdue."""
    from services.db import session_scope

    with session_scope() as session:
        orgs_service.load_tree(session, rows=orgs_service.read_tree())
        world = World(orgs={u.code: u.id for u in session.scalars(select(OrgUnit))})
        wang = make_user(session, world, role="counselor", org="BZ-MC", email="wang@example.invalid")
        zhao = make_user(session, world, role="counselor", org="BZ-GY")
        today = service.local_today()
        plan = [(wang.id, "a", -3), (wang.id, "a", 0), (wang.id, "a", 4), (zhao.id, "b", -1)]
        for who, side, due_in in plan:
            grad = make_graduate(session, world, side=side)
            service.record_contact(
                session,
                principal=principal_of(session, who),
                graduate_id=grad.id,
                channel="visit",
                outcome="reached",
                summary="走访了解近况",
                contacted_at=service.end_of_day_utc(today - timedelta(days=11)),
                next_due_on=today + timedelta(days=due_in),
            )
        return {"wang": wang.id, "zhao": zhao.id}


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", *args],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _runs(log: Path) -> list[dict[str, int]]:
    text = log.read_text("utf-8", "replace") if log.exists() else ""
    return [ast.literal_eval(m.group(1)) for m in DONE.finditer(text)]


def test_worker_and_beat_create_each_reminder_once(shared_db: dict[str, str], tmp_path: Path) -> None:
    users = _seed()
    with smtp_server() as (host, port, mailbox):
        env = {**os.environ, **shared_db, "SUNSHINE_SMTP_HOST": host, "SUNSHINE_SMTP_PORT": str(port)}
        worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
        worker = _start(
            [
                "-A",
                "jobs.app",
                "worker",
                "--pool=solo",
                "-l",
                "INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            env,
            worker_log,
        )
        beat = _start(
            ["-A", "tests.tracking.beat_app", "beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule")],
            env,
            beat_log,
        )
        try:
            deadline = time.monotonic() + 90
            while len(_runs(worker_log)) < 3 and time.monotonic() < deadline:
                assert worker.poll() is None, worker_log.read_text("utf-8", "replace")
                assert beat.poll() is None, beat_log.read_text("utf-8", "replace")
                time.sleep(0.2)  # polling the log for the worker's progress, not waiting for it blindly
        finally:
            _stop(beat)
            _stop(worker)
        runs = _runs(worker_log)
        _check(runs, users, mailbox)


def _check(runs: list[dict[str, int]], users: dict[str, int], mailbox: Mailbox) -> None:
    from services.db import session_scope

    assert len(runs) >= 3, runs
    assert runs[0] == {"created": 3, "emailed": 2}  # due today, 3 days overdue (wang, mailed) and zhao (no e-mail)
    assert all(r == {"created": 0, "emailed": 0} for r in runs[1:]), runs
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Reminder)) == 3
        by_recipient = dict(
            session.execute(
                select(Notification.recipient_id, func.count())
                .where(Notification.kind == "follow_up")
                .group_by(Notification.recipient_id)
            ).all()
        )
        assert by_recipient == {users["wang"]: 2, users["zhao"]: 1}
        states = sorted(session.scalars(select(Reminder.email_state)))
        assert states == ["none", "sent", "sent"]
    mails = mailbox.snapshot()
    assert len(mails) == 2 and {tuple(r) for r, _ in mails} == {("wang@example.invalid",)}
