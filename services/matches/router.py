"""HTTP: ranked positions for a graduate and ranked candidates for a position (recommendations are tracking's)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import TypeAdapter

from services.db import SessionDep
from services.errors import Forbidden, NotFound, ValidationFailed, responses
from services.matches import certificates, occupations, service
from services.matches.schemas import (
    CandidateListOut,
    CertificateIn,
    CertificateListOut,
    CertificateOut,
    EnterpriseCandidateListOut,
    MatchListOut,
    OccupationSuggestionOut,
    OccupationSuggestionsOut,
)
from services.pagination import PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["岗位匹配"])

#: the page written straight from the service's dataclasses: the same JSON as ``MatchListOut`` (the documented
#: body; a test holds the two equal) without validating a page the service has just built
_MATCH_PAGE_JSON = TypeAdapter(service.MatchPage)

KindParam = Literal["job", "internship", "work_study", "grassroots", "entrepreneurship"]
GraduateOrUnion = Annotated[
    Principal, Depends(require_roles("graduate", "counselor", "union_county", "union_city", "admin"))
]
EnterpriseOrUnion = Annotated[
    Principal, Depends(require_roles("enterprise", "counselor", "union_county", "union_city", "admin"))
]
UnionSide = Annotated[Principal, Depends(require_roles("counselor", "union_county", "union_city", "admin"))]


@router.get(
    "/graduates/{graduate_id}/matches",
    response_model=MatchListOut,
    summary="毕业生的匹配岗位",
    description=(
        "按匹配得分从高到低列出毕业生可报名的在招岗位（五类岗位），每条附得分、各项特征、匹配理由和硬性条件核对。"
        "学历、年龄、毕业年份、专业限制、户籍、截止日期、名额等硬性条件不符的岗位不会出现。"
        "可按岗位类型（kind，可多选）和地点（place，6位行政区划代码，可多选）筛选；最多翻看前200条。"
        "毕业生本人查看自己的；就业指导员和工会查看管辖范围内（含异地转入）的毕业生。"
    ),
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def graduate_matches(
    graduate_id: int,
    principal: GraduateOrUnion,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[list[KindParam] | None, Query(description="岗位类型，可多选")] = None,
    place: Annotated[list[str] | None, Query(description="工作地点（县/市/省的6位行政区划代码），可多选")] = None,
) -> Response:
    result = service.graduate_matches(
        session,
        principal=principal,
        graduate_id=graduate_id,
        kinds=kind or (),
        places=place or (),
        limit=page.limit,
        offset=page.offset,
    )
    return Response(_MATCH_PAGE_JSON.dump_json(result), media_type="application/json")


@router.get(
    "/positions/{position_id}/candidates",
    response_model=CandidateListOut | EnterpriseCandidateListOut,
    summary="岗位的匹配人选",
    description=(
        "按匹配得分从高到低列出适合该岗位的毕业生（硬性条件不符者不列出，已就业、升学、入伍或暂不就业者不列出）。"
        "就业指导员和工会看到管辖范围内的毕业生，附特征、理由和条件核对；"
        "发布该岗位的企业只看到本人同意向企业公开的毕业生，且只有姓名、学校、专业、届别、学历、技能、得分和理由——"
        "不含困难家庭、家庭成员、身份证号、收入和联系方式，排序也不使用困难家庭信息。"
    ),
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def position_candidates(
    position_id: int, principal: EnterpriseOrUnion, session: SessionDep, page: PageDep
) -> CandidateListOut | EnterpriseCandidateListOut:
    result = service.position_candidates(
        session, principal=principal, position_id=position_id, limit=page.limit, offset=page.offset
    )
    if result.enterprise_view:
        return EnterpriseCandidateListOut.model_validate(result, from_attributes=True)
    return CandidateListOut.model_validate(result, from_attributes=True)


@router.get(
    "/occupation-suggestions",
    response_model=OccupationSuggestionsOut,
    summary="岗位的职业分类建议",
    description=(
        "按岗位名称和描述，从《职业分类大典（2022）》的职业名称、别名、定义和主要工作任务推断最可能的职业（细类），"
        "供发布岗位时选择确认；发布时提交所选代码（occupations）即为“已确认”，不提交则按第一项建议保存为“推断”。"
    ),
    responses=responses(Forbidden, ValidationFailed),
    dependencies=[Depends(require_roles("enterprise", "counselor", "union_county", "union_city", "admin"))],
)
def occupation_suggestions(
    title: Annotated[str, Query(min_length=1, max_length=100, description="岗位名称")],
    description: Annotated[str, Query(max_length=2000, description="岗位描述")] = "",
    k: Annotated[int, Query(ge=1, le=occupations.MAX_SUGGESTIONS, description="建议条数")] = 5,
) -> OccupationSuggestionsOut:
    found = occupations.suggest(title, description, k=k)
    return OccupationSuggestionsOut(
        title=title, items=[OccupationSuggestionOut(code=s.code, name=s.name, confidence=s.confidence) for s in found]
    )


@router.get(
    "/graduates/{graduate_id}/certificates",
    response_model=CertificateListOut,
    summary="毕业生持有的证书",
    description="特岗计划、乡村医生等项目要求的证书（教师资格证、乡村医生执业证书、护士执业资格证等）；匹配时据此核对。",
    responses=responses(Forbidden, NotFound),
)
def list_certificates(graduate_id: int, principal: GraduateOrUnion, session: SessionDep) -> CertificateListOut:
    items = certificates.list_certificates(session, principal=principal, graduate_id=graduate_id)
    return CertificateListOut(
        graduate_id=graduate_id, items=[CertificateOut.model_validate(c, from_attributes=True) for c in items]
    )


@router.post(
    "/graduates/{graduate_id}/certificates",
    response_model=CertificateOut,
    status_code=201,
    summary="登记证书",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def add_certificate(
    graduate_id: int, body: CertificateIn, principal: GraduateOrUnion, session: SessionDep
) -> CertificateOut:
    view = certificates.add_certificate(
        session,
        principal=principal,
        graduate_id=graduate_id,
        kind=body.kind,
        subject=body.subject,
        level=body.level,
        number=body.number,
        issued_on=body.issued_on,
    )
    return CertificateOut.model_validate(view, from_attributes=True)


@router.delete(
    "/graduates/{graduate_id}/certificates/{certificate_id}",
    status_code=204,
    summary="删除证书",
    responses=responses(Forbidden, NotFound),
)
def remove_certificate(graduate_id: int, certificate_id: int, principal: GraduateOrUnion, session: SessionDep) -> None:
    certificates.remove_certificate(
        session, principal=principal, graduate_id=graduate_id, certificate_id=certificate_id
    )
