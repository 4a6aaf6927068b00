"""One query per measure. Each groups in SQL by the record's org unit (and, for graduates, the cohort) and
returns small dictionaries; ``tables`` folds org units into their county. Nothing here loops over records.

The queries read the registry, tracking, catalog and aid tables directly: the figures need GROUP BY over the
whole scope, which the row-by-row helpers of those domains do not offer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, case, distinct, func, literal, select, type_coerce, union
from sqlalchemy.orm import Session

from services.aid.api import (
    AidApplication,
    AidAward,
    AidBudget,
    AidPolicy,
    AidPolicyClaim,
    AidStandard,
    AidWorkStudy,
    ApplicationStatus,
    AwardStatus,
    ClaimStatus,
    PolicyKind,
)
from services.catalog import api as catalog_service
from services.catalog.api import JobFair, Position, PositionKind, ProgramRuleSet, ServiceContract
from services.registry.api import Graduate, Stage
from services.reports.campaign_models import CountySurvey, FilingStatus
from services.reports.columns import OTHER_PROGRAM_CODE as OTHER_PROGRAM
from services.reports.columns import SERVICE_KINDS
from services.security.scope import within_units
from services.tracking import api as tracking_service
from services.tracking.api import (
    Application,
    AppState,
    Contact,
    ContactOutcome,
    ContestEntry,
    EntryState,
    MentorPairing,
    PairingKind,
    ReferralState,
    ServiceRecord,
    ServiceReferral,
    Status,
    StatusChange,
    Venture,
    VentureKind,
    VentureSupport,
)

CENT = Decimal("0.01")
Key = tuple[int, int | None]  # (org unit id, cohort) — cohort None for tables without cohorts
Values = dict[Key, dict[str, Any]]


def money(value: object) -> Decimal:
    """A SQL sum as yuan with two decimals (SQLite hands back floats for sums of expressions)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Ctx:
    """What every measure is asked: which org units, on which day, for which year and cohorts."""

    session: Session
    org_ids: frozenset[int] | None  # None = every org unit
    as_of: date
    year: int
    cohorts: tuple[int, ...] | None = None

    @property
    def cutoff(self) -> datetime:
        """The first instant after ``as_of`` in the service's time zone, in UTC."""
        return tracking_service.end_of_day_utc(self.as_of)

    @property
    def period_start(self) -> datetime:
        return tracking_service.end_of_day_utc(date(self.year - 1, 12, 31))

    def org_filter(self, column: Any) -> ColumnElement[bool]:
        if self.org_ids is None:
            return literal(True)
        return column.in_(sorted(self.org_ids)) if self.org_ids else literal(False)


def _add(out: Values, key: Key, column: str, value: Any) -> None:
    row = out.setdefault(key, {})
    row[column] = row.get(column, 0) + value


# ---- graduates (附件9) --------------------------------------------------------------------------------------


def graduate_base(ctx: Ctx) -> Any:
    """Graduates counted on ``as_of`` with their status that day: (id, org_unit_id, cohort, status)."""
    ranked = (
        select(
            StatusChange.graduate_id.label("graduate_id"),
            StatusChange.status.label("status"),
            func.row_number()
            .over(partition_by=StatusChange.graduate_id, order_by=(StatusChange.at.desc(), StatusChange.id.desc()))
            .label("rn"),
        )
        .where(StatusChange.at < ctx.cutoff, ctx.org_filter(StatusChange.org_unit_id))
        .subquery("ranked")
    )
    status = func.coalesce(ranked.c.status, Graduate.employment_status, literal(Status.UNEMPLOYED.value))
    stmt = (
        select(
            Graduate.id.label("id"),
            Graduate.org_unit_id.label("org_unit_id"),
            Graduate.cohort.label("cohort"),
            status.label("status"),
        )
        .outerjoin(ranked, and_(ranked.c.graduate_id == Graduate.id, ranked.c.rn == 1))
        .where(
            Graduate.stage == Stage.GRADUATE.value,
            Graduate.created_at < ctx.cutoff,
        )
    )
    stmt = within_units(stmt, ctx.org_ids, org=Graduate.org_unit_id)
    if ctx.cohorts is not None:
        stmt = stmt.where(Graduate.cohort.in_(ctx.cohorts))
    return stmt.subquery("grads")


