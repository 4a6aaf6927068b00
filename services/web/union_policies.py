"""县区 / 市总工会 pages of the employment policies: the claims of the scope (核准 within the fund's budget, 不予核准,
发放 through the same payment path as 助学金), the funds' budgets, and the policies in force with their versions.
Every domain call is the one the aid policy router makes."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.aid import policies, policy_claims, workdays
from services.aid.policy_models import CLAIM_STATUS_NAMES, EMPLOYER_KIND_NAMES, POLICY_KIND_NAMES
from services.db import SessionDep
from services.orgs import service as orgs
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render
from services.web.union import UnionViewer

router = APIRouter(prefix="/union/aid", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


def _context(session: Session, viewer: Viewer, year: int, errors: FormErrors | None = None) -> dict[str, Any]:
    views = policies.list_policies(session, principal=viewer.principal)
    claims = policy_claims.list_claims(session, principal=viewer.principal, year=year, limit=500)
    budgets = policies.list_fund_budgets(session, principal=viewer.principal, year=year)
    units = {b.county_org_id for b in budgets} | {c.county_org_id for c in claims}
    return {
        "year": year,
        "views": views,
        "claims": claims,
        "budgets": budgets,
        "unit_names": {u: orgs.county_of(session, org_unit_id=u).name for u in units},
        "policy_names": {v.policy.id: v.policy.name for v in views},
        "kind_names": {k.value: v for k, v in POLICY_KIND_NAMES.items()},
        "claim_names": {k.value: v for k, v in CLAIM_STATUS_NAMES.items()},
        "employer_names": {k.value: v for k, v in EMPLOYER_KIND_NAMES.items()},
        "fund_name": policies.fund_name,
        "key": secrets.token_urlsafe(16),
        "errors": errors or FormErrors(),
        "failed_id": None,
    }


def _year(year: int | None) -> int:
    return year or workdays.today().year


@router.get("/claims")
def claims_page(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    context = _context(session, viewer, _year(year))
    context["saved"] = request.query_params.get("saved")
    return render(request, "union/aid_claims.html", context, viewer=viewer)


def _refused(request: Request, session: SessionDep, viewer: Viewer, claim_id: int, errors: FormErrors) -> Response:
    context = _context(session, viewer, _year(None), errors)
    context["failed_id"] = claim_id
    return render(request, "union/aid_claims.html", context, viewer=viewer, status_code=errors.status)


@router.post("/claims/{claim_id}/grant")
async def grant(claim_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    raw = form.get("amount", "").strip()
    amount: Decimal | None = None
    if raw:
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            return _refused(
                request, session, viewer, claim_id, FormErrors("核准金额应为数字", {"amount": "请填写数字"})
            )
    result = attempt(
        session,
        lambda: policy_claims.grant_claim(session, principal=viewer.principal, claim_id=claim_id, amount=amount),
    )
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, claim_id, result)
    return redirect("/union/aid/claims?saved=granted", request)


@router.post("/claims/{claim_id}/refuse")
async def refuse(claim_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    result = attempt(
        session,
        lambda: policy_claims.refuse_claim(
            session, principal=viewer.principal, claim_id=claim_id, reason=form.get("reason", "")
        ),
    )
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, claim_id, result)
    return redirect("/union/aid/claims?saved=refused", request)


@router.post("/claims/{claim_id}/pay")
async def pay(claim_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    key = form.get("idempotency_key", "").strip() or secrets.token_urlsafe(16)
    answer = attempt(
        session,
        lambda: policy_claims.pay_claim(
            session,
            principal=viewer.principal,
            claim_id=claim_id,
            idempotency_key=f"web-{key}-c{claim_id}",
            today=workdays.today(),
        ),
    )
    if isinstance(answer, FormErrors):
        return _refused(request, session, viewer, claim_id, answer)
    if answer.status_code >= 400:
        detail = str(answer.body.get("detail", "未能发起付款"))
        return _refused(request, session, viewer, claim_id, FormErrors(detail=detail, status=answer.status_code))
    return redirect("/union/aid/claims?saved=paying", request)
