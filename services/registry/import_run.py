"""One import run: read every sheet (cleaning rows in batches), check them, then write inside a savepoint
that a dry run rolls back."""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor

from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from services.db import utcnow
from services.refdata.api import Vocabularies, vocabularies
from services.registry import import_rows, mappings, sheets, wording, writes
from services.registry.import_match import RegistryChecks
from services.registry.import_rows import Cleaned, Progress, Report, Row, Values, clean_rows
from services.registry.import_write import RegistryWrites
from services.registry.models import ImportJob, ImportStatus
from services.security.principal import Principal


class Importer(RegistryChecks, RegistryWrites):
    def __init__(
        self,
        session: Session,
        *,
        job: ImportJob,
        content: bytes,
        principal: Principal,
        report: Report,
        progress: Progress | None,
    ) -> None:
        self.session = session
        self.job = job
        self.principal = principal
        self.report = report
        self.progress = progress
        self.content = content
        self.vocab: Vocabularies = wording.worded(vocabularies(session), mappings.confirmed(session, job.org_unit_id))
        self.employed = self.vocab["work_status"].codes_with("employed")
        self.actor = writes.Actor(job.created_by_id, principal.role if job.created_by_id else None)
        self.source = f"import:{job.id}"
        self.rows: dict[str, list[Row]] = {k: [] for k in sheets.SHEET_FIELDS}
        self.written = 0
        self.majors = {}
        self._pending = []
        self._created = []
        self._pool: ProcessPoolExecutor | None = None
        self._batches = 0
        self._enums: dict[str, str] = {}
        self.now = utcnow()
        self.at: tuple[str, int] | None = None  # the sheet and row being handled, named when a run breaks

    # -------------------------------------------------------------------------------------- phase 1: read

    def execute(self) -> None:
        content, self.content = self.content, b""  # the plaintext upload is held only while it is read
        try:
            for table in sheets.read_tables(content, file_format=self.job.file_format, name=self.job.filename):
                self._read(table)
        finally:
            del content
            self.close()
        self.job.unmapped = mappings.summary(self.report, self.vocab)
        self.at = None
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

    def _read(self, table: sheets.Table) -> None:
        columns = {fld.key: head for _, fld, head in table.columns}
        self._enums = {fld.key: fld.enum for _, fld, _ in table.columns if fld.enum}
        letters = {fld.key: get_column_letter(i + 1) for i, fld, _ in table.columns}
        for fld in table.missing:
            self.report.add(
                sheet=table.sheet,
                row=table.header_row,
                column=fld.column,
                code="missing_column",
                reason=f"缺少必填列“{fld.column}”",
            )
        seen: dict[str, Row] = {}
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
                while len(pending) > 2 * import_rows.POOL_WORKERS:
                    accept(pending.popleft().result())
            batch.clear()

        for number, values in table.rows:
            self.report.rows_total += 1
            if self.report.rows_total % import_rows.PROGRESS_EVERY == 0:
                self._tick()
            if table.missing:
                self.report.bad.add((table.sheet, number))
                continue
            batch.append((number, {fld.key: (values[i] if i < len(values) else None) for i, fld, _ in table.columns}))
            if len(batch) >= import_rows.BATCH:
                submit()
        if batch:
            submit()
        while pending:
            accept(pending.popleft().result())

    def _pool_for_next_batch(self) -> ProcessPoolExecutor | None:
        """Rows are cleaned and sealed in worker processes once a sheet proves big (from its second batch on),
        where processes may be forked; small sheets and Celery's daemon workers clean in-process."""
        self._batches += 1
        if self._pool is None and self._batches > 1 and import_rows.parallel_allowed():
            import_rows._WORKER["vocab"] = self.vocab
            self._pool = ProcessPoolExecutor(
                max_workers=import_rows.POOL_WORKERS, mp_context=multiprocessing.get_context("fork")
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            import_rows._WORKER.clear()

    def _accept(
        self,
        table: sheets.Table,
        cleaned: Cleaned,
        columns: dict[str, str],
        letters: dict[str, str],
        seen: dict[str, Row],
    ) -> None:
        row = Row(table.sheet, cleaned.number, Values(cleaned.data), cleaned.bidx, cleaned.head_bidx, columns, letters)
        row.sealed = cleaned.sealed
        self.at = (table.sheet, cleaned.number)
        for p in cleaned.problems:
            self.report.row_error(row, p.field, p.code, p.reason, p.value)
            if p.wording and (enumeration := self._enums.get(p.field)):
                self.report.unmapped(table.sheet, p.field, enumeration, p.wording)
        if row.bidx:
            first = seen.get(row.bidx)
            if first is not None:
                masked = row.data["id_number_masked"]
                self.report.row_error(
                    row, "id_number", "duplicate_in_sheet", f"身份证号与本表第{first.number}行重复", masked
                )
                self.report.row_error(
                    first, "id_number", "duplicate_in_sheet", f"身份证号与本表第{row.number}行重复", masked
                )
                return
            seen[row.bidx] = row
        if not cleaned.problems:
            self.rows[table.kind].append(row)
