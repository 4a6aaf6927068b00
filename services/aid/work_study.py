"""Work-study posts (勤工俭学) given to registry students."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.guards import CENT, covers_or_404, require_staff
from services.aid.models import (
    AidWorkStudy,
    FundSource,
)
from services.aid.registry_link import student_facts
from services.errors import ValidationFailed
from services.orgs import service as orgs
from services.security.principal import Principal
from services.security.scope import scoped


def add_work_study(
    session: Session,
    *,
    principal: Principal,
    student_id: int,
    year: int,
    post_title: str,
    employer_name: str,
    summer_special: bool,
    starts_on: date,
    ends_on: date,
    subsidy_amount: Decimal,
    fund_source: str,
) -> AidWorkStudy:
    """Record a work-study post (勤工俭学岗位, incl. the summer special) given to a registry student."""
    require_staff(principal)
    facts = student_facts(session, student_id=student_id)
    covers_or_404(principal, facts.org_unit_id, "学生档案")
    if ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ends_on")
    if subsidy_amount < 0 or subsidy_amount != subsidy_amount.quantize(CENT):
        raise ValidationFailed("岗位补贴须为非负数，最多两位小数", field="subsidy_amount")
    if fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{fund_source}”无效", field="fund_source")
    row = AidWorkStudy(
        org_unit_id=facts.org_unit_id,
        county_org_id=orgs.county_of(session, org_unit_id=facts.org_unit_id).id,
        student_id=student_id,
        year=year,
        post_title=post_title.strip(),
        employer_name=employer_name.strip(),
        summer_special=summer_special,
        starts_on=starts_on,
        ends_on=ends_on,
        subsidy_amount=subsidy_amount,
        fund_source=fund_source,
    )
    session.add(row)
    session.flush()
    return row


def list_work_study(
    session: Session, *, principal: Principal, year: int | None, limit: int, offset: int
) -> list[AidWorkStudy]:
    require_staff(principal)
    stmt = select(AidWorkStudy).order_by(AidWorkStudy.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidWorkStudy.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidWorkStudy.year == year)
    return list(session.scalars(stmt))
