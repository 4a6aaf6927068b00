"""Catalog positions as the matcher reads them: ``matching.records.PositionRecord`` built from plain rows, with
the program rules of the position's rule set resolved and pay turned into whole yuan a month.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Text, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from matching.records import Education as MatchEducation
from matching.records import HukouScope, Kind, PositionRecord, Status
from services.catalog.api import (
    EDUCATION_RANK,
    Employer,
    EmployerStatus,
    PayBasis,
    Position,
    PositionKind,
    PositionStatus,
    ProgramRuleSet,
    rule_fields,
)
from services.clock import local_today as local_today
from services.errors import NotFound

# ------------------------------------------------------------------------------------ records for matching


def _money_int(value: Decimal | None) -> int | None:
    return int(value.to_integral_value(rounding=ROUND_FLOOR)) if value is not None else None


def monthly_pay(position: Any) -> tuple[int | None, int | None]:
    """Monthly pay in whole yuan: the pay range; a work-study rate per hour × weekly hours × 52 / 12; an
    internship's subsidy when no pay is stated."""
    if position.kind == PositionKind.WORK_STUDY and position.rate is not None:
        rate = position.rate
        if position.pay_basis == PayBasis.HOURLY:
            rate = rate * (position.hours_per_week or 0) * 52 / 12  # divide last: 3 yuan × 1 hour is 13 exactly
        value = _money_int(rate)
        return value, value
    low, high = _money_int(position.pay_min), _money_int(position.pay_max)
    if low is None and high is None and position.kind == PositionKind.INTERNSHIP and position.subsidy is not None:
        value = _money_int(position.subsidy)
        return value, value
    return low, high


def _details_text(position: Any, rule: ProgramRuleSet | None) -> str:
    parts = [position.description]
    if rule is not None:
        parts.append(rule.program_name)
    if position.venue:
        parts.append(position.venue)
    if position.competition:
        parts.append(position.competition)
    return " ".join(p for p in parts if p)


def _record(position: Any, verified: bool, rule: ProgramRuleSet | None, ruled: dict[str, Any] | None) -> PositionRecord:
    low, high = monthly_pay(position)
    fields: dict[str, Any] = {
        "min_education": MatchEducation(EDUCATION_RANK[position.min_education]),
        "majors": _code_list(position.majors),
        "major_classes": _code_list(position.major_classes),
        "disciplines": _code_list(position.disciplines),
    }
    if ruled is not None:
        fields["min_education"] = max(fields["min_education"], ruled["min_education"])
        if not (fields["majors"] or fields["major_classes"] or fields["disciplines"]):
            for key in ("majors", "major_classes", "disciplines"):
                fields[key] = ruled[key]
        for key in ("education_levels", "max_age", "graduation_min", "graduation_max", "requires_local_hukou"):
            fields[key] = ruled[key]
        fields["hukou_scope"] = cast(HukouScope, ruled["hukou_scope"])
        fields["required_flags"] = ruled["required_flags"]
    if low is not None and high is not None and low > high:
        low, high = high, low
    return PositionRecord(
        id=position.id,
        kind=cast(Kind, position.kind),
        title=position.title,
        description=_details_text(position, rule),
        status=cast(Status, position.status),
        places=_code_list(position.places),
        remote=position.remote,
        pay_min=low,
        pay_max=high,
        headcount=position.headcount,
        filled=position.filled,
        opened=position.opens_on,
        deadline=position.deadline,
        hardship_priority=position.hardship_priority,
        employer_verified=verified,
        occupations=_code_list(position.occupations),
        starts=_starts(position),
        employer=position.employer_name or "",
        **fields,
    )


def _starts(position: Any) -> date | None:
    """When the work starts, where the position says: a program's service year starts on 9-1."""
    year = getattr(position, "program_year", None)
    return date(int(year), 9, 1) if position.kind == PositionKind.GRASSROOTS and year else None


_RECORD_COLUMNS = (
    "id",
    "kind",
    "title",
    "description",
    "status",
    "employer_id",
    "min_education",
    "majors",
    "major_classes",
    "disciplines",
    "places",
    "remote",
    "pay_min",
    "pay_max",
    "headcount",
    "filled",
    "opens_on",
    "deadline",
    "hardship_priority",
    "occupations",
    "subsidy",
    "hours_per_week",
    "pay_basis",
    "rate",
    "venue",
    "competition",
    "rule_set_id",
    "program_year",
)


def _record_rows(session: Session, stmt: Any) -> list[PositionRecord]:
    """Records from plain rows (no ORM objects: a province's positions load in seconds, not minutes)."""
    rows = session.execute(stmt).all()
    rule_ids = {r.rule_set_id for r in rows if r.rule_set_id is not None}
    rules = (
        {r.id: r for r in session.scalars(select(ProgramRuleSet).where(ProgramRuleSet.id.in_(rule_ids)))}
        if rule_ids
        else {}
    )
    ruled = {rule_id: rule_fields(rule) for rule_id, rule in rules.items()}
    return [
        _record(
            row,
            row.employer_id is None or row.employer_status == EmployerStatus.VERIFIED,
            rules.get(row.rule_set_id) if row.rule_set_id is not None else None,
            ruled.get(row.rule_set_id) if row.rule_set_id is not None else None,
        )
        for row in rows
    ]


_JSON_COLUMNS = frozenset({"majors", "major_classes", "disciplines", "places", "occupations"})


@lru_cache(maxsize=8192)
def _code_list(text: str | None) -> tuple[str, ...]:
    """A stored JSON list of codes; positions repeat a few lists, so each distinct text is parsed once."""
    return tuple(json.loads(text)) if text else ()


def _record_select() -> Any:
    columns = [
        sql_cast(getattr(Position, name), Text).label(name) if name in _JSON_COLUMNS else getattr(Position, name)
        for name in _RECORD_COLUMNS
    ]
    return select(*columns, Employer.status.label("employer_status"), Employer.name.label("employer_name")).outerjoin(
        Employer, Employer.id == Position.employer_id
    )


def open_positions_for_matching(session: Session, *, include_unverified: bool = False) -> list[PositionRecord]:
    """Every open position as a ``matching.records.PositionRecord`` (ordered by id), program rules resolved
    from the position's rule set. Unverified employers' positions are left out unless asked for."""
    stmt = _record_select().where(Position.status == PositionStatus.OPEN).order_by(Position.id)
    if not include_unverified:
        stmt = stmt.where(or_(Position.employer_id.is_(None), Employer.status == EmployerStatus.VERIFIED))
    return _record_rows(session, stmt)


def position_record(session: Session, *, position_id: int) -> PositionRecord:
    """One position (any status) as the matcher sees it."""
    records = _record_rows(session, _record_select().where(Position.id == position_id))
    if not records:
        raise NotFound(f"岗位 {position_id} 不存在")
    return records[0]
