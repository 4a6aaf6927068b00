"""The campaign's deadlines as data per year, and the reminder each responsible clerk gets before each one.

A year's deadlines are seeded from the aid campaign's dates (or, for a year without a campaign, from the notice:
7月14日 摸排和建档, 8月20日 纸质材料, 8月29日 阶段性情况报告, 11月28日 活动总结); the city then moves a date, the
days of warning or the roles that answer for it. The reminders are in :mod:`services.reports.campaign.reminders`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.api import AidCampaign
from services.errors import Forbidden, NotFound, ValidationFailed
from services.reports.campaign import filing
from services.reports.campaign_models import CampaignDeadline
from services.security.models import Role
from services.security.principal import Principal

ARCHIVES, PAPER_FILES, STAGE_REPORT, FINAL_REPORT = "archives", "paper_files", "stage_report", "final_report"


@dataclass(frozen=True, slots=True)
class DefaultDeadline:
    code: str
    title: str
    month: int
    day: int
    campaign_field: str


DEFAULTS: tuple[DefaultDeadline, ...] = (
    DefaultDeadline(
        ARCHIVES, "完成摸排，建立完善助学档案和就业援助实名制档案，上报金秋助学资金需求汇总表", 7, 14, "archives_due"
    ),
    DefaultDeadline(PAPER_FILES, "报送纸质申报材料至职工服务中心", 8, 20, "paper_files_due"),
    DefaultDeadline(STAGE_REPORT, "报送活动阶段性情况报告", 8, 29, "stage_report_due"),
    DefaultDeadline(FINAL_REPORT, "报送活动总结", 11, 28, "final_report_due"),
)
DEFAULT_ROLES: tuple[str, ...] = (Role.UNION_COUNTY.value,)
ROLE_CHOICES = frozenset({Role.UNION_COUNTY.value, Role.UNION_CITY.value, Role.COUNSELOR.value})


def _check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应在2000至2100之间", field="year")
    return year


def ensure_year(session: Session, *, year: int) -> list[CampaignDeadline]:
    """The deadlines of ``year``, created from the campaign (or the notice) the first time they are asked for."""
    rows = list(
        session.scalars(
            select(CampaignDeadline).where(CampaignDeadline.year == _check_year(year)).order_by(CampaignDeadline.due_on)
        )
    )
    have = {r.code for r in rows}
    campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == year))
    for d in DEFAULTS:
        if d.code in have:
            continue
        due = getattr(campaign, d.campaign_field) if campaign is not None else date(year, d.month, d.day)
        row = CampaignDeadline(
            year=year,
            code=d.code,
            title=d.title,
            due_on=due,
            remind_days_before=campaign.warn_days_before if campaign is not None else 7,
            roles=list(DEFAULT_ROLES),
        )
        session.add(row)
        rows.append(row)
    if len(rows) != len(have):
        session.flush()
    return sorted(rows, key=lambda r: (r.due_on, r.id))


def list_deadlines(session: Session, *, principal: Principal, year: int) -> list[CampaignDeadline]:
    filing.require_staff(principal)
    return ensure_year(session, year=year)


def due_on(session: Session, *, year: int, code: str) -> date:
    for row in ensure_year(session, year=year):
        if row.code == code:
            return row.due_on
    raise NotFound("截止日期不存在")


def update(
    session: Session,
    *,
    principal: Principal,
    deadline_id: int,
    due: date | None = None,
    remind_days_before: int | None = None,
    roles: Iterable[str] | None = None,
) -> CampaignDeadline:
    """The city moves a date, the days of warning, or who answers for a deadline."""
    filing.require_staff(principal)
    if principal.role not in filing.CITY_ROLES:
        raise Forbidden("截止日期由市总帮扶中心设置")
    row = session.get(CampaignDeadline, deadline_id)
    if row is None:
        raise NotFound("截止日期不存在")
    if due is not None:
        if due.year != row.year:
            raise ValidationFailed(f"截止日期须在{row.year}年内", field="due_on")
        row.due_on = due
    if remind_days_before is not None:
        if not 0 <= remind_days_before <= 60:
            raise ValidationFailed("提前提醒天数应在0至60之间", field="remind_days_before")
        row.remind_days_before = remind_days_before
    if roles is not None:
        chosen = sorted(set(roles))
        if not chosen or any(r not in ROLE_CHOICES for r in chosen):
            raise ValidationFailed("负责角色应为县区总工会、市总帮扶中心或就业指导员中的一个或几个", field="roles")
        row.roles = chosen
    session.flush()
    return row
