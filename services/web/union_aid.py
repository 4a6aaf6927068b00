"""县区 / 市总工会 pages of 金秋助学: the review queue (the grassroots union's, then the assistance centre's
opinion), 公示 (publishing the approved awards, the print view, objections and their findings) and 发放 (a payment
for each award that has passed its notice). Every domain call is the one the aid API router makes."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.aid import service as aid
from services.aid import workdays
from services.aid.models import (
    FUND_NAMES,
    STAGE_NAMES,
    ApplicationStatus,
    AwardStatus,
    ObjectionStatus,
    PaymentStatus,
    ReviewStage,
)
from services.db import SessionDep
from services.errors import ValidationFailed
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render
from services.web.union import UnionViewer

router = APIRouter(prefix="/union/aid", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
APPLICATION_STATUS_NAMES: dict[str, str] = {
    ApplicationStatus.SUBMITTED: "待基层工会审核",
    ApplicationStatus.GRASSROOTS_APPROVED: "待帮扶中心审核",
    ApplicationStatus.RETURNED: "退回补正",
    ApplicationStatus.REFUSED: "不予资助",
    ApplicationStatus.APPROVED: "审核通过",
    ApplicationStatus.REVOKED: "已撤销",
}
AWARD_STATUS_NAMES: dict[str, str] = {
    AwardStatus.APPROVED: "待公示",
    AwardStatus.NOTICED: "公示中",
    AwardStatus.PAYING: "付款中",
    AwardStatus.PAID: "已到账",
    AwardStatus.REVOKED: "已撤销",
}
PAYMENT_STATUS_NAMES: dict[str, str] = {
    PaymentStatus.PENDING: "待编入批次",
    PaymentStatus.BATCHED: "已编入批次",
    PaymentStatus.SENT: "已送银行",
    PaymentStatus.UNKNOWN: "结果未知",
    PaymentStatus.SUCCEEDED: "已到账",
    PaymentStatus.FAILED: "失败",
}
OBJECTION_STATUS_NAMES: dict[str, str] = {
    ObjectionStatus.OPEN: "待处理",
    ObjectionStatus.UPHELD: "异议成立（撤销资助）",
    ObjectionStatus.DISMISSED: "异议不成立",
}
DECISIONS = [("approve", "同意"), ("return", "退回补正"), ("refuse", "不予资助")]
QUEUE = (ApplicationStatus.SUBMITTED, ApplicationStatus.GRASSROOTS_APPROVED)


def _year(year: int | None) -> int:
    return year or workdays.today().year


# ---- 审核 -------------------------------------------------------------------------------------------------


def _queue_context(session: Session, viewer: Viewer, year: int) -> dict[str, Any]:
    items = []
    for status in QUEUE:
        rows, _ = aid.list_applications(session, principal=viewer.principal, year=year, status=status, limit=50)
        stage = ReviewStage.GRASSROOTS if status == ApplicationStatus.SUBMITTED else ReviewStage.CENTRE
        items += [(a, stage.value) for a in rows]
    return {
        "items": items,
        "year": year,
        "status_names": APPLICATION_STATUS_NAMES,
        "stage_names": STAGE_NAMES,
        "decisions": DECISIONS,
        "errors": FormErrors(),
    }


@router.get("")
def queue(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    return render(request, "union/aid_queue.html", _queue_context(session, viewer, _year(year)), viewer=viewer)


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValidationFailed("应为金额数字", field="amount") from exc


@router.post("/applications/{application_id}/review")
async def review(application_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    result = attempt(
        session,
        lambda: aid.review(
            session,
            principal=viewer.principal,
            application_id=application_id,
            stage=form.get("stage", ""),
            decision=form.get("decision", ""),
            opinion=form.get("opinion", ""),
            amount=_amount(form.get("amount", "")),
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_queue_context(session, viewer, _year(None)), "errors": result, "failed_id": application_id}
        return render(request, "union/aid_queue.html", context, viewer=viewer, status_code=result.status)
    return redirect("/union/aid", request)


# ---- 公示 -------------------------------------------------------------------------------------------------


def _notices_context(session: Session, viewer: Viewer, year: int) -> dict[str, Any]:
    approved = aid.list_awards(
        session, principal=viewer.principal, year=year, status=AwardStatus.APPROVED, limit=200, offset=0
    )
    names = {
        a.id: aid.get_application(session, principal=viewer.principal, application_id=a.application_id)
        for a in approved
    }
    return {
        "year": year,
        "approved": [(a, names[a.id]) for a in approved],
        "notices": aid.list_notices(session, principal=viewer.principal, year=year, limit=50, offset=0),
        "today": workdays.today(),
        "errors": FormErrors(),
    }


@router.get("/notices")
def notices(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    return render(request, "union/aid_notices.html", _notices_context(session, viewer, _year(year)), viewer=viewer)


@router.post("/notices")
async def publish(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    award_ids = [int(v) for v in (await request.form()).getlist("award_ids") if isinstance(v, str) and v.isdigit()]
    starts = form.get("starts_on", "")
    org_unit_id = viewer.principal.org_unit_id or 0
    result = attempt(
        session,
        lambda: aid.publish_notice(
            session,
            principal=viewer.principal,
            org_unit_id=org_unit_id,
            award_ids=award_ids,
            supervision_phone=form.get("supervision_phone", ""),
            starts_on=date.fromisoformat(starts) if starts else workdays.today(),
            today=workdays.today(),
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_notices_context(session, viewer, _year(None)), "errors": result}
        return render(request, "union/aid_notices.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/aid/notices/{result.id}", request)


def _notice_context(session: Session, viewer: Viewer, notice_id: int) -> dict[str, Any]:
    notice = aid.get_notice(session, principal=viewer.principal, notice_id=notice_id)
    return {
        "notice": notice,
        "lines": aid.notice_lines(session, notice=notice),
        "objections": aid.objections_of(session, notice_id=notice.id),
        "objection_names": OBJECTION_STATUS_NAMES,
        "showing": aid.notice_is_showing(notice, today=workdays.today()),
        "errors": FormErrors(),
    }


@router.get("/notices/{notice_id}")
def notice_page(notice_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/aid_notice.html", _notice_context(session, viewer, notice_id), viewer=viewer)


@router.get("/notices/{notice_id}/print")
def notice_print(notice_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/aid_notice_print.html", _notice_context(session, viewer, notice_id), viewer=viewer)


@router.post("/notices/{notice_id}/objections")
async def lodge(notice_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    award = form.get("award_id", "")
    result = attempt(
        session,
        lambda: aid.lodge_objection(
            session,
            principal=viewer.principal,
            notice_id=notice_id,
            award_id=int(award) if award.isdigit() else 0,
            content=form.get("content", ""),
            today=workdays.today(),
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_notice_context(session, viewer, notice_id), "errors": result}
        return render(request, "union/aid_notice.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/aid/notices/{notice_id}#objections", request)


@router.post("/objections/{objection_id}/resolve")
async def resolve(objection_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    objection = aid.get_objection(session, principal=viewer.principal, objection_id=objection_id)
    result = attempt(
        session,
        lambda: aid.resolve_objection(
            session,
            principal=viewer.principal,
            objection_id=objection_id,
            upheld=form.get("finding") == "upheld",
            resolution=form.get("resolution", ""),
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_notice_context(session, viewer, objection.notice_id), "errors": result}
        return render(request, "union/aid_notice.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/aid/notices/{objection.notice_id}#objections", request)


# ---- 发放 -------------------------------------------------------------------------------------------------


def _payments_context(session: Session, viewer: Viewer, year: int) -> dict[str, Any]:
    awards = aid.list_awards(session, principal=viewer.principal, year=year, status=None, limit=500, offset=0)
    today = workdays.today()
    rows = [
        (a, aid.payment_blockers(session, award=a, today=today) if a.status == AwardStatus.NOTICED else [])
        for a in awards
        if a.status != AwardStatus.REVOKED
    ]
    return {
        "year": year,
        "rows": rows,
        "payments": aid.list_payments(
            session, principal=viewer.principal, status=None, batch_id=None, limit=200, offset=0
        ),
        "award_names": AWARD_STATUS_NAMES,
        "payment_names": PAYMENT_STATUS_NAMES,
        "fund_names": FUND_NAMES,
        "key": secrets.token_urlsafe(16),
        "errors": FormErrors(),
    }


@router.get("/payments")
def payments(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    return render(request, "union/aid_payments.html", _payments_context(session, viewer, _year(year)), viewer=viewer)


@router.post("/awards/{award_id}/pay")
async def pay(award_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    key = form.get("idempotency_key", "").strip() or secrets.token_urlsafe(16)
    answer = aid.request_payment(
        session,
        principal=viewer.principal,
        award_id=award_id,
        idempotency_key=f"web-{key}-{award_id}",
        today=workdays.today(),
    )
    if answer.status_code >= 400:
        errors = FormErrors(detail=str(answer.body.get("detail", "未能发起付款")), status=answer.status_code)
        context = {**_payments_context(session, viewer, _year(None)), "errors": errors, "failed_id": award_id}
        return render(request, "union/aid_payments.html", context, viewer=viewer, status_code=answer.status_code)
    return redirect("/union/aid/payments", request)
