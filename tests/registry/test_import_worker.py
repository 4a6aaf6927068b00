"""A real Celery worker on Redis killed (kill -9) in the middle of an import: the broker hands the task to the next
worker after the visibility timeout, and the job ends imported exactly once — never stuck "running"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.config import get_settings
from services.db import get_sessionmaker
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from services.registry import importer
from services.registry.models import Family, ImportJob, ImportStatus
from services.security.models import Role
from services.security.principal import Principal
from tests.foundation.test_queue import redis_settings  # noqa: F401 - fixture
from tests.registry import factories
from tests.registry.test_import import workbook

VISIBILITY = 5
ROWS = 3000


@pytest.fixture
def short_visibility(
    redis_settings: dict[str, str],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    env = {
        **redis_settings,
        "SUNSHINE_BROKER_VISIBILITY_SECONDS": str(VISIBILITY),
        "SUNSHINE_DATA_DIR": str(tmp_path / "data"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jobs.app",
            "worker",
            "--pool=solo",
            "-l",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def job_state(job_id: int) -> tuple[str, int, int]:
    with get_sessionmaker()() as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        families = session.scalar(select(func.count()).select_from(Family)) or 0
        return job.status, job.attempts, families


@pytest.mark.slow
def test_a_worker_killed_mid_import_leaves_the_job_done_once(short_visibility: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "workers.log"
    content = workbook([factories.family_fields() for _ in range(ROWS)])
    with get_sessionmaker()() as session:
        orgs_service.load_tree(session, rows=orgs_service.read_tree())
        org = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "BZ-MC"))
        assert org is not None
        principal = Principal(user_id=0, username="system", role=Role.UNION_CITY, org_unit_id=org, scope=None)
        job = importer.create_job(
            session,
            principal=principal,
            filename="big.xlsx",
            content=content,
            org_unit_id=org,
            dry_run=False,
            good_rows_only=False,
        )
        job_id = job.id
        session.commit()  # the task is sent now

    first = start_worker(short_visibility, log)
    try:
        deadline = time.monotonic() + 120
        while job_state(job_id)[0] == ImportStatus.QUEUED and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        status, attempts, families = job_state(job_id)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9, mid-import
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert (status, attempts, families) == (ImportStatus.RUNNING, 1, 0), log.read_text()

    time.sleep(VISIBILITY + 1)  # the broker hands the unacknowledged task on after its visibility timeout
    second = start_worker(short_visibility, log)
    try:
        deadline = time.monotonic() + 240
        while job_state(job_id)[0] not in importer.FINISHED and time.monotonic() < deadline:
            time.sleep(0.5)
        status, attempts, families = job_state(job_id)
        assert (status, attempts, families) == (ImportStatus.SUCCEEDED, 2, ROWS), log.read_text()[-4000:]
        time.sleep(VISIBILITY + 2)  # a later redelivery, if any, changes nothing
        assert job_state(job_id) == (ImportStatus.SUCCEEDED, 2, ROWS)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
