"""Signing takes its seat through the catalog's guarded count: on PostgreSQL two signings for the last seat at once
(two threads, two connections, released together) give exactly one signing and one clear 409, and the position
ends filled == headcount. The database itself refuses a filled count above the headcount, on both backends.

The concurrent case needs real commits from real threads, so it runs on its own freshly migrated database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services import db as dbmod
from services import migrate
from services.catalog.models import Position
from services.errors import Conflict
from services.orgs import service as orgs_service
from services.orgs.models import OrgUnit
from services.security.models import Role, User
from services.tracking import service
from services.tracking.models import Application
from tests.conftest import World, create_pg_database, drop_pg_database
from tests.tracking.factories import make_employer, make_graduate, make_position, principal_of


@pytest.fixture
def pg_engine(pg_server_url: str) -> Iterator[Engine]:
    name, url = create_pg_database(pg_server_url)
    engine = dbmod.make_engine(url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(pg_server_url, name)


def _world(session: Session) -> World:
    w = World()
    orgs_service.load_tree(session, rows=orgs_service.read_tree())
    for unit in session.scalars(select(OrgUnit)):
        w.orgs[unit.code] = unit.id
    user = User(username="counselor", display_name="指导员", password_hash="x", role=Role.COUNSELOR)
    user.org_unit_id = w.orgs["BZ-MC"]
    session.add(user)
    session.flush()
    w.users["counselor_a"], w.roles["counselor_a"] = user.id, Role.COUNSELOR
    return w


def _offered(session: Session, world: World, position: Position) -> int:
    graduate = make_graduate(session, world)
    app = Application(
        graduate_id=graduate.id,
        position_id=position.id,
        employer_id=position.employer_id,
        org_unit_id=graduate.org_unit_id,
        state="offered",
    )
    session.add(app)
    session.flush()
    return app.id


@pytest.mark.postgres
def test_two_signings_for_the_last_seat_at_once_give_one_signing(pg_engine: Engine) -> None:
    factory = sessionmaker(bind=pg_engine, expire_on_commit=False)
    with factory.begin() as session:
        world = _world(session)
        position = make_position(session, world, employer=make_employer(session, world), headcount=2)
        position.filled = 1  # one seat left
        apps = [_offered(session, world, position), _offered(session, world, position)]
        position_id, counselor_id = position.id, world.users["counselor_a"]

    barrier = threading.Barrier(2)
    signed: list[int] = []
    refused: list[Conflict] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def sign(application_id: int) -> None:
        try:
            with factory.begin() as s:
                counselor = principal_of(s, counselor_id)
                barrier.wait(timeout=30)
                service.move(
                    s,
                    principal=counselor,
                    application_id=application_id,
                    to_state="signed",
                    note="线下签约，合同已核验",
                )
            with lock:
                signed.append(application_id)
        except Conflict as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=sign, args=(app_id,)) for app_id in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(signed) == 1 and len(refused) == 1, (signed, refused)
    assert refused[0].status == 409 and "名额已满" in refused[0].detail

    with factory() as s:
        row = s.get(Position, position_id)
        assert row is not None and row.filled == row.headcount == 2 and row.status == "filled"
        states = dict(s.execute(select(Application.id, Application.state).where(Application.id.in_(apps))).all())
        loser = next(a for a in apps if a not in signed)
        assert states[signed[0]] == "signed"
        assert states[loser] != "signed"


def test_the_database_refuses_a_filled_count_above_the_headcount(db: Session, world: World) -> None:
    position = make_position(db, world, employer=make_employer(db, world), headcount=1)
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(update(Position).where(Position.id == position.id).values(filled=2))
    db.execute(update(Position).where(Position.id == position.id).values(filled=1))
    unlimited = make_position(db, world, employer=make_employer(db, world), headcount=None)
    db.execute(update(Position).where(Position.id == unlimited.id).values(filled=50))
    db.expire_all()
    assert db.get(Position, position.id).filled == 1  # type: ignore[union-attr]
