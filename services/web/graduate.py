"""毕业生 pages: 我的匹配 (ranked cards, filters, one-click apply), 我的求职 (each application's timeline) and
我的档案与意向. Every domain call of these pages is in this module, through the functions the API routers call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.db import SessionDep
from services.matches import service as matches
from services.registry import api as registry
from services.registry.models import Graduate
from services.security.models import Role
from services.tracking import flows, pipeline
from services.tracking import service as tracking
from services.tracking.models import Application, Transition
from services.web import labels
from services.web.auth import get_viewer
from services.web.pages import (
    FormErrors,
    PageRoute,
    Viewer,
    attempt,
    error_page,
    form_data,
    form_list,
    is_htmx,
    redirect,
    render,
    require_role,
    split_list,
)

router = APIRouter(prefix="/graduate", route_class=PageRoute, include_in_schema=False)
PER_PAGE = 10
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def graduate_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, Role.GRADUATE)
    return viewer


GraduateViewer = Annotated[Viewer, Depends(graduate_viewer)]


def _own(session: Session, viewer: Viewer) -> Graduate:
    return registry.own_graduate(session, principal=viewer.principal)


def _applied(session: Session, viewer: Viewer) -> dict[int, str]:
    rows, _ = tracking.list_applications(session, principal=viewer.principal, limit=200, offset=0)
    return {a.position_id: a.state for a in rows}


def _place_options(graduate: Graduate, names: labels.Names) -> list[tuple[str, str]]:
    codes = list(dict.fromkeys([*graduate.preferred_places, graduate.home_division_code or ""]))
    found = names.places(codes)
    return [(c, found.get(c, c)) for c in codes if c]


# ---- 我的匹配 ---------------------------------------------------------------------------------------------


@router.get("/matches")
def matches_page(
    request: Request,
    viewer: GraduateViewer,
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    place: Annotated[str | None, Query(max_length=12)] = None,
    offset: Annotated[int, Query(ge=0, le=190)] = 0,
) -> HTMLResponse:
    graduate = _own(session, viewer)
    kind, place = kind or None, place or None
    result = attempt(
        session,
        lambda: matches.graduate_matches(
            session,
            principal=viewer.principal,
            graduate_id=graduate.id,
            kinds=[kind] if kind else (),
            places=[place] if place else (),
            limit=PER_PAGE,
            offset=offset,
        ),
    )
    context: dict[str, Any] = {
        "graduate": graduate,
        "kind": kind or "",
        "place": place or "",
        "kinds": labels.POSITION_KINDS,
        "places": _place_options(graduate, labels.Names(session)),
        "applied": _applied(session, viewer),
        "state_names": labels.STATE_NAMES,
        "offset": offset,
        "per_page": PER_PAGE,
    }
    if isinstance(result, FormErrors):
        context.update(errors=result, items=[], has_more=False)
        return render(request, "graduate/matches.html", context, viewer=viewer, status_code=result.status)
    context.update(items=result.items, has_more=result.has_more)
    return render(request, "graduate/matches.html", context, viewer=viewer)


@router.post("/matches/{position_id}/apply")
def apply(position_id: Id, request: Request, viewer: GraduateViewer, session: SessionDep) -> Response:
    result = attempt(session, lambda: flows.apply(session, principal=viewer.principal, position_id=position_id))
    if is_htmx(request):
        context: dict[str, object] = {"errors": result if isinstance(result, FormErrors) else None}
        if not isinstance(result, FormErrors):
            context["state_name"] = labels.STATE_NAMES[result.state]
        return render(request, "graduate/_apply_result.html", context, viewer=viewer)
    if isinstance(result, FormErrors):
        return error_page(request, status=result.status, title="投递未成功", detail=result.detail)
    return redirect("/graduate/applications")


# ---- 我的求职 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicationView:
    application: Application
    title: str
    state_name: str
    history: list[Transition]
    next_steps: list[Step]


@dataclass(frozen=True, slots=True)
class Step:
    """A move the graduate may make, as a button; closing moves ask for one of their reasons."""

    to_state: str
    label: str
    reasons: list[tuple[str, str]]


# what the graduate's button says for a move (the state's own name otherwise)
STEP_LABELS = {"applied": "投递该岗位", "withdrawn": "放弃该岗位", "signed": "确认签约"}


def _application_views(session: Session, viewer: Viewer) -> tuple[list[ApplicationView], int]:
    rows, total = tracking.list_applications(session, principal=viewer.principal, limit=50, offset=0)
    actor = tracking.actor_of(viewer.principal)
    out = []
    for app in rows:
        position = catalog.get_position(session, position_id=app.position_id)
        targets = pipeline.targets(pipeline.AppState(app.state), actor)
        out.append(
            ApplicationView(
                application=app,
                title=position.title,
                state_name=labels.STATE_NAMES[app.state],
                history=tracking.history(session, application_id=app.id),
                next_steps=[
                    Step(
                        t.value,
                        STEP_LABELS.get(t.value, labels.STATE_NAMES[t]),
                        list(pipeline.CLOSING_REASONS.get(t, {}).items()),
                    )
                    for t in targets
                ],
            )
        )
    return out, total


@router.get("/applications")
def applications_page(request: Request, viewer: GraduateViewer, session: SessionDep) -> HTMLResponse:
    items, total = _application_views(session, viewer)
    context = {"items": items, "total": total, "state_names": labels.STATE_NAMES}
    return render(request, "graduate/applications.html", context, viewer=viewer)


@router.post("/applications/{application_id}/move")
async def move(application_id: Id, request: Request, viewer: GraduateViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    to_state = form.get("to_state", "")
    result = attempt(
        session,
        lambda: flows.move(
            session,
            principal=viewer.principal,
            application_id=application_id,
            to_state=to_state,
            reason=form.get("reason") or None,
            note=form.get("note") or None,
        ),
    )
    if isinstance(result, FormErrors):
        items, total = _application_views(session, viewer)
        context = {"items": items, "total": total, "state_names": labels.STATE_NAMES}
        context.update(errors=result, failed_id=application_id)
        return render(request, "graduate/applications.html", context, viewer=viewer, status_code=result.status)
    return redirect("/graduate/applications")


# ---- 我的档案与意向 ---------------------------------------------------------------------------------------


def _profile_context(session: Session, graduate: Graduate) -> dict[str, Any]:
    names = labels.Names(session)
    places = names.places(graduate.preferred_places)
    return {
        "graduate": graduate,
        "intention_options": names.options("intention") or list(labels.POSITION_KINDS.items()),
        "places_text": "、".join(places.get(c, c) for c in graduate.preferred_places),
        "education_name": names.of("education", graduate.education),
        "category_name": names.of("service_category", graduate.service_category),
        "status_name": labels.STATUS_NAMES.get(graduate.employment_status, graduate.employment_status),
    }


@router.get("/profile")
def profile_page(request: Request, viewer: GraduateViewer, session: SessionDep) -> HTMLResponse:
    graduate = _own(session, viewer)
    saved = request.query_params.get("saved") == "1"
    context = {**_profile_context(session, graduate), "saved": saved}
    return render(request, "graduate/profile.html", context, viewer=viewer)


@router.post("/profile")
async def save_profile(request: Request, viewer: GraduateViewer, session: SessionDep) -> Response:
    graduate = _own(session, viewer)
    form = await form_data(request)
    raw: dict[str, object] = {
        "email": form.get("email", "").strip() or None,
        "intentions": await form_list(request, "intentions"),
        "preferred_places": split_list(form.get("preferred_places")),
        "expected_pay_min": form.get("expected_pay_min", "").strip() or None,
        "expected_pay_max": form.get("expected_pay_max", "").strip() or None,
        "skills": split_list(form.get("skills")),
        "assistance_needs": form.get("assistance_needs", "").strip() or None,
        "enterprise_visible": form.get("enterprise_visible") == "on",
    }
    if form.get("phone", "").strip():
        raw["phone"] = form["phone"].strip()
    result = attempt(
        session,
        lambda: registry.update_graduate(
            session, principal=viewer.principal, graduate=graduate, raw=raw, allowed=registry.GRADUATE_SELF_FIELDS
        ),
    )
    if isinstance(result, FormErrors):
        session.refresh(graduate)
        context = {**_profile_context(session, graduate), "errors": result, "posted": form}
        return render(request, "graduate/profile.html", context, viewer=viewer, status_code=result.status)
    return redirect("/graduate/profile?saved=1")
