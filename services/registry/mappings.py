"""Option wordings an org's clerk confirmed (“农业户口” → 农村户口 for 户口类型), remembered per org and applied to
that org's next sheets; and the dry run's list of the wordings nobody has mapped yet, each once per column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import ValidationFailed
from services.refdata.api import Vocabularies, vocabularies
from services.registry import access, wording
from services.registry.import_rows import Report
from services.registry.models import ImportJob, ImportMapping
from services.security.principal import Principal

MAX_PER_CONFIRMATION = 200


@dataclass(frozen=True, slots=True)
class Choice:
    enumeration: str
    wording: str
    code: str


def confirmed(session: Session, org_unit_id: int) -> dict[str, dict[str, str]]:
    """The org's confirmed wordings: enumeration → wording key → code."""
    out: dict[str, dict[str, str]] = {}
    stmt = select(ImportMapping).where(ImportMapping.org_unit_id == org_unit_id)
    for m in session.scalars(stmt):
        out.setdefault(m.enumeration, {})[m.wording] = m.code
    return out


def summary(report: Report, vocab: Vocabularies) -> list[dict[str, Any]]:
    """Each column's distinct option wordings not understood, once, with their row counts and suggestions:
    “户口类型：‘农业户口’ 123 行 → 建议：农村户口”. An ambiguous wording is marked so: the clerk must choose."""
    out: list[dict[str, Any]] = []
    for (sheet, key, enumeration), counts in report.wordings.items():
        if enumeration not in vocab:
            continue
        voc = vocab[enumeration]
        for text, rows in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            codes = wording.suggestions(voc, text)
            out.append(
                {
                    "sheet": sheet,
                    "field": key,
                    "enumeration": enumeration,
                    "title": voc.title,
                    "wording": text,
                    "rows": rows,
                    "ambiguous": wording.is_ambiguous(voc, text),
                    "suggestions": [{"code": c, "name": voc.names[c]} for c in codes if c in voc.names],
                }
            )
    return out


def confirm(
    session: Session, *, principal: Principal, job: ImportJob, choices: Sequence[Choice]
) -> list[ImportMapping]:
    """Remember the clerk's choices for the job's org (one step for all of a sheet's wordings); a wording
    confirmed again takes the newer choice."""
    access.require_staff(principal)
    if not choices:
        raise ValidationFailed("请至少确认一个选项写法", field="mappings")
    if len(choices) > MAX_PER_CONFIRMATION:
        raise ValidationFailed(f"一次最多确认 {MAX_PER_CONFIRMATION} 个写法", field="mappings")
    vocab = vocabularies(session)
    current = {
        (m.enumeration, m.wording): m
        for m in session.scalars(select(ImportMapping).where(ImportMapping.org_unit_id == job.org_unit_id))
    }
    saved: list[ImportMapping] = []
    for i, choice in enumerate(choices):
        if choice.enumeration not in vocab:
            raise ValidationFailed(f"没有名为“{choice.enumeration[:40]}”的枚举", field=f"mappings.{i}.enumeration")
        voc = vocab[choice.enumeration]
        code = voc.resolve(choice.code)
        if code is None:
            raise ValidationFailed(
                wording.not_an_option(voc, choice.code, choice.code[:20]), field=f"mappings.{i}.code"
            )
        key = wording.wording_key(choice.wording)
        if not key:
            raise ValidationFailed("写法不能为空", field=f"mappings.{i}.wording")
        if voc.resolve(choice.wording) is not None and (choice.enumeration, key) not in current:
            continue  # an exact option name or code needs no mapping
        mapping = current.get((choice.enumeration, key))
        if mapping is None:
            mapping = ImportMapping(org_unit_id=job.org_unit_id, enumeration=choice.enumeration, wording=key)
            session.add(mapping)
            current[(choice.enumeration, key)] = mapping
        mapping.code = code
        mapping.confirmed_by_id = principal.user_id or None
        mapping.job_id = job.id
        saved.append(mapping)
    session.flush()
    return saved


def list_mappings(session: Session, *, principal: Principal, org_unit_id: int | None) -> list[ImportMapping]:
    """The confirmed wordings of one org (the caller's by default)."""
    access.require_staff(principal)
    org_id = access.default_org(principal, org_unit_id)
    access.check_org_in_scope(session, principal=principal, org_unit_id=org_id)
    stmt = (
        select(ImportMapping)
        .where(ImportMapping.org_unit_id == org_id)
        .order_by(ImportMapping.enumeration, ImportMapping.wording)
    )
    return list(session.scalars(stmt))
