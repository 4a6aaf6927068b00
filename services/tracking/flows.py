"""Work that crosses domains, kept beside tracking's service so that imports go one way: tracking calls the matcher
and the catalog, never the reverse.

- :func:`admit` is the one gate every application and recommendation passes: the matcher's hard rules (the rules the
  match lists apply — education, major, age, graduation year, hukou, certificates, program rules, deadline, places
  left) plus "a position is open only when its employer is verified". A refusal is a 409 naming the failed rules,
  worded the same on every path.
- :func:`recommend` (a counselor turns a match into a recommendation), :func:`recommend_for` (a counselor creates an
  application on a graduate's behalf), :func:`apply` (the graduate applies) and :func:`move` (a move into 已投递,
  including one a counselor records from offline) each call it before tracking writes anything.
- Signing takes its seat through :func:`services.catalog.api.record_signing` (see
  :mod:`services.tracking.applications`), and the employment status it causes is written through
  :func:`services.registry.api.record_employment_status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from matching.records import GraduateRecord, PositionRecord
from matching.rules import RuleCheck, explain_rules
from services.clock import local_today
from services.errors import Conflict, FieldError, Forbidden, NotFound
from services.matches import api as matches
from services.registry.api import Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.tracking import service as tracking
from services.tracking.models import Application
from services.tracking.pipeline import AppState

#: Rules that state the graduate's own wishes (taking part in matching, the kinds of post wanted). They bind a
#: counselor choosing for the graduate, not the graduate choosing for themselves.
OWN_WISHES: Final = frozenset({"graduate", "kind"})
REFUSAL: Final = "该岗位不符合此毕业生的硬性条件："


@dataclass(frozen=True, slots=True)
class Admission:
    """A pair the gate let through: the records it judged and every rule it checked (all passed)."""

    graduate: GraduateRecord
    position: PositionRecord
    checks: list[RuleCheck]


def refusal(failed: list[RuleCheck]) -> Conflict:
    """The 409 for a pair that fails hard rules: the rules in the detail, one error per rule with its code."""
    return Conflict(
        REFUSAL + "；".join(c.text for c in failed),
        errors=[FieldError(field="position_id", reason=c.text, code=c.code) for c in failed],
    )


def admit(session: Session, *, graduate: Graduate, position_id: int, by_graduate: bool = False) -> Admission:
    """The one gate for a new application or recommendation of ``graduate`` to the position.

    404 when the position does not exist or is a draft; 409 naming every failed rule otherwise. The rules are the
    matcher's own (:func:`matching.rules.explain_rules` over the records the match lists read); with
    ``by_graduate`` the graduate's own wishes (:data:`OWN_WISHES`) do not bind them.
    """
    try:
        position = matches.position_record(session, position_id=position_id)
    except NotFound:
        raise NotFound(f"编号为 {position_id} 的岗位不存在") from None
    if position.status == "draft":
        raise NotFound(f"编号为 {position_id} 的岗位不存在")
    profile = matches.load_profiles(session, scope=None, ids=[graduate.id])[0]
    record = matches.records_for(session, [profile])[0]
    cats = matches.reference_catalogs()
    checks = explain_rules(position, record, today=local_today(), majors=cats.majors, gazetteer=cats.gazetteer)
    if by_graduate:
        checks = [c for c in checks if c.code not in OWN_WISHES]
    failed = [c for c in checks if not c.passed]
    if failed:
        raise refusal(failed)
    return Admission(graduate=record, position=position, checks=checks)


# ---- the paths that create an application ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recommendation:
    application_id: int
    graduate_id: int
    position_id: int
    state: str
    score: float
    reasons: list[str]
    checks: list[RuleCheck]
    catalog_version: int
    recommended_at: datetime


def recommend(
    session: Session, *, principal: Principal, graduate_id: int, position_id: int, note: str | None = None
) -> Recommendation:
    """A counselor turns a match into a recommendation: refused by the gate when the position fails a hard rule for
    the graduate; otherwise the application starts as ``recommended``, a 岗位推荐 service is logged (tracking), and
    the match's score and features are kept for learning."""
    if principal.role not in tracking.UNION_SIDE:
        raise Forbidden("只有就业指导员和工会可以推荐岗位")
    graduate = tracking.servable_graduate(session, principal=principal, graduate_id=graduate_id)
    admission = admit(session, graduate=graduate, position_id=position_id)
    holder = matches.holder_for(session)
    with holder.use(session) as index:
        holder.ensure_current(index, session, position_id)
        match = index.explain(position_id, admission.graduate, today=local_today())
        version = holder.stamp.version if holder.stamp else 0
    app = tracking.recommend(session, principal=principal, graduate_id=graduate.id, position_id=position_id, note=note)
    row = matches.keep_recommendation(
        session,
        application_id=app.id,
        graduate_id=graduate.id,
        position_id=position_id,
        org_unit_id=graduate.org_unit_id,
        score=float(match.score),
        features={name: float(v) for name, v in match.features.items()},
        reasons=list(match.reasons),
        catalog_version=version,
        recommended_by_id=principal.user_id,
    )
    return Recommendation(
        application_id=app.id,
        graduate_id=graduate.id,
        position_id=position_id,
        state=app.state,
        score=round(match.score, 6),
        reasons=list(match.reasons),
        checks=admission.checks,
        catalog_version=version,
        recommended_at=row.created_at,
    )


def recommend_for(
    session: Session, *, principal: Principal, graduate_id: int, position_id: int, note: str | None = None
) -> Application:
    """A counselor creates an application on a graduate's behalf (``POST /tracking/applications`` with a graduate):
    the same gate and the same recommendation as :func:`recommend`."""
    done = recommend(session, principal=principal, graduate_id=graduate_id, position_id=position_id, note=note)
    return tracking.get_application(session, principal=principal, application_id=done.application_id)


def apply(session: Session, *, principal: Principal, position_id: int, note: str | None = None) -> Application:
    """The graduate applies to a position, directly or after a recommendation, once the gate lets the pair in."""
    if principal.role != Role.GRADUATE:
        raise Forbidden("只有毕业生本人可以投递；指导员请先推荐，再登记线下投递")
    graduate = tracking.own_graduate(session, principal=principal)
    admit(session, graduate=graduate, position_id=position_id, by_graduate=True)
    return tracking.apply(session, principal=principal, position_id=position_id, note=note)


def move(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    to_state: str,
    reason: str | None = None,
    note: str | None = None,
) -> Application:
    """Move an application along the pipeline; a move into 已投递 (the graduate's, or one a counselor records from
    offline) passes the gate first."""
    if to_state == AppState.APPLIED:
        app = tracking.get_application(session, principal=principal, application_id=application_id)
        graduate = session.get(Graduate, app.graduate_id)
        if graduate is None:  # pragma: no cover - foreign key
            raise NotFound(f"编号为 {application_id} 的求职记录不存在")
        admit(session, graduate=graduate, position_id=app.position_id, by_graduate=principal.role == Role.GRADUATE)
    return tracking.move(
        session, principal=principal, application_id=application_id, to_state=to_state, reason=reason, note=note
    )
