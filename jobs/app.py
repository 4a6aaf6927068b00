"""The Celery application the worker and beat run: ``celery -A jobs.app worker``."""

from __future__ import annotations

from celery import Celery

from jobs.schedule import BEAT_SCHEDULE
from services.queue import celery_app

app: Celery = celery_app()
app.conf.beat_schedule = BEAT_SCHEDULE
app.loader.import_default_modules()
