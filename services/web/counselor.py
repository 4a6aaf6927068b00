"""就业指导员 pages: 工作台 (the caseload with the next action per person), a graduate's page (profile, matches
with a recommend button, logging a service or a contact, the timeline, the activation invitation), 待联系 and
交接. Every domain call of these pages is in this module, through the functions the API routers call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.db import SessionDep
from services.matches import service as matches
from services.matches import stored as stored_matches
from services.orgs import service as orgs
from services.registry import invitations
from services.security.models import Role
from services.tracking import flows
from services.tracking import service as tracking
from services.web import labels, vocational_views
from services.web.auth import get_viewer
from services.web.pages import (
    FormErrors,
    PageRoute,
    Viewer,
    attempt,
    error_page,
    form_data,
    is_htmx,
    redirect,
    render,
    require_role,
)

router = APIRouter(prefix="/counselor", route_class=PageRoute, include_in_schema=False)
PER_PAGE = 20
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
UNION_SIDE = (Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)


def counselor_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, *UNION_SIDE)
    return viewer


CounselorViewer = Annotated[Viewer, Depends(counselor_viewer)]


# ---- 工作台 -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # overdue / offer / match / gap
    text: str
    href: str


@dataclass(slots=True)
class CaseView:
    graduate_id: int
    name: str
    status_name: str
    last_contact: str
    next_due_on: date | None
    open_applications: int
    handed_in: bool
    actions: list[Action] = field(default_factory=list)


def _gap_text(gap: tracking.Gap, labels_by_key: dict[str, str]) -> str:
    parts = [f"{labels_by_key.get(k, k)} {n}" for k, n in gap.missing.items() if n > 0]
    return "1131 待补：" + "、".join(parts)


@router.get("")
def workbench(
    request: Request,
    viewer: CounselorViewer,
    session: SessionDep,
    mine: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    wb = tracking.workbench(session, principal=viewer.principal, mine_only=mine, limit=PER_PAGE, offset=offset)
    stored = stored_matches.stored_matches(session, graduate_ids=[c.graduate_id for c in wb.caseload])
    fresh = tracking.fresh_matches(session, caseload=wb.caseload, stored=stored)
    offers, _ = tracking.list_applications(session, principal=viewer.principal, state="offered", limit=500, offset=0)
    overdue = {o.graduate_id: o for o in wb.overdue}
    gaps = {g.graduate_id: g for g in wb.gaps}
    fresh_by: dict[int, list[tracking.FreshMatch]] = defaultdict(list)
    for m in fresh:
        fresh_by[m.graduate_id].append(m)
    offers_by: dict[int, list[int]] = defaultdict(list)
    for app in offers:
        offers_by[app.graduate_id].append(app.position_id)
    requirement_labels = {r.key: r.label for r in tracking.active_standard(session).requirements}
    rows = []
    for c in wb.caseload:
        page = f"/counselor/graduates/{c.graduate_id}"
        row = CaseView(
            graduate_id=c.graduate_id,
            name=c.name,
            status_name=labels.STATUS_NAMES.get(c.status, c.status),
            last_contact=c.last_contact_at.strftime("%Y-%m-%d") if c.last_contact_at else "从未联系",
            next_due_on=c.next_due_on,
            open_applications=c.open_applications,
            handed_in=c.handed_in,
        )
        if (o := overdue.get(c.graduate_id)) is not None:
            row.actions.append(Action("overdue", f"逾期 {o.days_overdue} 天未回访", f"{page}#contact"))
        for position_id in offers_by.get(c.graduate_id, []):
            title = catalog.get_position(session, position_id=position_id).title
            row.actions.append(Action("offer", f"录用待签约：{title}", f"{page}#timeline"))
        for m in fresh_by.get(c.graduate_id, []):
            row.actions.append(Action("match", f"新匹配：{m.position_title}", f"{page}#matches"))
        if (g := gaps.get(c.graduate_id)) is not None:
            row.actions.append(Action("gap", _gap_text(g, requirement_labels), f"{page}#service"))
        rows.append(row)
    context = {
        "rows": rows,
        "total": wb.caseload_total,
        "overdue_count": wb.overdue_total,
        "gap_count": wb.gaps_total,
        "fresh_count": len(fresh),
        "mine": mine,
        "offset": offset,
        "per_page": PER_PAGE,
    }
    return render(request, "counselor/workbench.html", context, viewer=viewer)


# ---- 待联系 -----------------------------------------------------------------------------------------------


@router.get("/due")
def due(
    request: Request, viewer: CounselorViewer, session: SessionDep, mine: Annotated[bool, Query()] = False
) -> HTMLResponse:
    wb = tracking.workbench(session, principal=viewer.principal, mine_only=mine, limit=100, offset=0)
    requirement_labels = {r.key: r.label for r in tracking.active_standard(session).requirements}
    context = {
        "overdue": wb.overdue,
        "overdue_total": wb.overdue_total,
        "gaps_total": wb.gaps_total,
        "gaps": [(g, _gap_text(g, requirement_labels)) for g in wb.gaps],
        "channels": labels.CONTACT_CHANNELS,
        "outcomes": labels.CONTACT_OUTCOMES,
        "status_names": labels.STATUS_NAMES,
        "mine": mine,
    }
    return render(request, "counselor/due.html", context, viewer=viewer)


# ---- a graduate's page ------------------------------------------------------------------------------------


def _graduate_context(session: Session, viewer: Viewer, graduate_id: int) -> dict[str, Any]:
    graduate = tracking.readable_graduate(session, principal=viewer.principal, graduate_id=graduate_id)
    names = labels.Names(session)
    status = tracking.status_as_of(session, as_of=tracking.local_today(), graduate_ids=[graduate.id])[graduate.id]
    found = attempt(
        session,
        lambda: matches.graduate_matches(session, principal=viewer.principal, graduate_id=graduate.id, limit=10),
    )
    applications, _ = tracking.list_applications(
        session, principal=viewer.principal, graduate_id=graduate.id, limit=200, offset=0
    )
    places = names.places(graduate.preferred_places)
    return {
        "graduate": graduate,
        "status_name": labels.STATUS_NAMES.get(status, status),
        "education_name": names.of("education", graduate.education),
        "category_name": names.of("service_category", graduate.service_category),
        "intention_names": [names.of("intention", i) for i in graduate.intentions],
        "place_names": [places.get(c, c) for c in graduate.preferred_places],
        "matches": [] if isinstance(found, FormErrors) else found.items,
        "match_errors": found if isinstance(found, FormErrors) else None,
        "applied": {a.position_id: labels.STATE_NAMES[a.state] for a in applications},
        "timeline": tracking.timeline(session, principal=viewer.principal, graduate_id=graduate.id),
        "service_kinds": labels.SERVICE_KINDS,
        "channels": labels.CONTACT_CHANNELS,
        "outcomes": labels.CONTACT_OUTCOMES,
        "today": tracking.local_today(),
        "forms": {},
        **vocational_views.person_context(session, viewer, graduate),
    }


@router.get("/graduates/{graduate_id}")
def graduate_page(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> HTMLResponse:
    context = _graduate_context(session, viewer, graduate_id)
    context["saved"] = request.query_params.get("saved")
    return render(request, "counselor/graduate.html", context, viewer=viewer)


def _refused(
    request: Request,
    session: Session,
    viewer: Viewer,
    graduate_id: int,
    form: str,
    errors: FormErrors,
    posted: dict[str, str],
) -> HTMLResponse:
    context = _graduate_context(session, viewer, graduate_id)
    context["forms"] = {form: {"errors": errors, "posted": posted}}
    return render(request, "counselor/graduate.html", context, viewer=viewer, status_code=errors.status)


@router.post("/graduates/{graduate_id}/recommend")
async def recommend(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    raw = form.get("position_id", "")
    position_id = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    result = attempt(
        session,
        lambda: flows.recommend(
            session,
            principal=viewer.principal,
            graduate_id=graduate_id,
            position_id=position_id,
            note=form.get("note") or None,
        ),
    )
    if is_htmx(request):
        context = {"errors": result if isinstance(result, FormErrors) else None}
        return render(request, "counselor/_recommend_result.html", context, viewer=viewer)
    if isinstance(result, FormErrors):
        return error_page(request, status=result.status, title="推荐未成功", detail=result.detail)
    return redirect(f"/counselor/graduates/{graduate_id}?saved=recommend#matches")


@router.post("/graduates/{graduate_id}/services")
async def log_service(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    try:
        delivered_on = date.fromisoformat(form.get("delivered_on", ""))
    except ValueError:
        errors = FormErrors(detail="服务日期格式应为 YYYY-MM-DD", fields={"delivered_on": "日期格式应为 YYYY-MM-DD"})
        return _refused(request, session, viewer, graduate_id, "service", errors, form)
    result = attempt(
        session,
        lambda: tracking.record_service(
            session,
            principal=viewer.principal,
            graduate_id=graduate_id,
            kind=form.get("kind", ""),
            delivered_on=delivered_on,
            note=form.get("note", "").strip() or None,
        ),
    )
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, graduate_id, "service", result, form)
    return redirect(f"/counselor/graduates/{graduate_id}?saved=service#timeline")


@router.post("/graduates/{graduate_id}/contacts")
async def log_contact(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    next_due: date | None = None
    if form.get("next_due_on"):
        try:
            next_due = date.fromisoformat(form["next_due_on"])
        except ValueError:
            reason = "日期格式应为 YYYY-MM-DD"
            errors = FormErrors(detail=f"下次联系{reason}", fields={"next_due_on": reason})
            return _refused(request, session, viewer, graduate_id, "contact", errors, form)
    result = attempt(
        session,
        lambda: tracking.record_contact(
            session,
            principal=viewer.principal,
            graduate_id=graduate_id,
            channel=form.get("channel", ""),
            outcome=form.get("outcome", ""),
            summary=form.get("summary", "").strip(),
            next_due_on=next_due,
        ),
    )
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, graduate_id, "contact", result, form)
    return redirect(f"/counselor/graduates/{graduate_id}?saved=contact#timeline")


@router.post("/graduates/{graduate_id}/invitation")
def invite(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> HTMLResponse:
    result = attempt(session, lambda: invitations.create(session, principal=viewer.principal, graduate_id=graduate_id))
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, graduate_id, "invitation", result, {})
    context = _graduate_context(session, viewer, graduate_id)
    link = str(request.base_url).rstrip("/") + result.path
    context["invitation"] = {"code": result.code, "link": link, "expires_at": result.expires_at}
    return render(request, "counselor/graduate.html", context, viewer=viewer, status_code=201)


# ---- 交接 -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandoffView:
    id: int
    graduate_id: int
    graduate_name: str
    from_name: str
    to_name: str
    state: str
    state_name: str
    reason: str
    intended_place: str | None
    can_decide: bool
    can_end: bool
    external: bool = False
    contact: str = ""
    on_behalf: bool = False
    decided_on_behalf: bool = False
    outcome: str = ""
    can_record_outcome: bool = False


def _graduate_name(session: Session, viewer: Viewer, graduate_id: int) -> str:
    found = attempt(
        session, lambda: tracking.readable_graduate(session, principal=viewer.principal, graduate_id=graduate_id)
    )
    return f"编号 {graduate_id}" if isinstance(found, FormErrors) else found.name


def _handoff_views(session: Session, viewer: Viewer, state: str | None) -> tuple[list[HandoffView], int]:
    rows, total = tracking.list_handoffs(session, principal=viewer.principal, state=state, limit=50, offset=0)
    units = {u.id: u.name for u in orgs.list_units(session, scope=None)} if rows else {}
    out = []
    for h in rows:
        name = _graduate_name(session, viewer, h.graduate_id)
        voice = tracking.receiver_voice(session, principal=viewer.principal, handoff=h)
        external = tracking.external_union_of_unit(session, org_unit_id=h.to_org_unit_id)
        contact = f"{external.contact_name} {external.contact_phone_masked or ''}".strip() if external else ""
        outcome = ""
        if h.outcome:
            outcome = f"{h.outcome_on} {tracking.OUTCOME_NAMES.get(h.outcome, h.outcome)}"
            if h.outcome_employer:
                outcome += f"（{h.outcome_employer}）"
            if h.outcome_on_behalf:
                outcome += " · 生源地工会代登记"
        out.append(
            HandoffView(
                id=h.id,
                graduate_id=h.graduate_id,
                graduate_name=name,
                from_name=units.get(h.org_unit_id, ""),
                to_name=units.get(h.to_org_unit_id, ""),
                state=h.state,
                state_name=labels.HANDOFF_STATES.get(h.state, h.state),
                reason=h.reason,
                intended_place=h.intended_place,
                can_decide=h.state == "pending" and voice.allowed,
                can_end=h.state == "accepted",
                external=external is not None,
                contact=contact,
                on_behalf=voice.on_behalf,
                decided_on_behalf=h.decided_on_behalf,
                outcome=outcome,
                can_record_outcome=h.state == "accepted" and voice.allowed,
            )
        )
    return out, total


@router.get("/handoffs")
def handoffs(
    request: Request,
    viewer: CounselorViewer,
    session: SessionDep,
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> HTMLResponse:
    return render_handoffs(request, session, viewer, state=state or None)


def render_handoffs(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    state: str | None = None,
    errors: FormErrors | None = None,
    failed_id: int | None = None,
) -> HTMLResponse:
    """The 交接 page, with a refusal shown on the handoff it concerns."""
    items, total = _handoff_views(session, viewer, state)
    context: dict[str, Any] = {
        "items": items,
        "total": total,
        "state": state or "",
        "states": labels.HANDOFF_STATES,
        "outcomes": list(tracking.OUTCOME_NAMES.items()),
    }
    if errors is not None:
        context.update(errors=errors, failed_id=failed_id)
    status = errors.status if errors is not None else 200
    return render(request, "counselor/handoffs.html", context, viewer=viewer, status_code=status)


@router.post("/handoffs/{handoff_id}")
async def handoff_action(handoff_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    action, note = form.get("action", ""), form.get("note", "").strip()
    if action == "end":
        result: object = attempt(
            session, lambda: tracking.end_handoff(session, principal=viewer.principal, handoff_id=handoff_id, note=note)
        )
    else:
        result = attempt(
            session,
            lambda: tracking.decide_handoff(
                session, principal=viewer.principal, handoff_id=handoff_id, accept=action == "accept", note=note or None
            ),
        )
    if isinstance(result, FormErrors):
        return render_handoffs(request, session, viewer, errors=result, failed_id=handoff_id)
    return redirect("/counselor/handoffs")
