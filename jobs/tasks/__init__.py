"""Task modules; importing this package registers every task on the Celery app."""

from jobs.tasks import health

__all__ = ["health"]
