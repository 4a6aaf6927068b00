"""就业指导员 pages of the employment policies and national aid: a graduate's 可享受的政策 with the rule engine's
reasons and a claim form for each, the graduate's 奖助贷勤减免 records with an entry form, and the list of
hardship students not yet in national aid. Every domain call is the one the aid policy router makes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.aid import national_aid, policies, policy_claims, workdays
from services.aid.policy_models import (
    CLAIM_STATUS_NAMES,
    EMPLOYER_KIND_NAMES,
    NATIONAL_AID_NAMES,
)
from services.db import SessionDep
from services.web.counselor import CounselorViewer, Id
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, form_list, redirect, render

router = APIRouter(prefix="/counselor", route_class=PageRoute, include_in_schema=False)
STAGE_NAMES = {"graduate": "毕业生", "student": "在校生"}


def _amount(raw: str, field: str, errors: FormErrors) -> Decimal | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        errors.fields[field] = "请填写数字金额"
        errors.detail = errors.detail or "金额格式不对"
        return None


def _context(session: Session, viewer: Viewer, graduate_id: int) -> dict[str, Any]:
    today = workdays.today()
    found = attempt(
        session, lambda: policies.entitlements(session, principal=viewer.principal, student_id=graduate_id, today=today)
    )
    if isinstance(found, FormErrors):
        return {"missing": found, "graduate_id": graduate_id}
    records = national_aid.national_aid_of(session, principal=viewer.principal, student_id=graduate_id)
    claims = policy_claims.list_claims(session, principal=viewer.principal, student_id=graduate_id, limit=100)
    return {
        "graduate_id": graduate_id,
        "entitlements": found,
        "claims": claims,
        "records": records,
        "policy_names": {e.policy.id: e.policy.name for e in found},
        "claim_names": {k.value: v for k, v in CLAIM_STATUS_NAMES.items()},
        "employer_kinds": [(k.value, v) for k, v in EMPLOYER_KIND_NAMES.items()],
        "national_kinds": [(k.value, v) for k, v in NATIONAL_AID_NAMES.items()],
        "national_names": {k.value: v for k, v in NATIONAL_AID_NAMES.items()},
        "fund_name": policies.fund_name,
        "year": today.year,
        "errors": FormErrors(),
        "failed_policy": None,
        "form": {},
    }


@router.get("/graduates/{graduate_id}/policies")
def policies_page(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> HTMLResponse:
    context = _context(session, viewer, graduate_id)
    context["saved"] = request.query_params.get("saved")
    status = context["missing"].status if "missing" in context else 200
    return render(request, "counselor/policies.html", context, viewer=viewer, status_code=status)


@router.post("/graduates/{graduate_id}/claims")
async def apply_claim(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    errors = FormErrors()
    policy_raw = form.get("policy_id", "")
    policy_id = int(policy_raw) if policy_raw.isdigit() and len(policy_raw) < 10 else 0
    requested = _amount(form.get("requested_amount", ""), "requested_amount", errors)
    result: object = errors
    if not errors:
        data = policy_claims.ClaimInput(
            student_id=graduate_id,
            policy_id=policy_id,
            year=workdays.today().year,
            requested_amount=requested,
            employer_name=form.get("employer_name") or None,
            employer_kind=form.get("employer_kind") or None,
            employer_place=form.get("employer_place", "").strip() or None,
            proofs=tuple(await form_list(request, "proofs")),
            payee_name=form.get("payee_name") or None,
            payee_bank=form.get("payee_bank") or None,
            payee_card=form.get("payee_card") or None,
        )
        result = attempt(
            session,
            lambda: policy_claims.apply_claim(session, principal=viewer.principal, data=data, today=workdays.today()),
        )
    if isinstance(result, FormErrors):
        context = _context(session, viewer, graduate_id)
        context.update(errors=result, failed_policy=policy_id, form=form)
        return render(request, "counselor/policies.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/counselor/graduates/{graduate_id}/policies?saved=claim", request)


@router.post("/graduates/{graduate_id}/national-aid")
async def record_national_aid(
    graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep
) -> Response:
    form = await form_data(request)
    errors = FormErrors()
    amount = _amount(form.get("amount", ""), "amount", errors)
    year_raw = form.get("na_year", "").strip()
    if not year_raw.isdigit() or len(year_raw) != 4:
        errors.fields["na_year"] = "请填写4位学年起始年份，如 2023"
        errors.detail = errors.detail or "学年格式不对"
    if amount is None and "amount" not in errors.fields:
        errors.fields["amount"] = "请填写金额"
        errors.detail = errors.detail or "请填写金额"
    result: object = errors
    if not errors and amount is not None:
        data = national_aid.NationalAidInput(
            student_id=graduate_id,
            kind=form.get("kind", ""),
            year=int(year_raw),
            amount=amount,
            source=form.get("source", ""),
            note=form.get("note") or None,
        )
        result = attempt(
            session, lambda: national_aid.record_national_aid(session, principal=viewer.principal, data=data)
        )
    if isinstance(result, FormErrors):
        context = _context(session, viewer, graduate_id)
        context.update(errors=result, form=form, failed_policy=-1)
        return render(request, "counselor/policies.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/counselor/graduates/{graduate_id}/policies?saved=national", request)


@router.get("/national-aid/not-enrolled")
def not_enrolled_page(
    request: Request, viewer: CounselorViewer, session: SessionDep, year: int | None = Query(None, ge=2000, le=2100)
) -> HTMLResponse:
    rows = national_aid.not_enrolled(session, principal=viewer.principal, year=year)
    context = {"rows": rows, "year": year, "stage_names": STAGE_NAMES}
    return render(request, "counselor/not_enrolled.html", context, viewer=viewer)
