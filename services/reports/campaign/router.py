"""The campaign records over HTTP: 摸排 per county, the stage report and summary with 典型经验, the deadlines."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.orgs.models import OrgUnit
from services.reports import render
from services.reports import service as reports
from services.reports.campaign import deadlines, documents, narratives, surveys
from services.reports.campaign.schemas import (
    DeadlineOut,
    DeadlineUpdate,
    ExperienceIn,
    ExperienceOut,
    NarrativeCreate,
    NarrativeOut,
    ReturnIn,
    SectionsIn,
    SurveyIn,
    SurveyLineOut,
    SurveyOut,
)
from services.reports.campaign_models import NarrativeReport
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1/reports", tags=["摸排与总结"])

Staff = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
YearPath = Annotated[int, Path(ge=2000, le=2100)]
Year = Annotated[int, Query(ge=2000, le=2100, description="年度")]
Read = responses(Forbidden, NotFound, ValidationFailed)
Write = responses(Forbidden, NotFound, ValidationFailed, Conflict)


def _file(content: bytes, name: str, media: str, ascii_name: str) -> Response:
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content=content, media_type=media, headers={"Content-Disposition": disposition})


# ---- 摸排 -----------------------------------------------------------------------------------------------------


@router.get(
    "/surveys",
    response_model=list[SurveyLineOut],
    summary="各县区摸排情况",
    description="管辖范围内每个县区（含园区、市直）当年摸排的填报状态和数据；县区账号只看到本县区。",
    responses=Read,
)
def list_surveys(session: SessionDep, principal: Staff, year: Year) -> list[SurveyLineOut]:
    return [
        SurveyLineOut(
            county_id=line.county.id,
            county_name=line.county.name,
            status=line.survey.status if line.survey else "not_started",
            survey=SurveyOut.model_validate(line.survey) if line.survey else None,
        )
        for line in surveys.overview(session, principal=principal, year=year)
    ]


@router.get(
    "/surveys/{county_id}/{year}",
    response_model=SurveyOut,
    summary="查看一个县区的摸排",
    responses=Read,
)
def get_survey(session: SessionDep, principal: Staff, county_id: Id, year: YearPath) -> SurveyOut:
    row = surveys.find(session, principal=principal, county_id=county_id, year=year)
    if row is None:
        raise NotFound(f"该县区{year}年的摸排尚未填报")
    return SurveyOut.model_validate(row)


@router.put(
    "/surveys/{county_id}/{year}",
    response_model=SurveyOut,
    summary="填写摸排（保存草稿）",
    description="县区总工会填写本县区当年的助学需求（建档/非建档 × 教育阶段，人数和金额）和就业援助需求；"
    "已报送的摸排须经市总退回后才能修改。",
    responses=Write,
)
def save_survey(session: SessionDep, principal: Staff, county_id: Id, year: YearPath, body: SurveyIn) -> SurveyOut:
    figures = surveys.SurveyFigures(**body.model_dump())
    row = surveys.save(session, principal=principal, county_id=county_id, year=year, figures=figures)
    return SurveyOut.model_validate(row)


@router.post(
    "/surveys/{survey_id}/submit",
    response_model=SurveyOut,
    summary="报送摸排",
    description="报送后附件7中本县区一行取自这份摸排。",
    responses=Write,
)
def submit_survey(session: SessionDep, principal: Staff, survey_id: Id) -> SurveyOut:
    return SurveyOut.model_validate(surveys.submit(session, principal=principal, survey_id=survey_id))


@router.post(
    "/surveys/{survey_id}/return",
    response_model=SurveyOut,
    summary="退回摸排",
    description="市总帮扶中心把已报送的摸排退回县区修改；退回后附件7中该县区暂按助学申请统计。",
    responses=Write,
)
def return_survey(session: SessionDep, principal: Staff, survey_id: Id, body: ReturnIn) -> SurveyOut:
    row = surveys.send_back(session, principal=principal, survey_id=survey_id, reason=body.reason)
    return SurveyOut.model_validate(row)


# ---- 阶段性情况报告、活动总结、典型经验 --------------------------------------------------------------------------


@router.get(
    "/narratives",
    response_model=list[NarrativeOut],
    summary="阶段性情况报告和活动总结",
    responses=Read,
)
def list_narratives(session: SessionDep, principal: Staff, year: Year) -> list[NarrativeOut]:
    return [NarrativeOut.model_validate(r) for r in narratives.list_reports(session, principal=principal, year=year)]


@router.post(
    "/narratives",
    response_model=NarrativeOut,
    status_code=201,
    summary="新建阶段性情况报告或活动总结",
    description="为本单位建立当年的阶段性情况报告（8月29日）或活动总结（11月28日），并取报告日期（截止日期，"
    "未到截止日期时为今天）的统计快照作为报告数据。",
    responses=Write,
)
def create_narrative(session: SessionDep, principal: Staff, body: NarrativeCreate) -> NarrativeOut:
    return NarrativeOut.model_validate(narratives.create(session, principal=principal, year=body.year, kind=body.kind))


@router.get("/narratives/{report_id}", response_model=NarrativeOut, summary="查看报告", responses=Read)
def get_narrative(session: SessionDep, principal: Staff, report_id: Id) -> NarrativeOut:
    return NarrativeOut.model_validate(narratives.get(session, principal=principal, report_id=report_id))


@router.patch(
    "/narratives/{report_id}",
    response_model=NarrativeOut,
    summary="撰写报告各部分",
    description="替换所给的部分（工作开展情况、主要做法、存在问题、下一步打算），未给的部分不变。",
    responses=Write,
)
def write_narrative(session: SessionDep, principal: Staff, report_id: Id, body: SectionsIn) -> NarrativeOut:
    row = narratives.write(session, principal=principal, report_id=report_id, sections=body.sections)
    return NarrativeOut.model_validate(row)


@router.post(
    "/narratives/{report_id}/refresh",
    response_model=NarrativeOut,
    summary="更新报告数据",
    description="草稿按今天（已过截止日期的按截止日期）重新取统计快照。",
    responses=Write,
)
def refresh_narrative(session: SessionDep, principal: Staff, report_id: Id) -> NarrativeOut:
    return NarrativeOut.model_validate(narratives.refresh_figures(session, principal=principal, report_id=report_id))


@router.post(
    "/narratives/{report_id}/submit",
    response_model=NarrativeOut,
    summary="报送报告",
    description="四个部分都须填写；报送时按报告日期重新取数据。",
    responses=Write,
)
def submit_narrative(session: SessionDep, principal: Staff, report_id: Id) -> NarrativeOut:
    return NarrativeOut.model_validate(narratives.submit(session, principal=principal, report_id=report_id))


@router.post("/narratives/{report_id}/return", response_model=NarrativeOut, summary="退回报告", responses=Write)
def return_narrative(session: SessionDep, principal: Staff, report_id: Id, body: ReturnIn) -> NarrativeOut:
    row = narratives.send_back(session, principal=principal, report_id=report_id, reason=body.reason)
    return NarrativeOut.model_validate(row)


def unit_name(session: Session, report: NarrativeReport) -> str:
    unit = session.get(OrgUnit, report.org_unit_id)
    return unit.name if unit else ""


def narrative_document(session: Session, principal: Principal, report_id: int) -> tuple[bytes, str]:
    """The report as .docx and its file name; the export is audited."""
    report = narratives.get(session, principal=principal, report_id=report_id)
    snapshot = narratives.snapshot_of(session, principal=principal, report=report)
    content = documents.narrative_docx(
        report,
        unit_name=unit_name(session, report),
        snapshot=snapshot,
        experiences=narratives.experiences_of_report(session, principal=principal, report=report),
    )
    reports.record_export(
        session, principal=principal, report=f"narrative:{report.id}", file_format="docx", detail={"kind": report.kind}
    )
    return content, f"{report.title}.docx"


def narrative_figures(session: Session, principal: Principal, report_id: int) -> tuple[bytes, str]:
    """The report's figures (附件7、8、9 of its snapshot) as xlsx and its file name; the export is audited."""
    report = narratives.get(session, principal=principal, report_id=report_id)
    snapshot = narratives.snapshot_of(session, principal=principal, report=report)
    if snapshot is None:
        raise Conflict("报告尚未取得统计数据，请先更新报告数据")
    content = documents.figures_xlsx(snapshot, title=report.title)
    reports.record_export(
        session, principal=principal, report=f"narrative:{report.id}", file_format="xlsx", detail={"kind": report.kind}
    )
    return content, f"{report.title}_数据.xlsx"


