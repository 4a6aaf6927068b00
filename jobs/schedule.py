"""Beat schedule: periodic tasks by name."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "health-heartbeat": {"task": "sunshine.health.ping", "schedule": crontab(minute="*/5")},
    "catalog-close-expired": {"task": "sunshine.catalog.close_expired", "schedule": crontab(hour=0, minute=10)},
    "matches-nightly-rematch": {"task": "sunshine.matches.rematch_all", "schedule": crontab(hour=2, minute=30)},
    "matches-catalog-catch-up": {"task": "sunshine.matches.refresh_after_catalog_change", "schedule": 600.0},
    "matches-backfill-occupations": {
        "task": "sunshine.matches.backfill_position_occupations",
        "schedule": crontab(hour=2, minute=0),
    },
    "tracking-follow-up-reminders": {
        "task": "sunshine.tracking.follow_up_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "reports-stage-snapshots": {"task": "sunshine.reports.stage_snapshots", "schedule": crontab(hour=23, minute=50)},
    "reports-deadline-reminders": {
        "task": "sunshine.reports.deadline_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "aid-take-down-notices": {"task": "sunshine.aid.take_down_notices", "schedule": crontab(hour=0, minute=30)},
    "registry-sweep-imports": {"task": "sunshine.registry.sweep_imports", "schedule": 600.0},
    "reports-sweep-jobs": {"task": "sunshine.reports.sweep_jobs", "schedule": 600.0},
    "tracking-expire-applications": {
        "task": "sunshine.tracking.expire_applications",
        "schedule": crontab(hour=0, minute=20),
    },
}
