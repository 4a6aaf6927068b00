"""Grassroots program rule sets (province-wide, published by city staff and admin): versions, seeding from the
bundled file, and the fields the matcher reads from a rule set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from matching.records import Education as MatchEducation
from services.catalog.access import EDUCATION_RANK, NATIONWIDE, RULE_EDITORS, bump_version
from services.catalog.models import (
    Education,
    Position,
    ProgramRuleSet,
)
from services.catalog.schemas import (
    RuleSetCreate,
)
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Forbidden, NotFound, ValidationFailed
from services.refdata import api as refdata
from services.security.principal import Principal

# ----------------------------------------------------------------------------------------- program rules


def _education_list(values: Iterable[str]) -> list[str]:
    return sorted({Education(v).value for v in values}, key=EDUCATION_RANK.__getitem__)


def _latest_rule(session: Session, program: str, year: int, province_code: str) -> ProgramRuleSet | None:
    return session.scalar(
        select(ProgramRuleSet)
        .where(
            ProgramRuleSet.program == program,
            ProgramRuleSet.year == year,
            ProgramRuleSet.province_code == province_code,
        )
        .order_by(ProgramRuleSet.version.desc())
        .limit(1)
    )


def resolve_rule_set(session: Session, *, program: str, year: int, province_code: str) -> ProgramRuleSet | None:
    """The current rule set of a program for a year: the province's own, else the nationwide one."""
    province = province_code[:2] + "0000"
    return _latest_rule(session, program, year, province) or _latest_rule(session, program, year, NATIONWIDE)


def _check_rule_values(session: Session, data: RuleSetCreate) -> dict[str, Any]:
    values = data.model_dump()
    if data.province_code != NATIONWIDE:
        if not data.province_code.endswith("0000"):
            raise ValidationFailed("规则按省制定：请填写省级区划代码（如 340000）", field="province_code")
        refdata.check_division(session, code=data.province_code, field_name="province_code")
    values["education_levels"] = _education_list(data.education_levels)
    values["min_education"] = data.min_education.value
    values["majors"] = refdata.check_major_codes(session, codes=data.majors, field_name="majors")
    values["major_classes"] = refdata.check_class_codes(session, codes=data.major_classes, field_name="major_classes")
    values["disciplines"] = refdata.check_discipline_codes(session, codes=data.disciplines, field_name="disciplines")
    values["required_flags"] = sorted({f.strip() for f in data.required_flags if f.strip()})
    return values


def create_rule_set(
    session: Session, *, principal: Principal | None, data: RuleSetCreate, repoint: bool = True
) -> ProgramRuleSet:
    """Publish a rule set: version 1 for a new program/year/province, else the next version, which from then
    on governs; positions that pointed at an older version of the same key move to the new one."""
    if principal is not None and principal.role not in RULE_EDITORS:
        raise Forbidden("基层项目资格规则由市总帮扶中心或管理员发布")
    values = _check_rule_values(session, data)
    previous = _latest_rule(session, data.program, data.year, data.province_code)
    rule = ProgramRuleSet(
        **values,
        version=(previous.version + 1) if previous else 1,
        created_by=principal.user_id if principal else None,
    )
    session.add(rule)
    session.flush()
    if previous is not None and repoint:
        older = select(ProgramRuleSet.id).where(
            ProgramRuleSet.program == data.program,
            ProgramRuleSet.year == data.year,
            ProgramRuleSet.province_code == data.province_code,
            ProgramRuleSet.id != rule.id,
        )
        session.execute(
            update(Position).where(Position.rule_set_id.in_(older)).values(rule_set_id=rule.id, updated_at=utcnow())
        )
    bump_version(session)
    return rule


def get_rule_set(session: Session, *, rule_set_id: int) -> ProgramRuleSet:
    rule = session.get(ProgramRuleSet, rule_set_id)
    if rule is None:
        raise NotFound(f"规则 {rule_set_id} 不存在")
    return rule


@dataclass(frozen=True, slots=True)
class RuleSummary:
    """What a position's answer says of the rule set it follows."""

    id: int
    program_name: str
    year: int
    province_code: str
    version: int


#: The columns of a :class:`RuleSummary`, in its order (a statement that joins the rule set selects these).
RULE_SUMMARY_COLUMNS = (
    ProgramRuleSet.id.label("rule_id"),
    ProgramRuleSet.program_name,
    ProgramRuleSet.year,
    ProgramRuleSet.province_code,
    ProgramRuleSet.version,
)


