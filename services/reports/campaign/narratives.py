"""The 8月29日 阶段性情况报告 and the 11月28日 活动总结 of a union, and its 典型经验.

A report holds the sections its staff write and the stage snapshot whose figures it reports: the tables as they
stood on the report's date — the deadline, or today while the deadline is still ahead. The figures are taken
when the report is opened, again on request while it is a draft, and once more when it is handed in.

Keyword-only functions taking a session; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Conflict, FieldError, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.reports import service as reports
from services.reports.campaign import deadlines, filing
from services.reports.campaign_models import (
    NARRATIVE_KIND_NAMES,
    FilingStatus,
    NarrativeKind,
    NarrativeReport,
    TypicalExperience,
)
from services.reports.models import ReportSnapshot
from services.security.principal import Principal
from services.security.scope import scoped

SECTIONS: tuple[tuple[str, str], ...] = (
    ("work_done", "工作开展情况"),
    ("practices", "主要做法"),
    ("problems", "存在问题"),
    ("next_steps", "下一步打算"),
)
SECTION_NAMES = dict(SECTIONS)
MAX_SECTION = 20000
MAX_TITLE = 100
MAX_BODY = 10000
DEADLINE_OF = {NarrativeKind.STAGE: deadlines.STAGE_REPORT, NarrativeKind.FINAL: deadlines.FINAL_REPORT}


def _what(kind: str) -> str:
    return NARRATIVE_KIND_NAMES.get(kind, "报告")


def _kind(kind: str) -> NarrativeKind:
    try:
        return NarrativeKind(kind)
    except ValueError as exc:
        raise ValidationFailed("报告类型应为 stage（阶段性情况报告）或 final（活动总结）", field="kind") from exc


def check_sections(sections: Mapping[str, str]) -> dict[str, str]:
    errors: list[FieldError] = []
    out: dict[str, str] = {}
    for code, text in sections.items():
        if code not in SECTION_NAMES:
            errors.append(FieldError(field=code, reason=f"没有名为“{code}”的报告部分"))
            continue
        value = text.strip()
        if len(value) > MAX_SECTION:
            errors.append(FieldError(field=code, reason=f"“{SECTION_NAMES[code]}”最多{MAX_SECTION}字"))
        out[code] = value
    if errors:
        raise ValidationFailed(f"报告有{len(errors)}处需要修改", errors=errors)
    return out


def attach_figures(session: Session, *, principal: Principal, report: NarrativeReport) -> ReportSnapshot:
    """The snapshot of the report's unit on the report's date, reused when it exists, taken otherwise."""
    day = min(reports.today(), report.due_on)
    stmt = scoped(select(ReportSnapshot), principal, org=ReportSnapshot.org_unit_id)
    snap = session.scalar(
        stmt.where(
            ReportSnapshot.org_unit_id == report.org_unit_id,
            ReportSnapshot.as_of == day,
            ReportSnapshot.year == report.year,
        ).order_by(ReportSnapshot.id.desc())
    )
    if snap is None:
        snap = reports.create_snapshot(
            session,
            principal=principal,
            as_of=day,
            year=report.year,
            label=f"{report.title}（截至{day.month}月{day.day}日数据）",
        )
    report.snapshot_id = snap.id
    session.flush()
    return snap


def create(session: Session, *, principal: Principal, year: int, kind: str) -> NarrativeReport:
    """Open the principal's unit's stage report or summary of ``year`` with its figures."""
    reports.require_reporter(principal)
    which = _kind(kind)
    unit = reports.home_unit(session, principal=principal)
    filing.require_writer(principal, unit.id, what=_what(which))
    due = deadlines.due_on(session, year=year, code=DEADLINE_OF[which])
    stmt = scoped(select(NarrativeReport.id), principal, org=NarrativeReport.org_unit_id)
    if session.scalar(
        stmt.where(NarrativeReport.org_unit_id == unit.id, NarrativeReport.year == year, NarrativeReport.kind == which)
    ):
        raise Conflict(f"本单位{year}年的{_what(which)}已建立，请在列表中打开", field="kind")
    report = NarrativeReport(
        org_unit_id=unit.id,
        year=year,
        kind=which,
        title=f"{unit.name}{year}年金秋助学和阳光就业暖心行动{_what(which)}",
        due_on=due,
        status=FilingStatus.DRAFT,
        sections={code: "" for code, _ in SECTIONS},
        created_by_id=principal.user_id,
    )
    session.add(report)
    session.flush()
    attach_figures(session, principal=principal, report=report)
    return report


def get(session: Session, *, principal: Principal, report_id: int) -> NarrativeReport:
    filing.require_staff(principal)
    stmt = scoped(select(NarrativeReport), principal, org=NarrativeReport.org_unit_id)
    row = session.scalar(stmt.where(NarrativeReport.id == report_id))
    if row is None:
        raise NotFound("报告不存在或不在您的管辖范围内")
    return row


def list_reports(session: Session, *, principal: Principal, year: int) -> list[NarrativeReport]:
    filing.require_staff(principal)
    stmt = scoped(select(NarrativeReport), principal, org=NarrativeReport.org_unit_id)
    return list(
        session.scalars(stmt.where(NarrativeReport.year == year).order_by(NarrativeReport.due_on, NarrativeReport.id))
    )


def write(session: Session, *, principal: Principal, report_id: int, sections: Mapping[str, str]) -> NarrativeReport:
    """Replace the given sections of a draft (or sent-back) report; the other sections stay."""
    report = get(session, principal=principal, report_id=report_id)
    filing.require_writer(principal, report.org_unit_id, what=_what(report.kind))
    filing.require_editable(report.status, what=_what(report.kind))
    report.sections = {**report.sections, **check_sections(sections)}
    session.flush()
    return report


def refresh_figures(session: Session, *, principal: Principal, report_id: int) -> NarrativeReport:
    report = get(session, principal=principal, report_id=report_id)
    filing.require_writer(principal, report.org_unit_id, what=_what(report.kind))
    filing.require_editable(report.status, what=_what(report.kind))
    attach_figures(session, principal=principal, report=report)
    return report


def submit(session: Session, *, principal: Principal, report_id: int) -> NarrativeReport:
    """Hand the report in: every section written, the figures taken on the report's date."""
    report = get(session, principal=principal, report_id=report_id)
    what = _what(report.kind)
    filing.require_writer(principal, report.org_unit_id, what=what)
    filing.require_editable(report.status, what=what)
    missing = [
        FieldError(field=c, reason=f"请填写“{n}”") for c, n in SECTIONS if not report.sections.get(c, "").strip()
    ]
    if missing:
        raise ValidationFailed(f"{what}还有{len(missing)}个部分没有填写", errors=missing)
    attach_figures(session, principal=principal, report=report)
    report.submitted_at = filing.submitted(report.status, what=what)
    report.status, report.submitted_by_id, report.return_reason = FilingStatus.SUBMITTED, principal.user_id, None
    session.flush()
    return report


