"""Spreadsheet import of the registry: 档案 (附件3/4), 家庭成员 and 学生毕业生 sheets, xlsx or csv.

One code path for the dry run and the real run: every row is read, cleaned (``services.registry.forms``),
checked for duplicates inside the file and against the database, then — unless an all-or-nothing run found
errors — written inside a savepoint that a dry run rolls back. Upserts are keyed on the ID blind index and
compare blind indexes and values, so the same file imported twice changes nothing. Each error names the sheet,
row, column, a code and a Chinese reason, with sensitive values masked.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import utcnow
from services.errors import NotFound, PayloadTooLarge, ValidationFailed
from services.orgs import service as orgs
from services.queue import enqueue
from services.registry import access, errorbook, mappings, sheets, uploads
from services.registry.import_rows import Progress, Report
from services.registry.import_run import Importer
from services.registry.models import ImportJob, ImportStatus
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import scoped

log = logging.getLogger(__name__)
TASK_NAME = "sunshine.registry.import_sheet"
TIME_LIMIT_SECONDS = 1700  # the task's hard limit; the stuck-job sweep waits this long plus a margin
MAX_ATTEMPTS = 3  # runs started for one job (the first and two redeliveries) before it is given up
ANALYZE_AFTER_ROWS = 5000  # a real run that wrote this many rows refreshes the planner's statistics
FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.PARTIAL, ImportStatus.FAILED, ImportStatus.ERROR})
EXISTING_RULES = frozenset({"update", "skip"})


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
    existing: str = "update",
) -> ImportJob:
    """Store the upload (encrypted for this job alone) and enqueue its run (after commit). A file that is not a
    readable, safe spreadsheet is refused at once. ``existing``: a person already registered is updated from
    the sheet (``update``) or left as they are (``skip``)."""
    access.require_staff(principal)
    org_id = access.default_org(principal, org_unit_id)
    access.check_org_in_scope(session, principal=principal, org_unit_id=org_id)
    if existing not in EXISTING_RULES:
        raise ValidationFailed("已登记人员的处理方式只能是 update（更新）或 skip（跳过）", field="existing")
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
        created_by_id=principal.user_id or None,  # 0: the system, no account
        kind="registry",
        filename=(filename or "upload")[-200:],
        file_format=file_format,
        content=None,
        size_bytes=len(content),
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        existing=existing,
        status=ImportStatus.QUEUED,
        errors=[],
        unmapped=[],
        attempts=0,
    )
    session.add(job)
    session.flush()
    job.content = uploads.seal(job.id, content)
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


def _upload_of(job: ImportJob) -> bytes:
    try:
        return uploads.open_sealed(job.id, job.content)
    except uploads.UploadGone as exc:
        raise ValidationFailed("该导入任务的文件已不存在，请重新上传", field="job_id") from exc


def rerun(
    session: Session,
    *,
    principal: Principal,
    job: ImportJob,
    good_rows_only: bool,
    dry_run: bool = False,
    existing: str | None = None,
) -> ImportJob:
    """Run again the file a finished job checked (the same bytes, the same code path): for real, or as a new
    dry run after the clerk confirmed option wordings. The upload moves to the new job: it is kept once."""
    if job.status not in FINISHED:
        raise ValidationFailed("该导入任务尚未结束，请等它结束后再操作", field="job_id")
    content = _upload_of(job)
    new = create_job(
        session,
        principal=principal,
        filename=job.filename,
        content=content,
        org_unit_id=job.org_unit_id,
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        existing=existing or job.existing,
    )
    new.source_job_id = job.id
    job.content = None
    session.flush()
    return new


def confirm_mappings(
    session: Session,
    *,
    principal: Principal,
    job: ImportJob,
    choices: Sequence[mappings.Choice],
    recheck: bool = True,
) -> ImportJob | None:
    """The clerk's one step: remember the chosen options for the job's org and (by default) check the same file
    again with them, as a new dry run. Returns that new job."""
    mappings.confirm(session, principal=principal, job=job, choices=choices)
    if not recheck:
        return None
    return rerun(session, principal=principal, job=job, good_rows_only=job.good_rows_only, dry_run=True)


def error_workbook(*, principal: Principal, job: ImportJob) -> bytes:
    """The uploaded sheet with each bad cell highlighted and its reason in a comment, made on demand (the job
    comes from ``get_job``, which checked the caller's scope)."""
    access.require_staff(principal)
    if job.status not in FINISHED:
        raise ValidationFailed("该导入任务尚未结束", field="job_id")
    if not job.errors:
        raise ValidationFailed("该导入任务没有发现错误", field="job_id")
    return errorbook.build(_upload_of(job), file_format=job.file_format, errors=job.errors)


def start(session: Session, *, job_id: int) -> bool:
    """Mark a job running (compare-and-set, counting the attempt); False when it has finished already.

    The caller holds the job's run lock (``jobs.locks``), so a job found "running" was left by a worker that is
    gone: it runs again — its earlier attempt wrote nothing, since a run commits once at its end — unless it has
    used up its attempts, in which case it is failed."""
    job = session.get(ImportJob, job_id, with_for_update=True)
    if job is None or job.status in FINISHED:
        return False
    if job.attempts >= MAX_ATTEMPTS:
        fail(
            session,
            job_id=job_id,
            message=f"后台进程在导入中途退出，重试 {job.attempts} 次仍未完成，未写入任何数据，请重新上传或联系管理员",
        )
        return False
    job.status = ImportStatus.RUNNING
    job.attempts += 1
    job.started_at = utcnow()
    session.flush()
    return True


def fail(session: Session, *, job_id: int, message: str) -> None:
    """End a job as failed with a message a clerk understands; its upload is kept for the retention period."""
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status.not_in(list(FINISHED)))
        .values(status=ImportStatus.FAILED, message=message[:300], finished_at=utcnow())
    )
    session.flush()


