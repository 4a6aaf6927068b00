"""Task modules; importing this package registers every task on the Celery app."""

from jobs.tasks import (  # noqa: F401
    aid,
    campaign,
    catalog,
    health,
    matches,
    registry,
    reports,
    tracking,
)

__all__ = ["health"]
