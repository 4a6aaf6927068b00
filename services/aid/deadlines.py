"""Campaign deadlines and the daily warning notifications before each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.models import (
    AidCampaign,
)
from services.notifications import api as notifications
from services.security.models import Role, User

DEADLINES: dict[str, str] = {
    "archives": "建立完善助学档案并上报金秋助学资金需求汇总表",
    "paper_files": "报送纸质申报材料至职工服务中心",
    "stage_report": "报送活动阶段性情况报告",
    "final_report": "报送活动总结",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    code: str
    title: str
    due_on: date


def deadlines_of(campaign: AidCampaign) -> list[Deadline]:
    return [
        Deadline("archives", DEADLINES["archives"], campaign.archives_due),
        Deadline("paper_files", DEADLINES["paper_files"], campaign.paper_files_due),
        Deadline("stage_report", DEADLINES["stage_report"], campaign.stage_report_due),
        Deadline("final_report", DEADLINES["final_report"], campaign.final_report_due),
    ]


def warn_deadlines(session: Session, *, today: date) -> int:
    """Write one notification per staff account, deadline and day inside the warning window. Running it twice on
    the same day writes nothing new. Returns the number written."""
    campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == today.year))
    if campaign is None:
        return 0
    due = [
        d for d in deadlines_of(campaign) if d.due_on - timedelta(days=campaign.warn_days_before) <= today <= d.due_on
    ]
    if not due:
        return 0
    staff = list(
        session.scalars(
            select(User.id).where(User.is_active.is_(True), User.role.in_([Role.UNION_COUNTY, Role.UNION_CITY]))
        )
    )
    written = 0
    for d in due:
        left = (d.due_on - today).days
        when = "今天" if left == 0 else f"还有{left}天"
        message = f"{campaign.name}：{d.title}的截止日期为{d.due_on:%m月%d日}，{when}到期"
        for user_id in staff:
            row = notifications.notify_once(
                session,
                recipient_id=user_id,
                key=f"aid:{campaign.year}:{d.code}:{today.isoformat()}",
                source="aid",
                kind="deadline",
                title=f"截止日期提醒：{d.title}",
                body=message,
                link=f"/api/v1/aid/campaigns/{campaign.year}/deadlines",
            )
            written += row is not None
    return written
