"""Purchased services (购买服务): the HR and employment-service agencies the unions buy 定向就业援助 from, and the
contracts — purchasing union, period, amount and fund, service content, number of graduates to serve.

Who may do what: union staff (county: their scope; city staff and admin: all) register providers and sign
contracts for a union of their scope; the union side (staff and counselors) reads providers, and reads the
contracts of its own units and of the units above them (a city contract serves every county). Referrals of
graduates to a contract are tracking's (:mod:`services.tracking.referrals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.catalog.models import ProviderKind, ServiceContract, ServiceProvider
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, normalize_credit_code, normalize_phone
from services.orgs.models import OrgKind, OrgUnit
from services.security import pii, reveal
from services.security.models import Role
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped

PROVIDER_KINDS = {
    ProviderKind.HR_AGENCY.value: "人力资源服务机构",
    ProviderKind.EMPLOYMENT_SERVICE.value: "社会就业服务机构",
    ProviderKind.TRAINING.value: "职业培训机构",
}
CONTRACT_FUNDS = {
    "central": "央财帮扶资金",
    "province": "省总就业创业资金",
    "city": "市总工会经费",
    "county": "县区工会经费",
}
PURCHASING_KINDS = frozenset({OrgKind.CITY, OrgKind.COUNTY, OrgKind.PARK, OrgKind.DIRECT})
MAX_AMOUNT = Decimal("99999999.99")


def _staff(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以登记购买服务")


def _union_side(principal: Principal) -> None:
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有工会和就业指导员可以查看购买服务")


# ---- providers --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderData:
    name: str
    credit_code: str
    kind: str
    contact_name: str
    contact_phone: str
    address: str = ""


def create_provider(session: Session, *, principal: Principal, data: ProviderData) -> ServiceProvider:
    _staff(principal)
    name = data.name.strip()
    if len(name) < 2:
        raise ValidationFailed("请填写服务机构名称", field="name")
    try:
        code = normalize_credit_code(data.credit_code)
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="credit_code") from exc
    if data.kind not in PROVIDER_KINDS:
        raise ValidationFailed("请选择机构类别：人力资源服务机构、社会就业服务机构或职业培训机构", field="kind")
    if len(data.contact_name.strip()) < 2:
        raise ValidationFailed("请填写机构联系人", field="contact_name")
    try:
        phone = normalize_phone(data.contact_phone)
    except InvalidIdentifier as exc:
        raise ValidationFailed(f"联系电话：{exc.reason}", field="contact_phone") from exc
    found = session.scalar(select(ServiceProvider.name).where(ServiceProvider.credit_code == code))
    if found is not None:
        raise Conflict(f"统一社会信用代码已由“{found}”登记", field="credit_code")
    sealed = pii.seal(pii.PiiKind.PHONE, phone)
    row = ServiceProvider(
        name=name,
        credit_code=code,
        kind=data.kind,
        contact_name=data.contact_name.strip(),
        contact_phone_enc=sealed.ciphertext,
        contact_phone_bidx=sealed.blind_index,
        contact_phone_masked=sealed.masked,
        address=data.address.strip(),
        created_by=principal.user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same code
        raise Conflict("统一社会信用代码已被登记", field="credit_code") from exc
    return row


def get_provider(session: Session, *, principal: Principal, provider_id: int) -> ServiceProvider:
    _union_side(principal)
    row = session.get(ServiceProvider, provider_id)
    if row is None:
        raise NotFound(f"编号为 {provider_id} 的服务机构不存在")
    return row


def list_providers(
    session: Session, *, principal: Principal, query: str | None, limit: int, offset: int
) -> tuple[list[ServiceProvider], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if query and query.strip():
        cond.append(or_(ServiceProvider.name.contains(query.strip()), ServiceProvider.credit_code == query.strip()))
    total = session.scalar(select(func.count()).select_from(ServiceProvider).where(*cond)) or 0
    rows = session.scalars(
        select(ServiceProvider).where(*cond).order_by(ServiceProvider.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total)


# ---- contracts --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractData:
    provider_id: int
    org_unit_id: int
    number: str
    title: str
    service_content: str
    starts_on: date
    ends_on: date
    amount: Decimal
    fund: str
    graduates_to_serve: int


def _ancestors(session: Session, principal: Principal) -> list[int]:
    """The principal's own unit and the units above it (whose contracts serve its graduates too)."""
    if principal.org_unit_id is None:
        return []
    unit = session.get(OrgUnit, principal.org_unit_id)
    if unit is None:
        return []
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def create_contract(session: Session, *, principal: Principal, data: ContractData) -> ServiceContract:
    _staff(principal)
    provider = session.get(ServiceProvider, data.provider_id)
    if provider is None:
        raise ValidationFailed("请选择已登记的服务机构", field="provider_id")
    unit = session.get(OrgUnit, data.org_unit_id)
    if unit is None or unit.kind not in PURCHASING_KINDS:
        raise ValidationFailed("购买单位应为市总工会或县区（园区）总工会", field="org_unit_id")
    if not principal.covers(unit.id):
        raise Forbidden("不能为管辖范围之外的单位签订购买服务合同")
    number = data.number.strip()
    if len(number) < 2:
        raise ValidationFailed("请填写合同编号", field="number")
    if len(data.title.strip()) < 2:
        raise ValidationFailed("请填写合同名称", field="title")
    if len(data.service_content.strip()) < 4:
        raise ValidationFailed("请写明服务内容（如职业培训、就业咨询、面试指导、岗位推荐）", field="service_content")
    if data.ends_on < data.starts_on:
        raise ValidationFailed("服务期结束日期不能早于开始日期", field="ends_on")
    amount = Decimal(data.amount)
    if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("合同金额应为不小于0的金额，最多两位小数", field="amount")
    if data.fund not in CONTRACT_FUNDS:
        raise ValidationFailed("请选择资金来源：央财帮扶资金、省总就业创业资金、市总或县区工会经费", field="fund")
    if data.graduates_to_serve < 1:
        raise ValidationFailed("服务人数至少为1人", field="graduates_to_serve")
    if session.scalar(select(ServiceContract.id).where(ServiceContract.number == number)) is not None:
        raise Conflict(f"合同编号“{number}”已登记", field="number")
    row = ServiceContract(
        provider_id=provider.id,
        org_unit_id=unit.id,
        number=number,
        title=data.title.strip(),
        service_content=data.service_content.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        amount=amount,
        fund=data.fund,
        graduates_to_serve=data.graduates_to_serve,
        created_by=principal.user_id,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"合同编号“{number}”已登记", field="number") from exc
    return row


