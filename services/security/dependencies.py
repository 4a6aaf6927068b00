"""Typed dependencies: the current principal and role guards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from services.db import SessionDep
from services.errors import Forbidden, NotFound, Unauthorized
from services.security import audit, service, throttle
from services.security.principal import Principal

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def client_address(request: Request) -> str:
    """The caller's address: the peer, or X-Forwarded-For when the peer is a trusted proxy (settings)."""
    peer = request.client.host if request.client else None
    return throttle.client_address(peer, request.headers.get("x-forwarded-for"))


def get_principal(
    session: SessionDep, request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Iterator[Principal]:
    """The caller. A request it makes that ends in 404 or 403 (an object out of its scope, a role refused) is
    put on the audit record as a denial, in a transaction of its own: who, which route and object, from where."""
    if not token:
        raise Unauthorized("请先登录")
    principal = service.principal_for(session, token=token, address=client_address(request))
    session.info["principal"] = principal
    try:
        yield principal
    except (NotFound, Forbidden) as exc:
        route = request.scope.get("route")
        audit.record_denial(
            session,
            action="access",
            target_type=str(getattr(route, "path", request.url.path)),
            target_id=",".join(f"{k}={v}" for k, v in sorted(request.path_params.items())) or None,
            detail={"method": request.method, "status": exc.status, "reason": exc.detail},
            principal=principal,
        )
        raise


CurrentPrincipal = Annotated[Principal, Depends(get_principal, scope="function")]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def guard(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden("您的角色无权执行此操作")
        return principal

    guard.__name__ = "require_" + "_".join(sorted(allowed))
    return guard


StaffPrincipal = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
