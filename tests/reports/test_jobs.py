"""Large reports built by the Celery task and downloaded when ready (eager Celery in tests)."""

from __future__ import annotations

import hashlib
import stat
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.reports import render, service
from services.reports.models import JobStatus, ReportJob
from tests.conftest import World
from tests.reports import workbook
from tests.reports.generator import AS_OF, Expected


def test_a_report_job_builds_the_file_a_clerk_downloads(
    client: TestClient, world: World, db: Session, generated: Expected
) -> None:
    resp = client.post(
        "/api/v1/reports/jobs",
        json={"report": "annex9", "format": "xlsx", "as_of": AS_OF.isoformat(), "chart": True},
        headers=world.headers("county_a"),
    )
    assert resp.status_code == 202, resp.text
    job_id = resp.json()["id"]
    job = client.get(f"/api/v1/reports/jobs/{job_id}", headers=world.headers("county_a")).json()
    assert job["status"] == JobStatus.SUCCEEDED, job
    assert job["download_url"] == f"/api/v1/reports/jobs/{job_id}/file"
    file = client.get(job["download_url"], headers=world.headers("county_a"))
    assert file.status_code == 200
    assert file.headers["content-type"] == render.XLSX_MEDIA_TYPE
    sheets = workbook.read_xlsx_values(file.content)
    live = client.get(
        "/api/v1/reports/annex9", params={"as_of": AS_OF.isoformat()}, headers=world.headers("county_a")
    ).json()
    table = live["tables"][0]
    keys = [c["key"] for c in table["columns"]]
    assert {row[0] for row in sheets["annex9"]} == {"蒙城县总工会", "合计"}  # the requester's scope only
    for sheet_row, row in zip(sheets["annex9"], [*table["rows"], table["total"]], strict=True):
        for cell, key in zip(sheet_row[2:], keys, strict=True):
            want = row["values"][key]
            assert (cell is None and want is None) or Decimal(str(cell)).quantize(Decimal("0.01")) == Decimal(
                str(want)
            ).quantize(Decimal("0.01"))
    # the other county's staff cannot see or fetch it
    assert client.get(f"/api/v1/reports/jobs/{job_id}", headers=world.headers("county_b")).status_code == 404
    assert client.get(job["download_url"], headers=world.headers("county_b")).status_code == 404
    # running the task again leaves the finished job as it is
    again = service.run_job(db, job_id=job_id)
    assert again is not None and again.sha256 == job["sha256"]


def test_a_report_file_is_kept_encrypted_and_private_and_served_decrypted(
    client: TestClient, world: World, db: Session, generated: Expected
) -> None:
    made = [
        client.post(
            "/api/v1/reports/jobs",
            json={"report": "annex7", "format": "csv", "as_of": AS_OF.isoformat()},
            headers=world.headers(key),
        ).json()["id"]
        for key in ("county_a", "county_b")
    ]
    db.expire_all()
    ours, theirs = (db.get(ReportJob, job_id) for job_id in made)
    assert ours is not None and ours.file_path and theirs is not None and theirs.file_path
    path = Path(ours.file_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert "蒙城县".encode() not in raw and "县区".encode() not in raw and not raw.startswith(b"\xef\xbb\xbf")
    file = client.get(f"/api/v1/reports/jobs/{ours.id}/file", headers=world.headers("county_a"))
    assert file.status_code == 200 and "蒙城县" in file.content.decode("utf-8-sig")
    assert hashlib.sha256(file.content).hexdigest() == ours.sha256
    # another county's file copied over this one does not open as this job's
    path.write_bytes(Path(theirs.file_path).read_bytes())
    swapped = client.get(f"/api/v1/reports/jobs/{ours.id}/file", headers=world.headers("county_a"))
    assert swapped.status_code == 404 and "重新生成" in swapped.json()["detail"]


def test_a_job_not_built_yet_cannot_be_downloaded(client: TestClient, world: World, db: Session) -> None:

    job = ReportJob(
        org_unit_id=world.orgs["BZ-MC"],
        requested_by_id=world.users["county_a"],
        report="annex7",
        file_format="csv",
        params={"as_of": AS_OF.isoformat()},
        scope_ids=[world.orgs["BZ-MC"]],
        status=JobStatus.QUEUED,
    )
    db.add(job)
    db.commit()
    resp = client.get(f"/api/v1/reports/jobs/{job.id}/file", headers=world.headers("county_a"))
    assert resp.status_code == 409
    assert resp.json()["detail"] == "报表尚未生成完成，请稍后再下载"


def test_the_beat_task_freezes_the_stage_report_on_its_due_date(db: Session, world: World, generated: Expected) -> None:
    from sqlalchemy import select

    from services import queue
    from services.reports.models import ReportSnapshot

    before = queue.send_now("sunshine.reports.stage_snapshots", today="2023-08-28").get()
    assert before == {"snapshots": []}
    made = queue.send_now("sunshine.reports.stage_snapshots", today=AS_OF.isoformat()).get()
    assert len(made["snapshots"]) == 1
    again = queue.send_now("sunshine.reports.stage_snapshots", today=AS_OF.isoformat()).get()
    assert again == {"snapshots": []}
    labels = list(db.scalars(select(ReportSnapshot.label)))
    assert labels == ["2023年阶段性情况报告（截至8月29日）"]
