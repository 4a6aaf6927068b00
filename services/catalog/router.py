from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from services.catalog import service
from services.catalog.models import (
    Education,
    Employer,
    JobFair,
    Position,
    PositionKind,
    PositionSource,
    PositionStatus,
    ProgramRuleSet,
)
from services.catalog.program_rules import RuleSummary
from services.catalog.schemas import (
    CatalogVersionOut,
    DuplicateOut,
    EmployerCreate,
    EmployerOut,
    EmployerReview,
    EmployerStaffCreate,
    EmployerUpdate,
    EnterpriseSignUp,
    EntrepreneurshipDetails,
    FairPositions,
    GrassrootsDetails,
    InternshipDetails,
    JobFairCreate,
    JobFairDetailOut,
    JobFairOut,
    JobFairUpdate,
    PositionCreate,
    PositionOut,
    PositionUpdate,
    RuleSetCreate,
    RuleSetOut,
    RuleSummaryOut,
    WorkStudyDetails,
)
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security.dependencies import CurrentPrincipal, require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["单位与岗位"])
StaffPrincipal = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
EnterprisePrincipal = Annotated[Principal, Depends(require_roles("enterprise"))]
ManagerPrincipal = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin", "enterprise"))]
RuleEditor = Annotated[Principal, Depends(require_roles("union_city", "admin"))]


def employer_out(session: Session, employer: Employer) -> EmployerOut:
    out = EmployerOut.model_validate(employer)
    labels = service.employer_labels(session, employer=employer)
    out.industry_name, out.ownership_name, out.division_name = (
        labels["industry_name"],
        labels["ownership_name"],
        labels["division_name"],
    )
    out.possible_duplicates = [DuplicateOut.model_validate(d) for d in employer.possible_duplicates or []]
    return out


def positions_out(
    session: Session,
    positions: list[Position],
    *,
    employers: dict[int, tuple[str, bool]] | None = None,
    rules: dict[int, RuleSummary] | None = None,
) -> list[PositionOut]:
    """The answer for ``positions``; ``employers`` (name, verified) and ``rules``: by id, when the caller read
    them already (:class:`services.catalog.positions.PositionPage`)."""
    if employers is None:
        employers = service.employer_names(session, employer_ids=[p.employer_id for p in positions])
    if rules is None:
        rule_ids = {p.rule_set_id for p in positions if p.rule_set_id is not None}
        rules = service.rule_summaries(session, rule_set_ids=rule_ids)
    out = []
    for p in positions:
        name, verified = employers.get(p.employer_id, ("", True)) if p.employer_id is not None else ("", True)
        rule = rules.get(p.rule_set_id) if p.rule_set_id is not None else None
        out.append(
            PositionOut(
                id=p.id,
                kind=PositionKind(p.kind),
                title=p.title,
                description=p.description,
                employer_id=p.employer_id,
                employer_name=name,
                employer_verified=verified,
                org_unit_id=p.org_unit_id,
                majors=p.majors,
                major_classes=p.major_classes,
                disciplines=p.disciplines,
                majors_text=p.majors_text,
                min_education=Education(p.min_education),
                places=p.places,
                remote=p.remote,
                pay_min=p.pay_min,
                pay_max=p.pay_max,
                headcount=p.headcount,
                filled=p.filled,
                opens_on=p.opens_on,
                deadline=p.deadline,
                hardship_priority=p.hardship_priority,
                source=PositionSource(p.source),
                status=PositionStatus(p.status),
                closed_reason=p.closed_reason,
                occupations=p.occupations,
                occupation_state=p.occupation_state or "",
                occupation_confidence=p.occupation_confidence,
                internship=InternshipDetails.model_validate(p) if p.kind == PositionKind.INTERNSHIP else None,
                work_study=WorkStudyDetails.model_validate(p) if p.kind == PositionKind.WORK_STUDY else None,
                grassroots=GrassrootsDetails.model_validate(p) if p.kind == PositionKind.GRASSROOTS else None,
                entrepreneurship=(
                    EntrepreneurshipDetails.model_validate(p) if p.kind == PositionKind.ENTREPRENEURSHIP else None
                ),
                rule_set=(
                    RuleSummaryOut(
                        id=rule.id,
                        program_name=rule.program_name,
                        year=rule.year,
                        province_code=rule.province_code,
                        version=rule.version,
                    )
                    if rule is not None
                    else None
                ),
                created_at=p.created_at,
                updated_at=p.updated_at,
            )
        )
    return out


def rule_out(rule: ProgramRuleSet, current: bool) -> RuleSetOut:
    out = RuleSetOut.model_validate(rule)
    out.current = current
    return out