STATUS_COLUMN = {
    Status.SIGNED.value: "enterprise",
    Status.EMPLOYED.value: "enterprise",
    Status.FURTHER_STUDY.value: "further_study",
    Status.MILITARY.value: "military",
    Status.UNEMPLOYED.value: "still_seeking",
    Status.SEEKING.value: "still_seeking",
    Status.INTERNSHIP.value: "still_seeking",
    Status.NOT_SEEKING.value: "not_seeking",
    # grassroots (by program) and self_employed (venture or flexible) are split below
}
PLACED_STATES = (AppState.SIGNED.value, AppState.EMPLOYED.value)


def _placed_by_kind(kind: str) -> Any:
    """Graduates with an application of ``kind`` that reached signing or employment, with its program."""
    return (
        select(Application.graduate_id.label("graduate_id"), func.max(Position.program).label("program"))
        .join(Position, Position.id == Application.position_id)
        .where(Position.kind == kind, Application.state.in_(PLACED_STATES))
        .group_by(Application.graduate_id)
        .subquery(f"placed_{kind}")
    )


def graduate_statuses(ctx: Ctx, programs: Iterable[str]) -> Values:
    """registered and the destinations: enterprise, grassroots_<program> / grassroots_other, self_employed
    (with an entrepreneurship project signed or started, or a project of their own in business) / flexible
    (without), further_study, military, still_seeking, not_seeking — one GROUP BY over the graduates' status on
    ``as_of``."""
    g = graduate_base(ctx)
    grassroots = _placed_by_kind(PositionKind.GRASSROOTS.value)
    placed_venture = _placed_by_kind(PositionKind.ENTREPRENEURSHIP.value)
    # a venture: an entrepreneurship position signed or started, or the graduate's own project in business by then
    venture = union(
        select(placed_venture.c.graduate_id),
        within_units(
            select(Venture.graduate_id).where(Venture.state == "operating", Venture.started_on <= ctx.as_of),
            ctx.org_ids,
            org=Venture.org_unit_id,
        ),
    ).subquery("venture")
    program = case(
        (g.c.status == Status.GRASSROOTS.value, func.coalesce(grassroots.c.program, literal(OTHER_PROGRAM))),
        else_=literal(""),
    )
    has_venture = case(
        (and_(g.c.status == Status.SELF_EMPLOYED.value, venture.c.graduate_id.is_not(None)), literal(1)),
        else_=literal(0),
    )
    stmt = (
        select(g.c.org_unit_id, g.c.cohort, g.c.status, program, has_venture, func.count())
        .outerjoin(grassroots, grassroots.c.graduate_id == g.c.id)
        .outerjoin(venture, venture.c.graduate_id == g.c.id)
        .group_by(g.c.org_unit_id, g.c.cohort, g.c.status, program, has_venture)
    )
    known = set(programs)
    out: Values = {}
    for org, cohort, status, code, is_venture, n in ctx.session.execute(stmt):
        key = (int(org), cohort)
        _add(out, key, "registered", int(n))
        if status == Status.GRASSROOTS.value:
            column: str | None = f"grassroots_{code}" if code in known else f"grassroots_{OTHER_PROGRAM}"
        elif status == Status.SELF_EMPLOYED.value:
            column = "self_employed" if is_venture else "flexible"
        else:
            column = STATUS_COLUMN.get(status)
        if column is not None:
            _add(out, key, column, int(n))
    return out


def graduates_contacted(ctx: Ctx) -> Values:
    """contacted: graduates with a contact up to ``as_of`` whose outcome was not 未联系上."""
    g = graduate_base(ctx)
    reached = (
        select(Contact.graduate_id.label("graduate_id"))
        .where(
            Contact.contacted_at < ctx.cutoff,
            Contact.outcome != ContactOutcome.NOT_REACHED.value,
            ctx.org_filter(Contact.org_unit_id),
        )
        .group_by(Contact.graduate_id)
        .subquery("reached")
    )
    stmt = (
        select(g.c.org_unit_id, g.c.cohort, func.count())
        .join(reached, reached.c.graduate_id == g.c.id)
        .group_by(g.c.org_unit_id, g.c.cohort)
    )
    out: Values = {}
    for org, cohort, n in ctx.session.execute(stmt):
        _add(out, (int(org), cohort), "contacted", int(n))
    return out


