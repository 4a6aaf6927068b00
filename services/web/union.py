"""县区 / 市总工会 pages: 数据看板 (the employment rate over time per county, the pipeline by stage, services
delivered against 1131), 档案 (search, filters, paging), 待认证 (the employer verification queue with the
near-duplicate employers), 导入 (upload, the dry run's per-cell errors, a progress bar while it runs, the real run)
and 统计报表 (附件7/8/9 on screen and as xlsx, snapshots and their differences, report builds in the background).
金秋助学 is in :mod:`services.web.union_aid`. Every domain call of these pages is in these modules, through the
functions the API routers call; a county clerk sees only the county, the city every county."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from services.catalog import service as catalog
from services.catalog.models import OWNERSHIP_NAMES, EmployerStatus
from services.db import SessionDep
from services.errors import ValidationFailed
from services.refdata import enums
from services.registry import families as registry
from services.registry import importer, mappings
from services.registry.models import ImportJob, ImportStatus
from services.reports import render as report_render
from services.reports import service as reports
from services.reports import tables as report_tables
from services.reports.models import JobStatus
from services.security.models import Role
from services.tracking import service as tracking
from services.tracking.pipeline import AppState
from services.web import labels
from services.web.auth import get_viewer
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, require_role
from services.web.validation import day

router = APIRouter(prefix="/union", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PER_PAGE = 20
STAFF = (Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN)
FUNNEL = [AppState.RECOMMENDED, AppState.APPLIED, AppState.INTERVIEWING, AppState.OFFERED, AppState.SIGNED]
REPORT_NAMES = {
    "annex7": "附件7 金秋助学活动需求汇总表",
    "annex8": "附件8 金秋助学活动情况统计表",
    "annex9": "附件9 阳光就业暖心行动统计表",
}
IMPORT_STATUS_NAMES: dict[str, str] = {
    ImportStatus.QUEUED: "排队中",
    ImportStatus.RUNNING: "进行中",
    ImportStatus.SUCCEEDED: "全部无误",
    ImportStatus.PARTIAL: "部分导入",
    ImportStatus.FAILED: "有错误，未写入",
    ImportStatus.ERROR: "文件无法读取",
}
JOB_STATUS_NAMES: dict[str, str] = {
    JobStatus.QUEUED: "排队中",
    JobStatus.RUNNING: "生成中",
    JobStatus.SUCCEEDED: "已生成",
    JobStatus.FAILED: "生成失败",
}
EMPLOYER_STATUSES = {"pending": "待认证", "verified": "已认证", "rejected": "未通过"}
FINISHED = {ImportStatus.SUCCEEDED, ImportStatus.PARTIAL, ImportStatus.FAILED, ImportStatus.ERROR}


def union_viewer(request: Request, session: SessionDep) -> Viewer:
    viewer = get_viewer(request, session)
    require_role(viewer, *STAFF)
    return viewer


UnionViewer = Annotated[Viewer, Depends(union_viewer)]


# ---- 数据看板 ---------------------------------------------------------------------------------------------


def _months_back(today: date, months: int) -> date:
    year, month = today.year, today.month - months
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _rate(value: Any) -> float | None:
    return None if value is None else float(value)


@router.get("")
def dashboard(
    request: Request,
    viewer: UnionViewer,
    session: SessionDep,
    months: Annotated[int, Query(ge=1, le=24)] = 6,
) -> HTMLResponse:
    today = reports.today()
    start = _months_back(today, months - 1)
    _fold, units = report_tables.county_units(session)
    counties = [u for u in units if viewer.principal.covers(u.id) and u.kind != "city"]
    by_county = reports.employment_rate_by_county(session, principal=viewer.principal, start=start, end=today)
    days = sorted({p.as_of for points in by_county.values() for p in points})
    series = []
    for unit in counties:
        at = {p.as_of: p for p in by_county.get(unit.id, [])}
        series.append(
            {
                "code": unit.code,
                "name": unit.name,
                "data": [_rate(at[d].rate) if d in at else None for d in days],
                "last": at.get(today),
            }
        )
    overall = [
        p
        for p in reports.employment_rate_series(session, principal=viewer.principal, start=today, end=today)
        if p.source == "history"
    ]
    funnel = []
    for state in FUNNEL:
        _rows, total = tracking.list_applications(session, principal=viewer.principal, state=state, limit=1, offset=0)
        funnel.append((labels.STATE_NAMES[state], total))
    widest = max((n for _, n in funnel), default=0) or 1
    county_names = {u.code: u.name for u in units}
    compliance = [
        {**row, "county_name": county_names.get(row["county"], row["county"])}
        for row in tracking.compliance(session, org_unit_ids=viewer.principal.scope, as_of=today)
    ]
    standard = tracking.active_standard(session)
    chart = {"days": [d.isoformat() for d in days], "series": [{"name": s["name"], "data": s["data"]} for s in series]}
    context = {
        "series": series,
        "overall": overall[-1] if overall else None,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "funnel": funnel,
        "widest": widest,
        "compliance": compliance,
        "standard": standard,
        "months": months,
        "today": today,
    }
    return render(request, "union/dashboard.html", context, viewer=viewer)


# ---- 档案 -------------------------------------------------------------------------------------------------


@router.get("/archives")
def archives(
    request: Request,
    viewer: UnionViewer,
    session: SessionDep,
    name: Annotated[str | None, Query(max_length=50)] = None,
    status: Annotated[str | None, Query(pattern=r"^(active|closed)?$")] = None,
    hardship_category: Annotated[str | None, Query(max_length=8)] = None,
    archive_type: Annotated[str | None, Query(max_length=8)] = None,
    zero_employment: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    flt = registry.FamilyFilter(
        status=status or None,
        archive_type=archive_type or None,
        hardship_category=hardship_category or None,
        name=(name or "").strip() or None,
        zero_employment=True if zero_employment else None,
    )
    rows, total = registry.list_families(session, principal=viewer.principal, flt=flt, limit=PER_PAGE, offset=offset)
    names = labels.Names(session)
    query = "&".join(
        f"{k}={quote(str(v))}"
        for k, v in {
            "name": name or "",
            "status": status or "",
            "hardship_category": hardship_category or "",
            "archive_type": archive_type or "",
            "zero_employment": "true" if zero_employment else "",
        }.items()
        if v
    )
    context = {
        "rows": rows,
        "total": total,
        "offset": offset,
        "per_page": PER_PAGE,
        "names": names,
        "filters": {
            "name": name or "",
            "status": status or "",
            "hardship_category": hardship_category or "",
            "archive_type": archive_type or "",
            "zero_employment": zero_employment,
        },
        "categories": names.options("hardship_category"),
        "archive_types": names.options("archive_type"),
        "base": "/union/archives?" + (query + "&" if query else ""),
    }
    return render(request, "union/archives.html", context, viewer=viewer)


# ---- 待认证 -----------------------------------------------------------------------------------------------


@router.get("/employers")
def employers_queue(
    request: Request,
    viewer: UnionViewer,
    session: SessionDep,
    status: Annotated[str, Query(pattern=r"^(pending|verified|rejected)$")] = "pending",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    reviewed: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    rows, total = catalog.list_employers(
        session, principal=viewer.principal, status=status, query=None, limit=PER_PAGE, offset=offset
    )
    items = [(e, catalog.employer_labels(session, employer=e)) for e in rows]
    context = {
        "items": items,
        "total": total,
        "status": status,
        "offset": offset,
        "per_page": PER_PAGE,
        "ownerships": OWNERSHIP_NAMES,
        "reviewed": reviewed,
        "statuses": list(EMPLOYER_STATUSES.items()),
        "status_names": EMPLOYER_STATUSES,
    }
    return render(request, "union/employers.html", context, viewer=viewer)


@router.post("/employers/{employer_id}/review")
async def review_employer(employer_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    approve = form.get("decision") == "approve"
    result = attempt(
        session,
        lambda: catalog.review_employer(
            session, principal=viewer.principal, employer_id=employer_id, approve=approve, note=form.get("note", "")
        ),
    )
    if isinstance(result, FormErrors):
        rows, total = catalog.list_employers(
            session, principal=viewer.principal, status=EmployerStatus.PENDING, query=None, limit=PER_PAGE, offset=0
        )
        context = {
            "items": [(e, catalog.employer_labels(session, employer=e)) for e in rows],
            "total": total,
            "status": "pending",
            "offset": 0,
            "per_page": PER_PAGE,
            "ownerships": OWNERSHIP_NAMES,
            "errors": result,
            "failed_id": employer_id,
            "statuses": list(EMPLOYER_STATUSES.items()),
            "status_names": EMPLOYER_STATUSES,
        }
        return render(request, "union/employers.html", context, viewer=viewer, status_code=result.status)
    done = f"“{result.name}”已{'认证通过' if approve else '退回'}"
    return redirect(f"/union/employers?reviewed={quote(done)}", request)


# ---- 导入 -------------------------------------------------------------------------------------------------


@router.get("/imports")
def imports_page(request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    jobs = importer.list_jobs(session, principal=viewer.principal, limit=20, offset=0)
    context = {"jobs": jobs, "status_names": IMPORT_STATUS_NAMES}
    return render(request, "union/imports.html", context, viewer=viewer)


@router.get("/imports/template.xlsx")
def import_template(_viewer: UnionViewer, session: SessionDep) -> Response:
    from services.registry import sheets

    content = sheets.template(enums.vocabularies(session))
    return _download(content, "registry-template.xlsx", report_render.XLSX_MEDIA_TYPE)


@router.post("/imports")
async def upload(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed("请选择要上传的 xlsx 或 csv 文件", field="file")
    content = await upload.read()
    good_rows_only = form.get("good_rows_only") == "on"
    result = attempt(
        session,
        lambda: importer.create_job(
            session,
            principal=viewer.principal,
            filename=upload.filename or "upload",
            content=content,
            org_unit_id=None,
            dry_run=True,
            good_rows_only=good_rows_only,
        ),
    )
    if isinstance(result, FormErrors):
        jobs = importer.list_jobs(session, principal=viewer.principal, limit=20, offset=0)
        context = {"jobs": jobs, "status_names": IMPORT_STATUS_NAMES, "errors": result}
        return render(request, "union/imports.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/imports/{result.id}", request)


MAX_LISTED_OPTIONS = 80  # a vocabulary this long or shorter is offered whole beside the suggestions


@dataclass(frozen=True, slots=True)
class Wording:
    """One option wording of the dry run nobody has mapped: what the clerk chooses from for it."""

    enumeration: str
    title: str
    sheet: str
    wording: str
    rows: int
    ambiguous: bool
    suggestions: list[tuple[str, str]]
    others: list[tuple[str, str]]
    chosen: str


def _wordings(session: Session, job: ImportJob) -> list[Wording]:
    """The job's unmapped wordings, once per column, each with its suggestions (the first chosen unless the
    wording is ambiguous) and, for a short vocabulary, its other options."""
    if not job.unmapped:
        return []
    vocab = enums.vocabularies(session)
    out: list[Wording] = []
    for item in job.unmapped:
        enumeration = str(item.get("enumeration", ""))
        suggested = [(str(s["code"]), str(s["name"])) for s in item.get("suggestions", [])]
        names = vocab[enumeration].names if enumeration in vocab else {}
        codes = {c for c, _ in suggested}
        others = [(c, n) for c, n in names.items() if c not in codes] if len(names) <= MAX_LISTED_OPTIONS else []
        ambiguous = bool(item.get("ambiguous"))
        out.append(
            Wording(
                enumeration=enumeration,
                title=str(item.get("title", enumeration)),
                sheet=str(item.get("sheet", "")),
                wording=str(item.get("wording", "")),
                rows=int(item.get("rows") or 0),
                ambiguous=ambiguous,
                suggestions=suggested,
                others=others,
                chosen="" if ambiguous or not suggested else suggested[0][0],
            )
        )
    return out


def _job_context(session: Session, viewer: Viewer, job_id: int) -> dict[str, Any]:
    job = importer.get_job(session, principal=viewer.principal, job_id=job_id)
    done = job.status in FINISHED
    percent = 100 if done else (round(100 * job.rows_done / job.rows_total) if job.rows_total else 0)
    return {
        "job": job,
        "done": done,
        "percent": percent,
        "status_name": IMPORT_STATUS_NAMES.get(job.status, job.status),
        "errors_by_row": _errors_by_row(job.errors),
        "can_run": job.dry_run and done and job.content is not None and job.status != ImportStatus.ERROR,
        "wordings": _wordings(session, job) if done and job.dry_run and job.content is not None else [],
        "has_workbook": done and bool(job.errors) and job.content is not None and job.status != ImportStatus.ERROR,
    }


def _errors_by_row(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(errors, key=lambda e: (str(e.get("sheet", "")), int(e.get("row") or 0), str(e.get("column", ""))))


@router.get("/imports/{job_id}")
def import_job(job_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/import_job.html", _job_context(session, viewer, job_id), viewer=viewer)


@router.get("/imports/{job_id}/progress")
def import_progress(job_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    context = _job_context(session, viewer, job_id)
    response = render(request, "union/_import_progress.html", context, viewer=viewer)
    if context["done"]:
        response.headers["HX-Refresh"] = "true"  # the finished job's page shows its errors and the next step
    return response


@router.post("/imports/{job_id}/run")
async def run_import(job_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    job = importer.get_job(session, principal=viewer.principal, job_id=job_id)
    result = attempt(
        session,
        lambda: importer.rerun(
            session, principal=viewer.principal, job=job, good_rows_only=form.get("good_rows_only") == "on"
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_job_context(session, viewer, job_id), "run_errors": result}
        return render(request, "union/import_job.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/imports/{result.id}", request)


@router.post("/imports/{job_id}/mappings")
async def confirm_mappings(job_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    """The clerk's one step for the dry run's wordings: each chosen option is remembered for the county and the
    same file is checked again (a new dry run), through the call the API's mappings route makes."""
    form = await form_data(request)
    job = importer.get_job(session, principal=viewer.principal, job_id=job_id)
    choices = []
    for i in range(mappings.MAX_PER_CONFIRMATION):
        if f"enumeration-{i}" not in form:
            break
        code = form.get(f"code-{i}", "").strip()
        if code:
            choices.append(mappings.Choice(form[f"enumeration-{i}"], form.get(f"wording-{i}", ""), code))
    result = attempt(
        session,
        lambda: importer.confirm_mappings(session, principal=viewer.principal, job=job, choices=choices, recheck=True),
    )
    if isinstance(result, FormErrors) or result is None:
        context = {**_job_context(session, viewer, job_id), "mapping_errors": result or FormErrors()}
        status = result.status if isinstance(result, FormErrors) else 422
        return render(request, "union/import_job.html", context, viewer=viewer, status_code=status)
    return redirect(f"/union/imports/{result.id}", request)


