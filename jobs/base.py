"""The one decorator every task is declared with.

Explicit dotted name, bounded retries on transient errors only (with backoff and jitter), ``acks_late``
only for tasks that are safe to run twice, time limits below the broker's visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import redis
from celery import Task
from sqlalchemy.exc import OperationalError

from services.queue import celery_app

F = TypeVar("F", bound=Callable[..., Any])
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, redis.ConnectionError, ConnectionError, TimeoutError)


def task(
    name: str,
    *,
    idempotent: bool = False,
    max_retries: int = 3,
    retry_for: tuple[type[BaseException], ...] = TRANSIENT,
    time_limit: int = 900,
) -> Callable[[F], Task]:
    if not name.startswith("sunshine."):
        raise ValueError("task names start with 'sunshine.'")

    def decorate(fn: F) -> Task:
        return celery_app().task(
            name=name,
            bind=False,
            acks_late=idempotent,
            reject_on_worker_lost=idempotent,
            autoretry_for=retry_for,
            max_retries=max_retries,
            retry_backoff=2,
            retry_backoff_max=300,
            retry_jitter=True,
            time_limit=time_limit,
            soft_time_limit=max(time_limit - 30, 30),
        )(fn)

    return decorate
