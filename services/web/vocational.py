"""Console pages of the vocational path: on a person's page the counselor records a 两后生's 技能培训, 中职/技工学校
and 学徒 steps; union staff sign 金牌蓝领 pairings and, per pairing, add students and record internships, aid and
placement; an enterprise sees its own pairings and their students. Every domain call is the one the API makes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.catalog import pairings as catalog_pairings
from services.catalog import service as catalog
from services.clock import local_today
from services.db import SessionDep
from services.errors import ValidationFailed
from services.orgs import service as orgs
from services.registry import vocational
from services.security.models import Role
from services.tracking import pairings
from services.tracking.pairing_router import student_views
from services.web.auth import get_viewer
from services.web.counselor import CounselorViewer, _refused
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, require_role
from services.web.validation import day

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
STAFF = (Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)
UNION_SIDE = (Role.COUNSELOR, *STAFF)


def union_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, *UNION_SIDE)
    return viewer


def enterprise_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, Role.ENTERPRISE)
    return viewer


UnionViewer = Annotated[Viewer, Depends(union_viewer)]
EnterpriseViewer = Annotated[Viewer, Depends(enterprise_viewer)]


def _int(text: str | None, field: str, reason: str) -> int:
    value = (text or "").strip()
    if not (value.isdigit() and 0 < int(value) < 2**31):
        raise ValidationFailed(reason, field=field)
    return int(value)


def _money(text: str | None, field: str, reason: str) -> Decimal:
    try:
        return Decimal((text or "").strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationFailed(reason, field=field) from exc


# ---- a 两后生's track on the person's page ---------------------------------------------------------------------


@router.post("/counselor/graduates/{graduate_id}/vocational-tracks")
async def add_track(graduate_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        starts = day(form.get("starts_on"), field="starts_on")
        if starts is None:
            raise ValidationFailed("请填写开始日期", field="starts_on")
        hours = form.get("hours", "").strip()
        data = vocational.TrackData(
            kind=form.get("kind", ""),
            programme=form.get("programme", ""),
            provider=form.get("provider", ""),
            school_type=form.get("school_type") or None,
            starts_on=starts,
            ends_on=day(form.get("ends_on"), field="ends_on"),
            hours=_int(hours, "hours", "培训课时应为整数") if hours else None,
            note=form.get("note") or None,
        )
        return vocational.add_track(session, principal=viewer.principal, graduate_id=graduate_id, data=data)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, graduate_id, "track", result, form)
    return redirect(f"/counselor/graduates/{graduate_id}?saved=track#vocational")


@router.post("/counselor/graduates/{graduate_id}/vocational-tracks/{track_id}")
async def move_track(
    graduate_id: Id, track_id: Id, request: Request, viewer: CounselorViewer, session: SessionDep
) -> Response:
    form = await form_data(request)

    def run() -> object:
        move = vocational.TrackMove(
            to=form.get("to", ""),
            on=day(form.get("on"), field="on") or local_today(),
            certificate=form.get("certificate") or None,
            certificate_no=form.get("certificate_no") or None,
            outcome=form.get("outcome") or None,
            outcome_note=form.get("outcome_note") or None,
        )
        return vocational.move_track(
            session, principal=viewer.principal, graduate_id=graduate_id, track_id=track_id, move=move
        )

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _refused(request, session, viewer, graduate_id, f"track-{track_id}", result, form)
    return redirect(f"/counselor/graduates/{graduate_id}?saved=track#vocational")


# ---- 金牌蓝领: the union's list and form ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairingView:
    id: int
    number: str
    school: str
    school_kind: str
    employer: str
    unit: str
    period: str
    headcount: int
    aid_per_student: Decimal
    joined: int
    placed: int


def _pairing_views(session: Session, rows: list[catalog_pairings.GoldenPairing]) -> list[PairingView]:
    names = catalog_pairings.employer_names(session, ids=[p.employer_id for p in rows])
    figures = pairings.pairing_figures(session, pairing_ids=[p.id for p in rows])
    units = {u.id: u.name for u in orgs.list_units(session, scope=None)} if rows else {}
    return [
        PairingView(
            id=p.id,
            number=p.number,
            school=p.school_name,
            school_kind=catalog_pairings.SCHOOL_KINDS.get(p.school_kind, p.school_kind),
            employer=names.get(p.employer_id, ""),
            unit=units.get(p.org_unit_id, ""),
            period=f"{p.starts_on} 至 {p.ends_on}",
            headcount=p.headcount,
            aid_per_student=p.aid_per_student,
            joined=figures[p.id]["joined"] + figures[p.id]["placed"],
            placed=figures[p.id]["placed"],
        )
        for p in rows
    ]


def _list_context(session: Session, viewer: Viewer) -> dict[str, Any]:
    rows, total = catalog_pairings.list_pairings(session, principal=viewer.principal, limit=100)
    staff = viewer.principal.role in STAFF
    employers: list[tuple[str, str]] = []
    organisers: list[tuple[str, str]] = []
    if staff:
        found, _ = catalog.list_employers(
            session, principal=viewer.principal, status="verified", query=None, limit=500, offset=0
        )
        employers = [(str(e.id), e.name) for e in found]
        organisers = [
            (str(u.id), u.name)
            for u in orgs.list_units(session, scope=viewer.principal.scope)
            if u.kind in catalog_pairings.ORGANISING_KINDS
        ]
    return {
        "pairings": _pairing_views(session, rows),
        "total": total,
        "staff": staff,
        "employers": employers,
        "organisers": organisers,
        "school_kinds": list(catalog_pairings.SCHOOL_KINDS.items()),
        "form": {},
    }


@router.get("/union/golden-pairings")
def pairing_list(request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/golden_pairings.html", _list_context(session, viewer), viewer=viewer)


@router.post("/union/golden-pairings")
async def create_pairing(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        starts, ends = day(form.get("starts_on"), field="starts_on"), day(form.get("ends_on"), field="ends_on")
        if starts is None:
            raise ValidationFailed("请填写协议开始日期", field="starts_on")
        if ends is None:
            raise ValidationFailed("请填写协议结束日期", field="ends_on")
        data = catalog_pairings.PairingData(
            org_unit_id=_int(form.get("org_unit_id"), "org_unit_id", "请选择组织单位"),
            number=form.get("number", ""),
            school_name=form.get("school_name", ""),
            school_kind=form.get("school_kind", ""),
            employer_id=_int(form.get("employer_id"), "employer_id", "请选择结对企业"),
            majors=form.get("majors", ""),
            starts_on=starts,
            ends_on=ends,
            terms=form.get("terms", ""),
            headcount=_int(form.get("headcount"), "headcount", "结对学生名额至少为1人"),
            aid_per_student=_money(form.get("aid_per_student"), "aid_per_student", "每生助学金应为金额，如 2000.00"),
        )
        return catalog_pairings.create_pairing(session, principal=viewer.principal, data=data)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        context = _list_context(session, viewer)
        context.update(errors=result, form=form)
        return render(request, "union/golden_pairings.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/golden-pairings/{getattr(result, 'id', '')}")


# ---- one pairing: students, internships, aid, placement ----------------------------------------------------------


def _pairing_context(session: Session, viewer: Viewer, pairing_id: int) -> dict[str, Any]:
    pairing = catalog_pairings.get_pairing(session, principal=viewer.principal, pairing_id=pairing_id)
    students = student_views(
        session, pairings.list_students(session, principal=viewer.principal, pairing_id=pairing.id)
    )
    return {
        "pairing": _pairing_views(session, [pairing])[0],
        "terms": pairing.terms,
        "majors": pairing.majors,
        "students": students,
        "internship_kinds": list(pairings.INTERNSHIP_KINDS.items()),
        "internship_names": pairings.INTERNSHIP_KINDS,
        "moves": [(k, v) for k, v in pairings.PAIRING_STATES.items() if k != pairings.PairingState.JOINED],
        "today": local_today().isoformat(),
        "form": {},
        "failed": "",
    }


@router.get("/union/golden-pairings/{pairing_id}")
def pairing_page(pairing_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/golden_pairing.html", _pairing_context(session, viewer, pairing_id), viewer=viewer)


def _pairing_refused(
    request: Request,
    session: Session,
    viewer: Viewer,
    pairing_id: int,
    failed: str,
    errors: FormErrors,
    form: dict[str, str],
) -> HTMLResponse:
    context = _pairing_context(session, viewer, pairing_id)
    context.update(errors=errors, form=form, failed=failed)
    return render(request, "union/golden_pairing.html", context, viewer=viewer, status_code=errors.status)


@router.post("/union/golden-pairings/{pairing_id}/students")
async def add_student(pairing_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def run() -> object:
        return pairings.add_student(
            session,
            principal=viewer.principal,
            pairing_id=pairing_id,
            graduate_id=_int(form.get("graduate_id"), "graduate_id", "请填写学生的档案编号"),
            joined_on=day(form.get("joined_on"), field="joined_on"),
            note=form.get("note") or None,
        )

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _pairing_refused(request, session, viewer, pairing_id, "student", result, form)
    return redirect(f"/union/golden-pairings/{pairing_id}#students")


@router.post("/union/golden-pairings/{pairing_id}/students/{student_id}")
async def student_action(
    pairing_id: Id, student_id: Id, request: Request, viewer: UnionViewer, session: SessionDep
) -> Response:
    form = await form_data(request)
    action = form.get("action", "")

    def run() -> object:
        if action == "internship":
            starts = day(form.get("starts_on"), field="starts_on")
            if starts is None:
                raise ValidationFailed("请填写实习开始日期", field="starts_on")
            data = pairings.InternshipData(
                kind=form.get("kind", ""),
                post=form.get("post", ""),
                starts_on=starts,
                ends_on=day(form.get("ends_on"), field="ends_on"),
                assessment=form.get("assessment") or None,
            )
            return pairings.record_internship(session, principal=viewer.principal, student_id=student_id, data=data)
        if action == "aid":
            return pairings.record_aid(
                session,
                principal=viewer.principal,
                student_id=student_id,
                amount=_money(form.get("amount"), "amount", "助学金金额应为数字，如 1000.00"),
                paid_on=day(form.get("paid_on"), field="paid_on") or local_today(),
                note=form.get("note") or None,
            )
        move = pairings.PairingMove(
            to=form.get("to", ""),
            on=day(form.get("on"), field="on") or local_today(),
            post=form.get("post") or None,
            reason=form.get("reason") or None,
        )
        return pairings.move_student(session, principal=viewer.principal, student_id=student_id, move=move)

    result = attempt(session, run)
    if isinstance(result, FormErrors):
        return _pairing_refused(request, session, viewer, pairing_id, f"{action}-{student_id}", result, form)
    return redirect(f"/union/golden-pairings/{pairing_id}#student-{student_id}")


# ---- the enterprise's own pairings ---------------------------------------------------------------------------------


@router.get("/enterprise/golden-pairings")
def enterprise_pairings(request: Request, viewer: EnterpriseViewer, session: SessionDep) -> HTMLResponse:
    rows, total = catalog_pairings.list_pairings(session, principal=viewer.principal, limit=100)
    blocks = [
        (view, student_views(session, pairings.list_students(session, principal=viewer.principal, pairing_id=p.id)))
        for p, view in zip(rows, _pairing_views(session, rows), strict=True)
    ]
    context = {"blocks": blocks, "total": total, "internship_names": pairings.INTERNSHIP_KINDS}
    return render(request, "enterprise/golden_pairings.html", context, viewer=viewer)
