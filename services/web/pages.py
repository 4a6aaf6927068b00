"""The console's foundation: templates, the page route class, navigation per role, forms and error pages.

Every console router is ``APIRouter(route_class=PageRoute, include_in_schema=False)``. A page route:

- checks the CSRF token of every POST before anything else runs (403 page without it);
- turns a :class:`~services.errors.DomainError` raised anywhere (a dependency or the domain) into an HTML page
  with the same Chinese title and reason the API's problem+json gives, and "not signed in" into a redirect to
  the login page (``HX-Redirect`` for htmx requests);
- renders with :func:`render`, which puts the viewer, the role's navigation and the CSRF token in every template.

Forms post to the page route, which calls the domain through :func:`attempt` (a savepoint: a refusal leaves
nothing behind) and re-renders the form with :class:`FormErrors` next to the fields.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from services.config import get_settings
from services.errors import DomainError, FieldError, Forbidden, Unauthorized
from services.security import tokens
from services.security.models import ROLE_NAMES, Role
from services.security.principal import Principal
from services.web import csrf

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str


UNION_NAV = [
    NavItem("数据看板", "/union"),
    NavItem("档案", "/union/archives"),
    NavItem("待认证", "/union/employers"),
    NavItem("导入", "/union/imports"),
    NavItem("金秋助学", "/union/aid"),
    NavItem("捐款助学", "/union/donations"),
    NavItem("统计报表", "/union/reports"),
    NavItem("摸排与总结", "/union/surveys"),
    NavItem("购买服务", "/union/purchased"),
    NavItem("金牌蓝领", "/union/golden-pairings"),
    NavItem("结对与创业", "/mentoring"),
    NavItem("工作台", "/counselor"),
    NavItem("消息", "/messages"),
]
# The navigation of each role, in order; the first entry is the role's home. Pages of a role add theirs here.
NAV: dict[str, list[NavItem]] = {
    Role.GRADUATE: [
        NavItem("我的匹配", "/graduate/matches"),
        NavItem("我的求职", "/graduate/applications"),
        NavItem("我的档案与意向", "/graduate/profile"),
        NavItem("消息", "/messages"),
    ],
    Role.COUNSELOR: [
        NavItem("工作台", "/counselor"),
        NavItem("待联系", "/counselor/due"),
        NavItem("交接", "/counselor/handoffs"),
        NavItem("购买服务", "/counselor/referrals"),
        NavItem("金牌蓝领", "/union/golden-pairings"),
        NavItem("结对与创业", "/mentoring"),
        NavItem("消息", "/messages"),
    ],
    Role.ENTERPRISE: [
        NavItem("我的岗位", "/enterprise"),
        NavItem("发布岗位", "/enterprise/positions/new"),
        NavItem("应聘者", "/enterprise/applicants"),
        NavItem("推荐候选人", "/enterprise/candidates"),
        NavItem("金牌蓝领", "/enterprise/golden-pairings"),
        NavItem("消息", "/messages"),
    ],
    Role.UNION_COUNTY: UNION_NAV,
    Role.UNION_CITY: UNION_NAV,
    Role.ADMIN: [
        NavItem("账号", "/admin/accounts"),
        NavItem("基础数据", "/admin/refdata"),
        NavItem("审计日志", "/admin/audit"),
        NavItem("消息", "/messages"),
    ],
}
DEFAULT_NAV = [NavItem("消息", "/messages")]


def nav_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return NAV.get(role, DEFAULT_NAV)


def home_of(role: str) -> str:
    return nav_for(role)[0].href


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person a page is rendered for."""

    principal: Principal
    display_name: str

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(Role(self.principal.role), self.principal.role)


# ---- templates -------------------------------------------------------------------------------------------


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return value.isoformat()


