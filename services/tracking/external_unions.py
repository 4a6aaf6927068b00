"""Unions anywhere in China as receivers of a handoff (异地求职): a county or city union chosen from the national
division codes, recorded with the person to call there on first use.

Such a union is an org unit of kind ``external`` outside the loaded tree, so everything that decides scope
(``services.security.scope``) treats it like any receiving union: an account given that unit sees the handoffs
sent to it and, once accepted, the graduates handed to it — nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.errors import Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_phone
from services.orgs import service as orgs
from services.orgs.models import OrgKind, OrgUnit
from services.refdata import api as refdata
from services.refdata.api import RefDivision
from services.security import pii, reveal
from services.security.models import Role, User
from services.security.principal import Principal
from services.security.roles import UNION_SIDE
from services.tracking.handoffs import request_handoff
from services.tracking.models import ExternalUnion, Handoff

# 北京、天津、上海、重庆: province-level cities whose union is a city union
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
# prefecture rows that group counties but have no union of their own
GROUPING_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True, slots=True)
class ReceivingDivision:
    """A division whose union may receive a handoff: its code, the union's name and level (city / county)."""

    code: str
    union_name: str
    level: str
    full_name: str


def receiving_division(session: Session, *, code: str, field: str = "division_code") -> ReceivingDivision:
    """The union a handoff to ``code`` goes to, or a refusal naming why this division cannot receive one."""
    division = refdata.check_division(session, code=code, field_name=field)
    if division.level == "province" and division.code not in MUNICIPALITIES:
        raise ValidationFailed(f"{division.name}是省级行政区，请选择其下的市或县区总工会", field=field)
    if division.level == "prefecture" and division.name in GROUPING_NAMES:
        raise ValidationFailed(f"“{division.full_name}”不是一个市，请选择具体的市或县区", field=field)
    if division.level in {"province", "prefecture"}:
        return ReceivingDivision(division.code, division.name + "总工会", "city", division.full_name)
    parent = session.get(RefDivision, division.parent_code) if division.parent_code else None
    prefix = ""
    if parent is not None and parent.name not in GROUPING_NAMES and parent.name != division.name:
        prefix = parent.name
    elif parent is not None and parent.name in {"市辖区", "县"} and parent.parent_code in MUNICIPALITIES:
        province = session.get(RefDivision, parent.parent_code)
        prefix = province.name if province is not None else ""
    return ReceivingDivision(division.code, prefix + division.name + "总工会", "county", division.full_name)


def search_receiving_divisions(
    session: Session, *, principal: Principal, query: str, limit: int = 20
) -> list[ReceivingDivision]:
    """Cities and counties whose name or code matches ``query``, as receiving unions (for the console's picker)."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以办理")
    text = query.strip()
    if not text:
        return []
    stmt = (
        select(RefDivision.code)
        .where(
            or_(
                RefDivision.name.contains(text), RefDivision.full_name.contains(text), RefDivision.code.startswith(text)
            ),
            or_(RefDivision.level.in_(["prefecture", "county"]), RefDivision.code.in_(sorted(MUNICIPALITIES))),
            RefDivision.name.not_in(sorted(GROUPING_NAMES)),
        )
        .order_by(RefDivision.code)
        .limit(limit)
    )
    out = []
    for code in session.scalars(stmt):
        try:
            out.append(receiving_division(session, code=code))
        except ValidationFailed:
            continue
    return out


def _seal_phone(row: ExternalUnion, raw: str) -> None:
    try:
        value = normalize_phone(raw)
    except InvalidIdentifier as exc:
        raise ValidationFailed(f"联系电话：{exc.reason}", field="contact_phone") from exc
    sealed = pii.seal(pii.PiiKind.PHONE, value)
    row.contact_phone_enc, row.contact_phone_bidx, row.contact_phone_masked = (
        sealed.ciphertext,
        sealed.blind_index,
        sealed.masked,
    )


def external_union(
    session: Session,
    *,
    principal: Principal,
    division_code: str,
    contact_name: str | None,
    contact_phone: str | None,
) -> ExternalUnion:
    """The union of ``division_code`` outside the tree, created on first use (a contact person and phone needed);
    a later use with a contact given updates it."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以办理")
    target = receiving_division(session, code=division_code)
    in_tree = orgs.tree_units_of_division(session, division_code=target.code)
    if in_tree:
        unions = [u for u in in_tree if u.kind != OrgKind.GRASSROOTS] or in_tree
        names = "、".join(u.name for u in unions)
        raise ValidationFailed(
            f"{target.full_name}属于本系统的单位（{names}），请在本市县区（园区）总工会中选择", field="division_code"
        )
    name = (contact_name or "").strip()
    row = session.scalar(select(ExternalUnion).where(ExternalUnion.division_code == target.code))
    if row is None:
        if len(name) < 2:
            raise ValidationFailed(f"首次转介至{target.union_name}，请填写对方联系人", field="contact_name")
        if not (contact_phone or "").strip():
            raise ValidationFailed(f"首次转介至{target.union_name}，请填写对方联系电话", field="contact_phone")
        unit = orgs.external_unit(session, division_code=target.code, name=target.union_name)
        row = ExternalUnion(
            org_unit_id=unit.id,
            division_code=target.code,
            level=target.level,
            contact_name=name,
            created_by_id=principal.user_id,
        )
        _seal_phone(row, contact_phone or "")
        session.add(row)
        session.flush()
        return row
    if name:
        if len(name) < 2:
            raise ValidationFailed("联系人姓名至少2个字", field="contact_name")
        row.contact_name = name
    if (contact_phone or "").strip():
        _seal_phone(row, contact_phone or "")
    session.flush()
    return row


