"""Reports for a principal: scope, the three tables, stage snapshots and their differences, the employment rate
over time, and report jobs built in the background.

Keyword-only functions taking a session; they flush, never commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from services import queue
from services.aid.api import AidCampaign
from services.config import get_settings
from services.db import utcnow
from services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit
from services.reports import measures, render, tables
from services.reports.columns import REPORT_TABLES, REPORT_TITLES, TableSpec, specs_for
from services.reports.models import JobStatus, ReportJob, ReportSnapshot
from services.security import audit
from services.security.models import Role
from services.security.principal import Principal
from services.security.private_files import SEALED_SUFFIX, SealedFileGone, read_sealed, write_sealed
from services.security.scope import scoped
from services.tracking import api as tracking_service

log = logging.getLogger(__name__)

REPORT_ROLES = frozenset({Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})
FORMATS = ("json", "csv", "xlsx")
BUILD_TASK = "sunshine.reports.build"
MAX_SERIES_POINTS = 60


def require_reporter(principal: Principal) -> None:
    if principal.role not in REPORT_ROLES:
        raise Forbidden("只有县区总工会、市总帮扶中心和管理员可以查看统计报表")


def today() -> date:
    return tracking_service.local_today()


def _city(session: Session) -> OrgUnit:
    city = session.scalar(select(OrgUnit).where(OrgUnit.kind == OrgKind.CITY.value).order_by(OrgUnit.id).limit(1))
    if city is None:
        raise NotFound("尚未载入工会组织树")
    return city


def city_name(session: Session) -> str:
    return _city(session).name


def home_unit(session: Session, *, principal: Principal) -> OrgUnit:
    """The unit a principal reports for: the city for city staff and admin, else the principal's own unit."""
    if principal.scope is None or principal.org_unit_id is None:
        return _city(session)
    unit = session.get(OrgUnit, principal.org_unit_id)
    if unit is None:
        raise NotFound("账号所属单位不存在")
    return unit


def check_as_of(as_of: date | None) -> date:
    day = as_of or today()
    if day > today():
        raise ValidationFailed("统计日期不能晚于今天", field="as_of")
    return day


def check_cohorts(cohorts: list[int] | None) -> list[int] | None:
    if not cohorts:
        return None
    for c in cohorts:
        if not 2000 <= c <= 2100:
            raise ValidationFailed(f"毕业届别“{c}”无效", field="cohort")
    return sorted(set(cohorts))


def build(
    session: Session,
    *,
    principal: Principal,
    report: str,
    as_of: date | None = None,
    year: int | None = None,
    cohorts: list[int] | None = None,
    county_id: int | None = None,
) -> tables.Report:
    """附件7/8/9 as the principal may see it: a county account gets its county; the city gets every county plus
    the city total. ``county_id`` outside the scope answers "not found"."""
    require_reporter(principal)
    if county_id is not None and not principal.covers(county_id):
        raise NotFound("县区不存在或不在您的管辖范围内")
    return tables.build_report(
        session,
        report=report,
        scope=principal.scope,
        unit_name=home_unit(session, principal=principal).name,
        as_of=check_as_of(as_of),
        year=year,
        cohorts=check_cohorts(cohorts),
        county_id=county_id,
    )


def record_export(
    session: Session, *, principal: Principal, report: str, file_format: str, detail: dict[str, Any]
) -> None:
    audit.record(
        session,
        action="export",
        target_type="report",
        target_id=report,
        detail={"format": file_format, **detail},
        principal=principal,
    )


def column_specs(session: Session, *, report: str | None = None) -> list[TableSpec]:
    programs = measures.programs(session)
    reports = [report] if report else list(REPORT_TABLES)
    for r in reports:
        if r not in REPORT_TABLES:
            raise ValidationFailed("报表应为 annex7、annex8 或 annex9", field="report")
    return [spec for r in reports for spec in specs_for(r, programs)]


def file_name(report: tables.Report, file_format: str) -> str:
    return f"{REPORT_TITLES[report.code]}_{report.unit_name}_{report.as_of:%Y%m%d}.{file_format}"


