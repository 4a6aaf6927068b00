"""CSRF tokens bound to the session: an HMAC of the session cookie (or, before login, of a random browser cookie).

Every form carries the token in a hidden ``csrf_token`` field and htmx sends it as ``X-CSRF-Token``; a POST to a
console page without the token of its own session is refused with 403 before the page's code runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from services.config import get_settings

SESSION_COOKIE = "sunshine_session"
BROWSER_COOKIE = "sunshine_browser"  # binds the login and activation forms before there is a session
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfRejected(Exception):
    pass


def secure_cookies() -> bool:
    return get_settings().environment == "production"


def token_for(binding: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


@dataclass(slots=True)
class Binding:
    value: str
    new_browser_cookie: bool = False

    def persist(self, response: Response) -> None:
        if self.new_browser_cookie:
            response.set_cookie(
                BROWSER_COOKIE,
                self.value,
                httponly=True,
                samesite="lax",
                secure=secure_cookies(),
                path="/",
            )


def binding(request: Request) -> Binding:
    """What this browser's tokens are bound to: the session, else the browser cookie (made now if missing)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return Binding(session)
    browser = request.cookies.get(BROWSER_COOKIE)
    if browser:
        return Binding(browser)
    made = getattr(request.state, "browser_cookie", None)
    if made is None:
        made = secrets.token_urlsafe(24)
        request.state.browser_cookie = made
    return Binding(made, new_browser_cookie=True)


async def verify(request: Request) -> None:
    sent = request.headers.get(HEADER)
    if not sent:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    bound = request.cookies.get(SESSION_COOKIE) or request.cookies.get(BROWSER_COOKIE)
    if not sent or not bound or not hmac.compare_digest(sent, token_for(bound)):
        raise CsrfRejected("页面已过期或请求来源无法确认（缺少有效的安全校验码），请刷新页面后重新提交")