def get_contract(session: Session, *, principal: Principal, contract_id: int) -> ServiceContract:
    """A contract of the principal's units or of a unit above them; else 404."""
    _union_side(principal)
    row = session.scalar(
        scoped(
            select(ServiceContract).where(ServiceContract.id == contract_id),
            principal,
            org=ServiceContract.org_unit_id,
            public=ServiceContract.org_unit_id.in_(_ancestors(session, principal)),
        )
    )
    if row is None:
        raise NotFound(f"编号为 {contract_id} 的购买服务合同不存在或不在您的管辖范围内")
    return row


def list_contracts(
    session: Session,
    *,
    principal: Principal,
    provider_id: int | None,
    active_on: date | None,
    limit: int,
    offset: int,
) -> tuple[list[ServiceContract], int]:
    _union_side(principal)
    cond: list[ColumnElement[bool]] = []
    if provider_id is not None:
        cond.append(ServiceContract.provider_id == provider_id)
    if active_on is not None:
        cond += [ServiceContract.starts_on <= active_on, ServiceContract.ends_on >= active_on]
    above = ServiceContract.org_unit_id.in_(_ancestors(session, principal))
    total = session.scalar(
        scoped(
            select(func.count()).select_from(ServiceContract).where(*cond),
            principal,
            org=ServiceContract.org_unit_id,
            public=above,
        )
    )
    rows = session.scalars(
        scoped(
            select(ServiceContract).where(*cond).order_by(ServiceContract.starts_on.desc(), ServiceContract.id.desc()),
            principal,
            org=ServiceContract.org_unit_id,
            public=above,
        )
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


def contract_covers(session: Session, *, contract: ServiceContract, org_unit_id: int) -> bool:
    """True when a graduate of ``org_unit_id`` lies under the purchasing union of ``contract``."""
    buyer = session.get(OrgUnit, contract.org_unit_id)
    unit = session.get(OrgUnit, org_unit_id)
    return buyer is not None and unit is not None and unit.path.startswith(buyer.path)


def provider_names(session: Session, *, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(ServiceProvider.id, ServiceProvider.name).where(ServiceProvider.id.in_(sorted(set(ids))))
    return {int(i): str(n) for i, n in session.execute(stmt)}


def _load_contact_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("服务机构不存在")
    return get_provider(session, principal=principal, provider_id=int(target_id)).contact_phone_enc


reveal.register(
    "service_provider",
    "contact_phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
    load=_load_contact_phone,
)
