"""The registry: families (附件3/4) and members, students and graduates, consent (附件5) and economic checks,
history of every change, and the look-ups other domains call (aid, tracking, matching, reports).

Every write goes through ``write_family`` / ``write_member`` / ``write_graduate``, used alike by the API and the
spreadsheet import: values are cleaned by :mod:`services.registry.forms`, sensitive ones sealed, derived ones
computed, and each change kept in ``registry_change`` with sensitive values masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, ResidentId, normalize_phone, parse_resident_id
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.refdata.enums import Vocabularies, vocabularies
from services.registry import forms, majors
from services.registry.models import (
    Consent,
    ConsentMember,
    EconomicCheck,
    Family,
    FamilyMember,
    FamilyStatus,
    Graduate,
    RegistryChange,
    Stage,
)
from services.security import pii, reveal
from services.security.audit import current_principal
from services.security.models import Role, User
from services.security.principal import Principal

STAFF_ROLES = frozenset({Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})
CASELOAD_ROLES = STAFF_ROLES | {Role.COUNSELOR}
REVEAL_ROLES = {Role.UNION_COUNTY.value, Role.UNION_CITY.value, Role.ADMIN.value}
STALE_AFTER_DAYS = 365
GRADUATE_SELF_FIELDS = frozenset(
    {
        "phone",
        "email",
        "intentions",
        "preferred_places",
        "expected_pay_min",
        "expected_pay_max",
        "skills",
        "assistance_needs",
        "enterprise_visible",
    }
)
COUNSELOR_FIELDS = frozenset(
    {
        "employment_status",
        "intentions",
        "preferred_places",
        "expected_pay_min",
        "expected_pay_max",
        "skills",
        "assistance_needs",
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change (kept in history)."""

    user_id: int | None
    role: str | None

    @classmethod
    def of(cls, principal: Principal | None) -> Actor:
        return cls(user_of(principal), principal.role) if principal else cls(None, None)


def user_of(principal: Principal) -> int | None:
    """The account id to store (None for an internal principal without an account)."""
    return principal.user_id if principal.user_id > 0 else None


def actor_of(session: Session) -> Actor:
    return Actor.of(current_principal(session))


# ------------------------------------------------------------------------------------------------ access


def require_staff(principal: Principal) -> None:
    if principal.role not in STAFF_ROLES:
        raise Forbidden("只有工会工作人员可以管理困难职工档案")


def require_caseload(principal: Principal) -> None:
    if principal.role not in CASELOAD_ROLES:
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


def _scoped(stmt: Select[Any], column: Any, principal: Principal) -> Select[Any]:
    return stmt if principal.scope is None else stmt.where(column.in_(principal.scope))


def get_family(session: Session, *, principal: Principal, family_id: int) -> Family:
    """A family the staff principal may see (404 outside the scope, so existence does not leak)."""
    require_staff(principal)
    family = session.get(Family, family_id)
    if family is None or not principal.covers(family.org_unit_id):
        raise NotFound(f"编号为 {family_id} 的档案不存在或不在您的管辖范围内")
    return family


def get_graduate(session: Session, *, principal: Principal, graduate_id: int) -> Graduate:
    """A student/graduate in the caseload of staff or a counselor (404 outside the scope)."""
    require_caseload(principal)
    graduate = session.get(Graduate, graduate_id)
    if graduate is None or not principal.covers(graduate.org_unit_id):
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在或不在您的管辖范围内")
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
    return list(
        session.scalars(select(FamilyMember).where(FamilyMember.family_id == family_id).order_by(FamilyMember.id))
    )


def get_member(session: Session, *, family: Family, member_id: int) -> FamilyMember:
    member = session.get(FamilyMember, member_id)
    if member is None or member.family_id != family.id:
        raise NotFound(f"编号为 {member_id} 的家庭成员不存在")
    return member


# ------------------------------------------------------------------------------------------------ values


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return forms.money_text(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) == 0
    if isinstance(old, list) and isinstance(new, list | tuple):
        return list(old) == list(new)
    return bool(old == new)


