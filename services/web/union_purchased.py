"""县区 / 市总工会 pages for 购买服务: the service providers, the contracts (with how many graduates each has been
referred and placed) and, per contract, the referrals with the forms to record the provider's acceptance and the
outcome. Every domain call is the one the API routers make."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.clock import local_today
from services.db import SessionDep
from services.errors import ValidationFailed
from services.orgs import service as orgs
from services.security.models import Role
from services.tracking import service as tracking
from services.web.auth import get_viewer
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, require_role
from services.web.validation import day

router = APIRouter(prefix="/union/purchased", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
STAFF = (Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)


def staff_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, *STAFF)
    return viewer


StaffViewer = Annotated[Viewer, Depends(staff_viewer)]


@dataclass(frozen=True, slots=True)
class ContractView:
    id: int
    number: str
    title: str
    provider: str
    unit: str
    period: str
    amount: Decimal
    fund: str
    seats: int
    referred: int
    placed: int


def _page_context(session: Session, viewer: Viewer) -> dict[str, Any]:
    providers, _ = catalog.list_providers(session, principal=viewer.principal, query=None, limit=100, offset=0)
    contracts, total = catalog.list_contracts(
        session, principal=viewer.principal, provider_id=None, active_on=None, limit=100, offset=0
    )
    names = catalog.provider_names(session, ids=[c.provider_id for c in contracts])
    figures = tracking.contract_figures(session, contract_ids=[c.id for c in contracts])
    units = {u.id: u.name for u in orgs.list_units(session, scope=None)}
    views = [
        ContractView(
            id=c.id,
            number=c.number,
            title=c.title,
            provider=names.get(c.provider_id, ""),
            unit=units.get(c.org_unit_id, ""),
            period=f"{c.starts_on} 至 {c.ends_on}",
            amount=c.amount,
            fund=catalog.CONTRACT_FUNDS.get(c.fund, c.fund),
            seats=c.graduates_to_serve,
            referred=sum(figures.get(c.id, {}).values()),
            placed=figures.get(c.id, {}).get("placed", 0),
        )
        for c in contracts
    ]
    buyers = [
        (str(u.id), u.name)
        for u in orgs.list_units(session, scope=viewer.principal.scope)
        if u.kind in catalog.PURCHASING_KINDS
    ]
    return {
        "providers": providers,
        "provider_kinds": list(catalog.PROVIDER_KINDS.items()),
        "provider_options": [(str(p.id), p.name) for p in providers],
        "contracts": views,
        "total": total,
        "funds": list(catalog.CONTRACT_FUNDS.items()),
        "buyers": buyers,
        "form": {},
        "form_kind": "",
    }


@router.get("")
def purchased(request: Request, viewer: StaffViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/purchased.html", _page_context(session, viewer), viewer=viewer)


def _refused(
    request: Request, session: SessionDep, viewer: Viewer, kind: str, errors: FormErrors, form: dict[str, str]
) -> HTMLResponse:
    context = _page_context(session, viewer)
    context.update(errors=errors, form=form, form_kind=kind)
    return render(request, "union/purchased.html", context, viewer=viewer, status_code=errors.status)


@router.post("/providers")
async def create_provider(request: Request, viewer: StaffViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    data = catalog.ProviderData(
        name=form.get("name", ""),
        credit_code=form.get("credit_code", ""),
        kind=form.get("kind", ""),
        contact_name=form.get("contact_name", ""),
        contact_phone=form.get("contact_phone", ""),
        address=form.get("address", ""),
    )
    result = attempt(session, lambda: catalog.create_provider(session, principal=viewer.principal, data=data))
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, "provider", result, form)
    return redirect("/union/purchased#providers")


def _int(text: str, field: str, reason: str) -> int:
    value = text.strip()
    if not (value.isdigit() and 0 < int(value) < 2**31):
        raise ValidationFailed(reason, field=field)
    return int(value)


def _contract_data(form: dict[str, str]) -> catalog.ContractData:
    starts, ends = day(form.get("starts_on"), field="starts_on"), day(form.get("ends_on"), field="ends_on")
    if starts is None:
        raise ValidationFailed("请填写服务期开始日期", field="starts_on")
    if ends is None:
        raise ValidationFailed("请填写服务期结束日期", field="ends_on")
    try:
        amount = Decimal(form.get("amount", "").strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationFailed("合同金额应为数字，如 60000.00", field="amount") from exc
    return catalog.ContractData(
        provider_id=_int(form.get("provider_id", ""), "provider_id", "请选择服务机构"),
        org_unit_id=_int(form.get("org_unit_id", ""), "org_unit_id", "请选择购买单位"),
        number=form.get("number", ""),
        title=form.get("title", ""),
        service_content=form.get("service_content", ""),
        starts_on=starts,
        ends_on=ends,
        amount=amount,
        fund=form.get("fund", ""),
        graduates_to_serve=_int(form.get("graduates_to_serve", ""), "graduates_to_serve", "服务人数至少为1人"),
    )


@router.post("/contracts")
async def create_contract(request: Request, viewer: StaffViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    result = attempt(
        session, lambda: catalog.create_contract(session, principal=viewer.principal, data=_contract_data(form))
    )
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, "contract", result, form)
    return redirect(f"/union/purchased/contracts/{result.id}")


@dataclass(frozen=True, slots=True)
class ReferralRow:
    id: int
    graduate_id: int
    graduate_name: str
    state: str
    state_name: str
    referred_on: str
    accepted_on: str
    outcome: str
    next_moves: list[tuple[str, str]]


def _graduate_name(session: Session, viewer: Viewer, graduate_id: int) -> str:
    found = attempt(
        session, lambda: tracking.readable_graduate(session, principal=viewer.principal, graduate_id=graduate_id)
    )
    return f"编号 {graduate_id}" if isinstance(found, FormErrors) else found.name


def _contract_context(session: Session, viewer: Viewer, contract_id: int) -> dict[str, Any]:
    contract = catalog.get_contract(session, principal=viewer.principal, contract_id=contract_id)
    provider = catalog.get_provider(session, principal=viewer.principal, provider_id=contract.provider_id)
    rows, total = tracking.list_referrals(session, principal=viewer.principal, contract_id=contract.id, limit=100)
    items = []
    for r in rows:
        name = _graduate_name(session, viewer, r.graduate_id)
        outcome = ""
        if r.state == "placed":
            outcome = f"{r.outcome_on} 就业于 {r.employer_name}"
        elif r.state == "not_placed":
            outcome = f"{r.outcome_on} {r.outcome_note or ''}"
        items.append(
            ReferralRow(
                id=r.id,
                graduate_id=r.graduate_id,
                graduate_name=name,
                state=r.state,
                state_name=tracking.REFERRAL_NAMES.get(r.state, r.state),
                referred_on=r.referred_on.isoformat(),
                accepted_on=r.accepted_on.isoformat() if r.accepted_on else "",
                outcome=outcome,
                next_moves=[(m, tracking.REFERRAL_NAMES[m]) for m in sorted(tracking.REFERRAL_MOVES[r.state])],
            )
        )
    figures = tracking.contract_figures(session, contract_ids=[contract.id])[contract.id]
    return {
        "contract": contract,
        "provider": provider,
        "provider_kind": catalog.PROVIDER_KINDS.get(provider.kind, provider.kind),
        "fund": catalog.CONTRACT_FUNDS.get(contract.fund, contract.fund),
        "items": items,
        "total": total,
        "figures": {tracking.REFERRAL_NAMES[k]: v for k, v in figures.items()},
        "today": local_today().isoformat(),
    }


@router.get("/contracts/{contract_id}")
def contract_page(contract_id: Id, request: Request, viewer: StaffViewer, session: SessionDep) -> HTMLResponse:
    return render(
        request, "union/purchased_contract.html", _contract_context(session, viewer, contract_id), viewer=viewer
    )


@router.post("/referrals/{referral_id}")
async def move_referral(referral_id: Id, request: Request, viewer: StaffViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    referral = tracking.get_referral(session, principal=viewer.principal, referral_id=referral_id)

    def run() -> object:
        on = day(form.get("on"), field="on") or local_today()
        move = tracking.ReferralMove(
            to=form.get("to", ""), on=on, employer_name=form.get("employer_name") or None, note=form.get("note") or None
        )
        return tracking.move_referral(session, principal=viewer.principal, referral_id=referral_id, move=move)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        context = _contract_context(session, viewer, referral.contract_id)
        context.update(errors=result, failed_id=referral_id)
        return render(request, "union/purchased_contract.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/purchased/contracts/{referral.contract_id}#referral-{referral_id}")
