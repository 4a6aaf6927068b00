"""Students and graduates: cleaning, the family link, creating, updating, account links and lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound
from services.identifiers import ResidentId
from services.refdata.api import Vocabularies, vocabularies
from services.registry import forms, majors
from services.registry.access import check_org_in_scope, default_org, require_caseload, require_staff
from services.registry.families import _org_filter
from services.registry.models import (
    Family,
    FamilyMember,
    Graduate,
    RegistryChange,
    Stage,
)
from services.registry.writes import Actor, add_history, id_index, sealed_text, set_plain, set_sealed
from services.security import pii
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.scope import scoped


def clean_graduate(
    raw: Mapping[str, object], vocab: Vocabularies, *, partial: bool = False, current: Graduate | None = None
) -> tuple[dict[str, Any], forms.Problems]:
    problems = forms.Problems()
    data = forms.clean(forms.GRADUATE_FIELDS, raw, vocab, problems, partial=partial)
    forms.check_derived(data, problems)
    for key in ("employment_status", "enterprise_visible"):  # left blank: keep as is (未就业 / 不公开 for new ones)
        if key in data and data[key] is None:
            del data[key]
    if "stage" in data:
        stage = forms.STAGES.get(str(data["stage"]).strip())
        if stage is None:
            problems.add("stage", "not_an_option", "请填写“在校生”或“毕业生”", str(data["stage"])[:10])
        else:
            data["stage"] = stage
    stage_now = data.get("stage", current.stage if current else None)
    cohort = data.get("cohort", current.cohort if current else None)
    if (
        stage_now == Stage.GRADUATE
        and cohort is None
        and not any(p.field in {"cohort", "stage"} for p in problems.items)
    ):
        problems.add("cohort", "required", "毕业生须填写毕业届别（如 2023）")
    low = data.get("expected_pay_min", current.expected_pay_min if current else None)
    high = data.get("expected_pay_max", current.expected_pay_max if current else None)
    if low is not None and high is not None and low > high:
        problems.add("expected_pay_max", "range", "期望月薪上限不能低于下限", forms.money_text(high))
    email = data.get("email")
    if email and ("@" not in email or " " in email):
        problems.add("email", "format", "电子邮箱格式不正确", email[:50])
    return data, problems


def _family_by_head(session: Session, number: str) -> Family | None:
    return session.scalar(select(Family).where(Family.id_number_bidx == id_index(number)))


def resolve_family_link(
    session: Session, *, principal: Principal | None, head: ResidentId | None, problems: forms.Problems
) -> Family | None:
    """The archived family a student belongs to, named by the head's ID number (in the caller's scope)."""
    if head is None:
        return None
    family = _family_by_head(session, head.number)
    if family is None or (principal is not None and not principal.covers(family.org_unit_id)):
        problems.add(
            "family_head_id_number",
            "no_family",
            "户主身份证号未找到对应的困难职工档案",
            pii.mask("id_number", head.number),
        )
        return None
    return family


@dataclass(frozen=True, slots=True)
class FamilyLink:
    family_id: int | None
    member_id: int | None


MajorResolver = Callable[[str | None, str | None], majors.ResolvedMajor | None]


def _resolve_major(raw: str | None, education: str | None) -> majors.ResolvedMajor | None:
    return majors.resolve(raw, education=education)


def _member_by_bidx(session: Session, *, family_id: int, bidx: str) -> int | None:
    return session.scalar(
        select(FamilyMember.id).where(FamilyMember.family_id == family_id, FamilyMember.id_number_bidx == bidx)
    )


def family_link(session: Session, *, family: Family | None, id_number: str | None) -> FamilyLink:
    """The family a student belongs to and, when the student is listed there, the member row."""
    if family is None:
        return FamilyLink(None, None)
    member_id = None
    if id_number:
        member_id = session.scalar(
            select(FamilyMember.id).where(
                FamilyMember.family_id == family.id, FamilyMember.id_number_bidx == id_index(id_number)
            )
        )
    return FamilyLink(family.id, member_id)


def apply_graduate_values(
    graduate: Graduate | SimpleNamespace,
    data: Mapping[str, Any],
    changes: dict[str, Any] | None,
    *,
    link: FamilyLink | None,
    resolve_major: MajorResolver = _resolve_major,
    sealed: Mapping[str, pii.Sealed] | None = None,
) -> None:
    """Write cleaned values; ``link`` None leaves the family link as it is. The major keeps its raw text."""
    for key, value in data.items():
        if key == "family_head_id_number":
            continue
        if key in forms.GRADUATE_SENSITIVE:
            pre = sealed.get(key) if sealed else None
            set_sealed(graduate, key, forms.GRADUATE_SENSITIVE[key], sealed_text(value), changes, pre)
            if isinstance(value, ResidentId):
                set_plain(graduate, "sex", value.sex, changes)
                set_plain(graduate, "birth_date", value.birth_date, changes)
        elif key == "major":
            set_plain(graduate, "major_raw", value, changes)
            found = resolve_major(value, data.get("education", getattr(graduate, "education", None)))
            set_plain(graduate, "major_code", found.code if found else None, changes)
            set_plain(graduate, "major_name", found.name if found else None, changes)
        else:
            set_plain(graduate, key, value, changes)
    if link is not None:
        set_plain(graduate, "family_id", link.family_id, changes)
        set_plain(graduate, "member_id", link.member_id, changes)


def _check_family_required(
    vocab: Vocabularies, category: str | None, family_id: int | None, problems: forms.Problems
) -> None:
    needs_family = category and vocab["service_category"].has_flag(category, "family") and family_id is None
    if needs_family and not any(p.field == "family_head_id_number" for p in problems.items):
        name = vocab["service_category"].name(category)
        problems.add("family_head_id_number", "required", f"服务对象“{name}”须关联建档家庭，请填写户主身份证号")


def _graduate_with_id(session: Session, bidx: str) -> int | None:
    """The graduate registered with this ID number anywhere in the city (an ID number is registered once)."""
    return session.scalar(select(Graduate.id).where(Graduate.id_number_bidx == bidx))


def _graduate_of_user(session: Session, user_id: int) -> int | None:
    """The graduate an account is linked to anywhere in the city (an account is linked once)."""
    return session.scalar(select(Graduate.id).where(Graduate.user_id == user_id))


def create_graduate(
    session: Session, *, principal: Principal, org_unit_id: int | None, raw: Mapping[str, object]
) -> Graduate:
    require_staff(principal)
    org_id = default_org(principal, org_unit_id)
    check_org_in_scope(session, principal=principal, org_unit_id=org_id)
    vocab = vocabularies(session)
    data, problems = clean_graduate(raw, vocab)
    family = resolve_family_link(
        session, principal=principal, head=data.get("family_head_id_number"), problems=problems
    )
    _check_family_required(vocab, data.get("service_category"), family.id if family else None, problems)
    problems.raise_if_any()
    bidx = id_index(data["id_number"].number)
    if _graduate_with_id(session, bidx) is not None:
        raise Conflict("该身份证号已登记为学生/毕业生", field="id_number")
    graduate = Graduate(org_unit_id=org_id)
    graduate.intentions, graduate.preferred_places, graduate.skills = [], [], []
    graduate.employment_status = "unemployed"
    graduate.enterprise_visible = False
    changes: dict[str, Any] = {}
    link = family_link(session, family=family, id_number=data["id_number"].number)
    apply_graduate_values(graduate, data, changes, link=link)
    session.add(graduate)
    session.flush()
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=org_id,
        action="create",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return graduate


def update_graduate(
    session: Session,
    *,
    principal: Principal,
    graduate: Graduate,
    raw: Mapping[str, object],
    allowed: frozenset[str] | None = None,
    org_unit_id: int | None = None,
) -> Graduate:
    """Staff change any field; a counselor or the graduate only ``allowed`` ones (the router's schema enforces it)."""
    if allowed is not None:
        extra = set(raw) - allowed
        if extra:
            raise Forbidden("无权修改字段：" + "、".join(sorted(extra)))
    vocab = vocabularies(session)
    data, problems = clean_graduate(raw, vocab, partial=True, current=graduate)
    family_given = "family_head_id_number" in data
    family = None
    if family_given:
        family = resolve_family_link(
            session, principal=principal, head=data.get("family_head_id_number"), problems=problems
        )
    category = data.get("service_category", graduate.service_category)
    family_id = (family.id if family else None) if family_given else graduate.family_id
    _check_family_required(vocab, category, family_id, problems)
    problems.raise_if_any()
    if "id_number" in data:
        bidx = id_index(data["id_number"].number)
        other = _graduate_with_id(session, bidx)
        if other is not None and other != graduate.id:
            raise Conflict("该身份证号已登记为学生/毕业生", field="id_number")
    changes: dict[str, Any] = {}
    if org_unit_id is not None and org_unit_id != graduate.org_unit_id:
        require_staff(principal)
        check_org_in_scope(session, principal=principal, org_unit_id=org_unit_id)
        set_plain(graduate, "org_unit_id", org_unit_id, changes)
    link = None
    if family_given:
        number = data["id_number"].number if "id_number" in data else None
        link = family_link(session, family=family, id_number=number)
        if number is None and family is not None:
            link = FamilyLink(family.id, _member_by_bidx(session, family_id=family.id, bidx=graduate.id_number_bidx))
    apply_graduate_values(graduate, data, changes, link=link)
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return graduate


def link_account(session: Session, *, principal: Principal, graduate: Graduate, user_id: int | None) -> Graduate:
    """Link (or unlink) the graduate's own login account."""
    require_staff(principal)
    changes: dict[str, Any] = {}
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or user.role != Role.GRADUATE or not principal.covers(user.org_unit_id):
            raise NotFound(f"账号 {user_id} 不存在、不是毕业生账号或不在您的管辖范围内")
        taken = _graduate_of_user(session, user_id)
        if taken is not None and taken != graduate.id:
            raise Conflict("该账号已关联其他学生/毕业生档案", field="user_id")
    set_plain(graduate, "user_id", user_id, changes)
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return graduate


@dataclass
class GraduateFilter:
    stage: str | None = None
    cohort: int | None = None
    service_category: str | None = None
    employment_status: str | None = None
    org_unit_id: int | None = None
    name: str | None = None
    school_name: str | None = None
    family_id: int | None = None
    stale_days: int | None = None


def _graduate_conditions(session: Session, principal: Principal, flt: GraduateFilter) -> list[ColumnElement[bool]]:
    conds = _org_filter(session, principal, Graduate.org_unit_id, flt.org_unit_id)
    if flt.stage:
        conds.append(Graduate.stage == flt.stage)
    if flt.cohort is not None:
        conds.append(Graduate.cohort == flt.cohort)
    if flt.service_category:
        conds.append(Graduate.service_category == flt.service_category)
    if flt.employment_status:
        conds.append(Graduate.employment_status == flt.employment_status)
    if flt.family_id is not None:
        conds.append(Graduate.family_id == flt.family_id)
    if flt.name:
        conds.append(Graduate.name.contains(flt.name.strip(), autoescape=True))
    if flt.school_name:
        conds.append(Graduate.school_name.contains(flt.school_name.strip(), autoescape=True))
    if flt.stale_days is not None:
        conds.append(Graduate.updated_at < utcnow() - timedelta(days=flt.stale_days))
    return conds


def list_graduates(
    session: Session, *, principal: Principal, flt: GraduateFilter, limit: int, offset: int
) -> tuple[list[Graduate], int]:
    require_caseload(principal)
    conds = _graduate_conditions(session, principal, flt)
    org, gid = Graduate.org_unit_id, Graduate.id
    count = select(func.count()).select_from(Graduate).where(*conds)
    total = int(session.scalar(scoped(count, principal, org=org, graduate=gid, session=session)) or 0)
    page = select(Graduate).where(*conds).order_by(Graduate.id).limit(limit).offset(offset)
    return list(session.scalars(scoped(page, principal, org=org, graduate=gid, session=session))), total


def history(
    session: Session, *, entity_type: str, entity_id: int, limit: int, offset: int, family_wide: bool = False
) -> tuple[list[RegistryChange], int]:
    """Changes of one record, newest first; ``family_wide`` adds the members' changes to a family's history."""
    cond: ColumnElement[bool]
    if family_wide:
        cond = RegistryChange.family_id == entity_id
        if entity_type == "family":
            cond = or_(cond, (RegistryChange.entity_type == "family") & (RegistryChange.entity_id == entity_id))
    else:
        cond = (RegistryChange.entity_type == entity_type) & (RegistryChange.entity_id == entity_id)
    total = int(session.scalar(select(func.count()).select_from(RegistryChange).where(cond)) or 0)
    rows = session.scalars(
        select(RegistryChange)
        .where(cond)
        .order_by(RegistryChange.at.desc(), RegistryChange.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total