def set_plain(obj: Any, name: str, value: Any, changes: dict[str, Any] | None) -> None:
    """Set ``name`` when it differs, noting old → new in ``changes`` (None: a new record, nothing to note)."""
    old = getattr(obj, name, None)
    if _same(old, value):
        return
    setattr(obj, name, list(value) if isinstance(value, tuple) else value)
    if changes is not None:
        changes[name] = [_jsonable(old), _jsonable(value)]


def set_sealed(
    obj: Any,
    name: str,
    kind: pii.PiiKind,
    value: str | None,
    changes: dict[str, Any] | None,
    presealed: pii.Sealed | None = None,
) -> None:
    """Seal ``value`` into ``<name>_enc/_bidx/_masked``; unchanged values (same blind index) are left alone.
    ``presealed`` is the same value sealed beforehand (the import seals rows in parallel workers)."""
    old_bidx = getattr(obj, f"{name}_bidx", None)
    old_masked = getattr(obj, f"{name}_masked", None)
    if value is None:
        if old_bidx is None and getattr(obj, f"{name}_enc", None) is None:
            return
        for suffix in ("_enc", "_bidx", "_masked"):
            setattr(obj, name + suffix, None)
        if changes is not None:
            changes[name] = [old_masked, None]
        return
    bidx = presealed.blind_index if presealed is not None else pii.blind_index(kind, value)
    if bidx == old_bidx:
        return
    sealed = presealed or pii.Sealed(ciphertext=pii.encrypt(value), blind_index=bidx, masked=pii.mask(kind, value))
    setattr(obj, f"{name}_enc", sealed.ciphertext)
    setattr(obj, f"{name}_bidx", sealed.blind_index)
    setattr(obj, f"{name}_masked", sealed.masked)
    if changes is not None:
        changes[name] = [old_masked, sealed.masked]


def sealed_text(value: Any) -> str | None:
    """The plaintext that is sealed for a cleaned value."""
    if value is None:
        return None
    if isinstance(value, ResidentId):
        return value.number
    if isinstance(value, Decimal):
        return forms.money_text(value)
    return str(value)


def id_index(number: str) -> str:
    return pii.blind_index(pii.PiiKind.ID_NUMBER, number)


def decrypt_money(ciphertext: str | None) -> Decimal:
    return Decimal(pii.decrypt(ciphertext)) if ciphertext else Decimal("0.00")


def add_history(
    session: Session,
    *,
    entity_type: str,
    entity_id: int,
    family_id: int | None,
    org_unit_id: int,
    action: str,
    changes: Mapping[str, Any],
    actor: Actor,
    source: str,
) -> RegistryChange | None:
    if action == "update" and not changes:
        return None
    row = RegistryChange(
        at=utcnow(),
        actor_id=actor.user_id,
        actor_role=actor.role,
        entity_type=entity_type,
        entity_id=entity_id,
        family_id=family_id,
        org_unit_id=org_unit_id,
        action=action,
        source=source,
        changes=dict(changes),
    )
    session.add(row)
    return row


# ------------------------------------------------------------------------------------------------ families


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


def apply_family_values(
    family: Family | SimpleNamespace,
    data: Mapping[str, Any],
    changes: dict[str, Any] | None,
    sealed: Mapping[str, pii.Sealed] | None = None,
) -> None:
    for key, value in data.items():
        if key in forms.FAMILY_SENSITIVE:
            pre = sealed.get(key) if sealed else None
            set_sealed(family, key, forms.FAMILY_SENSITIVE[key], sealed_text(value), changes, pre)
            if isinstance(value, ResidentId):
                set_plain(family, "sex", value.sex, changes)
                set_plain(family, "birth_date", value.birth_date, changes)
        else:
            set_plain(family, key, value, changes)


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


