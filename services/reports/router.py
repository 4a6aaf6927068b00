from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response

from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.reports import render, service
from services.reports.columns import Kind
from services.reports.models import JobStatus, ReportJob, ReportSnapshot
from services.reports.schemas import (
    ColumnOut,
    FileFormat,
    JobCreate,
    JobOut,
    RatePointOut,
    RateSeriesOut,
    ReportCode,
    ReportOut,
    RowChangeOut,
    SnapshotCreate,
    SnapshotDetail,
    SnapshotDiffOut,
    SnapshotOut,
    TableColumnsOut,
)
from services.security.dependencies import require_roles
from services.security.principal import Principal

router = APIRouter(prefix="/api/v1/reports", tags=["统计报表"])

Reporter = Annotated[Principal, Depends(require_roles("union_county", "union_city", "admin"))]
Errors = responses(Forbidden, ValidationFailed, NotFound)

AsOf = Annotated[date | None, Query(description="统计日期（默认今天），按当天结束时的数据统计")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="统计年度（默认统计日期所在年度）")]
County = Annotated[int | None, Query(description="只看一个县区（须在您的管辖范围内，否则按不存在处理）")]
Cohort = Annotated[list[int] | None, Query(description="毕业届别，可多选，如 2022、2023；默认全部届别")]
Format = Annotated[FileFormat, Query(description="json（默认）、csv 或 xlsx（可直接上报的表格）")]
Chart = Annotated[bool, Query(description="xlsx 中附就业率柱状图（附件9）")]

_REPORT_DESCRIPTION = (
    "县区账号只得到本县区一行（及等于该行的合计）；市总账号得到全部县区、市本级和合计行，合计等于各行之和。"
    "同一参数下 JSON、CSV、xlsx 的每个数字都相同；各列口径见 `GET /api/v1/reports/columns`。"
)


def _file_response(content: bytes, name: str, file_format: str) -> Response:
    media = render.XLSX_MEDIA_TYPE if file_format == "xlsx" else render.CSV_MEDIA_TYPE
    ascii_name = f"report.{file_format}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content=content, media_type=media, headers={"Content-Disposition": disposition})


def _report(
    session: SessionDep,
    principal: Principal,
    report: ReportCode,
    *,
    as_of: date | None,
    year: int | None,
    cohort: list[int] | None,
    county_id: int | None,
    file_format: str,
    chart: bool,
) -> ReportOut | Response:
    built = service.build(
        session, principal=principal, report=report, as_of=as_of, year=year, cohorts=cohort, county_id=county_id
    )
    service.record_export(
        session,
        principal=principal,
        report=report,
        file_format=file_format,
        detail={"as_of": built.as_of.isoformat(), "year": built.year, "county_id": county_id, "cohorts": cohort},
    )
    if file_format == "json":
        return ReportOut.model_validate(render.report_json(built))
    content = service.render_bytes(built, file_format, chart=chart)
    return _file_response(content, service.file_name(built, file_format), file_format)


_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/json": {},
            render.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string"}},
        }
    }
}


@router.get(
    "/columns",
    response_model=list[TableColumnsOut],
    summary="报表指标说明",
    description="附件7、8、9 每一列的表头、单位和统计口径（与导出文件的“指标说明”工作表、COLUMNS.md 同源）。",
    responses=responses(),
)
def columns(
    session: SessionDep,
    _principal: Reporter,
    report: Annotated[ReportCode | None, Query(description="只看一张表")] = None,
) -> list[TableColumnsOut]:
    return [
        TableColumnsOut(
            code=spec.code,
            title=spec.title,
            note=spec.note,
            row_dims=list(spec.row_dims),
            columns=[
                ColumnOut(
                    key=c.key,
                    label=c.label,
                    group=c.group,
                    unit=c.unit,
                    kind=Kind(c.kind).value,
                    definition=c.definition,
                    measure=c.measure,
                )
                for c in spec.columns
            ],
        )
        for spec in service.column_specs(session, report=report)
    ]


@router.get(
    "/annex7",
    response_model=ReportOut,
    summary="附件7 金秋助学活动需求汇总表",
    description="按县区汇总建档、非建档困难职工家庭学生的助学需求人数（分八个教育阶段）和申请金额。"
    + _REPORT_DESCRIPTION,
    responses={**Errors, **_FILES},
)
def annex7(
    session: SessionDep,
    principal: Reporter,
    as_of: AsOf = None,
    year: Year = None,
    county_id: County = None,
    format: Format = "json",
) -> ReportOut | Response:
    return _report(
        session,
        principal,
        "annex7",
        as_of=as_of,
        year=year,
        cohort=None,
        county_id=county_id,
        file_format=format,
        chart=False,
    )


