"""Matrix entries for the report routes: staff only; a county account reaches its own county's figures,
snapshots and jobs, never another county's (404), whatever it puts in the filters."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.reports import service as reports
from services.reports.models import JobStatus, ReportJob, ReportSnapshot
from services.reports.service import canonical_hash
from tests.authz.matrix import Call, Relation, case
from tests.conftest import COUNTY, World

STAFF_SAME = {"admin": "*", "city": "*", "county_a": {"same"}}
STAFF_ALL = {"admin": "*", "city": "*", "county_a": "*"}
RELATIONS: tuple[Relation, ...] = ("same", "other")


def _county(world: World, relation: Relation) -> int:
    return world.orgs[COUNTY["a" if relation == "same" else "b"]]


def _report_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(params={"county_id": _county(world, relation), "as_of": "2023-08-29"})


def _snapshot(session: Session, world: World, relation: Relation) -> int:
    content: dict[str, object] = {}
    row = ReportSnapshot(
        org_unit_id=_county(world, relation),
        kind="manual",
        label="测试快照",
        as_of=date(2023, 8, 29),
        year=2023,
        tables=[],
        content=content,
        content_sha256=canonical_hash(content),
        created_by_id=world.users["county_a" if relation == "same" else "county_b"],
    )
    session.add(row)
    session.flush()
    return row.id


def _snapshot_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"snapshot_id": _snapshot(session, world, relation)})


def _diff_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    base = _snapshot(session, world, relation)
    return Call(path_params={"snapshot_id": _snapshot(session, world, relation)}, params={"base_id": base})


def _create_snapshot_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json={"as_of": "2023-08-29", "label": "阶段性情况报告"}, ok=frozenset({201}))


def _create_job_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        json={"report": "annex9", "format": "csv", "as_of": "2023-08-29", "county_id": _county(world, relation)},
        ok=frozenset({202}),
    )


def _job(session: Session, world: World, relation: Relation, *, done: bool) -> int:
    key = "county_a" if relation == "same" else "county_b"
    job = ReportJob(
        org_unit_id=_county(world, relation),
        requested_by_id=world.users[key],
        report="annex7",
        file_format="csv",
        params={"as_of": "2023-08-29"},
        scope_ids=[_county(world, relation)],
        status=JobStatus.SUCCEEDED if done else JobStatus.QUEUED,
    )
    session.add(job)
    session.flush()
    if done:
        reports.keep_job_file(job, name="附件7.csv", content="\ufeff县区,人数\r\n".encode())
        session.flush()
    return job.id


def _job_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"job_id": _job(session, world, relation, done=False)})


def _job_file_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"job_id": _job(session, world, relation, done=True)})


case("GET", "/api/v1/reports/columns", allowed=STAFF_ALL)
for _report in ("annex7", "annex8", "annex9"):
    case("GET", f"/api/v1/reports/{_report}", relations=RELATIONS, build=_report_call, allowed=STAFF_SAME)
case("GET", "/api/v1/reports/employment-rate", relations=RELATIONS, build=_report_call, allowed=STAFF_SAME)
case("POST", "/api/v1/reports/snapshots", relations=("same",), build=_create_snapshot_call, allowed=STAFF_ALL)
case("GET", "/api/v1/reports/snapshots", allowed=STAFF_ALL)
case("GET", "/api/v1/reports/snapshots/{snapshot_id}", relations=RELATIONS, build=_snapshot_call, allowed=STAFF_SAME)
case("GET", "/api/v1/reports/snapshots/{snapshot_id}/diff", relations=RELATIONS, build=_diff_call, allowed=STAFF_SAME)
case("POST", "/api/v1/reports/jobs", relations=RELATIONS, build=_create_job_call, allowed=STAFF_SAME)
case("GET", "/api/v1/reports/jobs/{job_id}", relations=RELATIONS, build=_job_call, allowed=STAFF_SAME)
case("GET", "/api/v1/reports/jobs/{job_id}/file", relations=RELATIONS, build=_job_file_call, allowed=STAFF_SAME)


def _snapshot_file_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    from services.reports import render, tables

    report = tables.build_report(
        session,
        report="annex7",
        scope=None,
        unit_name="测试",
        as_of=date(2023, 8, 29),
        county_id=_county(world, relation),
    )
    content = {"annex7": render.report_json(report)}
    row = ReportSnapshot(
        org_unit_id=_county(world, relation),
        kind="manual",
        label="测试快照",
        as_of=date(2023, 8, 29),
        year=2023,
        tables=["annex7"],
        content=content,
        content_sha256=canonical_hash(content),
    )
    session.add(row)
    session.flush()
    return Call(path_params={"snapshot_id": row.id}, params={"report": "annex7", "format": "csv"})


case(
    "GET",
    "/api/v1/reports/snapshots/{snapshot_id}/file",
    relations=RELATIONS,
    build=_snapshot_file_call,
    allowed=STAFF_SAME,
)
