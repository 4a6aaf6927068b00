"""After real work on PostgreSQL and Redis, nothing keeps the seeded ID numbers, bank cards or phones in plaintext:
not the database (pg_dump), not the data directory, not the Redis keys or values.

Each cycle in CYCLES does a piece of work through the services, in one committed transaction, and returns the
plaintexts it handled; a domain adds its cycle with ``@cycle``: a bank export, a registry import's whole life (a
dry run, a failed job, a stuck job swept, a done job), aid attachments and a generated report. The files the
service left behind must also be readable by the service's own account only (mode 0600). A value stored as bytes
shows in pg_dump as hex, so the dump is searched for each plaintext in both forms.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid import service as aid
from services.config import get_settings
from services.db import utcnow
from services.errors import Unauthorized
from services.registry import importer, sheets
from services.registry.models import ImportJob, ImportStatus
from services.reports import service as reports
from services.reports.models import JobStatus
from services.security import service as security
from services.security import throttle
from services.security.models import User
from tests.aid import factories as f
from tests.conftest import _HASH, World, create_pg_database, drop_pg_database
from tests.registry import factories as registry_factories

Cycle = Callable[[Session, World], list[str]]
CYCLES: list[Cycle] = []
AFTER_NOTICE = date(2023, 10, 20)


def cycle(fn: Cycle) -> Cycle:
    CYCLES.append(fn)
    return fn


@cycle
def bank_export(session: Session, world: World) -> list[str]:
    """An award noticed, paid, batched, exported to the bank and settled from the bank's result file."""
    f.setup_year(session, world)
    award, seeded = f.approved_award(session, world)
    f.noticed(session, world, [award])
    county = f.principal(session, world, "county_a")
    answer = aid.request_payment(
        session, principal=county, award_id=award.id, idempotency_key="at-rest-000001", today=AFTER_NOTICE
    )
    assert answer.status_code == 201, answer.body
    batch = aid.create_batch(session, principal=county, county_org_id=world.orgs["BZ-MC"], year=f.YEAR)
    gateway = bankmod.FileBankGateway()
    submission = aid.export_batch(session, principal=county, batch_id=batch.id, gateway=gateway)
    assert seeded.card.encode() in submission.content  # the bank gets the full number, the disk does not
    results = [
        bankmod.BankResult(
            reference=line.split(",")[0], amount=award.amount, outcome=bankmod.BankOutcome.SUCCEEDED, message=""
        )
        for line in submission.content.decode("utf-8-sig").splitlines()[1:]
    ]
    aid.import_results(
        session, principal=county, batch_id=batch.id, content=bankmod.render_results(results), gateway=gateway
    )
    return [seeded.student_no, seeded.worker_no, seeded.card, seeded.phone]


@cycle
def failed_logins(session: Session, world: World) -> list[str]:
    """People who type their ID number or phone as the username: the throttle keeps only a keyed hash."""
    typed = [f.resident_id(), f.phone()]
    for name in typed:
        with pytest.raises(Unauthorized):
            security.authenticate(session, username=name, password="wrong-password-1", address="203.0.113.5")
    return typed


FAMILY_FIELDS = sheets.SHEET_FIELDS[sheets.SHEET_FAMILIES]


