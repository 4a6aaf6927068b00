"""就业指导员 pages for work that reaches beyond the county: 异地转介 to a county or city union anywhere in China
(the union picked from the national division codes, its contact on first use), the receiving union's outcome, and
转介购买服务 — referring an unemployed graduate to a purchased-service contract for 定向就业援助. Every domain call
is the one the API routers make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.clock import local_today
from services.db import SessionDep
from services.tracking import service as tracking
from services.web.counselor import CounselorViewer, Id, render_handoffs
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render
from services.web.validation import day

router = APIRouter(prefix="/counselor", route_class=PageRoute, include_in_schema=False)
GraduateId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def _graduate_name(session: Session, viewer: Viewer, graduate_id: int | None) -> str | None:
    if graduate_id is None:
        return None
    found = attempt(
        session, lambda: tracking.readable_graduate(session, principal=viewer.principal, graduate_id=graduate_id)
    )
    return None if isinstance(found, FormErrors) else found.name


# ---- 异地转介（全国） ----------------------------------------------------------------------------------------


def _external_context(
    session: Session, viewer: Viewer, graduate_id: int | None, q: str, form: dict[str, str] | None = None
) -> dict[str, object]:
    found = (
        attempt(session, lambda: tracking.search_receiving_divisions(session, principal=viewer.principal, query=q))
        if q
        else []
    )
    divisions = [] if isinstance(found, FormErrors) else found
    unions, _ = tracking.list_external_unions(session, principal=viewer.principal, query=None, limit=100, offset=0)
    known = {u.division_code: u for u in unions}
    return {
        "graduate_id": graduate_id,
        "graduate_name": _graduate_name(session, viewer, graduate_id),
        "q": q,
        "divisions": divisions,
        "known": known,
        "form": form or {},
    }


@router.get("/external-handoffs")
def external_handoff_form(
    request: Request,
    viewer: CounselorViewer,
    session: SessionDep,
    graduate_id: GraduateId = None,
    q: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    context = _external_context(session, viewer, graduate_id, q.strip())
    return render(request, "counselor/external_handoff.html", context, viewer=viewer)


@router.post("/external-handoffs")
async def create_external_handoff(request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    raw_id = form.get("graduate_id", "").strip()
    graduate_id = int(raw_id) if raw_id.isdigit() and 0 < int(raw_id) < 2**31 else None
    result: object
    if graduate_id is None:
        result = FormErrors(detail="请填写毕业生编号", fields={"graduate_id": "请填写毕业生编号"})
    else:
        gid = graduate_id
        result = attempt(
            session,
            lambda: tracking.request_external_handoff(
                session,
                principal=viewer.principal,
                graduate_id=gid,
                division_code=form.get("division_code", "").strip(),
                contact_name=form.get("contact_name") or None,
                contact_phone=form.get("contact_phone") or None,
                reason=form.get("reason", "").strip(),
                intended_place=form.get("intended_place", "").strip() or None,
            ),
        )
    if isinstance(result, FormErrors):
        context = _external_context(session, viewer, graduate_id, form.get("q", "").strip(), form)
        context["errors"] = result
        return render(request, "counselor/external_handoff.html", context, viewer=viewer, status_code=result.status)
    return redirect("/counselor/handoffs?state=pending")


@router.post("/handoffs/{handoff_id}/outcome")
async def handoff_outcome(handoff_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    on = attempt(session, lambda: day(form.get("outcome_on"), field="outcome_on"))
    result: object = on
    if not isinstance(on, FormErrors):
        when = on or local_today()
        result = attempt(
            session,
            lambda: tracking.record_handoff_outcome(
                session,
                principal=viewer.principal,
                handoff_id=handoff_id,
                outcome=form.get("outcome", ""),
                outcome_on=when,
                employer=form.get("employer") or None,
                note=form.get("note") or None,
            ),
        )
    if isinstance(result, FormErrors):
        return render_handoffs(request, session, viewer, errors=result, failed_id=handoff_id)
    return redirect(f"/counselor/handoffs#handoff-{handoff_id}")


# ---- 转介购买服务（定向就业援助） ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferralView:
    id: int
    graduate_id: int
    graduate_name: str
    contract: str
    provider: str
    state_name: str
    referred_on: str
    outcome: str


def _referral_context(
    session: Session, viewer: Viewer, graduate_id: int | None, form: dict[str, str] | None = None
) -> dict[str, object]:
    contracts, _ = catalog.list_contracts(
        session, principal=viewer.principal, provider_id=None, active_on=local_today(), limit=100, offset=0
    )
    providers = catalog.provider_names(session, ids=[c.provider_id for c in contracts])
    figures = tracking.contract_figures(session, contract_ids=[c.id for c in contracts])
    options = []
    for c in contracts:
        used = sum(figures.get(c.id, {}).values())
        options.append(
            (str(c.id), f"{c.title}（{providers.get(c.provider_id, '')}，已转介 {used}/{c.graduates_to_serve} 人）")
        )
    rows, total = tracking.list_referrals(session, principal=viewer.principal, limit=50, offset=0)
    by_id = {c.id: c for c in contracts}
    names: dict[int, str] = {}
    items = []
    for r in rows:
        if r.graduate_id not in names:
            names[r.graduate_id] = _graduate_name(session, viewer, r.graduate_id) or f"编号 {r.graduate_id}"
        contract = by_id.get(r.contract_id)
        outcome = ""
        if r.state == "placed":
            outcome = f"{r.outcome_on} 就业于 {r.employer_name}"
        elif r.state == "not_placed":
            outcome = f"{r.outcome_on} {r.outcome_note or ''}"
        items.append(
            ReferralView(
                id=r.id,
                graduate_id=r.graduate_id,
                graduate_name=names[r.graduate_id],
                contract=contract.title if contract else f"合同 {r.contract_id}",
                provider=providers.get(contract.provider_id, "") if contract else "",
                state_name=tracking.REFERRAL_NAMES.get(r.state, r.state),
                referred_on=r.referred_on.isoformat(),
                outcome=outcome,
            )
        )
    return {
        "graduate_id": graduate_id,
        "graduate_name": _graduate_name(session, viewer, graduate_id),
        "contracts": options,
        "items": items,
        "total": total,
        "form": form or {},
    }


@router.get("/referrals")
def referrals(
    request: Request, viewer: CounselorViewer, session: SessionDep, graduate_id: GraduateId = None
) -> HTMLResponse:
    context = _referral_context(session, viewer, graduate_id)
    return render(request, "counselor/referrals.html", context, viewer=viewer)


@router.post("/referrals")
async def refer(request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    gid_text, cid_text = form.get("graduate_id", "").strip(), form.get("contract_id", "").strip()
    result: object
    if not (gid_text.isdigit() and 0 < int(gid_text) < 2**31):
        result = FormErrors(detail="请填写毕业生编号", fields={"graduate_id": "请填写毕业生编号"})
    elif not (cid_text.isdigit() and 0 < int(cid_text) < 2**31):
        result = FormErrors(detail="请选择购买服务合同", fields={"contract_id": "请选择购买服务合同"})
    else:
        gid, cid = int(gid_text), int(cid_text)
        result = attempt(
            session,
            lambda: tracking.refer(
                session, principal=viewer.principal, graduate_id=gid, contract_id=cid, note=form.get("note") or None
            ),
        )
    if isinstance(result, FormErrors):
        graduate_id = int(gid_text) if gid_text.isdigit() and 0 < int(gid_text) < 2**31 else None
        context = _referral_context(session, viewer, graduate_id, form)
        context["errors"] = result
        return render(request, "counselor/referrals.html", context, viewer=viewer, status_code=result.status)
    return redirect("/counselor/referrals?saved=1")
