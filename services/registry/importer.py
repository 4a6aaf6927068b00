"""Spreadsheet import of the registry: 档案 (附件3/4), 家庭成员 and 学生毕业生 sheets, xlsx or csv.

One code path for the dry run and the real run: every row is read, cleaned (``services.registry.forms``),
checked for duplicates inside the file and against the database, then — unless an all-or-nothing run found
errors — written inside a savepoint that a dry run rolls back. Upserts are keyed on the ID blind index and
compare blind indexes and values, so the same file imported twice changes nothing. Each error names the sheet,
row, column, a code and a Chinese reason, with sensitive values masked.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from openpyxl.utils import get_column_letter
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import utcnow
from services.errors import NotFound, PayloadTooLarge, ValidationFailed
from services.orgs import service as orgs
from services.queue import enqueue
from services.refdata.enums import Vocabularies, vocabularies
from services.registry import access, forms, graduates, majors, sheets, writes
from services.registry import families as family_rules
from services.registry.models import (
    Family,
    FamilyMember,
    FamilyStatus,
    Graduate,
    ImportJob,
    ImportStatus,
    RegistryChange,
    Stage,
)
from services.security import pii
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import scoped

log = logging.getLogger(__name__)
TASK_NAME = "sunshine.registry.import_sheet"
ERROR_CAP = 2000
CHUNK = 500
PROGRESS_EVERY = 2000

Progress = Callable[[int, int], None]  # (rows read so far, rows written so far)


@dataclass(slots=True)
class Row:
    sheet: str
    number: int
    data: dict[str, Any]
    bidx: str  # the person's ID blind index
    head_bidx: str | None  # 家庭成员: the head's; 学生毕业生: the family head's, when given
    columns: dict[str, str]  # field key → column as written (shared by the rows of a sheet)
    letters: dict[str, str]  # field key → column letter
    sealed: dict[str, pii.Sealed] = field(default_factory=dict)  # sensitive values, sealed while reading


@dataclass
class Report:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    bad: set[tuple[str, int]] = field(default_factory=set)
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(
        self, *, sheet: str, row: int, column: str, code: str, reason: str, value: str = "", cell: str = ""
    ) -> None:
        self.error_count += 1
        self.bad.add((sheet, row))
        if len(self.errors) < ERROR_CAP:
            self.errors.append(
                {
                    "sheet": sheet,
                    "row": row,
                    "column": column,
                    "cell": cell,
                    "code": code,
                    "reason": reason,
                    "value": value,
                }
            )

    def row_error(self, row: Row, key: str, code: str, reason: str, value: str = "") -> None:
        letter = row.letters.get(key, "")
        self.add(
            sheet=row.sheet,
            row=row.number,
            column=row.columns.get(key, key),
            code=code,
            reason=reason,
            value=value,
            cell=f"{letter}{row.number}" if letter else "",
        )

    def count(self, outcome: str) -> None:
        if outcome == "created":
            self.created += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.unchanged += 1


# ------------------------------------------------------------------------------------------------ jobs


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


# ------------------------------------------------------------------------------------------------ cleaning

BATCH = 1000  # rows cleaned together (in a worker process for big sheets)
POOL_WORKERS = 2
_WORKER: dict[str, Any] = {}  # what forked workers inherit: the enumerations of the run
SENSITIVE = {
    sheets.SHEET_FAMILIES: forms.FAMILY_SENSITIVE,
    sheets.SHEET_MEMBERS: forms.MEMBER_SENSITIVE,
    sheets.SHEET_GRADUATES: forms.GRADUATE_SENSITIVE,
}


KEEP_PLAIN = frozenset({"id_number", "monthly_income", "other_annual_income"})  # read again when writing


def parallel_allowed() -> bool:
    """Forking is safe in a single-threaded, non-daemon process (a command, the benchmark, the demo builder);
    an API process (threads) and Celery's prefork children (daemons) clean in-process."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
        and threading.active_count() == 1
        and (os.cpu_count() or 1) > 1
    )