def graduates_served(ctx: Ctx) -> Values:
    """served_any, served_<kind> (persons), service_times (records) up to ``as_of``, and the service standard:
    standard_covered (status in the standard's scope) and standard_met (every requirement reached) — tracking's
    active standard, default 1131. One pass: services per graduate, then one GROUP BY over the graduates."""
    standard = tracking_service.active_standard(ctx.session)
    kinds = sorted({k for k, _ in SERVICE_KINDS} | {k for r in standard.requirements for k in r.kinds})
    per_graduate = (
        select(
            ServiceRecord.graduate_id.label("graduate_id"),
            func.count().label("times"),
            *[func.sum(case((ServiceRecord.kind == k, 1), else_=0)).label(f"k_{k}") for k in kinds],
        )
        .where(ServiceRecord.delivered_on <= ctx.as_of, ctx.org_filter(ServiceRecord.org_unit_id))
        .group_by(ServiceRecord.graduate_id)
        .subquery("per_graduate")
    )
    g = graduate_base(ctx)
    served = per_graduate.c.graduate_id.is_not(None)
    covered = g.c.status.in_(sorted(standard.applies_to))
    met = and_(
        served,
        *[sum((per_graduate.c[f"k_{k}"] for k in r.kinds), literal(0)) >= r.minimum for r in standard.requirements],
    )
    stmt = (
        select(
            g.c.org_unit_id,
            g.c.cohort,
            func.count(per_graduate.c.graduate_id),
            func.coalesce(func.sum(per_graduate.c.times), 0),
            func.sum(case((covered, 1), else_=0)),
            func.sum(case((and_(covered, met), 1), else_=0)),
            *[func.sum(case((per_graduate.c[f"k_{k}"] > 0, 1), else_=0)) for k in kinds],
        )
        .outerjoin(per_graduate, per_graduate.c.graduate_id == g.c.id)
        .group_by(g.c.org_unit_id, g.c.cohort)
    )
    out: Values = {}
    for org, cohort, anyone, times, n_covered, n_met, *per_kind in ctx.session.execute(stmt):
        key = (int(org), cohort)
        _add(out, key, "served_any", int(anyone))
        _add(out, key, "service_times", int(times or 0))
        _add(out, key, "standard_covered", int(n_covered or 0))
        _add(out, key, "standard_met", int(n_met or 0))
        for k, n in zip(kinds, per_kind, strict=True):
            _add(out, key, f"served_{k}", int(n or 0))
    return out


def bundled_programs() -> tuple[tuple[str, str], ...]:
    """The grassroots programs of the catalog's bundled rule sets, as (code, name), in their order."""
    found: dict[str, str] = {}
    with catalog_service.seed_file().open(encoding="utf-8") as fh:
        for entry in json.load(fh)["rule_sets"]:
            found.setdefault(str(entry["program"]), str(entry["program_name"]))
    return tuple(found.items())


def programs(session: Session) -> tuple[tuple[str, str], ...]:
    """Grassroots programs, as (code, name): the bundled list, the rule sets published since, then any code a
    position carries — a program added next year gets its own column without a code change."""
    found: dict[str, str] = dict(bundled_programs())
    for code, name in session.execute(select(ProgramRuleSet.program, ProgramRuleSet.program_name).distinct()):
        found.setdefault(code, name)
    for (program,) in session.execute(select(Position.program).where(Position.program.is_not(None)).distinct()):
        if program:
            found.setdefault(program, program)
    found.pop("other", None)
    return tuple(found.items())


# ---- positions and job fairs (附件9 activities) ------------------------------------------------------------


