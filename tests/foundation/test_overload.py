"""Many users at once on PostgreSQL: more concurrent requests than database connections never hang the
service — past its limit a request is answered 503 at once, with Retry-After, and when the burst stops the next
request is served normally. A request that cannot get a connection in time is answered 503, not after 30 s."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services import config, migrate
from services import db as dbmod
from services.app import create_app
from services.security import tokens
from services.security.models import Role, User
from services.security.passwords import hash_password
from tests.conftest import _TMP, create_pg_database, drop_pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pg_db(pg_server_url: str) -> Iterator[tuple[str, int]]:
    name, url = create_pg_database(pg_server_url)
    engine = dbmod.make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session, session.begin():
            user = User(
                username="busy_city",
                display_name="市总",
                password_hash=hash_password("Passw0rd-busy"),
                role=Role.UNION_CITY,
                token_version=1,
            )
            session.add(user)
            session.flush()
            user_id = user.id
        engine.dispose()
        yield url, user_id
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, name)


@pytest.fixture
def server(pg_db: tuple[str, int]) -> Iterator[tuple[str, dict[str, str]]]:
    url, user_id = pg_db
    port = _free_port()
    env = {
        **os.environ,
        "SUNSHINE_DATABASE_URL": url,
        "SUNSHINE_MAX_IN_FLIGHT": "4",  # 8 connections for the process
        "SUNSHINE_DATA_DIR": str(_TMP / f"busy-{port}"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.app:app", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the API did not start")
        token = tokens.issue(user_id=user_id, role=Role.UNION_CITY, version=1)
        yield base, {"Authorization": f"Bearer {token}"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_more_concurrent_requests_than_connections_are_answered_at_once(server: tuple[str, dict[str, str]]) -> None:
    base, headers = server
    with httpx.Client(base_url=base, headers=headers, timeout=10) as warm:
        assert warm.get("/api/v1/auth/me").status_code == 200

    def call(_: int) -> tuple[int, float, str | None]:
        started = time.monotonic()
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            r = c.get("/api/v1/auth/me")
        return r.status_code, time.monotonic() - started, r.headers.get("retry-after")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(call, range(400)))
    took = time.monotonic() - started
    codes = {code for code, _, _ in results}
    assert codes <= {200, 503}, codes
    assert sum(code == 200 for code, _, _ in results) >= 20
    assert all(after == "1" for code, _, after in results if code == 503)
    assert max(t for _, t, _ in results) < 8, "no request hung waiting for a connection"
    assert took < 60

    recovered = time.monotonic()
    with httpx.Client(base_url=base, headers=headers, timeout=5) as after:
        assert after.get("/api/v1/auth/me").status_code == 200
    assert time.monotonic() - recovered < 2


def test_a_request_without_a_connection_in_time_gets_503(
    pg_db: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, user_id = pg_db
    monkeypatch.setenv("SUNSHINE_MAX_IN_FLIGHT", "1")  # a pool of 5
    monkeypatch.setenv("SUNSHINE_DB_POOL_TIMEOUT_SECONDS", "0.5")
    config.get_settings.cache_clear()
    engine: Engine = dbmod.make_engine(url)
    monkeypatch.setattr(dbmod, "get_sessionmaker", lambda: sessionmaker(bind=engine, expire_on_commit=False))
    held = [engine.connect() for _ in range(5)]  # something else holds every connection
    try:
        client = TestClient(create_app(), raise_server_exceptions=False)
        token = tokens.issue(user_id=user_id, role=Role.UNION_CITY, version=1)
        started = time.monotonic()
        answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert time.monotonic() - started < 5
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "1"
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "稍后重试" in answer.json()["detail"]
    finally:
        for conn in held:
            conn.close()
        engine.dispose()
        config.get_settings.cache_clear()
    client = TestClient(create_app())
    monkeypatch.setattr(dbmod, "get_sessionmaker", lambda: sessionmaker(bind=dbmod.make_engine(url)))
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_analyze_gives_the_planner_statistics(pg_db: tuple[str, int]) -> None:
    url, _ = pg_db
    engine = dbmod.make_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO user_account (username, display_name, password_hash, role, token_version, is_active,"
                " created_at, updated_at) SELECT 'bulk' || g, 'x', 'x', 'graduate', 1, true, now(), now()"
                " FROM generate_series(1, 500) g"
            )
        dbmod.analyze(engine)
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'user_account'").scalar_one()
        assert rows >= 500
    finally:
        engine.dispose()
