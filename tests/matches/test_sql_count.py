"""The matches route reads what it needs in a fixed number of SQL statements: counted with a
``before_cursor_execute`` listener on two catalog sizes, the count does not grow with the data.

The statements (the test's own SAVEPOINT / RELEASE left out): the principal's account; the graduate, read once
— profile, family status, account (the scope check), certificates, the home union's county, and the catalog
version with the active weights the index must be in step with, in one statement — two. The listed positions'
employers come with their records from the index, which follows the catalog version.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.conftest import World
from tests.matches.factories import make_employer, make_graduate, make_position

MAX_STATEMENTS = 2


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def _request(client: TestClient, world: World, graduate_id: int) -> list[str]:
    resp = client.get(f"/api/v1/graduates/{graduate_id}/matches", headers=world.headers("graduate_a"))
    assert resp.status_code == 200, resp.text
    return [str(i["position_id"]) for i in resp.json()["items"]]


def test_matches_route_statements_do_not_grow_with_the_data(client: TestClient, db: Session, world: World) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    employer = make_employer(db, world)
    for _ in range(3):
        make_position(db, world, employer=employer, major_classes=["5102"])
    db.commit()
    _request(client, world, me.id)  # the index is built once per catalog version
    with counted(db) as small:
        got_small = _request(client, world, me.id)
    for _ in range(30):
        make_position(db, world, employer=employer, major_classes=["5102"])
    db.commit()
    _request(client, world, me.id)
    with counted(db) as large:
        got_large = _request(client, world, me.id)
    assert len(got_large) > len(got_small) >= 3
    assert len(small) <= MAX_STATEMENTS, small
    assert len(large) <= len(small), large
    graduate_reads = [s for s in large if re.search(r"FROM registry_graduate\b(?!_)", s)]
    assert len(graduate_reads) == 1, graduate_reads