def _scope_conditions(
    session: Session, principal: Principal, org_column: Any, org_unit_id: int | None
) -> list[ColumnElement[bool]]:
    """The principal's scope, narrowed to one org unit's subtree when a filter names one (inside the scope)."""
    conds: list[ColumnElement[bool]] = []
    if principal.scope is not None:
        conds.append(org_column.in_(principal.scope))
    if org_unit_id is not None:
        unit = check_org_in_scope(session, principal=principal, org_unit_id=org_unit_id)
        conds.append(org_column.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    return conds


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
    conds = _scope_conditions(session, principal, Family.org_unit_id, flt.org_unit_id)
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
    total = int(session.scalar(select(func.count()).select_from(Family).where(*conds)) or 0)
    rows = session.scalars(select(Family).where(*conds).order_by(Family.id).limit(limit).offset(offset))
    return list(rows), total


def count_families(session: Session, *, principal: Principal, flt: FamilyFilter) -> dict[str, Any]:
    """Counts in scope: total, archived (在档), zero-employment, by hardship category and by org unit."""
    require_staff(principal)
    conds = _family_conditions(session, principal, flt)
    total = int(session.scalar(select(func.count()).select_from(Family).where(*conds)) or 0)
    active = int(
        session.scalar(select(func.count()).select_from(Family).where(*conds, Family.status == FamilyStatus.ACTIVE))
        or 0
    )
    zero = int(
        session.scalar(select(func.count()).select_from(Family).where(*conds, Family.zero_employment.is_(True))) or 0
    )
    by_category = dict(
        session.execute(
            select(Family.hardship_category, func.count()).where(*conds).group_by(Family.hardship_category)
        ).all()
    )
    by_org = dict(
        session.execute(select(Family.org_unit_id, func.count()).where(*conds).group_by(Family.org_unit_id)).all()
    )
    return {
        "total": total,
        "active": active,
        "zero_employment": zero,
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


# ------------------------------------------------------------------------------------------------ members


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
    for key, value in data.items():
        if key in forms.MEMBER_SENSITIVE:
            pre = sealed.get(key) if sealed else None
            set_sealed(member, key, forms.MEMBER_SENSITIVE[key], sealed_text(value), changes, pre)
            if isinstance(value, ResidentId):
                set_plain(member, "sex", value.sex, changes)
                set_plain(member, "birth_date", value.birth_date, changes)
        else:
            set_plain(member, key, value, changes)


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
    for graduate in session.scalars(select(Graduate).where(Graduate.member_id == member.id)):
        graduate.member_id = None
    session.delete(member)
    _after_member_change(session, family=family, vocab=vocabularies(session), actor=actor)


# ------------------------------------------------------------------------------------------------ graduates


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
    if session.scalar(select(Graduate.id).where(Graduate.id_number_bidx == bidx)) is not None:
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
        other = session.scalar(select(Graduate.id).where(Graduate.id_number_bidx == bidx))
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
        taken = session.scalar(select(Graduate.id).where(Graduate.user_id == user_id))
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
    conds = _scope_conditions(session, principal, Graduate.org_unit_id, flt.org_unit_id)
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
    total = int(session.scalar(select(func.count()).select_from(Graduate).where(*conds)) or 0)
    rows = session.scalars(select(Graduate).where(*conds).order_by(Graduate.id).limit(limit).offset(offset))
    return list(rows), total


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


# ------------------------------------------------------------------------------------------------ consent


@dataclass(frozen=True, slots=True)
class CoveredPerson:
    name: str
    relation: str
    id_number: str


def record_consent(
    session: Session,
    *,
    principal: Principal,
    family: Family,
    purpose: str,
    signed_on: date,
    handler_name: str,
    grassroots_union: str | None,
    phone: str | None,
    people: Sequence[CoveredPerson],
) -> Consent:
    """Record a signed 附件5 with the people it covers (each by name, relation and checked ID number)."""
    require_staff(principal)
    if not people:
        raise ValidationFailed("授权书须列明查询所涉及的家庭成员", field="members")
    if signed_on > local_today():
        raise ValidationFailed("签署日期不能晚于今天", field="signed_on")
    consent = Consent(
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        purpose=purpose.strip(),
        signed_on=signed_on,
        handler_name=handler_name.strip(),
        grassroots_union=(grassroots_union or "").strip() or None,
        recorded_by_id=user_of(principal),
    )
    scratch: dict[str, Any] = {}
    if phone:
        try:
            set_sealed(consent, "phone", pii.PiiKind.PHONE, normalize_phone(phone), scratch)
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field="phone") from exc
    seen: set[str] = set()
    covered: list[ConsentMember] = []
    for index, person in enumerate(people):
        try:
            number = parse_resident_id(person.id_number).number
        except InvalidIdentifier as exc:
            raise ValidationFailed(exc.reason, field=f"members.{index}.id_number") from exc
        if number in seen:
            raise ValidationFailed("同一身份证号出现了两次", field=f"members.{index}.id_number")
        seen.add(number)
        row = ConsentMember(name=person.name.strip(), relation=person.relation.strip())
        set_sealed(row, "id_number", pii.PiiKind.ID_NUMBER, number, scratch)
        covered.append(row)
    consent.members = covered
    session.add(consent)
    session.flush()
    add_history(
        session,
        entity_type="consent",
        entity_id=consent.id,
        family_id=family.id,
        org_unit_id=family.org_unit_id,
        action="create",
        changes={
            "purpose": [None, consent.purpose],
            "signed_on": [None, signed_on.isoformat()],
            "members": [None, [f"{m.name}（{m.id_number_masked}）" for m in covered]],
        },
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return consent


def get_consent(session: Session, *, principal: Principal, consent_id: int) -> Consent:
    require_staff(principal)
    consent = session.get(Consent, consent_id)
    if consent is None or not principal.covers(consent.org_unit_id):
        raise NotFound(f"编号为 {consent_id} 的授权书不存在或不在您的管辖范围内")
    return consent


def consents_of(session: Session, *, family_id: int) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.family_id == family_id).order_by(Consent.id)))


