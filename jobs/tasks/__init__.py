"""Task modules; importing this package registers every task on the Celery app."""

from jobs.tasks import aid  # noqa: F401
from jobs.tasks import catalog, health, matches, reports, tracking  # noqa: F401
from jobs.tasks import registry  # noqa: F401

__all__ = ["health"]
