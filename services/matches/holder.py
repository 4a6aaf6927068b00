"""The match index of this process: built from the catalog in one pass, kept in step with the catalog version.

Each API process (and each Celery worker process) holds one :class:`MatchIndex` per database. Before every use
the holder reads the catalog stamp — the version counter and the time of its last bump — and the id of the active
weights (one statement, before it takes the lock: no ranking waits on that round trip). When the stamp moved
forward it re-reads only the positions changed since the bump it last saw (position rows, their employer's
verification, their program rule set; with a safety margin for transactions that committed late; rows whose
change times did not move are skipped) and adds, updates or closes them in the index. A stamp that went backwards
or changed without its version moving (another history: a restored database), too many changes at once, a count
of open positions that disagrees with the index after a sync (a deleted row), or the first use rebuild the index
from the catalog. A closed, filled or withdrawn position is therefore never ranked once its change is committed —
except while a rebuild runs: the new index is built beside the current one, which the other requests keep using
until the new one replaces it in one step (an application or recommendation still passes the gate that reads the
position afresh).

The reference catalogs (majors, occupations, orientations, divisions) are loaded once per process.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from matching.catalogs import Catalogs
from matching.features import Weights
from matching.index import MatchIndex
from matching.records import PositionRecord
from services import heap
from services.catalog.api import CatalogVersion, Employer, EmployerStatus, Position, PositionStatus, ProgramRuleSet
from services.errors import NotFound
from services.matches import records as position_records
from services.matches.models import MatchWeights
from services.refdata import api as refdata

log = logging.getLogger(__name__)

#: Changes are looked for from this long before the last bump seen (transactions that committed late).
SYNC_MARGIN = timedelta(minutes=10)
#: More changed positions than this (or than the index holds) rebuild the index instead.
INCREMENTAL_LIMIT = 2000
#: Derived tables (graduates encoded against the index) kept per process.
TABLE_CACHE = 16

T = TypeVar("T")
Fingerprint = tuple[datetime | None, datetime | None, datetime | None]


def reference_catalogs() -> Catalogs:
    """The reference catalogs of the directory the refdata loader reads, once per process (shared with the
    catalog's occupation suggestions)."""
    return refdata.reference_catalogs()


@dataclass(frozen=True, slots=True)
class Stamp:
    """The catalog version and the time of its last bump (None before the first change)."""

    version: int
    changed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ActiveWeights:
    id: int | None
    weights: Weights


def active_weights(session: Session) -> ActiveWeights:
    """The adopted weights (the library defaults until a learned set is adopted)."""
    stmt = select(MatchWeights.id, MatchWeights.weights).where(MatchWeights.active.is_(True))
    row = session.execute(stmt.order_by(MatchWeights.id.desc())).first()
    if row is None:
        return ActiveWeights(None, Weights())
    return ActiveWeights(int(row[0]), Weights.from_mapping(row[1]))


State = tuple[Stamp, int | None]


@lru_cache(maxsize=1)
def state_columns() -> tuple[ColumnElement[Any], ...]:
    """The catalog version, the time of its last bump and the id of the active weights as three scalar
    columns, to be read in any statement (``state_of`` turns them into the state); the same tuple each time."""
    version = select(CatalogVersion.version).where(CatalogVersion.id == 1).scalar_subquery()
    changed = select(CatalogVersion.changed_at).where(CatalogVersion.id == 1).scalar_subquery()
    active = select(MatchWeights.id).where(MatchWeights.active.is_(True)).order_by(MatchWeights.id.desc()).limit(1)
    return (
        version.label("catalog_version"),
        changed.label("catalog_changed_at"),
        active.scalar_subquery().label("active_weights_id"),
    )


def state_of(values: Sequence[Any]) -> State:
    """The state from the values of :func:`state_columns`, in their order."""
    version, changed, weights_id = values
    stamp = Stamp(0, None) if version is None else Stamp(int(version), changed)
    return stamp, None if weights_id is None else int(weights_id)


def read_state(session: Session) -> State:
    """The catalog stamp and the id of the active weights, in one statement."""
    return state_of(session.execute(select(*state_columns())).one())


def _aware(value: datetime) -> datetime:
    """UTC-aware (SQLite gives the stored UTC time back without its zone)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(slots=True)
class SyncReport:
    """What the last refresh did (for logs, metrics and tests)."""

    rebuilt: bool = False
    added: int = 0
    updated: int = 0
    closed: int = 0


@dataclass(frozen=True, slots=True)
class _Built:
    """A new index and the catalog state it was built from, ready to replace the current one."""

    index: MatchIndex
    stamp: Stamp
    weights_id: int | None
    seen: dict[int, Fingerprint]
    open_ids: set[int]


class IndexHolder:
    """One database's index in this process, refreshed on use (see the module docstring).

    Users of the index take ``_lock`` while they rank (the incremental sync changes the index in place, so it
    runs under the same lock). A rebuild reads the catalog and builds the new index outside that lock, one at
    a time (``_build_lock``): meanwhile everyone else keeps ranking with the index that was current, and the
    new one replaces it in one step. Only the very first use of a process waits for a build.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._build_lock = threading.Lock()
        self._building = False
        self._index: MatchIndex | None = None
        self._stamp: Stamp | None = None
        self._weights_id: int | None = None
        self._changes_since_build = 0
        self._open_ids: set[int] = set()
        self._seen: dict[int, Fingerprint] = {}
        self._tables: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self.last_sync = SyncReport()

    @property
    def stamp(self) -> Stamp | None:
        return self._stamp

    @property
    def weights_id(self) -> int | None:
        return self._weights_id

    @property
    def building(self) -> bool:
        """Whether a new index is being built right now."""
        return self._building

    @contextmanager
    def use(self, session: Session, *, state: State | None = None) -> Iterator[MatchIndex]:
        """The index, in step with the catalog as ``session`` sees it (or, while a rebuild runs in another
        thread, the index that was current), held exclusively while in use. ``state``: the state this session
        has just read along with something else (:func:`state_columns`), which saves reading it again."""
        index = self._acquire(session, state)
        try:
            yield index
        finally:
            self._lock.release()

    def refresh(self, session: Session) -> SyncReport:
        with self.use(session):
            return self.last_sync

    def _acquire(self, session: Session, known: State | None = None) -> MatchIndex:
        """The index to use, returned with ``_lock`` held by the caller's thread."""
        while True:
            # the round trip runs before the lock: rankers do not wait on it
            state = known if known is not None else read_state(session)
            known = None
            self._lock.acquire()
            try:
                index = self._current(state)
                if index is None:  # read again under the lock: another thread may have synced past ``state``
                    index = self._refresh(session)
                if index is None and self._building and self._index is not None:
                    index = self._index  # another thread builds the new one: keep ranking with this one
            except BaseException:
                self._lock.release()
                raise
            if index is not None:
                return index
            self._lock.release()
            with self._build_lock:
                with self._lock:
                    if self._refresh(session) is not None:
                        continue  # built by another thread while this one waited
                    self._building = True
                try:
                    built = self._build(session)
                except BaseException:
                    with self._lock:
                        self._building = False
                    raise
                self._lock.acquire()
                self._install(built)
                heap.resettle()  # the new index lives until the next rebuild: out of the collector's way
            return built.index

    def _current(self, state: State) -> MatchIndex | None:
        """The current index when it is in step with ``state`` (read before ``_lock`` was taken), else None."""
        stamp, weights_id = state
        if self._index is None or self._stamp != stamp or self._weights_id != weights_id:
            return None
        self.last_sync = SyncReport()
        return self._index

    def _refresh(self, session: Session) -> MatchIndex | None:
        """The current index brought in step with the catalog; None when it must be rebuilt."""
        stamp, weights_id = read_state(session)
        index, seen = self._index, self._stamp
        if index is None or seen is None or not _follows(seen, stamp):
            return None
        if weights_id != self._weights_id:
            active = active_weights(session)
            index.weights = active.weights
            self._weights_id = active.id
        if stamp != seen:
            report = self._sync(session, index, seen)
            if report is None or count_showable(session) != len(self._open_ids):
                return None
            self.last_sync = report
            self._stamp = stamp
        else:
            self.last_sync = SyncReport()
        return index

    def cached(self, key: Hashable, fingerprint: Hashable, build: Callable[[], T]) -> T:
        """A value derived from the current index (a table of graduates, say), kept while ``fingerprint``
        holds and the index is not rebuilt. Call inside :meth:`use`."""
        hit = self._tables.get(key)
        if hit is not None and hit[0] == fingerprint:
            self._tables.move_to_end(key)
            return cast(T, hit[1])
        value = build()
        self._tables[key] = (fingerprint, value)
        self._tables.move_to_end(key)
        while len(self._tables) > TABLE_CACHE:
            self._tables.popitem(last=False)
        return value

    def _build(self, session: Session) -> _Built:
        """A new index from the catalog (without ``_lock``: the current index stays in use meanwhile)."""
        stamp, _ = read_state(session)
        weights = active_weights(session)
        # fingerprints first: a change committed between the two reads is then seen as changed next time
        seen = fingerprints(session, since=None)
        records = position_records.open_positions_for_matching(session)
        index = MatchIndex(records, reference_catalogs(), weights=weights.weights)
        log.info("match index built: %d open positions, catalog version %d", len(records), stamp.version)
        return _Built(index, stamp, weights.id, seen, {r.id for r in records})

    def _install(self, built: _Built) -> None:
        """Make ``built`` the current index (under ``_lock``)."""
        self._index = built.index
        self._stamp = built.stamp
        self._weights_id = built.weights_id
        self._seen = built.seen
        self._open_ids = built.open_ids
        self._changes_since_build = 0
        self._tables.clear()
        self._building = False
        self.last_sync = SyncReport(rebuilt=True, added=len(built.open_ids))

    def _sync(self, session: Session, index: MatchIndex, seen: Stamp) -> SyncReport | None:
        """Apply the positions changed since ``seen``; None when a rebuild is the better way."""
        since = _aware(seen.changed_at) - SYNC_MARGIN if seen.changed_at is not None else None
        found = fingerprints(session, since=since)
        changed = {pid: fp for pid, fp in found.items() if self._seen.get(pid) != fp}
        if len(changed) > INCREMENTAL_LIMIT or self._changes_since_build + len(changed) > max(len(index), 256):
            return None
        report = SyncReport()
        for position_id in sorted(changed):
            self._apply(index, position_id, _fresh_record(session, position_id), report)
            self._seen[position_id] = changed[position_id]
        self._changes_since_build += report.added + report.updated + report.closed
        return report

    def ensure_current(self, index: MatchIndex, session: Session, position_id: int) -> PositionRecord | None:
        """Bring one position of the index in line with the database (whatever the version says) and return
        its current record, None when it does not exist. Call inside :meth:`use`."""
        record = _fresh_record(session, position_id)
        self._apply(index, position_id, record, SyncReport())
        return record

    def _apply(self, index: MatchIndex, position_id: int, record: PositionRecord | None, report: SyncReport) -> None:
        apply_record(index, position_id, record, report)
        if showable(record):
            self._open_ids.add(position_id)
        else:
            self._open_ids.discard(position_id)


def _follows(seen: Stamp, now: Stamp) -> bool:
    """True when ``now`` is ``seen`` or a later point of the same history."""
    if now.version < seen.version:
        return False
    if now.version == seen.version:
        return now.changed_at == seen.changed_at
    return True


def _fresh_record(session: Session, position_id: int) -> PositionRecord | None:
    try:
        return position_records.position_record(session, position_id=position_id)
    except NotFound:
        return None


def showable(record: PositionRecord | None) -> bool:
    """Whether the index should rank the position at all (open, verified employer)."""
    return record is not None and record.status == "open" and record.employer_verified


def apply_record(index: MatchIndex, position_id: int, record: PositionRecord | None, report: SyncReport) -> None:
    """Add, update or close one position so that the index agrees with ``record``."""
    if position_id in index:
        current = index.position(position_id)
        if record is None or not showable(record):
            if current.status == "open" and current.employer_verified:
                index.close(position_id)
                report.closed += 1
        elif record != current:
            index.update(record)
            report.updated += 1
    elif record is not None and showable(record):
        index.add(record)
        report.added += 1


def count_showable(session: Session) -> int:
    """Open positions of verified employers (or of the union) in the catalog: what the index must hold open.
    A different count after a sync means the index missed a change (a deleted row, another history)."""
    stmt = (
        select(func.count())
        .select_from(Position)
        .outerjoin(Employer, Employer.id == Position.employer_id)
        .where(
            Position.status == PositionStatus.OPEN,
            or_(Position.employer_id.is_(None), Employer.status == EmployerStatus.VERIFIED),
        )
    )
    return int(session.scalar(stmt) or 0)


def fingerprints(session: Session, *, since: datetime | None) -> dict[int, Fingerprint]:
    """(position, employer, rule set) change times of the positions changed at or after ``since`` (all when
    None): a position is re-read when any of the three moved."""
    stmt = (
        select(Position.id, Position.updated_at, Employer.updated_at, ProgramRuleSet.updated_at)
        .outerjoin(Employer, Employer.id == Position.employer_id)
        .outerjoin(ProgramRuleSet, ProgramRuleSet.id == Position.rule_set_id)
    )
    if since is not None:
        stmt = stmt.where(
            or_(Position.updated_at >= since, Employer.updated_at >= since, ProgramRuleSet.updated_at >= since)
        )
    return {int(row[0]): (row[1], row[2], row[3]) for row in session.execute(stmt)}


_holders: dict[str, IndexHolder] = {}
_holders_lock = threading.Lock()


def holder_for(session: Session) -> IndexHolder:
    """The holder of the database ``session`` is bound to (one per database URL in this process)."""
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True)
    with _holders_lock:
        found = _holders.get(key)
        if found is None:
            found = IndexHolder()
            _holders[key] = found
        return found
