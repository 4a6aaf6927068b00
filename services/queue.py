"""Enqueue background work by task name, sent only after the database transaction commits.

The Celery application object lives here so that both the API (sending) and ``jobs`` (declaring tasks and
running workers) share one configuration; the API never imports task code. Without Redis the app runs
eagerly: the task modules named in settings are imported on first use and run in-process after commit.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import event
from sqlalchemy.orm import Session

from services.config import get_settings

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
        broker_transport_options={"visibility_timeout": 3600},
        result_expires=86400,
        task_time_limit=1800,
        task_soft_time_limit=1700,
        broker_connection_retry_on_startup=True,
    )
    return app


def reset() -> None:
    celery_app.cache_clear()


def enqueue(session: Session, name: str, *args: Any, **kwargs: Any) -> None:
    """Send task ``name`` once ``session`` commits; dropped if it rolls back."""
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
        send_now(name, *args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous: Any) -> None:
    dropped = session.info.pop(PENDING_KEY, [])
    if dropped:
        log.info("dropped %d task(s) of a rolled-back transaction", len(dropped))