def _money(value: Decimal | int | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):,.0f}"


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters["local"] = _local
templates.env.filters["day"] = _day
templates.env.filters["money"] = _money
templates.env.globals["ROLE_NAMES"] = {r.value: n for r, n in ROLE_NAMES.items()}


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    viewer: Viewer | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """``template`` with the viewer, the role's navigation, the CSRF token and the current path."""
    binding = csrf.binding(request)
    data: dict[str, Any] = {
        "viewer": viewer,
        "nav": nav_for(viewer.role if viewer else None),
        "csrf_token": csrf.token_for(binding.value),
        "path": request.url.path,
        "errors": FormErrors(),
    }
    data.update(context or {})
    response = templates.TemplateResponse(request, template, data, status_code=status_code)
    binding.persist(response)
    return response


def redirect(url: str, request: Request | None = None) -> Response:
    """303 to ``url``; for an htmx request, ``HX-Redirect`` so the whole page moves."""
    if request is not None and is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# ---- forms -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class FormErrors:
    """A refusal shown on the page: the summary (the API's ``detail``) and the reason of each field."""

    detail: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    status: int = 422

    @classmethod
    def of(cls, exc: DomainError) -> FormErrors:
        problem = exc.problem()
        return cls(detail=problem.detail, fields={e.field: e.reason for e in problem.errors}, status=problem.status)

    @classmethod
    def from_fields(cls, errors: list[FieldError], detail: str) -> FormErrors:
        return cls(detail=detail, fields={e.field: e.reason for e in errors})

    def __bool__(self) -> bool:
        return self.detail is not None or bool(self.fields)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


def attempt(session: Session, call: Callable[[], T]) -> T | FormErrors:
    """Run a domain call in a savepoint: its result, or the refusal as :class:`FormErrors` with nothing kept."""
    try:
        with session.begin_nested():
            return call()
    except DomainError as exc:
        return FormErrors.of(exc)


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as text fields (the last value of a repeated name); see :func:`form_list`."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def form_list(request: Request, name: str) -> list[str]:
    form = await request.form()
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def split_list(text: str | None) -> list[str]:
    """``"Java，MySQL、Excel"`` → ``["Java", "MySQL", "Excel"]`` (commas, 、 and new lines separate)."""
    if not text:
        return []
    for sep in ("，", "、", "\n", ";", "；"):
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


# ---- errors and the route class --------------------------------------------------------------------------


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the login page."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "请先登录")
        self.reason = reason


def login_url(request: Request, reason: str | None = None) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target, safe='')}"
    return url + (f"&reason={quote(reason, safe='')}" if reason else "")


def viewer_from_cookie(request: Request) -> Viewer | None:
    """The viewer as far as the cookie alone tells (for the navigation of an error page); no database."""
    token = request.cookies.get(csrf.SESSION_COOKIE)
    if not token:
        return None
    try:
        claims = tokens.decode(token)
    except Unauthorized:
        return None
    principal = Principal(user_id=claims.user_id, username="", role=claims.role, org_unit_id=None, scope=frozenset())
    return Viewer(principal=principal, display_name="")


def error_page(request: Request, *, status: int, title: str, detail: str | None) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "detail": detail},
        viewer=viewer_from_cookie(request),
        status_code=status,
    )


def require_role(viewer: Viewer, *roles: str) -> None:
    if viewer.role not in roles:
        raise Forbidden("您的角色无权访问此页面")


class PageRoute(APIRoute):
    """A console page: CSRF on every POST, domain refusals and validation errors as HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                if request.method == "POST":
                    await csrf.verify(request)
                return await original(request)
            except csrf.CsrfRejected as exc:
                return error_page(request, status=403, title="安全校验未通过", detail=str(exc))
            except LoginRequired as exc:
                return redirect(login_url(request, exc.reason), request)
            except DomainError as exc:
                return error_page(request, status=exc.status, title=exc.title, detail=exc.detail)
            except RequestValidationError as exc:
                reasons = "；".join(_validation_reason(e) for e in exc.errors()[:5])
                return error_page(request, status=422, title="数据校验未通过", detail=reasons)
            except Exception:
                log.exception("unhandled error on page %s %s", request.method, request.url.path)
                return error_page(request, status=500, title="服务器内部错误", detail="请稍后重试或联系管理员")

        return handler


def _validation_reason(err: Mapping[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
    return f"{'.'.join(loc) or '请求'}：{'取值无效' if err.get('type') != 'missing' else '必填项未填写'}"