@dataclass(slots=True)
class Cleaned:
    number: int
    data: dict[str, Any]
    problems: list[forms.Problem]
    bidx: str = ""
    head_bidx: str | None = None
    sealed: dict[str, pii.Sealed] = field(default_factory=dict)


def clean_rows(
    kind: str, rows: Sequence[tuple[int, dict[str, object]]], vocab: Vocabularies | None = None
) -> list[Cleaned]:
    """Clean a batch of rows of one sheet and seal their sensitive values (in a worker or in-process)."""
    voc: Vocabularies = vocab if vocab is not None else _WORKER["vocab"]
    return [clean_row(kind, number, raw, voc) for number, raw in rows]


def clean_row(kind: str, number: int, raw: dict[str, object], vocab: Vocabularies) -> Cleaned:
    head: Any = None
    if kind == sheets.SHEET_FAMILIES:
        data, problems = family_rules.clean_family(raw, vocab)
    elif kind == sheets.SHEET_MEMBERS:
        head_raw = raw.pop("head_id_number", None)
        data, problems = family_rules.clean_member(raw, vocab)
        head_data = forms.clean((forms.HEAD_ID_FIELD,), {"head_id_number": head_raw}, vocab, problems)
        head = head_data.get("head_id_number")
    else:
        data, problems = graduates.clean_graduate(raw, vocab)
        head = data.get("family_head_id_number")
    if problems:
        return Cleaned(number, data, problems.items)
    sealed = {
        key: pii.seal(pii_kind, text)
        for key, pii_kind in SENSITIVE[kind].items()
        if (text := writes.sealed_text(data.get(key))) is not None
    }
    for key in sealed:
        if key not in KEEP_PLAIN:  # sealed already: the plaintext need not stay in memory until the write
            data[key] = ""
    data["id_number_masked"] = sealed["id_number"].masked
    head_bidx = writes.id_index(head.number) if head is not None else None
    return Cleaned(number, data, [], sealed["id_number"].blind_index, head_bidx, sealed)


# ------------------------------------------------------------------------------------------------ the run


