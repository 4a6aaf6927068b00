"""企业 pages: self-signup (an account and its employer, pending until a union clerk verifies it), 我的岗位,
发布岗位 (a form checked field by field with htmx through the catalog's own create call), 应聘者 as a kanban by
stage, and 推荐候选人. Every domain call of these pages is in this module, through the functions the API routers
call; an enterprise never sees hardship, family, ID or contact data of a graduate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import service as catalog
from services.catalog.models import OWNERSHIP_NAMES, Employer, EmployerStatus, Position, PositionKind
from services.catalog.schemas import EnterpriseSignUp, PositionCreate
from services.db import SessionDep
from services.errors import Conflict
from services.matches import occupations as occupation_suggestions
from services.matches import service as matches
from services.refdata import service as refdata
from services.security import service as security
from services.security.dependencies import client_address
from services.security.models import Role
from services.security.principal import Principal
from services.tracking import flows, pipeline
from services.tracking import service as tracking
from services.tracking.pipeline import Actor, AppState
from services.web import labels
from services.web.auth import get_viewer, set_session
from services.web.pages import (
    FormErrors,
    PageRoute,
    Viewer,
    attempt,
    form_data,
    form_list,
    is_htmx,
    redirect,
    render,
    require_role,
)
from services.web.validation import blank_to_none, parse

router = APIRouter(prefix="/enterprise", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
CITY_DIVISION = "341600"  # 亳州市: the places an employer or a position is offered from
KANBAN = [AppState.APPLIED, AppState.INTERVIEWING, AppState.OFFERED, AppState.SIGNED, AppState.EMPLOYED]
CLOSED_COLUMN = "closed"
KIND_CHOICES = [PositionKind.JOB, PositionKind.INTERNSHIP]
EMPLOYER_STATUS_NAMES: dict[str, str] = {
    EmployerStatus.PENDING: "待工会认证",
    EmployerStatus.VERIFIED: "已认证",
    EmployerStatus.REJECTED: "未通过认证",
}
POSITION_STATUS_NAMES = {"draft": "草稿", "open": "招聘中", "closed": "已关闭", "filled": "已招满"}
OCCUPATION_STATE_NAMES = {"suggested": "推断", "confirmed": "已确认"}
SUGGESTED_OCCUPATIONS = 5


def enterprise_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, Role.ENTERPRISE)
    return viewer


EnterpriseViewer = Annotated[Viewer, Depends(enterprise_viewer)]


def _employer(session: Session, principal: Principal) -> Employer | None:
    employer_id = catalog.employer_id_for_user(session, user_id=principal.user_id)
    if employer_id is None:
        return None
    return catalog.get_employer(session, principal=principal, employer_id=employer_id)


def _places(session: Session) -> list[tuple[str, str]]:
    rows = refdata.list_divisions(session, parent=CITY_DIVISION, query=None, limit=50, offset=0)
    return [(d.code, d.name) for d in rows]


def _industries(session: Session) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for section in refdata.list_industries(session, parent=None, query=None, limit=50, offset=0):
        for major in refdata.list_industries(session, parent=section.code, query=None, limit=100, offset=0):
            out.append((major.code, f"{section.name} · {major.name}"))
    return out


# ---- 企业注册 ---------------------------------------------------------------------------------------------

SIGNUP_FIELDS = ("name", "credit_code", "industry_code", "ownership", "division_code", "address", "contact_name")


def _signup_context(session: Session, form: dict[str, str], errors: FormErrors | None = None) -> dict[str, Any]:
    return {
        "form": form,
        "errors": errors or FormErrors(),
        "ownerships": list(OWNERSHIP_NAMES.items()),
        "industries": _industries(session),
        "places": _places(session),
    }


def _unnest(errors: FormErrors) -> FormErrors:
    errors.fields = {k.removeprefix("employer."): v for k, v in errors.fields.items()}
    return errors


@router.get("/signup")
def signup_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "enterprise/signup.html", _signup_context(session, {}))


@router.post("/signup")
async def signup(request: Request, session: SessionDep) -> Response:
    form = await form_data(request)
    if form.get("password", "") != form.get("password_again", ""):
        errors = FormErrors(detail="两次输入的密码不一致", fields={"password_again": "两次输入的密码不一致"})
        return render(request, "enterprise/signup.html", _signup_context(session, form, errors), status_code=422)
    employer = blank_to_none({k: form.get(k, "") for k in SIGNUP_FIELDS}, "industry_code", "ownership")
    employer["contact_phone"] = form.get("contact_phone", "").strip() or None
    body = parse(
        EnterpriseSignUp,
        {
            "username": form.get("username", "").strip(),
            "password": form.get("password", ""),
            "display_name": form.get("display_name", ""),
            "employer": employer,
        },
    )
    if isinstance(body, FormErrors):
        context = _signup_context(session, form, _unnest(body))
        return render(request, "enterprise/signup.html", context, status_code=422)
    result = attempt(
        session,
        lambda: catalog.sign_up(
            session,
            username=body.username,
            password=body.password,
            display_name=body.display_name,
            data=body.employer,
        ),
    )
    if isinstance(result, FormErrors):
        context = _signup_context(session, form, _unnest(result))
        return render(request, "enterprise/signup.html", context, status_code=result.status)
    _user, token = security.authenticate(
        session, username=body.username, password=body.password, address=client_address(request)
    )
    response = redirect("/enterprise?welcome=1")
    set_session(response, token)
    return response


# ---- 我的岗位 ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PositionRow:
    position: Position
    kind_name: str
    status_name: str
    place_names: str
    applicants: int
    occupation_names: str
    occupation_state: str


def _own_positions(session: Session, viewer: Viewer) -> list[Position]:
    if catalog.employer_id_for_user(session, user_id=viewer.principal.user_id) is None:
        return []
    return catalog.list_positions(session, principal=viewer.principal, managed_only=True, limit=200, offset=0).rows


@router.get("")
def positions_page(
    request: Request,
    viewer: EnterpriseViewer,
    session: SessionDep,
    welcome: Annotated[bool, Query()] = False,
    created: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    employer = _employer(session, viewer.principal)
    positions = _own_positions(session, viewer)
    apps, _ = tracking.list_applications(session, principal=viewer.principal, limit=2000, offset=0)
    counts: dict[int, int] = defaultdict(int)
    for app in apps:
        if app.state != AppState.RECOMMENDED:
            counts[app.position_id] += 1
    names = labels.Names(session).places(code for p in positions for code in p.places)
    occupation_names = labels.Names(session).occupations(code for p in positions for code in p.occupations)
    rows = [
        PositionRow(
            position=p,
            kind_name=labels.POSITION_KINDS.get(p.kind, p.kind),
            status_name=POSITION_STATUS_NAMES.get(p.status, p.status),
            place_names="、".join(names.get(c, c) for c in p.places) or ("远程" if p.remote else ""),
            applicants=counts[p.id],
            occupation_names="、".join(occupation_names.get(c, c) for c in p.occupations),
            occupation_state=OCCUPATION_STATE_NAMES.get(p.occupation_state or "", ""),
        )
        for p in positions
    ]
    context = {
        "employer": employer,
        "employer_status": EMPLOYER_STATUS_NAMES.get(employer.status, employer.status) if employer else "",
        "verified": employer is not None and employer.status == EmployerStatus.VERIFIED,
        "rows": rows,
        "welcome": welcome,
        "created": created,
    }
    return render(request, "enterprise/positions.html", context, viewer=viewer)


@router.post("/positions/{position_id}/publish")
def publish(position_id: Id, request: Request, viewer: EnterpriseViewer, session: SessionDep) -> Response:
    result = attempt(
        session, lambda: catalog.publish_position(session, principal=viewer.principal, position_id=position_id)
    )
    if isinstance(result, FormErrors):
        raise Conflict(result.detail or "未能发布")
    return redirect("/enterprise", request)


# ---- 发布岗位 ---------------------------------------------------------------------------------------------

POSITION_FIELD_NAMES = {
    "kind": "岗位类型",
    "title": "岗位名称",
    "description": "岗位职责与要求",
    "majors_text": "专业要求",
    "min_education": "最低学历",
    "places": "工作地点",
    "pay_min": "月薪下限",
    "pay_max": "月薪上限",
    "headcount": "招聘人数",
    "deadline": "截止日期",
    "internship": "见习信息",
    "internship.duration_months": "见习期限",
    "internship.subsidy": "见习补贴",
    "publish": "发布",
}
POSITION_TEXT = ("title", "description", "majors_text", "min_education", "pay_min", "pay_max", "headcount")


@dataclass(frozen=True, slots=True)
class OccupationChoice:
    code: str
    name: str
    confidence: float | None
    checked: bool


def _occupation_choices(session: Session, form: dict[str, str], chosen: list[str]) -> list[OccupationChoice]:
    """The occupations suggested for the title and description (the function the API's suggestion route calls),
    the ones the poster ticked checked; a ticked one the new title no longer suggests stays on the list."""
    found = occupation_suggestions.suggest(
        form.get("title", "").strip()[:100], form.get("description", "").strip()[:2000], k=SUGGESTED_OCCUPATIONS
    )
    out = [OccupationChoice(s.code, s.name, s.confidence, s.code in chosen) for s in found]
    listed = {s.code for s in found}
    kept = [c for c in chosen if c not in listed]
    names = labels.Names(session).occupations(kept)
    out.extend(OccupationChoice(c, names.get(c, c), None, True) for c in kept)
    return out


def _position_body(form: dict[str, str], places: list[str], occupations: list[str]) -> dict[str, Any]:
    body = blank_to_none(
        {k: form.get(k, "").strip() for k in (*POSITION_TEXT, "deadline", "kind")},
        "pay_min",
        "pay_max",
        "headcount",
        "deadline",
        "min_education",
    )
    body["places"] = places
    body["occupations"] = occupations
    body["hardship_priority"] = form.get("hardship_priority") == "on"
    body["publish"] = form.get("publish") == "on"
    if body.get("kind") == PositionKind.INTERNSHIP:
        body["internship"] = blank_to_none(
            {"duration_months": form.get("duration_months", "").strip(), "subsidy": form.get("subsidy", "").strip()},
            "duration_months",
            "subsidy",
        )
    return body


def _form_context(
    session: Session, form: dict[str, str], places: list[str], errors: FormErrors, occupations: list[str]
) -> dict[str, Any]:
    return {
        "form": form,
        "chosen_places": places,
        "occupations": _occupation_choices(session, form, occupations),
        "errors": errors,
        "kinds": [(k.value, labels.POSITION_KINDS.get(k.value, k.value)) for k in KIND_CHOICES],
        "educations": list(catalog.EDUCATION_NAMES.items()),
        "places": _places(session),
    }


def _check_position(
    session: Session, viewer: Viewer, form: dict[str, str], places: list[str], occupations: list[str]
) -> FormErrors:
    """The catalog's create call run in a savepoint that is always rolled back: its refusal, or none."""
    body = parse(PositionCreate, _position_body(form, places, occupations))
    if isinstance(body, FormErrors):
        return body
    try:
        with session.begin_nested() as savepoint:
            result = attempt(session, lambda: catalog.create_position(session, principal=viewer.principal, data=body))
            savepoint.rollback()
    finally:
        session.expire_all()
    return result if isinstance(result, FormErrors) else FormErrors()


@router.get("/positions/new")
def new_position(request: Request, viewer: EnterpriseViewer, session: SessionDep) -> HTMLResponse:
    employer = _employer(session, viewer.principal)
    form = {"kind": PositionKind.JOB.value, "min_education": "junior_college"}
    context = _form_context(session, form, [employer.division_code] if employer else [], FormErrors(), [])
    context["verified"] = employer is not None and employer.status == EmployerStatus.VERIFIED
    return render(request, "enterprise/position_form.html", context, viewer=viewer)


@router.post("/positions/check")
async def check_position(request: Request, viewer: EnterpriseViewer, session: SessionDep) -> HTMLResponse:
    form = await form_data(request)
    places = await form_list(request, "places")
    errors = _check_position(session, viewer, form, places, await form_list(request, "occupations"))
    context = {"errors": errors, "checked": True, "field_names": POSITION_FIELD_NAMES}
    return render(request, "enterprise/_position_check.html", context, viewer=viewer)


@router.post("/positions")
async def create_position(request: Request, viewer: EnterpriseViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    places = await form_list(request, "places")
    occupations = await form_list(request, "occupations")
    employer = _employer(session, viewer.principal)
    body = parse(PositionCreate, _position_body(form, places, occupations))
    result: Position | FormErrors
    if isinstance(body, FormErrors):
        result = body
    else:
        result = attempt(session, lambda: catalog.create_position(session, principal=viewer.principal, data=body))
    if isinstance(result, FormErrors):
        context = _form_context(session, form, places, result, occupations)
        context["verified"] = employer is not None and employer.status == EmployerStatus.VERIFIED
        return render(request, "enterprise/position_form.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/enterprise?created={result.id}", request)


@router.post("/positions/occupations")
async def suggest_occupations(request: Request, viewer: EnterpriseViewer, session: SessionDep) -> HTMLResponse:
    """The form's occupation choices again, for the title and description as typed so far."""
    form = await form_data(request)
    chosen = await form_list(request, "occupations")
    context = {"occupations": _occupation_choices(session, form, chosen), "form": form}
    return render(request, "enterprise/_occupations.html", context, viewer=viewer)


# ---- 应聘者（看板） -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Card:
    applicant: tracking.Applicant
    education_name: str
    moves: list[tuple[str, str]]
    waiting_for_graduate: bool
    history: list[Any]


def _move_label(to: str) -> str:
    names: dict[str, str] = {
        AppState.INTERVIEWING: "约面试",
        AppState.OFFERED: "录用",
        AppState.SIGNED: "确认签约",
        AppState.EMPLOYED: "已到岗",
        AppState.REJECTED: "不予录用",
    }
    return names.get(to) or str(labels.STATE_NAMES.get(to, to))


def _board(session: Session, viewer: Viewer, position_id: int) -> dict[str, Any]:
    applicants = tracking.position_applicants(session, principal=viewer.principal, position_id=position_id)
    names = labels.Names(session)
    columns: dict[str, list[Card]] = {s.value: [] for s in KANBAN}
    columns[CLOSED_COLUMN] = []
    histories = tracking.histories(session, application_ids=[a.application_id for a in applicants])
    for a in applicants:
        moves = [(to.value, _move_label(to)) for to in pipeline.targets(AppState(a.state), Actor.ENTERPRISE)]
        waiting = a.state == AppState.OFFERED and a.employer_confirmed
        if waiting:
            moves = [m for m in moves if m[0] != AppState.SIGNED]
        card = Card(
            applicant=a,
            education_name=names.of("education", a.education),
            moves=moves,
            waiting_for_graduate=waiting,
            history=histories[a.application_id],
        )
        columns[a.state if a.state in columns else CLOSED_COLUMN].append(card)
    column_names = {s.value: labels.STATE_NAMES[s] for s in KANBAN}
    column_names[CLOSED_COLUMN] = "已结束"
    return {
        "columns": columns,
        "column_names": column_names,
        "rejection_reasons": list(pipeline.CLOSING_REASONS[AppState.REJECTED].items()),
        "state_names": labels.STATE_NAMES,
    }


@router.get("/applicants")
def applicants_page(
    request: Request,
    viewer: EnterpriseViewer,
    session: SessionDep,
    position_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    positions = [p for p in _own_positions(session, viewer) if p.status != "draft"]
    chosen = next((p for p in positions if p.id == position_id), positions[0] if positions else None)
    context: dict[str, Any] = {"positions": positions, "chosen": chosen}
    if chosen is not None:
        context.update(_board(session, viewer, chosen.id))
    return render(request, "enterprise/applicants.html", context, viewer=viewer)


def _move_note(form: dict[str, str], to: str) -> str | None:
    note = form.get("note", "").strip()
    when = form.get("interview_at", "").strip()
    if to == AppState.INTERVIEWING and when:
        note = f"面试时间：{when.replace('T', ' ')}" + (f"；{note}" if note else "")
    return note or None


@router.post("/applications/{application_id}/move")
async def move(application_id: Id, request: Request, viewer: EnterpriseViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    to = form.get("to_state", "")
    result = attempt(
        session,
        lambda: flows.move(
            session,
            principal=viewer.principal,
            application_id=application_id,
            to_state=to,
            reason=form.get("reason") or None,
            note=_move_note(form, to),
        ),
    )
    app = tracking.get_application(session, principal=viewer.principal, application_id=application_id)
    if is_htmx(request):
        context = {"failed_id": application_id, **_board(session, viewer, app.position_id)}
        context["errors"] = result if isinstance(result, FormErrors) else FormErrors()
        return render(request, "enterprise/_board.html", context, viewer=viewer)
    if isinstance(result, FormErrors):
        raise Conflict(result.detail or "未能更新求职进展")
    return redirect(f"/enterprise/applicants?position_id={app.position_id}", request)


# ---- 推荐候选人 -------------------------------------------------------------------------------------------


@router.get("/candidates")
def candidates_page(
    request: Request,
    viewer: EnterpriseViewer,
    session: SessionDep,
    position_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    positions = [p for p in _own_positions(session, viewer) if p.status == "open"]
    chosen = next((p for p in positions if p.id == position_id), positions[0] if positions else None)
    context: dict[str, Any] = {"positions": positions, "chosen": chosen, "items": [], "errors": FormErrors()}
    if chosen is not None:
        page = attempt(
            session,
            lambda: matches.position_candidates(session, principal=viewer.principal, position_id=chosen.id, limit=20),
        )
        if isinstance(page, FormErrors):
            context["errors"] = page
        else:
            context["items"] = page.items
            context["position_open"] = page.position_open
    return render(request, "enterprise/candidates.html", context, viewer=viewer)
