"""Report tables: the measures folded into county rows (and cohorts for 附件9), derived columns and the totals row.

A row's figures come only from ``measures``; the totals row is the sum of the rows (rates recomputed from the
summed counts), so "totals equal the sum of the rows" holds by construction and is also checked by the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import NotFound, ValidationFailed
from services.orgs.models import OrgKind, OrgUnit
from services.reports import measures, vocational_measures
from services.reports.columns import (
    AID_CATEGORIES,
    REPORT_TABLES,
    REPORT_TITLES,
    Kind,
    TableSpec,
    specs_for,
)

Number = int | Decimal | None
COUNTY_KINDS = frozenset({OrgKind.COUNTY.value, OrgKind.PARK.value, OrgKind.DIRECT.value})
CITY_LEVEL_SUFFIX = "（市本级）"


@dataclass(slots=True)
class Row:
    county_id: int | None  # None on the totals row
    county_code: str
    county_name: str
    cohort: int | None
    values: dict[str, Number] = field(default_factory=dict)


@dataclass(slots=True)
class Table:
    spec: TableSpec
    rows: list[Row]
    total: Row


@dataclass(slots=True)
class Report:
    code: str
    title: str
    unit_name: str
    as_of: date
    year: int
    cohorts: list[int] | None
    generated_at: datetime
    tables: list[Table]


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    code: str
    name: str
    kind: str


def county_units(session: Session) -> tuple[dict[int, int], list[Unit]]:
    """Every org unit → its county-level unit (the city maps to itself), and the row units in tree order."""
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    by_id = {u.id: u for u in units}
    fold: dict[int, int] = {}
    rows: list[Unit] = []
    for u in units:
        chain = [by_id[int(p)] for p in u.path.strip("/").split("/") if p and int(p) in by_id]
        county = next((c for c in chain if c.kind in COUNTY_KINDS), None)
        fold[u.id] = county.id if county else chain[0].id if chain else u.id
        if u.kind in COUNTY_KINDS:
            rows.append(Unit(u.id, u.code, u.name, u.kind))
    cities = [Unit(u.id, u.code, u.name + CITY_LEVEL_SUFFIX, u.kind) for u in units if u.kind == OrgKind.CITY.value]
    return fold, rows + cities


def _zero(kind: Kind) -> Number:
    return Decimal("0.00") if kind == Kind.MONEY else 0


def rate(part: Number, whole: Number) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(int(part or 0)) * 100 / Decimal(int(whole))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _derive(code: str, v: dict[str, Number]) -> None:
    def s(*keys: str) -> Any:
        return sum((v.get(k) or 0 for k in keys), 0)

    if code == "annex7":
        for prefix in ("archived", "nonarchived"):
            v[f"{prefix}_persons"] = s(*[f"{prefix}_{c}" for c, _ in AID_CATEGORIES])
        v["total_persons"] = s("archived_persons", "nonarchived_persons")
        v["total_amount"] = Decimal(s("archived_amount", "nonarchived_amount")).quantize(measures.CENT)
    elif code == "annex9":
        placed = [k for k in v if k.startswith("grassroots_")]
        placed += ["enterprise", "self_employed", "flexible", "further_study", "military"]
        v["placed"] = s(*placed)
        v["employment_rate"] = rate(v["placed"], v["registered"])
    elif code == "annex9_activity":
        v["money_spent"] = Decimal(
            s(
                "entrepreneurship_funds",
                "internship_subsidy",
                "work_study_subsidy",
                "purchased_amount",
                "employment_subsidy",
                "venture_funds",
            )
        ).quantize(measures.CENT)


MeasureFn = Callable[[measures.Ctx], measures.Values]


def _measures_of(code: str, programs: tuple[tuple[str, str], ...]) -> list[MeasureFn]:
    if code == "annex7":
        return [measures.aid_demand]
    if code == "annex8":
        return [
            measures.aid_paid_persons,
            measures.aid_awards,
            measures.aid_work_study,
            measures.aid_budget,
            vocational_measures.golden_pairings,
        ]
    if code == "annex9":
        codes = [p for p, _ in programs]
        return [
            lambda ctx: measures.graduate_statuses(ctx, codes),
            measures.graduates_contacted,
            measures.graduates_served,
        ]
    return [
        measures.positions_published,
        measures.job_fairs_held,
        measures.aid_work_study,
        measures.purchased_services,
        vocational_measures.golden_pairings,
        vocational_measures.two_after_tracks,
        measures.policy_subsidies,
        measures.mentoring_and_ventures,
    ]


def _fill(spec: TableSpec, raw: dict[str, Any]) -> dict[str, Number]:
    values: dict[str, Number] = {}
    for c in spec.columns:
        value = raw.get(c.key)
        if c.kind == Kind.MONEY:
            values[c.key] = measures.money(value) if value is not None else Decimal("0.00")
        elif c.kind == Kind.COUNT:
            values[c.key] = int(value or 0)
        else:
            values[c.key] = None
    return values


def _sum_rows(spec: TableSpec, rows: list[Row]) -> dict[str, Number]:
    total: dict[str, Number] = {}
    for c in spec.columns:
        if c.kind == Kind.RATE:
            total[c.key] = None
            continue
        acc: Any = _zero(c.kind)
        for r in rows:
            acc += r.values.get(c.key) or 0
        total[c.key] = acc
    return total


def build_table(
    ctx: measures.Ctx,
    spec: TableSpec,
    *,
    units: list[Unit],
    fold: dict[int, int],
    programs: tuple[tuple[str, str], ...],
    cohorts: list[int | None] | None = None,
) -> Table:
    """Run the table's measures once over the scope and fold org units into the row units."""
    raw = measures.merge(fn(ctx) for fn in _measures_of(spec.code, programs))
    folded: dict[tuple[int, int | None], dict[str, Any]] = {}
    for (org, cohort), values in raw.items():
        key = (fold.get(org, org), cohort)
        target = folded.setdefault(key, {})
        for column, value in values.items():
            target[column] = target.get(column, 0) + value
    if spec.code == "annex7":
        folded.update(measures.survey_demand(ctx))  # a county's handed-in survey replaces its application figures
    with_cohort = "cohort" in spec.row_dims
    if with_cohort and cohorts is None:
        found = {cohort for _org, cohort in folded}
        cohorts = sorted(c for c in found if c is not None) + ([None] if None in found else [])
    rows: list[Row] = []
    for unit in units:
        for cohort in cohorts if with_cohort and cohorts is not None else [None]:
            values = _fill(spec, folded.get((unit.id, cohort), {}))
            _derive(spec.code, values)
            rows.append(Row(unit.id, unit.code, unit.name, cohort, values))
    total_values = _sum_rows(spec, rows)
    _derive(spec.code, total_values)
    return Table(spec=spec, rows=rows, total=Row(None, "", "合计", None, total_values))