class Importer:
    def __init__(
        self, session: Session, *, job: ImportJob, principal: Principal, report: Report, progress: Progress | None
    ) -> None:
        self.session = session
        self.job = job
        self.principal = principal
        self.report = report
        self.progress = progress
        self.vocab: Vocabularies = vocabularies(session)
        self.employed = self.vocab["work_status"].codes_with("employed")
        self.actor = writes.Actor(job.created_by_id, principal.role if job.created_by_id else None)
        self.source = f"import:{job.id}"
        self.rows: dict[str, list[Row]] = {k: [] for k in sheets.SHEET_FIELDS}
        self.written = 0
        self.majors: dict[tuple[str | None, str | None], majors.ResolvedMajor | None] = {}
        self._pending: list[tuple[str, Family | FamilyMember | Graduate, bool, dict[str, Any], int | None]] = []
        self._created: list[tuple[str, int, int | None, int]] = []  # (entity type, id, family id, org unit)
        self._pool: ProcessPoolExecutor | None = None
        self._batches = 0
        self.now = utcnow()

    # -------------------------------------------------------------------------------------- phase 1: read

    def execute(self) -> None:
        assert self.job.content is not None
        try:
            for table in sheets.read_tables(self.job.content, file_format=self.job.file_format, name=self.job.filename):
                self._read(table)
        finally:
            self.close()
        self._check_families()
        self._check_members()
        self._check_graduates()
        if self.report.bad and not self.job.good_rows_only:
            self.job.status = ImportStatus.FAILED
            self.job.message = f"发现 {self.report.error_count} 处错误，按“全部无误才导入”的规则未写入任何数据"
            return
        good = {k: [r for r in rows if (r.sheet, r.number) not in self.report.bad] for k, rows in self.rows.items()}
        savepoint = self.session.begin_nested()
        try:
            self._write_families(good[sheets.SHEET_FAMILIES], good[sheets.SHEET_MEMBERS])
            self._write_graduates(good[sheets.SHEET_GRADUATES])
            self.session.flush()
        except BaseException:
            savepoint.rollback()
            raise
        if self.job.dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        self.job.rows_done = self.written
        if self.report.bad:
            self.job.status = ImportStatus.PARTIAL
            verb = "可导入" if self.job.dry_run else "已导入"
            self.job.message = f"{verb}无误的行，跳过 {len(self.report.bad)} 行有误的行"
        else:
            self.job.status = ImportStatus.SUCCEEDED
            self.job.message = "试导入通过，未写入数据" if self.job.dry_run else "导入完成"

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.report.rows_total, self.written)

    def _read(self, table: sheets.Table) -> None:
        columns = {fld.key: head for _, fld, head in table.columns}
        letters = {fld.key: get_column_letter(i + 1) for i, fld, _ in table.columns}
        for fld in table.missing:
            self.report.add(
                sheet=table.sheet,
                row=table.header_row,
                column=fld.column,
                code="missing_column",
                reason=f"缺少必填列“{fld.column}”",
            )
        seen: dict[str, int] = {}
        pending: deque[Future[list[Cleaned]]] = deque()
        batch: list[tuple[int, dict[str, object]]] = []

        def accept(results: list[Cleaned]) -> None:
            for cleaned in results:
                self._accept(table, cleaned, columns, letters, seen)

        def submit() -> None:
            pool = self._pool_for_next_batch()
            if pool is None:
                accept(clean_rows(table.kind, batch, self.vocab))
            else:
                pending.append(pool.submit(clean_rows, table.kind, list(batch)))
                while len(pending) > 2 * POOL_WORKERS:
                    accept(pending.popleft().result())
            batch.clear()

        for number, values in table.rows:
            self.report.rows_total += 1
            if self.report.rows_total % PROGRESS_EVERY == 0:
                self._tick()
            if table.missing:
                self.report.bad.add((table.sheet, number))
                continue
            batch.append((number, {fld.key: (values[i] if i < len(values) else None) for i, fld, _ in table.columns}))
            if len(batch) >= BATCH:
                submit()
        if batch:
            submit()
        while pending:
            accept(pending.popleft().result())

    def _pool_for_next_batch(self) -> ProcessPoolExecutor | None:
        """Rows are cleaned and sealed in worker processes once a sheet proves big (from its second batch on),
        where processes may be forked; small sheets and Celery's daemon workers clean in-process."""
        self._batches += 1
        if self._pool is None and self._batches > 1 and parallel_allowed():
            _WORKER["vocab"] = self.vocab
            self._pool = ProcessPoolExecutor(max_workers=POOL_WORKERS, mp_context=multiprocessing.get_context("fork"))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            _WORKER.clear()

    def _accept(
        self,
        table: sheets.Table,
        cleaned: Cleaned,
        columns: dict[str, str],
        letters: dict[str, str],
        seen: dict[str, int],
    ) -> None:
        row = Row(table.sheet, cleaned.number, cleaned.data, cleaned.bidx, cleaned.head_bidx, columns, letters)
        row.sealed = cleaned.sealed
        for p in cleaned.problems:
            self.report.row_error(row, p.field, p.code, p.reason, p.value)
        if cleaned.problems:
            return
        first = seen.get(row.bidx)
        if first is not None:
            masked = row.data["id_number_masked"]
            self.report.row_error(row, "id_number", "duplicate_in_sheet", f"身份证号与本表第{first}行重复", masked)
            return
        seen[row.bidx] = row.number
        self.rows[table.kind].append(row)

    # -------------------------------------------------------------------------------------- phase 1: check

    def _chunks(self, rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
        for start in range(0, len(rows), CHUNK):
            yield rows[start : start + CHUNK]

    def _check_families(self) -> None:
        rows = self.rows[sheets.SHEET_FAMILIES]
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(keys))
                ).all()
            )
            members = set(
                self.session.scalars(select(FamilyMember.id_number_bidx).where(FamilyMember.id_number_bidx.in_(keys)))
            )
            for row in chunk:
                masked = row.data["id_number_masked"]
                if row.bidx in members:
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已登记为其他家庭的成员", masked
                    )
                elif row.bidx in heads and not self.principal.covers(heads[row.bidx]):
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已在您管辖范围以外的单位建档", masked
                    )

    def _check_members(self) -> None:
        rows = self.rows[sheets.SHEET_MEMBERS]
        family_rows = {r.bidx: r for r in self.rows[sheets.SHEET_FAMILIES]}
        for chunk in self._chunks(rows):
            heads_wanted = [r.head_bidx for r in chunk if r.head_bidx and r.head_bidx not in family_rows]
            db_heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(heads_wanted))
                ).all()
            )
            keys = [r.bidx for r in chunk]
            as_head = set(self.session.scalars(select(Family.id_number_bidx).where(Family.id_number_bidx.in_(keys))))
            as_member = dict(
                self.session.execute(
                    select(FamilyMember.id_number_bidx, Family.id_number_bidx)
                    .join(Family, Family.id == FamilyMember.family_id)
                    .where(FamilyMember.id_number_bidx.in_(keys))
                ).all()
            )
            for row in chunk:
                masked = row.data["id_number_masked"]
                head = row.head_bidx
                if head in family_rows:
                    if (family_rows[head].sheet, family_rows[head].number) in self.report.bad:
                        self.report.row_error(
                            row,
                            "head_id_number",
                            "family_row_invalid",
                            f"户主所在的档案行（第{family_rows[head].number}行）有误，本行一并未导入",
                        )
                        continue
                elif head not in db_heads or not self.principal.covers(db_heads[head]):
                    self.report.row_error(
                        row,
                        "head_id_number",
                        "no_family",
                        "户主身份证号未找到对应档案（本文件或您管辖范围内的系统档案）",
                    )
                    continue
                if row.bidx == head:
                    self.report.row_error(row, "id_number", "member_is_head", "家庭成员不能是户主本人", masked)
                elif row.bidx in family_rows or row.bidx in as_head:
                    self.report.row_error(
                        row,
                        "id_number",
                        "duplicate_in_database",
                        "该身份证号已作为户主建档，不能同时登记为家庭成员",
                        masked,
                    )
                elif row.bidx in as_member and as_member[row.bidx] != head:
                    self.report.row_error(
                        row, "id_number", "duplicate_in_database", "该身份证号已登记为其他家庭的成员", masked
                    )

    def _check_graduates(self) -> None:
        rows = self.rows[sheets.SHEET_GRADUATES]
        family_rows = {r.bidx: r for r in self.rows[sheets.SHEET_FAMILIES]}
        category = self.vocab["service_category"]
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            existing = dict(
                self.session.execute(
                    select(Graduate.id_number_bidx, Graduate.org_unit_id).where(Graduate.id_number_bidx.in_(keys))
                ).all()
            )
            heads_wanted = [r.head_bidx for r in chunk if r.head_bidx and r.head_bidx not in family_rows]
            db_heads = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.org_unit_id).where(Family.id_number_bidx.in_(heads_wanted))
                ).all()
            )
            for row in chunk:
                if row.bidx in existing and not self.principal.covers(existing[row.bidx]):
                    self.report.row_error(
                        row,
                        "id_number",
                        "duplicate_in_database",
                        "该身份证号已在您管辖范围以外的单位登记为学生/毕业生",
                        row.data["id_number_masked"],
                    )
                    continue
                head = row.head_bidx
                if head is not None:
                    in_file = (
                        head in family_rows
                        and (family_rows[head].sheet, family_rows[head].number) not in self.report.bad
                    )
                    in_db = head in db_heads and self.principal.covers(db_heads[head])
                    if not (in_file or in_db):
                        self.report.row_error(
                            row, "family_head_id_number", "no_family", "户主身份证号未找到对应的困难职工档案"
                        )
                        continue
                elif category.has_flag(row.data.get("service_category"), "family"):
                    name = category.name(row.data.get("service_category"))
                    self.report.row_error(
                        row,
                        "family_head_id_number",
                        "required",
                        f"服务对象“{name}”须关联建档家庭，请填写户主身份证号",
                    )

    # -------------------------------------------------------------------------------------- phase 2: write

    def _new(self, model: type[Family] | type[FamilyMember] | type[Graduate], **values: Any) -> SimpleNamespace:
        """A record to be inserted in bulk: every column present, so that one statement sends the whole chunk."""
        return SimpleNamespace(**{**_NULLS[model], "created_at": self.now, "updated_at": self.now, **values})

    def _insert(
        self, model: type[Family] | type[FamilyMember] | type[Graduate], records: list[dict[str, Any]]
    ) -> dict[str, int]:
        """Insert new records in one batch; returns their ids by ID blind index (unique in each table)."""
        if not records:
            return {}
        self.session.connection().execute(insert(cast(Table, model.__table__)), records)
        keys = [r["id_number_bidx"] for r in records]
        found = self.session.execute(select(model.id_number_bidx, model.id).where(model.id_number_bidx.in_(keys)))
        return dict(found.all())

    def _write_families(self, family_rows: Sequence[Row], member_rows: Sequence[Row]) -> None:
        by_head: dict[str, list[Row]] = {}
        for m in member_rows:
            by_head.setdefault(m.head_bidx or "", []).append(m)
        for chunk in self._chunks(family_rows):
            existing = {
                f.id_number_bidx: f
                for f in self.session.scalars(select(Family).where(Family.id_number_bidx.in_([r.bidx for r in chunk])))
            }
            new: list[dict[str, Any]] = []
            updated: list[tuple[Row, Family, dict[str, Any]]] = []
            for row in chunk:
                family = existing.get(row.bidx)
                if family is not None:
                    changes: dict[str, Any] = {}
                    family_rules.apply_family_values(family, _values(row), changes, row.sealed)
                    updated.append((row, family, changes))
                    continue
                record = self._new(
                    Family,
                    org_unit_id=self.job.org_unit_id,
                    entered_by_id=self.job.created_by_id,
                    status=FamilyStatus.ACTIVE.value,
                    attachments=[],
                    secondary_causes=[],
                )
                family_rules.apply_family_values(record, _values(row), None, row.sealed)
                listed = by_head.get(row.bidx, [])
                income = family_rules.compute_income(
                    head_monthly=row.data["monthly_income"],
                    other_annual=row.data["other_annual_income"],
                    member_monthly=[m.data["monthly_income"] for m in listed],
                    employed=[
                        family_rules.head_employed(record, self.employed),
                        *(m.data.get("work_status") in self.employed for m in listed),
                    ],
                )
                family_rules.set_income(record, income, None)
                new.append(vars(record))
                self.report.count("created")
                self.written += 1
            self._write_new_families(new, by_head)
            current = self._members_of([f.id for _, f, _ in updated])
            for row, family, changes in updated:
                members = current.setdefault(family.id, [])
                member_changed, incomes = self._write_members(family, members, by_head.pop(row.bidx, []))
                family_rules.recompute(
                    family,
                    members=members,
                    employed_codes=self.employed,
                    changes=changes,
                    head_monthly=row.data.get("monthly_income"),
                    other_annual=row.data.get("other_annual_income"),
                    member_monthly=incomes,
                )
                self._pending.append(("family", family, False, changes, family.id))
                self.report.count("updated" if changes or member_changed else "unchanged")
                self.written += 1
            self._flush_history()
            self._release([f for _, f, _ in updated], current)
            self._tick()
        self._write_members_of_archived(by_head)

    def _write_new_families(self, new: list[dict[str, Any]], by_head: dict[str, list[Row]]) -> None:
        ids = self._insert(Family, new)
        members: list[dict[str, Any]] = []
        for record in new:
            family_id = ids[record["id_number_bidx"]]
            self._created.append(("family", family_id, family_id, record["org_unit_id"]))
            for row in by_head.pop(record["id_number_bidx"], []):
                member = self._new(FamilyMember, family_id=family_id, org_unit_id=record["org_unit_id"])
                family_rules.apply_member_values(member, _values(row), None, row.sealed)
                members.append(vars(member))
                self.report.count("created")
                self.written += 1
        member_ids = self._insert(FamilyMember, members)
        for record in members:
            self._created.append(
                ("member", member_ids[record["id_number_bidx"]], record["family_id"], record["org_unit_id"])
            )

    def _members_of(self, family_ids: Sequence[int]) -> dict[int, list[FamilyMember]]:
        current: dict[int, list[FamilyMember]] = {}
        if family_ids:
            stmt = select(FamilyMember).where(FamilyMember.family_id.in_(family_ids)).order_by(FamilyMember.id)
            for m in self.session.scalars(stmt):
                current.setdefault(m.family_id, []).append(m)
        return current

    def _write_members(
        self, family: Family, members: list[FamilyMember], rows: Sequence[Row]
    ) -> tuple[bool, dict[str, Any]]:
        """Upsert the sheet's member rows into ``members`` (the family's members, extended in place); returns
        whether anything changed and the members' monthly incomes by ID blind index."""
        by_bidx = {m.id_number_bidx: m for m in members}
        incomes: dict[str, Any] = {}
        changed = False
        for row in rows:
            member = by_bidx.get(row.bidx)
            creating = member is None
            if member is None:
                member = FamilyMember(
                    **{**_NULLS[FamilyMember], "family_id": family.id, "org_unit_id": family.org_unit_id}
                )
                self.session.add(member)
                members.append(member)
            changes: dict[str, Any] = {}
            family_rules.apply_member_values(member, _values(row), None if creating else changes, row.sealed)
            incomes[row.bidx] = row.data["monthly_income"]
            self._pending.append(("member", member, creating, changes, family.id))
            outcome = "created" if creating else "updated" if changes else "unchanged"
            changed = changed or outcome != "unchanged"
            self.report.count(outcome)
            self.written += 1
        return changed, incomes

    def _write_members_of_archived(self, by_head: dict[str, list[Row]]) -> None:
        """Member rows whose head is an archive already in the database (not in this file)."""
        heads = [h for h in by_head if h]
        for start in range(0, len(heads), CHUNK):
            part = heads[start : start + CHUNK]
            families = list(self.session.scalars(select(Family).where(Family.id_number_bidx.in_(part))))
            current = self._members_of([f.id for f in families])
            for family in families:
                members = current.setdefault(family.id, [])
                changed, incomes = self._write_members(family, members, by_head.get(family.id_number_bidx, []))
                if changed:
                    changes: dict[str, Any] = {}
                    family_rules.recompute(
                        family, members=members, employed_codes=self.employed, changes=changes, member_monthly=incomes
                    )
                    self._pending.append(("family", family, False, changes, family.id))
            self._flush_history()
            self._release(families, current)
            self._tick()

    def _write_graduates(self, rows: Sequence[Row]) -> None:
        for chunk in self._chunks(rows):
            keys = [r.bidx for r in chunk]
            existing = {
                g.id_number_bidx: g
                for g in self.session.scalars(select(Graduate).where(Graduate.id_number_bidx.in_(keys)))
            }
            heads = [r.head_bidx for r in chunk if r.head_bidx]
            families = dict(
                self.session.execute(
                    select(Family.id_number_bidx, Family.id).where(Family.id_number_bidx.in_(heads))
                ).all()
            )
            members = {
                (fid, bidx): mid
                for mid, fid, bidx in self.session.execute(
                    select(FamilyMember.id, FamilyMember.family_id, FamilyMember.id_number_bidx).where(
                        FamilyMember.id_number_bidx.in_(keys)
                    )
                ).all()
            }
            new: list[dict[str, Any]] = []
            written: list[Graduate] = []
            for row in chunk:
                family_id = families.get(row.head_bidx) if row.head_bidx else None
                link: graduates.FamilyLink | None = graduates.FamilyLink(
                    family_id, members.get((family_id, row.bidx)) if family_id else None
                )
                graduate = existing.get(row.bidx)
                if graduate is None:
                    record = self._new(
                        Graduate,
                        org_unit_id=self.job.org_unit_id,
                        stage=Stage.GRADUATE.value,
                        intentions=[],
                        preferred_places=[],
                        skills=[],
                        employment_status="unemployed",
                        enterprise_visible=False,
                    )
                    graduates.apply_graduate_values(
                        record, _values(row), None, link=link, resolve_major=self._major, sealed=row.sealed
                    )
                    new.append(vars(record))
                    self.report.count("created")
                    self.written += 1
                    continue
                if "family_head_id_number" not in row.columns:
                    link = None  # the sheet has no family column: keep the link as it is
                changes: dict[str, Any] = {}
                graduates.apply_graduate_values(
                    graduate, _values(row), changes, link=link, resolve_major=self._major, sealed=row.sealed
                )
                self._pending.append(("graduate", graduate, False, changes, graduate.family_id))
                self.report.count("updated" if changes else "unchanged")
                self.written += 1
                written.append(graduate)
            ids = self._insert(Graduate, new)
            for values in new:
                self._created.append(
                    ("graduate", ids[values["id_number_bidx"]], values["family_id"], values["org_unit_id"])
                )
            self._flush_history()
            for g in written:
                self.session.expunge(g)
            self._tick()

    def _major(self, raw: str | None, education: str | None) -> majors.ResolvedMajor | None:
        key = (raw, education)
        if key not in self.majors:
            self.majors[key] = majors.resolve(raw, education=education)
        return self.majors[key]

    def _flush_history(self) -> None:
        """Flush the chunk's changes, then one history row per record created or changed, sent in one batch.
        A created record's history names no values: they are the record's first state."""
        self.session.flush()
        rows = [
            self._history_row(entity_type, entity_id, family_id, org_unit_id, "create", {})
            for entity_type, entity_id, family_id, org_unit_id in self._created
        ]
        rows += [
            self._history_row(
                entity_type,
                obj.id,
                family_id,
                obj.org_unit_id,
                "create" if creating else "update",
                {} if creating else changes,
            )
            for entity_type, obj, creating, changes, family_id in self._pending
            if creating or changes
        ]
        self._created.clear()
        self._pending.clear()
        if rows:
            self.session.connection().execute(insert(cast(Table, RegistryChange.__table__)), rows)

    def _history_row(
        self,
        entity_type: str,
        entity_id: int,
        family_id: int | None,
        org_unit_id: int,
        action: str,
        changes: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "at": self.now,
            "actor_id": self.actor.user_id,
            "actor_role": self.actor.role,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "family_id": family_id,
            "org_unit_id": org_unit_id,
            "action": action,
            "source": self.source,
            "changes": changes,
        }

    def _release(self, families: Sequence[Family], members: dict[int, list[FamilyMember]]) -> None:
        """Forget written rows (already flushed) so that a big sheet does not pile up in the identity map."""
        for family in families:
            for member in members.get(family.id, []):
                if member in self.session:
                    self.session.expunge(member)
            if family in self.session:
                self.session.expunge(family)


def _nulls(model: type[Family] | type[FamilyMember] | type[Graduate]) -> dict[str, None]:
    """Every nullable column set to None on a new object, so that rows share one INSERT shape and are sent in
    batches (rows with different sets of given columns would each need their own statement)."""
    return {
        c.key: None
        for c in model.__table__.columns
        if c.nullable and not c.primary_key and c.default is None and c.server_default is None
    }


_NULLS = {model: _nulls(model) for model in (Family, FamilyMember, Graduate)}


def _values(row: Row) -> dict[str, Any]:
    return {k: v for k, v in row.data.items() if k not in {"id_number_masked", "family_head_id_number"}}
