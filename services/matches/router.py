"""HTTP: ranked positions for a graduate and ranked candidates for a position (recommendations are tracking's)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.db import SessionDep
from services.errors import Forbidden, NotFound, ValidationFailed, responses
from services.matches import service
from services.matches.schemas import (
    CandidateListOut,
    EnterpriseCandidateListOut,
    MatchListOut,
)
from services.pagination import PageDep
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["岗位匹配"])

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
) -> MatchListOut:
    result = service.graduate_matches(
        session,
        principal=principal,
        graduate_id=graduate_id,
        kinds=kind or (),
        places=place or (),
        limit=page.limit,
        offset=page.offset,
    )
    return MatchListOut.model_validate(result, from_attributes=True)


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
