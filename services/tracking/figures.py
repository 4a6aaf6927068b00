"""Tracking figures for the reports: counts of graduates by status, services by kind, contacts and compliance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.clock import local_today as local_today
from services.errors import ValidationFailed
from services.registry.api import Graduate, Stage
from services.security.scope import GraduateScope
from services.tracking import pipeline
from services.tracking.access import end_of_day_utc
from services.tracking.models import (
    ServiceRecord,
)
from services.tracking.services_delivered import _county_map, active_standard, service_gaps
from services.tracking.status import status_expression

# ---- figures for the reports ------------------------------------------------------------------------------


def _scope_of(org_unit_ids: frozenset[int] | None) -> GraduateScope:
    return GraduateScope(org_unit_ids=org_unit_ids)


def count_graduates(
    session: Session,
    *,
    org_unit_ids: frozenset[int] | None,
    as_of: date,
    by: Sequence[str] = ("county", "cohort", "status"),
) -> list[dict[str, Any]]:
    """Graduates (stage ``graduate``) counted by any of ``county``, ``cohort``, ``status``, ``destination``
    (the status for placed graduates, ``unplaced`` otherwise) and ``education``, on ``as_of``.

    Rows: the chosen keys plus ``count``; graduates registered after ``as_of`` are not counted.
    """
    allowed_keys = {"county", "cohort", "status", "destination", "education"}
    bad = [k for k in by if k not in allowed_keys]
    if bad:
        raise ValidationFailed(f"不支持的分组：{'、'.join(bad)}", field="by")
    cutoff = end_of_day_utc(as_of)
    status_of = status_expression(Graduate.id, Graduate.employment_status, before=cutoff).label("status")
    # one statement over columns only, grouped in SQL by what the keys need (status computed in SQL)
    columns = (Graduate.org_unit_id, Graduate.cohort, Graduate.education, status_of)
    grouped = session.execute(
        select(*columns, func.count())
        .where(
            _scope_of(org_unit_ids).clause(Graduate.id, Graduate.org_unit_id),
            Graduate.stage == Stage.GRADUATE.value,
            Graduate.created_at < cutoff,
        )
        .group_by(*columns)
    ).all()
    counties = _county_map(session)
    tally: dict[tuple[Any, ...], int] = defaultdict(int)
    for org_unit_id, cohort, education, status, n in grouped:
        county = counties.get(org_unit_id)
        values = {
            "county": county.code if county else None,
            "cohort": cohort,
            "status": status,
            "destination": status if status in pipeline.PLACED else "unplaced",
            "education": education,
        }
        tally[tuple(values[k] for k in by)] += n
    ordered = sorted(tally.items(), key=lambda kv: str(kv[0]))
    return [{**dict(zip(by, key, strict=True)), "count": n} for key, n in ordered]


def services_by_kind(
    session: Session, *, org_unit_ids: frozenset[int] | None, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """Services delivered per county and kind: ``{"county", "kind", "count", "graduates"}`` rows."""
    stmt = select(ServiceRecord.org_unit_id, ServiceRecord.kind, ServiceRecord.graduate_id)
    if org_unit_ids is not None:
        stmt = stmt.where(ServiceRecord.org_unit_id.in_(sorted(org_unit_ids)))
    if since is not None:
        stmt = stmt.where(ServiceRecord.delivered_on >= since)
    if until is not None:
        stmt = stmt.where(ServiceRecord.delivered_on <= until)
    counties = _county_map(session)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for org, kind, gid in session.execute(stmt):
        key = (counties[org].code if org in counties else str(org), kind)
        counts[key] += 1
        people[key].add(gid)
    return [
        {"county": c, "kind": k, "count": n, "graduates": len(people[(c, k)])} for (c, k), n in sorted(counts.items())
    ]


def compliance(session: Session, *, org_unit_ids: frozenset[int] | None, as_of: date) -> list[dict[str, Any]]:
    """The service standard per county on ``as_of``: ``{"county", "covered", "compliant", "short", "rate"}``,
    where ``covered`` counts graduates whose status the standard applies to and ``rate`` is compliant/covered."""
    standard = active_standard(session)
    scope = _scope_of(org_unit_ids)
    cutoff = end_of_day_utc(as_of)
    status = status_expression(Graduate.id, Graduate.employment_status, before=cutoff)
    # one statement, two columns: the graduates the standard covers on that day (status computed in SQL)
    covered_rows = session.execute(
        select(Graduate.id, Graduate.org_unit_id).where(
            scope.clause(Graduate.id, Graduate.org_unit_id),
            Graduate.stage == Stage.GRADUATE.value,
            Graduate.created_at < cutoff,
            status.in_(sorted(standard.applies_to)),
        )
    ).all()
    short_ids = {gap.graduate_id for gap in service_gaps(session, scope=scope, as_of=as_of)}
    counties = _county_map(session)
    covered: dict[str, int] = defaultdict(int)
    short: dict[str, int] = defaultdict(int)
    for graduate_id, org_unit_id in covered_rows:
        county = counties.get(org_unit_id)
        code = county.code if county else str(org_unit_id)
        covered[code] += 1
        if graduate_id in short_ids:
            short[code] += 1
    return [
        {
            "county": code,
            "covered": n,
            "compliant": n - short[code],
            "short": short[code],
            "rate": round((n - short[code]) / n, 4) if n else None,
        }
        for code, n in sorted(covered.items())
    ]
