"""Families (附件3/4) and their members: cleaning, creating, updating, closing and listing archives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import Conflict, ValidationFailed
from services.identifiers import InvalidIdentifier, ResidentId, parse_resident_id
from services.orgs.models import OrgUnit
from services.refdata.api import Vocabularies, vocabularies
from services.registry import forms
from services.registry.access import check_org_in_scope, default_org, members_of, require_staff
from services.registry.models import (
    Family,
    FamilyMember,
    FamilyStatus,
    Graduate,
)
from services.registry.writes import (
    Actor,
    add_history,
    decrypt_money,
    id_index,
    sealed_text,
    set_plain,
    set_sealed,
    user_of,
)
from services.security import pii
from services.security.principal import Principal
from services.security.scope import scoped


@dataclass(frozen=True, slots=True)
class Income:
    """Derived figures of a family (plaintext, for server-side rules such as aid eligibility)."""

    family_size: int
    annual_total: Decimal
    per_capita_monthly: Decimal
    zero_employment: bool


def compute_income(
    *, head_monthly: Decimal, other_annual: Decimal, member_monthly: Sequence[Decimal], employed: Sequence[bool]
) -> Income:
    """家庭年度总收入 = (本人 + 成员月收入) × 12 + 家庭其他非薪资年收入；家庭月人均收入 = 年度总收入 ÷ 12 ÷ 家庭人口."""
    size = 1 + len(member_monthly)
    annual = ((head_monthly + sum(member_monthly, Decimal(0))) * 12 + other_annual).quantize(forms.CENT)
    per_capita = (annual / 12 / size).quantize(forms.CENT, rounding=ROUND_HALF_UP)
    return Income(size, annual, per_capita, zero_employment=not any(employed))


def _employed_codes(vocab: Vocabularies) -> frozenset[str]:
    return vocab["work_status"].codes_with("employed")


def head_employed(family: Family | SimpleNamespace, employed_codes: frozenset[str]) -> bool:
    if family.archive_type == "2":  # 困难农民工: a signed labour contract with an employer
        return bool(family.employer_name)
    return family.work_status in employed_codes


def recompute(
    family: Family,
    *,
    members: Sequence[FamilyMember],
    employed_codes: frozenset[str],
    changes: dict[str, Any],
    head_monthly: Decimal | None = None,
    other_annual: Decimal | None = None,
    member_monthly: Mapping[str, Decimal] | None = None,
) -> Income:
    """Set family size, incomes and zero-employment from the head and ``members``.

    Plaintext incomes already at hand (an import row) are passed in to spare decryption; ``member_monthly`` is
    keyed by the member's ID blind index.
    """
    known = member_monthly or {}
    income = compute_income(
        head_monthly=head_monthly if head_monthly is not None else decrypt_money(family.monthly_income_enc),
        other_annual=other_annual if other_annual is not None else decrypt_money(family.other_annual_income_enc),
        member_monthly=[
            known[m.id_number_bidx] if m.id_number_bidx in known else decrypt_money(m.monthly_income_enc)
            for m in members
        ],
        employed=[head_employed(family, employed_codes), *(m.work_status in employed_codes for m in members)],
    )
    set_income(family, income, changes)
    return income


def set_income(family: Family | SimpleNamespace, income: Income, changes: dict[str, Any] | None) -> None:
    set_plain(family, "family_size", income.family_size, changes)
    set_plain(family, "zero_employment", income.zero_employment, changes)
    set_sealed(family, "annual_income", pii.PiiKind.TEXT, forms.money_text(income.annual_total), changes)
    set_sealed(family, "per_capita_income", pii.PiiKind.TEXT, forms.money_text(income.per_capita_monthly), changes)


def clean_family(
    raw: Mapping[str, object], vocab: Vocabularies, *, partial: bool = False, current: Family | None = None
) -> tuple[dict[str, Any], forms.Problems]:
    """Check the typed archive values; conditional stars of 附件3/附件4 follow the archive type."""
    problems = forms.Problems()
    data = forms.clean(forms.FAMILY_FIELDS, raw, vocab, problems, partial=partial)
    forms.check_derived(data, problems)
    archive_type = data.get("archive_type", current.archive_type if current else None)
    for key in forms.REQUIRED_BY_TYPE.get(str(archive_type), ()):
        present = data[key] if key in data else (getattr(current, key) if current is not None else None)
        if forms.is_blank(present) and not any(p.field == key for p in problems.items):
            label = next(f.label for f in forms.FAMILY_FIELDS if f.key == key)
            form = "附件3 城镇困难职工" if archive_type == "1" else "附件4 困难农民工"
            problems.add(key, "required", f"{label}为必填项（{form}档案）")
    if "primary_cause" in data and data["primary_cause"] in (data.get("secondary_causes") or []):
        problems.add("secondary_causes", "duplicate", "次要致困原因不能与主要致困原因相同")
    if data.get("disability") and data.get("health_status") == "1":
        problems.add("disability", "inconsistent", "健康状况为“健康”时不应填写疾病/残疾类别", "****")
    return data, problems


def check_person_free(
    session: Session, *, bidx: str, family_id: int | None = None, member_id: int | None = None, as_member: bool = False
) -> None:
    """One person is one ID number: not the head of another archive, not a member of another family.

    ``family_id`` is the family being written; ``as_member`` with ``member_id`` (None for a new member) when the
    person is written as a member, otherwise as the head.
    """
    head = session.scalar(select(Family.id).where(Family.id_number_bidx == bidx))
    if head is not None:
        if as_member and head == family_id:
            raise Conflict("家庭成员不能是户主本人", field="id_number")
        if as_member or head != family_id:
            raise Conflict("该身份证号已作为户主建立困难职工档案", field="id_number")
    member = session.execute(
        select(FamilyMember.id, FamilyMember.family_id).where(FamilyMember.id_number_bidx == bidx)
    ).first()
    if member is not None and not (as_member and member.id == member_id):
        if member.family_id == family_id:
            raise Conflict("该身份证号已是本家庭的成员", field="id_number")
        raise Conflict("该身份证号已登记为其他家庭的成员", field="id_number")


def apply_values(
    row: Family | FamilyMember | SimpleNamespace,
    data: Mapping[str, Any],
    changes: dict[str, Any] | None,
    sensitive: Mapping[str, Any],
    sealed: Mapping[str, pii.Sealed] | None = None,
) -> None:
    """Write cleaned form values onto a family or member row: sensitive ones sealed, an ID's sex and birth date
    derived, the rest plain."""
    for key, value in data.items():
        if key in sensitive:
            pre = sealed.get(key) if sealed else None
            set_sealed(row, key, sensitive[key], sealed_text(value), changes, pre)
            if isinstance(value, ResidentId):
                set_plain(row, "sex", value.sex, changes)
                set_plain(row, "birth_date", value.birth_date, changes)
        else:
            set_plain(row, key, value, changes)


def apply_family_values(
    family: Family | SimpleNamespace,
    data: Mapping[str, Any],
    changes: dict[str, Any] | None,
    sealed: Mapping[str, pii.Sealed] | None = None,
) -> None:
    apply_values(family, data, changes, forms.FAMILY_SENSITIVE, sealed)


def create_family(
    session: Session,
    *,
    principal: Principal,
    org_unit_id: int | None,
    raw: Mapping[str, object],
    members: Sequence[Mapping[str, object]] = (),
    attachments: Sequence[Mapping[str, str]] = (),
) -> Family:
    require_staff(principal)
    org_id = default_org(principal, org_unit_id)
    check_org_in_scope(session, principal=principal, org_unit_id=org_id)
    vocab = vocabularies(session)
    data, problems = clean_family(raw, vocab)
    cleaned_members: list[dict[str, Any]] = []
    for index, member_raw in enumerate(members):
        member_data, member_problems = clean_member(member_raw, vocab)
        for p in member_problems.items:
            problems.add(f"members.{index}.{p.field}", p.code, p.reason, p.value)
        cleaned_members.append(member_data)
    problems.raise_if_any()
    rid: ResidentId = data["id_number"]
    seen = {rid.number}
    for index, member_data in enumerate(cleaned_members):
        number = member_data["id_number"].number
        if number in seen:
            raise Conflict("同一身份证号在本档案中出现了两次", field=f"members.{index}.id_number")
        seen.add(number)
    check_person_free(session, bidx=id_index(rid.number))
    actor = Actor.of(principal)
    family = Family(org_unit_id=org_id, entered_by_id=user_of(principal), status=FamilyStatus.ACTIVE)
    family.attachments = [dict(a) for a in attachments]
    family.secondary_causes = []
    changes: dict[str, Any] = {}
    apply_family_values(family, data, changes)
    initial_derived(family)
    session.add(family)
    session.flush()
    add_history(
        session,
        entity_type="family",
        entity_id=family.id,
        family_id=family.id,
        org_unit_id=org_id,
        action="create",
        changes=changes,
        actor=actor,
        source="api",
    )
    created = [
        _insert_member(session, family=family, data=member_data, actor=actor, source="api")
        for member_data in cleaned_members
    ]
    derived: dict[str, Any] = {}
    recompute(family, members=created, employed_codes=_employed_codes(vocab), changes=derived)
    session.flush()
    return family


def initial_derived(family: Family) -> None:
    """A new archive starts as a family of one; ``recompute`` sets the real figures before the flush ends."""
    zero = forms.money_text(Decimal(0))
    scratch: dict[str, Any] = {}
    set_plain(family, "family_size", 1, scratch)
    set_plain(family, "zero_employment", False, scratch)
    set_sealed(family, "annual_income", pii.PiiKind.TEXT, zero, scratch)
    set_sealed(family, "per_capita_income", pii.PiiKind.TEXT, zero, scratch)


def update_family(
    session: Session,
    *,
    principal: Principal,
    family: Family,
    raw: Mapping[str, object],
    org_unit_id: int | None = None,
    attachments: Sequence[Mapping[str, str]] | None = None,
) -> Family:
    require_staff(principal)
    vocab = vocabularies(session)
    data, problems = clean_family(raw, vocab, partial=True, current=family)
    problems.raise_if_any()
    if "id_number" in data:
        bidx = id_index(data["id_number"].number)
        if bidx != family.id_number_bidx:
            check_person_free(session, bidx=bidx, family_id=family.id)
    changes: dict[str, Any] = {}
    if org_unit_id is not None and org_unit_id != family.org_unit_id:
        check_org_in_scope(session, principal=principal, org_unit_id=org_unit_id)
        set_plain(family, "org_unit_id", org_unit_id, changes)
        for member in members_of(session, family_id=family.id):
            member.org_unit_id = org_unit_id
    apply_family_values(family, data, changes)
    if attachments is not None:
        set_plain(family, "attachments", [dict(a) for a in attachments], changes)
    recompute(
        family,
        members=members_of(session, family_id=family.id),
        employed_codes=_employed_codes(vocab),
        changes=changes,
    )
    add_history(
        session,
        entity_type="family",
        entity_id=family.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="update",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return family


def close_family(session: Session, *, principal: Principal, family: Family, reason: str, closed_on: date) -> Family:
    """解档: the family no longer counts as archived (建档) from ``closed_on``; the record and history stay."""
    require_staff(principal)
    if family.status == FamilyStatus.CLOSED:
        raise Conflict("该档案已解档")
    changes: dict[str, Any] = {}
    set_plain(family, "status", FamilyStatus.CLOSED.value, changes)
    set_plain(family, "closed_on", closed_on, changes)
    set_plain(family, "closed_reason", reason.strip(), changes)
    add_history(
        session,
        entity_type="family",
        entity_id=family.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="close",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return family


def reopen_family(session: Session, *, principal: Principal, family: Family) -> Family:
    require_staff(principal)
    if family.status == FamilyStatus.ACTIVE:
        raise Conflict("该档案在档，无需恢复")
    changes: dict[str, Any] = {}
    set_plain(family, "status", FamilyStatus.ACTIVE.value, changes)
    set_plain(family, "closed_on", None, changes)
    set_plain(family, "closed_reason", None, changes)
    add_history(
        session,
        entity_type="family",
        entity_id=family.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="reopen",
        changes=changes,
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return family


def _org_filter(
    session: Session, principal: Principal, org_column: Any, org_unit_id: int | None
) -> list[ColumnElement[bool]]:
    """A filter naming one org unit (inside the principal's scope) narrows a list to that unit's subtree."""
    if org_unit_id is None:
        return []
    unit = check_org_in_scope(session, principal=principal, org_unit_id=org_unit_id)
    return [org_column.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path)))]


@dataclass
class FamilyFilter:
    status: str | None = None
    archive_type: str | None = None
    hardship_category: str | None = None
    org_unit_id: int | None = None
    name: str | None = None
    id_number: str | None = None
    stale_days: int | None = None
    zero_employment: bool | None = None


def _family_conditions(session: Session, principal: Principal, flt: FamilyFilter) -> list[ColumnElement[bool]]:
    conds = _org_filter(session, principal, Family.org_unit_id, flt.org_unit_id)
    if flt.status:
        conds.append(Family.status == flt.status)
    if flt.archive_type:
        conds.append(Family.archive_type == flt.archive_type)
    if flt.hardship_category:
        conds.append(Family.hardship_category == flt.hardship_category)
    if flt.zero_employment is not None:
        conds.append(Family.zero_employment.is_(flt.zero_employment))
    if flt.name:
        conds.append(Family.name.contains(flt.name.strip(), autoescape=True))
    if flt.id_number:
        try:
            number = parse_resident_id(flt.id_number).number
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field="id_number") from exc
        conds.append(Family.id_number_bidx == id_index(number))
    if flt.stale_days is not None:
        conds.append(Family.updated_at < utcnow() - timedelta(days=flt.stale_days))
    return conds


def list_families(
    session: Session, *, principal: Principal, flt: FamilyFilter, limit: int, offset: int
) -> tuple[list[Family], int]:
    require_staff(principal)
    conds = _family_conditions(session, principal, flt)
    org = Family.org_unit_id
    total = int(session.scalar(scoped(select(func.count()).select_from(Family).where(*conds), principal, org=org)) or 0)
    rows = session.scalars(
        scoped(select(Family).where(*conds).order_by(Family.id).limit(limit).offset(offset), principal, org=org)
    )
    return list(rows), total


def count_families(session: Session, *, principal: Principal, flt: FamilyFilter) -> dict[str, Any]:
    """Counts in scope: total, archived (在档), zero-employment, by hardship category and by org unit."""
    require_staff(principal)
    conds = _family_conditions(session, principal, flt)
    org = Family.org_unit_id

    def count(*extra: ColumnElement[bool]) -> int:
        return int(
            session.scalar(scoped(select(func.count()).select_from(Family).where(*conds, *extra), principal, org=org))
            or 0
        )

    by_category = dict(
        session.execute(
            scoped(
                select(Family.hardship_category, func.count()).where(*conds).group_by(Family.hardship_category),
                principal,
                org=org,
            )
        ).all()
    )
    by_org = dict(
        session.execute(
            scoped(
                select(Family.org_unit_id, func.count()).where(*conds).group_by(Family.org_unit_id), principal, org=org
            )
        ).all()
    )
    return {
        "total": count(),
        "active": count(Family.status == FamilyStatus.ACTIVE),
        "zero_employment": count(Family.zero_employment.is_(True)),
        "by_hardship_category": {str(k): int(v) for k, v in by_category.items()},
        "by_org_unit": {str(k): int(v) for k, v in by_org.items()},
    }


def stale_families(
    session: Session, *, principal: Principal, days: int, limit: int, offset: int
) -> tuple[list[Family], int]:
    """在档 archives whose last change is older than ``days`` (a year by default): due for a review visit."""
    return list_families(
        session,
        principal=principal,
        flt=FamilyFilter(status=FamilyStatus.ACTIVE, stale_days=days),
        limit=limit,
        offset=offset,
    )


def clean_member(
    raw: Mapping[str, object], vocab: Vocabularies, *, partial: bool = False
) -> tuple[dict[str, Any], forms.Problems]:
    problems = forms.Problems()
    data = forms.clean(forms.MEMBER_FIELDS, raw, vocab, problems, partial=partial)
    forms.check_derived(data, problems)
    if data.get("disability") and data.get("health_status") == "1":
        problems.add("disability", "inconsistent", "健康状况为“健康”时不应填写疾病/残疾类别", "****")
    return data, problems


def apply_member_values(
    member: FamilyMember | SimpleNamespace,
    data: Mapping[str, Any],
    changes: dict[str, Any] | None,
    sealed: Mapping[str, pii.Sealed] | None = None,
) -> None:
    apply_values(member, data, changes, forms.MEMBER_SENSITIVE, sealed)


def _insert_member(
    session: Session, *, family: Family, data: Mapping[str, Any], actor: Actor, source: str
) -> FamilyMember:
    check_person_free(session, bidx=id_index(data["id_number"].number), family_id=family.id, as_member=True)
    member = FamilyMember(family_id=family.id, org_unit_id=family.org_unit_id)
    changes: dict[str, Any] = {}
    apply_member_values(member, data, changes)
    session.add(member)
    session.flush()
    add_history(
        session,
        entity_type="member",
        entity_id=member.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="create",
        changes=changes,
        actor=actor,
        source=source,
    )
    return member


def _after_member_change(session: Session, *, family: Family, vocab: Vocabularies, actor: Actor) -> None:
    changes: dict[str, Any] = {}
    session.flush()
    recompute(
        family,
        members=members_of(session, family_id=family.id),
        employed_codes=_employed_codes(vocab),
        changes=changes,
    )
    add_history(
        session,
        entity_type="family",
        entity_id=family.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="update",
        changes=changes,
        actor=actor,
        source="api",
    )
    session.flush()


def add_member(session: Session, *, principal: Principal, family: Family, raw: Mapping[str, object]) -> FamilyMember:
    require_staff(principal)
    vocab = vocabularies(session)
    data, problems = clean_member(raw, vocab)
    problems.raise_if_any()
    if id_index(data["id_number"].number) == family.id_number_bidx:
        raise Conflict("家庭成员不能是户主本人", field="id_number")
    actor = Actor.of(principal)
    member = _insert_member(session, family=family, data=data, actor=actor, source="api")
    _after_member_change(session, family=family, vocab=vocab, actor=actor)
    return member


def update_member(
    session: Session, *, principal: Principal, family: Family, member: FamilyMember, raw: Mapping[str, object]
) -> FamilyMember:
    require_staff(principal)
    vocab = vocabularies(session)
    data, problems = clean_member(raw, vocab, partial=True)
    problems.raise_if_any()
    if "id_number" in data:
        bidx = id_index(data["id_number"].number)
        if bidx == family.id_number_bidx:
            raise Conflict("家庭成员不能是户主本人", field="id_number")
        if bidx != member.id_number_bidx:
            check_person_free(session, bidx=bidx, family_id=family.id, member_id=member.id, as_member=True)
    changes: dict[str, Any] = {}
    apply_member_values(member, data, changes)
    actor = Actor.of(principal)
    add_history(
        session,
        entity_type="member",
        entity_id=member.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="update",
        changes=changes,
        actor=actor,
        source="api",
    )
    _after_member_change(session, family=family, vocab=vocab, actor=actor)
    return member


def _unlink_graduates(session: Session, *, member_id: int) -> None:
    """Graduates listed as this (already checked) member no longer point at it."""
    for graduate in session.scalars(select(Graduate).where(Graduate.member_id == member_id)):
        graduate.member_id = None


def remove_member(session: Session, *, principal: Principal, family: Family, member: FamilyMember) -> None:
    require_staff(principal)
    actor = Actor.of(principal)
    add_history(
        session,
        entity_type="member",
        entity_id=member.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="delete",
        changes={"name": [member.name, None], "id_number": [member.id_number_masked, None]},
        actor=actor,
        source="api",
    )
    _unlink_graduates(session, member_id=member.id)
    session.delete(member)
    _after_member_change(session, family=family, vocab=vocabularies(session), actor=actor)