def fair_out(session: Session, fairs: list[JobFair]) -> list[JobFairOut]:
    ids = service.fair_position_ids(session, job_fair_ids=[f.id for f in fairs])
    out = []
    for fair in fairs:
        item = JobFairOut.model_validate(fair)
        item.position_ids = ids[fair.id]
        out.append(item)
    return out


# ------------------------------------------------------------------------------------------------ employers


@router.post(
    "/employers/register",
    response_model=EmployerOut,
    status_code=201,
    summary="企业自助登记",
    description="企业账号登记本单位（统一社会信用代码校验），登记后待工会认证；认证前岗位不参与匹配。"
    "名称与已登记单位相近时在 possible_duplicates 中提示。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def register_employer(body: EmployerCreate, principal: EnterprisePrincipal, session: SessionDep) -> EmployerOut:
    return employer_out(session, service.register_employer(session, principal=principal, data=body))


@router.post(
    "/employers/signup",
    response_model=EmployerOut,
    status_code=201,
    summary="企业自助注册",
    description="不需登录：新建企业账号并登记本单位（统一社会信用代码校验），登记后待工会认证；"
    "认证前可保存岗位草稿，不能发布。",
    responses=responses(Conflict, ValidationFailed),
)
def sign_up(body: EnterpriseSignUp, session: SessionDep) -> EmployerOut:
    _user, employer = service.sign_up(
        session, username=body.username, password=body.password, display_name=body.display_name, data=body.employer
    )
    return employer_out(session, employer)


@router.post(
    "/employers",
    response_model=EmployerOut,
    status_code=201,
    summary="工会代为登记单位",
    description="工会工作人员在管辖范围内登记合作单位、招聘会参展单位等，登记即为已认证。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def create_employer(body: EmployerStaffCreate, principal: StaffPrincipal, session: SessionDep) -> EmployerOut:
    employer = service.create_employer(
        session,
        principal=principal,
        data=EmployerCreate.model_validate(body.model_dump(exclude={"org_unit_id"})),
        org_unit_id=body.org_unit_id,
    )
    return employer_out(session, employer)


@router.get(
    "/employers",
    response_model=Page[EmployerOut],
    summary="单位列表",
    description="工会看到管辖范围内的单位（可按认证状态筛选待认证单位）；企业只看到本单位。",
    responses=responses(Forbidden),
)
def list_employers(
    principal: ManagerPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern=r"^(pending|verified|rejected)$", examples=["pending"])] = None,
    q: Annotated[str | None, Query(max_length=50, description="名称或信用代码")] = None,
) -> Page[EmployerOut]:
    rows, total = service.list_employers(
        session, principal=principal, status=status, query=q, limit=page.limit, offset=page.offset
    )
    return Page[EmployerOut](
        items=[employer_out(session, e) for e in rows], limit=page.limit, offset=page.offset, total=total
    )


@router.get(
    "/employers/{employer_id}",
    response_model=EmployerOut,
    summary="单位详情",
    description="联系电话脱敏显示；工会可通过 /api/v1/reveal（target_type=employer, field=contact_phone）"
    "说明用途后查看。",
    responses=responses(Forbidden, NotFound),
)
def get_employer(employer_id: int, principal: ManagerPrincipal, session: SessionDep) -> EmployerOut:
    return employer_out(session, service.get_employer(session, principal=principal, employer_id=employer_id))


@router.patch(
    "/employers/{employer_id}",
    response_model=EmployerOut,
    summary="修改单位信息",
    description="企业修改本单位、工会修改管辖范围内的单位。企业变更名称、信用代码或所在地后须重新认证。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def update_employer(
    employer_id: int, body: EmployerUpdate, principal: ManagerPrincipal, session: SessionDep
) -> EmployerOut:
    employer = service.update_employer(session, principal=principal, employer_id=employer_id, data=body)
    return employer_out(session, employer)


@router.post(
    "/employers/{employer_id}/review",
    response_model=EmployerOut,
    summary="认证单位",
    description="工会核对营业执照等材料后认证通过或不予认证（须说明理由）。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def review_employer(
    employer_id: int, body: EmployerReview, principal: StaffPrincipal, session: SessionDep
) -> EmployerOut:
    employer = service.review_employer(
        session, principal=principal, employer_id=employer_id, approve=body.approve, note=body.note
    )
    return employer_out(session, employer)


# ------------------------------------------------------------------------------------------------ positions


