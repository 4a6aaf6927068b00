"""While a new match index builds, requests keep ranking with the index that was current instead of waiting
for the build; the new index then replaces it for everyone."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session

from matching.index import MatchIndex
from matching.records import PositionRecord
from services.matches import holder as holder_module
from services.matches import records as position_records
from tests.conftest import World
from tests.matches.factories import make_position


def test_readers_use_the_current_index_while_a_new_one_builds(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = make_position(db, world)
    db.commit()
    holder = holder_module.IndexHolder()
    with holder.use(db) as first:
        assert kept.id in first
    added = make_position(db, world)
    db.commit()
    monkeypatch.setattr(holder_module, "INCREMENTAL_LIMIT", -1)  # any change now rebuilds the index
    started, release = threading.Event(), threading.Event()
    real = position_records.open_positions_for_matching

    def slow(session: Session, **kw: Any) -> list[PositionRecord]:
        started.set()
        assert release.wait(30)
        return real(session, **kw)

    monkeypatch.setattr(position_records, "open_positions_for_matching", slow)
    built: list[MatchIndex] = []
    during: list[MatchIndex] = []

    def rebuild() -> None:
        with holder.use(db) as index:
            built.append(index)

    def read() -> None:
        with holder.use(db) as index:
            during.append(index)

    builder = threading.Thread(target=rebuild)
    builder.start()
    assert started.wait(30) and holder.building
    reader = threading.Thread(target=read)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "a reader waited for the rebuild"
    assert during == [first] and added.id not in first
    release.set()
    builder.join(timeout=60)
    assert built and built[0] is not first and added.id in built[0] and kept.id in built[0]
    assert not holder.building and holder.last_sync.rebuilt
    with holder.use(db) as now:
        assert now is built[0]
