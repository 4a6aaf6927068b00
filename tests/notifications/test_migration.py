"""The one-inbox migration keeps every message: aid's deadline warnings move into the shared table on upgrade
(with their read state), tracking's stay, and a downgrade puts the aid rows back where they were."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from services import migrate
from services.db import make_engine
from tests.conftest import create_pg_database, drop_pg_database

READ_AT = datetime(2023, 8, 16, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("pg_server_url")
    name, url = create_pg_database(server)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(server, name)


def _seed_before_the_inbox(engine: Engine) -> None:
    """Rows as the two inboxes held them before the migration."""
    now = datetime(2023, 8, 15, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        md = sa.MetaData()
        org_unit, user_account, aid_notification, notification = (
            sa.Table(name, md, autoload_with=conn)
            for name in ("org_unit", "user_account", "aid_notification", "notification")
        )
        org = conn.execute(
            sa.insert(org_unit).values(
                code="X",
                name="测试工会",
                kind="county",
                division_code="341622",
                path="/1/",
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        user = conn.execute(
            sa.insert(user_account).values(
                username="staff",
                display_name="县总工会",
                password_hash="x",
                role="union_county",
                org_unit_id=org,
                is_active=True,
                token_version=1,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        conn.execute(
            sa.insert(aid_notification).values(
                user_id=user,
                year=2023,
                deadline="paper_files",
                due_on=date(2023, 8, 20),
                day=date(2023, 8, 15),
                message="纸质材料8月20日截止，还有5天到期",
                read_at=READ_AT,
                created_at=now,
            )
        )
        conn.execute(
            sa.insert(notification).values(
                recipient_id=user,
                org_unit_id=org,
                kind="handoff",
                title="异地求职转介",
                body="请接收",
                link=None,
                is_read=False,
                created_at=now,
            )
        )


def test_upgrade_moves_aid_warnings_into_the_inbox_and_downgrade_moves_them_back(fresh_engine: Engine) -> None:
    for before_the_inbox in ("0004", "0005", "0006", "0007", "0008"):
        migrate.upgrade(fresh_engine, before_the_inbox)
    _seed_before_the_inbox(fresh_engine)

    migrate.upgrade(fresh_engine)
    with fresh_engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT source, kind, title, body, link, key, is_read, read_at FROM notification ORDER BY id")
        ).all()
        assert "aid_notification" not in sa.inspect(conn).get_table_names()
    assert [r.source for r in rows] == ["tracking", "aid"]
    aid_row = rows[1]
    assert aid_row.kind == "deadline" and aid_row.body == "纸质材料8月20日截止，还有5天到期"
    assert aid_row.title == "截止日期提醒：报送纸质申报材料至职工服务中心"
    assert aid_row.key == "aid:2023:paper_files:2023-08-15" and aid_row.link == "/api/v1/aid/campaigns/2023/deadlines"
    assert aid_row.is_read and aid_row.read_at is not None
    assert rows[0].title == "异地求职转介" and rows[0].key is None

    migrate.downgrade(fresh_engine, "0005")
    with fresh_engine.connect() as conn:
        back = conn.execute(sa.text("SELECT year, deadline, due_on, day, message, read_at FROM aid_notification")).all()
        left = conn.execute(sa.text("SELECT kind, title FROM notification")).all()
    assert len(back) == 1
    year, deadline, due_on, day, message, read_at = back[0]
    assert (year, deadline, message) == (2023, "paper_files", "纸质材料8月20日截止，还有5天到期")
    assert str(day) == "2023-08-15" and read_at is not None
    assert [tuple(r) for r in left] == [("handoff", "异地求职转介")]
