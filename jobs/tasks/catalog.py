"""Catalog upkeep: close positions whose deadline has passed (daily)."""

from __future__ import annotations

from datetime import date

from jobs.base import task
from services.catalog import service
from services.db import session_scope


@task("sunshine.catalog.close_expired", idempotent=True)
def close_expired(today: str | None = None) -> dict[str, int]:
    """Close open positions past their deadline; ``today`` (ISO date) defaults to the current date."""
    day = date.fromisoformat(today) if today else service.local_today()
    with session_scope() as session:
        closed = service.close_expired_positions(session, today=day)
    return {"closed": closed}
