"""Signing in and out of the console, the viewer of a page, and activating a graduate account from an invitation.

The session cookie carries the same signed access token the API issues (``services.security.tokens``): the same
accounts, roles, scopes and token-version revocation. Pages build the viewer's :class:`Principal` exactly as the
API's bearer dependency does.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.config import get_settings
from services.db import SessionDep
from services.errors import Unauthorized
from services.registry import invitations
from services.security import service as security
from services.security.dependencies import client_address
from services.web import csrf
from services.web.pages import (
    FormErrors,
    LoginRequired,
    PageRoute,
    Viewer,
    attempt,
    form_data,
    home_of,
    redirect,
    render,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def set_session(response: Response, token: str) -> None:
    response.set_cookie(
        csrf.SESSION_COOKIE,
        token,
        max_age=get_settings().access_token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=csrf.secure_cookies(),
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(csrf.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=csrf.secure_cookies())


def get_viewer(request: Request, session: SessionDep) -> Viewer:
    token = request.cookies.get(csrf.SESSION_COOKIE)
    if not token:
        raise LoginRequired()
    try:
        principal = security.principal_for(session, token=token, address=client_address(request))
    except Unauthorized as exc:
        raise LoginRequired(exc.detail) from exc
    session.info["principal"] = principal
    user = security.get_user(session, principal=principal, user_id=principal.user_id)
    return Viewer(principal=principal, display_name=user.display_name)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never ``//host`` or an absolute URL) is followed after login."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parsed = urlparse(target)
    return None if parsed.scheme or parsed.netloc else target


@router.get("/")
def index(request: Request, session: SessionDep) -> Response:
    try:
        viewer = get_viewer(request, session)
    except LoginRequired:
        return redirect("/login")
    return redirect(home_of(viewer.role))


@router.get("/login")
def login_page(
    request: Request,
    next_: Annotated[str | None, Query(alias="next", max_length=500)] = None,
    reason: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next_) or "", "notice": reason})


@router.post("/login")
async def login(request: Request, session: SessionDep) -> Response:
    form = await form_data(request)
    username, password = form.get("username", "").strip(), form.get("password", "")
    target = _safe_next(form.get("next"))
    result = attempt(
        session,
        lambda: security.authenticate(session, username=username, password=password, address=client_address(request)),
    )
    if isinstance(result, FormErrors):
        context = {"next": target or "", "username": username, "errors": result}
        return render(request, "login.html", context, status_code=result.status)
    user, token = result
    response = redirect(target or home_of(user.role))
    set_session(response, token)
    return response


@router.post("/logout")
def logout() -> Response:
    response = redirect("/login?reason=" + "您已退出登录")
    clear_session(response)
    return response


@router.get("/activate")
def activate_page(
    request: Request, session: SessionDep, code: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    context: dict[str, object] = {"code": code or ""}
    if code:
        name = attempt(session, lambda: invitations.greeting_name(session, code=code))
        if isinstance(name, FormErrors):
            context["errors"] = name
        else:
            context["name"] = name
    return render(request, "activate.html", context)


@router.post("/activate")
async def activate(request: Request, session: SessionDep) -> Response:
    form = await form_data(request)
    code, username = form.get("code", "").strip(), form.get("username", "").strip()
    password, again = form.get("password", ""), form.get("password_again", "")
    context: dict[str, object] = {"code": code, "username": username}
    if password != again:
        errors = FormErrors(detail="两次输入的密码不一致", fields={"password_again": "两次输入的密码不一致"})
        return render(request, "activate.html", {**context, "errors": errors}, status_code=422)
    result = attempt(
        session,
        lambda: invitations.redeem(
            session, code=code, username=username, password=password, address=client_address(request)
        ),
    )
    if isinstance(result, FormErrors):
        return render(request, "activate.html", {**context, "errors": result}, status_code=result.status)
    user, token = result
    response = redirect(home_of(user.role))
    set_session(response, token)
    return response
