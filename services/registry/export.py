"""xlsx export of the registry in the caller's scope, in the forms' column names (so it imports back).

Sensitive values are masked unless the caller's role may reveal them and asks to, with a purpose: then the
export itself is audited (who, when, purpose, how many records) before anything is decrypted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Forbidden, ValidationFailed
from services.refdata.api import Vocabularies, vocabularies
from services.registry import access, forms, sheets
from services.registry.models import Family, FamilyMember, Graduate
from services.security import audit, pii
from services.security.principal import Principal
from services.security.scope import STAFF, scoped

BATCH = 1000
FAMILY_EXTRA = (
    "性别",
    "出生日期",
    "年龄",
    "家庭人口",
    "家庭年度总收入",
    "家庭月人均收入",
    "是否为零就业家庭",
    "档案状态",
    "所属单位编号",
)
MEMBER_EXTRA = ("性别", "出生日期", "年龄")
GRADUATE_EXTRA = ("性别", "出生日期", "年龄", "专业代码", "专业（目录名称）", "所属单位编号")


def _cell(obj: Any, fld: forms.Field, vocab: Vocabularies, unmasked: bool) -> object:
    if fld.sealed is not None:
        if unmasked:
            cipher = getattr(obj, f"{fld.key}_enc", None)
            if not cipher:
                return None
            plain = pii.decrypt(cipher)
            return vocab[fld.enum].name(plain) if fld.kind == "enum" and fld.enum else plain
        return getattr(obj, f"{fld.key}_masked", None)
    value = getattr(obj, fld.key, None)
    if value is None:
        return None
    if fld.kind == "enum" and fld.enum:
        return vocab[fld.enum].name(value)
    if fld.kind == "enum_list" and fld.enum:
        return "、".join(vocab[fld.enum].name(v) or v for v in value)
    if fld.kind in {"division_list", "text_list"}:
        return "、".join(value)
    if fld.kind == "bool":
        return "是" if value else "否"
    return value if isinstance(value, int | str) else str(value)


def _money(obj: Any, name: str, unmasked: bool) -> object:
    if unmasked:
        cipher = getattr(obj, f"{name}_enc", None)
        return pii.decrypt(cipher) if cipher else None
    return getattr(obj, f"{name}_masked", None)


def _stream(session: Session, stmt: Any) -> Iterator[Any]:
    yield from session.scalars(stmt.execution_options(yield_per=BATCH))


def _family_rows(session: Session, principal: Principal, vocab: Vocabularies, unmasked: bool) -> Iterator[list[object]]:
    fields = [f for f in forms.FAMILY_FIELDS if not f.derived]
    stmt = scoped(select(Family).order_by(Family.id), principal, org=Family.org_unit_id)
    for family in _stream(session, stmt):
        yield [
            *(_cell(family, f, vocab, unmasked) for f in fields),
            family.sex,
            family.birth_date,
            family.age,
            family.family_size,
            _money(family, "annual_income", unmasked),
            _money(family, "per_capita_income", unmasked),
            "是" if family.zero_employment else "否",
            "在档" if family.status == "active" else "已解档",
            family.org_unit_id,
        ]


def _member_rows(session: Session, principal: Principal, vocab: Vocabularies, unmasked: bool) -> Iterator[list[object]]:
    fields = [f for f in forms.MEMBER_FIELDS if not f.derived]
    stmt = scoped(
        select(FamilyMember, Family.id_number_enc, Family.id_number_masked)
        .join(Family, Family.id == FamilyMember.family_id)
        .order_by(FamilyMember.family_id, FamilyMember.id),
        principal,
        org=FamilyMember.org_unit_id,
    )
    for member, head_enc, head_masked in session.execute(stmt.execution_options(yield_per=BATCH)):
        yield [
            pii.decrypt(head_enc) if unmasked else head_masked,
            *(_cell(member, f, vocab, unmasked) for f in fields),
            member.sex,
            member.birth_date,
            member.age,
        ]


def _graduate_rows(
    session: Session, principal: Principal, vocab: Vocabularies, unmasked: bool
) -> Iterator[list[object]]:
    fields = [f for f in forms.GRADUATE_FIELDS if not f.derived and f.key not in {"family_head_id_number", "major"}]
    stmt = scoped(select(Graduate).order_by(Graduate.id), principal, org=Graduate.org_unit_id)
    for graduate in _stream(session, stmt):
        row: list[object] = []
        for f in fields:
            if f.key == "stage":
                row.append("在校生" if graduate.stage == "student" else "毕业生")
            else:
                row.append(_cell(graduate, f, vocab, unmasked))
        yield [
            *row,
            graduate.major_raw,
            graduate.sex,
            graduate.birth_date,
            graduate.age,
            graduate.major_code,
            graduate.major_name,
            graduate.org_unit_id,
        ]


def _headers(fields: Sequence[forms.Field], extra: Sequence[str], *, skip: frozenset[str] = frozenset()) -> list[str]:
    return [f.column for f in fields if not f.derived and f.key not in skip] + list(extra)


def export(
    session: Session, *, principal: Principal, what: str, unmasked: bool = False, purpose: str | None = None
) -> bytes:
    """``what`` = "families" (档案 + 家庭成员 sheets) or "graduates"."""
    if what == "families":
        access.require_staff(principal)
    else:
        access.require_caseload(principal)
    if unmasked:
        if principal.role not in STAFF:
            raise Forbidden("您的角色只能导出脱敏数据")
        if not purpose or len(purpose.strip()) < 2:
            raise ValidationFailed("导出明文须说明用途", field="purpose")
    vocab = vocabularies(session)
    audit.record(
        session,
        action="export",
        target_type=f"registry_{what}",
        purpose=(purpose or "").strip() or None,
        detail={"unmasked": unmasked, "scope": None if principal.scope is None else sorted(principal.scope)},
        principal=principal,
    )
    if what == "families":
        return sheets.write_rows(
            [
                (
                    sheets.SHEET_FAMILIES,
                    _headers(forms.FAMILY_FIELDS, FAMILY_EXTRA),
                    _family_rows(session, principal, vocab, unmasked),
                ),
                (
                    sheets.SHEET_MEMBERS,
                    [forms.HEAD_ID_FIELD.column, *_headers(forms.MEMBER_FIELDS, MEMBER_EXTRA)],
                    _member_rows(session, principal, vocab, unmasked),
                ),
            ]
        )
    skip = frozenset({"family_head_id_number", "major"})
    return sheets.write_rows(
        [
            (
                sheets.SHEET_GRADUATES,
                [*_headers(forms.GRADUATE_FIELDS, (), skip=skip), "专业", *GRADUATE_EXTRA],
                _graduate_rows(session, principal, vocab, unmasked),
            )
        ]
    )
