from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.db import SessionDep
from services.errors import NotFound, responses
from services.pagination import PageDep
from services.refdata import service
from services.refdata.schemas import (
    CatalogCountOut,
    DivisionOut,
    IndustryOut,
    MajorDetailOut,
    MajorHitOut,
    OccupationOut,
)
from services.security.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/refdata", tags=["参考目录"])


@router.get(
    "/majors",
    response_model=list[MajorHitOut],
    summary="查询专业",
    description="按专业代码（含2026年调整前的旧代码、专业类或门类代码前缀）、专业全称、常用简称（计科、软工、会计……）"
    "或近似名称查询本科（2026年目录）和职业教育（2021年目录）专业。",
)
def search_majors(
    _principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=50, description="代码或名称", examples=["计科"])],
    level: Annotated[str | None, Query(description="本科 / 职业本科 / 高职专科 / 中职")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[MajorHitOut]:
    hits = service.search_majors(session, query=q, level=level, limit=limit)
    return [
        MajorHitOut(
            code=h.major.code,
            name=h.major.name,
            level=h.major.level,
            class_code=h.major.class_code,
            class_name=h.major.class_name,
            discipline_code=h.major.discipline_code,
            discipline_name=h.major.discipline_name,
            match=h.match,
            score=h.score,
        )
        for h in hits
    ]


@router.get(
    "/majors/{code}",
    response_model=MajorDetailOut,
    summary="专业详情",
    description="专业的门类、专业类；职业教育专业另有官方专业简介中的职业面向及对应职业。旧代码自动对应新代码。",
    responses=responses(NotFound),
)
def get_major(code: str, _principal: CurrentPrincipal, session: SessionDep) -> MajorDetailOut:
    major = service.get_major(session, code=code)
    profile, occupations = service.major_profile(session, code=major.code)
    out = MajorDetailOut.model_validate(major)
    out.occupations = [OccupationOut.model_validate(o) for o in occupations]
    if profile is not None:
        out.career_orientation = profile.career_orientation
        out.duration = profile.duration
        out.certificates = profile.certificates
    return out


@router.get(
    "/divisions",
    response_model=list[DivisionOut],
    summary="行政区划",
    description="不带参数列出省级区划；parent 列出下级；q 按名称或代码前缀查询。含中心点经纬度。",
)
def list_divisions(
    _principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    parent: Annotated[str | None, Query(max_length=6, examples=["341600"])] = None,
    q: Annotated[str | None, Query(max_length=30, examples=["蒙城"])] = None,
) -> list[DivisionOut]:
    rows = service.list_divisions(session, parent=parent, query=q, limit=page.limit, offset=page.offset)
    return [DivisionOut.model_validate(r) for r in rows]


@router.get(
    "/industries",
    response_model=list[IndustryOut],
    summary="国民经济行业分类",
    description="GB/T 4754-2017。不带参数列出门类；parent 列出下级；q 按名称或代码前缀查询。",
)
def list_industries(
    _principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    parent: Annotated[str | None, Query(max_length=8, examples=["I"])] = None,
    q: Annotated[str | None, Query(max_length=30, examples=["软件"])] = None,
) -> list[IndustryOut]:
    rows = service.list_industries(session, parent=parent, query=q, limit=page.limit, offset=page.offset)
    return [IndustryOut.model_validate(r) for r in rows]


@router.get(
    "/occupations",
    response_model=list[OccupationOut],
    summary="职业分类大典",
    description="《中华人民共和国职业分类大典（2022年版）》，按名称、常用岗位名称或代码前缀查询。",
)
def list_occupations(
    _principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=30, examples=["程序设计"])] = None,
) -> list[OccupationOut]:
    rows = service.list_occupations(session, query=q, limit=page.limit, offset=page.offset)
    return [OccupationOut.model_validate(r) for r in rows]


@router.get(
    "/counts",
    response_model=list[CatalogCountOut],
    summary="参考目录条数",
    description="各参考目录已载入的条数（由 sunshine refdata load 载入）。",
)
def catalog_counts(_principal: CurrentPrincipal, session: SessionDep) -> list[CatalogCountOut]:
    return [CatalogCountOut(catalog=k, rows=v) for k, v in service.counts(session).items()]
