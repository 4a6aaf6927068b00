"""Fresh databases holding a small demo world, for the demo and walk-through tests (never the shared test database:
the world commits, and other folders' tests expect their own data only)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services import db as dbmod
from services import migrate
from services.catalog import service as catalog
from services.demo import logins, world
from services.demo.logins import DEMO_PASSWORD, DEMO_USERS
from services.orgs import service as orgs
from services.refdata import service as refdata
from tests.conftest import _TMP, create_pg_database, drop_pg_database

SIZE = 0.02
SEED = 2023


@dataclass
class DemoWorld:
    engine: Engine
    summary: world.WorldSummary
    logins: list[logins.Login]
    backend: str


def fresh_engine(backend: str, request: pytest.FixtureRequest) -> tuple[Engine, str, str]:
    """A migrated, empty database of the backend: (engine, pg server url, pg database name)."""
    if backend == "sqlite":
        engine = dbmod.make_engine(f"sqlite:///{_TMP / f'demo-{uuid.uuid4().hex[:6]}.db'}")
        server = name = ""
    else:
        server = request.getfixturevalue("pg_server_url")
        name, url = create_pg_database(server)
        engine = dbmod.make_engine(url)
    migrate.upgrade(engine)
    return engine, server, name


def populate(engine: Engine, *, size: float = SIZE, seed: int = SEED, today: date | None = None) -> DemoWorld:
    """What ``sunshine demo`` does before serving: org tree, reference catalogs, rule sets, world, logins."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory.begin() as session:
        orgs.load_tree(session, rows=orgs.read_tree())
        refdata.load_all(session)
        catalog.seed_rule_sets(session)
    with factory.begin() as session:
        summary = world.build_world(session, size=size, seed=seed, today=today)
    with factory.begin() as session:
        made = logins.ensure_logins(session, password=DEMO_PASSWORD, specs=DEMO_USERS)
    return DemoWorld(engine=engine, summary=summary, logins=made, backend=engine.dialect.name)


@contextmanager
def demo_world(backend: str, request: pytest.FixtureRequest) -> Iterator[DemoWorld]:
    engine, server, name = fresh_engine(backend, request)
    try:
        with pytest.MonkeyPatch.context() as mp:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            mp.setattr(dbmod, "get_sessionmaker", lambda: factory)
            mp.setattr(dbmod, "get_engine", lambda: engine)
            yield populate(engine, today=world.demo_today())
    finally:
        engine.dispose()
        if name:
            drop_pg_database(server, name)


def session_of(demo: DemoWorld) -> Session:
    return Session(demo.engine, expire_on_commit=False)
