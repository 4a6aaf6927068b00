"""The stored top-k per graduate: recomputed in chunks (idempotent, locked per graduate), pruned when
positions stop being showable, and read back for lists and reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from matching.index import Match
from services.catalog import api as catalog
from services.catalog.api import Employer, EmployerStatus, Position, PositionStatus
from services.errors import ValidationFailed
from services.matches.holder import SyncReport, active_weights, holder_for
from services.matches.models import MatchResult, MatchSnapshot
from services.matches.service import load_profiles, records_for
from services.registry import api as registry
from services.registry.api import Graduate

#: Positions stored per graduate for lists and reports.
STORED_K: Final = 20
#: Graduates per rematch task.
CHUNK_SIZE: Final = 200


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
