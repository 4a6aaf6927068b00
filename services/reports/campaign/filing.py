"""Who may write, hand in and send back a county's filing (a survey, a report): the one place that decides it.

A filing belongs to one org unit. Its own unit's union clerk writes and hands it in while it is a draft or was
sent back; the city (市总帮扶中心) and admin read every filing and send a handed-in one back with a reason.
"""

from __future__ import annotations

from datetime import datetime

from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.reports.campaign_models import FilingStatus
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import STAFF

CITY_ROLES = frozenset({Role.UNION_CITY, Role.ADMIN})
EDITABLE = frozenset({FilingStatus.DRAFT, FilingStatus.RETURNED})
MAX_REASON = 500


def require_staff(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("只有县区总工会、市总帮扶中心和管理员可以办理")


def require_visible(principal: Principal, org_unit_id: int, what: str) -> None:
    require_staff(principal)
    if not principal.covers(org_unit_id):
        raise NotFound(f"{what}不存在或不在您的管辖范围内")


def require_writer(principal: Principal, org_unit_id: int, *, what: str) -> None:
    """The unit's own clerk writes its filing; anyone else in scope only reads it."""
    require_visible(principal, org_unit_id, what)
    if principal.org_unit_id != org_unit_id:
        raise Forbidden(f"{what}由本单位工会填报，您可以查看或退回，不能代为填写")


def require_editable(status: str, *, what: str) -> None:
    if status not in EDITABLE:
        raise Conflict(f"{what}已报送，不能再修改；如需修改，请联系市总帮扶中心退回", field="status")


def submitted(status: str, *, what: str) -> datetime:
    require_editable(status, what=what)
    return utcnow()


def check_return(principal: Principal, status: str, reason: str, *, what: str) -> str:
    """The city sends a handed-in filing back; the reason is what the clerk reads."""
    if principal.role not in CITY_ROLES:
        raise Forbidden(f"只有市总帮扶中心可以退回{what}")
    if status != FilingStatus.SUBMITTED:
        raise Conflict(f"{what}尚未报送，无需退回", field="status")
    text = reason.strip()
    if not text:
        raise ValidationFailed("请写明退回原因，县区据此修改", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationFailed(f"退回原因最多{MAX_REASON}字", field="reason")
    return text
