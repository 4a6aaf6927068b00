"""The graduate's employment status as the registry keeps it: other domains (tracking) set it through here, so the
column, its registry history row and the actor stay written one way."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.registry.models import Graduate
from services.registry.writes import Actor, add_history, set_plain


def record_employment_status(
    session: Session, *, graduate: Graduate, status: str, actor_id: int | None, actor_role: str | None, source: str
) -> bool:
    """Set the graduate's ``employment_status`` and, when it changed, add a registry history row naming the
    actor and the source (e.g. ``tracking``). Returns whether it changed. Flushes, never commits."""
    changes: dict[str, Any] = {}
    set_plain(graduate, "employment_status", status, changes)
    if not changes:
        return False
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=Actor(actor_id, actor_role),
        source=source,
    )
    session.flush()
    return True