def positions_published(ctx: Ctx) -> Values:
    """positions_offered, internship_posts, work_study_positions, entrepreneurship_support, entrepreneurship_funds,
    internship_subsidy: positions published in the period, by the publishing unit."""
    seats = func.coalesce(Position.headcount, 1)
    subsidy = type_coerce(
        func.coalesce(Position.subsidy, 0) * func.coalesce(Position.duration_months, 1) * Position.filled,
        Numeric(14, 2),
    )
    stmt = (
        select(
            Position.org_unit_id,
            Position.kind,
            func.count(),
            func.sum(seats),
            func.sum(type_coerce(func.coalesce(Position.fund_amount, 0), Numeric(14, 2))),
            func.sum(subsidy),
        )
        .where(
            Position.published_at.is_not(None),
            Position.published_at >= ctx.period_start,
            Position.published_at < ctx.cutoff,
        )
        .group_by(Position.org_unit_id, Position.kind)
    )
    stmt = within_units(stmt, ctx.org_ids, org=Position.org_unit_id)
    out: Values = {}
    for org, kind, n, seat_sum, funds, subsidies in ctx.session.execute(stmt):
        key = (int(org), None)
        if kind == PositionKind.JOB.value:
            _add(out, key, "positions_offered", int(seat_sum or 0))
        elif kind == PositionKind.INTERNSHIP.value:
            _add(out, key, "internship_posts", int(seat_sum or 0))
            _add(out, key, "internship_subsidy", money(subsidies))
        elif kind == PositionKind.WORK_STUDY.value:
            _add(out, key, "work_study_positions", int(seat_sum or 0))
        elif kind == PositionKind.ENTREPRENEURSHIP.value:
            _add(out, key, "entrepreneurship_support", int(n))
            _add(out, key, "entrepreneurship_funds", money(funds))
    return out


def job_fairs_held(ctx: Ctx) -> Values:
    """job_fairs: fairs starting in the period, by the organising unit."""
    stmt = (
        select(JobFair.org_unit_id, func.count())
        .where(
            JobFair.starts_at >= ctx.period_start,
            JobFair.starts_at < ctx.cutoff,
            ctx.org_filter(JobFair.org_unit_id),
        )
        .group_by(JobFair.org_unit_id)
    )
    out: Values = {}
    for org, n in ctx.session.execute(stmt):
        _add(out, (int(org), None), "job_fairs", int(n))
    return out