def consent_members(session: Session, *, consent_ids: Iterable[int]) -> dict[int, list[ConsentMember]]:
    out: dict[int, list[ConsentMember]] = {}
    ids = list(consent_ids)
    if ids:
        for row in session.scalars(
            select(ConsentMember).where(ConsentMember.consent_id.in_(ids)).order_by(ConsentMember.id)
        ):
            out.setdefault(row.consent_id, []).append(row)
    return out


def revoke_consent(session: Session, *, principal: Principal, consent: Consent, reason: str) -> Consent:
    require_staff(principal)
    if consent.revoked_at is not None:
        raise Conflict("该授权书已撤销")
    consent.revoked_at = utcnow()
    consent.revoked_by_id = user_of(principal)
    consent.revoke_reason = reason.strip()
    add_history(
        session,
        entity_type="consent",
        entity_id=consent.id,
        family_id=consent.family_id,
        org_unit_id=consent.org_unit_id,
        action="revoke",
        changes={"revoked_at": [None, consent.revoked_at.isoformat()], "revoke_reason": [None, consent.revoke_reason]},
        actor=Actor.of(principal),
        source="api",
    )
    session.flush()
    return consent


def consent_in_force(session: Session, *, family_id: int, on: date | None = None) -> Consent | None:
    """The latest consent of the family signed on or before ``on`` and not revoked (``None`` when there is none)."""
    day = on or local_today()
    return session.scalar(
        select(Consent)
        .where(Consent.family_id == family_id, Consent.signed_on <= day, Consent.revoked_at.is_(None))
        .order_by(Consent.signed_on.desc(), Consent.id.desc())
        .limit(1)
    )


