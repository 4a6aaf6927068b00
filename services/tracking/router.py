from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.matches import api as matches
from services.matches.api import RecommendationCreate, RecommendationOut, RuleCheckOut
from services.pagination import Page, PageDep
from services.refdata.api import vocabularies
from services.security.dependencies import require_roles
from services.security.principal import Principal
from services.security.scope import graduate_scope
from services.tracking import flows, pipeline, service
from services.tracking.models import Application
from services.tracking.schemas import (
    DB_ID_MAX,
    ApplicantOut,
    ApplicationCreate,
    ApplicationOut,
    AssignmentIn,
    AssignmentOut,
    CaseOut,
    ContactCreate,
    ContactOut,
    EventCreate,
    EventOut,
    FreshMatchOut,
    GapGroupOut,
    GapOut,
    GapReport,
    HandoffCreate,
    HandoffDecision,
    HandoffEnd,
    HandoffOut,
    MoveRequest,
    OverdueOut,
    OverrideRequest,
    RequirementOut,
    ServiceCreate,
    ServiceOut,
    StandardIn,
    StandardOut,
    StatusChangeOut,
    StatusOut,
    TimelineItemOut,
    TimelineOut,
    TransitionOut,
    WorkbenchOut,
)

router = APIRouter(prefix="/api/v1/tracking", tags=["全流程跟踪"])
Id = Annotated[int, Path(ge=1, le=DB_ID_MAX, description="记录编号")]
OptionalId = Annotated[int | None, Query(ge=1, le=DB_ID_MAX)]
#: Recommendations from a match: listed with the matching routes, written by tracking through the one gate.
recommendations_router = APIRouter(prefix="/api/v1", tags=["岗位匹配"])

UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]
PipelineActor = Annotated[
    Principal, Depends(require_roles("graduate", "enterprise", "counselor", "union_county", "union_city", "admin"))
]
GraduateOrUnion = Annotated[
    Principal, Depends(require_roles("graduate", "counselor", "union_county", "union_city", "admin"))
]
EnterpriseOrUnion = Annotated[
    Principal, Depends(require_roles("enterprise", "counselor", "union_county", "union_city", "admin"))
]
CityStaff = Annotated[Principal, Depends(require_roles("union_city", "admin"))]


def _app_dict_out(app: Application, principal: Principal, history: list[TransitionOut] | None = None) -> ApplicationOut:
    data = {
        "id": app.id,
        "graduate_id": app.graduate_id,
        "position_id": app.position_id,
        "employer_id": app.employer_id,
        "org_unit_id": app.org_unit_id,
        "state": app.state,
        "state_name": pipeline.STATE_NAMES[app.state],
        "closed_reason": app.closed_reason,
        "graduate_confirmed_at": app.graduate_confirmed_at,
        "employer_confirmed_at": app.employer_confirmed_at,
        "state_changed_at": app.state_changed_at,
        "next_states": [s.value for s in pipeline.targets(pipeline.AppState(app.state), service.actor_of(principal))],
        "history": history,
    }
    return ApplicationOut.model_validate(data)


