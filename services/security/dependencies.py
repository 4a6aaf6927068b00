"""Typed dependencies: the current principal and role guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from services.db import SessionDep
from services.errors import Forbidden, Unauthorized
from services.security import service
from services.security.principal import Principal

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_principal(
    session: SessionDep, request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise Unauthorized("请先登录")
    principal = service.principal_for(session, token=token, address=client_address(request))
    session.info["principal"] = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    allowed = frozenset(roles)

    def guard(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden("您的角色无权执行此操作")
        return principal

    guard.__name__ = "require_" + "_".join(sorted(allowed))
    return guard


StaffPrincipal = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
