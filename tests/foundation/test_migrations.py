"""The same migrations build the schema on SQLite and PostgreSQL, match the models, and go down again."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services import migrate
from services.db import make_engine
from services.models import Base
from tests.conftest import create_pg_database, drop_pg_database


def _check(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        tables = set(inspect(engine).get_table_names())
        assert {"org_unit", "user_account", "audit_event"} <= tables
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def test_migrations_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'm.db'}")


def test_migrations_postgres(pg_server_url: str) -> None:
    name, url = create_pg_database(pg_server_url)
    try:
        _check(url)
    finally:
        drop_pg_database(pg_server_url, name)


def test_cli_migrate_creates_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from services import db as dbmod
    from services.cli import app
    from services.config import get_settings

    url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
    monkeypatch.setenv("SUNSHINE_DATABASE_URL", url)
    get_settings.cache_clear()
    dbmod.reset_engine()
    try:
        result = CliRunner().invoke(app, ["migrate"])
        assert result.exit_code == 0, result.output
        assert "数据库已升级" in result.output
        engine = make_engine(url)
        assert "user_account" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        monkeypatch.delenv("SUNSHINE_DATABASE_URL")
        get_settings.cache_clear()
        dbmod.reset_engine()
