"""Graduates encoded against an index: one graduate (`EncodedGraduate`) or many as columns (`GraduateTable`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.features import PRIORITY_CODES
from matching.records import GraduateRecord
from matching.rules import MajorTokens, graduate_major
from matching.storage import I64, KIND_BITS, Bool, PositionStore
from matching.text import Csr

_NO_TEXT: Final = sp.csr_matrix((1, 1), dtype=np.float32)


def kinds_mask(kinds: Iterable[str]) -> int:
    """Bit mask of position kinds (0 for none)."""
    mask = 0
    for k in kinds:
        if k not in KIND_BITS:
            raise ValueError(f"unknown position kind {k!r}")
        mask |= KIND_BITS[k]
    return mask


def graduate_text(graduate: GraduateRecord, major_name: str) -> str:
    """Major name, skills and wishes."""
    return f"{major_name or graduate.major_name} {graduate.skills} {graduate.wishes}"


@dataclass(slots=True)
class EncodedGraduate:
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
    priority: I64
    in_school: Bool
    graduation_day: I64
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


class GraduateEncoding(PositionStore):
    """Encodes graduates with the tokens, bridge rows and place rows of the positions' store."""

    def _resolve(self, g: GraduateRecord) -> MajorTokens:
        key = (g.major_code, g.major_name, int(g.education), g.school_kind or "")
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

    def _encode(self, g: GraduateRecord, text: Csr | None = None) -> EncodedGraduate:
        major = self._resolve(g)
        return EncodedGraduate(
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
            priority=col((PRIORITY_CODES[g.priority] for g in records), np.int64),
            in_school=col((g.in_school for g in records), np.bool_),
            graduation_day=col((g.graduation_date.toordinal() if g.graduation_date else -1 for g in records), np.int64),
            row_of={g.id: i for i, g in enumerate(records)},
        )

    def _from_table(self, t: GraduateTable, i: int, *, with_text: bool = True) -> EncodedGraduate:
        rec = t.records[i]
        return EncodedGraduate(
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
