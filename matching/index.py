"""`MatchIndex`: positions as columns, ranked for a graduate, a position's graduates, or a batch.

The index is layered, each layer a module of its own:

- `matching.storage` — `PositionStore`: the column arrays of positions, their postings and text segments,
  `add` / `update` / `close` / `remove` / `rebuild`;
- `matching.encoding` — graduates encoded against the store (`EncodedGraduate`, `GraduateTable`);
- `matching.scoring` — feature arrays and the weighted float32 score, `top_k`;
- `matching.eligibility` — the hard rules as masks over the arrays;
- `matching.explain` — the facts of a pair (`FactFinder`) and the reasons built from them.

This module is the public face: ranking one graduate against every position, one position against a
table of graduates, many graduates at once, and the full picture of one pair. The ranking after any
sequence of changes equals that of a fresh index over the same positions and text space.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from matching import explain as _explain
from matching.eligibility import Eligibility
from matching.encoding import EncodedGraduate, GraduateTable, kinds_mask
from matching.features import FEATURES, PRIORITY_CODES
from matching.records import GraduateRecord, Kind, PositionRecord
from matching.rules import RuleCheck, explain_rules
from matching.scoring import FIT_OUTSIDE_POSTINGS_IS_ZERO, combine, top_k
from matching.storage import F32, I64, Bool

__all__ = ["BatchResult", "GraduateTable", "Match", "MatchIndex", "top_k"]


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked pair: score, feature values, reasons (phrases) and rule checks."""

    position_id: int
    graduate_id: int
    score: float
    features: dict[str, float]
    reasons: list[str]
    checks: list[RuleCheck]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Top-k per graduate: `position_ids[i]` and `scores[i]` for `graduate_ids[i]`, padded with -1 / NaN."""

    graduate_ids: I64
    position_ids: I64
    scores: F32

    def for_graduate(self, graduate_id: int) -> list[tuple[int, float]]:
        hits = np.flatnonzero(self.graduate_ids == graduate_id)
        if hits.size == 0:
            return []
        row = int(hits[0])
        keep = self.position_ids[row] >= 0
        return [(int(p), float(s)) for p, s in zip(self.position_ids[row][keep], self.scores[row][keep], strict=True)]


class MatchIndex(Eligibility):
    """Ranks positions for graduates and graduates for positions (see the module docstring)."""

    #: From this many rows on, one graduate's top k is looked for among the rows of the major's postings first
    #: (`_top_of_fit_rows`); below it the whole-column parts a major shares stay in the cache and are cheaper.
    #: A batch, sorted by major, always takes the cached whole columns.
    fit_rows_from: int = 200_000

    def _load(self, records: list[PositionRecord]) -> None:
        super()._load(records)
        self._fact_finder = _explain.FactFinder(self.catalogs, self.space, self.bridge, self.places)

    # ----------------------------------------------------------- one graduate × every position row

    def score_positions(self, graduate: GraduateRecord, *, today: date | None = None) -> tuple[F32, Bool, I64]:
        """(score, eligible, position id) for every row; superseded rows are never eligible."""
        day = today or date.today()
        g = self._encode(graduate)
        return self._score(g, day)[0], self._eligible(g, day), self._cols["id"].copy()

    def feature_arrays(
        self, graduate: GraduateRecord, *, today: date | None = None
    ) -> tuple[F32, dict[str, F32], Bool, I64]:
        """(score, raw feature arrays, eligible, position id) for every row (for evaluations and baselines)."""
        day = today or date.today()
        g = self._encode(graduate)
        scores, feats = self._score(g, day)
        return scores, feats, self._eligible(g, day), self._cols["id"].copy()

    def rank_positions(
        self,
        graduate: GraduateRecord,
        k: int = 20,
        *,
        kinds: Iterable[Kind] | None = None,
        places: Iterable[str] | None = None,
        today: date | None = None,
        explain: bool = True,
    ) -> list[Match]:
        """Top-k positions the graduate can take, best first, with features, reasons and rule checks.

        `kinds` narrows to these kinds; `places` to positions with a place inside one of these divisions
        (county, city or province codes; remote positions are left out when places are given).
        """
        day = today or date.today()
        g = self._encode(graduate)
        mask = None if kinds is None else kinds_mask(kinds)
        areas = None if places is None else list(places)
        fast = self._top_of_fit_rows(g, day, k, mask, areas)
        if fast is not None:
            rows, scores, feats = fast
            at = np.arange(rows.size)
        else:
            scores, feats = self._score(g, day)
            eligible = self._eligible(g, day)
            if mask is not None:
                eligible = eligible & ((self._cols["kind_bit"] & mask) != 0)
            if areas is not None:
                eligible = eligible & self._within(areas)
            rows = top_k(scores, eligible, self._cols["id"], k)
            at = rows
        values = [{name: float(feats[name][i]) for name in FEATURES} for i in at]
        return self._matches(
            [int(r) for r in rows], [g] * len(rows), values, [float(scores[i]) for i in at], day, explain
        )

    def _top_of_fit_rows(
        self,
        g: EncodedGraduate,
        day: date,
        k: int,
        kinds: int | None = None,
        areas: list[str] | None = None,
    ) -> tuple[I64, F32, dict[str, F32]] | None:
        """The top k rows when they can be found among the rows of the major's postings alone, else None.

        For a graduate whose priority is the fit, the tier is 4.75 steps × the fit level, and a step exceeds
        any weighted sum: every row of fit level above 0 ranks above every row of level 0. Rows outside the
        postings of the major and of its occupations have level 0, so when at least k eligible rows of level
        above 0 are among those postings, the top k are those postings' top k — scored, ruled and ordered as
        over every row. Returns (rows, their scores, their raw features), best first.
        """
        if not FIT_OUTSIDE_POSTINGS_IS_ZERO or PRIORITY_CODES[g.record.priority] != 0 or k <= 0:
            return None
        if self._cols.n < self.fit_rows_from:
            return None
        rows = self._fit_rows(g)
        if rows.size < k:
            return None
        scores, feats, lifted, kind_major_ok = self._score_rows(g, day, rows)
        eligible = self._eligible_rows(g, day, rows, kind_major_ok)
        np.logical_and(eligible, lifted, out=eligible)
        if kinds is not None:
            np.logical_and(eligible, (self._cols["kind_bit"][rows] & kinds) != 0, out=eligible)
        if areas is not None:
            np.logical_and(eligible, self._within_rows(areas, rows), out=eligible)
        if int(np.count_nonzero(eligible)) < k:
            return None
        top = top_k(scores, eligible, self._cols["id"][rows], k)
        return rows[top], scores[top], {name: values[top] for name, values in feats.items()}

    # ----------------------------------------------------------- one position × every graduate

    def rank_graduates(
        self,
        position_id: int,
        graduates: GraduateTable,
        k: int = 20,
        *,
        today: date | None = None,
        explain: bool = True,
    ) -> list[Match]:
        """Top-k graduates of the table for one position (vectorised over the table), best first."""
        day = today or date.today()
        feats, eligible = self._graduate_side(position_id, graduates, day)
        scores = combine(feats, self.weights, graduates.priority)
        rows = top_k(scores, eligible, graduates.ids, k)
        prow = self._row_of[position_id]
        encoded = [self._from_table(graduates, int(r)) for r in rows]
        values = [{name: float(feats[name][r]) for name in FEATURES} for r in rows]
        return self._matches([prow] * len(rows), encoded, values, [float(scores[r]) for r in rows], day, explain)

    def score_graduates(
        self, position_id: int, graduates: GraduateTable, *, today: date | None = None
    ) -> tuple[F32, Bool]:
        """(score, eligible) of every graduate of the table against one position."""
        day = today or date.today()
        feats, eligible = self._graduate_side(position_id, graduates, day)
        return combine(feats, self.weights, graduates.priority), eligible

    def _graduate_side(self, position_id: int, t: GraduateTable, today: date) -> tuple[dict[str, F32], Bool]:
        if t.owner is not self._tokens:
            raise ValueError("graduate table was built by another index; use index.graduate_table()")
        row = self._row_of.get(position_id)
        if row is None:
            raise KeyError(position_id)
        majors = self._position_majors(self._records.get(row), t)
        exact, in_class, in_disc = majors
        restricted = bool(self._cols["restricted"][row])
        major_ok = ~np.full(len(t), restricted) | exact | in_class | in_disc
        return self._graduate_features(row, t, today, majors), self._graduate_eligible(row, t, today, major_ok)

    # ----------------------------------------------------------------------------------- batches

    def rank_batch(
        self,
        graduates: GraduateTable | Sequence[GraduateRecord],
        k: int = 20,
        *,
        today: date | None = None,
        workers: int = 1,
        chunk: int = 64,
    ) -> BatchResult:
        """Top-k position ids and scores for many graduates (no reasons: see `explain`).

        Graduates are sorted by major and place so that the parts they share (a major's feature, its
        occupation profile scores, rule masks, pay and place tables) come from the cache, then taken in
        chunks of rows of the graduate text matrix; each row's cosines are one sparse product with the
        inverted index (its terms' postings only). A chunk-wide sparse × sparse product was measured about
        5× slower here, its output being nearly dense. With `workers > 1` the graduates are split across
        forked processes that share this index copy-on-write.
        """
        table = graduates if isinstance(graduates, GraduateTable) else self.graduate_table(graduates)
        if table.owner is not self._tokens:
            raise ValueError("graduate table was built by another index; use index.graduate_table()")
        day = today or date.today()
        self._freeze(force=True)
        n = len(table)
        order = np.lexsort((table.primary_places(), table.bridge_row))
        if workers <= 1 or n < 2 * chunk:
            ids, scores = self._batch_rows(table, order, k, day, chunk)
        else:
            bounds = np.linspace(0, n, workers + 1).astype(np.int64)
            parts_in = [order[a:b] for a, b in itertools.pairwise(bounds)]
            global _FORK_STATE
            _FORK_STATE = (self, table, k, day, chunk)
            try:
                with mp.get_context("fork").Pool(workers) as pool:
                    parts = pool.map(_batch_worker, parts_in)
            finally:
                _FORK_STATE = None
            ids = np.concatenate([p[0] for p in parts])
            scores = np.concatenate([p[1] for p in parts])
        out_ids = np.empty_like(ids)
        out_scores = np.empty_like(scores)
        out_ids[order] = ids
        out_scores[order] = scores
        return BatchResult(table.ids.copy(), out_ids, out_scores)

    def _batch_rows(self, t: GraduateTable, rows: I64, k: int, today: date, chunk: int) -> tuple[I64, F32]:
        out_ids = np.full((rows.size, k), -1, dtype=np.int64)
        out_scores = np.full((rows.size, k), np.nan, dtype=np.float32)
        pos_ids = self._cols["id"]
        for c0 in range(0, rows.size, chunk):
            block = rows[c0 : c0 + chunk]
            texts = t.text[block]
            ptr, indices, data = texts.indptr, texts.indices, texts.data
            for j, i in enumerate(block):
                g = self._from_table(t, int(i), with_text=False)
                cos = self._term_scores(indices[ptr[j] : ptr[j + 1]], data[ptr[j] : ptr[j + 1]])
                scores = self._score(g, today, cos)[0]
                top = top_k(scores, self._eligible(g, today), pos_ids, k)
                out_ids[c0 + j, : top.size] = pos_ids[top]
                out_scores[c0 + j, : top.size] = scores[top]
        return out_ids, out_scores

    # ------------------------------------------------------------------------------ explanations

    def explain(self, position_id: int, graduate: GraduateRecord, *, today: date | None = None) -> Match:
        """The full picture for one pair, eligible or not (every rule check, passed or failed)."""
        day = today or date.today()
        g = self._encode(graduate)
        row = self._row_of[position_id]
        scores, feats = self._score(g, day)
        values = {name: float(feats[name][row]) for name in FEATURES}
        score = float(scores[row])
        return self._matches([row], [g], [values], [score], day, True)[0]

    def _matches(
        self,
        rows: list[int],
        graduates: list[EncodedGraduate],
        values: list[dict[str, float]],
        scores: list[float],
        today: date,
        explain: bool,
    ) -> list[Match]:
        if not explain:
            return [
                Match(int(self._cols["id"][r]), g.record.id, s, v, [], [])
                for r, g, v, s in zip(rows, graduates, values, scores, strict=True)
            ]
        out = []
        constant = _explain.constant_features(values)
        for r, g, v, s in zip(rows, graduates, values, scores, strict=True):
            p = self._records.get(r)
            ranked = _explain.ranked_features(v, self.weights, constant=constant)
            facts = self._fact_finder.facts(p, g, v, today, ranked)
            checks = explain_rules(
                p,
                g.record,
                today=today,
                majors=self.catalogs.majors,
                gazetteer=self.catalogs.gazetteer,
                graduate_tokens=g.major,
            )
            out.append(
                Match(
                    p.id,
                    g.record.id,
                    s,
                    v,
                    _explain.reasons(v, self.weights, facts, self.catalogs.gazetteer, ranked=ranked),
                    checks,
                )
            )
        return out


_FORK_STATE: tuple[MatchIndex, GraduateTable, int, date, int] | None = None


def _batch_worker(rows: I64) -> tuple[I64, F32]:
    state = _FORK_STATE
    if state is None:
        raise RuntimeError("batch worker started without shared state")
    index, table, k, day, chunk = state
    return index._batch_rows(table, rows, k, day, chunk)
