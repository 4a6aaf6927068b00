"""Task modules; importing this package registers every task on the Celery app."""

from jobs.tasks import catalog, health  # noqa: F401

__all__ = ["health"]
