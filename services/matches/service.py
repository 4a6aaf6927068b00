"""Matching as the service offers it: ranked positions for a graduate, ranked candidates for a position,
the stored top-k per graduate and learning the weights from outcomes. A recommendation made from a match is
written by :func:`services.tracking.flows.recommend`, through the one gate for applications.

The ranking itself is :mod:`matching` (pure); this module turns registry and catalog rows into its records,
decides who may see what, and keeps results. :func:`graduate_record` is the only way a graduate reaches the
ranker, and it reads a :class:`~services.registry.service.GraduateProfile`, which holds no ethnicity, sex,
political status, health or disability, marital status or household type — so none of them can move a ranking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, cast

import numpy as np
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from matching import learning
from matching.features import FEATURES
from matching.index import GraduateTable, Match, MatchIndex
from matching.records import KIND_NAMES, KINDS, Education, GraduateRecord, Kind, PositionRecord
from matching.rules import FLAG_NAMES, RuleCheck
from services.catalog import service as catalog
from services.catalog.models import Employer, EmployerStatus, Position, PositionStatus
from services.errors import Forbidden, NotFound, ValidationFailed
from services.matches import records as position_records
from services.matches.holder import SyncReport, active_weights, holder_for, reference_catalogs
from services.matches.models import MatchRecommendation, MatchResult, MatchSnapshot, MatchWeights
from services.orgs import service as orgs
from services.refdata.enums import Vocabularies, vocabularies
from services.registry import service as registry
from services.registry.majors import EDUCATION_LEVELS
from services.registry.models import Family, Graduate
from services.security.models import Role
from services.security.principal import Principal
from services.tracking import service as tracking
from services.tracking.models import Application

#: Most results one request may page through (offset + limit).
MAX_K: Final = 200
#: Positions stored per graduate for lists and reports.
STORED_K: Final = 20
#: Graduates per rematch task.
CHUNK_SIZE: Final = 200
#: Employment statuses of graduates who are not looking for a position (left out of candidate lists).
NOT_SEEKING: Final = frozenset({"further_study", "military", "not_seeking"})
#: Certificates a graduate can show by naming them among the skills. Political status is never read.
SKILL_FLAGS: Final[dict[str, str]] = {flag: name for flag, name in FLAG_NAMES.items() if flag != "party_member"}
HARDSHIP_WORDS: Final = ("困难", "帮扶")
UNION_SIDE: Final = frozenset({Role.COUNSELOR, Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})


# ------------------------------------------------------------------------------------------ records


def _division(code: str | None) -> str:
    text = (code or "").strip()
    return text if len(text) == 6 and text.isdigit() else ""


def graduate_record(
    profile: registry.GraduateProfile,
    *,
    fallback_place: str = "",
    hide_hardship: bool = False,
    open_to_matching: bool = True,
) -> GraduateRecord:
    """A registry profile as the ranker sees it.

    Education from the 学历 code; graduation year from the cohort (0 when unknown, which fails any graduation
    window rather than guessing); wanted kinds from the intentions (a student also takes work-study); places
    from the preferred places, else the 生源地, else ``fallback_place`` (the county of the graduate's union);
    expected pay from its lower bound; certificates from skills that name them. ``hide_hardship`` ranks as if
    the graduate were not from a hardship family (the enterprise view, which must not learn it from scores).
    """
    wanted: set[Kind] = {k for k in profile.intentions if k in KINDS}
    if wanted and profile.stage == "student":
        wanted.add("work_study")
    places = tuple(dict.fromkeys(p for p in (_division(c) for c in profile.preferred_places) if p))
    home = _division(profile.home_division_code)
    if not places and not home and _division(fallback_place):
        places = (fallback_place,)
    skills = [s.strip() for s in profile.skills if s and s.strip()]
    flags = frozenset(flag for flag, name in SKILL_FLAGS.items() if any(name in s for s in skills))
    pay = profile.expected_pay_min if profile.expected_pay_min is not None else profile.expected_pay_max
    monthly = int(pay) if pay is not None else 0
    return GraduateRecord(
        id=profile.id,
        education=EDUCATION_LEVELS.get(profile.education, Education.SECONDARY),
        graduation_year=profile.cohort or 0,
        major_code=profile.major_code or "",
        major_name=profile.major_name or profile.major_raw or "",
        birth_date=profile.birth_date,
        skills="、".join(skills),
        wanted_kinds=frozenset(wanted),
        preferred_places=places,
        home_division=home,
        expected_pay=monthly if monthly > 0 else None,
        hardship=profile.hardship_family and not hide_hardship,
        flags=flags,
        open_to_matching=open_to_matching,
    )


def load_profiles(
    session: Session,
    *,
    scope: frozenset[int] | None,
    ids: Sequence[int] | None = None,
    enterprise_visible_only: bool = False,
) -> list[registry.GraduateProfile]:
    """Every profile of the scope (or of ``ids``), read in keyset pages."""
    out: list[registry.GraduateProfile] = []
    after = 0
    while True:
        page = registry.graduate_profiles(
            session, scope=scope, ids=ids, enterprise_visible_only=enterprise_visible_only, after_id=after, limit=1000
        )
        out.extend(page)
        if len(page) < 1000:
            return out
        after = page[-1].id


def _county_divisions(session: Session, org_unit_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for org_id in set(org_unit_ids):
        out[org_id] = orgs.county_of(session, org_unit_id=org_id).division_code
    return out


def records_for(
    session: Session, profiles: Sequence[registry.GraduateProfile], *, hide_hardship: bool = False
) -> list[GraduateRecord]:
    divisions = _county_divisions(session, (p.org_unit_id for p in profiles))
    return [
        graduate_record(p, fallback_place=divisions.get(p.org_unit_id, ""), hide_hardship=hide_hardship)
        for p in profiles
    ]


def not_seeking_statuses(vocab: Vocabularies) -> frozenset[str]:
    """Employment statuses of graduates who are not looking: employed ones (by the vocabulary's flag) and
    further study, the army, not seeking."""
    voc = vocab["employment_status"]
    return NOT_SEEKING | {code for code in voc.names if voc.has_flag(code, "employed")}


# ------------------------------------------------------------------------------------------ matches


@dataclass(frozen=True, slots=True)
class PositionMatch:
    rank: int
    position_id: int
    title: str
    kind: str
    employer_name: str
    places: list[tuple[str, str]]
    remote: bool
    pay_min: int | None
    pay_max: int | None
    deadline: date | None
    hardship_priority: bool
    score: float
    features: dict[str, float]
    reasons: list[str]
    checks: list[RuleCheck]


@dataclass(frozen=True, slots=True)
class MatchPage:
    items: list[PositionMatch]
    limit: int
    offset: int
    has_more: bool
    catalog_version: int


def _check_page(limit: int, offset: int) -> int:
    if offset + limit > MAX_K:
        raise ValidationFailed(f"最多查看前 {MAX_K} 条匹配结果（offset + limit ≤ {MAX_K}）", field="offset")
    return offset + limit + 1


def _check_places(places: Sequence[str]) -> list[str]:
    out = []
    for code in places:
        if not _division(code):
            raise ValidationFailed(f"地点“{code[:12]}”应为6位行政区划代码，如 341622", field="place")
        out.append(code.strip())
    return out


def graduate_matches(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    kinds: Sequence[str] = (),
    places: Sequence[str] = (),
    limit: int = 20,
    offset: int = 0,
) -> MatchPage:
    """The open positions a graduate can take, best first, each with score, features, reasons and rule checks.

    The graduate sees their own; counselors and union staff those of their scope (with accepted handoffs).
    """
    tracking.readable_graduate(session, principal=principal, graduate_id=graduate_id)
    k = _check_page(limit, offset)
    areas = _check_places(places)
    profile = load_profiles(session, scope=None, ids=[graduate_id])[0]
    record = records_for(session, [profile])[0]
    today = catalog.local_today()
    holder = holder_for(session)
    with holder.use(session) as index:
        found = index.rank_positions(
            record,
            k,
            kinds=cast(list[Kind], list(kinds)) if kinds else None,
            places=areas or None,
            today=today,
        )
        records = {m.position_id: index.position(m.position_id) for m in found}
        version = holder.stamp.version if holder.stamp else 0
    page = found[offset : offset + limit]
    items = _position_items(session, page, records, start=offset)
    return MatchPage(items, limit, offset, len(found) > offset + limit, version)


def _position_items(
    session: Session, matches: Sequence[Match], records: dict[int, PositionRecord], *, start: int
) -> list[PositionMatch]:
    summaries = catalog.position_summaries(session, position_ids=[m.position_id for m in matches])
    gazetteer = reference_catalogs().gazetteer
    out = []
    for i, m in enumerate(matches):
        rec = records[m.position_id]
        summary = summaries.get(m.position_id)
        out.append(
            PositionMatch(
                rank=start + i + 1,
                position_id=m.position_id,
                title=rec.title,
                kind=rec.kind,
                employer_name=summary.employer_name if summary else "",
                places=[(code, gazetteer.full_name(code)) for code in rec.places],
                remote=rec.remote,
                pay_min=rec.pay_min,
                pay_max=rec.pay_max,
                deadline=rec.deadline,
                hardship_priority=rec.hardship_priority,
                score=round(m.score, 6),
                features={name: round(v, 6) for name, v in m.features.items()},
                reasons=list(m.reasons),
                checks=list(m.checks),
            )
        )
    return out


# --------------------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class Candidate:
    rank: int
    graduate_id: int
    name: str
    org_unit_id: int
    school_name: str
    major: str
    cohort: int | None
    education: str
    education_name: str
    skills: list[str]
    employment_status: str
    hardship_family: bool
    score: float
    features: dict[str, float]
    reasons: list[str]
    checks: list[RuleCheck]


@dataclass(frozen=True, slots=True)
class CandidatePage:
    items: list[Candidate]
    limit: int
    offset: int
    has_more: bool
    catalog_version: int
    enterprise_view: bool
    position_open: bool


def _candidate_position(session: Session, principal: Principal, position_id: int) -> Position:
    if principal.role == Role.ENTERPRISE:
        position = session.get(Position, position_id)
        if position is None or not catalog.manages_position(session, principal=principal, position=position):
            raise NotFound(f"岗位 {position_id} 不存在")
        return position
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有就业指导员、工会和发布岗位的企业可以查看岗位的匹配人选")
    return catalog.get_position(session, position_id=position_id, principal=principal)


@dataclass(frozen=True, slots=True)
class CandidatePool:
    """The graduates a principal may rank for positions, encoded against the current index."""

    profiles: dict[int, registry.GraduateProfile]
    table: GraduateTable | None


def _pool_scope(session: Session, principal: Principal) -> tracking.GraduateScope | None:
    """None for an enterprise (every opted-in graduate); the principal's graduate scope otherwise."""
    if principal.role == Role.ENTERPRISE:
        return None
    return tracking.visible_graduate_scope(session, principal=principal)


def _pool_fingerprint(session: Session, scope: tracking.GraduateScope | None) -> Hashable:
    """Changes whenever a graduate of the pool (or any family's hardship status) changes."""
    graduates = select(func.count(), func.max(Graduate.updated_at))
    if scope is not None and scope.org_unit_ids is not None:
        graduates = graduates.where(
            or_(Graduate.org_unit_id.in_(sorted(scope.org_unit_ids)), Graduate.id.in_(sorted(scope.handed_in)))
        )
    families = select(func.count(), func.max(Family.updated_at))
    return (tuple(session.execute(graduates).one()), tuple(session.execute(families).one()))


def _build_pool(
    session: Session, index: MatchIndex, scope: tracking.GraduateScope | None, closed: frozenset[str]
) -> CandidatePool:
    if scope is None:
        profiles = load_profiles(session, scope=None, enterprise_visible_only=True)
    else:
        profiles = load_profiles(session, scope=scope.org_unit_ids)
        known = {p.id for p in profiles}
        extra = sorted(scope.handed_in - known)
        if extra:
            profiles += load_profiles(session, scope=None, ids=extra)
    profiles = [p for p in profiles if p.employment_status not in closed]
    records = records_for(session, profiles, hide_hardship=scope is None)
    table = index.graduate_table(records) if records else None
    return CandidatePool({p.id: p for p in profiles}, table)


def _no_hardship(reasons: Iterable[str]) -> list[str]:
    return [r for r in reasons if not any(word in r for word in HARDSHIP_WORDS)]


def position_candidates(
    session: Session, *, principal: Principal, position_id: int, limit: int = 20, offset: int = 0
) -> CandidatePage:
    """Graduates ranked for one position. Counselors and union staff rank the graduates of their scope; the
    enterprise owning the position only graduates who opted in, ranked and explained without hardship data."""
    position = _candidate_position(session, principal, position_id)
    k = _check_page(limit, offset)
    enterprise = principal.role == Role.ENTERPRISE
    scope = _pool_scope(session, principal)
    key = ("enterprise",) if scope is None else ("union", scope.org_unit_ids, scope.handed_in)
    fingerprint = _pool_fingerprint(session, scope)
    vocab = vocabularies(session)
    closed = not_seeking_statuses(vocab)
    today = catalog.local_today()
    holder = holder_for(session)
    with holder.use(session) as index:
        current = holder.ensure_current(index, session, position.id)
        is_open = current is not None and current.status == "open" and current.employer_verified
        pool = holder.cached(key, (fingerprint, closed), lambda: _build_pool(session, index, scope, closed))
        found: list[Match] = []
        if is_open and pool.table is not None:
            found = index.rank_graduates(position.id, pool.table, k, today=today, explain=True)
        version = holder.stamp.version if holder.stamp else 0
    by_id = pool.profiles
    page = found[offset : offset + limit]
    names = dict(
        session.execute(select(Graduate.id, Graduate.name).where(Graduate.id.in_([m.graduate_id for m in page]))).all()
    )
    education = vocab["education"]
    items = []
    for i, m in enumerate(page):
        p = by_id[m.graduate_id]
        items.append(
            Candidate(
                rank=offset + i + 1,
                graduate_id=p.id,
                name=str(names.get(p.id, "")),
                org_unit_id=p.org_unit_id,
                school_name=p.school_name,
                major=p.major_name or p.major_raw or "",
                cohort=p.cohort,
                education=p.education,
                education_name=education.name(p.education) or p.education,
                skills=list(p.skills),
                employment_status=p.employment_status,
                hardship_family=p.hardship_family and not enterprise,
                score=round(m.score, 6),
                features={} if enterprise else {name: round(v, 6) for name, v in m.features.items()},
                reasons=_no_hardship(m.reasons) if enterprise else list(m.reasons),
                checks=[] if enterprise else list(m.checks),
            )
        )
    return CandidatePage(items, limit, offset, len(found) > offset + limit, version, enterprise, is_open)


# ------------------------------------------------------------------------------------- stored top-k


@dataclass(slots=True)
class RematchSummary:
    graduates: int = 0
    computed: int = 0
    skipped: int = 0
    results: int = 0
    catalog_version: int = 0
    index: SyncReport = field(default_factory=SyncReport)

    def as_dict(self) -> dict[str, int]:
        return {
            "graduates": self.graduates,
            "computed": self.computed,
            "skipped": self.skipped,
            "results": self.results,
            "catalog_version": self.catalog_version,
        }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def rematch_graduates(
    session: Session, *, graduate_ids: Sequence[int], force: bool = False, k: int = STORED_K
) -> RematchSummary:
    """Recompute and store the top-k of these graduates (ids that no longer exist are ignored).

    Idempotent: a graduate whose stored list was computed today, for the current catalog version and weights,
    after the profile last changed, is skipped unless ``force``; otherwise the stored rows are replaced.
    """
    ids = sorted(set(graduate_ids))
    summary = RematchSummary()
    if not ids:
        return summary
    _lock_graduates(session, ids)
    profiles = load_profiles(session, scope=None, ids=ids)
    records = {r.id: r for r in records_for(session, profiles)}
    existing = session.scalars(select(MatchSnapshot).where(MatchSnapshot.graduate_id.in_(ids)))
    snapshots = {s.graduate_id: s for s in existing}
    today = catalog.local_today()
    holder = holder_for(session)
    with holder.use(session) as index:
        summary.index = holder.last_sync
        version = holder.stamp.version if holder.stamp else 0
        weights_id = holder.weights_id
        summary.catalog_version = version
        now = datetime.now(UTC)
        done: list[tuple[registry.GraduateProfile, list[Match]]] = []
        for profile in profiles:
            summary.graduates += 1
            snap = snapshots.get(profile.id)
            if (
                not force
                and snap is not None
                and snap.catalog_version == version
                and snap.weights_id == weights_id
                and snap.computed_on == today
                and _aware(snap.computed_at) >= _aware(profile.updated_at)
            ):
                summary.skipped += 1
                continue
            done.append((profile, index.rank_positions(records[profile.id], k, today=today)))
    _store(session, done, snapshots, version=version, weights_id=weights_id, today=today, now=now)
    summary.computed = len(done)
    summary.results = sum(len(found) for _, found in done)
    return summary


#: Namespace of the PostgreSQL advisory locks taken per graduate while a stored list is replaced.
LOCK_NAMESPACE: Final = 0x6D61  # "ma"


def _lock_graduates(session: Session, ids: Sequence[int]) -> None:
    """On PostgreSQL, hold a transaction-scoped advisory lock per graduate (in id order, so two chunks never
    deadlock): a chunk delivered twice to two workers runs one after the other, and the second finds the work
    done. SQLite has a single writer already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for graduate_id in ids:
        session.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, graduate_id)))


def _store(
    session: Session,
    done: Sequence[tuple[registry.GraduateProfile, Sequence[Match]]],
    snapshots: dict[int, MatchSnapshot],
    *,
    version: int,
    weights_id: int | None,
    today: date,
    now: datetime,
) -> None:
    """Replace the stored rows of the computed graduates in one delete and one bulk insert."""
    if not done:
        return
    session.execute(delete(MatchResult).where(MatchResult.graduate_id.in_([p.id for p, _ in done])))
    rows = [
        {
            "graduate_id": profile.id,
            "position_id": m.position_id,
            "org_unit_id": profile.org_unit_id,
            "rank": i + 1,
            "score": float(m.score),
            "features": {name: float(v) for name, v in m.features.items()},
            "reasons": list(m.reasons),
            "catalog_version": version,
            "computed_at": now,
        }
        for profile, found in done
        for i, m in enumerate(found)
    ]
    if rows:
        session.execute(insert(MatchResult), rows)
    for profile, found in done:
        snap = snapshots.get(profile.id)
        if snap is None:
            snap = MatchSnapshot(graduate_id=profile.id)
            session.add(snap)
        snap.org_unit_id = profile.org_unit_id
        snap.catalog_version = version
        snap.weights_id = weights_id
        snap.computed_on = today
        snap.computed_at = now
        snap.result_count = len(found)
    session.flush()


def graduate_id_chunks(
    session: Session, *, size: int = CHUNK_SIZE, ids: Iterable[int] | None = None
) -> list[list[int]]:
    """Graduate ids (all, or ``ids``) in ascending order, cut into chunks of ``size``."""
    if size < 1:
        raise ValidationFailed("每批人数应为正数", field="size")
    chosen = sorted(set(ids)) if ids is not None else list(session.scalars(select(Graduate.id).order_by(Graduate.id)))
    return [chosen[i : i + size] for i in range(0, len(chosen), size)]


def prune_unshowable(session: Session, *, today: date | None = None) -> int:
    """Delete stored results whose position is no longer open (closed, filled, past its deadline, employer no
    longer verified), so lists and reports never show them while the rematch runs. Returns rows deleted."""
    day = today or catalog.local_today()
    showable = (
        select(Position.id)
        .outerjoin(Employer, Employer.id == Position.employer_id)
        .where(
            Position.status == PositionStatus.OPEN,
            or_(Position.employer_id.is_(None), Employer.status == EmployerStatus.VERIFIED),
            or_(Position.deadline.is_(None), Position.deadline >= day),
        )
    )
    result = session.execute(delete(MatchResult).where(MatchResult.position_id.not_in(showable)))
    return int(getattr(result, "rowcount", 0) or 0)


def stale_graduate_ids(session: Session) -> list[int]:
    """Graduates whose stored list predates the current catalog version or weights (or who have none)."""
    version = catalog.current_version(session)
    weights_id = active_weights(session).id
    stale = or_(
        MatchSnapshot.graduate_id.is_(None),
        MatchSnapshot.catalog_version < version,
        MatchSnapshot.weights_id.is_distinct_from(weights_id),
    )
    stmt = (
        select(Graduate.id)
        .outerjoin(MatchSnapshot, MatchSnapshot.graduate_id == Graduate.id)
        .where(stale)
        .order_by(Graduate.id)
    )
    return list(session.scalars(stmt))


def refresh_after_catalog_change(session: Session, *, size: int = CHUNK_SIZE) -> list[list[int]]:
    """Prune stored results of positions no longer open and return the stale graduates in chunks to rematch."""
    prune_unshowable(session)
    holder = holder_for(session)
    holder.refresh(session)
    return graduate_id_chunks(session, size=size, ids=stale_graduate_ids(session))


@dataclass(frozen=True, slots=True)
class StoredMatch:
    rank: int
    position_id: int
    score: float
    reasons: list[str]
    catalog_version: int
    computed_at: datetime


def stored_matches(session: Session, *, graduate_ids: Sequence[int]) -> dict[int, list[StoredMatch]]:
    """The stored top-k of graduates (for lists and reports), best first."""
    out: dict[int, list[StoredMatch]] = {gid: [] for gid in graduate_ids}
    if not graduate_ids:
        return out
    rows = session.scalars(
        select(MatchResult)
        .where(MatchResult.graduate_id.in_(list(graduate_ids)))
        .order_by(MatchResult.graduate_id, MatchResult.rank)
    )
    for r in rows:
        out[r.graduate_id].append(
            StoredMatch(r.rank, r.position_id, r.score, list(r.reasons), r.catalog_version, _aware(r.computed_at))
        )
    return out


# ------------------------------------------------------------------------------------------ learning


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recommended pair: its features when recommended and where the application stands now."""

    graduate_id: int
    position_id: int
    features: dict[str, float]
    state: str


def recommended_outcomes(session: Session) -> list[Outcome]:
    """Every recommendation with its tracked outcome. Pairs recommended outside this module (no stored
    features) are scored now against their position as it stands in the catalog."""
    rows = session.execute(
        select(Application.graduate_id, Application.position_id, Application.state, MatchRecommendation.features)
        .outerjoin(MatchRecommendation, MatchRecommendation.application_id == Application.id)
        .where(Application.recommended_by_id.is_not(None))
        .order_by(Application.id)
    ).all()
    out: list[Outcome] = []
    missing: list[tuple[int, int, str]] = []
    for graduate_id, position_id, state, features in rows:
        if features:
            out.append(Outcome(graduate_id, position_id, {k: float(v) for k, v in features.items()}, state))
        else:
            missing.append((graduate_id, position_id, state))
    if missing:
        out.extend(_score_now(session, missing))
    return out


def _score_now(session: Session, pairs: Sequence[tuple[int, int, str]]) -> list[Outcome]:
    positions: dict[int, PositionRecord] = {}
    for _, position_id, _ in pairs:
        if position_id not in positions:
            positions[position_id] = position_records.position_record(session, position_id=position_id)
    profiles = load_profiles(session, scope=None, ids=sorted({g for g, _, _ in pairs}))
    records = {r.id: r for r in records_for(session, profiles)}
    index = MatchIndex(positions.values(), reference_catalogs())
    today = catalog.local_today()
    out = []
    for graduate_id, position_id, state in pairs:
        if graduate_id in records:
            match = index.explain(position_id, records[graduate_id], today=today)
            out.append(Outcome(graduate_id, position_id, dict(match.features), state))
    return out


@dataclass(frozen=True, slots=True)
class LearnResult:
    weights_id: int | None
    adopted: bool
    reason: str
    figures: dict[str, Any]


def _holdout(graduate_id: int, fraction: float) -> bool:
    digest = hashlib.sha256(f"holdout:{graduate_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def learn_weights(
    session: Session,
    *,
    holdout_fraction: float = 0.25,
    min_gain: float = 0.005,
    decided_by_id: int | None = None,
    outcomes: Sequence[Outcome] | None = None,
) -> LearnResult:
    """Fit the weights on recommended pairs and their outcomes, evaluate them against the current ones on
    held-out graduates (NDCG@10), store the decision with its figures, and adopt them when they win.

    One graduate's recommendations form a group; a stable hash of the graduate id puts about
    ``holdout_fraction`` of the graduates in the held-out set. Nothing is stored when there is nothing to learn.
    """
    data = list(outcomes) if outcomes is not None else recommended_outcomes(session)
    current = active_weights(session)
    train = [o for o in data if not _holdout(o.graduate_id, holdout_fraction)]
    held = [o for o in data if _holdout(o.graduate_id, holdout_fraction)]
    figures: dict[str, Any] = {
        "pairs": len(data),
        "train_pairs": len(train),
        "holdout_pairs": len(held),
        "graduates": len({o.graduate_id for o in data}),
        "holdout_fraction": holdout_fraction,
        "min_gain": min_gain,
    }
    if not train or not held:
        return LearnResult(None, False, "推荐记录不足：训练集或留出集为空，权重保持不变", figures)

    def arrays(items: Sequence[Outcome]) -> tuple[np.ndarray[Any, Any], list[str], np.ndarray[Any, Any]]:
        x = np.array([[o.features.get(name, 0.0) for name in FEATURES] for o in items], dtype=np.float64)
        return x, [o.state for o in items], np.array([o.graduate_id for o in items], dtype=np.int64)

    x_train, y_train, g_train = arrays(train)
    x_held, y_held, g_held = arrays(held)
    try:
        learner = learning.WeightLearner().fit(x_train, y_train, g_train)
    except ValueError:
        reason = "推荐结果中没有可比较的结局（同一毕业生的推荐结局都相同），权重保持不变"
        return LearnResult(None, False, reason, figures)
    decision = learning.decide(
        current.weights, learner.weights_, learning.groups_from_arrays(x_held, y_held, g_held), min_gain=min_gain
    )
    figures.update(decision.as_dict())
    figures["n_pairs_compared"] = learner.n_pairs_
    before, after = decision.current["ndcg@10"], decision.learned["ndcg@10"]
    note = (
        f"{'采用新权重' if decision.replace else '保持现行权重'}：留出集 NDCG@10 {before:.4f} → {after:.4f}"
        f"（变化 {after - before:+.4f}，采用须至少提高 {min_gain:.4f}）"
    )
    row = MatchWeights(
        weights=learner.weights_.as_dict(),
        figures=figures,
        decision="adopted" if decision.replace else "rejected",
        note=note,
        active=decision.replace,
        decided_by_id=decided_by_id,
    )
    if decision.replace:
        session.execute(update(MatchWeights).where(MatchWeights.active.is_(True)).values(active=False))
    session.add(row)
    session.flush()
    return LearnResult(row.id, decision.replace, note, figures)


def weights_history(session: Session, *, limit: int = 20) -> list[MatchWeights]:
    return list(session.scalars(select(MatchWeights).order_by(MatchWeights.id.desc()).limit(limit)))


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)
