"""Positions of the five kinds: creation, edits, publishing and closing, the status rule (open → filled when the
headcount is reached, closed after the deadline), the guarded signing count and the summaries other domains read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.catalog import occupations
from services.catalog.access import (
    KIND_DETAILS,
    MANAGERS,
    NATIONWIDE,
    _is_staff,
    _publicly_visible,
    bump_version,
    employer_entry,
    employer_id_for_user,
    manages_position,
    public_position,
)
from services.catalog.models import (
    Employer,
    EmployerStatus,
    Position,
    PositionKind,
    PositionSource,
    PositionStatus,
    ProgramRuleSet,
)
from services.catalog.program_rules import RULE_SUMMARY_COLUMNS, RuleSummary, resolve_rule_set
from services.catalog.schemas import (
    PositionCreate,
    PositionFields,
    PositionUpdate,
)
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.pagination import capped_count, total_from
from services.refdata import api as refdata
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import scoped

# --------------------------------------------------------------------------------------------- positions

_SPLIT = re.compile(r"[、，,；;／/\s]+")


def next_status(
    status: str, *, closed_reason: str | None, deadline: date | None, headcount: int | None, filled: int, today: date
) -> tuple[str, str | None]:
    """Where deadline and headcount move a published position: a full position is filled, a position past its
    deadline is closed, and either returns to open when places free up or the deadline is extended.
    Drafts and positions closed by hand stay as they are."""
    if status == PositionStatus.DRAFT:
        return status, closed_reason
    if status == PositionStatus.CLOSED and closed_reason == "manual":
        return status, closed_reason
    if headcount is not None and filled >= headcount:
        return PositionStatus.FILLED, None
    if deadline is not None and deadline < today:
        return PositionStatus.CLOSED, "deadline"
    return PositionStatus.OPEN, None


def refresh_status(position: Position, *, today: date | None = None) -> bool:
    """Apply :func:`next_status`; True when the status changed."""
    status, reason = next_status(
        position.status,
        closed_reason=position.closed_reason,
        deadline=position.deadline,
        headcount=position.headcount,
        filled=position.filled,
        today=today or local_today(),
    )
    changed = status != position.status
    position.status, position.closed_reason = status, reason
    return changed


def _resolve_majors(session: Session, values: dict[str, Any]) -> None:
    majors = refdata.check_major_codes(session, codes=values.get("majors") or [], field_name="majors")
    classes = refdata.check_class_codes(session, codes=values.get("major_classes") or [], field_name="major_classes")
    disciplines = refdata.check_discipline_codes(
        session, codes=values.get("disciplines") or [], field_name="disciplines"
    )
    text = (values.get("majors_text") or "").strip()
    if text:
        resolved = refdata.resolve_major_terms(session, terms=_SPLIT.split(text))
        majors += resolved.majors
        classes += resolved.classes
        disciplines += resolved.disciplines
    values["majors"] = list(dict.fromkeys(majors))
    values["major_classes"] = list(dict.fromkeys(classes))
    values["disciplines"] = list(dict.fromkeys(disciplines))
    values["majors_text"] = text


def _check_kind_details(kind: str, details: dict[str, Any]) -> None:
    own = KIND_DETAILS.get(PositionKind(kind))
    for key in KIND_DETAILS.values():
        if key != own and details.get(key) is not None:
            raise ValidationFailed(f"“{key}”只适用于对应类型的岗位", field=key)
    if own is not None and own != "entrepreneurship" and details.get(own) is None:
        raise ValidationFailed("请填写该类型岗位的专门信息", field=own)
    if own == "entrepreneurship":
        extra = details.get(own) or {}
        if not any(extra.get(k) for k in ("fund_amount", "venue", "mentor_kind", "competition")):
            raise ValidationFailed("创业扶持须至少提供资金、场地、导师或大赛中的一项", field=own)


def _apply_details(session: Session, position: Position, details: dict[str, Any] | None, kind: str) -> None:
    if details is None:
        return
    if kind == PositionKind.GRASSROOTS:
        province = details.pop("province_code", None) or _position_province(session, position)
        rule = resolve_rule_set(
            session, program=details["program"], year=details["program_year"], province_code=province
        )
        if rule is None:
            raise ValidationFailed(
                f"项目“{details['program']}”{details['program_year']}年在该省尚无资格规则，请先发布规则",
                field="grassroots.program",
            )
        position.rule_set_id = rule.id
    for key, value in details.items():
        setattr(position, key, value)


def _position_province(session: Session, position: Position) -> str:
    if position.places:
        return str(position.places[0])[:2] + "0000"
    if position.employer_id is not None:
        employer = session.get(Employer, position.employer_id)
        if employer is not None:
            return employer.division_code[:2] + "0000"
    unit = session.get(OrgUnit, position.org_unit_id)
    return (unit.division_code[:2] + "0000") if unit else NATIONWIDE


def _check_common(session: Session, values: dict[str, Any]) -> None:
    if "places" in values and values["places"] is not None:
        values["places"] = refdata.check_divisions(session, codes=values["places"], field_name="places")
    if values.get("occupations"):
        values["occupations"] = refdata.check_occupations(
            session, codes=values["occupations"], field_name="occupations"
        )


def _check_ranges(position: Position) -> None:
    if position.pay_min is not None and position.pay_max is not None and position.pay_min > position.pay_max:
        raise ValidationFailed("月薪下限不能高于上限", field="pay_min")
    if position.opens_on and position.deadline and position.deadline < position.opens_on:
        raise ValidationFailed("截止日期不能早于开始日期", field="deadline")
    if position.headcount is not None and position.filled > position.headcount:
        raise ValidationFailed(f"已招人数（{position.filled}）超过招聘人数（{position.headcount}）", field="headcount")


def create_position(session: Session, *, principal: Principal, data: PositionCreate) -> Position:
    kind = data.kind.value
    details = {k: getattr(data, k).model_dump() if getattr(data, k) else None for k in KIND_DETAILS.values()}
    _check_kind_details(kind, details)
    employer: Employer | None = None
    if principal.role == Role.ENTERPRISE:
        own = employer_id_for_user(session, user_id=principal.user_id)
        if data.employer_id is not None and data.employer_id != own:
            raise NotFound(f"单位 {data.employer_id} 不存在")
        if own is None:
            raise ValidationFailed("请先登记本单位信息，再发布岗位", field="employer_id")
        employer = session.get(Employer, own)
        source = PositionSource.SELF_POSTED
    elif _is_staff(principal):
        if data.employer_id is not None:
            employer = session.get(Employer, data.employer_id)
            if employer is None or not principal.covers(employer.org_unit_id):
                raise NotFound(f"单位 {data.employer_id} 不存在")
        source = data.source or PositionSource.UNION_PARTNER
    else:
        raise Forbidden("您的角色无权发布岗位")
    if employer is not None:
        org_unit_id = employer.org_unit_id
    else:
        org_unit_id = data.org_unit_id or principal.org_unit_id or 0
        if not org_unit_id or session.get(OrgUnit, org_unit_id) is None:
            raise ValidationFailed("请选择岗位所属的工会单位", field="org_unit_id")
        if not principal.covers(org_unit_id):
            raise Forbidden("不能在管辖范围之外发布岗位")
    values = data.model_dump(include=set(PositionFields.model_fields))
    _check_common(session, values)
    _resolve_majors(session, values)
    position = Position(
        **values,
        kind=kind,
        employer_id=employer.id if employer else None,
        org_unit_id=org_unit_id,
        source=source,
        status=PositionStatus.DRAFT,
        filled=0,
        created_by=principal.user_id,
    )
    if not position.places and not position.remote:
        position.places = [_default_place(session, employer, org_unit_id)]
    _occupations(position, sent=values.get("occupations") or [], retitled=True)
    session.add(position)
    _apply_details(session, position, details.get(KIND_DETAILS.get(data.kind, "")), kind)
    _check_ranges(position)
    if data.publish:
        _check_publisher(principal, employer)
        _publish(position)
    session.flush()
    bump_version(session)
    return position


def _occupations(position: Position, *, sent: list[str] | None, retitled: bool) -> None:
    """Occupations the poster sends are confirmed; otherwise the matcher suggests them from the title."""
    occupations.apply_to_position(position, sent=sent, retitled=retitled)


def _default_place(session: Session, employer: Employer | None, org_unit_id: int) -> str:
    if employer is not None:
        return employer.division_code
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise ValidationFailed("请填写工作地点", field="places")
    return unit.division_code


UNVERIFIED_REASON = "本单位尚未通过工会认证：岗位可以先保存为草稿，认证通过后再发布"


def _check_publisher(principal: Principal, employer: Employer | None) -> None:
    """An enterprise publishes only once union staff have verified its employer (drafts are allowed before)."""
    if principal.role == Role.ENTERPRISE and (employer is None or employer.status != EmployerStatus.VERIFIED):
        raise Conflict(UNVERIFIED_REASON, field="publish")


def _publish(position: Position, today: date | None = None) -> None:
    day = today or local_today()
    if position.deadline is not None and position.deadline < day:
        raise ValidationFailed("截止日期已过，请先修改截止日期再发布", field="deadline")
    if position.headcount is not None and position.filled >= position.headcount:
        raise ValidationFailed("名额已满，请先增加招聘人数再发布", field="headcount")
    position.status = PositionStatus.OPEN
    position.closed_reason = None
    position.published_at = utcnow()
    if position.opens_on is None:
        position.opens_on = day


def _position_for_manager(session: Session, principal: Principal, position_id: int) -> Position:
    if not (_is_staff(principal) or principal.role == Role.ENTERPRISE):
        raise Forbidden("您的角色无权管理岗位")
    position = session.get(Position, position_id)
    if position is None or not manages_position(session, principal=principal, position=position):
        raise NotFound(f"岗位 {position_id} 不存在")
    return position


def update_position(session: Session, *, principal: Principal, position_id: int, data: PositionUpdate) -> Position:
    position = _position_for_manager(session, principal, position_id)
    values = data.model_dump(exclude_unset=True)
    details = {k: values.pop(k) for k in list(values) if k in KIND_DETAILS.values()}
    merged = {k: (details.get(k) if k in details else _current_details(position, k)) for k in KIND_DETAILS.values()}
    _check_kind_details(position.kind, merged)
    if "source" in values:
        if principal.role == Role.ENTERPRISE:
            raise Forbidden("企业自行发布的岗位不能修改来源")
        if values["source"] is None:
            raise ValidationFailed("来源不能清空", field="source")
    for key in ("title", "min_education", "remote", "hardship_priority", "filled"):
        if key in values and values[key] is None:
            raise ValidationFailed("该项不能清空", field=key)
    _check_common(session, values)
    if any(k in values for k in ("majors", "major_classes", "disciplines", "majors_text")):
        # New text is read afresh: the codes it produced before go unless sent again with it.
        retext = "majors_text" in values
        current: dict[str, Any] = {
            "majors": [] if retext else position.majors,
            "major_classes": [] if retext else position.major_classes,
            "disciplines": [] if retext else position.disciplines,
            "majors_text": position.majors_text,
        }
        current.update(
            {k: v if v is not None else ([] if k != "majors_text" else "") for k, v in values.items() if k in current}
        )
        _resolve_majors(session, current)
        values.update(current)
    for key, value in values.items():
        setattr(position, key, value)
    _occupations(
        position,
        sent=(values["occupations"] or []) if "occupations" in values else None,
        retitled="title" in values or "description" in values,
    )
    own = KIND_DETAILS.get(PositionKind(position.kind))
    if own is not None and own in details:
        _apply_details(session, position, details[own], position.kind)
    if not position.places and not position.remote:
        employer = session.get(Employer, position.employer_id) if position.employer_id else None
        position.places = [_default_place(session, employer, position.org_unit_id)]
    _check_ranges(position)
    refresh_status(position)
    session.flush()
    bump_version(session)
    return position


def _current_details(position: Position, key: str) -> dict[str, Any] | None:
    fields: dict[str, tuple[str, ...]] = {
        "internship": ("duration_months", "subsidy"),
        "work_study": ("hours_per_week", "pay_basis", "rate", "summer_special"),
        "grassroots": ("program", "program_year", "service_years"),
        "entrepreneurship": ("fund_amount", "venue", "mentor_kind", "mentor_name", "competition"),
    }
    values = {f: getattr(position, f) for f in fields[key]}
    if key == "work_study" and position.kind != PositionKind.WORK_STUDY:
        return None
    if all(v in (None, False) for v in values.values()):
        return None
    return values


def publish_position(session: Session, *, principal: Principal, position_id: int) -> Position:
    position = _position_for_manager(session, principal, position_id)
    if position.status == PositionStatus.OPEN:
        return position
    employer = session.get(Employer, position.employer_id) if position.employer_id is not None else None
    _check_publisher(principal, employer)
    _publish(position)
    session.flush()
    bump_version(session)
    return position


def close_position(session: Session, *, principal: Principal, position_id: int) -> Position:
    position = _position_for_manager(session, principal, position_id)
    if position.status == PositionStatus.CLOSED and position.closed_reason == "manual":
        return position
    position.status = PositionStatus.CLOSED
    position.closed_reason = "manual"
    session.flush()
    bump_version(session)
    return position


def get_position(session: Session, *, position_id: int, principal: Principal | None = None) -> Position:
    """A position by id. With a principal: a published position of a verified employer, or one they manage;
    anything else answers 404. Without one (internal callers such as tracking): any position."""
    position = session.get(Position, position_id)
    if position is None:
        raise NotFound(f"岗位 {position_id} 不存在")
    if principal is None:
        return position
    if manages_position(session, principal=principal, position=position) or _publicly_visible(session, position):
        return position
    raise NotFound(f"岗位 {position_id} 不存在")


@dataclass(frozen=True, slots=True)
class PositionPage:
    """A page of :func:`list_positions`: the positions, the total (or its estimate), and by id the employers
    (name, verified) and the rule sets of the positions that have one."""

    rows: list[Position]
    total: int
    estimated: bool
    employers: dict[int, tuple[str, bool]]
    rule_sets: dict[int, RuleSummary]


def list_positions(
    session: Session,
    *,
    principal: Principal,
    kind: str | None = None,
    status: str | None = None,
    employer_id: int | None = None,
    program: str | None = None,
    query: str | None = None,
    managed_only: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> PositionPage:
    """One page of the positions ``principal`` may see, with their employers and rule sets read by the same
    statement, the total and whether the total is an estimate (past :data:`services.pagination.EXACT_COUNT_CAP`
    rows on PostgreSQL)."""
    if managed_only and principal.role not in MANAGERS:
        raise Forbidden("您的角色没有可管理的岗位")
    stmt = scoped(
        select(Position).outerjoin(Employer, Employer.id == Position.employer_id),
        principal,
        org=Position.org_unit_id,
        employer=Position.employer_id,
        roles=MANAGERS,
        public=None if managed_only else public_position(),
    )
    if kind:
        stmt = stmt.where(Position.kind == kind)
    if status:
        stmt = stmt.where(Position.status == status)
    if employer_id:
        stmt = stmt.where(Position.employer_id == employer_id)
    if program:
        stmt = stmt.where(Position.program == program)
    if query:
        text = query.strip()
        stmt = stmt.where(or_(Position.title.contains(text), Employer.name.contains(text)))
    page = (
        stmt.outerjoin(ProgramRuleSet, ProgramRuleSet.id == Position.rule_set_id)
        .add_columns(capped_count(stmt), Employer.name, Employer.status, *RULE_SUMMARY_COLUMNS)
        .order_by(Position.id.desc())
        .limit(limit)
        .offset(offset)
    )
    positions: list[Position] = []
    employers: dict[int, tuple[str, bool]] = {}
    rules: dict[int, RuleSummary] = {}
    rows = session.execute(page).all()
    for position, _seen, name, status, *rule in rows:
        positions.append(position)
        if position.employer_id is not None:
            employers[position.employer_id] = employer_entry(name, status)
        if position.rule_set_id is not None:
            rules[position.rule_set_id] = RuleSummary(*rule)
    # the capped count came with every row; an empty page counts on its own
    total, estimated = total_from(session, stmt, int(rows[0][1]) if rows else None)
    return PositionPage(positions, total, estimated, employers, rules)


def close_expired_positions(session: Session, *, today: date | None = None) -> int:
    """The daily job: open positions past their deadline are closed. Returns how many were closed."""
    day = today or local_today()
    ids = list(
        session.scalars(select(Position.id).where(Position.status == PositionStatus.OPEN, Position.deadline < day))
    )
    if not ids:
        return 0
    for position in session.scalars(select(Position).where(Position.id.in_(ids))):
        refresh_status(position, today=day)
    session.flush()
    bump_version(session)
    return len(ids)


def record_signing(session: Session, *, position_id: int, count: int = 1, today: date | None = None) -> Position:
    """A graduate signed for the position: the filled count grows and a full position becomes filled.

    Tracking calls this when an application reaches 签约. Refuses to go beyond the headcount.
    """
    if count < 1:
        raise ValidationFailed("签约人数应为正数", field="count")
    position = session.scalar(
        select(Position).where(Position.id == position_id).with_for_update().execution_options(populate_existing=True)
    )
    if position is None:
        raise NotFound(f"岗位 {position_id} 不存在")
    if position.headcount is not None and position.filled + count > position.headcount:
        raise Conflict(f"岗位名额已满（{position.filled}/{position.headcount}）")
    position.filled += count
    refresh_status(position, today=today)
    session.flush()
    bump_version(session)
    return position


def release_signing(session: Session, *, position_id: int, count: int = 1, today: date | None = None) -> Position:
    """A signing was withdrawn: the filled count shrinks and a filled position opens again."""
    position = session.scalar(
        select(Position).where(Position.id == position_id).with_for_update().execution_options(populate_existing=True)
    )
    if position is None:
        raise NotFound(f"岗位 {position_id} 不存在")
    position.filled = max(0, position.filled - count)
    refresh_status(position, today=today)
    session.flush()
    bump_version(session)
    return position