@router.get(
    "/annex8",
    response_model=ReportOut,
    summary="附件8 金秋助学活动情况统计表",
    description="按县区统计已发放资助的人数和金额（分教育阶段、分资金来源）、已批准待发放、勤工俭学岗位和补贴、预算。"
    + _REPORT_DESCRIPTION,
    responses={**Errors, **_FILES},
)
def annex8(
    session: SessionDep,
    principal: Reporter,
    as_of: AsOf = None,
    year: Year = None,
    county_id: County = None,
    format: Format = "json",
) -> ReportOut | Response:
    return _report(
        session,
        principal,
        "annex8",
        as_of=as_of,
        year=year,
        cohort=None,
        county_id=county_id,
        file_format=format,
        chart=False,
    )


@router.get(
    "/annex9",
    response_model=ReportOut,
    summary="附件9 阳光就业暖心行动统计表",
    description="按县区和毕业届别统计登记、联系、各类服务、1131达标、去向（企业、各基层项目、自主创业、灵活就业、升学、"
    "入伍）、仍在求职、暂不就业和就业率；另表统计岗位、招聘会、见习和勤工俭学岗位、创业扶持和资金投入。"
    + _REPORT_DESCRIPTION,
    responses={**Errors, **_FILES},
)
def annex9(
    session: SessionDep,
    principal: Reporter,
    as_of: AsOf = None,
    year: Year = None,
    cohort: Cohort = None,
    county_id: County = None,
    format: Format = "json",
    chart: Chart = False,
) -> ReportOut | Response:
    return _report(
        session,
        principal,
        "annex9",
        as_of=as_of,
        year=year,
        cohort=cohort,
        county_id=county_id,
        file_format=format,
        chart=chart,
    )


@router.get(
    "/employment-rate",
    response_model=RateSeriesOut,
    summary="就业率变化",
    description="按月末统计的就业率（来自就业状态历史，与附件9同一口径），以及各次统计快照冻结时的就业率。",
    responses=Errors,
)
def employment_rate(
    session: SessionDep,
    principal: Reporter,
    start: Annotated[date | None, Query(description="开始日期，默认本年1月1日")] = None,
    end: Annotated[date | None, Query(description="结束日期，默认今天")] = None,
    cohort: Cohort = None,
    county_id: County = None,
) -> RateSeriesOut:
    points = service.employment_rate_series(
        session, principal=principal, start=start, end=end, cohorts=cohort, county_id=county_id
    )
    return RateSeriesOut(
        unit_name=service.home_unit(session, principal=principal).name,
        cohorts=cohort,
        county_id=county_id,
        points=[RatePointOut.model_validate(p, from_attributes=True) for p in points],
    )


def _snapshot_out(s: ReportSnapshot) -> SnapshotOut:
    return SnapshotOut(
        id=s.id,
        org_unit_id=s.org_unit_id,
        kind=s.kind,
        label=s.label,
        as_of=s.as_of,
        year=s.year,
        tables=s.tables,
        content_sha256=s.content_sha256,
        intact=service.snapshot_intact(s),
        created_by_id=s.created_by_id,
        created_at=s.created_at,
    )


@router.post(
    "/snapshots",
    response_model=SnapshotOut,
    status_code=201,
    summary="生成阶段性情况报告快照",
    description="把本单位管辖范围的附件7、8、9按统计日期冻结保存（内容哈希留证），之后不能修改或删除，可与以后的快照对比。",
    responses=Errors,
)
def create_snapshot(session: SessionDep, principal: Reporter, body: SnapshotCreate) -> SnapshotOut:
    return _snapshot_out(
        service.create_snapshot(session, principal=principal, as_of=body.as_of, year=body.year, label=body.label)
    )


@router.get(
    "/snapshots",
    response_model=Page[SnapshotOut],
    summary="统计快照列表",
    description="本单位及下级单位的统计快照，按统计日期倒序。",
    responses=responses(),
)
def list_snapshots(session: SessionDep, principal: Reporter, page: PageDep) -> Page[SnapshotOut]:
    rows, total = service.list_snapshots(session, principal=principal, limit=page.limit, offset=page.offset)
    return Page(items=[_snapshot_out(s) for s in rows], limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/snapshots/{snapshot_id}",
    response_model=SnapshotDetail,
    summary="查看统计快照",
    description="快照冻结时的附件7、8、9全文；intact 表示内容与保存时的哈希一致。",
    responses=Errors,
)
def get_snapshot(session: SessionDep, principal: Reporter, snapshot_id: int) -> SnapshotDetail:
    s = service.get_snapshot(session, principal=principal, snapshot_id=snapshot_id)
    return SnapshotDetail(
        **_snapshot_out(s).model_dump(),
        content={k: ReportOut.model_validate(v) for k, v in s.content.items()},
    )


