"""The demo's entry check: it builds a world with published passwords, so it refuses to run in production and on
a database that holds people it did not create.

A database the demo built carries a marker (an audit row, action ``demo_world``); a database with accounts,
families or graduates and no marker belongs to someone else, and the demo leaves it alone.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, Table, func, inspect, select
from sqlalchemy.orm import Session

from services.config import Settings
from services.db import Base, utcnow
from services.security.models import AuditEvent

MARKER_ACTION = "demo_world"
PEOPLE_TABLES = ("user_account", "registry_family", "registry_graduate")


def _holds_people(session: Session, tables: set[str]) -> list[str]:
    out = []
    for name in PEOPLE_TABLES:
        if name in tables and session.execute(select(func.count()).select_from(_table(name))).scalar():
            out.append(name)
    return out


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def has_marker(session: Session) -> bool:
    return session.scalar(select(AuditEvent.id).where(AuditEvent.action == MARKER_ACTION).limit(1)) is not None


def refusal(settings: Settings, engine: Callable[[], Engine]) -> str | None:
    """Why the demo must not run here (a message for the operator), or None when it may. The database is
    opened only after the environment passed."""
    if settings.environment == "production":
        return (
            "演示环境不能在生产环境中运行（SUNSHINE_ENVIRONMENT=production）：演示会创建使用公开密码的账号。"
            "请在开发机上使用单独的数据目录运行演示。"
        )
    bound = engine()
    tables = set(inspect(bound).get_table_names())
    if "audit_event" not in tables:
        return None  # an empty database: nothing of anyone's to protect
    with Session(bound) as session:
        found = _holds_people(session, tables)
        if found and not has_marker(session):
            return (
                "该数据库中已有不是演示程序生成的数据（"
                + "、".join(found)
                + "），演示程序不会在其上创建演示账号或演示数据。请改用新的数据目录（SUNSHINE_DATA_DIR）"
                "或新的数据库（SUNSHINE_DATABASE_URL）。"
            )
    return None


def mark(session: Session) -> None:
    """Record that the demo built this database's world (read back by :func:`refusal`)."""
    session.add(
        AuditEvent(at=utcnow(), action=MARKER_ACTION, target_type="database", outcome="ok", detail={"demo": True})
    )
    session.flush()
