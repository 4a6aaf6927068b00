"""Requests whose client went away are not worked on: a check every API route runs before its other
dependencies (the login's database connection included)."""

from __future__ import annotations

import anyio
from fastapi import Request

from services.errors import DomainError


class ClientGone(DomainError):
    status = 499
    code = "client_closed_request"
    title = "客户端已断开连接，请求未处理"


async def client_present(request: Request) -> None:
    """Raise :class:`ClientGone` when the client of a read (GET/HEAD) has already disconnected.

    It reads the connection's next message: for a read that is the empty body, present at once, unless the
    client has gone, when the server answers ``http.disconnect`` instead. The wait is bounded (a tenth of a
    second, never reached by a complete request) only so that a client still sending its request is not waited
    on; the bound is loose so that a busy event loop does not mistake a present client for a slow one. Other
    methods are left alone, as their body is for the route to read.
    """
    if request.method not in ("GET", "HEAD"):
        return
    with anyio.move_on_after(0.1):
        if (await request.receive())["type"] == "http.disconnect":
            raise ClientGone()
