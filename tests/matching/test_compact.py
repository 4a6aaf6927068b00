"""The index's compact layout: records held as columns, a text many positions share stored once, and the top k
of a fit-first graduate found among the rows of the major's postings — each giving what the full arrays give."""

from __future__ import annotations

import dataclasses

import numpy as np

from matching.catalogs import Catalogs
from matching.index import MatchIndex
from matching.records import GraduateRecord
from tests.matching.conftest import TODAY


def _full_ranking(
    index: MatchIndex, g: GraduateRecord, k: int, kinds: set[str] | None = None
) -> list[tuple[int, float]]:
    """The top k from the scores and rule mask of every row (`score_positions`), ordered by score then id."""
    scores, eligible, ids = index.score_positions(g, today=TODAY)
    if kinds is not None:
        eligible &= np.array([index.position(int(i)).kind in kinds if i in index else False for i in ids])
    rows = np.flatnonzero(eligible)
    order = np.lexsort((ids[rows], -scores[rows]))[:k]
    return [(int(ids[r]), float(scores[r])) for r in rows[order]]


def _ranking(index: MatchIndex, g: GraduateRecord, k: int, kinds: set[str] | None = None) -> list[tuple[int, float]]:
    got = index.rank_positions(g, k, today=TODAY, kinds=kinds, explain=False)
    return [(m.position_id, m.score) for m in got]


def test_records_come_back_equal(index: MatchIndex, world) -> None:
    positions = world[0]
    assert index.positions() == positions
    for p in positions[:200]:
        assert index.position(p.id) == p


def test_positions_sharing_texts_rank_as_the_full_arrays_do(catalogs: Catalogs, world) -> None:
    base, graduates = world
    rng = np.random.default_rng(5)
    many = [
        dataclasses.replace(
            base[int(b)],
            id=i + 1,
            pay_min=int(pay),
            pay_max=int(pay) + 500,
            headcount=None if base[int(b)].headcount is None else 3,
            filled=0,
        )
        for i, (b, pay) in enumerate(zip(rng.integers(0, 200, 3000), rng.integers(20, 100, 3000) * 100, strict=True))
    ]
    index = MatchIndex(many, catalogs)
    index.fit_rows_from = 0
    assert index.nbytes() < MatchIndex(base, catalogs).nbytes() * 2  # 3,000 rows share 200 texts
    people = [*graduates[:60], *(dataclasses.replace(g, priority="place") for g in graduates[:8])]
    people += [dataclasses.replace(g, in_school=True) for g in graduates[8:16]]
    for g in people:
        for k in (1, 20, 200):
            assert _ranking(index, g, k) == _full_ranking(index, g, k)
        assert _ranking(index, g, 20, {"internship", "job"}) == _full_ranking(index, g, 20, {"internship", "job"})


def test_rankings_after_changes_still_match_the_full_arrays(catalogs: Catalogs, world) -> None:
    positions, graduates = world
    index = MatchIndex(positions[:400], catalogs)
    index.fit_rows_from = 0
    for p in positions[:60]:
        index.close(p.id)
    for p in positions[60:120]:
        index.update(dataclasses.replace(p, title=p.title + " 急招", pay_min=9000, pay_max=12000))
    for p in positions[400:]:
        index.add(p)
    for p in positions[120:140]:
        index.remove(p.id)
    assert index.position(positions[0].id).status == "closed"
    assert positions[130].id not in index
    for g in graduates[:40]:
        assert _ranking(index, g, 20) == _full_ranking(index, g, 20)
