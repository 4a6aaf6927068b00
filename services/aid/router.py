from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Response, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse

from services.aid import attachments as files
from services.aid import bank as bankmod
from services.aid import documents, service, workdays
from services.aid.models import AidApplication
from services.aid.schemas import (
    ApplicationIn,
    ApplicationOut,
    AttachmentOut,
    AwardOut,
    BatchIn,
    BatchOut,
    BudgetIn,
    BudgetOut,
    BudgetTotalOut,
    CampaignIn,
    CampaignOut,
    CheckIn,
    ChecklistItemOut,
    DeadlineOut,
    ImportOut,
    NoticeIn,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
    PaymentCreated,
    PaymentIn,
    PaymentOut,
    ReasonIn,
    ResolveIn,
    ReviewIn,
    ReviewOut,
    StandardIn,
    StandardOut,
    WorkStudyIn,
    WorkStudyOut,
)
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed, responses
from services.pagination import Page, PageDep
from services.security import audit
from services.security.dependencies import CurrentPrincipal, StaffPrincipal, require_roles
from services.security.principal import Principal

CampaignYear = Annotated[int, Path(ge=2000, le=2100, description="活动年度，如 2023")]

router = APIRouter(prefix="/api/v1/aid", tags=["金秋助学"])
CityPrincipal = Annotated[Principal, Depends(require_roles("union_city", "admin"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YearQ = Annotated[int, Query(ge=2000, le=2100, description="年度", examples=[2023])]


def gateway() -> bankmod.FileBankGateway:
    return bankmod.FileBankGateway()


Gateway = Annotated[bankmod.FileBankGateway, Depends(gateway)]


def _input(body: ApplicationIn) -> service.ApplicationInput:
    data = body.model_dump(exclude={"members"})
    return service.ApplicationInput(**data, members=[service.MemberInput(**m.model_dump()) for m in body.members])


def _app_out(app: AidApplication) -> ApplicationOut:
    return ApplicationOut.model_validate(app)


# ------------------------------------------------------------------------------------------ settings


@router.get(
    "/campaigns/{year}",
    response_model=CampaignOut,
    summary="年度活动设置",
    description="年度截止日期（档案7/14、纸质材料8/20、阶段报告8/29、活动总结11/28）和公示期工作日数。",
    responses=responses(NotFound),
)
def get_campaign(year: CampaignYear, _: StaffPrincipal, session: SessionDep) -> Any:
    return service.get_campaign(session, year=year)


@router.put(
    "/campaigns/{year}",
    response_model=CampaignOut,
    summary="设置年度活动",
    description="市总设置年度截止日期、提前提醒天数和公示期；首次设置时同时载入该年度的资助标准。",
    responses=responses(Forbidden, ValidationFailed),
)
def put_campaign(year: CampaignYear, body: CampaignIn, _: CityPrincipal, session: SessionDep) -> Any:
    if not service.list_standards(session, year=year):
        service.load_year(session, year=year)
    return service.upsert_campaign(session, year=year, **body.model_dump())


@router.get(
    "/campaigns/{year}/deadlines",
    response_model=list[DeadlineOut],
    summary="年度截止日期",
    description="本年度各项报送截止日期。",
    responses=responses(NotFound),
)
def deadlines(year: CampaignYear, _: CurrentPrincipal, session: SessionDep) -> list[DeadlineOut]:
    campaign = service.get_campaign(session, year=year)
    return [DeadlineOut(code=d.code, title=d.title, due_on=d.due_on) for d in service.deadlines_of(campaign)]


@router.get(
    "/standards",
    response_model=list[StandardOut],
    summary="资助标准",
    description="某年度的资助标准：对象、资金来源、发放依据和金额上限。",
)
def list_standards(year: YearQ, _: StaffPrincipal, session: SessionDep) -> Any:
    return service.list_standards(session, year=year)


@router.put(
    "/standards/{year}/{code}",
    response_model=StandardOut,
    summary="设置资助标准",
    description="市总新增或修改一条资助标准（如捐赠方指定的助学金）；已有资助的标准不能再改金额。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def put_standard(year: CampaignYear, code: str, body: StandardIn, _: CityPrincipal, session: SessionDep) -> Any:
    service.get_campaign(session, year=year)
    return service.upsert_standard(session, year=year, spec=service.StandardSpec(code=code, **body.model_dump()))


@router.get(
    "/budgets",
    response_model=list[BudgetOut],
    summary="预算",
    description="县区、年度、资金来源的预算、已批准和已发放金额。",
    responses=responses(Forbidden),
)
def list_budgets(year: YearQ, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.list_budgets(session, principal=principal, year=year)


@router.put(
    "/budgets",
    response_model=BudgetOut,
    summary="下达预算",
    description="市总为县区下达某年度某项资金的预算；不能低于已批准金额。",
    responses=responses(Forbidden, Conflict, ValidationFailed),
)
def put_budget(body: BudgetIn, principal: CityPrincipal, session: SessionDep) -> Any:
    return service.set_budget(session, principal=principal, **body.model_dump())


@router.get(
    "/budgets/totals",
    response_model=list[BudgetTotalOut],
    summary="预算合计",
    description="按县区和资金来源汇总预算、已批准、已发放和余额。",
)
def budget_totals(year: YearQ, principal: StaffPrincipal, session: SessionDep) -> list[BudgetTotalOut]:
    return [
        BudgetTotalOut(
            county_org_id=t.county_org_id,
            county_name=t.county_name,
            fund_source=t.fund_source,
            budget=t.budget,
            committed=t.committed,
            paid=t.paid,
            remaining=t.remaining,
        )
        for t in service.budget_totals(session, principal=principal, year=year)
    ]


# ------------------------------------------------------------------------------------------ applications


@router.post(
    "/applications",
    response_model=ApplicationOut,
    status_code=201,
    summary="提交助学申请",
    description="附件1（今年新入学）或附件2（在校“圆梦计划”）；工会为辖区学生提交，学生可为本人提交。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def submit(body: ApplicationIn, principal: CurrentPrincipal, session: SessionDep) -> ApplicationOut:
    app = service.submit_application(session, principal=principal, data=_input(body))
    return _app_out(app)


@router.get(
    "/applications",
    response_model=Page[ApplicationOut],
    summary="助学申请列表",
    description="工会和指导员看辖区内的申请，学生看本人的；同等条件下新入学优先排在前面。",
    responses=responses(Forbidden),
)
def list_applications(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[str | None, Query(max_length=24)] = None,
) -> Page[ApplicationOut]:
    rows, total = service.list_applications(
        session, principal=principal, year=year, status=status, limit=page.limit, offset=page.offset
    )
    return Page[ApplicationOut](items=[_app_out(a) for a in rows], limit=page.limit, offset=page.offset, total=total)


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    summary="查看助学申请",
    description="身份证号、银行卡和地址只显示脱敏值；明文经 /api/v1/reveal 说明用途后查看。",
    responses=responses(Forbidden, NotFound),
)
def get_application(application_id: int, principal: CurrentPrincipal, session: SessionDep) -> ApplicationOut:
    return _app_out(service.get_application(session, principal=principal, application_id=application_id))


@router.put(
    "/applications/{application_id}",
    response_model=ApplicationOut,
    summary="补正后重新提交",
    description="退回补正的申请修改后重新提交，原审核意见保留。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def correct(
    application_id: int, body: ApplicationIn, principal: CurrentPrincipal, session: SessionDep
) -> ApplicationOut:
    app = service.correct_application(session, principal=principal, application_id=application_id, data=_input(body))
    return _app_out(app)


@router.get(
    "/applications/{application_id}/checklist",
    response_model=list[ChecklistItemOut],
    summary="材料清单",
    description="按申请类型列出须提交的材料，以及是否已上传、是否已核对。",
    responses=responses(Forbidden, NotFound),
)
def checklist(application_id: int, principal: CurrentPrincipal, session: SessionDep) -> list[ChecklistItemOut]:
    app = service.get_application(session, principal=principal, application_id=application_id)
    return [
        ChecklistItemOut(kind=i.kind, name=i.name, uploaded=i.uploaded, checked=i.checked)
        for i in service.checklist(session, app=app)
    ]


@router.post(
    "/applications/{application_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    summary="上传申请材料",
    description="PDF、JPG 或 PNG（按文件内容识别），单个不超过 10 MB。",
    responses=responses(Forbidden, NotFound, Conflict, PayloadTooLarge, ValidationFailed),
)
async def upload(
    application_id: int,
    principal: CurrentPrincipal,
    session: SessionDep,
    kind: Annotated[str, Form(max_length=40, description="材料类别，见材料清单", examples=["admission_notice"])],
    file: Annotated[UploadFile, File(description="PDF/JPG/PNG")],
) -> Any:
    content = await file.read(files.limit() + 1)
    return service.upload_attachment(
        session,
        principal=principal,
        application_id=application_id,
        kind=kind,
        filename=file.filename or "附件",
        content=content,
    )


@router.get(
    "/attachments/{attachment_id}/file",
    summary="下载申请材料",
    description="返回上传的原文件。",
    responses=responses(Forbidden, NotFound),
)
def download(attachment_id: int, principal: CurrentPrincipal, session: SessionDep) -> Response:
    row, content = service.attachment_file(session, principal=principal, attachment_id=attachment_id)
    return Response(
        content,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''attachment-{row.id}",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/attachments/{attachment_id}/check",
    response_model=AttachmentOut,
    summary="核对申请材料",
    description="工作人员与原件核对后勾选。",
    responses=responses(Forbidden, NotFound),
)
def check(attachment_id: int, body: CheckIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.check_attachment(session, principal=principal, attachment_id=attachment_id, note=body.note)


@router.post(
    "/applications/{application_id}/reviews",
    response_model=list[ReviewOut],
    summary="填写审核意见",
    description="先由基层工会、再由帮扶中心审核，两步须由不同人员填写，学生本人的就业指导员不得审核；"
    "可退回补正或不予资助（须写明原因）。帮扶中心通过即批准资助并占用预算。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def add_review(application_id: int, body: ReviewIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    service.review(
        session,
        principal=principal,
        application_id=application_id,
        stage=body.stage,
        decision=body.decision,
        opinion=body.opinion,
        amount=body.amount,
    )
    return service.reviews_of(session, application_id=application_id)


# ------------------------------------------------------------------------------------------ awards and notices


@router.get(
    "/awards",
    response_model=list[AwardOut],
    summary="资助列表",
    description="辖区内已批准的资助及其状态（待公示、公示中、付款中、已发放、已撤销）。",
    responses=responses(Forbidden),
)
def list_awards(
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Any:
    return service.list_awards(
        session, principal=principal, year=year, status=status, limit=page.limit, offset=page.offset
    )


@router.post(
    "/awards/{award_id}/revoke",
    response_model=AwardOut,
    summary="撤销资助",
    description="未付款的资助可撤销，预算退回；已发放的不能撤销。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def revoke(award_id: int, body: ReasonIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.revoke_award(session, principal=principal, award_id=award_id, reason=body.reason)


@router.post(
    "/notices",
    response_model=NoticeOut,
    status_code=201,
    summary="发布公示",
    description="将已批准的资助公示不少于年度设定的工作日数（默认5个，节假日和调休按国家规定）。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def publish(body: NoticeIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.publish_notice(
        session,
        principal=principal,
        org_unit_id=body.org_unit_id,
        award_ids=body.award_ids,
        supervision_phone=body.supervision_phone,
        starts_on=body.starts_on or workdays.today(),
        today=workdays.today(),
        working_days=body.working_days,
        unit_name=body.unit_name,
    )


@router.get(
    "/notices",
    response_model=list[NoticeOut],
    summary="公示列表",
    description="辖区内的公示及其期限和状态。",
    responses=responses(Forbidden),
)
def list_notices(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return service.list_notices(session, principal=principal, year=year, limit=page.limit, offset=page.offset)


@router.get(
    "/notices/{notice_id}/html",
    response_class=HTMLResponse,
    summary="公示（网页）",
    description="附件6格式，只含单位名称、姓名和困难原因；公示期满撤下后不再提供。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def notice_html(notice_id: int, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    notice, lines = service.public_notice(session, principal=principal, notice_id=notice_id)
    return HTMLResponse(documents.render_html(notice, lines))


@router.get(
    "/notices/{notice_id}/xlsx",
    summary="公示（Excel）",
    description="附件6格式的 xlsx，只含单位名称、姓名和困难原因。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def notice_xlsx(notice_id: int, principal: CurrentPrincipal, session: SessionDep) -> Response:
    notice, lines = service.public_notice(session, principal=principal, notice_id=notice_id)
    return Response(
        documents.render_xlsx(notice, lines),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=notice-{notice.id}.xlsx"},
    )


@router.post(
    "/notices/{notice_id}/objections",
    response_model=ObjectionOut,
    status_code=201,
    summary="登记公示异议",
    description="公示期内收到的异议（来信、来电、来访）由工作人员登记；异议未处理完不能付款。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def lodge(notice_id: int, body: ObjectionIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.lodge_objection(
        session,
        principal=principal,
        notice_id=notice_id,
        award_id=body.award_id,
        content=body.content,
        today=workdays.today(),
    )


@router.get(
    "/notices/{notice_id}/objections",
    response_model=list[ObjectionOut],
    summary="公示异议列表",
    description="该公示收到的全部异议及处理结果。",
    responses=responses(Forbidden, NotFound),
)
def objections(notice_id: int, principal: StaffPrincipal, session: SessionDep) -> Any:
    service.get_notice(session, principal=principal, notice_id=notice_id)
    return service.objections_of(session, notice_id=notice_id)


@router.post(
    "/objections/{objection_id}/resolve",
    response_model=ObjectionOut,
    summary="处理公示异议",
    description="写明核查结果；异议成立的撤销该项资助。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def resolve(objection_id: int, body: ResolveIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.resolve_objection(
        session, principal=principal, objection_id=objection_id, upheld=body.upheld, resolution=body.resolution
    )


@router.post(
    "/notices/{notice_id}/take-down",
    response_model=NoticeOut,
    summary="撤下公示",
    description="公示期满后撤下（每日任务也会自动撤下期满的公示）。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def take_down(notice_id: int, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.take_down(session, principal=principal, notice_id=notice_id, today=workdays.today())


# ------------------------------------------------------------------------------------------ payments


@router.post(
    "/awards/{award_id}/payments",
    response_model=PaymentCreated,
    status_code=201,
    summary="发起付款",
    description="须带 Idempotency-Key 请求头：同一键重复提交得到同一结果；一项资助只会有一笔付款。"
    "须两人审核、公示期满且异议处理完毕。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def request_payment(
    award_id: int,
    principal: StaffPrincipal,
    session: SessionDep,
    body: PaymentIn | None = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> JSONResponse:
    key = idempotency_key or (body.idempotency_key if body else None)
    if not key:
        raise ValidationFailed("须提供 Idempotency-Key 请求头（或请求体 idempotency_key）", field="Idempotency-Key")
    answer = service.request_payment(
        session, principal=principal, award_id=award_id, idempotency_key=key, today=workdays.today()
    )
    media = "application/json" if answer.status_code < 400 else "application/problem+json"
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, media_type=media, headers=headers)


@router.get(
    "/payments",
    response_model=list[PaymentOut],
    summary="付款列表",
    description="辖区内的付款，银行卡号只显示脱敏值。",
    responses=responses(Forbidden),
)
def list_payments(
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    batch_id: int | None = None,
) -> Any:
    return service.list_payments(
        session, principal=principal, status=status, batch_id=batch_id, limit=page.limit, offset=page.offset
    )


@router.post(
    "/payments/{payment_id}/resend",
    response_model=PaymentOut,
    summary="重新付款",
    description="银行明确失败的可重发；结果未知的先向银行查询，查无结果不重发。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def resend(payment_id: int, principal: StaffPrincipal, session: SessionDep, bank: Gateway) -> Any:
    return service.resend_payment(session, principal=principal, payment_id=payment_id, gateway=bank)


@router.post(
    "/payment-batches",
    response_model=BatchOut,
    status_code=201,
    summary="编制付款批次",
    description="把县区待付款项编入一个批次。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def create_batch(body: BatchIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.create_batch(session, principal=principal, county_org_id=body.county_org_id, year=body.year)


@router.post(
    "/payment-batches/{batch_id}/export",
    summary="导出银行批量代发文件",
    description="生成上传网银的批量代发 CSV（含完整卡号，导出记入审计日志）；重复导出内容和流水号不变。",
    responses=responses(Forbidden, NotFound, Conflict),
)
def export_batch(batch_id: int, principal: StaffPrincipal, session: SessionDep, bank: Gateway) -> Response:
    submission = service.export_batch(session, principal=principal, batch_id=batch_id, gateway=bank)
    return Response(
        submission.content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={submission.filename}", "Cache-Control": "no-store"},
    )


@router.post(
    "/payment-batches/{batch_id}/results",
    response_model=ImportOut,
    summary="导入银行回盘文件",
    description="按流水号更新每笔付款结果；回盘未列出的付款记为“结果未知”，重发前须先查询。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
async def import_results(
    batch_id: int,
    principal: StaffPrincipal,
    session: SessionDep,
    bank: Gateway,
    file: Annotated[UploadFile, File(description="回盘 CSV：付款流水号,金额（元）,处理结果,说明")],
) -> ImportOut:
    content = await file.read(files.limit() + 1)
    summary = service.import_results(session, principal=principal, batch_id=batch_id, content=content, gateway=bank)
    audit.record(session, action="import", target_type="aid_payment_batch", target_id=batch_id, principal=principal)
    return ImportOut(succeeded=summary.succeeded, failed=summary.failed, unknown=summary.unknown)


# ------------------------------------------------------------------------------------------------ work-study


@router.post(
    "/work-study",
    response_model=WorkStudyOut,
    status_code=201,
    summary="登记勤工俭学岗位",
    description="为辖区学生登记勤工俭学（含暑期专项）岗位和岗位补贴。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def add_work_study(body: WorkStudyIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return service.add_work_study(session, principal=principal, **body.model_dump())


@router.get(
    "/work-study",
    response_model=list[WorkStudyOut],
    summary="勤工俭学岗位",
    description="辖区内登记的勤工俭学岗位。",
    responses=responses(Forbidden),
)
def list_work_study(
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Any:
    return service.list_work_study(session, principal=principal, year=year, limit=page.limit, offset=page.offset)