_DOCX: dict[int | str, dict[str, Any]] = {
    200: {"content": {documents.DOCX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}
_XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {render.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get(
    "/narratives/{report_id}/document",
    summary="导出报告（Word）",
    description="报告全文：各部分、报告日期的主要数据和典型经验，.docx 格式。",
    response_class=Response,
    responses={**Read, **_DOCX},
)
def export_docx(session: SessionDep, principal: Staff, report_id: Id) -> Response:
    content, name = narrative_document(session, principal, report_id)
    return _file(content, name, documents.DOCX_MEDIA_TYPE, "report.docx")


@router.get(
    "/narratives/{report_id}/figures",
    summary="导出报告数据（xlsx）",
    description="报告所用统计快照的附件7、8、9，每表一个受保护的工作表。",
    response_class=Response,
    responses={**Write, **_XLSX},
)
def export_xlsx(session: SessionDep, principal: Staff, report_id: Id) -> Response:
    content, name = narrative_figures(session, principal, report_id)
    return _file(content, name, render.XLSX_MEDIA_TYPE, "figures.xlsx")


@router.get("/experiences", response_model=list[ExperienceOut], summary="典型经验", responses=Read)
def list_experiences(session: SessionDep, principal: Staff, year: Year) -> list[ExperienceOut]:
    return [
        ExperienceOut(
            id=e.id,
            org_unit_id=e.org_unit_id,
            unit_name=name,
            year=e.year,
            title=e.title,
            body=e.body,
            created_at=e.created_at,
        )
        for e, name in narratives.experiences(session, principal=principal, year=year)
    ]


@router.post(
    "/experiences",
    response_model=ExperienceOut,
    status_code=201,
    summary="报送典型经验",
    description="本单位的典型经验做法，随时报送；阶段性情况报告和活动总结导出时附上。",
    responses=Write,
)
def add_experience(session: SessionDep, principal: Staff, body: ExperienceIn) -> ExperienceOut:
    e = narratives.add_experience(session, principal=principal, year=body.year, title=body.title, body=body.body)
    unit = session.get(OrgUnit, e.org_unit_id)
    return ExperienceOut(
        id=e.id,
        org_unit_id=e.org_unit_id,
        unit_name=unit.name if unit else "",
        year=e.year,
        title=e.title,
        body=e.body,
        created_at=e.created_at,
    )


# ---- 截止日期 -------------------------------------------------------------------------------------------------


@router.get(
    "/deadlines",
    response_model=list[DeadlineOut],
    summary="活动截止日期",
    description="当年的截止日期（7月14日摸排、8月20日纸质材料、8月29日阶段性情况报告、11月28日活动总结），"
    "负责的角色和提前提醒天数；首次查看时按当年助学活动的设置（或通知的日期）建立。",
    responses=Read,
)
def list_deadlines(session: SessionDep, principal: Staff, year: Year) -> list[DeadlineOut]:
    return [DeadlineOut.model_validate(d) for d in deadlines.list_deadlines(session, principal=principal, year=year)]


@router.patch(
    "/deadlines/{deadline_id}",
    response_model=DeadlineOut,
    summary="调整截止日期或提醒",
    description="市总帮扶中心调整截止日期、提前提醒天数（0至60）或负责的角色；日期改动后负责人会再收到一次提醒。",
    responses=Write,
)
def update_deadline(session: SessionDep, principal: Staff, deadline_id: Id, body: DeadlineUpdate) -> DeadlineOut:
    row = deadlines.update(
        session,
        principal=principal,
        deadline_id=deadline_id,
        due=body.due_on,
        remind_days_before=body.remind_days_before,
        roles=body.roles,
    )
    return DeadlineOut.model_validate(row)
