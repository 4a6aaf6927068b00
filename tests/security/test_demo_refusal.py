"""``sunshine demo`` creates accounts with a published password, so it refuses production and databases holding
people it did not create — with a Chinese message, a non-zero exit and nothing created."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from services import db as dbmod
from services import migrate
from services.cli import app
from services.config import get_settings
from services.registry.models import Family
from services.security.models import User
from tests.conftest import _HASH, _TMP

ARGS = ["demo", "--no-serve", "--size", "0.02"]


def _use(monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = dbmod.make_engine(f"sqlite:///{_TMP / f'demo-guard-{uuid.uuid4().hex[:6]}.db'}")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(dbmod, "get_sessionmaker", lambda: factory)
    monkeypatch.setattr(dbmod, "get_engine", lambda: engine)
    return engine


def test_demo_refuses_to_run_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _use(monkeypatch)
    monkeypatch.setattr(get_settings(), "environment", "production")
    try:
        result = CliRunner().invoke(app, ARGS, env={"COLUMNS": "200"})
        assert result.exit_code != 0
        assert "生产环境" in result.output and "公开密码" in result.output
        assert inspect(engine).get_table_names() == []  # not even migrated
    finally:
        engine.dispose()


def test_demo_refuses_a_database_holding_people_it_did_not_create(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _use(monkeypatch)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            session.add(User(username="zhang.li", display_name="张丽", password_hash=_HASH, role="admin"))
        result = CliRunner().invoke(app, ARGS, env={"COLUMNS": "200"})
        assert result.exit_code != 0
        assert "不是演示程序生成的数据" in result.output
        with Session(engine) as session:
            assert session.scalars(select(User.username)).all() == ["zhang.li"]
            assert session.scalar(select(func.count()).select_from(Family)) == 0
    finally:
        engine.dispose()
