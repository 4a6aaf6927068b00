"""Handoffs to unions anywhere in China (异地求职): the receiving unions the national division codes offer, the
directory of unions outside the tree, a handoff to one of them, and the receiving union's outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal
from services.tracking import service
from services.tracking.external_schemas import (
    ExternalHandoffCreate,
    ExternalUnionOut,
    HandoffOutcomeIn,
    ReceivingDivisionOut,
)
from services.tracking.schemas import DB_ID_MAX, HandoffOut

router = APIRouter(prefix="/api/v1/tracking", tags=["全流程跟踪"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]


@router.get(
    "/receiving-divisions",
    response_model=list[ReceivingDivisionOut],
    summary="可接收异地转介的市、县区",
    description="按名称或代码在全国行政区划中查找市、县区，给出接收转介的工会名称。",
    responses=responses(Forbidden),
)
def receiving_divisions(
    principal: UnionSide,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=30, description="地名或行政区划代码前缀", examples=["合肥"])],
) -> list[ReceivingDivisionOut]:
    rows = service.search_receiving_divisions(session, principal=principal, query=q)
    return [ReceivingDivisionOut.model_validate(r) for r in rows]


@router.get(
    "/external-unions",
    response_model=Page[ExternalUnionOut],
    summary="外地工会名录",
    description="接收过异地转介的外地县区、市总工会及其联系人（电话脱敏）。",
    responses=responses(Forbidden),
)
def list_external_unions(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=30, description="名称或行政区划代码前缀")] = None,
) -> Page[ExternalUnionOut]:
    rows, total = service.list_external_unions(
        session, principal=principal, query=q, limit=page.limit, offset=page.offset
    )
    items = [ExternalUnionOut.model_validate(r) for r in rows]
    return Page[ExternalUnionOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/external-unions/{union_id}",
    response_model=ExternalUnionOut,
    summary="外地工会详情",
    description="一个外地工会及其联系人（电话脱敏）。",
    responses=responses(Forbidden, NotFound),
)
def get_external_union(union_id: Id, principal: UnionSide, session: SessionDep) -> ExternalUnionOut:
    return ExternalUnionOut.model_validate(service.get_external_union(session, principal=principal, union_id=union_id))


@router.post(
    "/handoffs/external",
    response_model=HandoffOut,
    status_code=201,
    summary="转介至全国任一市、县区总工会",
    description=(
        "生源地工会把毕业生转介给意向工作地（全国任一市或县区）的总工会。首次转介至某工会时须填写对方联系人和电话"
        "（电话加密保存），此后沿用；对方在系统中没有账号时，由生源地工会代为登记接收确认和结果。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_external_handoff(body: ExternalHandoffCreate, principal: UnionSide, session: SessionDep) -> HandoffOut:
    row = service.request_external_handoff(
        session,
        principal=principal,
        graduate_id=body.graduate_id,
        division_code=body.division_code,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        reason=body.reason,
        intended_place=body.intended_place,
    )
    return HandoffOut.model_validate(row)


@router.post(
    "/handoffs/{handoff_id}/outcome",
    response_model=HandoffOut,
    summary="登记转介结果",
    description=(
        "接收地工会登记毕业生的去向（已就业须填就业单位）；外地工会没有账号的，由生源地工会代为登记，记录登记人。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def record_outcome(handoff_id: Id, body: HandoffOutcomeIn, principal: UnionSide, session: SessionDep) -> HandoffOut:
    row = service.record_handoff_outcome(
        session,
        principal=principal,
        handoff_id=handoff_id,
        outcome=body.outcome,
        outcome_on=body.outcome_on,
        employer=body.employer,
        note=body.note,
    )
    return HandoffOut.model_validate(row)