@router.post(
    "/applications",
    response_model=ApplicationOut,
    status_code=201,
    summary="投递岗位 / 推荐岗位",
    description=(
        "毕业生本人投递岗位（不填 graduate_id）；就业指导员和工会向管辖范围内的毕业生推荐岗位（填 graduate_id），"
        "推荐会自动记入“岗位推荐”服务。与“把匹配岗位推荐给毕业生”同一道关：岗位不符合该毕业生的任一硬性条件"
        "（学历、专业、年龄、户籍、项目条件、截止、名额、用人单位未认证等）时拒绝，并列出不符的条件。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_application(body: ApplicationCreate, principal: GraduateOrUnion, session: SessionDep) -> ApplicationOut:
    if principal.role == "graduate":
        if body.graduate_id is not None:
            own = service.own_graduate(session, principal=principal)
            if own.id != body.graduate_id:
                raise NotFound(f"编号为 {body.graduate_id} 的毕业生不存在或不在您的管辖范围内")
        app = flows.apply(session, principal=principal, position_id=body.position_id, note=body.note)
    else:
        if body.graduate_id is None:
            raise ValidationFailed("推荐岗位须填写毕业生编号", field="graduate_id")
        app = flows.recommend_for(
            session, principal=principal, graduate_id=body.graduate_id, position_id=body.position_id, note=body.note
        )
    return _app_dict_out(app, principal)


@router.get(
    "/applications",
    response_model=Page[ApplicationOut],
    summary="求职记录列表",
    description="毕业生看到本人的求职记录；企业看到投递本单位岗位的记录；指导员和工会看到管辖范围（含异地转入）的记录。",
    responses=responses(Forbidden),
)
def list_applications(
    principal: PipelineActor,
    session: SessionDep,
    page: PageDep,
    state: Annotated[pipeline.AppState | None, Query(description="按状态筛选")] = None,
    graduate_id: OptionalId = None,
    position_id: OptionalId = None,
) -> Page[ApplicationOut]:
    rows, total = service.list_applications(
        session,
        principal=principal,
        state=state.value if state else None,
        graduate_id=graduate_id,
        position_id=position_id,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ApplicationOut](
        items=[_app_dict_out(a, principal) for a in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    summary="求职记录详情",
    description="一条求职记录及其完整流转历史（谁、何时、原因、说明）。",
    responses=responses(Forbidden, NotFound),
)
def get_application(application_id: Id, principal: PipelineActor, session: SessionDep) -> ApplicationOut:
    app = service.get_application(session, principal=principal, application_id=application_id)
    history = [TransitionOut.model_validate(t) for t in service.history(session, application_id=app.id)]
    return _app_dict_out(app, principal, history)


@router.post(
    "/applications/{application_id}/moves",
    response_model=ApplicationOut,
    summary="推进求职流程",
    description=(
        "按流转规则推进：毕业生投递、放弃；企业安排面试洽谈、录用、不录用、到岗；签约须毕业生和企业双方确认；"
        "指导员可代为登记线下发生的进展（须填写说明）。未录用、放弃、过期须选择原因。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def move_application(
    application_id: Id, body: MoveRequest, principal: PipelineActor, session: SessionDep
) -> ApplicationOut:
    app = flows.move(
        session,
        principal=principal,
        application_id=application_id,
        to_state=body.to_state.value,
        reason=body.reason,
        note=body.note,
    )
    history = [TransitionOut.model_validate(t) for t in service.history(session, application_id=app.id)]
    return _app_dict_out(app, principal, history)


@router.get(
    "/positions/{position_id}/applicants",
    response_model=list[ApplicantOut],
    summary="岗位的求职者",
    description="企业查看本单位岗位的求职者：仅姓名、学校、专业、届别、学历和流程状态，不含困难档案、家庭和证件信息。",
    responses=responses(Forbidden, NotFound),
)
def position_applicants(position_id: Id, principal: EnterpriseOrUnion, session: SessionDep) -> list[ApplicantOut]:
    rows = service.position_applicants(session, principal=principal, position_id=position_id)
    education = vocabularies(session)["education"]
    return [
        ApplicantOut(
            application_id=r.application_id,
            state=r.state,
            state_name=pipeline.STATE_NAMES[r.state],
            updated_at=r.updated_at,
            graduate_name=r.graduate_name,
            school_name=r.school_name,
            major=r.major,
            cohort=r.cohort,
            education=r.education,
            education_name=education.name(r.education) or r.education,
        )
        for r in rows
    ]


# ---- per graduate ----------------------------------------------------------------------------------------


@router.get(
    "/graduates/{graduate_id}/timeline",
    response_model=TimelineOut,
    summary="毕业生全流程时间线",
    description="入学、培训、实习、求职、洽谈、签约、就业的全过程，以及服务、回访和就业状态变化。毕业生可查看本人的时间线。",
    responses=responses(Forbidden, NotFound),
)
def graduate_timeline(graduate_id: Id, principal: GraduateOrUnion, session: SessionDep) -> TimelineOut:
    items = service.timeline(session, principal=principal, graduate_id=graduate_id)
    graduate = service.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    status = service.status_as_of(session, as_of=service.local_today(), graduate_ids=[graduate.id])[graduate.id]
    return TimelineOut(
        graduate_id=graduate.id,
        name=graduate.name,
        status=status,
        status_name=pipeline.STATUS_NAMES.get(status, status),
        items=[TimelineItemOut(at=i.at, kind=i.kind, title=i.title, detail=i.detail, ref_id=i.ref_id) for i in items],
    )


@router.get(
    "/graduates/{graduate_id}/status",
    response_model=StatusOut,
    summary="就业状态（可按日期回溯）",
    description="当前或指定日期（as_of）的就业状态、推算状态、人工认定及完整变化历史。",
    responses=responses(Forbidden, NotFound),
)
def graduate_status(
    graduate_id: Id,
    principal: GraduateOrUnion,
    session: SessionDep,
    as_of: Annotated[date | None, Query(description="查询该日结束时的状态")] = None,
) -> StatusOut:
    graduate = service.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    if as_of is None:
        status = service.status_as_of(session, as_of=service.local_today(), graduate_ids=[graduate.id])[graduate.id]
    else:
        status = service.status_as_of(session, as_of=as_of, graduate_ids=[graduate.id])[graduate.id]
    override = service.active_override(session, graduate_id=graduate.id)
    history = service.status_history(session, graduate_id=graduate.id)
    return StatusOut(
        graduate_id=graduate.id,
        as_of=as_of,
        status=status,
        status_name=pipeline.STATUS_NAMES.get(status, status),
        derived_status=service.derived_status(session, graduate_id=graduate.id).value,
        override_status=override.status if override else None,
        override_reason=override.reason if override else None,
        history=[StatusChangeOut.model_validate(h) for h in history],
    )


@router.post(
    "/graduates/{graduate_id}/status-override",
    response_model=StatusOut,
    summary="人工认定就业状态",
    description=(
        "指导员根据核实情况认定就业状态（如应征入伍、升学），须说明依据；status 为空表示撤销认定、恢复推算状态。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def override_status(graduate_id: Id, body: OverrideRequest, principal: UnionSide, session: SessionDep) -> StatusOut:
    service.set_override(
        session,
        principal=principal,
        graduate_id=graduate_id,
        status=body.status.value if body.status else None,
        reason=body.reason,
    )
    return graduate_status(graduate_id, principal, session)


@router.post(
    "/graduates/{graduate_id}/events",
    response_model=EventOut,
    status_code=201,
    summary="登记事件",
    description="登记入学、培训、实习、求职（含参加招聘会）、洽谈、签约、就业事件；就业事件可注明去向。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_event(graduate_id: Id, body: EventCreate, principal: UnionSide, session: SessionDep) -> EventOut:
    row = service.record_event(
        session,
        principal=principal,
        graduate_id=graduate_id,
        kind=body.kind.value,
        occurred_on=body.occurred_on,
        ended_on=body.ended_on,
        title=body.title,
        organisation=body.organisation,
        job_fair=body.job_fair,
        destination=body.destination.value if body.destination else None,
        note=body.note,
    )
    return EventOut.model_validate(row)


@router.get(
    "/graduates/{graduate_id}/events",
    response_model=list[EventOut],
    summary="事件列表",
    description="毕业生的入学、培训、实习、求职、洽谈、签约、就业事件。",
    responses=responses(Forbidden, NotFound),
)
def list_events(graduate_id: Id, principal: GraduateOrUnion, session: SessionDep) -> list[EventOut]:
    graduate = service.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    return [EventOut.model_validate(e) for e in service.list_events(session, graduate_id=graduate.id)]


@router.post(
    "/graduates/{graduate_id}/services",
    response_model=ServiceOut,
    status_code=201,
    summary="登记服务",
    description="登记政策宣介、职业指导、岗位推荐、培训或见习机会、面试辅导、创业指导、组织参加招聘会等服务。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_service(graduate_id: Id, body: ServiceCreate, principal: UnionSide, session: SessionDep) -> ServiceOut:
    row = service.record_service(
        session,
        principal=principal,
        graduate_id=graduate_id,
        kind=body.kind.value,
        delivered_on=body.delivered_on,
        note=body.note,
    )
    return ServiceOut.model_validate(row)


@router.get(
    "/graduates/{graduate_id}/services",
    response_model=list[ServiceOut],
    summary="服务记录",
    description="毕业生接受的全部服务。",
    responses=responses(Forbidden, NotFound),
)
def list_services(graduate_id: Id, principal: GraduateOrUnion, session: SessionDep) -> list[ServiceOut]:
    graduate = service.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    return [ServiceOut.model_validate(s) for s in service.list_services(session, graduate_id=graduate.id)]


@router.post(
    "/graduates/{graduate_id}/contacts",
    response_model=ContactOut,
    status_code=201,
    summary="登记联系回访",
    description="登记电话、走访、短信微信或座谈联系的结果，并约定下次联系日期；到期未联系会提醒责任指导员。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_contact(graduate_id: Id, body: ContactCreate, principal: UnionSide, session: SessionDep) -> ContactOut:
    row = service.record_contact(
        session,
        principal=principal,
        graduate_id=graduate_id,
        channel=body.channel.value,
        outcome=body.outcome.value,
        summary=body.summary,
        contacted_at=body.contacted_at,
        next_due_on=body.next_due_on,
    )
    return ContactOut.model_validate(row)


@router.get(
    "/graduates/{graduate_id}/contacts",
    response_model=list[ContactOut],
    summary="联系回访记录",
    description="毕业生的全部联系回访记录（含指导员的记录内容）。",
    responses=responses(Forbidden, NotFound),
)
def list_contacts(graduate_id: Id, principal: UnionSide, session: SessionDep) -> list[ContactOut]:
    graduate = service.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    return [ContactOut.model_validate(c) for c in service.list_contacts(session, graduate_id=graduate.id)]


@router.put(
    "/graduates/{graduate_id}/counselor",
    response_model=AssignmentOut,
    summary="指定责任指导员",
    description="县区总工会为毕业生指定责任指导员；指导员可以把毕业生分配给自己。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def assign_counselor(graduate_id: Id, body: AssignmentIn, principal: UnionSide, session: SessionDep) -> AssignmentOut:
    row = service.assign_counselor(
        session, principal=principal, graduate_id=graduate_id, counselor_id=body.counselor_id
    )
    return AssignmentOut.model_validate(row)


# ---- standard, gaps, overdue, workbench ------------------------------------------------------------------


def _standard_out(std: service.Standard) -> StandardOut:
    return StandardOut(
        code=std.code,
        name=std.name,
        requirements=[
            RequirementOut(key=r.key, label=r.label, kinds=list(r.kinds), minimum=r.minimum) for r in std.requirements
        ],
        applies_to=sorted(std.applies_to),
    )


@router.get(
    "/service-standard",
    response_model=StandardOut,
    summary="服务标准",
    description="当前执行的服务标准（默认“1131”：1次政策宣介、1次职业指导、3个岗位推荐、1次培训或见习机会）。",
    responses=responses(Forbidden),
)
def get_standard(_principal: UnionSide, session: SessionDep) -> StandardOut:
    return _standard_out(service.active_standard(session))


@router.put(
    "/service-standard",
    response_model=StandardOut,
    summary="调整服务标准",
    description="市总帮扶中心和管理员调整服务标准的要求和适用的就业状态。",
    responses=responses(Forbidden, ValidationFailed),
)
def put_standard(body: StandardIn, principal: CityStaff, session: SessionDep) -> StandardOut:
    std = service.set_standard(
        session,
        principal=principal,
        code=body.code,
        name=body.name,
        requirements=[
            service.Requirement(r.key, r.label, tuple(k.value for k in r.kinds), r.minimum) for r in body.requirements
        ],
        applies_to=[s.value for s in body.applies_to],
    )
    return _standard_out(std)


def _gap_out(g: service.Gap) -> GapOut:
    return GapOut(
        graduate_id=g.graduate_id,
        name=g.name,
        org_unit_id=g.org_unit_id,
        county_id=g.county_id,
        county_name=g.county_name,
        counselor_id=g.counselor_id,
        counselor_name=g.counselor_name,
        status=g.status,
        counts=g.counts,
        missing=g.missing,
    )


@router.get(
    "/service-gaps",
    response_model=GapReport,
    summary="服务标准差距清单",
    description="未就业毕业生中未达到服务标准（默认1131）的名单，按县区和责任指导员汇总，列出每人缺少的服务。",
    responses=responses(Forbidden),
)
def service_gaps(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    as_of: Annotated[date | None, Query(description="统计截止日期，默认今天")] = None,
    counselor_id: OptionalId = None,
    county_id: OptionalId = None,
) -> GapReport:
    scope = graduate_scope(session, principal=principal)
    day = as_of or service.local_today()
    gaps = service.service_gaps(session, scope=scope, as_of=day, counselor_id=counselor_id, county_id=county_id)
    groups = service.group_gaps(gaps)
    return GapReport(
        standard=_standard_out(service.active_standard(session)),
        as_of=day,
        groups=[
            GapGroupOut(
                county_id=g.county_id,
                county_name=g.county_name,
                counselor_id=g.counselor_id,
                counselor_name=g.counselor_name,
                graduates=g.graduates,
                missing=g.missing,
            )
            for g in groups
        ],
        items=[_gap_out(g) for g in gaps[page.offset : page.offset + page.limit]],
        total=len(gaps),
    )


def _overdue_out(o: service.Overdue) -> OverdueOut:
    return OverdueOut(
        graduate_id=o.graduate_id,
        name=o.name,
        org_unit_id=o.org_unit_id,
        due_on=o.due_on,
        days_overdue=o.days_overdue,
        counselor_id=o.counselor_id,
        counselor_name=o.counselor_name,
        last_contact_id=o.last_contact_id,
        last_channel=o.last_channel,
        last_outcome=o.last_outcome,
        last_contacted_at=o.last_contacted_at,
    )


@router.get(
    "/contacts/overdue",
    response_model=list[OverdueOut],
    summary="逾期未回访清单",
    description="约定的下次联系日期已过仍未联系的毕业生。指导员默认看到本人负责的；工会可按指导员筛选。",
    responses=responses(Forbidden),
)
def overdue(
    principal: UnionSide,
    session: SessionDep,
    counselor_id: Annotated[int | None, Query(ge=1, le=DB_ID_MAX, description="责任指导员")] = None,
) -> list[OverdueOut]:
    scope = graduate_scope(session, principal=principal)
    if principal.role == "counselor" and counselor_id is None:
        counselor_id = principal.user_id
    rows = service.overdue_contacts(session, scope=scope, counselor_id=counselor_id)
    return [_overdue_out(o) for o in rows]


@router.get(
    "/workbench",
    response_model=WorkbenchOut,
    summary="指导员工作台",
    description="帮扶对象及其就业状态、逾期未回访、服务标准差距和新匹配的岗位。mine=true 时只看本人负责的毕业生。"
    "三个名单按同一 limit/offset 分页，各附总数（caseload_total、overdue_total、gaps_total）。",
    responses=responses(Forbidden),
)
def workbench(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    mine: Annotated[bool, Query(description="只看本人负责的毕业生")] = False,
) -> WorkbenchOut:
    wb = service.workbench(session, principal=principal, mine_only=mine, limit=page.limit, offset=page.offset)
    return WorkbenchOut(
        caseload=[
            CaseOut(
                graduate_id=c.graduate_id,
                name=c.name,
                org_unit_id=c.org_unit_id,
                status=c.status,
                status_name=pipeline.STATUS_NAMES.get(c.status, c.status),
                counselor_id=c.counselor_id,
                handed_in=c.handed_in,
                handed_out=c.handed_out,
                last_contact_at=c.last_contact_at,
                next_due_on=c.next_due_on,
                open_applications=c.open_applications,
            )
            for c in wb.caseload
        ],
        caseload_total=wb.caseload_total,
        limit=page.limit,
        offset=page.offset,
        overdue=[_overdue_out(o) for o in wb.overdue],
        overdue_total=wb.overdue_total,
        gaps=[_gap_out(g) for g in wb.gaps],
        gaps_total=wb.gaps_total,
        fresh_matches=[
            FreshMatchOut(
                graduate_id=m.graduate_id,
                graduate_name=m.graduate_name,
                position_id=m.position_id,
                position_title=m.position_title,
                score=m.score,
                reasons=m.reasons,
                computed_at=m.computed_at,
            )
            for m in service.fresh_matches(
                session,
                caseload=wb.caseload,
                stored=matches.stored_matches(session, graduate_ids=[c.graduate_id for c in wb.caseload]),
            )
        ],
    )


# ---- handoffs --------------------------------------------------------------------------------------------


@router.post(
    "/handoffs",
    response_model=HandoffOut,
    status_code=201,
    summary="发起异地求职转介",
    description="生源地工会把有异地求职意向的毕业生转介给意向工作地工会，待对方接收。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_handoff(body: HandoffCreate, principal: UnionSide, session: SessionDep) -> HandoffOut:
    row = service.request_handoff(
        session,
        principal=principal,
        graduate_id=body.graduate_id,
        to_org_unit_id=body.to_org_unit_id,
        reason=body.reason,
        intended_place=body.intended_place,
    )
    return HandoffOut.model_validate(row)


@router.get(
    "/handoffs",
    response_model=Page[HandoffOut],
    summary="异地转介列表",
    description="本会发出和收到的异地求职转介。",
    responses=responses(Forbidden),
)
def list_handoffs(
    principal: UnionSide,
    session: SessionDep,
    page: PageDep,
    state: Annotated[str | None, Query(description="pending / accepted / declined / ended")] = None,
) -> Page[HandoffOut]:
    rows, total = service.list_handoffs(session, principal=principal, state=state, limit=page.limit, offset=page.offset)
    return Page[HandoffOut](
        items=[HandoffOut.model_validate(r) for r in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.get(
    "/handoffs/{handoff_id}",
    response_model=HandoffOut,
    summary="异地转介详情",
    description="一条异地求职转介。",
    responses=responses(Forbidden, NotFound),
)
def get_handoff(handoff_id: Id, principal: UnionSide, session: SessionDep) -> HandoffOut:
    return HandoffOut.model_validate(service.get_handoff(session, principal=principal, handoff_id=handoff_id))


@router.post(
    "/handoffs/{handoff_id}/decision",
    response_model=HandoffOut,
    summary="接收或拒绝转介",
    description="接收地工会接收（此后由本会指导员服务该毕业生，生源地工会保留查看权限）或拒绝（须说明原因）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def decide_handoff(handoff_id: Id, body: HandoffDecision, principal: UnionSide, session: SessionDep) -> HandoffOut:
    row = service.decide_handoff(
        session, principal=principal, handoff_id=handoff_id, accept=body.accept, note=body.note
    )
    return HandoffOut.model_validate(row)


@router.post(
    "/handoffs/{handoff_id}/end",
    response_model=HandoffOut,
    summary="结束转介",
    description="任一方结束转介（毕业生返回生源地或撤回申请），服务权限回到生源地工会。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def end_handoff(handoff_id: Id, body: HandoffEnd, principal: UnionSide, session: SessionDep) -> HandoffOut:
    return HandoffOut.model_validate(
        service.end_handoff(session, principal=principal, handoff_id=handoff_id, note=body.note)
    )


# ---- recommendations from a match ------------------------------------------------------------------------


@recommendations_router.post(
    "/graduates/{graduate_id}/recommendations",
    response_model=RecommendationOut,
    status_code=201,
    summary="把匹配岗位推荐给毕业生",
    description=(
        "就业指导员或工会把匹配结果中的岗位推荐给管辖范围内的毕业生：在全流程跟踪中建立“已推荐”的求职记录，"
        "并自动记一次“岗位推荐”服务（计入1131标准）。岗位不符合该毕业生的任一硬性条件（学历、年龄、专业、户籍、"
        "截止、名额、用人单位未认证等）时拒绝推荐并列出不符的条件；同一岗位不能重复推荐。"
    ),
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def recommend(
    graduate_id: int, body: RecommendationCreate, principal: UnionSide, session: SessionDep
) -> RecommendationOut:
    rec = flows.recommend(
        session, principal=principal, graduate_id=graduate_id, position_id=body.position_id, note=body.note
    )
    return RecommendationOut(
        application_id=rec.application_id,
        graduate_id=rec.graduate_id,
        position_id=rec.position_id,
        state=rec.state,
        score=rec.score,
        reasons=rec.reasons,
        checks=[RuleCheckOut(code=c.code, passed=c.passed, text=c.text) for c in rec.checks],
        catalog_version=rec.catalog_version,
        recommended_at=rec.recommended_at,
    )
