"""县区 / 市总工会 pages of the campaign records: 摸排 (each county's survey: fill in, hand in, send back), 报告
(the 阶段性情况报告 and 活动总结: the sections, the figures of their date, Word and xlsx downloads) with 典型经验,
and 截止日期 (the year's deadlines and their reminders). Every domain call is the one the API router makes."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.db import SessionDep
from services.errors import NotFound, ValidationFailed
from services.reports import render as report_render
from services.reports import service as reports
from services.reports.campaign import deadlines, documents, narratives, surveys
from services.reports.campaign import router as campaign_api
from services.reports.campaign.documents import key_lines
from services.reports.campaign.filing import CITY_ROLES, EDITABLE
from services.reports.campaign_models import (
    FILING_STATUS_NAMES,
    NARRATIVE_KIND_NAMES,
    FilingStatus,
)
from services.reports.columns import AID_CATEGORIES
from services.security.models import ROLE_NAMES, Role
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, form_list, redirect, render
from services.web.union import UnionViewer
from services.web.validation import day

router = APIRouter(prefix="/union", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
YearPath = Annotated[int, Path(ge=2000, le=2100)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
ROLE_OPTIONS = [(r.value, ROLE_NAMES[r]) for r in (Role.UNION_COUNTY, Role.UNION_CITY, Role.COUNSELOR)]


def _year(year: int | None) -> int:
    return year or reports.today().year


def _download(content: bytes, name: str, media: str) -> Response:
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"
    return Response(content=content, media_type=media, headers={"Content-Disposition": disposition})


# ---- 摸排 -----------------------------------------------------------------------------------------------------


@router.get("/surveys")
def surveys_page(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    y = _year(year)
    context = {
        "year": y,
        "lines": surveys.overview(session, principal=viewer.principal, year=y),
        "status_names": FILING_STATUS_NAMES,
        "due": deadlines.due_on(session, year=y, code=deadlines.ARCHIVES),
    }
    return render(request, "union/surveys.html", context, viewer=viewer)


def _survey_context(
    session: Session, viewer: Viewer, county_id: int, year: int, *, form: dict[str, str] | None = None
) -> dict[str, Any]:
    unit = surveys.county_unit(session, principal=viewer.principal, county_id=county_id)
    row = surveys.find(session, principal=viewer.principal, county_id=county_id, year=year)
    values: dict[str, Any] = {}
    if row is not None:
        values = {
            **row.aid_persons,
            "archived_amount": row.archived_amount,
            "nonarchived_amount": row.nonarchived_amount,
        }
        values.update({k: getattr(row, k) for k, _ in surveys.EMPLOYMENT_NEEDS})
        values["note"] = row.note
    if form is not None:
        values = dict(form)
    status = row.status if row else None
    return {
        "unit": unit,
        "year": year,
        "survey": row,
        "values": values,
        "families": surveys.FAMILY_KINDS,
        "categories": list(AID_CATEGORIES),
        "needs": surveys.EMPLOYMENT_NEEDS,
        "status_names": FILING_STATUS_NAMES,
        "can_write": viewer.principal.org_unit_id == unit.id and (status is None or status in EDITABLE),
        "can_return": viewer.role in CITY_ROLES and status == FilingStatus.SUBMITTED,
        "errors": FormErrors(),
    }


@router.get("/surveys/{county_id}/{year}")
def survey_page(
    county_id: Id, year: YearPath, request: Request, viewer: UnionViewer, session: SessionDep
) -> HTMLResponse:
    return render(request, "union/survey.html", _survey_context(session, viewer, county_id, year), viewer=viewer)


def _figures(form: dict[str, str]) -> surveys.SurveyFigures:
    return surveys.SurveyFigures(
        aid_persons={k: form.get(k, "") for k in surveys.PERSON_KEYS},
        archived_amount=form.get("archived_amount", ""),
        nonarchived_amount=form.get("nonarchived_amount", ""),
        note=form.get("note", ""),
        **{k: form.get(k, "") for k, _ in surveys.EMPLOYMENT_NEEDS},
    )


@router.post("/surveys/{county_id}/{year}")
async def save_survey(
    county_id: Id, year: YearPath, request: Request, viewer: UnionViewer, session: SessionDep
) -> Response:
    form = await form_data(request)
    principal = viewer.principal

    def call() -> object:
        row = surveys.save(session, principal=principal, county_id=county_id, year=year, figures=_figures(form))
        if form.get("action") == "submit":
            surveys.submit(session, principal=principal, survey_id=row.id)
        return row

    result = attempt(session, call)
    if isinstance(result, FormErrors):
        context = {**_survey_context(session, viewer, county_id, year, form=form), "errors": result}
        return render(request, "union/survey.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/surveys/{county_id}/{year}", request)


@router.post("/surveys/{county_id}/{year}/return")
async def return_survey(
    county_id: Id, year: YearPath, request: Request, viewer: UnionViewer, session: SessionDep
) -> Response:
    form = await form_data(request)
    row = surveys.find(session, principal=viewer.principal, county_id=county_id, year=year)
    if row is None:
        raise NotFound("该县区尚未填报摸排，无需退回")
    survey_id = row.id
    result = attempt(
        session,
        lambda: surveys.send_back(
            session, principal=viewer.principal, survey_id=survey_id, reason=form.get("reason", "")
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_survey_context(session, viewer, county_id, year), "errors": result}
        return render(request, "union/survey.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/surveys/{county_id}/{year}", request)


# ---- 报告与典型经验 ------------------------------------------------------------------------------------------------


def _narratives_context(session: Session, viewer: Viewer, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "rows": narratives.list_reports(session, principal=viewer.principal, year=year),
        "experiences": narratives.experiences(session, principal=viewer.principal, year=year),
        "kind_names": NARRATIVE_KIND_NAMES,
        "status_names": FILING_STATUS_NAMES,
        "errors": FormErrors(),
        "exp_errors": FormErrors(),
        "exp_values": {},
    }


@router.get("/narratives")
def narratives_page(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    return render(request, "union/narratives.html", _narratives_context(session, viewer, _year(year)), viewer=viewer)


def _form_year(form: dict[str, str]) -> int:
    text = form.get("year", "").strip()
    return int(text) if text.isdigit() and len(text) == 4 else reports.today().year


@router.post("/narratives")
async def create_narrative(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    year = _form_year(form)
    result = attempt(
        session, lambda: narratives.create(session, principal=viewer.principal, year=year, kind=form.get("kind", ""))
    )
    if isinstance(result, FormErrors):
        context = {**_narratives_context(session, viewer, year), "errors": result}
        return render(request, "union/narratives.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/narratives/{result.id}", request)


@router.post("/experiences")
async def add_experience(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    year = _form_year(form)
    result = attempt(
        session,
        lambda: narratives.add_experience(
            session, principal=viewer.principal, year=year, title=form.get("title", ""), body=form.get("body", "")
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_narratives_context(session, viewer, year), "exp_errors": result, "exp_values": form}
        return render(request, "union/narratives.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/narratives?year={year}", request)


def _narrative_context(session: Session, viewer: Viewer, report_id: int) -> dict[str, Any]:
    report = narratives.get(session, principal=viewer.principal, report_id=report_id)
    snapshot = narratives.snapshot_of(session, principal=viewer.principal, report=report)
    lines, total = key_lines(snapshot) if snapshot is not None else ([], None)
    return {
        "report": report,
        "snapshot": snapshot,
        "sentence": documents.figures_sentence(snapshot, total) if snapshot is not None and total else "",
        "lines": lines,
        "total": total,
        "sections": narratives.SECTIONS,
        "values": dict(report.sections),
        "experiences": narratives.experiences_of_report(session, principal=viewer.principal, report=report),
        "kind_names": NARRATIVE_KIND_NAMES,
        "status_names": FILING_STATUS_NAMES,
        "can_write": viewer.principal.org_unit_id == report.org_unit_id and report.status in EDITABLE,
        "can_return": viewer.role in CITY_ROLES and report.status == FilingStatus.SUBMITTED,
        "errors": FormErrors(),
    }


@router.get("/narratives/{report_id}")
def narrative_page(report_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/narrative.html", _narrative_context(session, viewer, report_id), viewer=viewer)


@router.post("/narratives/{report_id}")
async def write_narrative(report_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    principal = viewer.principal
    action = form.get("action", "save")

    def call() -> object:
        if action == "refresh":
            return narratives.refresh_figures(session, principal=principal, report_id=report_id)
        texts = {code: form.get(code, "") for code, _ in narratives.SECTIONS}
        row = narratives.write(session, principal=principal, report_id=report_id, sections=texts)
        if action == "submit":
            narratives.submit(session, principal=principal, report_id=report_id)
        return row

    result = attempt(session, call)
    if isinstance(result, FormErrors):
        context = _narrative_context(session, viewer, report_id)
        context["values"] = {code: form.get(code, "") for code, _ in narratives.SECTIONS}
        context["errors"] = result
        return render(request, "union/narrative.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/narratives/{report_id}", request)


@router.post("/narratives/{report_id}/return")
async def return_narrative(report_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    result = attempt(
        session,
        lambda: narratives.send_back(
            session, principal=viewer.principal, report_id=report_id, reason=form.get("reason", "")
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_narrative_context(session, viewer, report_id), "errors": result}
        return render(request, "union/narrative.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/narratives/{report_id}", request)


@router.get("/narratives/{report_id}/document.docx")
def narrative_docx(report_id: Id, viewer: UnionViewer, session: SessionDep) -> Response:
    content, name = campaign_api.narrative_document(session, viewer.principal, report_id)
    return _download(content, name, documents.DOCX_MEDIA_TYPE)


@router.get("/narratives/{report_id}/figures.xlsx")
def narrative_xlsx(report_id: Id, viewer: UnionViewer, session: SessionDep) -> Response:
    content, name = campaign_api.narrative_figures(session, viewer.principal, report_id)
    return _download(content, name, report_render.XLSX_MEDIA_TYPE)


# ---- 截止日期 -------------------------------------------------------------------------------------------------


def _deadlines_context(session: Session, viewer: Viewer, year: int) -> dict[str, Any]:
    return {
        "year": year,
        "rows": deadlines.list_deadlines(session, principal=viewer.principal, year=year),
        "role_options": ROLE_OPTIONS,
        "role_names": dict(ROLE_OPTIONS),
        "can_edit": viewer.role in CITY_ROLES,
        "errors": FormErrors(),
        "failed_id": None,
    }


@router.get("/deadlines")
def deadlines_page(request: Request, viewer: UnionViewer, session: SessionDep, year: Year = None) -> HTMLResponse:
    return render(request, "union/deadlines.html", _deadlines_context(session, viewer, _year(year)), viewer=viewer)


@router.post("/deadlines/{deadline_id}")
async def update_deadline(deadline_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    roles = await form_list(request, "roles")
    year = _form_year(form)

    def call() -> object:
        days_text = form.get("remind_days_before", "").strip()
        days = int(days_text) if days_text.lstrip("-").isdigit() else None
        if days_text and days is None:
            raise ValidationFailed("提前提醒天数应为0至60的整数", field="remind_days_before")
        return deadlines.update(
            session,
            principal=viewer.principal,
            deadline_id=deadline_id,
            due=day(form.get("due_on"), field="due_on"),
            remind_days_before=days,
            roles=roles,
        )

    result = attempt(session, call)
    if isinstance(result, FormErrors):
        context = {**_deadlines_context(session, viewer, year), "errors": result, "failed_id": deadline_id}
        return render(request, "union/deadlines.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/deadlines?year={year}", request)