def log_check(
    session: Session,
    *,
    principal: Principal,
    family: Family,
    checked_on: date,
    agency: str,
    items: Sequence[str],
    result: str,
) -> EconomicCheck:
    """Log an economic-status check; refused unless a consent (附件5) is in force on that day."""
    require_staff(principal)
    consent = consent_in_force(session, family_id=family.id, on=checked_on)
    if consent is None:
        raise Conflict("该家庭没有有效的《家庭经济状况核对承诺授权书》（未签署或已撤销），不能登记经济状况核对")
    if checked_on > local_today():
        raise ValidationFailed("核对日期不能晚于今天", field="checked_on")
    check = EconomicCheck(
        family_id=family.id,
        consent_id=consent.id,
        org_unit_id=family.org_unit_id,
        checked_on=checked_on,
        agency=agency.strip(),
        items=[i.strip() for i in items if i.strip()],
        recorded_by_id=user_of(principal),
    )
    set_sealed(check, "result", pii.PiiKind.TEXT, result.strip(), {})
    session.add(check)
    session.flush()
    return check


def checks_of(session: Session, *, family_id: int) -> list[EconomicCheck]:
    return list(
        session.scalars(select(EconomicCheck).where(EconomicCheck.family_id == family_id).order_by(EconomicCheck.id))
    )


# ------------------------------------------------------------------------------------------------ for other domains


@dataclass(frozen=True, slots=True)
class PersonRef:
    """Where an ID number is registered: as a family head, a family member and/or a student/graduate."""

    family_id: int | None
    member_id: int | None
    graduate_id: int | None
    org_unit_id: int
    archived: bool  # the family is 在档 (建档立卡)


def find_person(session: Session, *, id_number: str) -> PersonRef | None:
    """Look a person up by ID number through the blind index (no decryption). Raises ValidationFailed on a bad ID."""
    try:
        number = parse_resident_id(id_number).number
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="id_number") from exc
    bidx = id_index(number)
    head = session.execute(
        select(Family.id, Family.org_unit_id, Family.status).where(Family.id_number_bidx == bidx)
    ).first()
    member = session.execute(
        select(FamilyMember.id, FamilyMember.family_id, FamilyMember.org_unit_id).where(
            FamilyMember.id_number_bidx == bidx
        )
    ).first()
    grad = session.execute(
        select(Graduate.id, Graduate.org_unit_id, Graduate.family_id).where(Graduate.id_number_bidx == bidx)
    ).first()
    if head is None and member is None and grad is None:
        return None
    family_id = head.id if head else member.family_id if member else grad.family_id if grad else None
    org_unit_id = head.org_unit_id if head else member.org_unit_id if member else grad.org_unit_id  # type: ignore[union-attr]
    return PersonRef(
        family_id=family_id,
        member_id=member.id if member else None,
        graduate_id=grad.id if grad else None,
        org_unit_id=org_unit_id,
        archived=is_archived(session, family_id=family_id) if family_id is not None else False,
    )


def is_archived(session: Session, *, family_id: int, on: date | None = None) -> bool:
    """True when the family is an archived hardship family (建档在册): today, or on the day ``on``."""
    row = session.execute(
        select(Family.status, Family.closed_on, Family.created_at).where(Family.id == family_id)
    ).first()
    if row is None:
        return False
    if on is None:
        return bool(row.status == FamilyStatus.ACTIVE)
    if row.created_at.date() > on:
        return False
    return not (row.status == FamilyStatus.CLOSED and (row.closed_on is None or row.closed_on <= on))


def family_income(session: Session, *, family_id: int) -> Income:
    """The derived family figures in plaintext, for server-side rules (aid eligibility); never for display."""
    family = session.get(Family, family_id)
    if family is None:
        raise NotFound(f"编号为 {family_id} 的档案不存在")
    return Income(
        family_size=family.family_size,
        annual_total=decrypt_money(family.annual_income_enc),
        per_capita_monthly=decrypt_money(family.per_capita_income_enc),
        zero_employment=family.zero_employment,
    )


def family_head_id(family: Family) -> str:
    """The head's ID number in plaintext, for server-side use (filling a form the family signed, say)."""
    return pii.decrypt(family.id_number_enc)


