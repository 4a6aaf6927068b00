"""消息: the signed-in account's notifications, for every role; marking one read swaps its row (htmx)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.db import SessionDep
from services.notifications import service as notifications
from services.security.models import Role
from services.web.auth import ViewerDep
from services.web.pages import PageRoute, is_htmx, redirect, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PER_PAGE = 20
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

# A message's link names an API resource; the console page that shows it, per role. Pages of other roles add
# their patterns here.
_UNION = (Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)
LINKS: list[tuple[re.Pattern[str], tuple[str, ...], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^/api/v1/tracking/applications/(\d+)$"),
        (Role.GRADUATE,),
        lambda m: f"/graduate/applications#application-{m[1]}",
    ),
    (re.compile(r"^/api/v1/tracking/graduates/(\d+)/timeline$"), _UNION, lambda m: f"/counselor/graduates/{m[1]}"),
    (re.compile(r"^/api/v1/tracking/handoffs/(\d+)$"), _UNION, lambda m: f"/counselor/handoffs#handoff-{m[1]}"),
]


def console_link(role: str, link: str | None) -> str | None:
    if not link:
        return None
    for pattern, roles, target in LINKS:
        match = pattern.match(link)
        if match and role in roles:
            return target(match)
    return None


@router.get("/messages")
def messages(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    unread: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    rows, total = notifications.list_notifications(
        session, principal=viewer.principal, unread_only=unread, source=None, limit=PER_PAGE, offset=offset
    )
    items = [(n, console_link(viewer.role, n.link)) for n in rows]
    context = {"items": items, "total": total, "unread": unread, "offset": offset, "per_page": PER_PAGE}
    return render(request, "messages.html", context, viewer=viewer)


@router.post("/messages/{notification_id}/read")
def mark_read(notification_id: Id, request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    row = notifications.mark_read(session, principal=viewer.principal, notification_id=notification_id)
    if is_htmx(request):
        item = (row, console_link(viewer.role, row.link))
        return render(request, "_message.html", {"item": item}, viewer=viewer)
    return redirect("/messages")
