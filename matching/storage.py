"""Positions as column arrays: one row per position version, plus term-major text segments.

`PositionStore` holds the numpy columns of every indexed position, the postings of major tokens and
occupation codes, pay groups and place layouts, and an inverted text index (term × position CSR) in
segments: the segment built at construction and small segments frozen from added or updated rows.
`update` tombstones the old row and appends a new one; `close` flips the row's open flag; neither refits
the text space. `rebuild(refit=...)` compacts (and optionally refits).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.catalogs import Catalogs, middle_class_of, normalize_code, small_class_of
from matching.features import REMOTE_ROW, PlaceSpace, Weights
from matching.records import KINDS, PositionRecord, PositionRecords
from matching.rules import NO_DAY, NO_DEADLINE, MajorTokens, position_major_codes
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


def position_text(position: PositionRecord) -> str:
    """Title twice (titles carry the occupation) and the description."""
    return f"{position.title} {position.title} {position.description}"


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


class PositionStore:
    """The positions of an index as columns, postings and text segments (see the module docstring)."""

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
        self._majors: dict[tuple[str, str, int, str], MajorTokens] = {}
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
                "kind_bit": (np.int8, 0),
                "min_edu": (np.int8, 0),
                "edu_levels": (np.int8, 0),
                "max_age": (np.int16, -1),
                "grad_min": (np.int16, -1),
                "grad_max": (np.int16, -1),
                "deadline": (np.int32, NO_DEADLINE),
                "opened": (np.int32, NO_DAY),
                "starts": (np.int32, NO_DAY),
                "full": (np.bool_, False),
                "pay_group": (np.int64, 0),
                "priority": (np.bool_, False),
                "flags": (np.uint64, 0),
                "local": (np.int8, 0),
                "restricted": (np.bool_, False),
                "place": (np.int64, 0),
                "remote": (np.bool_, False),
                "text": (np.int64, 0),
            },
            capacity=max(1024, len(records)),
        )
        self._records = PositionRecords(len(records))
        self._row_of: dict[int, int] = {}
        self._extra_row = array("q")
        self._extra_place = array("q")
        self._local_row = array("q")
        self._local_code = array("q")
        self._local_div = array("q")
        self._postings: dict[int, array[int]] = {}
        self._occ_postings: dict[str, array[int]] = {}
        self._small_postings: dict[str, array[int]] = {}
        self._middle_postings: dict[str, array[int]] = {}
        # a text shared by several positions (same title and description) is vectorised and stored once
        self._text_of: dict[tuple[str, str], int] = {}
        self._pay_groups: dict[tuple[float, float], int] = {}
        self._pay_lo: list[float] = [np.nan]
        self._pay_hi: list[float] = [np.nan]
        self._segments: list[_Segment] = []
        self._pending: list[str] = []
        self._pending_start = 0
        self._n_texts = 0
        self._bridge_by_small = _invert(self.bridge.small_classes)
        self._bridge_by_middle = _invert(self.bridge.middle_classes)
        self._bridge_by_code = _invert_valued(self.bridge.exact_codes, self.bridge.code_values)
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
                "starts": NO_DAY if p.starts is None else p.starts.toordinal(),
                "full": p.headcount is not None and p.filled >= p.headcount,
                "pay_group": self._pay_group(p.pay_min, p.pay_max),
                "priority": p.hardship_priority,
                "flags": self._flag_bits(p.required_flags, intern=True),
                "local": 0 if not p.requires_local_hukou else (1 if p.hukou_scope == "province" else 2),
                "restricted": bool(p.majors or p.major_classes or p.disciplines),
                "place": place_rows[0],
                "remote": p.remote or not p.places,
                "text": self._text_id(p),
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
            self._postings.setdefault(tok, array("q")).append(row)
        for occ in {o.strip() for o in p.occupations}:
            self._occ_postings.setdefault(occ, array("q")).append(row)
        for small in {small_class_of(o.strip()) for o in p.occupations}:
            self._small_postings.setdefault(small, array("q")).append(row)
        for middle in {middle_class_of(o.strip()) for o in p.occupations}:
            self._middle_postings.setdefault(middle, array("q")).append(row)
        self._records.append(p)
        self._row_of[p.id] = row
        return row

    def _text_id(self, p: PositionRecord) -> int:
        """The id of the position's text (title and description), a new one for a text not seen yet."""
        key = (p.title, p.description)
        text = self._text_of.get(key)
        if text is None:
            text = self._n_texts
            self._n_texts += 1
            self._text_of[key] = text
            self._pending.append(position_text(p))
        return text

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
        self._pending_start = self._n_texts
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
        return self._records.get(self._row_of[position_id])

    def positions(self) -> list[PositionRecord]:
        """The current version of every indexed position, in row order."""
        return [self._records.get(r) for r in sorted(self._row_of.values())]

    def nbytes(self) -> int:
        """Bytes held by the numpy columns and the text segments (not the records' columns and values)."""
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
        self._records.set_status(row, "closed")
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

    # ------------------------------------------------------------------- gathers over position rows

    def _text_scores(self, vector: Csr) -> F32:
        """Cosine of one L2-normalised row vector with every position row."""
        return self._term_scores(vector.indices, vector.data)

    def _term_scores(self, terms: npt.NDArray[np.int32], data: F32) -> F32:
        """Σ weight × position entry over the given terms (sorted), for every position row."""
        out: F32 = self._text_term_scores(terms, data)[self._cols["text"]]
        return out

    def _text_term_scores(self, terms: npt.NDArray[np.int32], data: F32) -> F32:
        """Σ weight × text entry over the given terms (sorted), for every distinct position text.

        The postings of the terms are gathered from each term-major segment and summed per text with
        `np.bincount` (float64, in term order), as `row_dots` does for the other direction.
        """
        self._freeze(force=True)
        out = np.zeros(self._n_texts, dtype=np.float32)
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

    def _rows_of(self, postings: dict[Any, array[int]], key: Any) -> I64:
        cache_key = (id(postings), key)
        hit = self._arrays.get(cache_key)
        if hit is None:
            hit = np.array(postings.get(key, ()), dtype=np.int64)
            self._arrays[cache_key] = hit
        return hit

    def _gather_places(self, table: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Best value of `table` (indexed by place row) over each position's places."""
        out: npt.NDArray[Any] = table[self._cols["place"]]
        if self._extra_row:
            unique, starts, places = self._extra_places()
            out[unique] = np.maximum(out[unique], np.maximum.reduceat(table[places], starts))
        return out

    def _extra_places(self) -> tuple[I64, I64, I64]:
        """Rows with more than one place (ascending), the start of each in `places`, the extra place rows."""
        if self._extra_layout is None:
            rows = np.array(self._extra_row, dtype=np.int64)
            order = np.argsort(rows, kind="stable")
            rows = rows[order]
            unique, starts = np.unique(rows, return_index=True)
            self._extra_layout = (unique, starts, np.array(self._extra_place, dtype=np.int64)[order])
        return self._extra_layout

    def _local_layout(self) -> tuple[I64, I64, I64, I64]:
        """Rows wanting locals, and their extra places as (index into those rows, starts, place rows)."""
        hit = self._local_cache
        if hit is None:
            rows = np.flatnonzero(self._cols["local"] > 0)
            extra_row = np.array(self._extra_row, dtype=np.int64)
            extra_place = np.array(self._extra_place, dtype=np.int64)
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

    def _cached_array(self, name: str, make: Callable[[], npt.NDArray[Any]]) -> npt.NDArray[Any]:
        hit = self._arrays.get(name)
        if hit is None:
            hit = make()
            self._arrays[name] = hit
        return hit


def _invert(lists: Sequence[tuple[str, ...]]) -> dict[str, I64]:
    out: dict[str, list[int]] = {}
    for row, keys in enumerate(lists):
        for key in keys:
            out.setdefault(key, []).append(row)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _invert_valued(
    lists: Sequence[tuple[str, ...]], values_of: Sequence[tuple[float, ...]]
) -> dict[str, tuple[I64, F32]]:
    """Code → (the bridge rows that link to it, the occupation feature of each link)."""
    rows: dict[str, list[int]] = {}
    values: dict[str, list[float]] = {}
    for row, (keys, linked) in enumerate(zip(lists, values_of, strict=True)):
        for key, value in zip(keys, linked, strict=True):
            rows.setdefault(key, []).append(row)
            values.setdefault(key, []).append(value)
    return {k: (np.asarray(v, dtype=np.int64), np.asarray(values[k], dtype=np.float32)) for k, v in rows.items()}


def _fit_space(catalogs: Catalogs, records: Sequence[PositionRecord]) -> TextSpace:
    """A space fitted on the catalogs and (up to 20,000 of) the positions."""
    step = max(1, len(records) // 20_000)
    corpus = [*catalog_corpus(catalogs), *(position_text(p) for p in records[::step])]
    return TextSpace.fit(corpus, max_df=DEFAULT_MAX_DF)
