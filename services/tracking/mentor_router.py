"""Mentors and one-to-one pairings (一帮一结对) with their contact log; entrepreneurship projects, 创新创业大赛,
entries and their screening, and the support a project was given."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal
from services.tracking import mentors, ventures
from services.tracking.mentor_schemas import (
    ContestCreate,
    ContestOut,
    EntryCreate,
    EntryOut,
    MentorActiveIn,
    MentorContactCreate,
    MentorContactOut,
    MentorCreate,
    MentorOut,
    PairingCreate,
    PairingOut,
    PairingOutcomeIn,
    ScreeningIn,
    SupportCreate,
    SupportOut,
    VentureCreate,
    VentureOut,
    VentureStateIn,
)
from services.tracking.schemas import DB_ID_MAX

router = APIRouter(prefix="/api/v1/tracking", tags=["结对帮扶与创业"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
OptionalId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]
Code = Annotated[str | None, Query(max_length=20)]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]
Staff = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
ALL = responses(Forbidden, NotFound, Conflict, ValidationFailed)


# ---- mentors ---------------------------------------------------------------------------------------------


@router.post(
    "/mentors",
    response_model=MentorOut,
    status_code=201,
    summary="登记导师（劳模、工匠、创业专家、爱心企业）",
    description="工会工作人员为管辖范围内的工会登记导师；联系电话加密保存，显示时打码。",
    responses=ALL,
)
def create_mentor(body: MentorCreate, principal: Staff, session: SessionDep) -> MentorOut:
    data = mentors.MentorData(**body.model_dump())
    return MentorOut.model_validate(mentors.create_mentor(session, principal=principal, data=data))


@router.get(
    "/mentors",
    response_model=Page[MentorOut],
    summary="导师库",
    description="本单位、下属单位和上级工会登记的导师，可按类别和姓名、单位、领域筛选。",
    responses=responses(Forbidden),
)
def list_mentors(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    kind: Code = None,
    q: Annotated[str | None, Query(max_length=50, description="姓名、单位或领域")] = None,
    active: Annotated[bool, Query(description="只看接受结对的导师")] = False,
) -> Page[MentorOut]:
    rows, total = mentors.list_mentors(
        session, principal=principal, kind=kind, query=q, active_only=active, limit=page.limit, offset=page.offset
    )
    items = [MentorOut.model_validate(r) for r in rows]
    return Page[MentorOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get("/mentors/{mentor_id}", response_model=MentorOut, summary="导师详情", responses=ALL)
def get_mentor(mentor_id: Id, principal: UnionSide, session: SessionDep) -> MentorOut:
    return MentorOut.model_validate(mentors.get_mentor(session, principal=principal, mentor_id=mentor_id))


@router.put(
    "/mentors/{mentor_id}/active",
    response_model=MentorOut,
    summary="暂停或恢复导师接受结对",
    responses=ALL,
)
def set_mentor_active(mentor_id: Id, body: MentorActiveIn, principal: Staff, session: SessionDep) -> MentorOut:
    row = mentors.set_mentor_active(session, principal=principal, mentor_id=mentor_id, active=body.active)
    return MentorOut.model_validate(row)


# ---- pairings --------------------------------------------------------------------------------------------


@router.post(
    "/pairings",
    response_model=PairingOut,
    status_code=201,
    summary="一帮一结对",
    description="把导师与所服务的毕业生结对：一帮一结对帮扶（就业），或与创业毕业生的创业结对（需先登记创业项目）。",
    responses=ALL,
)
def create_pairing(body: PairingCreate, principal: UnionSide, session: SessionDep) -> PairingOut:
    row = mentors.pair(session, principal=principal, **body.model_dump())
    return PairingOut.model_validate(row)


@router.get(
    "/pairings",
    response_model=Page[PairingOut],
    summary="结对列表",
    description="管辖范围内毕业生的结对，可按导师、毕业生、类型和状态筛选。",
    responses=responses(Forbidden),
)
def list_pairings(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    mentor_id: OptionalId = None,
    graduate_id: OptionalId = None,
    kind: Code = None,
    state: Code = None,
) -> Page[PairingOut]:
    rows, total = mentors.list_pairings(
        session,
        principal=principal,
        mentor_id=mentor_id,
        graduate_id=graduate_id,
        kind=kind,
        state=state,
        limit=page.limit,
        offset=page.offset,
    )
    items = [PairingOut.model_validate(r) for r in rows]
    return Page[PairingOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get("/pairings/{pairing_id}", response_model=PairingOut, summary="结对详情", responses=ALL)
def get_pairing(pairing_id: Id, principal: UnionSide, session: SessionDep) -> PairingOut:
    return PairingOut.model_validate(mentors.get_pairing(session, principal=principal, pairing_id=pairing_id))


@router.post(
    "/pairings/{pairing_id}/contacts",
    response_model=MentorContactOut,
    status_code=201,
    summary="登记结对联系",
    description="结对中的一次联系：日期、方式（电话、走访、短信微信、座谈谈心）和内容。",
    responses=ALL,
)
def add_pairing_contact(
    pairing_id: Id, body: MentorContactCreate, principal: UnionSide, session: SessionDep
) -> MentorContactOut:
    row = mentors.record_mentor_contact(session, principal=principal, pairing_id=pairing_id, **body.model_dump())
    return MentorContactOut.model_validate(row)


@router.get(
    "/pairings/{pairing_id}/contacts",
    response_model=list[MentorContactOut],
    summary="结对联系记录",
    responses=ALL,
)
def pairing_contacts(pairing_id: Id, principal: UnionSide, session: SessionDep) -> list[MentorContactOut]:
    pairing = mentors.get_pairing(session, principal=principal, pairing_id=pairing_id)
    return [MentorContactOut.model_validate(c) for c in mentors.contacts_of(session, pairing=pairing)]


@router.post(
    "/pairings/{pairing_id}/outcome",
    response_model=PairingOut,
    summary="登记结对结果",
    description="已就业（填就业单位，毕业生状态随之改为已就业）、已创业（状态改为自主创业）或结对结束（说明原因）。",
    responses=ALL,
)
def pairing_outcome(pairing_id: Id, body: PairingOutcomeIn, principal: UnionSide, session: SessionDep) -> PairingOut:
    outcome = mentors.PairingOutcome(**body.model_dump())
    row = mentors.record_outcome(session, principal=principal, pairing_id=pairing_id, outcome=outcome)
    return PairingOut.model_validate(row)


# ---- projects --------------------------------------------------------------------------------------------


@router.post(
    "/ventures",
    response_model=VentureOut,
    status_code=201,
    summary="登记创业项目（网络创业、返乡创业、传统创业）",
    description="为所服务的毕业生登记创业项目，参赛或不参赛均可登记。",
    responses=ALL,
)
def create_venture(body: VentureCreate, principal: UnionSide, session: SessionDep) -> VentureOut:
    data = ventures.VentureData(**body.model_dump())
    return VentureOut.model_validate(ventures.record_venture(session, principal=principal, data=data))


@router.get(
    "/ventures",
    response_model=Page[VentureOut],
    summary="创业项目列表",
    responses=responses(Forbidden),
)
def list_ventures(
    principal: UnionSide, session: SessionDep, page: PageDep, graduate_id: OptionalId = None, kind: Code = None
) -> Page[VentureOut]:
    rows, total = ventures.list_ventures(
        session, principal=principal, graduate_id=graduate_id, kind=kind, limit=page.limit, offset=page.offset
    )
    items = [VentureOut.model_validate(r) for r in rows]
    return Page[VentureOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get("/ventures/{venture_id}", response_model=VentureOut, summary="创业项目详情", responses=ALL)
def get_venture(venture_id: Id, principal: UnionSide, session: SessionDep) -> VentureOut:
    return VentureOut.model_validate(ventures.get_venture(session, principal=principal, venture_id=venture_id))


@router.put("/ventures/{venture_id}/state", response_model=VentureOut, summary="更新创业项目状态", responses=ALL)
def set_venture_state(venture_id: Id, body: VentureStateIn, principal: UnionSide, session: SessionDep) -> VentureOut:
    row = ventures.set_venture_state(
        session, principal=principal, venture_id=venture_id, state=body.state, started_on=body.started_on
    )
    return VentureOut.model_validate(row)


@router.post(
    "/ventures/{venture_id}/supports",
    response_model=SupportOut,
    status_code=201,
    summary="登记创业扶持",
    description="工会工作人员登记项目获得的扶持：扶持资金（金额）、创业场地、产品孵化、创新指导或成果转化；"
    "按大赛给予的，参赛项目须已通过筛选。",
    responses=ALL,
)
def give_support(venture_id: Id, body: SupportCreate, principal: Staff, session: SessionDep) -> SupportOut:
    data = ventures.SupportData(venture_id=venture_id, **body.model_dump())
    return SupportOut.model_validate(ventures.give_support(session, principal=principal, data=data))


@router.get("/ventures/{venture_id}/supports", response_model=list[SupportOut], summary="项目获得的扶持", responses=ALL)
def venture_supports(venture_id: Id, principal: UnionSide, session: SessionDep) -> list[SupportOut]:
    venture = ventures.get_venture(session, principal=principal, venture_id=venture_id)
    return [SupportOut.model_validate(s) for s in ventures.supports_of(session, venture=venture)]


# ---- contests --------------------------------------------------------------------------------------------


@router.post(
    "/contests",
    response_model=ContestOut,
    status_code=201,
    summary="登记创新创业大赛",
    description="工会工作人员为管辖范围内的工会登记大赛：年度、主办单位和筛选条件（作为数据保存）。",
    responses=ALL,
)
def create_contest(body: ContestCreate, principal: Staff, session: SessionDep) -> ContestOut:
    data = ventures.ContestData(**{**body.model_dump(), "criteria": tuple(body.criteria)})
    return ContestOut.model_validate(ventures.create_contest(session, principal=principal, data=data))


@router.get("/contests", response_model=Page[ContestOut], summary="创新创业大赛", responses=responses(Forbidden))
def list_contests(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> Page[ContestOut]:
    rows, total = ventures.list_contests(session, principal=principal, year=year, limit=page.limit, offset=page.offset)
    items = [ContestOut.model_validate(r) for r in rows]
    return Page[ContestOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.get("/contests/{contest_id}", response_model=ContestOut, summary="大赛详情", responses=ALL)
def get_contest(contest_id: Id, principal: UnionSide, session: SessionDep) -> ContestOut:
    return ContestOut.model_validate(ventures.get_contest(session, principal=principal, contest_id=contest_id))


@router.post(
    "/contests/{contest_id}/entries",
    response_model=EntryOut,
    status_code=201,
    summary="报名参赛",
    description="把所服务毕业生的创业项目报名参加大赛（报名截止前）。",
    responses=ALL,
)
def enter_contest(contest_id: Id, body: EntryCreate, principal: UnionSide, session: SessionDep) -> EntryOut:
    row = ventures.enter(session, principal=principal, contest_id=contest_id, venture_id=body.venture_id, on=body.on)
    contest = ventures.get_contest(session, principal=principal, contest_id=contest_id)
    return EntryOut.of(row, contest)


@router.get(
    "/contests/{contest_id}/entries",
    response_model=Page[EntryOut],
    summary="参赛项目",
    description="大赛中管辖范围内毕业生的参赛项目及筛选结果。",
    responses=ALL,
)
def contest_entries(
    contest_id: Id, principal: UnionSide, session: SessionDep, page: PageDep, state: Code = None
) -> Page[EntryOut]:
    contest = ventures.get_contest(session, principal=principal, contest_id=contest_id)
    rows, total = ventures.list_entries(
        session, principal=principal, contest_id=contest.id, state=state, limit=page.limit, offset=page.offset
    )
    items = [EntryOut.of(r, contest) for r in rows]
    return Page[EntryOut](items=items, limit=page.limit, offset=page.offset, total=total)


@router.post(
    "/entries/{entry_id}/screening",
    response_model=EntryOut,
    summary="筛选参赛项目",
    description="主办工会的工作人员登记筛选结果：通过筛选，或未通过并指明不符合的筛选条件。",
    responses=ALL,
)
def screen_entry(entry_id: Id, body: ScreeningIn, principal: Staff, session: SessionDep) -> EntryOut:
    screening = ventures.Screening(**body.model_dump())
    row = ventures.screen(session, principal=principal, entry_id=entry_id, screening=screening)
    contest = ventures.get_contest(session, principal=principal, contest_id=row.contest_id)
    return EntryOut.of(row, contest)
