"""The measures of the vocational path: 金牌蓝领 pairings, their students, aid, internships and placements, and the
两后生's 技能培训, 中职/技工 and 学徒 steps — one grouped query each, like :mod:`services.reports.measures`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Numeric, distinct, func, or_, select, type_coerce

from services.catalog.api import GoldenPairing
from services.registry.api import VocationalTrack
from services.reports.measures import Ctx, Values, _add, money
from services.security.scope import within_units
from services.tracking.api import PairingAid, PairingInternship, PairingState, PairingStudent

TRACK_COLUMNS = {
    "training": "two_after_training",
    "school": "two_after_school",
    "apprenticeship": "two_after_apprentice",
}


def golden_pairings(ctx: Ctx) -> Values:
    """golden_pairings by the organising union; students, aid, internships and placements by the student's unit."""
    start = date(ctx.year, 1, 1)
    out: Values = {}
    agreements = (
        select(GoldenPairing.org_unit_id, func.count())
        .where(GoldenPairing.starts_on <= ctx.as_of, GoldenPairing.ends_on >= start)
        .group_by(GoldenPairing.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(agreements, ctx.org_ids, org=GoldenPairing.org_unit_id)):
        _add(out, (int(org), None), "golden_pairings", int(n))
    students = (
        select(PairingStudent.org_unit_id, func.count(distinct(PairingStudent.graduate_id)))
        .where(
            PairingStudent.joined_on <= ctx.as_of,
            or_(PairingStudent.left_on.is_(None), PairingStudent.left_on >= start),
        )
        .group_by(PairingStudent.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(students, ctx.org_ids, org=PairingStudent.org_unit_id)):
        _add(out, (int(org), None), "golden_students", int(n))
    aid = (
        select(PairingAid.org_unit_id, func.sum(type_coerce(PairingAid.amount, Numeric(14, 2))))
        .where(PairingAid.paid_on >= start, PairingAid.paid_on <= ctx.as_of, ctx.org_filter(PairingAid.org_unit_id))
        .group_by(PairingAid.org_unit_id)
    )
    for org, amount in ctx.session.execute(aid):
        _add(out, (int(org), None), "golden_aid", money(amount))
    interns = (
        select(PairingInternship.org_unit_id, func.count(distinct(PairingInternship.student_id)))
        .where(
            PairingInternship.starts_on >= start,
            PairingInternship.starts_on <= ctx.as_of,
            ctx.org_filter(PairingInternship.org_unit_id),
        )
        .group_by(PairingInternship.org_unit_id)
    )
    for org, n in ctx.session.execute(interns):
        _add(out, (int(org), None), "golden_interns", int(n))
    placed = (
        select(PairingStudent.org_unit_id, func.count(distinct(PairingStudent.graduate_id)))
        .where(
            PairingStudent.state == PairingState.PLACED.value,
            PairingStudent.placed_on >= start,
            PairingStudent.placed_on <= ctx.as_of,
        )
        .group_by(PairingStudent.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(placed, ctx.org_ids, org=PairingStudent.org_unit_id)):
        _add(out, (int(org), None), "golden_placed", int(n))
    return out


def two_after_tracks(ctx: Ctx) -> Values:
    """两后生 in training, at a 中职/技工 school or apprenticed during the period, and those certified in it."""
    start = date(ctx.year, 1, 1)
    out: Values = {}
    active = (
        select(VocationalTrack.org_unit_id, VocationalTrack.kind, func.count(distinct(VocationalTrack.graduate_id)))
        .where(
            VocationalTrack.starts_on <= ctx.as_of,
            or_(VocationalTrack.ends_on.is_(None), VocationalTrack.ends_on >= start),
        )
        .group_by(VocationalTrack.org_unit_id, VocationalTrack.kind)
    )
    for org, kind, n in ctx.session.execute(within_units(active, ctx.org_ids, org=VocationalTrack.org_unit_id)):
        column = TRACK_COLUMNS.get(str(kind))
        if column is not None:
            _add(out, (int(org), None), column, int(n))
    certified = (
        select(VocationalTrack.org_unit_id, func.count(distinct(VocationalTrack.graduate_id)))
        .where(
            VocationalTrack.status == "completed",
            VocationalTrack.certificate.is_not(None),
            VocationalTrack.ends_on >= start,
            VocationalTrack.ends_on <= ctx.as_of,
        )
        .group_by(VocationalTrack.org_unit_id)
    )
    for org, n in ctx.session.execute(within_units(certified, ctx.org_ids, org=VocationalTrack.org_unit_id)):
        _add(out, (int(org), None), "two_after_certified", int(n))
    return out
