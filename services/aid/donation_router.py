"""The API of donation funds: funds with the donor's conditions, allocations (checked against them), withdrawal,
the import of a donor's list, and the donor's report (JSON and xlsx)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from sqlalchemy.orm import Session

from services.aid import donation_reports as reports
from services.aid import donations
from services.aid.donation_models import AidDonationFund
from services.aid.donation_schemas import (
    AllocationIn,
    AllocationOut,
    FundIn,
    FundOut,
    FundPatch,
    ImportOut,
    ReportLineOut,
    ReportOut,
    WithdrawIn,
)
from services.db import SessionDep
from services.errors import Conflict, Forbidden, NotFound, PayloadTooLarge, ValidationFailed, responses
from services.security.dependencies import StaffPrincipal

router = APIRouter(prefix="/api/v1/aid/donations", tags=["捐款助学"])
FundId = Annotated[int, Path(ge=1, le=2**31 - 1)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024


def fund_out(session: Session, fund: AidDonationFund) -> FundOut:
    return FundOut.model_validate(
        {
            **{c: getattr(fund, c) for c in FundOut.model_fields if hasattr(fund, c)},
            "balance": fund.received - fund.allocated,
            "conditions_text": donations.describe(session, fund),
            "recipient_ids": donations.recipients_of(session, fund=fund),
        }
    )


def fund_input(body: FundIn) -> donations.FundInput:
    data = body.model_dump(exclude={"conditions"})
    c = body.conditions
    conditions = donations.Conditions(
        stages=tuple(c.stages),
        service_categories=tuple(c.service_categories),
        school_kinds=tuple(c.school_kinds),
        educations=tuple(c.educations),
        county_org_ids=tuple(c.county_org_ids),
        cohorts=tuple(c.cohorts),
        majors=tuple(c.majors),
        archived_only=c.archived_only,
    )
    return donations.FundInput(**data, conditions=conditions)


@router.post(
    "",
    response_model=FundOut,
    status_code=201,
    summary="登记捐款项目",
    description="一位捐赠方一个年度的捐款：认捐、到账金额，捐赠方意愿（资助对象条件或指定受助人）和资助标准。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def create_fund(body: FundIn, principal: StaffPrincipal, session: SessionDep) -> FundOut:
    fund = donations.create_fund(session, principal=principal, data=fund_input(body))
    return fund_out(session, fund)


@router.get(
    "",
    response_model=list[FundOut],
    summary="捐款项目",
    description="辖区内的捐款项目及其余额。",
    responses=responses(Forbidden),
)
def list_funds(
    principal: StaffPrincipal, session: SessionDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[FundOut]:
    return [fund_out(session, f) for f in donations.list_funds(session, principal=principal, year=year)]


@router.get(
    "/{fund_id}",
    response_model=FundOut,
    summary="捐款项目详情",
    responses=responses(Forbidden, NotFound),
)
def get_fund(fund_id: FundId, principal: StaffPrincipal, session: SessionDep) -> FundOut:
    return fund_out(session, donations.get_fund(session, principal=principal, fund_id=fund_id))


@router.patch(
    "/{fund_id}",
    response_model=FundOut,
    summary="更新到账金额或结项",
    description="到账金额不能低于已安排金额。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def patch_fund(fund_id: FundId, body: FundPatch, principal: StaffPrincipal, session: SessionDep) -> FundOut:
    fund = donations.update_fund(session, principal=principal, fund_id=fund_id, **body.model_dump())
    return fund_out(session, fund)


@router.get(
    "/{fund_id}/allocations",
    response_model=list[AllocationOut],
    summary="捐款资助明细",
    responses=responses(Forbidden, NotFound),
)
def list_allocations(fund_id: FundId, principal: StaffPrincipal, session: SessionDep) -> Any:
    fund = donations.get_fund(session, principal=principal, fund_id=fund_id)
    return donations.allocations_of(session, fund=fund)


@router.post(
    "/{fund_id}/allocations",
    response_model=AllocationOut,
    status_code=201,
    summary="从捐款中安排资助",
    description="按捐赠方意愿校验：不符合的以 422 拒绝并写明违反的条件（如“捐赠方限定：仅资助大学本科在读学生”），"
    "不作任何改动；余额不足同样拒绝。",
    responses=responses(Forbidden, NotFound, ValidationFailed),
)
def allocate(fund_id: FundId, body: AllocationIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return donations.allocate(session, principal=principal, fund_id=fund_id, source="api", **body.model_dump())


@router.post(
    "/allocations/{allocation_id}/withdraw",
    response_model=AllocationOut,
    summary="撤回捐款资助",
    description="关联资助尚未付款时可撤回，金额退回捐款余额。",
    responses=responses(Forbidden, NotFound, Conflict, ValidationFailed),
)
def withdraw(allocation_id: FundId, body: WithdrawIn, principal: StaffPrincipal, session: SessionDep) -> Any:
    return donations.withdraw(session, principal=principal, allocation_id=allocation_id, reason=body.reason)


@router.post(
    "/{fund_id}/allocations/import",
    response_model=ImportOut,
    status_code=201,
    summary="导入受助名单",
    description="xlsx 或 csv，表头“身份证号”“金额”“备注”。逐行按捐赠方意愿校验，"
    "有一行不通过则全部不导入，并列出每行原因。",
    responses=responses(Forbidden, NotFound, ValidationFailed, PayloadTooLarge),
)
async def import_allocations(
    fund_id: FundId, principal: StaffPrincipal, session: SessionDep, file: Annotated[UploadFile, File()]
) -> ImportOut:
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise PayloadTooLarge("文件不能超过 5 MB")
    result = reports.import_allocations(
        session, principal=principal, fund_id=fund_id, filename=file.filename or "", content=content
    )
    return ImportOut(created=result.created)


@router.get(
    "/{fund_id}/report",
    response_model=ReportOut,
    summary="捐赠方报告",
    description="受助学生（姓名、身份证号已遮蔽）、金额、发放情况、合计与余额。",
    responses=responses(Forbidden, NotFound),
)
def report(fund_id: FundId, principal: StaffPrincipal, session: SessionDep) -> ReportOut:
    r = reports.fund_report(session, principal=principal, fund_id=fund_id)
    return ReportOut(
        fund=fund_out(session, r.fund),
        recipients=r.recipients,
        allocated=r.allocated,
        paid=r.paid,
        balance=r.balance,
        lines=[ReportLineOut.model_validate(line) for line in r.lines],
    )


@router.get(
    "/{fund_id}/report.xlsx",
    summary="捐赠方报告（Excel）",
    responses=responses(Forbidden, NotFound),
)
def report_xlsx(fund_id: FundId, principal: StaffPrincipal, session: SessionDep) -> Response:
    r = reports.fund_report(session, principal=principal, fund_id=fund_id)
    return Response(
        reports.report_xlsx(session, principal=principal, report=r),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=donation-{fund_id}.xlsx"},
    )
