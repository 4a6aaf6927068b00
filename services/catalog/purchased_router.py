"""Purchased-service providers and contracts (购买服务): union staff register them, the union side reads them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.catalog import service
from services.catalog.purchased_schemas import DB_ID_MAX, ContractCreate, ContractOut, ProviderCreate, ProviderOut
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1/purchased-services", tags=["购买服务"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
Staff = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]


@router.post(
    "/providers",
    response_model=ProviderOut,
    status_code=201,
    summary="登记服务机构",
    description="登记提供定向就业援助的人力资源或就业服务机构（统一社会信用代码校验，联系电话加密保存）。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def create_provider(body: ProviderCreate, principal: Staff, session: SessionDep) -> ProviderOut:
    data = service.ProviderData(**body.model_dump())
    return ProviderOut.model_validate(service.create_provider(session, principal=principal, data=data))


@router.get(
    "/providers",
    response_model=Page[ProviderOut],
    summary="服务机构列表",
    description="已登记的购买服务机构（联系电话脱敏）。",
    responses=responses(Forbidden),
)
def list_providers(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=60, description="名称或统一社会信用代码")] = None,
) -> Page[ProviderOut]:
    rows, total = service.list_providers(session, principal=principal, query=q, limit=page.limit, offset=page.offset)
    items = [ProviderOut.model_validate(r) for r in rows]
    return Page[ProviderOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/providers/{provider_id}",
    response_model=ProviderOut,
    summary="服务机构详情",
    description="一个购买服务机构。",
    responses=responses(Forbidden, NotFound),
)
def get_provider(provider_id: Id, principal: UnionSide, session: SessionDep) -> ProviderOut:
    return ProviderOut.model_validate(service.get_provider(session, principal=principal, provider_id=provider_id))


@router.post(
    "/contracts",
    response_model=ContractOut,
    status_code=201,
    summary="登记购买服务合同",
    description="工会工作人员为本级或下属县区登记购买服务合同：服务机构、服务期、金额和资金来源、服务内容、服务人数。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def create_contract(body: ContractCreate, principal: Staff, session: SessionDep) -> ContractOut:
    data = service.ContractData(**body.model_dump())
    return ContractOut.model_validate(service.create_contract(session, principal=principal, data=data))


@router.get(
    "/contracts",
    response_model=Page[ContractOut],
    summary="购买服务合同列表",
    description="本单位、下属单位和上级工会（如市总）购买的服务合同。",
    responses=responses(Forbidden),
)
def list_contracts(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    provider_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX)] = None,
    active_on: Annotated[date | None, Query(description="只列出该日在服务期内的合同")] = None,
) -> Page[ContractOut]:
    rows, total = service.list_contracts(
        session,
        principal=principal,
        provider_id=provider_id,
        active_on=active_on,
        limit=page.limit,
        offset=page.offset,
    )
    items = [ContractOut.model_validate(r) for r in rows]
    return Page[ContractOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/contracts/{contract_id}",
    response_model=ContractOut,
    summary="购买服务合同详情",
    description="一份购买服务合同。",
    responses=responses(Forbidden, NotFound),
)
def get_contract(contract_id: Id, principal: UnionSide, session: SessionDep) -> ContractOut:
    return ContractOut.model_validate(service.get_contract(session, principal=principal, contract_id=contract_id))
