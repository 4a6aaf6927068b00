"""Engine, sessions and the declarative base. The request's session dependency is the only place that commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from fastapi import Depends
from sqlalchemy import ColumnElement, DateTime, Dialect, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from services.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored with their zone; SQLite drops it, so values read back naive are marked UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | date | None, dialect: Dialect) -> datetime | None:
        if value is not None and not isinstance(value, datetime):
            value = datetime.combine(value, time.min, tzinfo=UTC)  # a bare day compares from its start
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value is not None and dialect.name == "sqlite":
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL, foreign keys on) or PostgreSQL (psycopg 3)."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    settings = get_settings()
    # One connection per request in flight plus a few for background threads: a request never waits for a
    # connection that another request holds while it waits for something else.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.max_in_flight + 4,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().sqlalchemy_url)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def reset_engine() -> None:
    """Forget the cached engine (tests and the CLI switch databases through settings)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()


def codepoint_order(text: ColumnElement[str], *, postgres: bool) -> ColumnElement[str]:
    """``text`` ordered by code point, as Python compares strings, so that a page the database sorts agrees with
    the same list sorted in Python: PostgreSQL's "C" collation (SQLite compares the bytes already)."""
    return text.collate("C") if postgres else text


def analyze(engine: Engine | None = None) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL ``ANALYZE``, SQLite ``ANALYZE``)."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work outside a request (tasks, commands): commits on success, rolls back on error."""
    with get_sessionmaker().begin() as session:
        yield session


def get_session() -> Iterator[Session]:
    """The request's session: commits when the endpoint returns, rolls back on any error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