def purchased_services(ctx: Ctx) -> Values:
    """purchased_amount by the purchasing union; purchased_referred, purchased_placed by the graduate's unit."""
    start = date(ctx.year, 1, 1)
    contracts = (
        select(ServiceContract.org_unit_id, func.sum(type_coerce(ServiceContract.amount, Numeric(14, 2))))
        .where(
            ServiceContract.starts_on >= start,
            ServiceContract.starts_on <= ctx.as_of,
        )
        .group_by(ServiceContract.org_unit_id)
    )
    out: Values = {}
    for org, amount in ctx.session.execute(within_units(contracts, ctx.org_ids, org=ServiceContract.org_unit_id)):
        _add(out, (int(org), None), "purchased_amount", money(amount))
    referred = (
        select(ServiceReferral.org_unit_id, func.count(distinct(ServiceReferral.graduate_id)))
        .where(
            ServiceReferral.referred_on >= start,
            ServiceReferral.referred_on <= ctx.as_of,
        )
        .group_by(ServiceReferral.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(referred, ctx.org_ids, org=ServiceReferral.org_unit_id)):
        _add(out, (int(org), None), "purchased_referred", int(n))
    placed = (
        select(ServiceReferral.org_unit_id, func.count(distinct(ServiceReferral.graduate_id)))
        .where(
            ServiceReferral.state == ReferralState.PLACED.value,
            ServiceReferral.outcome_on >= start,
            ServiceReferral.outcome_on <= ctx.as_of,
        )
        .group_by(ServiceReferral.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(placed, ctx.org_ids, org=ServiceReferral.org_unit_id)):
        _add(out, (int(org), None), "purchased_placed", int(n))
    return out


def mentoring_and_ventures(ctx: Ctx) -> Values:
    """mentor_paired, mentor_paired_startup, mentor_placed, ventures_online, ventures_returning, contest_entries,
    contest_passed, ventures_supported, venture_funds: pairings, projects, contest entries and the support given in
    the period, by the graduate's unit."""
    start = date(ctx.year, 1, 1)
    out: Values = {}

    def add(stmt: Any, column: str) -> None:
        for unit, n in ctx.session.execute(stmt):
            _add(out, (int(unit), None), column, int(n))

    graduates = func.count(distinct(MentorPairing.graduate_id))
    for kind, column in ((PairingKind.HELP, "mentor_paired"), (PairingKind.STARTUP, "mentor_paired_startup")):
        paired = select(MentorPairing.org_unit_id, graduates).where(
            MentorPairing.kind == kind.value,
            MentorPairing.started_on >= start,
            MentorPairing.started_on <= ctx.as_of,
        )
        add(
            within_units(paired, ctx.org_ids, org=MentorPairing.org_unit_id).group_by(MentorPairing.org_unit_id), column
        )
    placed = select(MentorPairing.org_unit_id, graduates).where(
        MentorPairing.state.in_(["employed", "business_started"]),
        MentorPairing.outcome_on >= start,
        MentorPairing.outcome_on <= ctx.as_of,
    )
    add(
        within_units(placed, ctx.org_ids, org=MentorPairing.org_unit_id).group_by(MentorPairing.org_unit_id),
        "mentor_placed",
    )
    for vkind, column in ((VentureKind.ONLINE, "ventures_online"), (VentureKind.RETURNING, "ventures_returning")):
        recorded = select(Venture.org_unit_id, func.count()).where(
            Venture.kind == vkind.value, Venture.recorded_on >= start, Venture.recorded_on <= ctx.as_of
        )
        add(within_units(recorded, ctx.org_ids, org=Venture.org_unit_id).group_by(Venture.org_unit_id), column)
    entries = select(ContestEntry.org_unit_id, func.count()).where(
        ContestEntry.submitted_on >= start, ContestEntry.submitted_on <= ctx.as_of
    )
    add(
        within_units(entries, ctx.org_ids, org=ContestEntry.org_unit_id).group_by(ContestEntry.org_unit_id),
        "contest_entries",
    )
    passed = select(ContestEntry.org_unit_id, func.count()).where(
        ContestEntry.state == EntryState.PASSED.value,
        ContestEntry.screened_on >= start,
        ContestEntry.screened_on <= ctx.as_of,
    )
    add(
        within_units(passed, ctx.org_ids, org=ContestEntry.org_unit_id).group_by(ContestEntry.org_unit_id),
        "contest_passed",
    )
    given = (VentureSupport.given_on >= start, VentureSupport.given_on <= ctx.as_of)
    supported = select(VentureSupport.org_unit_id, func.count(distinct(VentureSupport.venture_id))).where(*given)
    add(
        within_units(supported, ctx.org_ids, org=VentureSupport.org_unit_id).group_by(VentureSupport.org_unit_id),
        "ventures_supported",
    )
    funds = select(VentureSupport.org_unit_id, func.sum(type_coerce(VentureSupport.amount, Numeric(14, 2)))).where(
        *given, VentureSupport.kind == "funds"
    )
    funds = within_units(funds, ctx.org_ids, org=VentureSupport.org_unit_id).group_by(VentureSupport.org_unit_id)
    for unit, amount in ctx.session.execute(funds):
        _add(out, (int(unit), None), "venture_funds", money(amount))
    return out


# ---- aid (附件7, 附件8) -------------------------------------------------------------------------------------


def aid_category(stage: Any, education: Any) -> Any:
    """The eight categories of the forms from the application's education stage and the student's education."""
    return case(
        (and_(stage == "college", education.in_(["11", "14"])), literal("postgraduate")),
        (and_(stage == "college", education.in_(["21", "22"])), literal("undergraduate")),
        (stage == "college", literal("higher_vocational")),
        else_=stage,
    )


def aid_demand(ctx: Ctx) -> Values:
    """<archived|nonarchived>_<category> (distinct students) and <archived|nonarchived>_amount (requested)."""
    category = aid_category(AidApplication.education_stage, Graduate.education)
    capped = case(
        (
            and_(
                AidApplication.tuition_invoice_amount.is_not(None),
                AidApplication.tuition_invoice_amount < AidStandard.cap,
            ),
            AidApplication.tuition_invoice_amount,
        ),
        else_=AidStandard.cap,
    )
    requested = type_coerce(func.coalesce(AidApplication.requested_amount, capped), Numeric(14, 2))
    stmt = (
        select(
            AidApplication.org_unit_id,
            AidApplication.family_archived,
            category,
            func.count(distinct(AidApplication.student_id)),
            func.sum(requested),
        )
        .join(Graduate, Graduate.id == AidApplication.student_id)
        .join(AidStandard, AidStandard.id == AidApplication.standard_id)
        .where(
            AidApplication.year == ctx.year,
            AidApplication.submitted_at < ctx.cutoff,
            AidApplication.status.not_in([ApplicationStatus.REFUSED.value, ApplicationStatus.REVOKED.value]),
        )
        .group_by(AidApplication.org_unit_id, AidApplication.family_archived, category)
    )
    stmt = within_units(stmt, ctx.org_ids, org=AidApplication.org_unit_id)
    out: Values = {}
    for org, archived, cat, persons, amount in ctx.session.execute(stmt):
        prefix = "archived" if archived else "nonarchived"
        _add(out, (int(org), None), f"{prefix}_{cat}", int(persons))
        _add(out, (int(org), None), f"{prefix}_amount", money(amount))
    return out


def survey_demand(ctx: Ctx) -> Values:
    """The figures of each county's 摸排 of the year handed in before the end of ``as_of``, keyed by the county, with
    survey_submitted = 1. One row per county: ``tables`` puts them in place of the county's application figures."""
    stmt = select(CountySurvey).where(
        CountySurvey.year == ctx.year,
        CountySurvey.status == FilingStatus.SUBMITTED.value,
        CountySurvey.submitted_at < ctx.cutoff,
    )
    out: Values = {}
    for survey in ctx.session.scalars(within_units(stmt, ctx.org_ids, org=CountySurvey.org_unit_id)):
        values: dict[str, Any] = {key: int(n) for key, n in survey.aid_persons.items()}
        values["archived_amount"] = money(survey.archived_amount)
        values["nonarchived_amount"] = money(survey.nonarchived_amount)
        values["survey_submitted"] = 1
        out[(int(survey.org_unit_id), None)] = values
    return out


def _award_query(ctx: Ctx, *dims: Any) -> Any:
    paid = and_(AidAward.status == AwardStatus.PAID.value, AidAward.paid_at < ctx.cutoff)
    state = case((paid, literal("paid")), else_=literal("pending"))
    stmt = (
        select(
            AidAward.org_unit_id,
            state,
            *dims,
            func.count(distinct(AidAward.student_id)),
            func.sum(type_coerce(AidAward.amount, Numeric(14, 2))),
        )
        .join(AidApplication, AidApplication.id == AidAward.application_id)
        .join(Graduate, Graduate.id == AidAward.student_id)
        .where(
            AidAward.year == ctx.year,
            AidAward.status != AwardStatus.REVOKED.value,
            AidAward.created_at < ctx.cutoff,
        )
        .group_by(AidAward.org_unit_id, state, *dims)
    )
    return within_units(stmt, ctx.org_ids, org=AidAward.org_unit_id)


def aid_awards(ctx: Ctx) -> Values:
    """persons_/amount_<category>, persons_/amount_<fund>, paid_amount, pending_persons, pending_amount."""
    out: Values = {}
    category = aid_category(AidApplication.education_stage, Graduate.education)
    for org, state, cat, persons, amount in ctx.session.execute(_award_query(ctx, category)):
        key = (int(org), None)
        if state == "paid":
            _add(out, key, f"persons_{cat}", int(persons))
            _add(out, key, f"amount_{cat}", money(amount))
            _add(out, key, "paid_amount", money(amount))
    for org, state, fund, persons, amount in ctx.session.execute(_award_query(ctx, AidAward.fund_source)):
        if state == "paid":
            _add(out, (int(org), None), f"persons_{fund}", int(persons))
            _add(out, (int(org), None), f"amount_{fund}", money(amount))
    for org, state, persons, amount in ctx.session.execute(_award_query(ctx)):
        if state == "pending":
            _add(out, (int(org), None), "pending_persons", int(persons))
            _add(out, (int(org), None), "pending_amount", money(amount))
    return out


def aid_paid_persons(ctx: Ctx) -> Values:
    """aided_persons: distinct students with at least one paid award (a student aided twice counts once)."""
    stmt = (
        select(AidAward.org_unit_id, func.count(distinct(AidAward.student_id)))
        .where(
            AidAward.year == ctx.year,
            AidAward.status == AwardStatus.PAID.value,
            AidAward.paid_at < ctx.cutoff,
        )
        .group_by(AidAward.org_unit_id)
    )
    stmt = within_units(stmt, ctx.org_ids, org=AidAward.org_unit_id)
    out: Values = {}
    for org, persons in ctx.session.execute(stmt):
        _add(out, (int(org), None), "aided_persons", int(persons))
    return out


def aid_work_study(ctx: Ctx) -> Values:
    """work_study_posts, work_study_summer_posts, work_study_students, work_study_subsidy."""
    stmt = (
        select(
            AidWorkStudy.org_unit_id,
            func.count(),
            func.sum(case((AidWorkStudy.summer_special.is_(True), 1), else_=0)),
            func.count(distinct(AidWorkStudy.student_id)),
            func.sum(type_coerce(AidWorkStudy.subsidy_amount, Numeric(14, 2))),
        )
        .where(
            AidWorkStudy.year == ctx.year,
            AidWorkStudy.starts_on <= ctx.as_of,
        )
        .group_by(AidWorkStudy.org_unit_id)
    )
    stmt = within_units(stmt, ctx.org_ids, org=AidWorkStudy.org_unit_id)
    out: Values = {}
    for org, posts, summer, students, subsidy in ctx.session.execute(stmt):
        key = (int(org), None)
        _add(out, key, "work_study_posts", int(posts))
        _add(out, key, "work_study_summer_posts", int(summer or 0))
        _add(out, key, "work_study_students", int(students))
        _add(out, key, "work_study_subsidy", money(subsidy))
    return out


def policy_subsidies(ctx: Ctx) -> Values:
    """employment_subsidy, subsidy_persons, subsidy_grassroots_persons (paid by the cut-off) and
    subsidy_claims_pending, from the year's policy claims, by the person's unit."""
    paid = and_(AidPolicyClaim.status == ClaimStatus.PAID.value, AidPolicyClaim.paid_at < ctx.cutoff)
    grassroots = AidPolicy.kind.in_([PolicyKind.TUITION_COMPENSATION.value, PolicyKind.LOAN_REPAYMENT.value])
    stmt = (
        select(
            AidPolicyClaim.org_unit_id,
            func.sum(case((paid, type_coerce(AidPolicyClaim.amount, Numeric(14, 2))), else_=0)),
            func.count(distinct(case((paid, AidPolicyClaim.student_id)))),
            func.count(distinct(case((and_(paid, grassroots), AidPolicyClaim.student_id)))),
            func.count(
                distinct(
                    case(
                        (
                            and_(
                                ~paid,
                                AidPolicyClaim.status.in_(
                                    [
                                        ClaimStatus.APPLIED.value,
                                        ClaimStatus.GRANTED.value,
                                        ClaimStatus.PAYING.value,
                                        ClaimStatus.PAID.value,
                                    ]
                                ),
                            ),
                            AidPolicyClaim.student_id,
                        )
                    )
                )
            ),
        )
        .join(AidPolicy, AidPolicy.id == AidPolicyClaim.policy_id)
        .where(AidPolicyClaim.year == ctx.year, AidPolicyClaim.applied_at < ctx.cutoff)
        .group_by(AidPolicyClaim.org_unit_id)
    )
    stmt = within_units(stmt, ctx.org_ids, org=AidPolicyClaim.org_unit_id)
    out: Values = {}
    for org, amount, persons, grassroots_persons, pending in ctx.session.execute(stmt):
        key = (int(org), None)
        _add(out, key, "employment_subsidy", money(amount))
        _add(out, key, "subsidy_persons", int(persons))
        _add(out, key, "subsidy_grassroots_persons", int(grassroots_persons))
        _add(out, key, "subsidy_claims_pending", int(pending))
    return out


def aid_budget(ctx: Ctx) -> Values:
    """budget_amount: budgets of the year, by county (budgets are set per county)."""
    stmt = (
        select(AidBudget.county_org_id, func.sum(type_coerce(AidBudget.amount, Numeric(14, 2))))
        .where(AidBudget.year == ctx.year)
        .group_by(AidBudget.county_org_id)
    )
    stmt = within_units(stmt, ctx.org_ids, org=AidBudget.county_org_id)
    out: Values = {}
    for org, amount in ctx.session.execute(stmt):
        _add(out, (int(org), None), "budget_amount", money(amount))
    return out


def merge(parts: Iterable[Values]) -> Values:
    out: Values = defaultdict(dict)
    for part in parts:
        for key, values in part.items():
            for column, value in values.items():
                out[key][column] = out[key].get(column, 0) + value
    return dict(out)