def render_bytes(report: tables.Report, file_format: str, *, chart: bool = False) -> bytes:
    if file_format == "csv":
        return render.to_csv(report)
    if file_format == "xlsx":
        return render.to_xlsx(report, chart=chart)
    if file_format == "json":
        return json.dumps(render.report_json(report), ensure_ascii=False, indent=1).encode("utf-8")
    raise ValidationFailed("导出格式应为 json、csv 或 xlsx", field="format")


# ---- stage snapshots ---------------------------------------------------------------------------------------


def canonical_hash(content: dict[str, Any]) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stage_label(session: Session, as_of: date) -> tuple[str, str]:
    campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == as_of.year))
    if campaign is not None and as_of in {campaign.stage_report_due, campaign.final_report_due}:
        return "stage", f"{as_of.year}年阶段性情况报告（截至{as_of.month}月{as_of.day}日）"
    return "manual", f"{as_of.year}年统计快照（截至{as_of.month}月{as_of.day}日）"


def create_snapshot(
    session: Session,
    *,
    principal: Principal,
    as_of: date | None = None,
    year: int | None = None,
    label: str | None = None,
) -> ReportSnapshot:
    """Freeze 附件7, 8 and 9 of the principal's scope as they stand on ``as_of`` (default today)."""
    require_reporter(principal)
    day = check_as_of(as_of)
    content = {
        code: render.report_json(build(session, principal=principal, report=code, as_of=day, year=year))
        for code in REPORT_TABLES
    }
    kind, default_label = _stage_label(session, day)
    snapshot = ReportSnapshot(
        org_unit_id=home_unit(session, principal=principal).id,
        kind=kind,
        label=(label or "").strip() or default_label,
        as_of=day,
        year=year or day.year,
        tables=list(REPORT_TABLES),
        content=content,
        content_sha256=canonical_hash(content),
        created_by_id=principal.user_id if principal.user_id else None,
        created_at=utcnow(),
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def get_snapshot(session: Session, *, principal: Principal, snapshot_id: int) -> ReportSnapshot:
    require_reporter(principal)
    snapshot = session.get(ReportSnapshot, snapshot_id)
    if snapshot is None or not principal.covers(snapshot.org_unit_id):
        raise NotFound("快照不存在或不在您的管辖范围内")
    return snapshot


def list_snapshots(
    session: Session, *, principal: Principal, limit: int, offset: int
) -> tuple[list[ReportSnapshot], int]:
    require_reporter(principal)
    stmt = select(ReportSnapshot)
    stmt = scoped(stmt, principal, org=ReportSnapshot.org_unit_id)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(ReportSnapshot.as_of.desc(), ReportSnapshot.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def snapshot_intact(snapshot: ReportSnapshot) -> bool:
    return canonical_hash(snapshot.content) == snapshot.content_sha256


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


@dataclass(slots=True)
class CellChange:
    column: str
    label: str
    before: Decimal | None
    after: Decimal | None
    change: Decimal | None


@dataclass(slots=True)
class RowChange:
    table: str
    county_id: int | None
    county_name: str
    cohort: int | None
    status: str  # changed / added / removed
    cells: list[CellChange]


def _rows_by_key(table: dict[str, Any]) -> dict[tuple[int | None, int | None], dict[str, Any]]:
    out = {(r["county_id"], r["cohort"]): r for r in table["rows"]}
    out[(None, None)] = table["total"]
    return out


def diff_snapshots(base: ReportSnapshot, target: ReportSnapshot, *, only_changed: bool = True) -> list[RowChange]:
    """Row by row, column by column: before, after and the change from ``base`` to ``target``."""
    out: list[RowChange] = []
    for report in REPORT_TABLES:
        old_tables = {t["code"]: t for t in base.content.get(report, {}).get("tables", [])}
        new_tables = {t["code"]: t for t in target.content.get(report, {}).get("tables", [])}
        for code in [c for c in new_tables if c in old_tables] + [c for c in new_tables if c not in old_tables]:
            new = _rows_by_key(new_tables[code])
            old = _rows_by_key(old_tables[code]) if code in old_tables else {}
            labels = {c["key"]: c["label"] for t in (old_tables.get(code), new_tables[code]) if t for c in t["columns"]}
            for key in [*new, *[k for k in old if k not in new]]:
                a, b = old.get(key), new.get(key)
                status = "changed" if a and b else "added" if b else "removed"
                columns = list(dict.fromkeys([*((b or {}).get("values", {})), *((a or {}).get("values", {}))]))
                cells = []
                for col in columns:
                    before = _number((a or {}).get("values", {}).get(col))
                    after = _number((b or {}).get("values", {}).get(col))
                    change = after - before if before is not None and after is not None else None
                    if only_changed and before == after:
                        continue
                    cells.append(CellChange(col, labels.get(col, col), before, after, change))
                if cells or not only_changed:
                    row = b or a or {}
                    out.append(RowChange(code, key[0], row.get("county_name", ""), key[1], status, cells))
    return out


@event.listens_for(Session, "before_flush")
def _snapshots_are_immutable(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, ReportSnapshot):
            raise PermissionError("统计快照不可删除")
    for obj in session.dirty:
        if isinstance(obj, ReportSnapshot) and session.is_modified(obj):
            raise PermissionError("统计快照不可修改")


def take_due_stage_snapshots(session: Session, *, day: date) -> list[int]:
    """On a stage-report due date of the year's campaign (8/29, 11/28), freeze the city-wide tables once."""
    campaign = session.scalar(select(AidCampaign).where(AidCampaign.year == day.year))
    if campaign is None or day not in {campaign.stage_report_due, campaign.final_report_due}:
        return []
    city = _city(session)
    done = session.scalar(
        select(ReportSnapshot.id).where(
            ReportSnapshot.org_unit_id == city.id, ReportSnapshot.as_of == day, ReportSnapshot.kind == "stage"
        )
    )
    if done is not None:
        return []
    system = Principal(user_id=0, username="system", role=Role.UNION_CITY, org_unit_id=city.id, scope=None)
    snapshot = create_snapshot(session, principal=system, as_of=day)
    return [snapshot.id]


# ---- employment rate over time -----------------------------------------------------------------------------


@dataclass(slots=True)
class RatePoint:
    as_of: date
    registered: int
    placed: int
    rate: Decimal | None
    source: str  # history / snapshot
    snapshot_id: int | None = None


def _month_ends(start: date, end: date) -> list[date]:
    points: list[date] = []
    d = start
    while d < end:
        nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        if last >= start and last < end:
            points.append(last)
        d = nxt
    return [*points, end]


def _tally(counts: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(registered, placed) of graduate-status counts: placed is everyone not still seeking or not seeking."""
    rows = list(counts)
    registered = sum(int(v.get("registered", 0)) for v in rows)
    unplaced = sum(int(v.get("still_seeking", 0)) + int(v.get("not_seeking", 0)) for v in rows)
    return registered, registered - unplaced


def employment_rate_by_county(
    session: Session, *, principal: Principal, start: date | None = None, end: date | None = None
) -> dict[int, list[RatePoint]]:
    """The employment rate at each month end (and ``end``) per county of the principal's scope — the history
    points of :func:`employment_rate_series` for every county at once (one count per day, folded by county)."""
    require_reporter(principal)
    last = check_as_of(end)
    first = start or date(last.year, 1, 1)
    if first > last:
        raise ValidationFailed("开始日期不能晚于结束日期", field="start")
    days = _month_ends(first, last)
    if len(days) > MAX_SERIES_POINTS:
        raise ValidationFailed(f"时间跨度过长，最多{MAX_SERIES_POINTS}个月", field="start")
    fold, _units = tables.county_units(session)
    out: dict[int, list[RatePoint]] = {}
    for day in days:
        ctx = measures.Ctx(session=session, org_ids=principal.scope, as_of=day, year=day.year, cohorts=None)
        by_county: dict[int, list[Mapping[str, Any]]] = {}
        for (org, _cohort), values in measures.graduate_statuses(ctx, ()).items():
            by_county.setdefault(fold.get(org, org), []).append(values)
        for county, rows in by_county.items():
            registered, placed = _tally(rows)
            out.setdefault(county, []).append(
                RatePoint(day, registered, placed, tables.rate(placed, registered), "history")
            )
    return out


def employment_rate_series(
    session: Session,
    *,
    principal: Principal,
    start: date | None = None,
    end: date | None = None,
    cohorts: list[int] | None = None,
    county_id: int | None = None,
) -> list[RatePoint]:
    """The employment rate at each month end from the status history (same query as 附件9), and at each
    snapshot of the principal's home unit (as it was frozen)."""
    require_reporter(principal)
    last = check_as_of(end)
    first = start or date(last.year, 1, 1)
    if first > last:
        raise ValidationFailed("开始日期不能晚于结束日期", field="start")
    days = _month_ends(first, last)
    if len(days) > MAX_SERIES_POINTS:
        raise ValidationFailed(f"时间跨度过长，最多{MAX_SERIES_POINTS}个月", field="start")
    if county_id is not None and not principal.covers(county_id):
        raise NotFound("县区不存在或不在您的管辖范围内")
    fold, _units = tables.county_units(session)
    wanted = check_cohorts(cohorts)
    if county_id is not None:
        org_ids: frozenset[int] | None = frozenset(o for o, c in fold.items() if c == county_id and principal.covers(o))
    else:
        org_ids = principal.scope
    points: list[RatePoint] = []
    for day in days:
        ctx = measures.Ctx(
            session=session,
            org_ids=org_ids,
            as_of=day,
            year=day.year,
            cohorts=tuple(wanted) if wanted else None,
        )
        registered, placed = _tally(measures.graduate_statuses(ctx, ()).values())
        points.append(RatePoint(day, registered, placed, tables.rate(placed, registered), "history"))
    home = home_unit(session, principal=principal)
    snaps = session.scalars(
        select(ReportSnapshot)
        .where(ReportSnapshot.org_unit_id == home.id, ReportSnapshot.as_of >= first, ReportSnapshot.as_of <= last)
        .order_by(ReportSnapshot.as_of, ReportSnapshot.id)
    )
    for snap in snaps:
        table = next((t for t in snap.content.get("annex9", {}).get("tables", []) if t["code"] == "annex9"), None)
        if table is None:
            continue
        rows = [
            r
            for r in table["rows"]
            if (county_id is None or r["county_id"] == county_id) and (not wanted or r["cohort"] in wanted)
        ]
        registered = sum(int(r["values"]["registered"]) for r in rows)
        placed = sum(int(r["values"]["placed"]) for r in rows)
        points.append(RatePoint(snap.as_of, registered, placed, tables.rate(placed, registered), "snapshot", snap.id))
    return points


# ---- report jobs -------------------------------------------------------------------------------------------


def create_job(
    session: Session,
    *,
    principal: Principal,
    report: str,
    file_format: str,
    as_of: date | None = None,
    year: int | None = None,
    cohorts: list[int] | None = None,
    county_id: int | None = None,
    chart: bool = False,
) -> ReportJob:
    """Queue a report to be built by a worker (``sunshine.reports.build``); checked now, built after commit."""
    require_reporter(principal)
    if report not in REPORT_TABLES:
        raise ValidationFailed("报表应为 annex7、annex8 或 annex9", field="report")
    if file_format not in FORMATS:
        raise ValidationFailed("导出格式应为 json、csv 或 xlsx", field="format")
    if county_id is not None and not principal.covers(county_id):
        raise NotFound("县区不存在或不在您的管辖范围内")
    day = check_as_of(as_of)
    job = ReportJob(
        org_unit_id=home_unit(session, principal=principal).id,
        requested_by_id=principal.user_id,
        report=report,
        file_format=file_format,
        params={
            "as_of": day.isoformat(),
            "year": year,
            "cohorts": check_cohorts(cohorts),
            "county_id": county_id,
            "chart": chart,
        },
        scope_ids=None if principal.scope is None else sorted(principal.scope),
        status=JobStatus.QUEUED,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    queue.enqueue(session, BUILD_TASK, job.id)
    return job


def get_job(session: Session, *, principal: Principal, job_id: int) -> ReportJob:
    require_reporter(principal)
    job = session.get(ReportJob, job_id)
    if job is None or not (job.requested_by_id == principal.user_id or principal.covers(job.org_unit_id)):
        raise NotFound("报表任务不存在或不在您的管辖范围内")
    return job


def reports_dir() -> Path:
    return get_settings().data_dir / "reports"


def run_job(session: Session, *, job_id: int) -> ReportJob | None:
    """Build the job's file under ``data_dir/reports``. Returns early when the job is gone or already done."""
    job = session.get(ReportJob, job_id)
    if job is None or job.status == JobStatus.SUCCEEDED:
        return job
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), None
    session.flush()
    params = job.params
    unit = session.get(OrgUnit, job.org_unit_id)
    try:
        report = tables.build_report(
            session,
            report=job.report,
            scope=None if job.scope_ids is None else frozenset(job.scope_ids),
            unit_name=unit.name if unit else "",
            as_of=date.fromisoformat(params["as_of"]),
            year=params.get("year"),
            cohorts=params.get("cohorts"),
            county_id=params.get("county_id"),
        )
        content = render_bytes(report, job.file_format, chart=bool(params.get("chart")))
    except DomainError as exc:
        job.status, job.error, job.finished_at = JobStatus.FAILED, exc.detail, utcnow()
        session.flush()
        return job
    except OperationalError:
        raise  # the database went away: the task retries
    except Exception as exc:
        log.exception("report job %s broke", job_id)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.error = f"报表生成时出错（{exc.__class__.__name__}），请重新生成或联系管理员"
        session.flush()
        return job
    keep_job_file(job, name=file_name(report, job.file_format), content=content)
    job.status, job.finished_at = JobStatus.SUCCEEDED, utcnow()
    session.flush()
    return job


def _file_binding(job_id: int) -> str:
    return f"report_job:{job_id}"


def keep_job_file(job: ReportJob, *, name: str, content: bytes) -> None:
    """Keep the job's file under ``data_dir/reports/<job>/``, encrypted with the PII keys and bound to this job
    like every file made from the archives, mode 0600; :func:`job_file` opens it for a download."""
    path = reports_dir() / str(job.id) / f"report.{job.file_format}{SEALED_SUFFIX}"
    write_sealed(path, content, binding=_file_binding(job.id))
    job.file_path = str(path)
    job.file_name = name
    job.size_bytes = len(content)
    job.sha256 = hashlib.sha256(content).hexdigest()


def job_file(session: Session, *, principal: Principal, job_id: int) -> tuple[ReportJob, bytes]:
    """The job's file, decrypted, for a principal who may see the job (its requester or its units' staff)."""
    job = get_job(session, principal=principal, job_id=job_id)
    if job.status != JobStatus.SUCCEEDED or not job.file_path:
        raise Conflict("报表尚未生成完成，请稍后再下载")
    try:
        return job, read_sealed(Path(job.file_path), binding=_file_binding(job.id))
    except SealedFileGone as exc:
        raise NotFound("报表文件已被清理或无法读取，请重新生成") from exc


JOB_TIME_LIMIT_SECONDS = 1200  # the build task's hard limit


def sweep_stuck_jobs(session: Session, *, now: datetime | None = None) -> list[int]:
    """Fail every report job still "queued" or "running" past the build's time limit (a task never sent, a
    worker lost). Returns their ids."""
    cutoff = (now or utcnow()) - timedelta(seconds=JOB_TIME_LIMIT_SECONDS + 300)
    stmt = select(ReportJob).where(
        ReportJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
        func.coalesce(ReportJob.started_at, ReportJob.created_at) < cutoff,
    )
    failed = list(session.scalars(stmt))
    for job in failed:
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.error = "报表生成超过时限仍未完成（后台任务中断），请重新生成"
    session.flush()
    return [job.id for job in failed]
