"""``sunshine demo --no-serve`` on an empty SQLite file: migrates, loads, builds the world and prints one login per
role and the URL; run again, it builds nothing and serves what is there."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from services import db as dbmod
from services.cli import app
from services.demo.logins import DEMO_PASSWORD, DEMO_USERS
from services.registry.models import Family
from services.security.models import User
from tests.conftest import _TMP


def test_demo_command_builds_once_and_prints_the_logins(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = dbmod.make_engine(f"sqlite:///{_TMP / f'demo-cli-{uuid.uuid4().hex[:6]}.db'}")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(dbmod, "get_sessionmaker", lambda: factory)
    monkeypatch.setattr(dbmod, "get_engine", lambda: engine)
    try:
        args = ["demo", "--no-serve", "--size", "0.02", "--port", "8123"]
        first = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        assert first.exit_code == 0, first.output
        assert "演示数据已生成" in first.output
        assert DEMO_PASSWORD in first.output
        assert "http://127.0.0.1:8123/docs" in first.output
        for username, role, _, _ in DEMO_USERS:
            assert any(username in line and role in line for line in first.output.splitlines()), username
        with Session(engine) as session:
            families = session.scalar(select(func.count()).select_from(Family))
            users = session.scalar(select(func.count()).select_from(User))
        assert families
        second = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
        assert second.exit_code == 0, second.output
        assert "已有演示数据" in second.output and "演示数据已生成" not in second.output
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Family)) == families
            assert session.scalar(select(func.count()).select_from(User)) == users
    finally:
        engine.dispose()
