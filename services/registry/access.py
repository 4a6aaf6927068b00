"""Who may read and change registry records: role checks and the by-id look-ups that apply the scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.registry.models import Family, FamilyMember, Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import CASELOAD, STAFF, graduate_scope, scoped


def require_staff(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以管理困难职工档案")


def require_caseload(principal: Principal) -> None:
    if principal.role not in CASELOAD:
        raise Forbidden("您的角色无权查看毕业生档案")


def check_org_in_scope(session: Session, *, principal: Principal, org_unit_id: int) -> OrgUnit:
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None or not principal.covers(org_unit_id):
        raise NotFound(f"单位 {org_unit_id} 不存在或不在您的管辖范围内")
    return unit


def default_org(principal: Principal, org_unit_id: int | None) -> int:
    chosen = org_unit_id if org_unit_id is not None else principal.org_unit_id
    if chosen is None:
        raise ValidationFailed("请指定所属工会单位", field="org_unit_id")
    return chosen


def get_family(session: Session, *, principal: Principal, family_id: int) -> Family:
    """A family the staff principal may see (404 outside the scope, so existence does not leak)."""
    require_staff(principal)
    family = session.scalar(scoped(select(Family).where(Family.id == family_id), principal, org=Family.org_unit_id))
    if family is None:
        raise NotFound(f"编号为 {family_id} 的档案不存在或不在您的管辖范围内")
    return family


def get_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """A student/graduate in the caseload of staff or a counselor, handed-in graduates included (404 outside)."""
    require_caseload(principal)
    graduate = session.scalar(
        scoped(
            select(Graduate).where(Graduate.id == graduate_id),
            principal,
            org=Graduate.org_unit_id,
            graduate=Graduate.id,
            session=session,
        )
    )
    if graduate is None:
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在或不在您的管辖范围内")
    return graduate


def servable_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """A graduate ``principal`` may change: the home union is read-only while the graduate is handed out."""
    graduate = get_graduate(session, principal=principal, graduate_id=graduate_id)
    if not graduate_scope(session, principal=principal).can_serve(graduate.id, graduate.org_unit_id):
        raise Forbidden("该毕业生已转至异地工会服务，生源地工会只能查看")
    return graduate


def own_graduate(session: Session, *, principal: Principal) -> Graduate:
    """The graduate profile linked to the principal's own account."""
    if principal.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以使用此功能")
    graduate = session.scalar(select(Graduate).where(Graduate.user_id == principal.user_id))
    if graduate is None:
        raise NotFound("您的账号尚未关联学生/毕业生档案，请联系所在工会")
    return graduate


def members_of(session: Session, *, family_id: int) -> list[FamilyMember]:
    """The members of a family the caller already holds through :func:`get_family`."""
    return list(
        session.scalars(select(FamilyMember).where(FamilyMember.family_id == family_id).order_by(FamilyMember.id))
    )


def get_member(session: Session, *, family: Family, member_id: int) -> FamilyMember:
    member = session.get(FamilyMember, member_id)
    if member is None or member.family_id != family.id:
        raise NotFound(f"编号为 {member_id} 的家庭成员不存在")
    return member
