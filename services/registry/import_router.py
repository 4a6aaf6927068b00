"""The spreadsheet import's routes: upload, progress, the real run, option wordings, the error workbook."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from services.db import SessionDep
from services.errors import Forbidden, NotFound, PayloadTooLarge, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.registry import importer, mappings
from services.registry.import_schemas import MappingOut, MappingsConfirm, MappingsConfirmed
from services.registry.schemas import ImportJobOut, ImportRunRequest
from services.security.dependencies import StaffPrincipal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/api/v1/registry", tags=["实名制档案"])


@router.post(
    "/imports",
    response_model=ImportJobOut,
    status_code=202,
    summary="上传导入表格",
    description="上传 xlsx 或 csv（UTF-8、带 BOM 的 UTF-8 或 GBK）。"
    "默认试导入（dry_run=true）：校验全部行并报告，不写入；"
    "默认“全部无误才导入”，good_rows_only=true 时只导入无误的行。导入在后台执行，查询任务获取进度和错误。",
    responses=responses(Forbidden, NotFound, PayloadTooLarge, ValidationFailed),
)
def upload(
    principal: StaffPrincipal,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="xlsx 或 csv 文件")],
    dry_run: Annotated[bool, Form(description="试导入：只校验不写入")] = True,
    good_rows_only: Annotated[bool, Form(description="只导入无误的行")] = False,
    org_unit_id: Annotated[int | None, Form(description="导入到哪个单位，默认本人单位")] = None,
    existing: Annotated[
        Literal["update", "skip"], Form(description="表中人员已登记时：update 按表更新（默认），skip 跳过不改")
    ] = "update",
) -> ImportJobOut:
    content = file.file.read()
    job = importer.create_job(
        session,
        principal=principal,
        filename=file.filename or "upload",
        content=content,
        org_unit_id=org_unit_id,
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        existing=existing,
    )
    return ImportJobOut.model_validate(job)


@router.get(
    "/imports",
    response_model=Page[ImportJobOut],
    summary="导入任务列表",
    description="管辖范围内的导入任务，最新的在前。",
    responses=responses(Forbidden),
)
def list_imports(principal: StaffPrincipal, session: SessionDep, page: PageDep) -> Page[ImportJobOut]:
    jobs = importer.list_jobs(session, principal=principal, limit=page.limit, offset=page.offset)
    return Page[ImportJobOut](
        items=[ImportJobOut.model_validate(j) for j in jobs], limit=page.limit, offset=page.offset
    )


@router.get(
    "/imports/{job_id}",
    response_model=ImportJobOut,
    summary="导入任务进度与结果",
    description="状态、已读行数、新增/更新/未变/跳过行数，以及每处错误的工作表、行、列、代码和原因（敏感值脱敏）。",
    responses=responses(Forbidden, NotFound),
)
def get_import(job_id: int, principal: StaffPrincipal, session: SessionDep) -> ImportJobOut:
    return ImportJobOut.model_validate(importer.get_job(session, principal=principal, job_id=job_id))


@router.post(
    "/imports/{job_id}/run",
    response_model=ImportJobOut,
    status_code=202,
    summary="正式导入",
    description="对试导入过的同一文件正式导入（同一校验流程），结果与试导入一致。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def run_import(job_id: int, body: ImportRunRequest, principal: StaffPrincipal, session: SessionDep) -> ImportJobOut:
    job = importer.get_job(session, principal=principal, job_id=job_id)
    new = importer.rerun(session, principal=principal, job=job, good_rows_only=body.good_rows_only)
    return ImportJobOut.model_validate(new)


@router.post(
    "/imports/{job_id}/mappings",
    response_model=MappingsConfirmed,
    status_code=202,
    summary="确认选项写法",
    description="一步确认试导入列出的未识别写法（如 户口类型“农业户”→ 农村户口）：按本单位记住，"
    "以后本单位的表格自动套用；默认随即用同一文件重新试导入。可对应多个选项的写法（如“患病”）只能由此确认。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def confirm_mappings(
    job_id: int, body: MappingsConfirm, principal: StaffPrincipal, session: SessionDep
) -> MappingsConfirmed:
    job = importer.get_job(session, principal=principal, job_id=job_id)
    choices = [mappings.Choice(m.enumeration, m.wording, m.code) for m in body.mappings]
    new = importer.confirm_mappings(session, principal=principal, job=job, choices=choices, recheck=body.recheck)
    saved = mappings.list_mappings(session, principal=principal, org_unit_id=job.org_unit_id)
    return MappingsConfirmed(
        mappings=[MappingOut.model_validate(m) for m in saved],
        job=ImportJobOut.model_validate(new) if new is not None else None,
    )


@router.get(
    "/import-mappings",
    response_model=list[MappingOut],
    summary="本单位已确认的选项写法",
    description="导入时自动套用的写法（默认本人单位）。",
    responses=responses(Forbidden, NotFound),
)
def list_mappings(
    principal: StaffPrincipal,
    session: SessionDep,
    org_unit_id: Annotated[int | None, Query(description="单位，默认本人单位")] = None,
) -> list[MappingOut]:
    found = mappings.list_mappings(session, principal=principal, org_unit_id=org_unit_id)
    return [MappingOut.model_validate(m) for m in found]


@router.get(
    "/imports/{job_id}/errors.xlsx",
    summary="下载错误标注表",
    description="上传的表格原样返回，每个有误的单元格标红并在批注中写明原因；改正后可直接重新上传。"
    "文件在下载时生成，不在服务器上保存。",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "xlsx"}, **responses(Forbidden, NotFound, ValidationFailed)},
)
def error_workbook(job_id: int, principal: StaffPrincipal, session: SessionDep) -> Response:
    job = importer.get_job(session, principal=principal, job_id=job_id)
    content = importer.error_workbook(principal=principal, job=job)
    return Response(
        content=content,
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''import-{job.id}-errors.xlsx",
            "Cache-Control": "no-store",
        },
    )