def _csv(rows: list[dict[str, Any]]) -> bytes:
    lines = [",".join(field.column for field in FAMILY_FIELDS)]
    lines += [",".join(str(row.get(field.key) or "") for field in FAMILY_FIELDS) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _personal(rows: list[dict[str, Any]]) -> list[str]:
    return [str(row[key]) for row in rows for key in ("id_number", "phone", "bank_card") if row.get(key)]


@cycle
def import_jobs(session: Session, world: World) -> list[str]:
    """A county sheet's whole life: a dry run run for real (done), a failed job, a job stuck and swept."""
    principal = importer.principal_of(session, user_id=world.users["county_a"], org_unit_id=world.orgs["BZ-MC"])

    def job(rows: list[dict[str, Any]], *, dry_run: bool) -> ImportJob:
        made = importer.create_job(
            session,
            principal=principal,
            filename="families.csv",
            content=_csv(rows),
            org_unit_id=world.orgs["BZ-MC"],
            dry_run=dry_run,
            good_rows_only=False,
        )
        session.info.pop("pending_tasks", None)  # run here, in this transaction
        return made

    good = [registry_factories.family_fields() for _ in range(3)]
    dry = job(good, dry_run=True)
    importer.start(session, job_id=dry.id)
    importer.run(session, job_id=dry.id)
    assert dry.status == ImportStatus.SUCCEEDED and dry.content is not None, dry.errors

    bad = [registry_factories.family_fields(), registry_factories.family_fields(hardship_category="特别困难")]
    failed = job(bad, dry_run=False)
    importer.start(session, job_id=failed.id)
    importer.run(session, job_id=failed.id)
    assert failed.status == ImportStatus.FAILED and failed.content is not None  # kept for its error workbook

    stuck_rows = [registry_factories.family_fields() for _ in range(2)]
    stuck = job(stuck_rows, dry_run=False)
    importer.start(session, job_id=stuck.id)
    long_ago = utcnow() - timedelta(seconds=importer.TIME_LIMIT_SECONDS + 600)
    session.execute(update(ImportJob).where(ImportJob.id == stuck.id).values(updated_at=long_ago))
    assert importer.sweep_stuck(session) == [stuck.id]
    session.refresh(stuck)
    assert stuck.status == ImportStatus.FAILED

    done = importer.rerun(session, principal=principal, job=dry, good_rows_only=False)
    session.info.pop("pending_tasks", None)
    importer.start(session, job_id=done.id)
    importer.run(session, job_id=done.id)
    assert done.status == ImportStatus.SUCCEEDED and done.created == 3 and done.content is None
    return _personal(good + bad + stuck_rows)


@cycle
def aid_attachments(session: Session, world: World) -> list[str]:
    """Scans of the papers (an ID card, a bank card) uploaded to an application and downloaded by its county."""
    f.setup_year(session, world, year=f.YEAR + 1)
    _, seeded = f.seeded_student(session, world)
    county = f.principal(session, world, "county_a")
    app = aid.submit_application(session, principal=county, data=f.application_input(seeded, year=f.YEAR + 1))
    scan = f.PDF + f"身份证号 {seeded.worker_no} 银行卡号 {seeded.card} 电话 {seeded.phone}".encode()
    row = aid.upload_attachment(
        session, principal=county, application_id=app.id, kind="worker_id_card", filename="id.pdf", content=scan
    )
    assert aid.attachment_file(session, principal=county, attachment_id=row.id)[1] == scan
    return [seeded.student_no, seeded.worker_no, seeded.card, seeded.phone]


@cycle
def report_file(session: Session, world: World) -> list[str]:
    """A report built by the worker and kept for download."""
    city = f.principal(session, world, "city")
    job = reports.create_job(session, principal=city, report="annex7", file_format="xlsx", as_of=date(2023, 8, 29))
    session.info.pop("pending_tasks", None)
    reports.run_job(session, job_id=job.id)
    assert job.status == JobStatus.SUCCEEDED and job.file_path, job.error
    return []


def _world(session: Session) -> World:
    local = World()
    for code, uid in session.execute(text("SELECT code, id FROM org_unit")):
        local.orgs[code] = uid
    for key, role, org in [
        ("admin", "admin", "BZ"),
        ("city", "union_city", "BZ"),
        ("county_a", "union_county", "BZ-MC"),
        ("counselor_a", "counselor", "BZ-MC"),
        ("county_b", "union_county", "BZ-GY"),
    ]:
        user = User(
            username=f"r_{key}",
            display_name=key,
            password_hash=_HASH,
            role=role,
            org_unit_id=local.orgs[org],
            token_version=1,
        )
        session.add(user)
        session.flush()
        local.users[key] = user.id
        local.roles[key] = role
    return local


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_no_plaintext_in_pg_dump_data_dir_or_redis(
    pg_server_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    from services import migrate
    from services.db import make_engine
    from services.orgs import service as orgs

    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed")
    data_dir = tmp_path / "data"
    monkeypatch.setattr(get_settings(), "data_dir", data_dir)
    conn = redis.Redis.from_url(redis_url)
    conn.flushdb()
    monkeypatch.setattr(throttle, "get_counter", lambda: throttle.RedisCounter(conn))
    name, url = create_pg_database(pg_server_url)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            orgs.load_tree(session, rows=orgs.read_tree())
        with Session(engine) as session, session.begin():
            world = _world(session)
        secrets: list[str] = []
        for work in CYCLES:
            with Session(engine) as session, session.begin():
                secrets += work(session, world)
        assert len(secrets) >= 30

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        dump = subprocess.run(["pg_dump", "--data-only", plain], capture_output=True, text=True, check=True).stdout
        assert "aid_payment" in dump
        assert [s for s in secrets if s in dump or s.encode().hex() in dump] == [], "plaintext in pg_dump"

        files = _files(data_dir)
        assert files, "the cycles kept no file at all (bank results, attachments)"
        on_disk = [(p.name, s) for p in files for s in secrets if s.encode() in p.read_bytes()]
        assert on_disk == [], "plaintext in the data directory"
        wide = [p.name for p in files if stat.S_IMODE(p.stat().st_mode) != 0o600]
        assert wide == [], "files readable by other accounts"

        with Session(engine) as session:
            refused = session.execute(
                text("SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome = 'denied'")
            ).scalar_one()
        assert refused == 2, "each failed login is on the audit record"

        keys = list(conn.scan_iter("*"))
        assert any(k.startswith(b"sunshine:login:user:") for k in keys)
        stored = b"\n".join(keys + [conn.get(k) or b"" for k in keys if conn.type(k) == b"string"])
        assert [s for s in secrets if s.encode() in stored] == [], "plaintext in Redis"
    finally:
        conn.flushdb()
        engine.dispose()
        drop_pg_database(pg_server_url, name)
