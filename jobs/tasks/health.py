"""Round-trip check: a worker that answers proves broker, worker and result backend work."""

from __future__ import annotations

from sqlalchemy import text

from jobs.base import task
from services.db import session_scope


@task("sunshine.health.ping", idempotent=True)
def ping(echo: str = "pong") -> dict[str, str]:
    with session_scope() as session:
        session.execute(text("SELECT 1"))
    return {"echo": echo, "database": "ok"}
