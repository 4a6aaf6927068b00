"""Report tasks: build a requested report file, and freeze the stage-report snapshots on their due dates."""

from __future__ import annotations

from datetime import date

from jobs.base import task
from jobs.locks import run_lock
from services.db import session_scope
from services.reports import service


@task("sunshine.reports.build", idempotent=True, time_limit=service.JOB_TIME_LIMIT_SECONDS)
def build(job_id: int) -> dict[str, object]:
    """Build the file of report job ``job_id``; a job already built, or being built by another worker, is left
    as it is."""
    with run_lock("report_build", job_id) as mine:
        if not mine:
            return {"job_id": job_id, "status": "running elsewhere"}
        with session_scope() as session:
            job = service.run_job(session, job_id=job_id)
            if job is None:
                return {"job_id": job_id, "status": "missing"}
            return {"job_id": job.id, "status": job.status, "size_bytes": job.size_bytes}


@task("sunshine.reports.sweep_jobs", idempotent=True, time_limit=300)
def sweep_jobs() -> dict[str, list[int]]:
    """Fail report jobs stuck past the build's time limit."""
    with session_scope() as session:
        return {"failed": service.sweep_stuck_jobs(session)}


@task("sunshine.reports.stage_snapshots", idempotent=True)
def stage_snapshots(today: str | None = None) -> dict[str, list[int]]:
    """On 8/29 and 11/28 (the campaign's stage-report dates) freeze the city-wide tables, once per day."""
    day = date.fromisoformat(today) if today else service.today()
    with session_scope() as session:
        return {"snapshots": service.take_due_stage_snapshots(session, day=day)}
