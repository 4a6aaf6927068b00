"""管理员 pages: 账号 (list, create, disable), 基础数据 (the reference catalogs' loads and row counts, the code
lists' versions) and 审计日志 (filtered by action, account, target and day). Every domain call is the one the API
routers make; phone numbers are shown masked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.config import get_settings
from services.db import SessionDep
from services.errors import Forbidden
from services.orgs import service as orgs
from services.refdata import service as refdata
from services.refdata.enums import vocabularies
from services.security import audit
from services.security import service as security
from services.security.models import ROLE_NAMES, Role
from services.web.auth import get_viewer
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, require_role
from services.web.validation import day

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PER_PAGE = 50
AUDIT_ACTIONS = {
    "login": "登录",
    "reveal": "查看明文",
    "export": "导出",
    "import": "导入",
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "close": "解档",
    "reopen": "恢复",
    "invite": "发送激活邀请",
    "activate": "激活账号",
    "revoke": "撤销",
}


def admin_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, Role.ADMIN)
    return viewer


AdminViewer = Annotated[Viewer, Depends(admin_viewer)]


# ---- 账号 -------------------------------------------------------------------------------------------------


def _accounts_context(session: Session, viewer: Viewer, offset: int) -> dict[str, Any]:
    users = security.list_users(session, principal=viewer.principal, limit=PER_PAGE + 1, offset=offset)
    units = orgs.list_units(session, scope=viewer.principal.scope)
    return {
        "users": users[:PER_PAGE],
        "has_more": len(users) > PER_PAGE,
        "offset": offset,
        "per_page": PER_PAGE,
        "roles": [(r.value, n) for r, n in ROLE_NAMES.items()],
        "role_names": {r.value: n for r, n in ROLE_NAMES.items()},
        "units": [(str(u.id), u.name) for u in units],
        "unit_names": {u.id: u.name for u in units},
        "form": {},
        "errors": FormErrors(),
    }


@router.get("/accounts")
def accounts(
    request: Request,
    viewer: AdminViewer,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    done: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    context = {**_accounts_context(session, viewer, offset), "done": done}
    return render(request, "admin/accounts.html", context, viewer=viewer)


@router.post("/accounts")
async def create_account(request: Request, viewer: AdminViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    unit = form.get("org_unit_id", "")
    result = attempt(
        session,
        lambda: security.create_user(
            session,
            username=form.get("username", "").strip(),
            password=form.get("password", ""),
            role=form.get("role", ""),
            display_name=form.get("display_name", "").strip(),
            org_unit_id=int(unit) if unit.isdigit() else None,
            phone=form.get("phone", "").strip() or None,
            email=form.get("email", "").strip() or None,
            creator=viewer.principal,
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_accounts_context(session, viewer, 0), "form": form, "errors": result}
        return render(request, "admin/accounts.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/admin/accounts?done={quote('已创建账号 ' + result.username)}", request)


@router.post("/accounts/{user_id}/disable")
def disable_account(user_id: Id, request: Request, viewer: AdminViewer, session: SessionDep) -> Response:
    user = security.get_user(session, principal=viewer.principal, user_id=user_id)
    if user.id == viewer.principal.user_id or user.role not in security.CREATABLE.get(viewer.role, set()):
        raise Forbidden("您无权停用该账号")
    security.set_active(session, user=user, active=False)
    return redirect(f"/admin/accounts?done={quote('已停用账号 ' + user.username)}", request)


# ---- 基础数据 ---------------------------------------------------------------------------------------------

CATALOG_NAMES = {
    "majors": "专业目录",
    "undergrad_majors": "本科专业",
    "vocational_majors": "职业教育专业",
    "major_code_changes": "专业代码变更",
    "major_profiles": "专业画像",
    "major_occupations": "专业—职业对应",
    "occupations": "职业分类大典",
    "industries": "国民经济行业分类",
    "divisions": "行政区划",
    "divisions_with_coordinates": "有坐标的行政区划",
    "division_history": "行政区划变更",
}


@router.get("/refdata")
def refdata_page(request: Request, viewer: AdminViewer, session: SessionDep) -> HTMLResponse:
    vocab = vocabularies(session)
    context = {
        "loads": refdata.load_history(session, limit=50),
        "counts": refdata.counts(session),
        "catalog_names": CATALOG_NAMES,
        "vocabularies": sorted(((k, v) for k, v in vocab.items()), key=lambda kv: kv[0]),
    }
    return render(request, "admin/refdata.html", context, viewer=viewer)


# ---- 审计日志 ---------------------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(get_settings().timezone))


@router.get("/audit")
def audit_page(
    request: Request,
    viewer: AdminViewer,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=32)] = None,
    actor: Annotated[str | None, Query(max_length=50)] = None,
    target_type: Annotated[str | None, Query(max_length=64)] = None,
    since_text: Annotated[str | None, Query(alias="since", max_length=10)] = None,
    until_text: Annotated[str | None, Query(alias="until", max_length=10)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    since, until = day(since_text, field="since"), day(until_text, field="until")
    actor_id: int | None = None
    unknown_actor = False
    if actor and actor.strip():
        found = security.find_user(session, principal=viewer.principal, username=actor)
        actor_id, unknown_actor = (found.id, False) if found else (None, True)
    events = (
        []
        if unknown_actor
        else audit.list_events(
            session,
            action=action or None,
            actor_id=actor_id,
            target_type=(target_type or "").strip() or None,
            since=_day_start(since) if since else None,
            until=_day_start(until + timedelta(days=1)) if until else None,
            limit=PER_PAGE + 1,
            offset=offset,
        )
    )
    query = "&".join(
        f"{k}={quote(str(v))}"
        for k, v in {
            "action": action,
            "actor": actor,
            "target_type": target_type,
            "since": since,
            "until": until,
        }.items()
        if v
    )
    context = {
        "events": events[:PER_PAGE],
        "has_more": len(events) > PER_PAGE,
        "offset": offset,
        "per_page": PER_PAGE,
        "actions": list(AUDIT_ACTIONS.items()),
        "action_names": AUDIT_ACTIONS,
        "role_names": {r.value: n for r, n in ROLE_NAMES.items()},
        "filters": {
            "action": action or "",
            "actor": actor or "",
            "target_type": target_type or "",
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
        },
        "unknown_actor": unknown_actor,
        "base": "/admin/audit?" + (query + "&" if query else ""),
    }
    return render(request, "admin/audit.html", context, viewer=viewer)
