"""Named features in [0, 1], computed elementwise over numpy arrays, and the `Weights` that combine them.

Every feature function broadcasts: the graduate side may be a scalar and the position side an array
(rank positions) or the other way round (rank graduates); both directions evaluate the same arithmetic per
pair, so a pair scores the same either way. Only +, −, ×, ÷ and sqrt are used, which IEEE rounds exactly,
so results do not depend on array length or SIMD path.

Features (`FEATURES`, in summation order):

- ``major``: the graduate's major against the position's major requirement — exact major 1.0, a listed
  class 0.8, a listed discipline 0.5, a position open to any major 0.3.
- ``occupation``: the fit of field, in bands — 0.85 + 0.15 × the link's strength when a CSCO occupation of
  the position (stated, confirmed or inferred from its title) is one of the major's occupations (1.0 for an
  official 职业面向 link, 0.85–0.985 for a derived one, see `matching.catalogs`), 0.7 when it shares their
  小类, 0.45 when it shares their 中类, else the cosine of the major's occupation profile (see
  `matching.text`) with the position text, scaled by 1/0.25 and capped at 0.35, so text similarity never
  reaches a band.
- ``text``: cosine of graduate text (major name, skills, wishes) with position text (title, description),
  scaled by 1/0.3 and capped at 1.
- ``place``: best pair of graduate place (preferred places, else home; plus home for programs that want
  locals) and position place: same or inside the wanted area 1.0, same city 0.8, same province 0.55, else
  0.4 / (1 + d / 200 km) with d the chord distance between centroids; remote positions 0.6.
- ``pay``: lowest pay at or above the expectation 1.0, range reaching it 0.75, below it falling linearly
  from 0.6 to 0 at half the expectation; no expectation 0.5; no pay stated 0.3.
- ``kind``: 1.0 when the graduate named the position's kind, 0.5 when they named none (all kinds).
- ``freshness``: 1 / (1 + days since opened / 14); 0 when the opening date is unknown.
- ``hardship``: 1.0 when the position prioritises hardship-family graduates and the graduate is one.

Fit first: the score adds a tier above Σ weight × feature (`tier`). The fit level is the better of the
occupation level (3 + the link strength for an occupation of the major, so 3–4; 2 小类, 1 中类, 0 text) and
the major level (4 exact major, 2 class, 1 discipline); the tier is 4.75 × the fit level, in steps that
exceed the largest possible weighted sum. So a shared 小类 always ranks above a shared 中类 and below an
occupation of the major, a stronger link above a weaker one (a strength 0.21 apart is a whole step), and
place, pay, kind and freshness order positions within a band. A graduate whose priority is "place"
(离家近) or "pay" (收入) has the place band (3 same or inside the wanted area, 2 same city, 1 same province or
remote) or the pay band (3 lowest pay reaches the expectation, 2 the range reaches it) first: 5 × that band
+ the fit level, the same range 0–19.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from matching.catalogs import Gazetteer

Relation = Literal["same", "inside", "city", "province", "far", "none"]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

FEATURES: Final[tuple[str, ...]] = (
    "major",
    "occupation",
    "text",
    "place",
    "pay",
    "kind",
    "freshness",
    "hardship",
)

#: Which graduate fields each feature reads (the fairness test checks these against the record).
FEATURE_INPUTS: Final[dict[str, tuple[str, ...]]] = {
    "major": ("major_code", "major_name", "major_class", "discipline", "education"),
    "occupation": ("major_code", "major_name", "education"),
    "text": ("major_name", "skills", "wishes"),
    "place": ("preferred_places", "home_division"),
    "pay": ("expected_pay",),
    "kind": ("wanted_kinds",),
    "freshness": (),
    "hardship": ("hardship",),
}

MAJOR_EXACT: Final = 1.0
MAJOR_CLASS: Final = 0.8
MAJOR_DISCIPLINE: Final = 0.5
MAJOR_ANY: Final = 0.3
OCCUPATION_SCALE: Final = 0.25
OCCUPATION_CODE: Final = 1.0
#: The occupation value of the weakest link to an occupation of the major (strength → 0).
OCCUPATION_LINK_FLOOR: Final = 0.85
OCCUPATION_SMALL_CLASS: Final = 0.7
OCCUPATION_MIDDLE_CLASS: Final = 0.45
OCCUPATION_TEXT_CAP: Final = 0.35
PRIORITY_CODES: Final[dict[str, int]] = {"fit": 0, "place": 1, "pay": 2}
TEXT_SCALE: Final = 0.3
PLACE_SAME: Final = 1.0
PLACE_CITY: Final = 0.8
PLACE_PROVINCE: Final = 0.55
PLACE_FAR: Final = 0.4
PLACE_DECAY_KM: Final = 200.0
PLACE_REMOTE: Final = 0.6
PAY_ABOVE: Final = 1.0
PAY_COVERS: Final = 0.75
PAY_BELOW: Final = 0.6
PAY_NO_EXPECTATION: Final = 0.5
PAY_UNKNOWN: Final = 0.3
KIND_NAMED: Final = 1.0
KIND_ANY: Final = 0.5
FRESH_HALF_DAYS: Final = 14.0
EARTH_RADIUS_KM: Final = 6371.0088
REMOTE_ROW: Final = 1


@dataclass(frozen=True, slots=True)
class Weights:
    """One non-negative weight per feature; score = Σ weight × feature.

    Defaults (sum 1): the major and its occupations carry most (0.22 + 0.22), then place (0.18) and text
    (0.14); pay 0.08, hardship priority 0.06, kind and freshness 0.05 each.
    """

    major: float = 0.22
    occupation: float = 0.22
    text: float = 0.14
    place: float = 0.18
    pay: float = 0.08
    kind: float = 0.05
    freshness: float = 0.05
    hardship: float = 0.06

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weight {f.name} must be a finite non-negative number, got {value!r}")

    def as_array(self) -> F64:
        return np.array([getattr(self, name) for name in FEATURES], dtype=np.float64)

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in FEATURES}

    @classmethod
    def from_array(cls, values: npt.ArrayLike) -> Weights:
        arr = np.asarray(values, dtype=np.float64).ravel()
        if arr.shape != (len(FEATURES),):
            raise ValueError(f"expected {len(FEATURES)} weights, got shape {arr.shape}")
        return cls(**{name: float(v) for name, v in zip(FEATURES, arr, strict=True)})

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        unknown = set(values) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features: {sorted(unknown)}")
        return cls(**{k: float(v) for k, v in values.items()})


# ----------------------------------------------------------------------------------------------- place


class PlaceSpace:
    """Division codes interned to rows, with level and unit-sphere coordinates for vectorised lookups.

    Row 0 is a null place (no coordinates, matches nothing); row 1 (`REMOTE_ROW`) stands for "anywhere":
    a position there scores `PLACE_REMOTE` against every graduate place, the null one included. Codes not
    in the gazetteer are interned on first use with the coordinates of their nearest listed ancestor.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._rows: dict[str, int] = {}
        self._codes: list[int] = [0, -1]
        self._xyz: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0), (0.0, 0.0, 0.0)]
        self._has_xyz: list[bool] = [False, False]
        for code in gazetteer.codes():
            self.intern(code)
        self._freeze()

    def _freeze(self) -> None:
        self._tables: dict[tuple[int, bool], F32] = {}
        self.code = np.array(self._codes, dtype=np.int64)
        xyz = np.array(self._xyz, dtype=np.float64)
        self.x, self.y, self.z = xyz[:, 0].copy(), xyz[:, 1].copy(), xyz[:, 2].copy()
        self.has_xyz = np.array(self._has_xyz, dtype=np.bool_)
        self.county = (self.code % 100 != 0) & (self.code > 0)
        self.city_level = (self.code % 100 == 0) & (self.code % 10000 != 0)
        self.province_level = (self.code % 10000 == 0) & (self.code > 0)

    def __len__(self) -> int:
        return len(self._codes)

    def intern(self, code: str) -> int:
        """Row of a 6-digit code ("" → 0, the null place)."""
        if not code:
            return 0
        row = self._rows.get(code)
        if row is not None:
            return row
        row = len(self._codes)
        self._rows[code] = row
        self._codes.append(int(code))
        latlng = self.gazetteer.coordinates(code)
        if latlng is None:
            self._xyz.append((0.0, 0.0, 0.0))
            self._has_xyz.append(False)
        else:
            lat, lng = np.radians(latlng[0]), np.radians(latlng[1])
            self._xyz.append((float(np.cos(lat) * np.cos(lng)), float(np.cos(lat) * np.sin(lng)), float(np.sin(lat))))
            self._has_xyz.append(True)
        if hasattr(self, "code"):
            self._freeze()
        return row

    def rows(self, codes: tuple[str, ...] | list[str]) -> list[int]:
        return [self.intern(c) for c in codes]

    def affinity(self, g_rows: npt.ArrayLike, p_rows: npt.ArrayLike) -> F64:
        """Place score of graduate places `g_rows` against position places `p_rows` (broadcast)."""
        g = np.asarray(g_rows, dtype=np.int64)
        p = np.asarray(p_rows, dtype=np.int64)
        gc, pc = self.code[g], self.code[p]
        g_prov_lvl, p_prov_lvl = self.province_level[g], self.province_level[p]
        valid = (gc > 0) & (pc > 0)
        same_prov = gc // 10000 == pc // 10000
        same_city = (gc // 100 == pc // 100) & ~g_prov_lvl & ~p_prov_lvl
        # the position lies inside the graduate's wanted area (a city or province the graduate named)
        inside = (gc == pc) | (self.city_level[g] & same_city) | (g_prov_lvl & same_prov)
        dot = self.x[g] * self.x[p] + self.y[g] * self.y[p] + self.z[g] * self.z[p]
        half_chord_sq = np.maximum(0.0, 1.0 - dot) / 2.0  # the haversine term sin²(θ/2)
        distance = 2.0 * EARTH_RADIUS_KM * np.sqrt(half_chord_sq)
        far = np.where(self.has_xyz[g] & self.has_xyz[p], PLACE_FAR / (1.0 + distance / PLACE_DECAY_KM), 0.0)
        score = np.where(
            inside,
            PLACE_SAME,
            np.where(same_city, PLACE_CITY, np.where(same_prov, PLACE_PROVINCE, far)),
        )
        return np.where(pc == -1, PLACE_REMOTE, np.where(valid, score, 0.0))

    def table(self, rows: list[int], *, graduate_side: bool) -> F32:
        """Best affinity of the given places against every place row (length `len(self)`).

        `graduate_side=True`: `rows` are a graduate's places, the table is indexed by position place rows;
        False: `rows` are a position's places, the table is indexed by graduate place rows.
        """
        out = np.zeros(len(self), dtype=np.float32)
        for row in rows:
            np.maximum(out, self._row_table(row, graduate_side), out=out)
        return out

    def _row_table(self, row: int, graduate_side: bool) -> F32:
        key = (row, graduate_side)
        hit = self._tables.get(key)
        if hit is None:
            everything = np.arange(len(self), dtype=np.int64)
            vals = self.affinity(row, everything) if graduate_side else self.affinity(everything, row)
            hit = vals.astype(np.float32)
            if len(self._tables) >= 4096:
                self._tables.clear()
            self._tables[key] = hit
        return hit

    def relation(self, g_row: int, p_row: int) -> Relation:
        """How a graduate place and a position place relate ("inside": the position is in the wanted area)."""
        gc, pc = int(self.code[g_row]), int(self.code[p_row])
        if gc == 0 or pc == 0:
            return "none"
        if gc == pc:
            return "same"
        same_prov = gc // 10000 == pc // 10000
        same_city = gc // 100 == pc // 100 and not self.province_level[g_row] and not self.province_level[p_row]
        if (self.city_level[g_row] and same_city) or (self.province_level[g_row] and same_prov):
            return "inside"
        if same_city:
            return "city"
        if same_prov:
            return "province"
        return "far"

    def affinity_of(self, g_row: int, p_row: int) -> float:
        """`affinity` for one pair in plain Python floats (for choosing which pair to name in a reason)."""
        rel = self.relation(g_row, p_row)
        if rel in ("same", "inside"):
            return PLACE_SAME
        if rel == "city":
            return PLACE_CITY
        if rel == "province":
            return PLACE_PROVINCE
        if rel == "none" or not (self.has_xyz[g_row] and self.has_xyz[p_row]):
            return 0.0
        dot = float(self.x[g_row] * self.x[p_row] + self.y[g_row] * self.y[p_row] + self.z[g_row] * self.z[p_row])
        distance = 2.0 * EARTH_RADIUS_KM * float(max(0.0, (1.0 - dot) / 2.0) ** 0.5)
        return float(PLACE_FAR / (1.0 + distance / PLACE_DECAY_KM))

    def code_of(self, row: int) -> str:
        return f"{int(self.code[row]):06d}"


# ----------------------------------------------------------------------------------------- other ones


def pay_score(expected: npt.ArrayLike, pay_min: npt.ArrayLike, pay_max: npt.ArrayLike) -> F64:
    """Pay against expectation; NaN marks a missing value (broadcast)."""
    exp = np.asarray(expected, dtype=np.float64)
    lo_raw = np.asarray(pay_min, dtype=np.float64)
    hi_raw = np.asarray(pay_max, dtype=np.float64)
    lo = np.where(np.isnan(lo_raw), hi_raw, lo_raw)
    hi = np.where(np.isnan(hi_raw), lo_raw, hi_raw)
    no_pay = np.isnan(lo)
    no_exp = np.isnan(exp) | (exp <= 0)
    safe_exp = np.where(no_exp, 1.0, exp)
    shortfall = (safe_exp - np.where(no_pay, 0.0, hi)) / safe_exp
    below = PAY_BELOW * np.clip(1.0 - 2.0 * shortfall, 0.0, 1.0)
    score = np.where(lo >= safe_exp, PAY_ABOVE, np.where(hi >= safe_exp, PAY_COVERS, below))
    return np.where(no_pay, PAY_UNKNOWN, np.where(no_exp, PAY_NO_EXPECTATION, score))


def freshness_score(opened_day: npt.ArrayLike, today_day: int) -> F64:
    """1 / (1 + age_days / 14); opened_day < 0 means unknown (0)."""
    opened = np.asarray(opened_day, dtype=np.int64)
    age = np.maximum(today_day - opened, 0).astype(np.float64)
    return np.where(opened < 0, 0.0, 1.0 / (1.0 + age / FRESH_HALF_DAYS))


def kind_score(wanted_mask: npt.ArrayLike, kind_bit: npt.ArrayLike) -> F64:
    """1.0 when the kind is among the named ones, 0.5 when the graduate named none."""
    wanted = np.asarray(wanted_mask, dtype=np.int64)
    bit = np.asarray(kind_bit, dtype=np.int64)
    return np.where(wanted == 0, KIND_ANY, np.where((wanted & bit) != 0, KIND_NAMED, 0.0))


def hardship_score(graduate_hardship: npt.ArrayLike, position_priority: npt.ArrayLike) -> F64:
    return (np.asarray(graduate_hardship, dtype=np.bool_) & np.asarray(position_priority, dtype=np.bool_)).astype(
        np.float64
    )


def scaled_cosine(cosine: npt.ArrayLike, scale: float) -> F32:
    """min(1, max(cos, 0) / scale) in float32."""
    cos = np.asarray(cosine, dtype=np.float32)
    return np.asarray(np.clip(cos / np.float32(scale), np.float32(0.0), np.float32(1.0)), dtype=np.float32)


_MAJOR_TABLE: Final = np.array(
    [
        MAJOR_EXACT
        if code & 8
        else MAJOR_CLASS
        if code & 4
        else MAJOR_DISCIPLINE
        if code & 2
        else 0.0
        if code & 1
        else MAJOR_ANY
        for code in range(16)
    ],
    dtype=np.float32,
)


def major_score(
    exact: npt.ArrayLike, in_class: npt.ArrayLike, in_discipline: npt.ArrayLike, restricted: npt.ArrayLike
) -> F32:
    """Structural major relevance from the four match indicators (broadcast), float32."""
    code = (
        np.asarray(exact, dtype=np.uint8) * np.uint8(8)
        | np.asarray(in_class, dtype=np.uint8) * np.uint8(4)
        | np.asarray(in_discipline, dtype=np.uint8) * np.uint8(2)
        | np.asarray(restricted, dtype=np.uint8)
    )
    return np.asarray(_MAJOR_TABLE[code], dtype=np.float32)


def _band(value: npt.ArrayLike, cuts: tuple[float, float, float]) -> npt.NDArray[np.int8]:
    v = np.asarray(value, dtype=np.float32)
    high, mid, low = (np.float32(c) for c in cuts)
    return np.asarray((v >= low).astype(np.int8) + (v >= mid) + (v >= high), dtype=np.int8)


def occupation_link_value(strength: npt.ArrayLike) -> F32:
    """The occupation feature of a position whose occupation the major links to with this strength (0–1)."""
    st = np.clip(np.asarray(strength, dtype=np.float32), np.float32(0.0), np.float32(1.0))
    floor = np.float32(OCCUPATION_LINK_FLOOR)
    return np.asarray(floor + (np.float32(OCCUPATION_CODE) - floor) * st, dtype=np.float32)


_MAJOR_LEVEL: Final = np.array([0.0, 1.0, 2.0, 4.0], dtype=np.float32)


def occupation_level(occupation: npt.ArrayLike) -> F32:
    """0–4 from the occupation feature: the band (0 text, 1 中类, 2 小类, 3 an occupation of the major) plus,
    in band 3, the link's strength."""
    occ = np.asarray(occupation, dtype=np.float32)
    floor = np.float32(OCCUPATION_LINK_FLOOR)
    level = _band(occ, (OCCUPATION_LINK_FLOOR, OCCUPATION_SMALL_CLASS, OCCUPATION_MIDDLE_CLASS)).astype(np.float32)
    strength = np.subtract(occ, floor, dtype=np.float32)
    np.multiply(strength, np.float32(1.0) / (np.float32(OCCUPATION_CODE) - floor), out=strength)
    np.maximum(strength, np.float32(0.0), out=strength)
    return np.asarray(np.add(level, strength, out=level), dtype=np.float32)


def major_level(major: npt.ArrayLike) -> F32:
    """4 exact major, 2 class, 1 discipline, else 0."""
    return np.asarray(_MAJOR_LEVEL[_band(major, (MAJOR_EXACT, MAJOR_CLASS, MAJOR_DISCIPLINE))], dtype=np.float32)


def fit_level(occupation: npt.ArrayLike, major: npt.ArrayLike) -> F32:
    """0–4: the better of the occupation level and the major level (see the module docstring)."""
    return np.asarray(np.maximum(occupation_level(occupation), major_level(major)), dtype=np.float32)


def place_band(place: npt.ArrayLike) -> npt.NDArray[np.int8]:
    return _band(place, (PLACE_SAME, PLACE_CITY, PLACE_PROVINCE))


def pay_band(pay: npt.ArrayLike) -> npt.NDArray[np.int8]:
    return _band(pay, (PAY_ABOVE, PAY_COVERS, 2.0))


def tier_step(weights: Weights) -> np.float32:
    """One tier: above the largest weighted sum (every feature is at most 1)."""
    return np.float32(float(weights.as_array().sum()) * 1.001 + 1e-3)


FIT_STEPS: Final = 4.75
LEAD_STEPS: Final = 5.0


def tier(
    occupation: npt.ArrayLike,
    major: npt.ArrayLike,
    place: npt.ArrayLike,
    pay: npt.ArrayLike,
    priority: npt.ArrayLike,
) -> F32:
    """0–19 (in tier steps): 4.75 × the fit level, or for graduates whose priority says so 5 × the place or
    pay band + the fit level (the same range, so graduates of either priority meet on one scale when ranked
    for a position)."""
    return tier_of_level(fit_level(occupation, major), place, pay, priority)


def tier_of_level(fit: npt.ArrayLike, place: npt.ArrayLike, pay: npt.ArrayLike, priority: npt.ArrayLike) -> F32:
    """`tier` from a fit level already computed (`fit_level`)."""
    level = np.asarray(fit, dtype=np.float32)
    prio = np.asarray(priority, dtype=np.int8)
    if prio.ndim == 0 and int(prio) == 0:
        return np.asarray(level * np.float32(FIT_STEPS), dtype=np.float32)
    lead = np.where(prio == 1, place_band(place), pay_band(pay)).astype(np.float32)
    return np.asarray(
        np.where(prio == 0, level * np.float32(FIT_STEPS), lead * np.float32(LEAD_STEPS) + level), dtype=np.float32
    )
