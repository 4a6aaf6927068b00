"""Employers, positions, grassroots program rules, job fairs and the catalog version.

Who may do what:
- enterprises register their own employer (unverified until union staff verify it) and manage that employer and
  its positions only;
- union staff (county: their scope by ``org_unit_id``; city staff and admin: all) manage employers, positions and
  job fairs, verify employers; city staff and admin publish program rule sets (they are province-wide);
- everyone signed in reads published positions of verified employers (and union-run positions) and job fairs.

Every change calls :func:`bump_version`; the matcher compares :func:`current_version` with the version its index
was built from. Functions for other domains: :func:`open_positions_for_matching`, :func:`position_record`,
:func:`get_position`, :func:`record_signing`, :func:`release_signing`, :func:`employer_id_for_user`,
:func:`manages_position`, :func:`position_summaries`, :func:`current_version`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

from rapidfuzz import fuzz
from sqlalchemy import Text, and_, delete, func, insert, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matching import fuzzy
from matching.records import Education as MatchEducation
from matching.records import HukouScope, Kind, PositionRecord, Status
from services.catalog.models import (
    OWNERSHIP_NAMES,
    CatalogVersion,
    Education,
    Employer,
    EmployerAccount,
    EmployerStatus,
    JobFair,
    JobFairPosition,
    PayBasis,
    Position,
    PositionKind,
    PositionSource,
    PositionStatus,
    ProgramRuleSet,
)
from services.catalog.schemas import (
    EmployerCreate,
    EmployerUpdate,
    JobFairCreate,
    JobFairUpdate,
    PositionCreate,
    PositionFields,
    PositionUpdate,
    RuleSetCreate,
)
from services.clock import local_today as local_today
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_credit_code, normalize_phone
from services.orgs.models import OrgUnit
from services.refdata import service as refdata
from services.refdata.models import RefIndustry
from services.security import pii, reveal
from services.security.models import Role
from services.security.principal import Principal

STAFF = frozenset({Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})
RULE_EDITORS = frozenset({Role.UNION_CITY, Role.ADMIN})
NATIONWIDE = "000000"
EDUCATION_RANK: dict[str, int] = {e.value: MatchEducation[e.name].value for e in Education}
EDUCATION_NAMES = {
    Education.SECONDARY: "中职/高中",
    Education.JUNIOR_COLLEGE: "高职专科",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}
KIND_DETAILS = {
    PositionKind.INTERNSHIP: "internship",
    PositionKind.WORK_STUDY: "work_study",
    PositionKind.GRASSROOTS: "grassroots",
    PositionKind.ENTREPRENEURSHIP: "entrepreneurship",
}
DUPLICATE_CUTOFF = 90.0


# ------------------------------------------------------------------------------------------ catalog version


def current_version(session: Session) -> int:
    """The catalog version; it grows by one with every change to employers, positions, rules or fairs."""
    value = session.scalar(select(CatalogVersion.version).where(CatalogVersion.id == 1))
    return int(value or 0)


def bump_version(session: Session) -> int:
    stmt = (
        update(CatalogVersion)
        .where(CatalogVersion.id == 1)
        .values(version=CatalogVersion.version + 1, changed_at=utcnow())
        .returning(CatalogVersion.version)
    )
    value = session.execute(stmt).scalar()
    if value is None:
        session.execute(insert(CatalogVersion).values(id=1, version=1, changed_at=utcnow()))
        value = 1
    return int(value)


# ------------------------------------------------------------------------------------------------ access


def employer_id_for_user(session: Session, *, user_id: int) -> int | None:
    """The employer an enterprise account manages, if any."""
    return session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == user_id))


def _is_staff(principal: Principal) -> bool:
    return principal.role in STAFF


def _manages_employer(session: Session, principal: Principal, employer: Employer) -> bool:
    if _is_staff(principal):
        return principal.covers(employer.org_unit_id)
    if principal.role == Role.ENTERPRISE:
        return employer_id_for_user(session, user_id=principal.user_id) == employer.id
    return False


def manages_position(session: Session, *, principal: Principal, position: Position) -> bool:
    """Whether the principal may change the position (and, for tracking, see its applicants)."""
    if _is_staff(principal):
        return principal.covers(position.org_unit_id)
    if principal.role == Role.ENTERPRISE and position.employer_id is not None:
        return employer_id_for_user(session, user_id=principal.user_id) == position.employer_id
    return False


def _employer_verified(session: Session, position: Position) -> bool:
    if position.employer_id is None:
        return True
    return session.scalar(select(Employer.status).where(Employer.id == position.employer_id)) == EmployerStatus.VERIFIED


def _publicly_visible(session: Session, position: Position) -> bool:
    return position.status != PositionStatus.DRAFT and _employer_verified(session, position)


# --------------------------------------------------------------------------------------------- employers


def _credit_code(raw: str) -> str:
    try:
        return normalize_credit_code(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="credit_code") from exc


def _set_phone(employer: Employer, raw: str | None) -> None:
    if not raw:
        employer.contact_phone_enc = employer.contact_phone_bidx = employer.contact_phone_masked = None
        return
    try:
        value = normalize_phone(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="contact_phone") from exc
    sealed = pii.seal(pii.PiiKind.PHONE, value)
    employer.contact_phone_enc = sealed.ciphertext
    employer.contact_phone_bidx = sealed.blind_index
    employer.contact_phone_masked = sealed.masked


def find_similar_employers(
    session: Session, *, name: str, exclude_id: int | None = None, score_cutoff: float = DUPLICATE_CUTOFF
) -> list[dict[str, Any]]:
    """Registered employers whose names are near this one (legal-form suffixes ignored), best first."""
    key = fuzzy.normalize_org_name(name)
    stmt = select(Employer.id, Employer.name, Employer.name_key)
    if exclude_id is not None:
        stmt = stmt.where(Employer.id != exclude_id)
    rows = session.execute(stmt).all()
    if not rows or not key:
        return []
    choices = {row.id: row.name_key for row in rows}
    names = {row.id: row.name for row in rows}
    hits = fuzzy.extract(key, choices, scorer=fuzz.ratio, processor=None, limit=5, score_cutoff=score_cutoff)
    return [{"id": int(emp_id), "name": names[emp_id], "score": round(score, 1)} for _, score, emp_id in hits]


def _check_employer_fields(session: Session, values: dict[str, Any]) -> None:
    if "industry_code" in values:
        values["industry_code"] = refdata.check_industry(session, code=values["industry_code"]).code
    if "division_code" in values:
        refdata.check_division(session, code=values["division_code"])
    if "credit_code" in values:
        values["credit_code"] = _credit_code(values["credit_code"])


def _ensure_unique_code(session: Session, code: str, exclude_id: int | None = None) -> None:
    stmt = select(Employer.id, Employer.name).where(Employer.credit_code == code)
    found = session.execute(stmt).first()
    if found is not None and found.id != exclude_id:
        raise Conflict(f"统一社会信用代码已由“{found.name}”登记", field="credit_code")


def _new_employer(session: Session, data: EmployerCreate, *, org_unit_id: int, created_by: int | None) -> Employer:
    values = data.model_dump(exclude={"contact_phone", "org_unit_id"})
    _check_employer_fields(session, values)
    _ensure_unique_code(session, values["credit_code"])
    employer = Employer(
        **values,
        name_key=fuzzy.normalize_org_name(values["name"]),
        org_unit_id=org_unit_id,
        status=EmployerStatus.PENDING,
        created_by=created_by,
        possible_duplicates=find_similar_employers(session, name=values["name"]),
    )
    _set_phone(employer, data.contact_phone)
    session.add(employer)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same code
        raise Conflict("统一社会信用代码已被登记", field="credit_code") from exc
    return employer


def _org_unit_for_division(session: Session, division_code: str) -> int:
    """The union unit covering a place: the unit of that county, else of its city, else the top unit."""
    for code in (division_code, division_code[:4] + "00"):
        unit_id = session.scalar(
            select(OrgUnit.id).where(OrgUnit.division_code == code).order_by(OrgUnit.path).limit(1)
        )
        if unit_id is not None:
            return int(unit_id)
    top = session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id).limit(1))
    if top is None:
        raise ValidationFailed("尚未建立工会组织，无法登记用人单位", field="division_code")
    return int(top)


def register_employer(session: Session, *, principal: Principal, data: EmployerCreate) -> Employer:
    """Enterprise self-registration: an unverified employer linked to the enterprise account."""
    if principal.role != Role.ENTERPRISE:
        raise Forbidden("只有企业账号可以自助登记本单位")
    if employer_id_for_user(session, user_id=principal.user_id) is not None:
        raise Conflict("本账号已登记过单位，请修改原登记信息")
    org_unit_id = principal.org_unit_id or _org_unit_for_division(session, data.division_code)
    employer = _new_employer(session, data, org_unit_id=org_unit_id, created_by=principal.user_id)
    session.add(EmployerAccount(user_id=principal.user_id, employer_id=employer.id, created_at=utcnow()))
    session.flush()
    bump_version(session)
    return employer


def create_employer(
    session: Session, *, principal: Principal, data: EmployerCreate, org_unit_id: int | None = None
) -> Employer:
    """Union staff register an employer (a partner, a fair exhibitor) in their scope; verified at once."""
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以代为登记单位")
    unit = org_unit_id or principal.org_unit_id or _org_unit_for_division(session, data.division_code)
    if not principal.covers(unit):
        raise Forbidden("不能在管辖范围之外登记单位")
    employer = _new_employer(session, data, org_unit_id=unit, created_by=principal.user_id)
    employer.status = EmployerStatus.VERIFIED
    employer.verified_at = utcnow()
    employer.verified_by = principal.user_id
    employer.review_note = "工会工作人员登记"
    session.flush()
    bump_version(session)
    return employer


def get_employer(session: Session, *, principal: Principal, employer_id: int) -> Employer:
    if not (_is_staff(principal) or principal.role == Role.ENTERPRISE):
        raise Forbidden("您的角色无权查看单位登记信息")
    employer = session.get(Employer, employer_id)
    if employer is None or not _manages_employer(session, principal, employer):
        raise NotFound(f"单位 {employer_id} 不存在")
    return employer


def list_employers(
    session: Session,
    *,
    principal: Principal,
    status: str | None,
    query: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Employer], int]:
    stmt = select(Employer)
    if principal.role == Role.ENTERPRISE:
        stmt = stmt.where(Employer.id == employer_id_for_user(session, user_id=principal.user_id))
    elif not _is_staff(principal):
        raise Forbidden("您的角色无权查看单位登记信息")
    elif principal.scope is not None:
        stmt = stmt.where(Employer.org_unit_id.in_(principal.scope))
    if status:
        stmt = stmt.where(Employer.status == status)
    if query:
        text = query.strip()
        stmt = stmt.where(or_(Employer.name.contains(text), Employer.credit_code == text.upper()))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(stmt.order_by(Employer.id).limit(limit).offset(offset))
    return list(rows), total


def update_employer(session: Session, *, principal: Principal, employer_id: int, data: EmployerUpdate) -> Employer:
    employer = get_employer(session, principal=principal, employer_id=employer_id)
    values = data.model_dump(exclude_unset=True)
    phone_sent = "contact_phone" in values
    phone = values.pop("contact_phone", None)
    for required in ("name", "credit_code", "industry_code", "ownership", "division_code"):
        if required in values and values[required] is None:
            raise ValidationFailed("该项不能清空", field=required)
    _check_employer_fields(session, values)
    if "credit_code" in values:
        _ensure_unique_code(session, values["credit_code"], exclude_id=employer.id)
    identity_changed = any(
        k in values and values[k] != getattr(employer, k) for k in ("name", "credit_code", "division_code")
    )
    for key, value in values.items():
        setattr(employer, key, value if value is not None or key == "contact_email" else "")
    if "name" in values:
        employer.name_key = fuzzy.normalize_org_name(employer.name)
        employer.possible_duplicates = find_similar_employers(session, name=employer.name, exclude_id=employer.id)
    if phone_sent:
        _set_phone(employer, phone)
    if identity_changed and principal.role == Role.ENTERPRISE and employer.status != EmployerStatus.PENDING:
        # A verified name, code or place changed by the enterprise itself is checked again.
        employer.status = EmployerStatus.PENDING
        employer.review_note = "单位名称、信用代码或所在地变更，待重新认证"
    session.flush()
    bump_version(session)
    return employer


def review_employer(
    session: Session, *, principal: Principal, employer_id: int, approve: bool, note: str = ""
) -> Employer:
    if not _is_staff(principal):
        raise Forbidden("只有工会工作人员可以认证单位")
    employer = get_employer(session, principal=principal, employer_id=employer_id)
    if not approve and not note.strip():
        raise ValidationFailed("不予认证须说明理由", field="note")
    employer.status = EmployerStatus.VERIFIED if approve else EmployerStatus.REJECTED
    employer.review_note = note.strip()
    employer.verified_at = utcnow() if approve else None
    employer.verified_by = principal.user_id if approve else None
    session.flush()
    bump_version(session)
    return employer


def employer_labels(session: Session, *, employer: Employer) -> dict[str, str]:
    industry = session.get(RefIndustry, employer.industry_code)
    return {
        "industry_name": industry.name if industry else "",
        "ownership_name": OWNERSHIP_NAMES.get(employer.ownership, employer.ownership),
        "division_name": refdata.division_names(session, codes=[employer.division_code]).get(
            employer.division_code, ""
        ),
    }


def _load_contact_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("单位不存在")
    return get_employer(session, principal=principal, employer_id=int(target_id)).contact_phone_enc


reveal.register(
    "employer",
    "contact_phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN, Role.ENTERPRISE},
    load=_load_contact_phone,
)


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
    session.add(position)
    _apply_details(session, position, details.get(KIND_DETAILS.get(data.kind, "")), kind)
    _check_ranges(position)
    if data.publish:
        _publish(position)
    session.flush()
    bump_version(session)
    return position


def _default_place(session: Session, employer: Employer | None, org_unit_id: int) -> str:
    if employer is not None:
        return employer.division_code
    unit = session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise ValidationFailed("请填写工作地点", field="places")
    return unit.division_code


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
) -> tuple[list[Position], int]:
    public = and_(
        Position.status != PositionStatus.DRAFT,
        or_(Position.employer_id.is_(None), Employer.status == EmployerStatus.VERIFIED),
    )
    managed: Any
    if _is_staff(principal):
        managed = Position.org_unit_id.in_(principal.scope) if principal.scope is not None else True
    elif principal.role == Role.ENTERPRISE:
        own = employer_id_for_user(session, user_id=principal.user_id)
        managed = Position.employer_id == own if own is not None else False
    else:
        managed = False
    if managed_only:
        if managed is False:
            raise Forbidden("您的角色没有可管理的岗位")
        visible = managed
    else:
        visible = or_(managed, public) if managed is not True else True
    stmt = select(Position).outerjoin(Employer, Employer.id == Position.employer_id).where(visible)
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
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(stmt.order_by(Position.id.desc()).limit(limit).offset(offset))
    return list(rows), total


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
    position = session.scalar(select(Position).where(Position.id == position_id).with_for_update())
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
    position = session.scalar(select(Position).where(Position.id == position_id).with_for_update())
    if position is None:
        raise NotFound(f"岗位 {position_id} 不存在")
    position.filled = max(0, position.filled - count)
    refresh_status(position, today=today)
    session.flush()
    bump_version(session)
    return position


@dataclass(frozen=True, slots=True)
class PositionSummary:
    id: int
    kind: str
    title: str
    status: str
    employer_id: int | None
    employer_name: str
    org_unit_id: int


def position_summaries(session: Session, *, position_ids: Iterable[int]) -> dict[int, PositionSummary]:
    """Title, kind, status and employer of positions, for lists in other domains."""
    ids = list(set(position_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(
            Position.id,
            Position.kind,
            Position.title,
            Position.status,
            Position.employer_id,
            Employer.name,
            Position.org_unit_id,
        )
        .outerjoin(Employer, Employer.id == Position.employer_id)
        .where(Position.id.in_(ids))
    )
    return {r[0]: PositionSummary(r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6]) for r in rows}


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
        **fields,
    )


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
    return select(*columns, Employer.status.label("employer_status")).outerjoin(
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
    out = []
    for position in session.scalars(select(Position).where(Position.id.in_(ids)).order_by(Position.id)):
        if manages_position(session, principal=principal, position=position) or _publicly_visible(session, position):
            out.append(position)
    return out


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
    return {r[0]: (r[1], r[2] == EmployerStatus.VERIFIED) for r in rows}
