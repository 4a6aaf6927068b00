"""On the demo world (small size), after the occupation backfill: every reason of every match of every graduate
holds for its pair, and a feature equal for every item of a list is never a reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from matching.index import MatchIndex
from services.catalog.models import Position
from services.catalog.occupations import SUGGESTED
from services.matches import occupations
from services.matches.holder import reference_catalogs
from services.matches.records import local_today, open_positions_for_matching
from services.matches.service import load_profiles, records_for
from tests.demo.worlds import DemoWorld, demo_world, session_of
from tests.matches.reason_facts import check_list


@pytest.fixture(scope="module")
def demo(backend: str, request: pytest.FixtureRequest) -> Iterator[DemoWorld]:
    with demo_world(backend, request) as built:
        yield built


def test_backfill_then_every_reason_of_every_match_is_true(demo: DemoWorld) -> None:
    with session_of(demo) as session:
        occupations.backfill(session, batch=200)
        session.commit()
        unset = session.scalar(select(func.count()).select_from(Position).where(Position.occupation_state == ""))
        suggested = session.scalar(
            select(func.count()).select_from(Position).where(Position.occupation_state == SUGGESTED)
        )
        positions = open_positions_for_matching(session)
        graduates = records_for(session, load_profiles(session, scope=None))
    assert unset == 0 and suggested
    catalogs = reference_catalogs()
    index = MatchIndex(positions, catalogs)
    by_id = {p.id: p for p in positions}
    today = local_today()
    reasons = occupation_reasons = lists = 0
    for g in graduates:
        found = index.rank_positions(g, 10, today=today)
        if not found:
            continue
        lists += 1
        reasons += check_list(found, by_id, g, catalogs, today)
        occupation_reasons += sum(r.startswith(("职业面向", "职业关联")) for m in found for r in m.reasons)
    assert lists >= len(graduates) // 2
    assert reasons > lists and occupation_reasons > 0
