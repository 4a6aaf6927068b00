"""Job fairs and the positions shown at each, plus the employer names lists show beside positions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.catalog.access import (
    MANAGERS,
    _is_staff,
    bump_version,
    employer_entry,
    manages_position,
    public_position,
)
from services.catalog.models import (
    Employer,
    JobFair,
    JobFairPosition,
    Position,
    PositionSource,
)
from services.catalog.schemas import (
    JobFairCreate,
    JobFairUpdate,
)
from services.clock import local_today as local_today
from services.errors import Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.refdata import api as refdata
from services.security.principal import Principal
from services.security.scope import scoped

# --------------------------------------------------------------------------------------------- job fairs


def create_job_fair(session: Session, *, principal: Principal, data: JobFairCreate) -> JobFair:
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以发布招聘会")
    values = data.model_dump()
    unit = values.pop("org_unit_id") or principal.org_unit_id
    if unit is None or session.get(OrgUnit, unit) is None:
        raise ValidationFailed("请选择主办的工会单位", field="org_unit_id")
    if not principal.covers(unit):
        raise Forbidden("不能在管辖范围之外发布招聘会")
    _check_fair(session, values)
    fair = JobFair(**values, org_unit_id=unit, created_by=principal.user_id)
    session.add(fair)
    session.flush()
    bump_version(session)
    return fair


def _check_fair(session: Session, values: dict[str, Any]) -> None:
    if values.get("division_code"):
        refdata.check_division(session, code=values["division_code"])
    if values.get("ends_at") and values.get("starts_at") and values["ends_at"] < values["starts_at"]:
        raise ValidationFailed("结束时间不能早于开始时间", field="ends_at")
    if values.get("mode") == "online" and "url" in values and not values.get("url"):
        raise ValidationFailed("线上招聘会请填写网址", field="url")
    if values.get("mode") == "on_site" and "venue" in values and not values.get("venue"):
        raise ValidationFailed("线下招聘会请填写举办地点", field="venue")


def get_job_fair(session: Session, *, job_fair_id: int) -> JobFair:
    fair = session.get(JobFair, job_fair_id)
    if fair is None:
        raise NotFound(f"招聘会 {job_fair_id} 不存在")
    return fair


def _fair_for_manager(session: Session, principal: Principal, job_fair_id: int) -> JobFair:
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以管理招聘会")
    fair = get_job_fair(session, job_fair_id=job_fair_id)
    if not principal.covers(fair.org_unit_id):
        raise NotFound(f"招聘会 {job_fair_id} 不存在")
    return fair


def update_job_fair(session: Session, *, principal: Principal, job_fair_id: int, data: JobFairUpdate) -> JobFair:
    fair = _fair_for_manager(session, principal, job_fair_id)
    values = data.model_dump(exclude_unset=True)
    for key in ("title", "mode", "starts_at", "organiser"):
        if key in values and values[key] is None:
            raise ValidationFailed("该项不能清空", field=key)
    merged = {
        "mode": values.get("mode", fair.mode),
        "starts_at": values.get("starts_at", fair.starts_at),
        "ends_at": values.get("ends_at", fair.ends_at),
        "division_code": values.get("division_code"),
        "venue": values.get("venue", fair.venue),
        "url": values.get("url", fair.url),
    }
    _check_fair(session, merged)
    for key, value in values.items():
        setattr(fair, key, value if value is not None or key in {"ends_at", "division_code"} else "")
    session.flush()
    bump_version(session)
    return fair


def list_job_fairs(session: Session, *, upcoming_from: date | None, limit: int, offset: int) -> list[JobFair]:
    stmt = select(JobFair).order_by(JobFair.starts_at.desc(), JobFair.id.desc())
    if upcoming_from is not None:
        stmt = stmt.where(JobFair.starts_at >= upcoming_from)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def fair_position_ids(session: Session, *, job_fair_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in job_fair_ids}
    if not job_fair_ids:
        return out
    rows = session.execute(
        select(JobFairPosition.job_fair_id, JobFairPosition.position_id)
        .where(JobFairPosition.job_fair_id.in_(job_fair_ids))
        .order_by(JobFairPosition.position_id)
    )
    for fair_id, position_id in rows:
        out[fair_id].append(position_id)
    return out


def fair_positions(session: Session, *, principal: Principal, job_fair_id: int) -> list[Position]:
    """Positions offered at a fair that the principal may see."""
    ids = fair_position_ids(session, job_fair_ids=[job_fair_id])[job_fair_id]
    stmt = scoped(
        select(Position)
        .outerjoin(Employer, Employer.id == Position.employer_id)
        .where(Position.id.in_(ids))
        .order_by(Position.id),
        principal,
        org=Position.org_unit_id,
        employer=Position.employer_id,
        roles=MANAGERS,
        public=public_position(),
    )
    return list(session.scalars(stmt))


def add_fair_positions(
    session: Session, *, principal: Principal, job_fair_id: int, position_ids: Sequence[int]
) -> JobFair:
    """Offer positions at a fair; each must be managed by the principal. Their source becomes 招聘会 when they
    had none more specific than the default."""
    fair = _fair_for_manager(session, principal, job_fair_id)
    present = set(fair_position_ids(session, job_fair_ids=[fair.id])[fair.id])
    for position_id in dict.fromkeys(position_ids):
        position = session.get(Position, position_id)
        if position is None or not manages_position(session, principal=principal, position=position):
            raise NotFound(f"岗位 {position_id} 不存在", field="position_ids")
        if position_id in present:
            continue
        session.add(JobFairPosition(job_fair_id=fair.id, position_id=position_id))
        if position.source == PositionSource.UNION_PARTNER:
            position.source = PositionSource.JOB_FAIR
    session.flush()
    bump_version(session)
    return fair


def remove_fair_position(session: Session, *, principal: Principal, job_fair_id: int, position_id: int) -> None:
    fair = _fair_for_manager(session, principal, job_fair_id)
    result = session.execute(
        delete(JobFairPosition).where(
            JobFairPosition.job_fair_id == fair.id, JobFairPosition.position_id == position_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(f"岗位 {position_id} 不在该招聘会")
    session.flush()
    bump_version(session)


def employer_names(session: Session, *, employer_ids: Iterable[int | None]) -> dict[int, tuple[str, bool]]:
    ids = {i for i in employer_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(select(Employer.id, Employer.name, Employer.status).where(Employer.id.in_(ids)))
    return {employer_id: employer_entry(name, status) for employer_id, name, status in rows}
