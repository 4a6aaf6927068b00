"""Caseload assignment: which counselor is responsible for a graduate, and the names shown beside them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.errors import Forbidden, ValidationFailed
from services.notifications.api import notify
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import Col, GraduateScope
from services.tracking.access import servable_graduate
from services.tracking.models import (
    Assignment,
    Contact,
    Handoff,
    HandoffState,
)


def assigned_counselor(graduate_id: Col) -> ColumnElement[Any]:
    """SQL: the counselor assigned to the graduate whose id is ``graduate_id`` (a column of the outer query)."""
    return (
        select(Assignment.counselor_id)
        .where(Assignment.graduate_id == graduate_id)
        .correlate_except(Assignment)
        .scalar_subquery()
    )


def latest_contact_value(graduate_id: Col, column: Col) -> ColumnElement[Any]:
    """SQL: ``column`` of the graduate's latest contact (the order of :func:`_latest_contacts`)."""
    return (
        select(column)
        .where(Contact.graduate_id == graduate_id)
        .order_by(Contact.contacted_at.desc(), Contact.id.desc())
        .limit(1)
        .correlate_except(Contact)
        .scalar_subquery()
    )


def responsible_counselor(graduate_id: Col) -> ColumnElement[Any]:
    """SQL: the responsible counselor, as :func:`_responsible` decides it, for each row of the outer query."""
    return func.coalesce(assigned_counselor(graduate_id), latest_contact_value(graduate_id, Contact.counselor_id))


def _responsible(session: Session, graduate_ids: Sequence[int]) -> dict[int, int]:
    """Graduate → responsible counselor: the assignment, else whoever made the latest contact."""
    if not graduate_ids:
        return {}
    out: dict[int, int] = {}
    latest = _latest_contacts(session, graduate_ids=graduate_ids)
    for gid, contact in latest.items():
        if contact.counselor_id is not None:
            out[gid] = contact.counselor_id
    for gid, counselor in session.execute(
        select(Assignment.graduate_id, Assignment.counselor_id).where(Assignment.graduate_id.in_(graduate_ids))
    ):
        out[gid] = counselor
    return out


def _user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def _latest_contacts(
    session: Session, *, graduate_ids: Sequence[int] | None = None, scope: GraduateScope | None = None
) -> dict[int, Contact]:
    ranked = select(
        Contact.id,
        func.row_number()
        .over(partition_by=Contact.graduate_id, order_by=(Contact.contacted_at.desc(), Contact.id.desc()))
        .label("rn"),
    )
    if graduate_ids is not None:
        ranked = ranked.where(Contact.graduate_id.in_(list(graduate_ids)))
    if scope is not None:
        ranked = ranked.where(scope.clause(Contact.graduate_id, Contact.org_unit_id))
    sub = ranked.subquery()
    rows = session.scalars(select(Contact).join(sub, sub.c.id == Contact.id).where(sub.c.rn == 1))
    return {c.graduate_id: c for c in rows}


# ---- caseload assignment ---------------------------------------------------------------------------------


def assign_counselor(session: Session, *, principal: Principal, graduate_id: int, counselor_id: int) -> Assignment:
    """Make ``counselor_id`` the graduate's responsible counselor. Counselors may take graduates themselves."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    if principal.role == Role.COUNSELOR and counselor_id != principal.user_id:
        raise Forbidden("就业指导员只能把毕业生分配给自己，分配给他人请联系县区总工会")
    counselor = session.get(User, counselor_id)
    if counselor is None or counselor.role != Role.COUNSELOR or not counselor.is_active:
        raise ValidationFailed("请选择有效的就业指导员账号", field="counselor_id")
    reach = _union_reach(session, counselor)
    scope = GraduateScope(org_unit_ids=reach, handed_in=_handed_in_ids(session, reach))
    if not scope.can_serve(graduate.id, graduate.org_unit_id):
        raise ValidationFailed("该指导员不负责该毕业生所在地区", field="counselor_id")
    row = session.scalar(select(Assignment).where(Assignment.graduate_id == graduate.id))
    if row is None:
        row = Assignment(graduate_id=graduate.id, org_unit_id=graduate.org_unit_id, counselor_id=counselor_id)
        session.add(row)
    row.counselor_id = counselor_id
    row.assigned_by_id = principal.user_id
    session.flush()
    if counselor_id != principal.user_id:
        notify(
            session,
            recipient_id=counselor_id,
            kind="assignment",
            title="新分配的帮扶对象",
            body=f"毕业生 {graduate.name} 已分配给您，请及时联系。",
            link=f"/api/v1/tracking/graduates/{graduate.id}/timeline",
        )
    return row


def _union_reach(session: Session, user: User) -> frozenset[int]:
    from services.orgs import service as orgs

    if user.org_unit_id is None:
        return frozenset()
    return orgs.subtree_ids(session, org_unit_id=user.org_unit_id)


def _handed_in_ids(session: Session, reach: frozenset[int]) -> frozenset[int]:
    if not reach:
        return frozenset()
    return frozenset(
        session.scalars(
            select(Handoff.graduate_id).where(
                Handoff.state == HandoffState.ACCEPTED, Handoff.to_org_unit_id.in_(sorted(reach))
            )
        )
    )
