"""The statements each main route sends do not grow with the data: the same routes on a demo world and on one
four times its size send the same number of statements (per-row queries would multiply them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import sessionmaker

from services import db as dbmod
from services.app import create_app
from services.security import tokens
from services.security.models import User
from services.tracking.models import Application, Contact
from tests.conftest import drop_pg_database
from tests.demo.worlds import fresh_engine, populate

pytestmark = pytest.mark.slow

SMALL, LARGE = 0.02, 0.08


@dataclass
class Counted:
    size: float
    graduates: int
    statements: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, Any] = field(default_factory=dict)


def _measure(backend: str, request: pytest.FixtureRequest, size: float) -> Counted:
    engine, server, name = fresh_engine(backend, request)
    try:
        with pytest.MonkeyPatch.context() as mp:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            mp.setattr(dbmod, "get_sessionmaker", lambda: factory)
            mp.setattr(dbmod, "get_engine", lambda: engine)
            demo = populate(engine, size=size)
            with factory() as session:
                users = {u.username: u for u in session.scalars(select(User))}
                busiest = session.execute(
                    select(Contact.graduate_id).group_by(Contact.graduate_id).order_by(func.count().desc()).limit(1)
                ).scalar_one()
                wanted = session.execute(
                    select(Application.position_id)
                    .where(Application.state != "recommended")
                    .group_by(Application.position_id)
                    .order_by(func.count().desc())
                    .limit(1)
                ).scalar_one()

            def headers(username: str) -> dict[str, str]:
                u = users[username]
                return {"Authorization": f"Bearer {tokens.issue(user_id=u.id, role=u.role, version=u.token_version)}"}

            routes = {
                "workbench (city)": ("/api/v1/tracking/workbench", "city"),
                "workbench (mine)": ("/api/v1/tracking/workbench?mine=true", "counselor"),
                "positions": ("/api/v1/positions", "city"),
                "positions (graduate)": ("/api/v1/positions?status=open", "graduate"),
                "graduates": ("/api/v1/registry/graduates", "city"),
                "timeline": (f"/api/v1/tracking/graduates/{busiest}/timeline", "city"),
                "applicants": (f"/api/v1/tracking/positions/{wanted}/applicants", "city"),
            }
            out = Counted(size=size, graduates=demo.summary.graduates)
            sent: list[str] = []

            def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                sent.append(statement)

            with TestClient(create_app()) as client:
                for label, (path, who) in routes.items():
                    h = headers(who)
                    assert client.get(path, headers=h).status_code == 200, label  # warm caches
                    event.listen(engine, "before_cursor_execute", count)
                    try:
                        sent.clear()
                        answer = client.get(path, headers=h)
                    finally:
                        event.remove(engine, "before_cursor_execute", count)
                    assert answer.status_code == 200, (label, answer.text)
                    out.statements[label] = len(sent)
                    out.bodies[label] = answer.json()
            return out
    finally:
        engine.dispose()
        if name:
            drop_pg_database(server, name)


@pytest.fixture(scope="module")
def worlds(backend: str, request: pytest.FixtureRequest) -> tuple[Counted, Counted]:
    return _measure(backend, request, SMALL), _measure(backend, request, LARGE)


def test_statements_per_route_do_not_grow_with_the_world(worlds: tuple[Counted, Counted]) -> None:
    small, large = worlds
    assert large.graduates >= 3 * small.graduates
    grown = {
        k: (small.statements[k], large.statements[k])
        for k in small.statements
        if large.statements[k] > small.statements[k]
    }
    assert not grown, f"statements grew with the data (small, large): {grown}"
    # the workbench is four lists (caseload, overdue, gaps, fresh matches), each a page with its total beside it
    assert large.statements["workbench (city)"] <= 10, large.statements
    assert large.statements["workbench (mine)"] <= 12, large.statements  # a counselor's scope: one statement
    # BEGIN, the account, the count and the page, which brings its employers and rule sets along
    assert large.statements["positions"] <= 3 and large.statements["positions (graduate)"] <= 3, large.statements
    assert all(n <= 13 for n in large.statements.values()), large.statements


def test_workbench_lists_are_paged_and_their_totals_agree(worlds: tuple[Counted, Counted]) -> None:
    _, large = worlds
    body = large.bodies["workbench (city)"]
    assert len(body["caseload"]) == min(body["limit"], body["caseload_total"])
    assert len(body["overdue"]) == min(body["limit"], body["overdue_total"])
    assert len(body["gaps"]) == min(body["limit"], body["gaps_total"])
    assert body["caseload_total"] > body["limit"], "the larger world has more than one page"
    positions = large.bodies["positions"]
    assert positions["total_is_estimate"] is False and positions["total"] > len(positions["items"])
