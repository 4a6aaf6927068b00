"""Budgets the city sets per county, year and fund source, and their committed / paid totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.guards import CENT, for_update, money, require_staff
from services.aid.models import (
    AidBudget,
    FundSource,
)
from services.errors import Conflict, Forbidden, ValidationFailed
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import scoped


def set_budget(
    session: Session,
    *,
    principal: Principal,
    county_org_id: int,
    year: int,
    fund_source: str,
    amount: Decimal,
    note: str | None = None,
) -> AidBudget:
    if principal.role not in {Role.UNION_CITY, Role.ADMIN}:
        raise Forbidden("预算由市总帮扶中心下达")
    if fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{fund_source}”无效", field="fund_source")
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValidationFailed("预算金额须为非负数，最多两位小数", field="amount")
    county = session.get(OrgUnit, county_org_id)
    if county is None or orgs.county_of(session, org_unit_id=county_org_id).id != county_org_id:
        raise ValidationFailed("预算须下达到县区、园区或市直工会", field="county_org_id")
    row = session.scalar(
        for_update(
            select(AidBudget).where(
                AidBudget.county_org_id == county_org_id, AidBudget.year == year, AidBudget.fund_source == fund_source
            ),
            session,
        )
    )
    if row is None:
        row = AidBudget(
            county_org_id=county_org_id, year=year, fund_source=fund_source, committed=Decimal(0), paid=Decimal(0)
        )
        session.add(row)
    elif amount < row.committed:
        raise Conflict(f"预算不能低于已批准金额 {row.committed} 元", field="amount")
    row.amount, row.note = money(amount), note
    session.flush()
    return row


def list_budgets(session: Session, *, principal: Principal, year: int) -> list[AidBudget]:
    require_staff(principal)
    stmt = select(AidBudget).where(AidBudget.year == year).order_by(AidBudget.county_org_id, AidBudget.fund_source)
    stmt = scoped(stmt, principal, org=AidBudget.county_org_id)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class BudgetTotal:
    county_org_id: int
    county_name: str
    fund_source: str
    budget: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed


def budget_totals(session: Session, *, principal: Principal, year: int) -> list[BudgetTotal]:
    """Budget, committed (approved awards), paid and remaining by county and fund source, for the counties of the
    principal's scope."""
    stmt = (
        select(AidBudget, OrgUnit.name)
        .join(OrgUnit, OrgUnit.id == AidBudget.county_org_id)
        .where(AidBudget.year == year)
        .order_by(OrgUnit.path, AidBudget.fund_source)
    )
    stmt = scoped(stmt, principal, org=AidBudget.county_org_id)
    return [
        BudgetTotal(b.county_org_id, name, b.fund_source, b.amount, b.committed, b.paid)
        for b, name in session.execute(stmt)
    ]