@dataclass(frozen=True, slots=True)
class PaymentAccount:
    holder: str
    bank_name: str | None
    bank_branch: str | None
    card_number: str
    card_masked: str


def payment_account(session: Session, *, family_id: int) -> PaymentAccount | None:
    """The family's bank account for paying aid (server-side only; responses show ``card_masked``)."""
    family = session.get(Family, family_id)
    if family is None or not family.bank_card_enc:
        return None
    return PaymentAccount(
        holder=family.name,
        bank_name=family.bank_name,
        bank_branch=family.bank_branch,
        card_number=pii.decrypt(family.bank_card_enc),
        card_masked=family.bank_card_masked or "",
    )


@dataclass(frozen=True, slots=True)
class GraduatePlace:
    org_unit_id: int
    county_org_unit_id: int
    county_name: str
    division_code: str


def graduate_place(session: Session, *, graduate_id: int) -> GraduatePlace:
    """The org unit of a graduate, its county (or park / 市直) unit and that unit's division code."""
    org_unit_id = session.scalar(select(Graduate.org_unit_id).where(Graduate.id == graduate_id))
    if org_unit_id is None:
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在")
    county = orgs.county_of(session, org_unit_id=org_unit_id)
    return GraduatePlace(org_unit_id, county.id, county.name, county.division_code)


def graduate_for_user(session: Session, *, user_id: int) -> Graduate | None:
    return session.scalar(select(Graduate).where(Graduate.user_id == user_id))


@dataclass(frozen=True, slots=True)
class GraduateProfile:
    """A graduate as matching and employers may see them: no ethnicity, sex, political status, health or
    disability, marital status, household type, ID number, phone, family or income."""

    id: int
    org_unit_id: int
    stage: str
    education: str
    cohort: int | None
    school_name: str
    major_raw: str | None
    major_code: str | None
    major_name: str | None
    birth_date: date
    intentions: tuple[str, ...]
    preferred_places: tuple[str, ...]
    home_division_code: str | None
    expected_pay_min: Decimal | None
    expected_pay_max: Decimal | None
    skills: tuple[str, ...]
    employment_status: str
    hardship_family: bool
    enterprise_visible: bool
    updated_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)
    school_kind: str = ""
    enrolled_on: date | None = None
    study_years: int | None = None


def _profile(g: Graduate, archived_families: set[int]) -> GraduateProfile:
    return GraduateProfile(
        id=g.id,
        org_unit_id=g.org_unit_id,
        stage=g.stage,
        education=g.education,
        cohort=g.cohort,
        school_name=g.school_name,
        major_raw=g.major_raw,
        major_code=g.major_code,
        major_name=g.major_name,
        birth_date=g.birth_date,
        intentions=tuple(g.intentions or ()),
        preferred_places=tuple(g.preferred_places or ()),
        home_division_code=g.home_division_code,
        expected_pay_min=g.expected_pay_min,
        expected_pay_max=g.expected_pay_max,
        skills=tuple(g.skills or ()),
        employment_status=g.employment_status,
        hardship_family=g.family_id is not None and g.family_id in archived_families,
        enterprise_visible=g.enterprise_visible,
        updated_at=g.updated_at,
        school_kind=g.school_kind or "",
        enrolled_on=g.enrolled_on,
        study_years=g.study_years,
    )


def graduate_profiles(
    session: Session,
    *,
    scope: frozenset[int] | None,
    ids: Sequence[int] | None = None,
    enterprise_visible_only: bool = False,
    after_id: int = 0,
    limit: int = 1000,
) -> list[GraduateProfile]:
    """Plain records for matching (keyset pages by id): ``scope`` None = all; protected attributes left out."""
    stmt = select(Graduate).where(Graduate.id > after_id).order_by(Graduate.id).limit(limit)
    if scope is not None:
        stmt = stmt.where(Graduate.org_unit_id.in_(scope))
    if ids is not None:
        stmt = stmt.where(Graduate.id.in_(list(ids)))
    if enterprise_visible_only:
        stmt = stmt.where(Graduate.enterprise_visible.is_(True))
    rows = list(session.scalars(stmt))
    family_ids = {g.family_id for g in rows if g.family_id is not None}
    archived: set[int] = set()
    if family_ids:
        archived = set(
            session.scalars(select(Family.id).where(Family.id.in_(family_ids), Family.status == FamilyStatus.ACTIVE))
        )
    return [_profile(g, archived) for g in rows]


