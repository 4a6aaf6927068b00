"""An import job's lifecycle: the upload encrypted for its job and deleted when the job ends, a run that breaks
ends failed naming its row, a lost worker's job runs again a bounded number of times, the stuck-job sweeps, and the
error workbook."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import utcnow
from services.registry import families as family_rules
from services.registry import importer, uploads
from services.registry.models import ImportJob, ImportStatus
from services.reports import service as reports
from services.reports.models import JobStatus, ReportJob
from tests.conftest import World
from tests.registry import factories
from tests.registry.test_import import counts, run, workbook


def test_the_upload_is_stored_encrypted_for_its_job_and_deleted_when_imported(db: Session, world: World) -> None:
    rows = [factories.family_fields() for _ in range(2)]
    content = workbook(rows)
    dry = run(db, world, content, dry_run=True)
    assert dry.content is not None and content not in dry.content
    assert rows[0]["id_number"].encode() not in dry.content and rows[0]["phone"].encode() not in dry.content
    assert uploads.open_sealed(dry.id, dry.content) == content
    with pytest.raises(uploads.UploadGone):
        uploads.open_sealed(dry.id + 1, dry.content)  # copied onto another job it does not open
    principal = importer.principal_of(db, user_id=world.users["county_a"], org_unit_id=dry.org_unit_id)
    real = importer.rerun(db, principal=principal, job=dry, good_rows_only=False)
    assert dry.content is None and real.content is not None  # moved, kept once
    db.info.pop("pending_tasks", None)
    importer.start(db, job_id=real.id)
    importer.run(db, job_id=real.id)
    assert real.status == ImportStatus.SUCCEEDED and real.content is None


def test_kept_uploads_are_purged_after_the_retention(db: Session, world: World) -> None:
    failed = run(db, world, workbook([factories.family_fields(hardship_category="特别困难")]))
    assert failed.status == ImportStatus.FAILED and failed.content is not None  # kept for the error workbook
    assert importer.purge_uploads(db) == 0
    hours = get_settings().import_upload_retention_hours
    failed.finished_at = utcnow() - timedelta(hours=hours + 1)
    db.flush()
    assert importer.purge_uploads(db) == 1
    db.refresh(failed)
    assert failed.content is None


def test_a_run_that_breaks_ends_failed_naming_its_row_and_writes_nothing(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [factories.family_fields() for _ in range(3)]
    original = family_rules.apply_family_values

    def breaks_on_third(record: Any, values: dict[str, Any], *args: Any, **kw: Any) -> None:
        if values.get("archive_no") == rows[2]["archive_no"]:
            raise KeyError("county")
        original(record, values, *args, **kw)

    monkeypatch.setattr(family_rules, "apply_family_values", breaks_on_third)
    before = counts(db)
    job = run(db, world, workbook(rows))
    assert job.status == ImportStatus.FAILED
    message = job.message or ""
    assert "第 4 行" in message and "档案" in message and "未写入任何数据" in message
    assert counts(db) == before


def test_a_job_left_running_by_a_lost_worker_runs_again_then_is_given_up(db: Session, world: World) -> None:
    job = importer.create_job(
        db,
        principal=importer.principal_of(db, user_id=world.users["county_a"], org_unit_id=world.orgs["BZ-MC"]),
        filename="f.xlsx",
        content=workbook([factories.family_fields()]),
        org_unit_id=world.orgs["BZ-MC"],
        dry_run=True,
        good_rows_only=False,
    )
    db.info.pop("pending_tasks", None)
    for attempt in range(1, importer.MAX_ATTEMPTS + 1):
        assert importer.start(db, job_id=job.id)  # the worker died: the redelivered task runs it again
        assert (job.status, job.attempts) == (ImportStatus.RUNNING, attempt)
    assert not importer.start(db, job_id=job.id)
    db.refresh(job)
    assert job.status == ImportStatus.FAILED and "重试" in (job.message or "")
    assert not importer.start(db, job_id=job.id)  # a finished job is never run again


def test_the_sweep_fails_jobs_stuck_past_their_time_limit(db: Session, world: World) -> None:
    principal = importer.principal_of(db, user_id=world.users["county_a"], org_unit_id=world.orgs["BZ-MC"])
    jobs = [
        importer.create_job(
            db,
            principal=principal,
            filename="f.xlsx",
            content=workbook([factories.family_fields()]),
            org_unit_id=world.orgs["BZ-MC"],
            dry_run=True,
            good_rows_only=False,
        )
        for _ in range(3)
    ]
    db.info.pop("pending_tasks", None)
    importer.start(db, job_id=jobs[1].id)
    long_ago = utcnow() - timedelta(seconds=importer.TIME_LIMIT_SECONDS + 600)
    db.execute(update(ImportJob).where(ImportJob.id.in_([jobs[0].id, jobs[1].id])).values(updated_at=long_ago))
    assert sorted(importer.sweep_stuck(db)) == [jobs[0].id, jobs[1].id]
    for job in jobs:
        db.refresh(job)
    assert [j.status for j in jobs] == [ImportStatus.FAILED, ImportStatus.FAILED, ImportStatus.QUEUED]
    assert "时限" in (jobs[0].message or "")

    report = ReportJob(
        org_unit_id=world.orgs["BZ"], report="annex7", file_format="csv", params={}, status=JobStatus.RUNNING
    )
    db.add(report)
    db.flush()
    assert reports.sweep_stuck_jobs(db) == []
    report.started_at = long_ago
    db.flush()
    assert reports.sweep_stuck_jobs(db) == [report.id]
    assert report.status == JobStatus.FAILED and report.error


def test_the_error_workbook_marks_each_bad_cell_with_its_reason(client: Any, db: Session, world: World) -> None:
    rows = [factories.family_fields(), factories.family_fields(hardship_category="特别困难", household_type="火星")]
    files = {"file": ("档案.xlsx", workbook(rows), "application/octet-stream")}
    resp = client.post("/api/v1/registry/imports", headers=world.headers("county_a"), files=files)
    job_id = resp.json()["id"]
    book = client.get(f"/api/v1/registry/imports/{job_id}/errors.xlsx", headers=world.headers("county_a"))
    assert book.status_code == 200 and book.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(book.content))["档案"]
    job = client.get(f"/api/v1/registry/imports/{job_id}", headers=world.headers("county_a")).json()
    marked = {e["cell"]: e["reason"] for e in job["errors"]}
    assert len(marked) == 2
    for ref, reason in marked.items():
        cell = sheet[ref]
        assert cell.comment is not None and reason in cell.comment.text
        assert cell.fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["A2"].comment is None and sheet["A3"].value == rows[1]["archive_no"]  # the sheet as uploaded
    other = client.get(f"/api/v1/registry/imports/{job_id}/errors.xlsx", headers=world.headers("county_b"))
    assert other.status_code == 404


def test_a_large_real_import_refreshes_the_planners_statistics(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ANALYZE_AFTER_ROWS", 2)
    rows = [factories.family_fields() for _ in range(2)]
    dry = run(db, world, workbook(rows), dry_run=True)
    assert not importer.wants_analyze(dry)  # a dry run writes nothing
    real = run(db, world, workbook(rows))
    assert importer.wants_analyze(real)
    again = run(db, world, workbook(rows))
    assert again.unchanged == 2 and not importer.wants_analyze(again)  # nothing written, nothing to refresh
