"""The project's Celery app with the follow-up reminder job scheduled every second (for the beat test)."""

from __future__ import annotations

from celery import Celery

from jobs.app import app as project_app

app: Celery = project_app
app.conf.beat_schedule = {
    "tracking-follow-up-reminders-test": {"task": "sunshine.tracking.follow_up_reminders", "schedule": 1.0},
}