@router.post(
    "/positions",
    response_model=PositionOut,
    status_code=201,
    summary="发布岗位",
    description="五类岗位：job 就业岗位、internship 实习见习、work_study 勤工俭学、grassroots 基层服务项目、"
    "entrepreneurship 创业扶持。企业只能为本单位发布；工会可为管辖范围内的单位或本级项目发布。"
    "专业要求可填代码，也可在 majors_text 中用文字填写（如“计科、软工、会计”），系统识别为专业代码。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_position(body: PositionCreate, principal: ManagerPrincipal, session: SessionDep) -> PositionOut:
    return positions_out(session, [service.create_position(session, principal=principal, data=body)])[0]


@router.get(
    "/positions",
    response_model=Page[PositionOut],
    summary="岗位列表",
    description="所有人可看已发布且单位已认证的岗位；企业另可看本单位全部岗位，工会另可看管辖范围内全部岗位"
    "（mine=true 只看可管理的）。",
    responses=responses(Forbidden),
)
def list_positions(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[PositionKind | None, Query()] = None,
    status: Annotated[PositionStatus | None, Query()] = None,
    employer_id: Annotated[int | None, Query()] = None,
    program: Annotated[str | None, Query(max_length=24, examples=["sanzhi_yifu"])] = None,
    q: Annotated[str | None, Query(max_length=50, description="岗位或单位名称")] = None,
    mine: Annotated[bool, Query(description="只看本人可管理的岗位")] = False,
) -> Page[PositionOut]:
    found = service.list_positions(
        session,
        principal=principal,
        kind=kind,
        status=status,
        employer_id=employer_id,
        program=program,
        query=q,
        managed_only=mine,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[PositionOut](
        items=positions_out(session, found.rows, employers=found.employers, rules=found.rule_sets),
        limit=page.limit,
        offset=page.offset,
        total=found.total,
        total_is_estimate=found.estimated,
    )


@router.get(
    "/positions/{position_id}",
    response_model=PositionOut,
    summary="岗位详情",
    description="已发布且单位已认证的岗位所有人可看；草稿和未认证单位的岗位只有管理者可看。",
    responses=responses(NotFound),
)
def get_position(position_id: int, principal: CurrentPrincipal, session: SessionDep) -> PositionOut:
    return positions_out(session, [service.get_position(session, principal=principal, position_id=position_id)])[0]


@router.patch(
    "/positions/{position_id}",
    response_model=PositionOut,
    summary="修改岗位",
    description="修改招聘人数、已招人数或截止日期后，岗位状态随之变化（招满、截止或重新开放）。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def update_position(
    position_id: int, body: PositionUpdate, principal: ManagerPrincipal, session: SessionDep
) -> PositionOut:
    position = service.update_position(session, principal=principal, position_id=position_id, data=body)
    return positions_out(session, [position])[0]


@router.post(
    "/positions/{position_id}/publish",
    response_model=PositionOut,
    summary="发布或重新开放岗位",
    description="草稿或已关闭的岗位开始招聘；截止日期已过或名额已满时不能发布。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def publish_position(position_id: int, principal: ManagerPrincipal, session: SessionDep) -> PositionOut:
    position = service.publish_position(session, principal=principal, position_id=position_id)
    return positions_out(session, [position])[0]


@router.post(
    "/positions/{position_id}/close",
    response_model=PositionOut,
    summary="关闭岗位",
    description="停止招聘；关闭后不再参与匹配，可重新发布。",
    responses=responses(Forbidden, NotFound),
)
def close_position(position_id: int, principal: ManagerPrincipal, session: SessionDep) -> PositionOut:
    position = service.close_position(session, principal=principal, position_id=position_id)
    return positions_out(session, [position])[0]


# --------------------------------------------------------------------------------------------- program rules


@router.get(
    "/program-rules",
    response_model=list[RuleSetOut],
    summary="基层服务项目资格规则",
    description="特岗计划、三支一扶、西部计划、城乡社区、乡村医生等项目按年度、省份的资格规则及其历次版本。"
    "规则为参考，以当年省级招募公告为准。",
)
def list_rule_sets(
    _principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    program: Annotated[str | None, Query(max_length=24, examples=["tegang"])] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    province_code: Annotated[str | None, Query(pattern=r"^\d{6}$", examples=["340000"])] = None,
    current: Annotated[bool, Query(description="只看现行版本")] = False,
) -> list[RuleSetOut]:
    rows = service.list_rule_sets(
        session,
        program=program,
        year=year,
        province_code=province_code,
        current_only=current,
        limit=page.limit,
        offset=page.offset,
    )
    return [rule_out(r, c) for r, c in rows]


@router.get(
    "/program-rules/{rule_set_id}",
    response_model=RuleSetOut,
    summary="资格规则详情",
    description="一套规则的全部条件及是否为现行版本。",
    responses=responses(NotFound),
)
def get_rule_set(rule_set_id: int, _principal: CurrentPrincipal, session: SessionDep) -> RuleSetOut:
    rule = service.get_rule_set(session, rule_set_id=rule_set_id)
    return rule_out(rule, service.is_current(session, rule))


@router.post(
    "/program-rules",
    response_model=RuleSetOut,
    status_code=201,
    summary="发布资格规则",
    description="按当年省级公告发布规则；同一项目、年度、省份再次发布即生成新版本并取代旧版本，"
    "引用旧版本的岗位随之改用新版本。",
    responses=responses(Forbidden, ValidationFailed),
)
def create_rule_set(body: RuleSetCreate, principal: RuleEditor, session: SessionDep) -> RuleSetOut:
    return rule_out(service.create_rule_set(session, principal=principal, data=body), True)


# ------------------------------------------------------------------------------------------------ job fairs


@router.get(
    "/job-fairs",
    response_model=list[JobFairOut],
    summary="招聘会列表",
    description="线上、线下招聘会，按开始时间倒序；from 只看该日及以后的。",
)
def list_job_fairs(
    _principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    from_: Annotated[date | None, Query(alias="from", examples=["2024-06-01"])] = None,
) -> list[JobFairOut]:
    fairs = service.list_job_fairs(session, upcoming_from=from_, limit=page.limit, offset=page.offset)
    return fair_out(session, fairs)


@router.post(
    "/job-fairs",
    response_model=JobFairOut,
    status_code=201,
    summary="发布招聘会",
    description="工会在管辖范围内发布线上或线下招聘会。",
    responses=responses(Forbidden, ValidationFailed),
)
def create_job_fair(body: JobFairCreate, principal: StaffPrincipal, session: SessionDep) -> JobFairOut:
    return fair_out(session, [service.create_job_fair(session, principal=principal, data=body)])[0]


@router.get(
    "/job-fairs/{job_fair_id}",
    response_model=JobFairDetailOut,
    summary="招聘会详情",
    description="招聘会信息及在会上提供的岗位（只列出本人可看的岗位）。",
    responses=responses(NotFound),
)
def get_job_fair(job_fair_id: int, principal: CurrentPrincipal, session: SessionDep) -> JobFairDetailOut:
    fair = service.get_job_fair(session, job_fair_id=job_fair_id)
    base = fair_out(session, [fair])[0]
    positions = service.fair_positions(session, principal=principal, job_fair_id=fair.id)
    return JobFairDetailOut(**base.model_dump(), positions=positions_out(session, positions))


@router.patch(
    "/job-fairs/{job_fair_id}",
    response_model=JobFairOut,
    summary="修改招聘会",
    description="主办工会（或其上级）修改招聘会信息。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def update_job_fair(
    job_fair_id: int, body: JobFairUpdate, principal: StaffPrincipal, session: SessionDep
) -> JobFairOut:
    fair = service.update_job_fair(session, principal=principal, job_fair_id=job_fair_id, data=body)
    return fair_out(session, [fair])[0]


@router.post(
    "/job-fairs/{job_fair_id}/positions",
    response_model=JobFairOut,
    summary="招聘会添加岗位",
    description="把管辖范围内的岗位列入招聘会。",
    responses=responses(Forbidden, NotFound),
)
def add_fair_positions(
    job_fair_id: int, body: FairPositions, principal: StaffPrincipal, session: SessionDep
) -> JobFairOut:
    fair = service.add_fair_positions(
        session, principal=principal, job_fair_id=job_fair_id, position_ids=body.position_ids
    )
    return fair_out(session, [fair])[0]


@router.delete(
    "/job-fairs/{job_fair_id}/positions/{position_id}",
    status_code=204,
    summary="招聘会移除岗位",
    description="把岗位从招聘会中移除（岗位本身不受影响）。",
    responses=responses(Forbidden, NotFound),
)
def remove_fair_position(job_fair_id: int, position_id: int, principal: StaffPrincipal, session: SessionDep) -> None:
    service.remove_fair_position(session, principal=principal, job_fair_id=job_fair_id, position_id=position_id)


@router.get(
    "/catalog/version",
    response_model=CatalogVersionOut,
    summary="岗位目录版本号",
    description="单位、岗位、规则或招聘会每有变动，版本号加一；匹配索引据此判断是否需要重建。",
)
def catalog_version(_principal: CurrentPrincipal, session: SessionDep) -> CatalogVersionOut:
    return CatalogVersionOut(version=service.current_version(session))
