"""The append-only audit log: explicit records (reveals, exports, logins) and automatic write records.

Models that set ``__audit__ = True`` get one row per insert, update or delete, naming the changed fields
(never their values). The acting principal is taken from ``session.info["principal"]``.

Refusals (a reveal refused, an object out of scope, a failed login) are recorded with :func:`record_denial`,
which keeps them even though the request that was refused rolls back: the row is written in the request's
session (so the request sees it) and, when that session's transaction rolls back — or commits without the row,
because a savepoint around the refused step (a console form's) rolled it back — written again in a transaction
of its own that commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, event, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from services import db as dbmod
from services.db import utcnow
from services.security.models import AuditEvent
from services.security.principal import Principal


def current_principal(session: Session) -> Principal | None:
    value = session.info.get("principal")
    return value if isinstance(value, Principal) else None


def list_events(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int,
) -> list[AuditEvent]:
    """The audit log newest first, filtered by action, actor, target type and time (``since`` ≤ at < ``until``)."""
    cond: list[ColumnElement[bool]] = []
    if action:
        cond.append(AuditEvent.action == action)
    if actor_id is not None:
        cond.append(AuditEvent.actor_id == actor_id)
    if target_type:
        cond.append(AuditEvent.target_type == target_type)
    if since is not None:
        cond.append(AuditEvent.at >= since)
    if until is not None:
        cond.append(AuditEvent.at < until)
    stmt = select(AuditEvent).where(*cond).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def record(
    session: Session,
    *,
    action: str,
    target_type: str,
    target_id: object = None,
    field: str | None = None,
    purpose: str | None = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    principal: Principal | None = None,
) -> AuditEvent:
    """Add one audit row and flush it, so a failure surfaces here and not later."""
    who = principal or current_principal(session)
    row = AuditEvent(
        at=utcnow(),
        actor_id=who.user_id if who else None,
        actor_role=who.role if who else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        field=field,
        purpose=purpose,
        source_ip=who.source_ip if who else None,
        outcome=outcome,
        detail=detail,
    )
    session.add(row)
    session.flush()
    return row


_PENDING = "audit_denials"
log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Denial:
    row: dict[str, Any]
    added: AuditEvent | None = None  # the row as added to the request's session, while it lasts

    def kept_by(self, session: Session) -> bool:
        """True when the committed transaction of ``session`` holds the row."""
        return self.added is not None and inspect(self.added).persistent and self.added in session


def record_denial(
    session: Session,
    *,
    action: str,
    target_type: str,
    target_id: object = None,
    field: str | None = None,
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
    principal: Principal | None = None,
    address: str | None = None,
) -> None:
    """Record a refusal (outcome "denied") so that it survives the rollback of the refused request."""
    who = principal or current_principal(session)
    row = {
        "at": utcnow(),
        "actor_id": who.user_id if who else None,
        "actor_role": who.role if who else None,
        "action": action,
        "target_type": target_type[:64],
        "target_id": None if target_id is None else str(target_id)[:64],
        "field": field,
        "purpose": purpose[:200] if purpose else None,
        "source_ip": (address or (who.source_ip if who else None) or None),
        "outcome": "denied",
        "detail": detail,
    }
    denial = _Denial(row)
    session.info.setdefault(_PENDING, []).append(denial)
    try:
        with session.begin_nested():
            added = AuditEvent(**row)
            session.add(added)
        denial.added = added
    except SQLAlchemyError:  # a session already failing: the rollback below writes the row
        log.warning("denial not written in the request's transaction; it is kept after the rollback")


def _write_own_transaction(rows: list[dict[str, Any]]) -> None:
    try:
        with dbmod.get_sessionmaker().begin() as own:
            own.execute(insert(AuditEvent), rows)
    except SQLAlchemyError:
        log.exception("could not write %d denial audit rows", len(rows))


@event.listens_for(Session, "after_soft_rollback")
def _keep_denials(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested or previous_transaction.parent is not None:
        return
    denials: list[_Denial] = session.info.pop(_PENDING, [])
    if denials:
        _write_own_transaction([d.row for d in denials])


@event.listens_for(Session, "after_commit")
def _denials_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    denials: list[_Denial] = session.info.pop(_PENDING, [])
    lost = [d.row for d in denials if not d.kept_by(session)]  # rolled back by a savepoint around them
    if lost:
        _write_own_transaction(lost)


def _write_rows(session: Session) -> list[dict[str, Any]]:
    who = current_principal(session)
    rows: list[dict[str, Any]] = []
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not getattr(type(obj), "__audit__", False):
                continue
            state = inspect(obj)
            fields: list[str] = []
            if action == "update":
                fields = sorted(a.key for a in state.attrs if a.history.has_changes())
                if not fields:
                    continue
            ident = state.mapper.primary_key_from_instance(obj)
            rows.append(
                {
                    "at": utcnow(),
                    "actor_id": who.user_id if who else None,
                    "actor_role": who.role if who else None,
                    "action": action,
                    "target_type": type(obj).__tablename__,
                    "target_id": "/".join(str(i) for i in ident) if any(i is not None for i in ident) else None,
                    "source_ip": who.source_ip if who else None,
                    "outcome": "ok",
                    "detail": {"fields": fields} if fields else None,
                }
            )
    return rows


@event.listens_for(Session, "after_flush")
def _audit_writes(session: Session, _ctx: Any) -> None:
    rows = _write_rows(session)
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise PermissionError("审计日志只允许追加，不能修改或删除")
