"""Enqueue background work by task name, sent only after the database transaction commits.

The Celery application object lives here so that both the API (sending) and ``jobs`` (declaring tasks and
running workers) share one configuration; the API never imports task code. Without Redis the app runs
eagerly: the task modules named in settings are imported on first use and run in-process after commit.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import redis
from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session

from services.config import get_settings
from services.errors import ServiceBusy

log = logging.getLogger(__name__)
PENDING_KEY = "pending_tasks"


@lru_cache(maxsize=1)
def celery_app() -> Celery:
    settings = get_settings()
    eager = settings.celery_eager
    app = Celery(
        "sunshine",
        broker=settings.redis_url or "memory://",
        backend=settings.redis_url or "cache+memory://",
    )
    app.conf.update(
        task_always_eager=eager,
        task_eager_propagates=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone=settings.timezone,
        enable_utc=True,
        imports=settings.celery_task_modules,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": settings.broker_visibility_seconds,
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
        },
        broker_connection_timeout=2,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        result_expires=86400,
        task_time_limit=1800,
        task_soft_time_limit=1700,
        broker_connection_retry_on_startup=True,
    )
    return app


def reset() -> None:
    celery_app.cache_clear()
    _broker_client.cache_clear()


@lru_cache(maxsize=1)
def _broker_client() -> redis.Redis[bytes]:
    return redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=1, socket_timeout=1)


BROKER_DOWN = "后台任务服务暂时不可用，本次操作未保存，请稍后重试"


def require_broker() -> None:
    """Raise :class:`ServiceBusy` (503) at once when the broker does not answer; eager mode needs none."""
    if celery_app().conf.task_always_eager:
        return
    try:
        _broker_client().ping()
    except redis.RedisError as exc:
        log.warning("broker unreachable: %s", exc.__class__.__name__)
        raise ServiceBusy(BROKER_DOWN, headers={"Retry-After": "30"}) from exc


def enqueue(session: Session, name: str, *args: Any, **kwargs: Any) -> None:
    """Send task ``name`` once ``session`` commits; dropped if it rolls back.

    When the broker is down the caller's work is refused with 503 before anything is stored, so no job row is
    left waiting for a task that was never sent.
    """
    require_broker()
    session.connection()  # make sure a transaction is open, so a rollback is seen and drops the task
    session.info.setdefault(PENDING_KEY, []).append((name, args, kwargs))


def send_now(name: str, *args: Any, **kwargs: Any) -> Any:
    """Send (or, eagerly, run) a task outside any transaction. Returns the AsyncResult / EagerResult."""
    app = celery_app()
    if app.conf.task_always_eager:
        app.loader.import_default_modules()
        return app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
    return app.send_task(name, args=args, kwargs=kwargs)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, [])
    for name, args, kwargs in pending:
        try:
            send_now(name, *args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            # committed already: the job's row stays queued and the stuck-job sweep ends it
            log.error("task %s could not be sent after commit: %s", name, exc.__class__.__name__)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous: Any) -> None:
    dropped = session.info.pop(PENDING_KEY, [])
    if dropped:
        log.info("dropped %d task(s) of a rolled-back transaction", len(dropped))