def rule_summaries(session: Session, *, rule_set_ids: Iterable[int]) -> dict[int, RuleSummary]:
    """The summaries of the rule sets of ``rule_set_ids`` in one query (those that exist)."""
    wanted = sorted(set(rule_set_ids))
    if not wanted:
        return {}
    rows = session.execute(select(*RULE_SUMMARY_COLUMNS).where(ProgramRuleSet.id.in_(wanted)))
    return {row[0]: RuleSummary(*row) for row in rows}


def is_current(session: Session, rule: ProgramRuleSet) -> bool:
    latest = _latest_rule(session, rule.program, rule.year, rule.province_code)
    return latest is not None and latest.id == rule.id


def list_rule_sets(
    session: Session,
    *,
    program: str | None,
    year: int | None,
    province_code: str | None,
    current_only: bool,
    limit: int,
    offset: int,
) -> list[tuple[ProgramRuleSet, bool]]:
    stmt = select(ProgramRuleSet)
    if program:
        stmt = stmt.where(ProgramRuleSet.program == program)
    if year:
        stmt = stmt.where(ProgramRuleSet.year == year)
    if province_code:
        stmt = stmt.where(ProgramRuleSet.province_code == province_code)
    latest = (
        select(
            ProgramRuleSet.program,
            ProgramRuleSet.year,
            ProgramRuleSet.province_code,
            func.max(ProgramRuleSet.version).label("version"),
        )
        .group_by(ProgramRuleSet.program, ProgramRuleSet.year, ProgramRuleSet.province_code)
        .subquery()
    )
    current_ids = set(
        session.scalars(
            select(ProgramRuleSet.id).join(
                latest,
                and_(
                    ProgramRuleSet.program == latest.c.program,
                    ProgramRuleSet.year == latest.c.year,
                    ProgramRuleSet.province_code == latest.c.province_code,
                    ProgramRuleSet.version == latest.c.version,
                ),
            )
        )
    )
    if current_only:
        stmt = stmt.where(ProgramRuleSet.id.in_(current_ids))
    stmt = stmt.order_by(
        ProgramRuleSet.program, ProgramRuleSet.year.desc(), ProgramRuleSet.province_code, ProgramRuleSet.version.desc()
    )
    rows = session.scalars(stmt.limit(limit).offset(offset))
    return [(r, r.id in current_ids) for r in rows]


def seed_file() -> Path:
    return Path(str(resources.files("services.catalog").joinpath("data", "program_rules.json")))


def seed_rule_sets(session: Session, *, path: Path | None = None) -> int:
    """Add the bundled rule sets for program/year/province keys that have none yet. Returns how many were added.

    Rule sets published by staff are never overwritten: once a key has any version, the seed leaves it alone.
    """
    with (path or seed_file()).open(encoding="utf-8") as fh:
        data = json.load(fh)
    added = 0
    for entry in data["rule_sets"]:
        base = {k: v for k, v in entry.items() if k not in {"years", "by_year"}}
        for year in entry["years"]:
            values = {**base, **entry.get("by_year", {}).get(str(year), {}), "year": year}
            if _latest_rule(session, values["program"], year, values["province_code"]) is not None:
                continue
            create_rule_set(session, principal=None, data=RuleSetCreate.model_validate(values))
            added += 1
    return added


def count_rule_sets(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ProgramRuleSet)) or 0)


def rule_fields(rule: ProgramRuleSet) -> dict[str, Any]:
    """The matcher's view of a rule set (graduation window turned into graduation years)."""
    window = rule.graduation_window_years
    return {
        "education_levels": frozenset(MatchEducation(EDUCATION_RANK[e]) for e in rule.education_levels),
        "min_education": MatchEducation(EDUCATION_RANK[rule.min_education]),
        "max_age": rule.max_age,
        "graduation_min": rule.year - window if window is not None else None,
        "graduation_max": rule.year if window is not None else None,
        "majors": tuple(rule.majors),
        "major_classes": tuple(rule.major_classes),
        "disciplines": tuple(rule.disciplines),
        "requires_local_hukou": rule.requires_local_hukou,
        "hukou_scope": rule.hukou_scope,
        "required_flags": frozenset(rule.required_flags),
    }
