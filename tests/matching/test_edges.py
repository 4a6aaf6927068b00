"""Edge cases: empty index, unknown codes, no places, graduates closed to matching."""

from __future__ import annotations

import pytest

from matching.catalogs import Catalogs
from matching.index import MatchIndex
from matching.records import Education, GraduateRecord, PositionRecord
from tests.matching.conftest import TODAY


def test_empty_index_and_empty_table(catalogs: Catalogs) -> None:
    index = MatchIndex([], catalogs)
    g = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2023)
    assert index.rank_positions(g, today=TODAY) == []
    assert len(index.rank_batch([g], 5, today=TODAY).position_ids[0]) == 5
    index.add(PositionRecord(id=1, kind="job", title="会计", employer_verified=True))
    assert [m.position_id for m in index.rank_positions(g, today=TODAY)] == [1]
    assert index.rank_graduates(1, index.graduate_table([]), today=TODAY) == []


def test_unknown_codes_still_rank(catalogs: Catalogs) -> None:
    p = PositionRecord(id=1, kind="job", title="岗位", employer_verified=True, places=("999901",), majors=("999999",))
    g = GraduateRecord(
        id=1,
        education=Education.BACHELOR,
        graduation_year=2023,
        major_code="999999",
        major_name="未知专业",
        preferred_places=("999901",),
    )
    (m,) = MatchIndex([p], catalogs).rank_positions(g, today=TODAY)
    assert m.features["major"] == 1.0
    assert m.features["place"] == 1.0


def test_position_without_place_is_open_to_everyone(catalogs: Catalogs) -> None:
    p = PositionRecord(id=1, kind="job", title="客服", employer_verified=True)
    g = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2023)
    index = MatchIndex([p], catalogs)
    (m,) = index.rank_positions(g, today=TODAY)
    assert m.features["place"] == pytest.approx(0.6)
    table = index.graduate_table([g])
    (r,) = index.rank_graduates(1, table, today=TODAY)
    assert r.score == m.score
    assert "不限工作地点" in m.reasons or m.features["place"] * index.weights.place < 0.01


def test_closed_graduate_gets_nothing(catalogs: Catalogs) -> None:
    p = PositionRecord(id=1, kind="job", title="客服", employer_verified=True)
    g = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2023, open_to_matching=False)
    index = MatchIndex([p], catalogs)
    assert index.rank_positions(g, today=TODAY) == []
    assert index.rank_graduates(1, index.graduate_table([g]), today=TODAY) == []
