"""Background work: enqueue after commit only, and a real Celery worker on Redis answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session

from services import queue
from services.config import get_settings


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[object, ...]]]:
    calls: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(queue, "send_now", lambda name, *args, **kw: calls.append((name, args)))
    return calls


def test_enqueue_runs_only_after_commit(db: Session, sent: list[tuple[str, tuple[object, ...]]]) -> None:
    queue.enqueue(db, "sunshine.health.ping", "after-commit")
    assert sent == []
    db.commit()
    assert sent == [("sunshine.health.ping", ("after-commit",))]


def test_enqueue_in_rolled_back_transaction_never_runs(db: Session, sent: list[tuple[str, tuple[object, ...]]]) -> None:
    queue.enqueue(db, "sunshine.health.ping", "rolled-back")
    db.rollback()
    db.commit()
    assert sent == []


def test_eager_mode_runs_the_task_in_process(db: Session) -> None:
    result = queue.send_now("sunshine.health.ping", "eager")
    assert result.get() == {"echo": "eager", "database": "ok"}


@pytest.fixture
def redis_settings(redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Point this process's settings at Redis and a committed SQLite file shared with the worker."""
    db_url = f"sqlite:///{tmp_path / 'worker.db'}"
    env = {"SUNSHINE_REDIS_URL": redis_url, "SUNSHINE_DATABASE_URL": db_url}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    queue.reset()
    from services import db as dbmod
    from services import migrate

    dbmod.reset_engine()
    migrate.upgrade()
    redis.Redis.from_url(redis_url).flushdb()
    yield env
    for k in env:
        monkeypatch.delenv(k)
    get_settings.cache_clear()
    queue.reset()
    dbmod.reset_engine()


@pytest.fixture
def worker(redis_settings: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, **redis_settings}
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
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
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.mark.slow
def test_real_worker_on_redis_runs_the_health_task(worker: subprocess.Popen[bytes]) -> None:
    result = queue.send_now("sunshine.health.ping", "over-redis")
    assert result.get(timeout=60) == {"echo": "over-redis", "database": "ok"}
    assert worker.poll() is None


@pytest.mark.slow
def test_rolled_back_enqueue_never_reaches_the_broker(redis_settings: dict[str, str]) -> None:
    from services.db import get_sessionmaker

    client = redis.Redis.from_url(redis_settings["SUNSHINE_REDIS_URL"])
    with get_sessionmaker()() as session:
        queue.enqueue(session, "sunshine.health.ping", "never")
        session.rollback()
    assert client.llen("celery") == 0
    with get_sessionmaker()() as session:
        queue.enqueue(session, "sunshine.health.ping", "queued")
        session.commit()
    deadline = time.monotonic() + 5
    while client.llen("celery") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.llen("celery") == 1
