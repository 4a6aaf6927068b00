"""Spreadsheet import of the registry: 档案 (附件3/4), 家庭成员 and 学生毕业生 sheets, xlsx or csv.

One code path for the dry run and the real run: every row is read, cleaned (``services.registry.forms``),
checked for duplicates inside the file and against the database, then — unless an all-or-nothing run found
errors — written inside a savepoint that a dry run rolls back. Upserts are keyed on the ID blind index and
compare blind indexes and values, so the same file imported twice changes nothing. Each error names the sheet,
row, column, a code and a Chinese reason, with sensitive values masked.
"""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import utcnow
from services.errors import NotFound, PayloadTooLarge, ValidationFailed
from services.orgs import service as orgs
from services.queue import enqueue
from services.registry import access, sheets
from services.registry.import_rows import Progress, Report
from services.registry.import_run import Importer
from services.registry.models import ImportJob, ImportStatus
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import scoped

log = logging.getLogger(__name__)
TASK_NAME = "sunshine.registry.import_sheet"


def principal_of(session: Session, *, user_id: int | None, org_unit_id: int) -> Principal:
    """The scope the import runs under: its uploader's (all for city staff and admin)."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        return Principal(
            user_id=0,
            username="system",
            role=Role.UNION_COUNTY,
            org_unit_id=org_unit_id,
            scope=orgs.subtree_ids(session, org_unit_id=org_unit_id),
        )
    scope = (
        None
        if user.role in {Role.UNION_CITY, Role.ADMIN}
        else orgs.subtree_ids(session, org_unit_id=user.org_unit_id or org_unit_id)
    )
    return Principal(user_id=user.id, username=user.username, role=user.role, org_unit_id=user.org_unit_id, scope=scope)


def create_job(
    session: Session,
    *,
    principal: Principal,
    filename: str,
    content: bytes,
    org_unit_id: int | None,
    dry_run: bool,
    good_rows_only: bool,
) -> ImportJob:
    """Store the upload and enqueue its run (after commit). A file that is not a readable, safe spreadsheet is
    refused at once."""
    access.require_staff(principal)
    org_id = access.default_org(principal, org_unit_id)
    access.check_org_in_scope(session, principal=principal, org_unit_id=org_id)
    limit = get_settings().max_upload_bytes
    if len(content) > limit:
        raise PayloadTooLarge(f"上传文件不得超过 {limit // (1024 * 1024)} MB")
    if not content:
        raise ValidationFailed("上传的文件是空的", field="file")
    try:
        file_format = sheets.sniff_format(filename, content)
        if file_format == "xlsx":
            sheets.check_xlsx(content)
    except sheets.SheetError as exc:
        raise ValidationFailed(exc.reason, field="file") from exc
    job = ImportJob(
        org_unit_id=org_id,
        created_by_id=principal.user_id,
        kind="registry",
        filename=(filename or "upload")[-200:],
        file_format=file_format,
        content=content,
        size_bytes=len(content),
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        status=ImportStatus.QUEUED,
        errors=[],
    )
    session.add(job)
    session.flush()
    enqueue(session, TASK_NAME, job.id)
    return job


def get_job(session: Session, *, principal: Principal, job_id: int) -> ImportJob:
    access.require_staff(principal)
    job = session.get(ImportJob, job_id)
    if job is None or not principal.covers(job.org_unit_id):
        raise NotFound(f"编号为 {job_id} 的导入任务不存在或不在您的管辖范围内")
    return job


def list_jobs(session: Session, *, principal: Principal, limit: int, offset: int) -> list[ImportJob]:
    access.require_staff(principal)
    stmt = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=ImportJob.org_unit_id)
    return list(session.scalars(stmt))


def rerun(session: Session, *, principal: Principal, job: ImportJob, good_rows_only: bool) -> ImportJob:
    """Run for real the file a dry run checked (the same bytes, the same code path)."""
    if job.content is None:
        raise ValidationFailed("该导入任务的文件已不存在，请重新上传", field="job_id")
    new = create_job(
        session,
        principal=principal,
        filename=job.filename,
        content=job.content,
        org_unit_id=job.org_unit_id,
        dry_run=False,
        good_rows_only=good_rows_only,
    )
    new.source_job_id = job.id
    session.flush()
    return new


def start(session: Session, *, job_id: int) -> bool:
    """Mark a queued job running; False when it already ran (a redelivered task returns early)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.status not in {ImportStatus.QUEUED}:
        return False
    job.status = ImportStatus.RUNNING
    job.started_at = utcnow()
    session.flush()
    return True


def publish_progress(session: Session, *, job_id: int, read: int, written: int) -> None:
    """Record how far a running job has got (called from its own short transaction)."""
    job = session.get(ImportJob, job_id)
    if job is not None and job.status == ImportStatus.RUNNING:
        job.rows_total, job.rows_done = read, written
        session.flush()


def run(session: Session, *, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run one import job (dry or real) to the end and store its report on the job."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"编号为 {job_id} 的导入任务不存在")
    if job.status in {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL, ImportStatus.FAILED, ImportStatus.ERROR}:
        return job
    job.started_at = job.started_at or utcnow()
    principal = principal_of(session, user_id=job.created_by_id, org_unit_id=job.org_unit_id)
    report = Report()
    try:
        Importer(session, job=job, principal=principal, report=report, progress=progress).execute()
    except sheets.SheetError as exc:
        job.status = ImportStatus.ERROR
        job.message = exc.reason
        report.add(sheet="", row=0, column="", code=exc.code, reason=exc.reason)
    except IntegrityError:
        log.exception("import job %s hit a database conflict", job_id)
        job.status = ImportStatus.ERROR
        job.message = "写入时与其他操作冲突（可能有人同时导入了相同人员），未写入任何数据，请重新导入"
    job.rows_total = report.rows_total
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.error_count = report.error_count
    job.skipped = len(report.bad)
    job.errors = report.errors
    job.finished_at = utcnow()
    if not job.dry_run and job.status in {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL}:
        job.content = None  # imported: the upload itself need not be kept (a dry run keeps it for the real run)
    session.flush()
    return job