def graduate_profile(session: Session, *, principal: Principal, graduate_id: int) -> GraduateProfile:
    """One profile in the caller's caseload (staff/counselor), or the graduate's own."""
    if principal.role == Role.GRADUATE:
        graduate = own_graduate(session, principal=principal)
        if graduate.id != graduate_id:
            raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在")
    else:
        graduate = get_graduate(session, principal=principal, graduate_id=graduate_id)
    return graduate_profiles(session, scope=None, ids=[graduate.id], limit=1)[0]


def set_employment_status(
    session: Session, *, graduate_id: int, status: str, actor: Actor, source: str = "tracking"
) -> Graduate:
    """Set a graduate's employment status (from the pipeline, say) with its history row."""
    graduate = session.get(Graduate, graduate_id)
    if graduate is None:
        raise NotFound(f"编号为 {graduate_id} 的学生/毕业生不存在")
    voc = vocabularies(session)["employment_status"]
    code = voc.resolve(status)
    if code is None:
        raise ValidationFailed(f"“{status}”不是就业状态的可选项", field="employment_status")
    changes: dict[str, Any] = {}
    set_plain(graduate, "employment_status", code, changes)
    add_history(
        session,
        entity_type="graduate",
        entity_id=graduate.id,
        family_id=graduate.family_id,
        org_unit_id=graduate.org_unit_id,
        action="update",
        changes=changes,
        actor=actor,
        source=source,
    )
    session.flush()
    return graduate


# ------------------------------------------------------------------------------------------------ reveal


def _loader(model: type[Family] | type[FamilyMember] | type[Graduate], column: str, *, caseload: bool = False) -> Any:
    def load(session: Session, principal: Principal, target_id: str) -> str | None:
        if not target_id.isdigit():
            raise NotFound("记录不存在")
        obj = cast("Family | FamilyMember | Graduate | None", session.get(model, int(target_id)))
        if obj is None or not principal.covers(obj.org_unit_id):
            raise NotFound("记录不存在或不在您的管辖范围内")
        if caseload:
            require_caseload(principal)
        else:
            require_staff(principal)
        value = getattr(obj, column)
        return value if isinstance(value, str) else None

    return load


def _register_reveals() -> None:
    for name, kind in forms.FAMILY_SENSITIVE.items():
        reveal.register("registry_family", name, kind=kind, roles=REVEAL_ROLES, load=_loader(Family, f"{name}_enc"))
    for name in ("annual_income", "per_capita_income"):
        reveal.register(
            "registry_family", name, kind=pii.PiiKind.TEXT, roles=REVEAL_ROLES, load=_loader(Family, f"{name}_enc")
        )
    for name, kind in forms.MEMBER_SENSITIVE.items():
        reveal.register(
            "registry_member", name, kind=kind, roles=REVEAL_ROLES, load=_loader(FamilyMember, f"{name}_enc")
        )
    reveal.register(
        "registry_graduate",
        "id_number",
        kind=pii.PiiKind.ID_NUMBER,
        roles=REVEAL_ROLES,
        load=_loader(Graduate, "id_number_enc"),
    )
    reveal.register(
        "registry_graduate",
        "phone",
        kind=pii.PiiKind.PHONE,
        roles=REVEAL_ROLES | {Role.COUNSELOR.value},
        load=_loader(Graduate, "phone_enc", caseload=True),
    )


_register_reveals()
