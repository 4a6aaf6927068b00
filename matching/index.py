"""`MatchIndex`: positions as columns, ranked for a graduate, a position's graduates, or a batch.

Positions are held as numpy columns (one row per position version) plus an inverted text index
(term × position CSR) in segments: the segment built at construction and small segments frozen from added
or updated rows. `update` tombstones the old row and appends a new one; `close` flips the row's open flag;
neither refits the text space, so the ranking after any sequence of changes equals that of a fresh index
over the same positions and text space. `rebuild(refit=...)` compacts (and optionally refits).

Scores are float32 sums in `FEATURES` order; ties break on the smaller id. Top-k: a threshold taken from a
strided sample bounds the candidates (at least k rows clear it), then `argpartition` and a sort on
(score desc, id asc) among those. Per-graduate pieces that many graduates share (a major's feature and
rule mask, a pay expectation, an education level, an age …) are cached per index version in a
byte-bounded LRU cache.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching import explain as _explain
from matching.catalogs import Catalogs, normalize_code, small_class_of
from matching.features import (
    FEATURES,
    OCCUPATION_CODE,
    OCCUPATION_SCALE,
    OCCUPATION_SMALL_CLASS,
    PLACE_REMOTE,
    REMOTE_ROW,
    TEXT_SCALE,
    PlaceSpace,
    Weights,
    freshness_score,
    hardship_score,
    kind_score,
    major_score,
    pay_score,
    scaled_cosine,
)
from matching.records import KINDS, GraduateRecord, Kind, PositionRecord, age_on
from matching.rules import (
    NO_DAY,
    NO_DEADLINE,
    MajorTokens,
    RuleCheck,
    any_failing,
    explain_rules,
    failing_masks,
    fails_age,
    fails_deadline,
    fails_education,
    fails_education_levels,
    fails_employer,
    fails_flags,
    fails_graduation,
    fails_headcount,
    fails_kind,
    fails_status,
    graduate_major,
    position_major_codes,
)
from matching.text import (
    DEFAULT_MAX_DF,
    Bridge,
    Csr,
    TextSpace,
    build_bridge,
    catalog_corpus,
    default_bridge,
    default_space,
)

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
T = TypeVar("T")

SEGMENT_ROWS: Final = 256
MAX_SEGMENTS: Final = 8
CACHE_BYTES: Final = 64 * 1024 * 1024
KIND_BITS: Final[dict[str, int]] = {k: 1 << i for i, k in enumerate(KINDS)}
_KIND_BIT_ARRAY: Final = np.array([1 << i for i in range(len(KINDS))], dtype=np.int64)
_SAMPLE_STEP: Final = 16
_WORD_SPLIT: Final = re.compile(r"[\s,，、;；。/|]+")


def kinds_mask(kinds: Iterable[str]) -> int:
    """Bit mask of position kinds (0 for none)."""
    mask = 0
    for k in kinds:
        if k not in KIND_BITS:
            raise ValueError(f"unknown position kind {k!r}")
        mask |= KIND_BITS[k]
    return mask


def position_text(position: PositionRecord) -> str:
    """Title twice (titles carry the occupation) and the description."""
    return f"{position.title} {position.title} {position.description}"


def graduate_text(graduate: GraduateRecord, major_name: str) -> str:
    """Major name, skills and wishes."""
    return f"{major_name or graduate.major_name} {graduate.skills} {graduate.wishes}"


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


class _Columns:
    """Growable struct of arrays (capacity doubles)."""

    def __init__(self, spec: dict[str, tuple[npt.DTypeLike, Any]], capacity: int = 1024) -> None:
        self._spec = spec
        self.n = 0
        self._data = {name: np.full(capacity, fill, dtype=dtype) for name, (dtype, fill) in spec.items()}

    def append(self, values: dict[str, Any]) -> int:
        if self.n == len(next(iter(self._data.values()))):
            for name, (dtype, fill) in self._spec.items():
                grown = np.full(max(1024, 2 * self.n), fill, dtype=dtype)
                grown[: self.n] = self._data[name][: self.n]
                self._data[name] = grown
        row = self.n
        for name, value in values.items():
            self._data[name][row] = value
        self.n += 1
        return row

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self._data[name][: self.n]

    def set(self, row: int, name: str, value: Any) -> None:
        self._data[name][row] = value

    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._data.values())


class _Cache:
    """LRU cache bounded by the bytes of the numpy arrays it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit[0]  # type: ignore[no-any-return]
        value = make()
        size = _nbytes(value)
        self._items[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, (_, old) = self._items.popitem(last=False)
            self._bytes -= old
        return value

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return 64


@dataclass(slots=True)
class _Segment:
    start: int
    stop: int
    terms: Csr  # V × (stop - start), term-major


@dataclass(slots=True)
class _Graduate:
    """One graduate encoded against an index."""

    record: GraduateRecord
    major: MajorTokens
    code_tok: int
    class_tok: int
    disc_tok: int
    bridge_row: int
    text: Csr
    place_rows: tuple[int, ...]
    home_row: int
    home_code: int
    wanted: int
    expected: float


@dataclass(slots=True)
class GraduateTable:
    """Graduates as columns, encoded against one `MatchIndex` (build with `MatchIndex.graduate_table`)."""

    owner: object
    records: list[GraduateRecord]
    majors: list[MajorTokens]
    ids: I64
    open: Bool
    education: I64
    birth_year: I64
    birth_md: I64
    graduation_year: I64
    wanted: I64
    flags: list[frozenset[str]]
    expected: npt.NDArray[np.float64]
    hardship: Bool
    code_tok: I64
    class_tok: I64
    disc_tok: I64
    bridge_row: I64
    text: Csr
    place_ptr: I64
    place_rows: I64
    home_row: I64
    home_code: I64
    row_of: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def ages(self, today: date) -> I64:
        """周岁 on `today`; -1 where the birth date is unknown."""
        md = today.month * 100 + today.day
        age = today.year - self.birth_year - (md < self.birth_md).astype(np.int64)
        return np.where(self.birth_year < 0, -1, age)

    def primary_places(self) -> I64:
        """First place row of each graduate (0 when none)."""
        counts = np.diff(self.place_ptr)
        first = np.zeros(len(self.records), dtype=np.int64)
        has = counts > 0
        first[has] = self.place_rows[self.place_ptr[:-1][has]]
        return first

    def places_of(self, i: int) -> tuple[int, ...]:
        return tuple(int(r) for r in self.place_rows[self.place_ptr[i] : self.place_ptr[i + 1]])


class MatchIndex:
    """Ranks positions for graduates and graduates for positions (see the module docstring)."""

    def __init__(
        self,
        positions: Iterable[PositionRecord],
        catalogs: Catalogs,
        *,
        weights: Weights | None = None,
        text_space: TextSpace | None = None,
        fit_text_on_positions: bool = False,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        self.catalogs = catalogs
        self._weights = weights if weights is not None else Weights()
        self.version = 0
        records = list(positions)
        if text_space is not None:
            self.space = text_space
        elif fit_text_on_positions:
            self.space = _fit_space(catalogs, records)
        else:
            self.space = default_space(catalogs)
        self.bridge = self._make_bridge()
        self.places = PlaceSpace(catalogs.gazetteer)
        self._tokens: dict[str, int] = {}
        self._flags: dict[str, int] = {}
        self._majors: dict[tuple[str, str, int], MajorTokens] = {}
        self._cache = _Cache(cache_bytes)
        self._load(records)

    def _make_bridge(self) -> Bridge:
        if self.space is default_space(self.catalogs):
            return default_bridge(self.catalogs)
        return build_bridge(self.catalogs, self.space)

    @property
    def weights(self) -> Weights:
        return self._weights

    @weights.setter
    def weights(self, value: Weights) -> None:
        """New weights take effect at once (cached weighted parts are dropped)."""
        self._weights = value
        self._cache.clear()

    # ------------------------------------------------------------------------------------ building

    def _load(self, records: list[PositionRecord]) -> None:
        ids = [p.id for p in records]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate position ids")
        self._cols = _Columns(
            {
                "id": (np.int64, -1),
                "open": (np.bool_, False),
                "verified": (np.bool_, False),
                "kind": (np.int64, 0),
                "kind_bit": (np.int64, 0),
                "min_edu": (np.int64, 0),
                "edu_levels": (np.int64, 0),
                "max_age": (np.int64, -1),
                "grad_min": (np.int64, -1),
                "grad_max": (np.int64, -1),
                "deadline": (np.int64, NO_DEADLINE),
                "opened": (np.int64, NO_DAY),
                "full": (np.bool_, False),
                "pay_group": (np.int64, 0),
                "priority": (np.bool_, False),
                "flags": (np.uint64, 0),
                "local": (np.int64, 0),
                "restricted": (np.bool_, False),
                "place": (np.int64, 0),
                "remote": (np.bool_, False),
            },
            capacity=max(1024, len(records)),
        )
        self._records: list[PositionRecord] = []
        self._row_of: dict[int, int] = {}
        self._extra_row: list[int] = []
        self._extra_place: list[int] = []
        self._local_row: list[int] = []
        self._local_code: list[int] = []
        self._local_div: list[int] = []
        self._postings: dict[int, list[int]] = {}
        self._occ_postings: dict[str, list[int]] = {}
        self._small_postings: dict[str, list[int]] = {}
        self._pay_groups: dict[tuple[float, float], int] = {}
        self._pay_lo: list[float] = [np.nan]
        self._pay_hi: list[float] = [np.nan]
        self._segments: list[_Segment] = []
        self._pending: list[str] = []
        self._pending_start = 0
        self._bridge_by_small = _invert(self.bridge.small_classes)
        self._bridge_by_code = _invert(self.bridge.exact_codes)
        self._occ_terms: dict[str, tuple[str, ...]] = {}
        self._occ_vectors: dict[str, tuple[npt.NDArray[np.int32], F32]] = {}
        for record in records:
            self._append(record)
        self._freeze(force=True)
        self._bump()

    def _token(self, kind: str, code: str) -> int:
        key = f"{kind}:{code}"
        tok = self._tokens.get(key)
        if tok is None:
            tok = len(self._tokens)
            self._tokens[key] = tok
        return tok

    def _flag_bits(self, flags: Iterable[str], *, intern: bool) -> int:
        bits = 0
        for flag in flags:
            bit = self._flags.get(flag)
            if bit is None:
                if not intern:
                    continue
                if len(self._flags) >= 64:
                    raise ValueError("more than 64 distinct required flags")
                bit = len(self._flags)
                self._flags[flag] = bit
            bits |= 1 << bit
        return bits

    def _pay_group(self, lo: int | None, hi: int | None) -> int:
        if lo is None and hi is None:
            return 0
        key = (np.nan if lo is None else float(lo), np.nan if hi is None else float(hi))
        group = self._pay_groups.get(key)
        if group is None:
            group = len(self._pay_lo)
            self._pay_groups[key] = group
            self._pay_lo.append(key[0])
            self._pay_hi.append(key[1])
        return group

    def _append(self, p: PositionRecord) -> int:
        place_rows = self.places.rows(list(p.places))
        if p.remote or not place_rows:
            place_rows.append(REMOTE_ROW)
        row = self._cols.append(
            {
                "id": p.id,
                "open": p.status == "open",
                "verified": p.employer_verified,
                "kind": KINDS.index(p.kind),
                "kind_bit": KIND_BITS[p.kind],
                "min_edu": int(p.min_education),
                "edu_levels": sum(1 << int(e) for e in p.education_levels),
                "max_age": -1 if p.max_age is None else p.max_age,
                "grad_min": -1 if p.graduation_min is None else p.graduation_min,
                "grad_max": -1 if p.graduation_max is None else p.graduation_max,
                "deadline": NO_DEADLINE if p.deadline is None else p.deadline.toordinal(),
                "opened": NO_DAY if p.opened is None else p.opened.toordinal(),
                "full": p.headcount is not None and p.filled >= p.headcount,
                "pay_group": self._pay_group(p.pay_min, p.pay_max),
                "priority": p.hardship_priority,
                "flags": self._flag_bits(p.required_flags, intern=True),
                "local": 0 if not p.requires_local_hukou else (1 if p.hukou_scope == "province" else 2),
                "restricted": bool(p.majors or p.major_classes or p.disciplines),
                "place": place_rows[0],
                "remote": p.remote or not p.places,
            }
        )
        for extra in place_rows[1:]:
            self._extra_row.append(row)
            self._extra_place.append(extra)
        if p.requires_local_hukou:
            div = 10000 if p.hukou_scope == "province" else 100
            for code in p.places:
                self._local_row.append(row)
                self._local_code.append(int(code) // div)
                self._local_div.append(div)
        tokens = [self._token("m", c) for c in position_major_codes(p, self.catalogs.majors)]
        tokens += [self._token("c", normalize_code(c)) for c in p.major_classes]
        tokens += [self._token("d", normalize_code(d)) for d in p.disciplines]
        for tok in dict.fromkeys(tokens):
            self._postings.setdefault(tok, []).append(row)
        for occ in {o.strip() for o in p.occupations}:
            self._occ_postings.setdefault(occ, []).append(row)
        for small in {small_class_of(o.strip()) for o in p.occupations}:
            self._small_postings.setdefault(small, []).append(row)
        self._records.append(p)
        self._row_of[p.id] = row
        self._pending.append(position_text(p))
        return row

    def _freeze(self, *, force: bool = False) -> None:
        """Turn pending rows into a term-major segment; merge small segments when there are many."""
        if not self._pending or (not force and len(self._pending) < SEGMENT_ROWS):
            return
        block = self.space.transform(self._pending)
        terms = sp.csr_matrix(block.T, dtype=np.float32)
        terms.sort_indices()
        start = self._pending_start
        self._segments.append(_Segment(start, start + block.shape[0], terms))
        self._pending = []
        self._pending_start = self._cols.n
        if len(self._segments) > MAX_SEGMENTS:
            base, small = self._segments[0], self._segments[1:]
            grow = sum(s.stop - s.start for s in small) * 4 > base.stop - base.start
            parts = self._segments if grow else small
            merged = sp.csr_matrix(sp.hstack([s.terms for s in parts], format="csr"), dtype=np.float32)
            merged.sort_indices()
            segment = _Segment(parts[0].start, parts[-1].stop, merged)
            self._segments = [segment] if grow else [base, segment]

    # ---------------------------------------------------------------------------------- mutation

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, position_id: object) -> bool:
        return position_id in self._row_of

    def position(self, position_id: int) -> PositionRecord:
        return self._records[self._row_of[position_id]]

    def positions(self) -> list[PositionRecord]:
        """The current version of every indexed position, in row order."""
        return [self._records[r] for r in sorted(self._row_of.values())]

    def nbytes(self) -> int:
        """Bytes held by the numpy columns and the text segments (not the records)."""
        text = sum(s.terms.data.nbytes + s.terms.indices.nbytes + s.terms.indptr.nbytes for s in self._segments)
        return self._cols.nbytes() + int(text)

    def _bump(self) -> None:
        self.version += 1
        self._cache.clear()
        self._arrays: dict[Any, I64] = {}
        self._extra_layout: tuple[I64, I64, I64] | None = None
        self._local_cache: tuple[I64, I64, I64, I64] | None = None

    def add(self, position: PositionRecord) -> None:
        """Add a new position (vectorised with the current text space; nothing is refitted)."""
        if position.id in self._row_of:
            raise ValueError(f"position {position.id} is already indexed; use update()")
        self._append(position)
        self._freeze()
        self._bump()

    def update(self, position: PositionRecord) -> None:
        """Replace a position: the old row is tombstoned and a new row appended."""
        old = self._row_of.get(position.id)
        if old is None:
            raise KeyError(position.id)
        self._cols.set(old, "open", False)
        del self._row_of[position.id]
        self._append(position)
        self._freeze()
        self._bump()

    def close(self, position_id: int) -> None:
        """Stop showing a position (its status becomes closed)."""
        row = self._row_of.get(position_id)
        if row is None:
            raise KeyError(position_id)
        self._records[row] = replace(self._records[row], status="closed")
        self._cols.set(row, "open", False)
        self._bump()

    def remove(self, position_id: int) -> None:
        """Drop a position from the index."""
        row = self._row_of.pop(position_id, None)
        if row is None:
            raise KeyError(position_id)
        self._cols.set(row, "open", False)
        self._bump()

    def rebuild(self, *, refit: bool = False) -> None:
        """Compact away superseded rows; with `refit`, refit the text space on catalogs + positions."""
        records = self.positions()
        if refit:
            self.space = _fit_space(self.catalogs, records)
            self.bridge = self._make_bridge()
        self._load(records)

    # --------------------------------------------------------------------------------- graduates

    def _resolve(self, g: GraduateRecord) -> MajorTokens:
        key = (g.major_code, g.major_name, int(g.education))
        hit = self._majors.get(key)
        if hit is None:
            hit = graduate_major(g, self.catalogs.majors)
            if len(self._majors) < 500_000:
                self._majors[key] = hit
        return hit

    def _graduate_places(self, g: GraduateRecord) -> tuple[int, ...]:
        """Place rows of the preferred places, else of the home division, else the null place."""
        codes = g.preferred_places or ((g.home_division,) if g.home_division else ())
        return tuple(self.places.rows(list(codes))) or (0,)

    def _encode(self, g: GraduateRecord, text: Csr | None = None) -> _Graduate:
        major = self._resolve(g)
        return _Graduate(
            record=g,
            major=major,
            code_tok=self._token("m", major.code) if major.code else -1,
            class_tok=self._token("c", major.class_code) if major.class_code else -1,
            disc_tok=self._token("d", major.discipline_code) if major.discipline_code else -1,
            bridge_row=self.bridge.row(major.code) if major.code else -1,
            text=text if text is not None else self.space.transform([graduate_text(g, major.name)]),
            place_rows=self._graduate_places(g),
            home_row=self.places.intern(g.home_division),
            home_code=int(g.home_division) if g.home_division else 0,
            wanted=kinds_mask(g.wanted_kinds),
            expected=float("nan") if g.expected_pay is None else float(g.expected_pay),
        )

    def graduate_table(self, graduates: Iterable[GraduateRecord]) -> GraduateTable:
        """Encode graduates as columns for `rank_graduates` and `rank_batch`."""
        records = list(graduates)
        majors = [self._resolve(g) for g in records]
        place_lists = [self._graduate_places(g) for g in records]
        ptr = np.zeros(len(records) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum([len(p) for p in place_lists])
        text = (
            self.space.transform([graduate_text(g, m.name) for g, m in zip(records, majors, strict=True)])
            if records
            else sp.csr_matrix((0, self.space.n_features), dtype=np.float32)
        )
        n = len(records)

        def col(values: Iterable[Any], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
            return np.fromiter(values, dtype=dtype, count=n)

        return GraduateTable(
            owner=self._tokens,
            records=records,
            majors=majors,
            ids=col((g.id for g in records), np.int64),
            open=col((g.open_to_matching for g in records), np.bool_),
            education=col((int(g.education) for g in records), np.int64),
            birth_year=col((g.birth_date.year if g.birth_date else -1 for g in records), np.int64),
            birth_md=col(
                (g.birth_date.month * 100 + g.birth_date.day if g.birth_date else 0 for g in records),
                np.int64,
            ),
            graduation_year=col((g.graduation_year for g in records), np.int64),
            wanted=col((kinds_mask(g.wanted_kinds) for g in records), np.int64),
            flags=[g.flags for g in records],
            expected=col((np.nan if g.expected_pay is None else g.expected_pay for g in records), np.float64),
            hardship=col((g.hardship for g in records), np.bool_),
            code_tok=col((self._token("m", m.code) if m.code else -1 for m in majors), np.int64),
            class_tok=col((self._token("c", m.class_code) if m.class_code else -1 for m in majors), np.int64),
            disc_tok=col((self._token("d", m.discipline_code) if m.discipline_code else -1 for m in majors), np.int64),
            bridge_row=col((self.bridge.row(m.code) if m.code else -1 for m in majors), np.int64),
            text=text,
            place_ptr=ptr,
            place_rows=np.fromiter((r for p in place_lists for r in p), dtype=np.int64, count=int(ptr[-1])),
            home_row=col((self.places.intern(g.home_division) for g in records), np.int64),
            home_code=col((int(g.home_division) if g.home_division else 0 for g in records), np.int64),
            row_of={g.id: i for i, g in enumerate(records)},
        )

    def _from_table(self, t: GraduateTable, i: int, *, with_text: bool = True) -> _Graduate:
        rec = t.records[i]
        return _Graduate(
            record=rec,
            major=t.majors[i],
            code_tok=int(t.code_tok[i]),
            class_tok=int(t.class_tok[i]),
            disc_tok=int(t.disc_tok[i]),
            bridge_row=int(t.bridge_row[i]),
            text=t.text[i] if with_text else _NO_TEXT,
            place_rows=t.places_of(i),
            home_row=int(t.home_row[i]),
            home_code=int(t.home_code[i]),
            wanted=int(t.wanted[i]),
            expected=float(t.expected[i]),
        )

    # ----------------------------------------------------------- one graduate × every position row

    def _text_scores(self, vector: Csr) -> F32:
        """Cosine of one L2-normalised row vector with every position row."""
        return self._term_scores(vector.indices, vector.data)

    def _term_scores(self, terms: npt.NDArray[np.int32], data: F32) -> F32:
        """Σ weight × position entry over the given terms (sorted), for every position row.

        The postings of the terms are gathered from each term-major segment and summed per position with
        `np.bincount` (float64, in term order), as `row_dots` does for the other direction.
        """
        self._freeze(force=True)
        out = np.zeros(self._cols.n, dtype=np.float32)
        if terms.size == 0:
            return out
        weights = np.asarray(data, dtype=np.float32)
        for seg in self._segments:
            m = seg.terms
            starts = m.indptr[terms].astype(np.int64)
            lengths = m.indptr[terms + 1].astype(np.int64) - starts
            total = int(lengths.sum())
            if total == 0:
                continue
            offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
            at = np.arange(total, dtype=np.int64) + offsets
            products = m.data[at] * np.repeat(weights, lengths)
            sums = np.bincount(m.indices[at], weights=products, minlength=seg.stop - seg.start)
            out[seg.start : seg.stop] = sums
        return out

    def _rows_of(self, postings: dict[Any, list[int]], key: Any) -> I64:
        cache_key = (id(postings), key)
        hit = self._arrays.get(cache_key)
        if hit is None:
            hit = np.asarray(postings.get(key, ()), dtype=np.int64)
            self._arrays[cache_key] = hit
        return hit

    def _weighted(self, name: str, raw: F32) -> tuple[F32, F32]:
        return raw, np.float32(getattr(self._weights, name)) * raw

    def _major_part(self, g: _Graduate) -> tuple[F32, F32, Bool]:
        """(major feature, its weighted value, major rule passes) for every row."""

        def make() -> tuple[F32, F32, Bool]:
            n = self._cols.n
            hits = []
            for tok in (g.code_tok, g.class_tok, g.disc_tok):
                mask = np.zeros(n, dtype=np.bool_)
                if tok >= 0:
                    mask[self._rows_of(self._postings, tok)] = True
                hits.append(mask)
            exact, in_class, in_disc = hits
            restricted = self._cols["restricted"]
            raw, weighted = self._weighted("major", major_score(exact, in_class, in_disc, restricted))
            return raw, weighted, ~restricted | exact | in_class | in_disc

        return self._cache.get(("major", g.code_tok, g.class_tok, g.disc_tok), make)

    def _occupation_part(self, bridge_row: int) -> tuple[F32, F32]:
        def make() -> tuple[F32, F32]:
            if bridge_row < 0:
                return self._weighted("occupation", np.zeros(self._cols.n, dtype=np.float32))
            cos = self._text_scores(self.bridge.profiles[bridge_row])
            occ = scaled_cosine(cos, OCCUPATION_SCALE)
            for small in self.bridge.small_classes[bridge_row]:
                rows = self._rows_of(self._small_postings, small)
                occ[rows] = np.maximum(occ[rows], np.float32(OCCUPATION_SMALL_CLASS))
            for code in self.bridge.exact_codes[bridge_row]:
                occ[self._rows_of(self._occ_postings, code)] = np.float32(OCCUPATION_CODE)
            return self._weighted("occupation", occ)

        return self._cache.get(("occupation", bridge_row), make)

    def _gather_places(self, table: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Best value of `table` (indexed by place row) over each position's places."""
        out: npt.NDArray[Any] = table[self._cols["place"]]
        if self._extra_row:
            if self._extra_layout is None:
                rows = np.asarray(self._extra_row, dtype=np.int64)
                order = np.argsort(rows, kind="stable")
                rows = rows[order]
                unique, starts = np.unique(rows, return_index=True)
                self._extra_layout = (unique, starts, np.asarray(self._extra_place, dtype=np.int64)[order])
            unique, starts, places = self._extra_layout
            out[unique] = np.maximum(out[unique], np.maximum.reduceat(table[places], starts))
        return out

    def _local_layout(self) -> tuple[I64, I64, I64, I64]:
        """Rows wanting locals, and their extra places as (index into those rows, starts, place rows)."""
        hit = self._local_cache
        if hit is None:
            rows = np.flatnonzero(self._cols["local"] > 0)
            extra_row = np.asarray(self._extra_row, dtype=np.int64)
            extra_place = np.asarray(self._extra_place, dtype=np.int64)
            keep = np.isin(extra_row, rows)
            order = np.argsort(extra_row[keep], kind="stable")
            sub_rows, sub_places = extra_row[keep][order], extra_place[keep][order]
            unique, starts = np.unique(sub_rows, return_index=True)
            hit = (rows, np.searchsorted(rows, unique), starts, sub_places)
            self._local_cache = hit
        return hit

    def _gather_local(self, table: F32) -> F32:
        """`_gather_places` for the rows wanting locals only."""
        rows, at, starts, places = self._local_layout()
        out: F32 = table[self._cols["place"][rows]]
        if places.size:
            out[at] = np.maximum(out[at], np.maximum.reduceat(table[places], starts))
        return out

    def _place_part(self, g: _Graduate) -> F32:
        with_home = bool(self._local_row) and g.home_row > 0 and g.home_row not in g.place_rows

        def make() -> F32:
            place = self._gather_places(self.places.table(list(g.place_rows), graduate_side=True))
            if with_home:
                table = self.places.table([*g.place_rows, g.home_row], graduate_side=True)
                place[self._local_layout()[0]] = self._gather_local(table)
            return np.asarray(place, dtype=np.float32)

        return self._cache.get(("place", g.place_rows, g.home_row if with_home else 0), make)

    def _cached_array(self, name: str, make: Callable[[], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        hit = self._arrays.get(name)
        if hit is None:
            hit = make()
            self._arrays[name] = hit
        return hit

    def _pay_part(self, expected: float) -> tuple[F32, F32]:
        def make() -> tuple[F32, F32]:
            lo = np.asarray(self._pay_lo, dtype=np.float64)
            hi = np.asarray(self._pay_hi, dtype=np.float64)
            return self._weighted("pay", pay_score(expected, lo, hi).astype(np.float32)[self._cols["pay_group"]])

        return self._cache.get(("pay", expected if expected == expected else None), make)

    def _kind_part(self, wanted: int) -> tuple[F32, F32, Bool]:
        def make() -> tuple[F32, F32, Bool]:
            kind = self._cols["kind"]
            table = kind_score(wanted, _KIND_BIT_ARRAY).astype(np.float32)
            ok = ~fails_kind(_KIND_BIT_ARRAY, wanted)
            return (*self._weighted("kind", table[kind]), ok[kind])

        return self._cache.get(("kind", wanted), make)

    def _freshness_part(self, day: int) -> tuple[F32, F32]:
        opened = self._cols["opened"]
        return self._cache.get(
            ("freshness", day),
            lambda: self._weighted("freshness", freshness_score(opened, day).astype(np.float32)),
        )

    def _hardship_part(self, hardship: bool) -> tuple[F32, F32]:
        priority = self._cols["priority"]
        return self._cache.get(
            ("hardship", hardship),
            lambda: self._weighted("hardship", hardship_score(hardship, priority).astype(np.float32)),
        )

    def _score(self, g: _Graduate, today: date, text_cos: F32 | None = None) -> tuple[F32, dict[str, F32]]:
        """(score of every row, raw feature arrays). The sum runs in `FEATURES` order, as `_combine` does."""
        cos = self._text_scores(g.text) if text_cos is None else text_cos
        major = self._major_part(g)
        occupation = self._occupation_part(g.bridge_row)
        text = scaled_cosine(cos, TEXT_SCALE)
        place = self._place_part(g)
        pay = self._pay_part(g.expected)
        kind = self._kind_part(g.wanted)
        freshness = self._freshness_part(today.toordinal())
        hardship = self._hardship_part(g.record.hardship)
        w = self._weights
        out = major[1] + occupation[1]
        buf = np.multiply(np.float32(w.text), text)
        np.add(out, buf, out=out)
        np.multiply(np.float32(w.place), place, out=buf)
        np.add(out, buf, out=out)
        for part in (pay, kind, freshness, hardship):
            np.add(out, part[1], out=out)
        feats = {
            "major": major[0],
            "occupation": occupation[0],
            "text": text,
            "place": place,
            "pay": pay[0],
            "kind": kind[0],
            "freshness": freshness[0],
            "hardship": hardship[0],
        }
        return out, feats

    def _eligible(self, g: _Graduate, today: date) -> Bool:
        """Rows the graduate may take (every hard rule passes)."""
        cols = self._cols
        rec = g.record
        if not rec.open_to_matching:
            return np.zeros(cols.n, dtype=np.bool_)
        day = today.toordinal()
        edu = int(rec.education)
        age = -1 if rec.birth_date is None else age_on(rec.birth_date, today)
        held = np.uint64(self._flag_bits(rec.flags, intern=False))
        get = self._cache.get
        static = get(
            ("static", day),
            lambda: (
                ~(
                    fails_status(cols["open"])
                    | fails_employer(cols["verified"])
                    | fails_deadline(cols["deadline"], day)
                    | fails_headcount(cols["full"])
                )
            ),
        )
        education = get(
            ("education", edu),
            lambda: ~(fails_education(cols["min_edu"], edu) | fails_education_levels(cols["edu_levels"], edu)),
        )
        age_ok = get(("age", age), lambda: ~fails_age(cols["max_age"], age))
        year = rec.graduation_year
        grad_ok = get(("graduation", year), lambda: ~fails_graduation(cols["grad_min"], cols["grad_max"], year))
        flags_ok = get(("flags", int(held)), lambda: ~fails_flags(cols["flags"], held))
        hukou_ok = get(("hukou", g.home_code), lambda: self._hukou_ok(g.home_code))
        out = static & education
        for mask in (
            age_ok,
            grad_ok,
            flags_ok,
            hukou_ok,
            self._kind_part(g.wanted)[2],
            self._major_part(g)[2],
        ):
            np.logical_and(out, mask, out=out)
        return out

    def _hukou_ok(self, home_code: int) -> Bool:
        ok: Bool = self._cols["local"] == 0
        if self._local_row and home_code > 0:
            row = self._cached_array("local_row", lambda: np.asarray(self._local_row, dtype=np.int64))
            code = self._cached_array("local_code", lambda: np.asarray(self._local_code, dtype=np.int64))
            div = self._cached_array("local_div", lambda: np.asarray(self._local_div, dtype=np.int64))
            ok[row[code == home_code // div]] = True
        return ok

    def score_positions(self, graduate: GraduateRecord, *, today: date | None = None) -> tuple[F32, Bool, I64]:
        """(score, eligible, position id) for every row; superseded rows are never eligible."""
        day = today or date.today()
        g = self._encode(graduate)
        return self._score(g, day)[0], self._eligible(g, day), self._cols["id"].copy()

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
        scores, feats = self._score(g, day)
        eligible = self._eligible(g, day)
        if kinds is not None:
            eligible = eligible & ((self._cols["kind_bit"] & kinds_mask(kinds)) != 0)
        if places is not None:
            eligible = eligible & self._within(list(places))
        rows = top_k(scores, eligible, self._cols["id"], k)
        values = [{name: float(feats[name][r]) for name in FEATURES} for r in rows]
        return self._matches(
            [int(r) for r in rows], [g] * len(rows), values, [float(scores[r]) for r in rows], day, explain
        )

    def _within(self, areas: list[str]) -> Bool:
        rows = self.places.rows(areas)
        code = self.places.code
        inside = np.zeros(len(self.places), dtype=np.bool_)
        for r in rows:
            a = int(code[r])
            if a % 10000 == 0:
                inside |= code // 10000 == a // 10000
            elif a % 100 == 0:
                inside |= code // 100 == a // 100
            else:
                inside |= code == a
        inside[0] = False
        return np.asarray(self._gather_places(inside), dtype=np.bool_)

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
        scores = _combine(feats, self.weights)
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
        return _combine(feats, self.weights), eligible

    def _graduate_side(self, position_id: int, t: GraduateTable, today: date) -> tuple[dict[str, F32], Bool]:
        if t.owner is not self._tokens:
            raise ValueError("graduate table was built by another index; use index.graduate_table()")
        row = self._row_of.get(position_id)
        if row is None:
            raise KeyError(position_id)
        p = self._records[row]
        cols = self._cols
        n = len(t)
        vec = self.space.transform([position_text(p)])
        dense = np.zeros(self.space.n_features, dtype=np.float32)
        dense[vec.indices] = vec.data
        codes = [self._tokens[f"m:{c}"] for c in position_major_codes(p, self.catalogs.majors)]
        classes = [self._tokens[f"c:{normalize_code(c)}"] for c in p.major_classes]
        discs = [self._tokens[f"d:{normalize_code(d)}"] for d in p.disciplines]
        exact = np.isin(t.code_tok, codes) & (t.code_tok >= 0)
        in_class = np.isin(t.class_tok, classes) & (t.class_tok >= 0)
        in_disc = np.isin(t.disc_tok, discs) & (t.disc_tok >= 0)
        restricted = bool(cols["restricted"][row])
        # occupation: every major profile against this position, then gathered per graduate
        bridge_occ = scaled_cosine(row_dots(self.bridge.profiles, dense), OCCUPATION_SCALE)
        for small in {small_class_of(o.strip()) for o in p.occupations}:
            hit = self._bridge_by_small.get(small)
            if hit is not None:
                bridge_occ[hit] = np.maximum(bridge_occ[hit], np.float32(OCCUPATION_SMALL_CLASS))
        for code in {o.strip() for o in p.occupations}:
            hit = self._bridge_by_code.get(code)
            if hit is not None:
                bridge_occ[hit] = np.float32(OCCUPATION_CODE)
        occupation = np.where(t.bridge_row >= 0, bridge_occ[np.maximum(t.bridge_row, 0)], np.float32(0.0))
        # place: this position's places against every place row, gathered per graduate
        prows = self.places.rows(list(p.places))
        if p.remote or not prows:
            prows.append(REMOTE_ROW)
        table = self.places.table(prows, graduate_side=False)
        ptr = t.place_ptr
        counts = np.diff(ptr)
        place = np.zeros(n, dtype=np.float32)
        has = counts > 0
        if t.place_rows.size:
            place[has] = np.maximum.reduceat(table[t.place_rows], ptr[:-1][has])
        if p.requires_local_hukou:
            place = np.maximum(place, table[t.home_row])
        lo = np.asarray(self._pay_lo, dtype=np.float64)
        hi = np.asarray(self._pay_hi, dtype=np.float64)
        group = int(cols["pay_group"][row])
        feats = {
            "major": major_score(exact, in_class, in_disc, restricted).astype(np.float32),
            "occupation": occupation.astype(np.float32),
            "text": scaled_cosine(row_dots(t.text, dense), TEXT_SCALE),
            "place": place.astype(np.float32),
            "pay": pay_score(t.expected, lo[group], hi[group]).astype(np.float32),
            "kind": kind_score(t.wanted, int(cols["kind_bit"][row])).astype(np.float32),
            "freshness": np.full(n, freshness_score(int(cols["opened"][row]), today.toordinal()), dtype=np.float32),
            "hardship": hardship_score(t.hardship, bool(cols["priority"][row])).astype(np.float32),
        }
        hukou_ok = np.full(n, not p.requires_local_hukou, dtype=np.bool_)
        if p.requires_local_hukou:
            div = 10000 if p.hukou_scope == "province" else 100
            for place_code in p.places:
                hukou_ok |= (t.home_code // div == int(place_code) // div) & (t.home_code > 0)
        held = np.fromiter((self._flag_bits(f, intern=False) for f in t.flags), dtype=np.uint64, count=n)
        masks = failing_masks(
            graduate_open=t.open,
            position_open=bool(cols["open"][row]),
            employer_verified=bool(cols["verified"][row]),
            deadline_day=int(cols["deadline"][row]),
            full=bool(cols["full"][row]),
            kind_bit=int(cols["kind_bit"][row]),
            wanted_kinds=t.wanted,
            min_education=int(cols["min_edu"][row]),
            education=t.education,
            education_levels=int(cols["edu_levels"][row]),
            max_age=int(cols["max_age"][row]),
            age=t.ages(today),
            graduation_min=int(cols["grad_min"][row]),
            graduation_max=int(cols["grad_max"][row]),
            graduation_year=t.graduation_year,
            major_ok=~np.full(n, restricted) | exact | in_class | in_disc,
            hukou_ok=hukou_ok,
            required_flags=np.uint64(int(cols["flags"][row])),
            held_flags=held,
            today_day=today.toordinal(),
        )
        eligible = np.broadcast_to(~any_failing(masks), (n,)).copy()
        return feats, eligible

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
        graduates: list[_Graduate],
        values: list[dict[str, float]],
        scores: list[float],
        today: date,
        explain: bool,
    ) -> list[Match]:
        if not explain:
            return [
                Match(self._records[r].id, g.record.id, s, v, [], [])
                for r, g, v, s in zip(rows, graduates, values, scores, strict=True)
            ]
        out = []
        for r, g, v, s in zip(rows, graduates, values, scores, strict=True):
            p = self._records[r]
            ranked = _explain.ranked_features(v, self.weights)
            facts = self._facts(p, g, v, today, ranked)
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

    def _facts(
        self, p: PositionRecord, g: _Graduate, values: dict[str, float], today: date, ranked: list[str]
    ) -> _explain.PairFacts:
        majors = self.catalogs.majors
        m = g.major
        codes = set(position_major_codes(p, majors))
        classes = {normalize_code(c) for c in p.major_classes}
        discs = {normalize_code(d) for d in p.disciplines}
        level: _explain.MajorLevelMatch = "none"
        if m.code and m.code in codes:
            level = "exact"
        elif m.class_code and m.class_code in classes:
            level = "class"
        elif m.discipline_code and m.discipline_code in discs:
            level = "discipline"
        elif not (codes or classes or discs):
            level = "any"
        wanted = ranked[: _explain.MAX_REASONS + 2]
        occ_name, by_code, small, via = (
            self._occupation_fact(p, m)
            if "occupation" in wanted and values["occupation"] >= _explain.MIN_OCCUPATION
            else ("", "", "", "")
        )
        rel, p_code, g_code, is_home, distance = (
            self._place_fact(p, g) if "place" in wanted else ("none", "", "", False, None)
        )
        return _explain.PairFacts(
            major_name=m.name,
            major_match=level,
            class_name=majors.class_label(m.class_code),
            discipline_name=majors.discipline_label(m.discipline_code),
            occupation_name=occ_name,
            occupation_by_code=by_code,
            occupation_small_class=small,
            orientation_via=via,
            shared_terms=_shared_terms(g.record, p) if values["text"] > 0 and "text" in wanted else (),
            place_relation=rel,
            place_code=p_code,
            wanted_place_code=g_code,
            place_is_home=is_home,
            distance_km=distance,
            remote=p.remote,
            pay_min=p.pay_min,
            pay_max=p.pay_max,
            expected_pay=g.record.expected_pay,
            kind=p.kind,
            kind_named=p.kind in g.record.wanted_kinds,
            days_open=None if p.opened is None else max(0, (today - p.opened).days),
            hardship_priority=p.hardship_priority,
            graduate_hardship=g.record.hardship,
        )

    def _occupation_fact(self, p: PositionRecord, m: MajorTokens) -> tuple[str, _explain.OccupationCodeMatch, str, str]:
        """(occupation name, how a CSCO code matched, shared 小类 name, majors the orientation came from).

        The occupation named is, in this order: one whose CSCO code the position carries; one sharing its
        小类; the one with the longest name or alias title found in the position's title or description;
        the one whose vector is nearest the position's.
        """
        orient = self.catalogs.orientations.get(m.code)
        row = self.bridge.row(m.code)
        if orient is None or row < 0 or not orient.occupations:
            return "", "", "", ""
        occs = self.catalogs.occupations
        via = ""
        if not orient.official:
            names = [self.catalogs.majors.majors[c].name for c, _ in orient.via if c in self.catalogs.majors.majors]
            via = "、".join(list(dict.fromkeys(names))[:2])

        def name(code: str) -> str:
            occ = occs.get(code)
            return occ.name if occ else code

        codes = {o.strip() for o in p.occupations}
        for code in self.bridge.exact_codes[row]:
            if code in codes:
                return name(code), "exact", "", via
        smalls = {small_class_of(c) for c in codes}
        for code in orient.occupations:
            if small_class_of(code) in smalls:
                return name(code), "small", name(small_class_of(code)), via
        haystack = f"{p.title} {p.description}".lower()
        best_len, best_code = 0, ""
        for code in orient.occupations:
            for term in self._occupation_terms(code):
                if len(term) > best_len and term in haystack:
                    best_len, best_code = len(term), code
        if best_code:
            return name(best_code), "", "", via
        known = [c for c in orient.occupations if c in self.bridge.occupation_rows]
        if not known:
            return "", "", "", via
        vector = self.space.transform([position_text(p)])
        dense = np.zeros(self.space.n_features, dtype=np.float32)
        dense[vector.indices] = vector.data
        sims = [float(data @ dense[idx]) for idx, data in (self._occupation_vector(c) for c in known)]
        best = int(np.argmax(sims))
        if sims[best] <= 0:
            return "", "", "", via
        return name(known[best]), "", "", via

    def _occupation_vector(self, code: str) -> tuple[npt.NDArray[np.int32], F32]:
        hit = self._occ_vectors.get(code)
        if hit is None:
            row = self.bridge.occupation_vectors[self.bridge.occupation_rows[code]]
            hit = (np.asarray(row.indices, dtype=np.int32), np.asarray(row.data, dtype=np.float32))
            self._occ_vectors[code] = hit
        return hit

    def _occupation_terms(self, code: str) -> tuple[str, ...]:
        terms = self._occ_terms.get(code)
        if terms is None:
            occ = self.catalogs.occupations.get(code)
            found = [occ.name, *occ.aliases] if occ else []
            for child in self.catalogs.occupations.children.get(code, ()):
                kid = self.catalogs.occupations.get(child)
                if kid is not None:
                    found.append(kid.name)
            terms = tuple(dict.fromkeys(t.lower() for t in found if len(t) >= 2))
            self._occ_terms[code] = terms
        return terms

    def _place_fact(
        self, p: PositionRecord, g: _Graduate
    ) -> tuple[_explain.PlaceRelation, str, str, bool, float | None]:
        """(relation, position place, graduate place, that place is the home division, distance)."""
        candidates = [(r, False) for r in g.place_rows]
        if p.requires_local_hukou and g.home_row and g.home_row not in g.place_rows:
            candidates.append((g.home_row, True))
        best: tuple[float, int, int, bool] | None = None
        for prow in self.places.rows(list(p.places)):
            for grow, is_home in candidates:
                value = self.places.affinity_of(grow, prow)
                if best is None or value > best[0]:
                    best = (value, grow, prow, is_home)
        if (p.remote or not p.places) and (best is None or best[0] < PLACE_REMOTE):
            return "remote", "", "", False, None
        if best is None or best[0] <= 0:
            return "none", "", "", False, None
        _, grow, prow, is_home = best
        rel = self.places.relation(grow, prow)
        g_code, p_code = self.places.code_of(grow), self.places.code_of(prow)
        is_home = is_home or (not g.record.preferred_places and g_code == g.record.home_division)
        distance = self.catalogs.gazetteer.distance_km(g_code, p_code) if rel == "far" else None
        return rel, p_code, g_code, is_home, distance


_FORK_STATE: tuple[MatchIndex, GraduateTable, int, date, int] | None = None
_NO_TEXT: Final = sp.csr_matrix((1, 1), dtype=np.float32)


def _batch_worker(rows: I64) -> tuple[I64, F32]:
    state = _FORK_STATE
    if state is None:
        raise RuntimeError("batch worker started without shared state")
    index, table, k, day, chunk = state
    return index._batch_rows(table, rows, k, day, chunk)


def row_dots(matrix: Csr, dense: F32) -> F32:
    """Each CSR row · a dense vector: float32 products summed per row in float64, in column order."""
    products = matrix.data * dense[matrix.indices]
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    return np.bincount(rows, weights=products, minlength=matrix.shape[0]).astype(np.float32)


def _invert(lists: Sequence[tuple[str, ...]]) -> dict[str, I64]:
    out: dict[str, list[int]] = {}
    for row, keys in enumerate(lists):
        for key in keys:
            out.setdefault(key, []).append(row)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _fit_space(catalogs: Catalogs, records: Sequence[PositionRecord]) -> TextSpace:
    """A space fitted on the catalogs and (up to 20,000 of) the positions."""
    step = max(1, len(records) // 20_000)
    corpus = [*catalog_corpus(catalogs), *(position_text(p) for p in records[::step])]
    return TextSpace.fit(corpus, max_df=DEFAULT_MAX_DF)


def _combine(feats: dict[str, F32], weights: Weights) -> F32:
    """Σ weight × feature in `FEATURES` order, float32: the same operations as `MatchIndex._score`."""
    terms = [np.float32(getattr(weights, name)) * np.asarray(feats[name], dtype=np.float32) for name in FEATURES]
    out = terms[0] + terms[1]
    for term in terms[2:]:
        np.add(out, term, out=out)
    return out


def _shared_terms(graduate: GraduateRecord, position: PositionRecord, limit: int = 3) -> tuple[str, ...]:
    """Skill or wish words of the graduate that occur in the position's title or description."""
    haystack = f"{position.title} {position.description}".lower()
    words = _WORD_SPLIT.split(f"{graduate.skills} {graduate.wishes}")
    found = [w for w in dict.fromkeys(w.strip() for w in words) if len(w) >= 2 and w.lower() in haystack]
    return tuple(found[:limit])


def top_k(scores: F32, eligible: Bool, ids: I64, k: int) -> I64:
    """Rows of the k best eligible scores, ordered by (score desc, id asc).

    The k-th best score of a strided sample of the eligible rows (every 16th) is a lower bound for the k-th
    best overall, so the rows at or above it hold the answer; they are few, and sorted. (A sort of the
    sample is used rather than `argpartition`/`partition`, whose introselect degrades badly on the many
    equal scores a catalog produces: measured 28 ms against 0.05 ms on 100k rows.)
    """
    if k <= 0 or scores.size == 0:
        return np.empty(0, dtype=np.int64)
    cand: I64
    sample = scores[::_SAMPLE_STEP][eligible[::_SAMPLE_STEP]]
    if sample.size >= k:
        threshold = np.sort(sample)[sample.size - k]
        above = scores >= threshold
        np.logical_and(above, eligible, out=above)
        cand = np.flatnonzero(above)
    else:
        cand = np.flatnonzero(eligible)
    if cand.size > 4096:
        vals = scores[cand]
        cand = cand[vals >= np.sort(vals)[vals.size - k]]
    order = np.lexsort((ids[cand], -scores[cand]))
    return cand[order[:k]]