@router.get("/imports/{job_id}/errors.xlsx")
def import_error_workbook(job_id: Id, viewer: UnionViewer, session: SessionDep) -> Response:
    """The uploaded sheet with each bad cell marked and its reason in a comment (made on demand, not stored)."""
    job = importer.get_job(session, principal=viewer.principal, job_id=job_id)
    content = importer.error_workbook(principal=viewer.principal, job=job)
    response = _download(content, f"导入{job.id}-错误标注.xlsx", report_render.XLSX_MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- 统计报表 ---------------------------------------------------------------------------------------------


def _download(content: bytes, name: str, media: str) -> Response:
    disposition = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"
    return Response(content=content, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/reports")
def reports_page(
    request: Request,
    viewer: UnionViewer,
    session: SessionDep,
    report: Annotated[str, Query(pattern=r"^annex[789]$")] = "annex9",
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
) -> HTMLResponse:
    as_of = day(as_of_text, field="as_of")
    built = reports.build(session, principal=viewer.principal, report=report, as_of=as_of)
    snapshots, _ = reports.list_snapshots(session, principal=viewer.principal, limit=20, offset=0)
    context = {
        "built": built,
        "report": report,
        "report_names": REPORT_NAMES,
        "as_of": built.as_of,
        "snapshots": snapshots,
    }
    return render(request, "union/reports.html", context, viewer=viewer)


@router.get("/reports/{report}.xlsx")
def report_xlsx(
    report: Annotated[str, Path(pattern=r"^annex[789]$")],
    viewer: UnionViewer,
    session: SessionDep,
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
) -> Response:
    as_of = day(as_of_text, field="as_of")
    built = reports.build(session, principal=viewer.principal, report=report, as_of=as_of)
    reports.record_export(
        session,
        principal=viewer.principal,
        report=report,
        file_format="xlsx",
        detail={"as_of": built.as_of.isoformat()},
    )
    content = reports.render_bytes(built, "xlsx", chart=report == "annex9")
    return _download(content, reports.file_name(built, "xlsx"), report_render.XLSX_MEDIA_TYPE)


@router.post("/reports/snapshots")
async def take_snapshot(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    snap = reports.create_snapshot(session, principal=viewer.principal, label=form.get("label") or None)
    return redirect(f"/union/reports/snapshots/{snap.id}", request)


@router.get("/reports/snapshots/{snapshot_id}")
def snapshot_page(
    snapshot_id: Id,
    request: Request,
    viewer: UnionViewer,
    session: SessionDep,
    base_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    snap = reports.get_snapshot(session, principal=viewer.principal, snapshot_id=snapshot_id)
    others, _ = reports.list_snapshots(session, principal=viewer.principal, limit=50, offset=0)
    others = [s for s in others if s.id != snap.id]
    base = None
    changes: list[reports.RowChange] = []
    if base_id is not None:
        base = reports.get_snapshot(session, principal=viewer.principal, snapshot_id=base_id)
        changes = reports.diff_snapshots(base, snap)
    frozen = {code: report_render.report_from_json(content) for code, content in snap.content.items()}
    context = {
        "snap": snap,
        "intact": reports.snapshot_intact(snap),
        "frozen": frozen,
        "others": others,
        "base": base,
        "changes": changes,
        "report_names": REPORT_NAMES,
    }
    return render(request, "union/snapshot.html", context, viewer=viewer)


@router.post("/reports/jobs")
async def build_report(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    job = reports.create_job(
        session, principal=viewer.principal, report=form.get("report", "annex9"), file_format="xlsx", chart=True
    )
    return redirect(f"/union/reports/jobs/{job.id}", request)


@router.get("/reports/jobs/{job_id}")
def report_job(job_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    job = reports.get_job(session, principal=viewer.principal, job_id=job_id)
    done = job.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}
    context = {"job": job, "done": done, "status_name": JOB_STATUS_NAMES.get(job.status, job.status)}
    context["report_name"] = REPORT_NAMES.get(job.report, job.report)
    template = "union/_report_job.html" if request.headers.get("HX-Request") == "true" else "union/report_job.html"
    return render(request, template, context, viewer=viewer)


@router.get("/reports/jobs/{job_id}/file")
def report_job_file(job_id: Id, viewer: UnionViewer, session: SessionDep) -> Response:
    job, content = reports.job_file(session, principal=viewer.principal, job_id=job_id)
    return _download(content, job.file_name or f"report.{job.file_format}", report_render.XLSX_MEDIA_TYPE)