@router.get(
    "/snapshots/{snapshot_id}/diff",
    response_model=SnapshotDiffOut,
    summary="对比两次统计快照",
    description="以 base_id 为基准，列出本快照每一行每一列的变化（之前、之后、增减）；默认只列有变化的单元格。",
    responses=Errors,
)
def diff_snapshots(
    session: SessionDep,
    principal: Reporter,
    snapshot_id: int,
    base_id: Annotated[int, Query(description="作为基准的（较早的）快照编号")],
    only_changed: Annotated[bool, Query(description="只列有变化的单元格")] = True,
) -> SnapshotDiffOut:
    target = service.get_snapshot(session, principal=principal, snapshot_id=snapshot_id)
    base = service.get_snapshot(session, principal=principal, snapshot_id=base_id)
    rows = service.diff_snapshots(base, target, only_changed=only_changed)
    return SnapshotDiffOut(
        base=_snapshot_out(base),
        target=_snapshot_out(target),
        rows=[RowChangeOut.model_validate(r, from_attributes=True) for r in rows],
    )


@router.get(
    "/snapshots/{snapshot_id}/file",
    summary="下载快照中的报表",
    description="把快照冻结的附件7、8或9导出为 xlsx 或 CSV（数字与快照完全一致），用于上报阶段性情况报告。",
    responses={**Errors, **_FILES},
    response_model=None,
)
def snapshot_file(
    session: SessionDep,
    principal: Reporter,
    snapshot_id: int,
    report: Annotated[ReportCode, Query(description="annex7、annex8 或 annex9")],
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv 或 xlsx")] = "xlsx",
    chart: Chart = False,
) -> Response:
    snap = service.get_snapshot(session, principal=principal, snapshot_id=snapshot_id)
    if report not in snap.content:
        raise NotFound("快照中没有该报表")
    frozen = render.report_from_json(snap.content[report])
    service.record_export(
        session, principal=principal, report=report, file_format=format, detail={"snapshot_id": snap.id}
    )
    content = service.render_bytes(frozen, format, chart=chart)
    return _file_response(content, service.file_name(frozen, format), format)


def _job_out(job: ReportJob) -> JobOut:
    ready = job.status == JobStatus.SUCCEEDED
    return JobOut(
        id=job.id,
        report=job.report,
        file_format=job.file_format,
        params=job.params,
        status=job.status,
        file_name=job.file_name,
        size_bytes=job.size_bytes,
        sha256=job.sha256,
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        download_url=f"/api/v1/reports/jobs/{job.id}/file" if ready else None,
    )


@router.post(
    "/jobs",
    response_model=JobOut,
    status_code=202,
    summary="后台生成报表",
    description="大报表由后台任务生成，完成后凭任务编号下载；范围按提交时的账号权限确定。",
    responses=Errors,
)
def create_job(session: SessionDep, principal: Reporter, body: JobCreate) -> JobOut:
    job = service.create_job(
        session,
        principal=principal,
        report=body.report,
        file_format=body.format,
        as_of=body.as_of,
        year=body.year,
        cohorts=body.cohorts,
        county_id=body.county_id,
        chart=body.chart,
    )
    return _job_out(job)


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="报表任务状态",
    description="排队中、生成中、已生成（可下载）或生成失败（附原因）。",
    responses=Errors,
)
def get_job(session: SessionDep, principal: Reporter, job_id: int) -> JobOut:
    return _job_out(service.get_job(session, principal=principal, job_id=job_id))


@router.get(
    "/jobs/{job_id}/file",
    summary="下载生成的报表",
    description="任务完成后下载文件；未完成时返回409。",
    responses={**responses(NotFound, Conflict), **_FILES},
    response_model=None,
)
def job_file(session: SessionDep, principal: Reporter, job_id: int) -> Response:
    job, content = service.job_file(session, principal=principal, job_id=job_id)
    service.record_export(
        session, principal=principal, report=job.report, file_format=job.file_format, detail={"job_id": job.id}
    )
    media = {"xlsx": render.XLSX_MEDIA_TYPE, "csv": render.CSV_MEDIA_TYPE}.get(job.file_format, "application/json")
    name = job.file_name or f"report.{job.file_format}"
    disposition = f"attachment; filename=\"report.{job.file_format}\"; filename*=UTF-8''{quote(name)}"
    return Response(content=content, media_type=media, headers={"Content-Disposition": disposition})
