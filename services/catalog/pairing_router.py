"""金牌蓝领 pairings: union staff register the school–enterprise agreements; the union side and the enterprise read
them (an enterprise only its own)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.catalog import pairings
from services.catalog.pairing_schemas import DB_ID_MAX, PairingCreate, PairingOut
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1/golden-pairings", tags=["金牌蓝领"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
Staff = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
Readers = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin", "enterprise"))]


@router.post(
    "",
    response_model=PairingOut,
    status_code=201,
    summary="登记金牌蓝领校企结对",
    description="工会工作人员为本级或下属县区登记中职/高职学校与已认证企业的结对协议：期限、条款、名额、每生助学金。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def create_pairing(body: PairingCreate, principal: Staff, session: SessionDep) -> PairingOut:
    data = pairings.PairingData(**body.model_dump())
    return PairingOut.model_validate(pairings.create_pairing(session, principal=principal, data=data))


@router.get(
    "",
    response_model=Page[PairingOut],
    summary="金牌蓝领结对列表",
    description="本单位、下属单位和上级工会组织的结对；企业只看到本企业参与的结对。",
    responses=responses(Forbidden),
)
def list_pairings(
    principal: Readers,
    session: SessionDep,
    page: PageDep,
    active_on: Annotated[date | None, Query(description="只列出该日在协议期内的结对")] = None,
) -> Page[PairingOut]:
    rows, total = pairings.list_pairings(
        session, principal=principal, active_on=active_on, limit=page.limit, offset=page.offset
    )
    items = [PairingOut.model_validate(r) for r in rows]
    return Page[PairingOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/{pairing_id}",
    response_model=PairingOut,
    summary="金牌蓝领结对详情",
    description="一份校企结对协议。",
    responses=responses(Forbidden, NotFound),
)
def get_pairing(pairing_id: Id, principal: Readers, session: SessionDep) -> PairingOut:
    return PairingOut.model_validate(pairings.get_pairing(session, principal=principal, pairing_id=pairing_id))
