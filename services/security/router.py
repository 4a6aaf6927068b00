from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordRequestForm

from services.config import get_settings
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security import audit, service
from services.security import reveal as reveal_mod
from services.security.dependencies import CurrentPrincipal, client_address, require_roles
from services.security.models import User
from services.security.principal import Principal
from services.security.schemas import (
    AuditOut,
    PasswordChange,
    RevealOut,
    RevealRequest,
    Token,
    UserCreate,
    UserOut,
)

router = APIRouter(prefix="/api/v1", tags=["账号与安全"])
AuditReader = Annotated[Principal, Depends(require_roles("union_city", "admin"))]


@router.post(
    "/auth/token",
    response_model=Token,
    summary="登录（OAuth2 密码模式）",
    description="用户名和密码换取访问令牌；连续失败会被限流。",
    responses=responses(TooManyRequests),
)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, request: Request) -> Token:
    user, token = service.authenticate(
        session, username=form.username, password=form.password, address=client_address(request)
    )
    return Token(access_token=token, expires_in=get_settings().access_token_minutes * 60, role=user.role)


@router.get("/auth/me", response_model=UserOut, summary="当前账号", description="返回当前登录账号（手机号已脱敏）。")
def me(principal: CurrentPrincipal, session: SessionDep) -> User:
    return service.get_user(session, principal=principal, user_id=principal.user_id)


@router.post(
    "/auth/password",
    status_code=204,
    summary="修改密码",
    description="修改本人密码；此前签发的令牌全部失效。",
    responses=responses(ValidationFailed),
)
def change_password(body: PasswordChange, principal: CurrentPrincipal, session: SessionDep) -> None:
    user = service.get_user(session, principal=principal, user_id=principal.user_id)
    service.change_password(session, user=user, old=body.old_password, new=body.new_password)


@router.get(
    "/users",
    response_model=Page[UserOut],
    summary="账号列表",
    description="工会和管理员查看管辖范围内的账号。",
    responses=responses(Forbidden),
)
def list_users(principal: CurrentPrincipal, session: SessionDep, page: PageDep) -> Page[UserOut]:
    users = service.list_users(session, principal=principal, limit=page.limit, offset=page.offset)
    return Page[UserOut](items=[UserOut.model_validate(u) for u in users], limit=page.limit, offset=page.offset)


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    summary="创建账号",
    description="管理员可创建任何角色；工会可在管辖范围内创建指导员、毕业生和企业账号。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def create_user(body: UserCreate, principal: CurrentPrincipal, session: SessionDep) -> User:
    return service.create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=body.display_name,
        org_unit_id=body.org_unit_id,
        phone=body.phone,
        email=body.email,
        creator=principal,
    )


@router.get("/users/{user_id}", response_model=UserOut, summary="查看账号", responses=responses(NotFound))
def get_user(user_id: int, principal: CurrentPrincipal, session: SessionDep) -> User:
    return service.get_user(session, principal=principal, user_id=user_id)


@router.post(
    "/users/{user_id}/disable",
    response_model=UserOut,
    summary="停用账号",
    description="停用后该账号此前签发的令牌立即失效。",
    responses=responses(Forbidden, NotFound),
)
def disable_user(user_id: int, principal: CurrentPrincipal, session: SessionDep) -> User:
    user = service.get_user(session, principal=principal, user_id=user_id)
    if (
        not principal.is_staff
        or user.id == principal.user_id
        or user.role not in service.CREATABLE.get(principal.role, set())
    ):
        raise Forbidden("您无权停用该账号")
    service.set_active(session, user=user, active=False)
    return user


@router.post(
    "/reveal",
    response_model=RevealOut,
    summary="查看敏感字段明文",
    description="须说明用途；每次查看都先写入审计日志，写入失败则不返回明文。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def reveal(body: RevealRequest, principal: CurrentPrincipal, session: SessionDep) -> RevealOut:
    value = reveal_mod.reveal(
        session,
        principal=principal,
        target_type=body.target_type,
        target_id=body.target_id,
        field=body.field,
        purpose=body.purpose,
    )
    return RevealOut(target_type=body.target_type, target_id=body.target_id, field=body.field, value=value)


@router.get(
    "/audit",
    response_model=Page[AuditOut],
    summary="审计日志",
    description="市总和管理员查阅明文查看、登录和数据修改记录。",
    responses=responses(Forbidden),
)
def audit_log(
    _: AuditReader, session: SessionDep, page: PageDep, action: Annotated[str | None, Query(max_length=32)] = None
) -> Page[AuditOut]:
    events = audit.list_events(session, action=action, limit=page.limit, offset=page.offset)
    rows = [AuditOut.model_validate(r) for r in events]
    return Page[AuditOut](items=rows, limit=page.limit, offset=page.offset)
