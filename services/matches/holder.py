"""The match index of this process: built from the catalog in one pass, kept in step with the catalog version.

Each API process (and each Celery worker process) holds one :class:`MatchIndex` per database. Before every use
the holder reads the catalog stamp — the version counter and the time of its last bump — and the id of the
active weights (two primary-key reads). When the stamp moved forward it re-reads only the positions changed
since the bump it last saw (position rows, their employer's verification, their program rule set; with a
safety margin for transactions that committed late; rows whose change times did not move are skipped) and adds,
updates or closes them in the index. A stamp that
went backwards or changed without its version moving (another history: a restored database), too many
changes at once, a count of open positions that disagrees with the index after a sync (a deleted row), or the
first use rebuild the index from the catalog. A closed, filled or withdrawn position is
therefore never ranked once its change is committed.

The reference catalogs (majors, occupations, orientations, divisions) are loaded once per process.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matching.catalogs import Catalogs
from matching.features import Weights
from matching.index import MatchIndex
from matching.records import PositionRecord
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


def read_stamp(session: Session) -> Stamp:
    stmt = select(CatalogVersion.version, CatalogVersion.changed_at).where(CatalogVersion.id == 1)
    row = session.execute(stmt).first()
    if row is None:
        return Stamp(0, None)
    return Stamp(int(row[0]), row[1])


def active_weights(session: Session) -> ActiveWeights:
    """The adopted weights (the library defaults until a learned set is adopted)."""
    stmt = select(MatchWeights.id, MatchWeights.weights).where(MatchWeights.active.is_(True))
    row = session.execute(stmt.order_by(MatchWeights.id.desc())).first()
    if row is None:
        return ActiveWeights(None, Weights())
    return ActiveWeights(int(row[0]), Weights.from_mapping(row[1]))


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


class IndexHolder:
    """One database's index in this process, refreshed on use (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
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

    @contextmanager
    def use(self, session: Session) -> Iterator[MatchIndex]:
        """The index, in step with the catalog as ``session`` sees it, held exclusively while in use."""
        with self._lock:
            yield self._refresh(session)

    def refresh(self, session: Session) -> SyncReport:
        with self._lock:
            self._refresh(session)
            return self.last_sync

    def _refresh(self, session: Session) -> MatchIndex:
        stamp = read_stamp(session)
        weights = active_weights(session)
        index, seen = self._index, self._stamp
        if index is None or seen is None or not _follows(seen, stamp):
            return self._rebuild(session, stamp, weights)
        if weights.id != self._weights_id:
            index.weights = weights.weights
            self._weights_id = weights.id
        if stamp != seen:
            report = self._sync(session, index, seen)
            if report is None or count_showable(session) != len(self._open_ids):
                return self._rebuild(session, stamp, weights)
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

    def _rebuild(self, session: Session, stamp: Stamp, weights: ActiveWeights) -> MatchIndex:
        # fingerprints first: a change committed between the two reads is then seen as changed next time
        self._seen = fingerprints(session, since=None)
        self._tables.clear()
        records = position_records.open_positions_for_matching(session)
        self._index = MatchIndex(records, reference_catalogs(), weights=weights.weights)
        self._stamp = stamp
        self._weights_id = weights.id
        self._changes_since_build = 0
        self._open_ids = {r.id for r in records}
        self.last_sync = SyncReport(rebuilt=True, added=len(records))
        log.info("match index built: %d open positions, catalog version %d", len(records), stamp.version)
        return self._index

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
