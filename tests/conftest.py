"""Shared fixtures: a migrated database per backend (SQLite always; PostgreSQL when configured),
one rolled-back transaction per test, an org tree with accounts of every role in two counties,
an HTTP client, and Redis for the broker tests.

Under CI (``SUNSHINE_REQUIRE_SERVICES=1``) a missing PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="sunshine-test-"))
os.environ["SUNSHINE_ENVIRONMENT"] = "test"
os.environ["SUNSHINE_DATA_DIR"] = str(_TMP)
os.environ.pop("SUNSHINE_DATABASE_URL", None)
os.environ.pop("SUNSHINE_REDIS_URL", None)

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from services import db as dbmod  # noqa: E402
from services import migrate  # noqa: E402
from services.app import create_app  # noqa: E402
from services.config import get_settings  # noqa: E402
from services.orgs import service as orgs_service  # noqa: E402
from services.orgs.models import OrgUnit  # noqa: E402
from services.security import tokens  # noqa: E402
from services.security.models import Role, User  # noqa: E402
from services.security.passwords import hash_password  # noqa: E402

REQUIRE_SERVICES = os.environ.get("SUNSHINE_REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get("SUNSHINE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("SUNSHINE_TEST_REDIS_URL", "")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _WORKER.startswith("gw"):
    # each xdist worker flushes and watches its own Redis database
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{15 - int(_WORKER[2:]) % 15}"
PASSWORD = "Passw0rd-test"
_HASH = hash_password(PASSWORD)


def missing_service(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required under CI but is not reachable/configured")
    pytest.skip(f"{what} not configured")


def _pg_admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    if not PG_URL:
        missing_service("PostgreSQL (SUNSHINE_TEST_POSTGRES_URL)")
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        missing_service(f"PostgreSQL ({exc.__class__.__name__})")
    return PG_URL


def create_pg_database(server_url: str) -> tuple[str, str]:
    name = f"sunshine_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A freshly migrated database of the backend, with the org tree and accounts committed."""
    if backend == "sqlite":
        url = f"sqlite:///{_TMP / f'test-{uuid.uuid4().hex[:6]}.db'}"
        eng = dbmod.make_engine(url)
        migrate.upgrade(eng)
        yield eng
        eng.dispose()
        return
    server = request.getfixturevalue("pg_server_url")
    name, url = create_pg_database(server)
    eng = dbmod.make_engine(url)
    try:
        migrate.upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        drop_pg_database(server, name)


@dataclass
class World:
    """Org units and one account per role in two counties (A = 蒙城县, B = 涡阳县) plus city staff."""

    orgs: dict[str, int] = field(default_factory=dict)  # code -> id
    users: dict[str, int] = field(default_factory=dict)  # key -> id, key like "counselor_a"
    roles: dict[str, str] = field(default_factory=dict)  # key -> role

    def token(self, key: str) -> str:
        return tokens.issue(user_id=self.users[key], role=self.roles[key], version=1)

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(key)}"}


COUNTY = {"a": "BZ-MC", "b": "BZ-GY"}
GRASSROOTS = {"a": "BZ-MC-01", "b": "BZ-GY-01"}


@pytest.fixture(scope="session")
def world(engine: Engine) -> World:
    w = World()
    with Session(engine) as session, session.begin():
        orgs_service.load_tree(session, rows=orgs_service.read_tree())
        for unit in session.query(OrgUnit):
            w.orgs[unit.code] = unit.id
        specs: list[tuple[str, str, str]] = [("admin", Role.ADMIN, "BZ"), ("city", Role.UNION_CITY, "BZ")]
        for side in ("a", "b"):
            specs += [
                (f"county_{side}", Role.UNION_COUNTY, COUNTY[side]),
                (f"counselor_{side}", Role.COUNSELOR, COUNTY[side]),
                (f"graduate_{side}", Role.GRADUATE, GRASSROOTS[side]),
                (f"enterprise_{side}", Role.ENTERPRISE, COUNTY[side]),
            ]
        for key, role, org in specs:
            user = User(
                username=f"t_{key}",
                display_name=key,
                password_hash=_HASH,
                role=role,
                org_unit_id=w.orgs[org],
                token_version=1,
            )
            session.add(user)
            session.flush()
            w.users[key] = user.id
            w.roles[key] = role
    return w


@pytest.fixture
def db(engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A session inside one outer transaction that is rolled back after the test.

    The application, eager tasks and commands get sessions on the same connection (commits become
    savepoint releases), so whatever a test does through the API disappears afterwards.
    """
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    monkeypatch.setattr(dbmod, "get_sessionmaker", lambda: factory)
    monkeypatch.setattr(dbmod, "get_engine", lambda: engine)
    session = factory()
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()


_APPS: dict[int, tuple[object, FastAPI]] = {}


def shared_app() -> FastAPI:
    """One app per settings object, shared by the tests of a process: FastAPI builds the state of every route on an
    app's first request, which costs more than most tests. Settings changed by a test (a new settings object) get
    an app of their own."""
    settings = get_settings()
    entry = _APPS.get(id(settings))
    if entry is None or entry[0] is not settings:
        entry = (settings, create_app())
        _APPS[id(settings)] = entry
    return entry[1]


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    with TestClient(shared_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not REDIS_URL:
        missing_service("Redis (SUNSHINE_TEST_REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis ({exc.__class__.__name__})")
    return REDIS_URL