def request_external_handoff(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    division_code: str,
    reason: str,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    intended_place: str | None = None,
) -> Handoff:
    """Hand a graduate to the county or city union of ``division_code`` anywhere in China (pending until it, or the
    sending side on its behalf, acknowledges)."""
    union = external_union(
        session,
        principal=principal,
        division_code=division_code,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    unit = session.get(OrgUnit, union.org_unit_id)
    place = intended_place or (unit.name.removesuffix("总工会") if unit is not None else None)
    return request_handoff(
        session,
        principal=principal,
        graduate_id=graduate_id,
        to_org_unit_id=union.org_unit_id,
        reason=reason,
        intended_place=place,
    )


@dataclass(frozen=True, slots=True)
class ExternalUnionView:
    id: int
    org_unit_id: int
    name: str
    division_code: str
    level: str
    contact_name: str
    contact_phone_masked: str | None
    accounts: int


def _view(session: Session, row: ExternalUnion, unit: OrgUnit) -> ExternalUnionView:
    accounts = session.scalar(select(func.count()).select_from(User).where(User.org_unit_id == unit.id)) or 0
    return ExternalUnionView(
        id=row.id,
        org_unit_id=unit.id,
        name=unit.name,
        division_code=row.division_code,
        level=row.level,
        contact_name=row.contact_name,
        contact_phone_masked=row.contact_phone_masked,
        accounts=int(accounts),
    )


def list_external_unions(
    session: Session, *, principal: Principal, query: str | None, limit: int, offset: int
) -> tuple[list[ExternalUnionView], int]:
    """The directory of unions outside the tree that have received handoffs (phones masked)."""
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以查看")
    cond = [OrgUnit.id == ExternalUnion.org_unit_id]
    if query and query.strip():
        cond.append(or_(OrgUnit.name.contains(query.strip()), ExternalUnion.division_code.startswith(query.strip())))
    total = session.scalar(select(func.count()).select_from(ExternalUnion).join(OrgUnit, cond[0]).where(*cond[1:]))
    rows = session.execute(
        select(ExternalUnion, OrgUnit)
        .join(OrgUnit, cond[0])
        .where(*cond[1:])
        .order_by(ExternalUnion.division_code)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_view(session, row, unit) for row, unit in rows], int(total or 0)


def external_union_of_unit(session: Session, *, org_unit_id: int) -> ExternalUnionView | None:
    """The external union behind an org unit, or None for a unit of the tree."""
    row = session.scalar(select(ExternalUnion).where(ExternalUnion.org_unit_id == org_unit_id))
    unit = session.get(OrgUnit, org_unit_id)
    if row is None or unit is None or unit.kind != OrgKind.EXTERNAL:
        return None
    return _view(session, row, unit)


def get_external_union(session: Session, *, principal: Principal, union_id: int) -> ExternalUnionView:
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以查看")
    row = session.get(ExternalUnion, union_id)
    unit = session.get(OrgUnit, row.org_unit_id) if row is not None else None
    if row is None or unit is None:
        raise NotFound(f"编号为 {union_id} 的外地工会不存在")
    return _view(session, row, unit)


def _load_contact_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("外地工会不存在")
    get_external_union(session, principal=principal, union_id=int(target_id))
    row = session.get(ExternalUnion, int(target_id))
    return row.contact_phone_enc if row is not None else None


reveal.register(
    "external_union",
    "contact_phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
    load=_load_contact_phone,
)
