"""Registry tasks: the spreadsheet import run (dry or real) with its progress."""

from __future__ import annotations

from typing import Any

from jobs.base import task
from services.config import get_settings
from services.db import session_scope
from services.registry import importer
from services.registry.import_rows import Progress


def _progress(job_id: int) -> Progress | None:
    """Publish progress from a separate short transaction (PostgreSQL); the embedded SQLite database allows one
    writer at a time, so there the job shows its counts when the run ends."""
    if get_settings().is_sqlite:
        return None

    def publish(read: int, written: int) -> None:
        with session_scope() as session:
            importer.publish_progress(session, job_id=job_id, read=read, written=written)

    return publish


@task("sunshine.registry.import_sheet", idempotent=True, max_retries=2, time_limit=1700)
def import_sheet(job_id: int) -> dict[str, Any]:
    with session_scope() as session:
        if not importer.start(session, job_id=job_id):
            return {"job_id": job_id, "skipped": True}
    with session_scope() as session:
        job = importer.run(session, job_id=job_id, progress=_progress(job_id))
        return {"job_id": job.id, "status": job.status, "rows": job.rows_total, "errors": job.error_count}
