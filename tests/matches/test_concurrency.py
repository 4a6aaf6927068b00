"""A chunk delivered twice (acks_late, a worker lost) to two workers at once on PostgreSQL: the second waits
for the first and finds the work done, instead of failing on the stored rows."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from services import db as dbmod
from services import migrate
from services.matches import stored
from services.matches.models import MatchResult, MatchSnapshot
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from tests.conftest import World, create_pg_database, drop_pg_database
from tests.matches.factories import make_graduate, make_position


@pytest.fixture
def committed_pg(pg_server_url: str) -> Iterator[Engine]:
    name, url = create_pg_database(pg_server_url)
    engine = dbmod.make_engine(url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, name)


def test_the_same_chunk_on_two_workers_runs_once(committed_pg: Engine) -> None:
    factory = sessionmaker(bind=committed_pg, expire_on_commit=False)
    with factory.begin() as session:
        orgs_service.load_tree(session, rows=orgs_service.read_tree())
        world = World(orgs={u.code: u.id for u in session.scalars(select(OrgUnit))})
        make_position(session, world)
        ids = [make_graduate(session, world).id for _ in range(3)]

    first = factory()
    first.begin()
    assert stored.rematch_graduates(first, graduate_ids=ids).computed == 3  # locks held until commit
    results: list[stored.RematchSummary] = []
    errors: list[BaseException] = []

    def second_worker() -> None:
        try:
            with factory.begin() as other:
                results.append(stored.rematch_graduates(other, graduate_ids=list(reversed(ids))))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=second_worker)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the second worker must wait for the first one's locks"
    first.commit()
    first.close()
    thread.join(timeout=60)
    assert not errors and len(results) == 1
    assert results[0].computed == 0 and results[0].skipped == 3
    with Session(committed_pg) as check:
        assert check.scalar(select(func.count()).select_from(MatchSnapshot)) == 3
        assert check.scalar(select(func.count()).select_from(MatchResult)) == 3
