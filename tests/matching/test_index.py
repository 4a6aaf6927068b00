"""Both directions agree, incremental changes equal a rebuild, batches equal single queries."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np

from matching.catalogs import Catalogs
from matching.index import MatchIndex
from matching.records import Education, GraduateRecord, PositionRecord
from matching.synth import Generator
from tests.matching.conftest import TODAY


def _ranking(index: MatchIndex, g: GraduateRecord, k: int = 15) -> list[tuple[int, float]]:
    return [(m.position_id, round(m.score, 6)) for m in index.rank_positions(g, k, today=TODAY, explain=False)]


def test_pair_scores_agree_in_both_directions(index: MatchIndex, world) -> None:
    positions, graduates = world
    table = index.graduate_table(graduates[:60])
    row_of = {int(pid): r for r, pid in enumerate(index.score_positions(graduates[0], today=TODAY)[2])}
    forward = {}
    for g in graduates[:60]:
        scores, eligible, _ = index.score_positions(g, today=TODAY)
        forward[g.id] = (scores, eligible)
    for p in positions[:40]:
        scores, eligible = index.score_graduates(p.id, table, today=TODAY)
        for j, g in enumerate(graduates[:60]):
            f_scores, f_eligible = forward[g.id]
            assert f_eligible[row_of[p.id]] == eligible[j]
            assert f_scores[row_of[p.id]] == scores[j], (p.id, g.id)


def test_rank_graduates_matches_carry_reasons_and_passed_checks(index: MatchIndex, world) -> None:
    positions, graduates = world
    table = index.graduate_table(graduates)
    open_ids = [p.id for p in positions if p.status == "open" and p.employer_verified][:10]
    seen = 0
    for pid in open_ids:
        for m in index.rank_graduates(pid, table, 5, today=TODAY):
            seen += 1
            assert m.position_id == pid
            assert m.reasons
            assert all(c.passed for c in m.checks)
            assert min(m.features.values()) >= 0.0 and max(m.features.values()) <= 1.0
    assert seen > 0


def test_incremental_changes_equal_a_rebuild(catalogs: Catalogs) -> None:
    gen = Generator(catalogs, seed=3, today=TODAY)
    base = gen.positions(300)
    extra = gen.positions(40, start_id=1000)
    graduates = gen.graduates(30)
    index = MatchIndex(base, catalogs)
    for p in extra:
        index.add(p)
    changed = []
    for p in base[:30]:
        new = dataclasses.replace(
            p,
            title=p.title + "（急聘）",
            pay_min=6000,
            pay_max=9000,
            deadline=TODAY + timedelta(days=30),
            places=("341622",),
            remote=False,
        )
        index.update(new)
        changed.append(new)
    for p in base[30:45]:
        index.close(p.id)
    version = index.version
    assert version > 1
    current = {p.id: p for p in base}
    current.update({p.id: p for p in extra})
    current.update({p.id: p for p in changed})
    for p in base[30:45]:
        current[p.id] = dataclasses.replace(p, status="closed")
    fresh = MatchIndex(list(current.values()), catalogs, text_space=index.space)
    for g in graduates:
        assert _ranking(index, g) == _ranking(fresh, g)
    index.rebuild()
    for g in graduates:
        assert _ranking(index, g) == _ranking(fresh, g)
    assert index.version > version


def test_closed_position_disappears_at_once(catalogs: Catalogs) -> None:
    p = PositionRecord(id=7, kind="job", title="护士", employer_verified=True, places=("341622",))
    g = GraduateRecord(id=1, education=Education.JUNIOR_COLLEGE, graduation_year=2023, major_code="520201")
    index = MatchIndex([p], catalogs)
    assert [m.position_id for m in index.rank_positions(g, today=TODAY)] == [7]
    index.close(7)
    assert index.rank_positions(g, today=TODAY) == []
    index.update(dataclasses.replace(p, status="open"))
    assert [m.position_id for m in index.rank_positions(g, today=TODAY)] == [7]


def test_batch_equals_single_queries(index: MatchIndex, world) -> None:
    graduates = world[1][:40]
    table = index.graduate_table(graduates)
    for workers in (1, 2):
        result = index.rank_batch(table, 10, today=TODAY, workers=workers, chunk=8)
        for g in graduates:
            single = [(m.position_id, m.score) for m in index.rank_positions(g, 10, today=TODAY, explain=False)]
            got = result.for_graduate(g.id)
            assert [pid for pid, _ in got] == [pid for pid, _ in single]
            assert np.allclose([s for _, s in got], [s for _, s in single], rtol=0, atol=0)


def test_kind_and_place_filters(index: MatchIndex, world) -> None:
    g = world[1][0]
    for m in index.rank_positions(g, 20, kinds=["internship"], today=TODAY):
        assert index.position(m.position_id).kind == "internship"
    for m in index.rank_positions(g, 20, places=["341600"], today=TODAY):
        assert any(code.startswith("3416") for code in index.position(m.position_id).places)


def test_top_k_is_sorted_and_ties_break_on_id(catalogs: Catalogs) -> None:
    same = [
        PositionRecord(id=i, kind="job", title="护士", employer_verified=True, places=("341622",)) for i in (9, 3, 5)
    ]
    g = GraduateRecord(id=1, education=Education.JUNIOR_COLLEGE, graduation_year=2023, major_code="520201")
    got = MatchIndex(same, catalogs).rank_positions(g, 2, today=TODAY)
    assert [m.position_id for m in got] == [3, 5]
    assert got[0].score == got[1].score