def build_report(
    session: Session,
    *,
    report: str,
    scope: frozenset[int] | None,
    unit_name: str,
    as_of: date,
    year: int | None = None,
    cohorts: list[int] | None = None,
    county_id: int | None = None,
) -> Report:
    """附件7/8/9 for ``scope`` (None = the whole city). ``county_id`` narrows to one county inside the scope;
    a county outside it is "not found", so no filter can reach another county's rows."""
    if report not in REPORT_TABLES:
        raise ValidationFailed("报表应为 annex7、annex8 或 annex9", field="report")
    year = year or as_of.year
    if not 2000 <= year <= 2100:
        raise ValidationFailed("统计年度应在2000至2100之间", field="year")
    fold, units = county_units(session)
    if scope is not None:
        units = [u for u in units if u.id in scope]
    if county_id is not None:
        units = [u for u in units if u.id == county_id]
        if not units:
            raise NotFound("县区不存在或不在您的管辖范围内")
    row_ids = {u.id for u in units}
    org_ids = frozenset(o for o, c in fold.items() if c in row_ids and (scope is None or o in scope))
    whole_city = scope is None and county_id is None
    ctx = measures.Ctx(
        session=session,
        org_ids=None if whole_city else org_ids,
        as_of=as_of,
        year=year,
        cohorts=tuple(cohorts) if cohorts else None,
    )
    programs = measures.programs(session)
    specs = specs_for(report, programs)
    tables: list[Table] = []
    for spec in specs:
        wanted: list[int | None] | None = list(cohorts) if cohorts and "cohort" in spec.row_dims else None
        tables.append(build_table(ctx, spec, units=units, fold=fold, programs=programs, cohorts=wanted))
    return Report(
        code=report,
        title=REPORT_TITLES[report],
        unit_name=unit_name,
        as_of=as_of,
        year=year,
        cohorts=list(cohorts) if cohorts else None,
        generated_at=utcnow(),
        tables=tables,
    )
