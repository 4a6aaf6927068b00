"""县区 / 市总工会 pages of 捐款助学: the donation funds with their balance, a fund with the donor's conditions and its
allocations, the allocation form (a refusal shows the donor's condition it breaks, as the API names it), the import
of a donor's list, and the donor's report on screen and as xlsx. Every domain call is the one the API router makes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from services.aid import donation_reports as reports
from services.aid import donations, workdays
from services.aid.donation_models import DONOR_KIND_NAMES, AidDonationAllocation, AllocationStatus, FundStatus
from services.aid.models import AidAward
from services.db import SessionDep
from services.errors import ValidationFailed
from services.orgs import service as orgs
from services.refdata.api import vocabularies
from services.web.pages import FormErrors, PageRoute, Viewer, attempt, form_data, redirect, render, split_list
from services.web.union import UnionViewer

router = APIRouter(prefix="/union/donations", route_class=PageRoute, include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FUND_STATUS_NAMES = {FundStatus.OPEN: "使用中", FundStatus.CLOSED: "已结项"}
ALLOCATION_STATUS_NAMES = {AllocationStatus.ALLOCATED: "已安排", AllocationStatus.WITHDRAWN: "已撤回"}
SOURCE_NAMES = {"api": "接口", "console": "页面登记", "import": "名单导入"}


def _money(text: str, name: str, *, required: bool = False) -> Decimal | None:
    if not text.strip():
        if required:
            raise ValidationFailed("须填写金额", field=name)
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValidationFailed("应为金额数字", field=name) from exc


def _ints(text: str, name: str) -> list[int]:
    parts = split_list(text)
    if any(not p.isdigit() for p in parts):
        raise ValidationFailed("应为数字，用逗号分隔", field=name)
    return [int(p) for p in parts]


def _options(session: Session) -> dict[str, Any]:
    vocab = vocabularies(session)
    return {
        "donor_kinds": [(k.value, n) for k, n in DONOR_KIND_NAMES.items()],
        "educations": sorted(vocab["education"].names.items()),
        "school_kinds": sorted(vocab["school_kind"].names.items()),
        "categories": sorted(vocab["service_category"].names.items()),
        "counties": [(str(u.id), u.name) for u in orgs.list_units(session, scope=None) if u.kind in orgs.COUNTY_KINDS],
    }


def _list_context(session: Session, viewer: Viewer, form: dict[str, str] | None = None) -> dict[str, Any]:
    funds = donations.list_funds(session, principal=viewer.principal)
    return {
        "funds": funds,
        "status_names": FUND_STATUS_NAMES,
        "kind_names": DONOR_KIND_NAMES,
        "form": form or {},
        "checked": set(),
        "year": workdays.today().year,
        "errors": FormErrors(),
        **_options(session),
    }


@router.get("")
def funds(request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/donations.html", _list_context(session, viewer), viewer=viewer)


@router.post("")
async def create(request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    raw = await request.form()
    chosen = {
        name: [v for v in raw.getlist(name) if isinstance(v, str)]
        for name in ("stages", "educations", "school_kinds", "service_categories", "county_org_ids")
    }

    def call() -> Any:
        conditions = donations.Conditions(
            stages=tuple(chosen["stages"]),
            educations=tuple(chosen["educations"]),
            school_kinds=tuple(chosen["school_kinds"]),
            service_categories=tuple(chosen["service_categories"]),
            county_org_ids=tuple(int(v) for v in chosen["county_org_ids"] if v.isdigit()),
            cohorts=tuple(_ints(form.get("cohorts", ""), "conditions.cohorts")),
            majors=tuple(split_list(form.get("majors", ""))),
            archived_only=form.get("archived_only") == "1",
        )
        year = form.get("year", "")
        if not year.isdigit():
            raise ValidationFailed("年度应为四位数字", field="year")
        data = donations.FundInput(
            year=int(year),
            name=form.get("name", ""),
            donor_name=form.get("donor_name", ""),
            donor_kind=form.get("donor_kind", ""),
            pledged=_money(form.get("pledged", ""), "pledged", required=True) or Decimal(0),
            received=_money(form.get("received", ""), "received", required=True) or Decimal(0),
            standard_amount=_money(form.get("standard_amount", ""), "standard_amount"),
            max_per_person=_money(form.get("max_per_person", ""), "max_per_person"),
            conditions=conditions,
            recipient_ids=_ints(form.get("recipient_ids", ""), "recipient_ids"),
            note=form.get("note"),
        )
        return donations.create_fund(session, principal=viewer.principal, data=data)

    result = attempt(session, call)
    if isinstance(result, FormErrors):
        context = {
            **_list_context(session, viewer, form),
            "errors": result,
            "checked": {v for vs in chosen.values() for v in vs},
        }
        return render(request, "union/donations.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/donations/{result.id}", request)


def _fund_context(session: Session, viewer: Viewer, fund_id: int) -> dict[str, Any]:
    fund = donations.get_fund(session, principal=viewer.principal, fund_id=fund_id)
    rows = donations.allocations_of(session, fund=fund)
    refusals = donations.refusals_of(session, fund=fund)
    students = donations.students_named(
        session,
        [a.student_id for a in rows]
        + donations.recipients_of(session, fund=fund)
        + [r.student_id for r in refusals if r.student_id is not None],
    )
    return {
        "fund": fund,
        "kind": DONOR_KIND_NAMES.get(fund.donor_kind, fund.donor_kind),  # type: ignore[call-overload]
        "conditions": donations.describe(session, fund),
        "recipients": [students[i] for i in donations.recipients_of(session, fund=fund) if i in students],
        "rows": [(a, students.get(a.student_id), _award(session, a)) for a in rows],
        "balance": fund.received - fund.allocated,
        "refusals": [(r, students.get(r.student_id) if r.student_id else None) for r in refusals],
        "status_names": FUND_STATUS_NAMES,
        "allocation_names": ALLOCATION_STATUS_NAMES,
        "award_names": reports.AWARD_STATE,
        "source_names": SOURCE_NAMES,
        "form": {},
        "errors": FormErrors(),
        "form_kind": None,
    }


def _award(session: Session, allocation: AidDonationAllocation) -> AidAward | None:
    return session.get(AidAward, allocation.award_id) if allocation.award_id is not None else None


@router.get("/{fund_id}")
def fund_page(fund_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    return render(request, "union/donation_fund.html", _fund_context(session, viewer, fund_id), viewer=viewer)


@router.post("/{fund_id}/allocations")
async def allocate(fund_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)

    def call() -> Any:
        student_id = donations.find_student(session, principal=viewer.principal, id_number=form.get("id_number", ""))
        award = form.get("award_id", "").strip()
        if award and not award.isdigit():
            raise ValidationFailed("资助编号应为数字", field="award_id")
        return donations.allocate(
            session,
            principal=viewer.principal,
            fund_id=fund_id,
            student_id=student_id,
            amount=_money(form.get("amount", ""), "amount", required=True) or Decimal(0),
            award_id=int(award) if award else None,
            note=form.get("note"),
            source="console",
        )

    result = attempt(session, call)
    if isinstance(result, FormErrors):
        if "student_id" in result.fields:
            result.fields.setdefault("id_number", result.fields["student_id"])
        context = {**_fund_context(session, viewer, fund_id), "errors": result, "form": form, "form_kind": "allocate"}
        return render(request, "union/donation_fund.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/donations/{fund_id}#allocations", request)


@router.post("/{fund_id}/import")
async def import_list(fund_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    raw = await request.form()
    upload = raw.get("file")
    filename = getattr(upload, "filename", None) or ""
    content = await upload.read() if upload is not None and not isinstance(upload, str) else b""
    result = attempt(
        session,
        lambda: reports.import_allocations(
            session, principal=viewer.principal, fund_id=fund_id, filename=filename, content=content
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_fund_context(session, viewer, fund_id), "errors": result, "form_kind": "import"}
        return render(request, "union/donation_fund.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/donations/{fund_id}#allocations", request)


@router.post("/allocations/{allocation_id}/withdraw")
async def withdraw(allocation_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> Response:
    form = await form_data(request)
    row = donations.get_allocation(session, principal=viewer.principal, allocation_id=allocation_id)
    result = attempt(
        session,
        lambda: donations.withdraw(
            session, principal=viewer.principal, allocation_id=allocation_id, reason=form.get("reason", "")
        ),
    )
    if isinstance(result, FormErrors):
        context = {**_fund_context(session, viewer, row.fund_id), "errors": result, "form_kind": f"withdraw-{row.id}"}
        return render(request, "union/donation_fund.html", context, viewer=viewer, status_code=result.status)
    return redirect(f"/union/donations/{row.fund_id}#allocations", request)


@router.get("/{fund_id}/report")
def report(fund_id: Id, request: Request, viewer: UnionViewer, session: SessionDep) -> HTMLResponse:
    r = reports.fund_report(session, principal=viewer.principal, fund_id=fund_id)
    return render(request, "union/donation_report.html", {"report": r}, viewer=viewer)


@router.get("/{fund_id}/report.xlsx")
def report_xlsx(fund_id: Id, viewer: UnionViewer, session: SessionDep) -> Response:
    r = reports.fund_report(session, principal=viewer.principal, fund_id=fund_id)
    return Response(
        reports.report_xlsx(session, principal=viewer.principal, report=r),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=donation-{fund_id}.xlsx"},
    )
