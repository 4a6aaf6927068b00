"""The attachments an application needs, their upload and the staff check of each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import attachments as files
from services.aid.applications import get_application
from services.aid.guards import require_staff
from services.aid.models import (
    AidApplication,
    AidAttachment,
    ApplicationStatus,
)
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.security.models import Role
from services.security.principal import Principal


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    kind: str
    name: str
    uploaded: int
    checked: bool


def checklist(session: Session, *, app: AidApplication) -> list[ChecklistItem]:
    rows = list(session.scalars(select(AidAttachment).where(AidAttachment.application_id == app.id)))
    out = []
    for kind in files.REQUIRED[app.kind]:
        mine = [r for r in rows if r.kind == kind]
        out.append(
            ChecklistItem(
                kind=kind,
                name=files.ATTACHMENT_NAMES[kind],
                uploaded=len(mine),
                checked=any(r.checked_at is not None for r in mine),
            )
        )
    return out


def checklist_complete(session: Session, *, app: AidApplication) -> bool:
    return all(item.checked for item in checklist(session, app=app))


def upload_attachment(
    session: Session, *, principal: Principal, application_id: int, kind: str, filename: str, content: bytes
) -> AidAttachment:
    app = get_application(session, principal=principal, application_id=application_id)
    if principal.role == Role.COUNSELOR:
        raise Forbidden("指导员不能上传助学申请材料")
    if kind not in files.REQUIRED[app.kind]:
        raise ValidationFailed(f"“{kind}”不是该类申请需要的材料", field="kind")
    if app.status not in {ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED}:
        raise Conflict("申请已进入后续审核，不能再补传材料")
    stored = files.store(application_id=app.id, content=content)
    row = AidAttachment(
        application_id=app.id,
        org_unit_id=app.org_unit_id,
        kind=kind,
        filename=(filename or "附件")[-200:],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_path=stored.storage_path,
        uploaded_by=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def get_attachment(session: Session, *, principal: Principal, attachment_id: int) -> AidAttachment:
    row = session.get(AidAttachment, attachment_id)
    if row is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    get_application(session, principal=principal, application_id=row.application_id)
    return row


def attachment_file(session: Session, *, principal: Principal, attachment_id: int) -> tuple[AidAttachment, bytes]:
    """An attachment and its file, decrypted, for a principal who may see the application."""
    row = get_attachment(session, principal=principal, attachment_id=attachment_id)
    return row, files.read(row.storage_path)


def check_attachment(
    session: Session, *, principal: Principal, attachment_id: int, note: str | None = None
) -> AidAttachment:
    require_staff(principal)
    row = get_attachment(session, principal=principal, attachment_id=attachment_id)
    row.checked_by, row.checked_at, row.check_note = principal.user_id, utcnow(), note
    session.flush()
    return row
