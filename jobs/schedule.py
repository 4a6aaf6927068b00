"""Beat schedule: periodic tasks by name."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "health-heartbeat": {"task": "sunshine.health.ping", "schedule": crontab(minute="*/5")},
    "catalog-close-expired": {"task": "sunshine.catalog.close_expired", "schedule": crontab(hour=0, minute=10)},
}
