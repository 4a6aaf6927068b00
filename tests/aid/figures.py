"""附件7/8-style figures read straight from the aid tables: the expected values the aid tests compare with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid.models import (
    AidApplication,
    AidAward,
    AidStandard,
    AmountBasis,
    ApplicationKind,
    ApplicationStatus,
    AwardStatus,
)
from services.orgs.models import OrgUnit


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class DemandRow:
    county_org_id: int
    county_name: str
    category: str  # standard code
    category_name: str
    applications: int
    new_enrolment: int
    requested: Decimal  # requested amounts (the cap where none was requested; tuition for invoice standards)


def aid_demand_by_county(session: Session, *, year: int, scope: frozenset[int] | None) -> list[DemandRow]:
    """附件7-style demand: applications not refused or revoked, by county and standard."""
    stmt = (
        select(AidApplication, AidStandard, OrgUnit.name)
        .join(AidStandard, AidStandard.id == AidApplication.standard_id)
        .join(OrgUnit, OrgUnit.id == AidApplication.county_org_id)
        .where(
            AidApplication.year == year,
            AidApplication.status.notin_([ApplicationStatus.REFUSED, ApplicationStatus.REVOKED]),
        )
    )
    if scope is not None:
        stmt = stmt.where(AidApplication.org_unit_id.in_(scope))
    groups: dict[tuple[int, str], list[Any]] = {}
    for app, standard, county_name in session.execute(stmt):
        if standard.basis == AmountBasis.TUITION_INVOICE:
            asked = min(app.tuition_invoice_amount or Decimal(0), standard.cap)
        else:
            asked = app.requested_amount or standard.cap
        key = (app.county_org_id, standard.code)
        row = groups.setdefault(key, [county_name, standard.name, 0, 0, Decimal(0)])
        row[2] += 1
        row[3] += 1 if app.kind == ApplicationKind.NEW_ENROLMENT else 0
        row[4] += asked
    return [
        DemandRow(county_id, v[0], code, v[1], v[2], v[3], _money(v[4]))
        for (county_id, code), v in sorted(groups.items())
    ]


@dataclass(frozen=True, slots=True)
class PaidRow:
    county_org_id: int
    county_name: str
    category: str
    category_name: str
    fund_source: str
    students: int
    amount: Decimal


def amounts_paid(session: Session, *, year: int, scope: frozenset[int] | None) -> list[PaidRow]:
    """附件8-style money paid (bank-confirmed): by county, standard and fund source."""
    stmt = (
        select(
            AidAward.county_org_id,
            OrgUnit.name,
            AidStandard.code,
            AidStandard.name,
            AidAward.fund_source,
            func.count(func.distinct(AidAward.student_id)),
            func.sum(AidAward.amount),
        )
        .join(AidStandard, AidStandard.id == AidAward.standard_id)
        .join(OrgUnit, OrgUnit.id == AidAward.county_org_id)
        .where(AidAward.year == year, AidAward.status == AwardStatus.PAID)
        .group_by(AidAward.county_org_id, OrgUnit.name, AidStandard.code, AidStandard.name, AidAward.fund_source)
        .order_by(AidAward.county_org_id, AidStandard.code, AidAward.fund_source)
    )
    if scope is not None:
        stmt = stmt.where(AidAward.org_unit_id.in_(scope))
    return [
        PaidRow(cid, cname, code, sname, fund, int(n), _money(Decimal(total or 0)))
        for cid, cname, code, sname, fund, n, total in session.execute(stmt)
    ]