def send_back(session: Session, *, principal: Principal, report_id: int, reason: str) -> NarrativeReport:
    report = get(session, principal=principal, report_id=report_id)
    report.return_reason = filing.check_return(principal, report.status, reason, what=_what(report.kind))
    report.status = FilingStatus.RETURNED
    session.flush()
    return report


def snapshot_of(session: Session, *, principal: Principal, report: NarrativeReport) -> ReportSnapshot | None:
    if report.snapshot_id is None:
        return None
    return reports.get_snapshot(session, principal=principal, snapshot_id=report.snapshot_id)


def submitted_units(session: Session, *, year: int, kind: str) -> frozenset[int]:
    """The units that have handed in their report of ``kind`` for ``year`` (the reminders skip their clerks)."""
    stmt = select(NarrativeReport.org_unit_id).where(
        NarrativeReport.year == year, NarrativeReport.kind == kind, NarrativeReport.status == FilingStatus.SUBMITTED
    )
    return frozenset(int(o) for o in session.scalars(stmt))


# ---- 典型经验 -----------------------------------------------------------------------------------------------


def add_experience(session: Session, *, principal: Principal, year: int, title: str, body: str) -> TypicalExperience:
    """A 典型经验做法 of the principal's unit, handed in at any time."""
    reports.require_reporter(principal)
    unit = reports.home_unit(session, principal=principal)
    errors: list[FieldError] = []
    head, text = title.strip(), body.strip()
    if not head:
        errors.append(FieldError(field="title", reason="请填写经验标题"))
    elif len(head) > MAX_TITLE:
        errors.append(FieldError(field="title", reason=f"标题最多{MAX_TITLE}字"))
    if not text:
        errors.append(FieldError(field="body", reason="请填写经验做法的内容"))
    elif len(text) > MAX_BODY:
        errors.append(FieldError(field="body", reason=f"内容最多{MAX_BODY}字"))
    if not 2000 <= year <= 2100:
        errors.append(FieldError(field="year", reason="年度应在2000至2100之间"))
    if errors:
        raise ValidationFailed("典型经验未能保存", errors=errors)
    row = TypicalExperience(org_unit_id=unit.id, year=year, title=head, body=text, created_by_id=principal.user_id)
    session.add(row)
    session.flush()
    return row


def experiences(session: Session, *, principal: Principal, year: int) -> list[tuple[TypicalExperience, str]]:
    """The 典型经验 of the principal's scope for ``year`` with their unit's name, oldest first."""
    filing.require_staff(principal)
    stmt = scoped(
        select(TypicalExperience, OrgUnit.name).join(OrgUnit, OrgUnit.id == TypicalExperience.org_unit_id),
        principal,
        org=TypicalExperience.org_unit_id,
    )
    rows = session.execute(stmt.where(TypicalExperience.year == year).order_by(TypicalExperience.id))
    return [(exp, str(name)) for exp, name in rows]


def experiences_of_report(
    session: Session, *, principal: Principal, report: NarrativeReport
) -> list[tuple[TypicalExperience, str]]:
    """The experiences a report carries: its own unit's and, for the city, every county's of the year."""
    unit = session.get(OrgUnit, report.org_unit_id)
    path = unit.path if unit is not None else ""
    return [
        (exp, name)
        for exp, name in experiences(session, principal=principal, year=report.year)
        if exp.org_unit_id == report.org_unit_id or _under(session, exp.org_unit_id, path)
    ]


def _under(session: Session, org_unit_id: int, path: str) -> bool:
    unit = session.get(OrgUnit, org_unit_id)
    return bool(path) and unit is not None and unit.path.startswith(path)
