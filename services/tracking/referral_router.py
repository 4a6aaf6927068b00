"""Referrals of unemployed graduates to purchased-service contracts (定向就业援助) and their outcomes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal
from services.tracking import service
from services.tracking.referral_schemas import ReferralCreate, ReferralMoveIn, ReferralOut
from services.tracking.schemas import DB_ID_MAX

router = APIRouter(prefix="/api/v1/tracking", tags=["全流程跟踪"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
OptionalId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]
Staff = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]


@router.post(
    "/referrals",
    response_model=ReferralOut,
    status_code=201,
    summary="转介毕业生至购买服务（定向就业援助）",
    description=(
        "就业指导员把未就业的毕业生转介给购买服务合同的服务机构。合同须在服务期内、由本县区或市总工会购买、名额未满；"
        "毕业生须为未就业、求职中或见习实习中。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_referral(body: ReferralCreate, principal: UnionSide, session: SessionDep) -> ReferralOut:
    row = service.refer(
        session, principal=principal, graduate_id=body.graduate_id, contract_id=body.contract_id, note=body.note
    )
    return ReferralOut.model_validate(row)


@router.get(
    "/referrals",
    response_model=Page[ReferralOut],
    summary="购买服务转介列表",
    description="管辖范围内毕业生的购买服务转介，可按合同、毕业生和状态筛选。",
    responses=responses(Forbidden),
)
def list_referrals(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    contract_id: OptionalId = None,
    graduate_id: OptionalId = None,
    state: Annotated[str | None, Query(max_length=16, description="referred / accepted / placed / not_placed")] = None,
) -> Page[ReferralOut]:
    rows, total = service.list_referrals(
        session,
        principal=principal,
        contract_id=contract_id,
        graduate_id=graduate_id,
        state=state,
        limit=page.limit,
        offset=page.offset,
    )
    items = [ReferralOut.model_validate(r) for r in rows]
    return Page[ReferralOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralOut,
    summary="购买服务转介详情",
    description="一条购买服务转介。",
    responses=responses(Forbidden, NotFound),
)
def get_referral(referral_id: Id, principal: UnionSide, session: SessionDep) -> ReferralOut:
    return ReferralOut.model_validate(service.get_referral(session, principal=principal, referral_id=referral_id))


@router.post(
    "/referrals/{referral_id}/moves",
    response_model=ReferralOut,
    summary="登记服务机构接收和结果",
    description="工会工作人员登记：机构已接收 → 已就业（填就业单位）或服务期满未就业（说明情况），附日期。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def move_referral(referral_id: Id, body: ReferralMoveIn, principal: Staff, session: SessionDep) -> ReferralOut:
    move = service.ReferralMove(to=body.to, on=body.on, employer_name=body.employer_name, note=body.note)
    row = service.move_referral(session, principal=principal, referral_id=referral_id, move=move)
    return ReferralOut.model_validate(row)
