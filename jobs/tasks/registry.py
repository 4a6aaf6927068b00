"""Registry tasks: the spreadsheet import run (dry or real) with its progress, the stuck-job sweep and the
purge of kept uploads."""

from __future__ import annotations

from typing import Any

from jobs.base import task
from jobs.locks import run_lock
from services.config import get_settings
from services.db import analyze, session_scope
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


@task("sunshine.registry.import_sheet", idempotent=True, max_retries=2, time_limit=importer.TIME_LIMIT_SECONDS)
def import_sheet(job_id: int) -> dict[str, Any]:
    """Run import job ``job_id`` once: a redelivered task whose job another worker holds, or which has finished,
    returns at once; one left "running" by a lost worker runs again (or is failed after its attempts)."""
    with run_lock("registry_import", job_id) as mine:
        if not mine:
            return {"job_id": job_id, "skipped": True, "reason": "running elsewhere"}
        with session_scope() as session:
            if not importer.start(session, job_id=job_id):
                return {"job_id": job_id, "skipped": True}
        with session_scope() as session:
            job = importer.run(session, job_id=job_id, progress=_progress(job_id))
            outcome = {"job_id": job.id, "status": job.status, "rows": job.rows_total, "errors": job.error_count}
            refresh = importer.wants_analyze(job)
        if refresh:
            analyze()
        return outcome


@task("sunshine.registry.sweep_imports", idempotent=True, time_limit=300)
def sweep_imports() -> dict[str, Any]:
    """Fail import jobs stuck past their time limit; delete kept uploads past their retention."""
    with session_scope() as session:
        failed = importer.sweep_stuck(session)
        purged = importer.purge_uploads(session)
    return {"failed": failed, "purged": purged}
