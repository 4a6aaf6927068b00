"""HTTP: the one inbox — every message of the signed-in account, whatever domain wrote it, and marking one read."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.db import SessionDep
from services.errors import NotFound, responses
from services.notifications import service
from services.notifications.schemas import NotificationOut
from services.pagination import Page, PageDep
from services.security.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/notifications", tags=["站内消息"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="消息编号")]


@router.get(
    "",
    response_model=Page[NotificationOut],
    summary="我的消息",
    description=(
        "本人的站内消息（回访提醒、推荐、录用、签约确认、转介、金秋助学截止日期提醒等），最新的在前。"
        "unread=true 只看未读；source 按来源筛选（tracking 全流程跟踪、aid 金秋助学、reports 摸排与报告的截止日期）。"
    ),
)
def list_notifications(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    unread: Annotated[bool, Query(description="只看未读")] = False,
    source: Annotated[Literal["tracking", "aid", "reports"] | None, Query(description="按来源筛选")] = None,
) -> Page[NotificationOut]:
    rows, total = service.list_notifications(
        session, principal=principal, unread_only=unread, source=source, limit=page.limit, offset=page.offset
    )
    return Page[NotificationOut](
        items=[NotificationOut.model_validate(r) for r in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.post(
    "/{notification_id}/read",
    response_model=NotificationOut,
    summary="标为已读",
    description="把本人的一条消息标为已读。",
    responses=responses(NotFound),
)
def read_notification(notification_id: Id, principal: CurrentPrincipal, session: SessionDep) -> NotificationOut:
    return NotificationOut.model_validate(
        service.mark_read(session, principal=principal, notification_id=notification_id)
    )
