"""The union side's pages for 结对帮扶与创业: the mentor registry and the pairings (一帮一结对), a pairing with its
contact log and outcome, the entrepreneurship projects (网络创业, 返乡创业, 传统创业) with the support they were given,
and the 创新创业大赛 with their entries and screening. Counselors and staff share the pages; the forms only staff
may use (registering a mentor or a contest, screening, support) are shown to staff. Every domain call is the one
the API routers make."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.clock import local_today
from services.db import SessionDep
from services.errors import ValidationFailed
from services.orgs import service as orgs
from services.security.models import Role
from services.tracking import mentors, ventures
from services.tracking.access import readable_graduate
from services.web.auth import get_viewer
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, require_role
from services.web.validation import day

router = APIRouter(prefix="/mentoring", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
UNION_SIDE = (Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)
STAFF = (Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)


def union_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, *UNION_SIDE)
    return viewer


UnionViewer = Annotated[Viewer, Depends(union_viewer)]


def _int(text: str | None, field: str, reason: str) -> int:
    value = (text or "").strip()
    if not (value.isdigit() and 0 < int(value) < 2**31):
        raise ValidationFailed(reason, field=field)
    return int(value)


def _opt_int(text: str | None, field: str, reason: str) -> int | None:
    return _int(text, field, reason) if (text or "").strip() else None


def _graduate_name(session: Session, viewer: Viewer, graduate_id: int) -> str:
    found = attempt(session, lambda: readable_graduate(session, principal=viewer.principal, graduate_id=graduate_id))
    return f"编号 {graduate_id}" if isinstance(found, FormErrors) else found.name


def _units(session: Session, viewer: Viewer) -> list[tuple[str, str]]:
    kinds = {"city", "county", "park", "direct"}
    return [(str(u.id), u.name) for u in orgs.list_units(session, scope=viewer.principal.scope) if u.kind in kinds]


def _is_staff(viewer: Viewer) -> bool:
    return viewer.role in STAFF


# ---- mentors and pairings --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentorRow:
    id: int
    name: str
    kind: str
    unit: str
    field: str
    phone: str
    owner: str
    active: bool
    pairings: int


@dataclass(frozen=True, slots=True)
class PairingRow:
    id: int
    mentor: str
    graduate_id: int
    graduate: str
    kind: str
    state: str
    started_on: str
    outcome: str


def _outcome_text(p: Any) -> str:
    if p.state == "employed":
        return f"{p.outcome_on} 就业于 {p.employer_name}"
    if p.state in ("business_started", "ended"):
        return f"{p.outcome_on} {p.outcome_note or ''}".strip()
    return ""


def _mentors_context(session: Session, viewer: Viewer) -> dict[str, Any]:
    rows, total = mentors.list_mentors(session, principal=viewer.principal, limit=100)
    units = {u.id: u.name for u in orgs.list_units(session, scope=None)}
    counts = mentors.pairing_counts(session, mentor_ids=[m.id for m in rows])
    items = [
        MentorRow(
            id=m.id,
            name=m.name,
            kind=mentors.MENTOR_KINDS.get(m.kind, m.kind),
            unit=m.unit,
            field=m.field,
            phone=m.contact_phone_masked or "",
            owner=units.get(m.org_unit_id, ""),
            active=m.active,
            pairings=sum(counts.get(m.id, {}).values()),
        )
        for m in rows
    ]
    pairings, pairing_total = mentors.list_pairings(session, principal=viewer.principal, limit=100)
    names = mentors.mentor_names(session, ids=[p.mentor_id for p in pairings])
    graduates: dict[int, str] = {}
    pairing_rows = []
    for p in pairings:
        if p.graduate_id not in graduates:
            graduates[p.graduate_id] = _graduate_name(session, viewer, p.graduate_id)
        pairing_rows.append(
            PairingRow(
                id=p.id,
                mentor=names.get(p.mentor_id, ""),
                graduate_id=p.graduate_id,
                graduate=graduates[p.graduate_id],
                kind=mentors.PAIRING_KINDS.get(p.kind, p.kind),
                state=mentors.PAIRING_STATES.get(p.state, p.state),
                started_on=p.started_on.isoformat(),
                outcome=_outcome_text(p),
            )
        )
    return {
        "mentors": items,
        "total": total,
        "pairings": pairing_rows,
        "pairing_total": pairing_total,
        "mentor_options": [
            (str(m.id), f"{m.name}（{mentors.MENTOR_KINDS.get(m.kind, m.kind)}，{m.unit}）") for m in rows if m.active
        ],
        "mentor_kinds": list(mentors.MENTOR_KINDS.items()),
        "pairing_kinds": list(mentors.PAIRING_KINDS.items()),
        "units": _units(session, viewer),
        "staff": _is_staff(viewer),
        "form": {},
        "form_kind": "",
        "today": local_today().isoformat(),
    }


@router.get("")
def mentoring(request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "mentoring/index.html", _mentors_context(session, viewer), viewer=viewer)


def _refused(
    request: Request, session: Session, viewer: Viewer, kind: str, errors: FormErrors, form: dict[str, str]
) -> HTMLResponse:
    context = _mentors_context(session, viewer)
    context.update(errors=errors, form=form, form_kind=kind)
    return render(request, "mentoring/index.html", context, viewer=viewer, status_code=errors.status)


@router.post("/mentors")
async def create_mentor(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        data = mentors.MentorData(
            org_unit_id=_int(form.get("org_unit_id"), "org_unit_id", "请选择导师所属的工会"),
            name=form.get("name", ""),
            kind=form.get("kind", ""),
            unit=form.get("unit", ""),
            field=form.get("field", ""),
            contact_phone=form.get("contact_phone", ""),
            note=form.get("note", ""),
        )
        return mentors.create_mentor(session, principal=viewer.principal, data=data)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, "mentor", result, form)
    return redirect("/mentoring#mentors")


@router.post("/pairings")
async def create_pairing(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        return mentors.pair(
            session,
            principal=viewer.principal,
            mentor_id=_int(form.get("mentor_id"), "mentor_id", "请选择导师"),
            graduate_id=_int(form.get("graduate_id"), "graduate_id", "请填写毕业生编号"),
            kind=form.get("kind", ""),
            started_on=day(form.get("started_on"), field="started_on"),
            venture_id=_opt_int(form.get("venture_id"), "venture_id", "创业项目编号应为数字"),
            goal=form.get("goal") or None,
        )

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, "pairing", result, form)
    return redirect(f"/mentoring/pairings/{result.id}")  # type: ignore[attr-defined]


def _pairing_context(session: Session, viewer: Viewer, pairing_id: int) -> dict[str, Any]:
    p = mentors.get_pairing(session, principal=viewer.principal, pairing_id=pairing_id)
    found = attempt(session, lambda: mentors.get_mentor(session, principal=viewer.principal, mentor_id=p.mentor_id))
    # a graduate handed in from another union keeps a mentor of that union: its name only
    mentor = None if isinstance(found, FormErrors) else found
    contacts = [
        {"on": c.contacted_on.isoformat(), "channel": mentors.CHANNELS.get(c.channel, c.channel), "summary": c.summary}
        for c in mentors.contacts_of(session, pairing=p)
    ]
    return {
        "p": p,
        "mentor": mentor,
        "mentor_name": mentor.name if mentor else mentors.mentor_names(session, ids=[p.mentor_id]).get(p.mentor_id, ""),
        "mentor_kind": mentors.MENTOR_KINDS.get(mentor.kind, mentor.kind) if mentor else "",
        "graduate": _graduate_name(session, viewer, p.graduate_id),
        "kind": mentors.PAIRING_KINDS.get(p.kind, p.kind),
        "state": mentors.PAIRING_STATES.get(p.state, p.state),
        "outcome": _outcome_text(p),
        "active": p.state == "active",
        "contacts": contacts,
        "channels": list(mentors.CHANNELS.items()),
        "outcomes": [(s, mentors.PAIRING_STATES[s]) for s in sorted(mentors.PAIRING_MOVES[p.state])],
        "today": local_today().isoformat(),
        "form": {},
        "form_kind": "",
    }


@router.get("/pairings/{pairing_id}")
def pairing_page(pairing_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "mentoring/pairing.html", _pairing_context(session, viewer, pairing_id), viewer=viewer)


async def _pairing_post(
    request: Request, viewer: Viewer, session: Session, pairing_id: int, kind: str, call: Any
) -> Response:
    form = await form_data(request)
    mentors.get_pairing(session, principal=viewer.principal, pairing_id=pairing_id)
    result = attempt(session, lambda: call(form))
    if isinstance(result, FormErrors):
        context = _pairing_context(session, viewer, pairing_id)
        context.update(errors=result, form=form, form_kind=kind)
        return render(request, "mentoring/pairing.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/mentoring/pairings/{pairing_id}#{kind}")


@router.post("/pairings/{pairing_id}/contacts")
async def add_contact(pairing_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    def call(form: dict[str, str]) -> object:
        return mentors.record_mentor_contact(
            session,
            principal=viewer.principal,
            pairing_id=pairing_id,
            contacted_on=day(form.get("contacted_on"), field="contacted_on") or local_today(),
            channel=form.get("channel", ""),
            summary=form.get("summary", ""),
        )

    return await _pairing_post(request, viewer, session, pairing_id, "contacts", call)


@router.post("/pairings/{pairing_id}/outcome")
async def pairing_outcome(pairing_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    def call(form: dict[str, str]) -> object:
        outcome = mentors.PairingOutcome(
            to=form.get("to", ""),
            on=day(form.get("on"), field="on") or local_today(),
            employer_name=form.get("employer_name") or None,
            note=form.get("note") or None,
        )
        return mentors.record_outcome(session, principal=viewer.principal, pairing_id=pairing_id, outcome=outcome)

    return await _pairing_post(request, viewer, session, pairing_id, "outcome", call)


# ---- projects and contests -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VentureRow:
    id: int
    name: str
    graduate_id: int
    graduate: str
    kind: str
    state: str
    place: str
    recorded_on: str


def _ventures_context(session: Session, viewer: Viewer) -> dict[str, Any]:
    rows, total = ventures.list_ventures(session, principal=viewer.principal, limit=100)
    graduates: dict[int, str] = {}
    items = []
    for v in rows:
        if v.graduate_id not in graduates:
            graduates[v.graduate_id] = _graduate_name(session, viewer, v.graduate_id)
        items.append(
            VentureRow(
                id=v.id,
                name=v.name,
                graduate_id=v.graduate_id,
                graduate=graduates[v.graduate_id],
                kind=ventures.VENTURE_KINDS.get(v.kind, v.kind),
                state=ventures.VENTURE_STATES.get(v.state, v.state),
                place=v.place or "",
                recorded_on=v.recorded_on.isoformat(),
            )
        )
    contests, contest_total = ventures.list_contests(session, principal=viewer.principal, limit=100)
    units = {u.id: u.name for u in orgs.list_units(session, scope=None)}
    return {
        "ventures": items,
        "total": total,
        "contests": [
            {
                "id": c.id,
                "year": c.year,
                "name": c.name,
                "organiser": c.organiser,
                "unit": units.get(c.org_unit_id, ""),
                "criteria": "、".join(str(x.get("label")) for x in c.criteria),
                "closes": c.entries_close_on or "",
            }
            for c in contests
        ],
        "contest_total": contest_total,
        "venture_kinds": list(ventures.VENTURE_KINDS.items()),
        "venture_states": list(ventures.VENTURE_STATES.items()),
        "default_criteria": "\n".join(ventures.DEFAULT_CRITERIA),
        "units": _units(session, viewer),
        "staff": _is_staff(viewer),
        "year": local_today().year,
        "form": {},
        "form_kind": "",
    }


@router.get("/ventures")
def ventures_page(request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "mentoring/ventures.html", _ventures_context(session, viewer), viewer=viewer)


def _ventures_refused(
    request: Request, session: Session, viewer: Viewer, kind: str, errors: FormErrors, form: dict[str, str]
) -> HTMLResponse:
    context = _ventures_context(session, viewer)
    context.update(errors=errors, form=form, form_kind=kind)
    return render(request, "mentoring/ventures.html", context, viewer=viewer, status_code=errors.status)


@router.post("/ventures")
async def create_venture(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        data = ventures.VentureData(
            graduate_id=_int(form.get("graduate_id"), "graduate_id", "请填写毕业生编号"),
            name=form.get("name", ""),
            kind=form.get("kind", ""),
            description=form.get("description", ""),
            team=form.get("team", ""),
            place=form.get("place", ""),
            state=form.get("state", "") or "planning",
            started_on=day(form.get("started_on"), field="started_on"),
        )
        return ventures.record_venture(session, principal=viewer.principal, data=data)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _ventures_refused(request, session, viewer, "venture", result, form)
    return redirect(f"/mentoring/ventures/{result.id}")  # type: ignore[attr-defined]


@router.post("/contests")
async def create_contest(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        year_text = form.get("year", "").strip()
        if not (year_text.isdigit() and len(year_text) == 4):
            raise ValidationFailed("请填写四位数的大赛年度，如 2023", field="year")
        data = ventures.ContestData(
            org_unit_id=_int(form.get("org_unit_id"), "org_unit_id", "请选择主办的工会"),
            year=int(year_text),
            name=form.get("name", ""),
            organiser=form.get("organiser", ""),
            criteria=tuple(line for line in form.get("criteria", "").splitlines()),
            entries_close_on=day(form.get("entries_close_on"), field="entries_close_on"),
        )
        return ventures.create_contest(session, principal=viewer.principal, data=data)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _ventures_refused(request, session, viewer, "contest", result, form)
    return redirect(f"/mentoring/contests/{result.id}")  # type: ignore[attr-defined]


def _venture_context(session: Session, viewer: Viewer, venture_id: int) -> dict[str, Any]:
    v = ventures.get_venture(session, principal=viewer.principal, venture_id=venture_id)
    supports = ventures.supports_of(session, venture=v)
    names = mentors.mentor_names(session, ids=[s.mentor_id for s in supports if s.mentor_id])
    entries, _ = ventures.list_entries(session, principal=viewer.principal, venture_id=v.id)
    contests = {c.id: c for c in ventures.list_contests(session, principal=viewer.principal, limit=200)[0]}
    mentor_rows, _ = mentors.list_mentors(session, principal=viewer.principal, active_only=True, limit=200)
    return {
        "v": v,
        "graduate": _graduate_name(session, viewer, v.graduate_id),
        "kind": ventures.VENTURE_KINDS.get(v.kind, v.kind),
        "state": ventures.VENTURE_STATES.get(v.state, v.state),
        "supports": [
            {
                "kind": ventures.SUPPORT_KINDS.get(s.kind, s.kind),
                "amount": s.amount,
                "description": s.description,
                "provider": s.provider or "",
                "given_on": s.given_on.isoformat(),
                "mentor": names.get(s.mentor_id, "") if s.mentor_id else "",
                "contest": contests[e.contest_id].name
                if (e := next((x for x in entries if x.id == s.entry_id), None)) and e.contest_id in contests
                else "",
            }
            for s in supports
        ],
        "entries": [
            {
                "contest": contests[e.contest_id].name if e.contest_id in contests else f"大赛 {e.contest_id}",
                "state": ventures.ENTRY_STATES.get(e.state, e.state),
                "criterion": ventures.criterion_label(contests[e.contest_id], e.criterion)
                if e.criterion and e.contest_id in contests
                else "",
            }
            for e in entries
        ],
        "entry_options": [
            (str(e.id), contests[e.contest_id].name)
            for e in entries
            if e.state == "passed" and e.contest_id in contests
        ],
        "contest_options": [(str(c.id), f"{c.year}年 {c.name}") for c in contests.values()],
        "mentor_options": [(str(m.id), f"{m.name}（{mentors.MENTOR_KINDS.get(m.kind, m.kind)}）") for m in mentor_rows],
        "support_kinds": list(ventures.SUPPORT_KINDS.items()),
        "staff": _is_staff(viewer),
        "today": local_today().isoformat(),
        "form": {},
        "form_kind": "",
    }


@router.get("/ventures/{venture_id}")
def venture_page(venture_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "mentoring/venture.html", _venture_context(session, viewer, venture_id), viewer=viewer)


def _amount(text: str | None) -> Decimal | None:
    value = (text or "").strip().replace(",", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationFailed("扶持金额应为数字，如 20000.00", field="amount") from exc
    if not amount.is_finite():
        raise ValidationFailed("扶持金额应为数字，如 20000.00", field="amount")
    return amount


async def _venture_post(
    request: Request, viewer: Viewer, session: Session, venture_id: int, kind: str, call: Any
) -> Response:
    form = await form_data(request)
    ventures.get_venture(session, principal=viewer.principal, venture_id=venture_id)
    result = attempt(session, lambda: call(form))
    if isinstance(result, FormErrors):
        context = _venture_context(session, viewer, venture_id)
        context.update(errors=result, form=form, form_kind=kind)
        return render(request, "mentoring/venture.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/mentoring/ventures/{venture_id}#{kind}")


@router.post("/ventures/{venture_id}/supports")
async def give_support(venture_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    def call(form: dict[str, str]) -> object:
        data = ventures.SupportData(
            venture_id=venture_id,
            kind=form.get("kind", ""),
            given_on=day(form.get("given_on"), field="given_on") or local_today(),
            description=form.get("description", ""),
            amount=_amount(form.get("amount")),
            provider=form.get("provider", ""),
            entry_id=_opt_int(form.get("entry_id"), "entry_id", "请选择参赛记录"),
            mentor_id=_opt_int(form.get("mentor_id"), "mentor_id", "请选择导师"),
        )
        return ventures.give_support(session, principal=viewer.principal, data=data)

    return await _venture_post(request, viewer, session, venture_id, "supports", call)


@router.post("/ventures/{venture_id}/entries")
async def enter_contest(venture_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    def call(form: dict[str, str]) -> object:
        contest_id = _int(form.get("contest_id"), "contest_id", "请选择大赛")
        return ventures.enter(session, principal=viewer.principal, contest_id=contest_id, venture_id=venture_id)

    return await _venture_post(request, viewer, session, venture_id, "entries", call)


def _contest_context(session: Session, viewer: Viewer, contest_id: int) -> dict[str, Any]:
    c = ventures.get_contest(session, principal=viewer.principal, contest_id=contest_id)
    entries, total = ventures.list_entries(session, principal=viewer.principal, contest_id=c.id)
    rows = []
    for e in entries:
        v = ventures.get_venture(session, principal=viewer.principal, venture_id=e.venture_id)
        rows.append(
            {
                "id": e.id,
                "venture_id": v.id,
                "project": v.name,
                "kind": ventures.VENTURE_KINDS.get(v.kind, v.kind),
                "graduate": _graduate_name(session, viewer, v.graduate_id),
                "team": v.team or "",
                "submitted_on": e.submitted_on.isoformat(),
                "state": e.state,
                "state_name": ventures.ENTRY_STATES.get(e.state, e.state),
                "criterion": ventures.criterion_label(c, e.criterion) if e.criterion else "",
                "note": e.screening_note or "",
            }
        )
    return {
        "c": c,
        "entries": rows,
        "total": total,
        "criteria": [(str(x.get("code")), str(x.get("label"))) for x in c.criteria],
        "can_screen": _is_staff(viewer) and viewer.principal.covers(c.org_unit_id),
        "today": local_today().isoformat(),
    }


@router.get("/contests/{contest_id}")
def contest_page(contest_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "mentoring/contest.html", _contest_context(session, viewer, contest_id), viewer=viewer)


@router.post("/entries/{entry_id}/screening")
async def screen_entry(entry_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    entry = ventures.get_entry(session, principal=viewer.principal, entry_id=entry_id)

    def run() -> object:
        screening = ventures.Screening(
            to=form.get("to", ""),
            on=day(form.get("on"), field="on") or local_today(),
            criterion=form.get("criterion") or None,
            note=form.get("note") or None,
        )
        return ventures.screen(session, principal=viewer.principal, entry_id=entry_id, screening=screening)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        context = _contest_context(session, viewer, entry.contest_id)
        context.update(errors=result, failed_id=entry_id)
        return render(request, "mentoring/contest.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/mentoring/contests/{entry.contest_id}#entry-{entry_id}")