def publish_progress(session: Session, *, job_id: int, read: int, written: int) -> None:
    """Record how far a running job has got (called from its own short transaction)."""
    job = session.get(ImportJob, job_id)
    if job is not None and job.status == ImportStatus.RUNNING:
        job.rows_total, job.rows_done = read, written
        session.flush()


def _broken_message(exc: BaseException, at: tuple[str, int] | None) -> str:
    where = f"在处理工作表“{at[0]}”第 {at[1]} 行时" if at else ""
    return f"导入{where}出错（{exc.__class__.__name__}），未写入任何数据；请核对该行后重新上传，或联系管理员"[:300]


def run(session: Session, *, job_id: int, progress: Progress | None = None) -> ImportJob:
    """Run one import job (dry or real) to the end and store its report on the job. Nothing half-done is left:
    an error of any kind ends the job failed, naming the row it was on, with nothing written."""
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"编号为 {job_id} 的导入任务不存在")
    if job.status in FINISHED:
        return job
    job.started_at = job.started_at or utcnow()
    principal = principal_of(session, user_id=job.created_by_id, org_unit_id=job.org_unit_id)
    report = Report()
    importer: Importer | None = None
    guard = session.begin_nested()
    try:
        content = uploads.open_sealed(job.id, job.content)
        session.expire(job, ["content"])  # the ciphertext need not stay in memory during the run
        importer = Importer(session, job=job, content=content, principal=principal, report=report, progress=progress)
        del content  # the importer drops it once the sheets are read
        importer.execute()
        guard.commit()
    except sheets.SheetError as exc:
        guard.rollback()
        job.status = ImportStatus.ERROR
        job.message = exc.reason
        report.add(sheet="", row=0, column="", code=exc.code, reason=exc.reason)
    except uploads.UploadGone:
        guard.rollback()
        job.status = ImportStatus.ERROR
        job.message = "上传的文件已不存在或无法解密，请重新上传"
    except IntegrityError:
        guard.rollback()
        log.exception("import job %s hit a database conflict", job_id)
        job.status = ImportStatus.ERROR
        job.message = "写入时与其他操作冲突（可能有人同时导入了相同人员），未写入任何数据，请重新导入"
    except OperationalError:
        guard.rollback()
        raise  # the database went away: the task retries the job (its attempt is counted)
    except Exception as exc:
        guard.rollback()
        log.exception("import job %s broke", job_id)
        job.status = ImportStatus.FAILED
        job.message = _broken_message(exc, importer.at if importer is not None else None)
    job.rows_total = report.rows_total
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.error_count = report.error_count
    job.skipped = len(report.bad) + report.skipped_existing
    job.errors = report.errors
    job.finished_at = utcnow()
    if report.skipped_existing and job.message and job.status in {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL}:
        job.message = f"{job.message}；已登记的 {report.skipped_existing} 行按选择未改动"[:300]
    if job.status in {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL} and not job.dry_run:
        job.content = None  # imported: the upload itself is not kept
    session.flush()
    return job


def wants_analyze(job: ImportJob) -> bool:
    """A real run that wrote many rows: the planner's statistics are refreshed after its commit."""
    return not job.dry_run and job.created + job.updated >= ANALYZE_AFTER_ROWS


def sweep_stuck(session: Session, *, now: datetime | None = None) -> list[int]:
    """Fail every job still "queued" or "running" past its time limit (a task never sent, a worker lost and its
    redeliveries used up). Returns their ids."""
    cutoff = (now or utcnow()) - timedelta(seconds=TIME_LIMIT_SECONDS + 300)
    stmt = select(ImportJob.id).where(
        ImportJob.status.in_([ImportStatus.QUEUED, ImportStatus.RUNNING]),
        ImportJob.updated_at < cutoff,
    )
    ids = list(session.scalars(stmt))
    for job_id in ids:
        fail(session, job_id=job_id, message="导入超过时限仍未完成（后台任务中断），未写入任何数据，请重新上传")
    return ids


def purge_uploads(session: Session) -> int:
    """Delete the uploads of jobs that ended longer ago than ``import_upload_retention_hours`` (dry runs never
    run for real, failed jobs kept for their error workbook). Returns how many were deleted."""
    cutoff = utcnow() - timedelta(hours=get_settings().import_upload_retention_hours)
    result = session.execute(
        update(ImportJob)
        .where(ImportJob.content.is_not(None), ImportJob.status.in_(list(FINISHED)), ImportJob.finished_at < cutoff)
        .values(content=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
