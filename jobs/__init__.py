"""Celery app, the project's task decorator, tasks per domain and the beat schedule."""
