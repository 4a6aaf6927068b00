"""Checks every aid module shares: staff only, in scope or 404, row locks, and money in cents."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from services.errors import Forbidden, NotFound
from services.security.principal import Principal
from services.security.scope import STAFF

CENT = Decimal("0.01")
REVIEW_ROLES = STAFF
_Row = TypeVar("_Row")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def require_staff(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以执行此操作")


def covers_or_404(principal: Principal, org_unit_id: int | None, what: str) -> None:
    if not principal.covers(org_unit_id):
        raise NotFound(f"{what}不存在或不在您的管辖范围内")


def for_update(stmt: Select[_Row], session: Session) -> Select[_Row]:
    """``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers on its own."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update()
    return stmt
