"""A read whose client has already gone away is not worked on: no login lookup, no query, no route."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from services.app import create_app
from tests.conftest import World


def _call(path: str, headers: dict[str, str], first: dict[str, Any]) -> list[dict[str, Any]]:
    app = create_app()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages = [first]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # a thread of its own: an event loop another test left running in this thread must not matter
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, app, scope, receive, send).result(timeout=60)
    return sent


def test_a_read_whose_client_left_runs_no_query(db: Session, engine: Engine, world: World) -> None:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        gone = _call("/api/v1/tracking/workbench", world.headers("city"), {"type": "http.disconnect"})
        assert gone[0]["status"] == 499
        assert statements == [], "nothing was asked of the database for a client that left"

        here = _call(
            "/api/v1/tracking/workbench",
            world.headers("city"),
            {"type": "http.request", "body": b"", "more_body": False},
        )
        assert here[0]["status"] == 200
        assert statements, "a present client's request is worked on"
    finally:
        event.remove(engine, "before_cursor_execute", seen)
