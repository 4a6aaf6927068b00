"""Rows of a spreadsheet import: cleaning and sealing (in worker processes for big sheets), the report.

Each row is cleaned by the registry's form rules (``services.registry.forms``) and its sensitive values are
sealed while reading; the report gathers every error with sheet, row, column, cell, code and a Chinese reason.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from services.refdata.api import Vocabularies
from services.registry import families as family_rules
from services.registry import forms, graduates, sheets, writes
from services.registry.models import ImportJob
from services.security import pii
from services.security.principal import Principal

ERROR_CAP = 2000
SHAPES_KEPT = 256
CHUNK = 500
PROGRESS_EVERY = 2000

Progress = Callable[[int, int], None]  # (rows read so far, rows written so far)


class Values(Mapping[str, Any]):
    """A row's cleaned values, read-only: one tuple per row over a key table shared by the rows of the same
    shape, so that a sheet of 50,000 rows keeps a tuple per row rather than a dictionary per row."""

    __slots__ = ("_keys", "_values")

    _shapes: ClassVar[dict[tuple[str, ...], dict[str, int]]] = {}

    def __init__(self, data: Mapping[str, Any]) -> None:
        shape = tuple(data)
        keys = self._shapes.get(shape)
        if keys is None:
            keys = {k: i for i, k in enumerate(shape)}
            if len(self._shapes) < SHAPES_KEPT:  # rows with errors lack their bad fields: shapes stay few
                self._shapes[shape] = keys
        self._keys = keys
        self._values = tuple(data.values())

    def __getitem__(self, key: str) -> Any:
        return self._values[self._keys[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Values({dict(self)!r})"


@dataclass(slots=True)
class Row:
    sheet: str
    number: int
    data: Mapping[str, Any]
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
    skipped_existing: int = 0  # people already registered, left as they are (the clerk chose “skip”)
    # (sheet, field, enumeration) → wording → rows
    wordings: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)

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

    def unmapped(self, sheet: str, key: str, enumeration: str, wording: str) -> None:
        counts = self.wordings.setdefault((sheet, key, enumeration), {})
        counts[wording] = counts.get(wording, 0) + 1

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
        rid = data.get("id_number")  # a valid ID still takes part in the duplicate check
        if rid is None:
            return Cleaned(number, {}, problems.items)
        masked = pii.mask(pii.PiiKind.ID_NUMBER, rid.number)
        return Cleaned(number, {"id_number_masked": masked}, problems.items, writes.id_index(rid.number))
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


class RunState:
    """What the phases of one import run share (the run itself is ``import_run.Importer``)."""

    session: Session
    job: ImportJob
    principal: Principal
    report: Report
    progress: Progress | None
    vocab: Vocabularies
    employed: frozenset[str]
    actor: writes.Actor
    source: str
    rows: dict[str, list[Row]]
    written: int
    now: datetime
    at: tuple[str, int] | None

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.report.rows_total, self.written)

    def _chunks(self, rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
        for start in range(0, len(rows), CHUNK):
            yield rows[start : start + CHUNK]
