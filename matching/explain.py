"""Reasons: short Chinese phrases, true for the pair, for the features that contributed most.

`FactFinder` gathers the facts of a pair (`PairFacts`: which place pair scored, which occupation of the
major's orientation is nearest the position, which skill words occur in the position text …) and `reasons`
turns the top contributions (weight × value) into phrases. A phrase is only produced when its fact holds:
"同县" only for two equal county codes, "薪资符合期望" only when the lowest pay reaches the expectation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from matching.catalogs import Catalogs, Gazetteer, normalize_code, small_class_of
from matching.encoding import EncodedGraduate
from matching.features import FEATURES, PLACE_REMOTE, PlaceSpace, Weights
from matching.records import KIND_NAMES, GraduateRecord, PositionRecord
from matching.rules import MajorTokens, position_major_codes
from matching.storage import F32, position_text
from matching.text import Bridge, TextSpace

PlaceRelation = Literal["same", "inside", "city", "province", "far", "remote", "none"]
MajorLevelMatch = Literal["exact", "class", "discipline", "any", "none"]
OccupationCodeMatch = Literal["", "exact", "small"]

MAX_REASONS: Final = 4
MIN_CONTRIBUTION: Final = 0.01
MIN_OCCUPATION: Final = 0.5

_RELATION_WORDS: Final[dict[str, str]] = {"city": "同市", "province": "同省"}
_WORD_SPLIT: Final = re.compile(r"[\s,，、;；。/|]+")


@dataclass(frozen=True, slots=True)
class PairFacts:
    """What is true of one graduate–position pair, as far as reasons need it."""

    major_name: str = ""
    major_match: MajorLevelMatch = "none"
    class_name: str = ""
    discipline_name: str = ""
    occupation_name: str = ""
    occupation_by_code: OccupationCodeMatch = ""
    occupation_small_class: str = ""
    orientation_via: str = ""
    shared_terms: tuple[str, ...] = ()
    place_relation: PlaceRelation = "none"
    place_code: str = ""
    wanted_place_code: str = ""
    place_is_home: bool = False
    distance_km: float | None = None
    remote: bool = False
    pay_min: int | None = None
    pay_max: int | None = None
    expected_pay: int | None = None
    kind: str = ""
    kind_named: bool = False
    days_open: int | None = None
    hardship_priority: bool = False
    graduate_hardship: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _pay_range(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None and lo != hi:
        return f"{lo}–{hi}元/月"
    value = lo if lo is not None else hi
    return f"{value}元/月"


def phrase(name: str, value: float, facts: PairFacts, gazetteer: Gazetteer) -> str | None:
    """The phrase for one feature of one pair, or None when nothing true and favourable can be said."""
    if name == "major":
        if facts.major_match == "exact":
            return f"专业对口：{facts.major_name}（岗位指定专业）"
        if facts.major_match == "class":
            return f"专业对口：{facts.major_name} ↔ {facts.class_name}"
        if facts.major_match == "discipline":
            return f"专业相近：{facts.major_name} ↔ {facts.discipline_name}"
        if facts.major_match == "any":
            return "不限专业"
        return None
    if name == "occupation":
        if not facts.occupation_name or value < MIN_OCCUPATION:
            return None
        via = f"（参照{facts.orientation_via}）" if facts.orientation_via else ""
        tail = ""
        if facts.occupation_by_code == "exact":
            tail = "（岗位职业分类一致）"
        elif facts.occupation_by_code == "small":
            tail = f"（同属{facts.occupation_small_class}）"
        return f"职业面向{via}：{facts.major_name} → {facts.occupation_name}{tail}"
    if name == "text":
        if not facts.shared_terms or value <= 0:
            return None
        return f"技能/意向相符：{'、'.join(facts.shared_terms)}"
    if name == "place":
        return _place_phrase(facts, gazetteer)
    if name == "pay":
        if facts.pay_min is None and facts.pay_max is None:
            return None
        lo = facts.pay_min if facts.pay_min is not None else facts.pay_max
        hi = facts.pay_max if facts.pay_max is not None else facts.pay_min
        shown = _pay_range(facts.pay_min, facts.pay_max)
        if facts.expected_pay is None:
            return f"薪资：{shown}"
        if lo is not None and lo >= facts.expected_pay:
            return f"薪资符合期望（{shown} ≥ 期望{facts.expected_pay}元）"
        if hi is not None and hi >= facts.expected_pay:
            return f"薪资区间含期望（{shown}，期望{facts.expected_pay}元）"
        return None
    if name == "kind":
        return f"岗位类型符合意向：{KIND_NAMES.get(facts.kind, facts.kind)}" if facts.kind_named else None
    if name == "freshness":
        if facts.days_open is None or facts.days_open > 14:
            return None
        return "今日发布" if facts.days_open == 0 else f"新发布（{facts.days_open}天前）"
    if name == "hardship":
        return "优先招聘困难家庭毕业生" if facts.hardship_priority and facts.graduate_hardship else None
    raise ValueError(f"unknown feature {name!r}")


def _place_phrase(facts: PairFacts, gazetteer: Gazetteer) -> str | None:
    rel = facts.place_relation
    if rel == "remote":
        return "远程岗位，不限地点" if facts.remote else "不限工作地点"
    if rel == "none" or not facts.place_code:
        return None
    name = gazetteer.full_name(facts.place_code) if rel in ("province", "far") else gazetteer.name(facts.place_code)
    home = "户籍地" if facts.place_is_home else "意向地"
    if rel == "same":
        level = gazetteer.level(facts.place_code)
        return f"地点：{name}（{'同县' if level == 'county' else home}）"
    if rel == "inside":
        return f"地点：{name}（在{home}{gazetteer.name(facts.wanted_place_code)}内）"
    if rel in _RELATION_WORDS:
        return f"地点：{name}（{_RELATION_WORDS[rel]}）"
    if facts.distance_km is not None:
        return f"地点：{name}（距{home}约{round(facts.distance_km / 10) * 10:.0f}公里）"
    return None


def ranked_features(features: Mapping[str, float], weights: Weights) -> list[str]:
    """Feature names by weight × value, largest first, omitting those under `MIN_CONTRIBUTION`."""
    contributions = sorted(
        ((getattr(weights, name) * features[name], i, name) for i, name in enumerate(FEATURES)),
        key=lambda t: (-t[0], t[1]),
    )
    return [name for c, _, name in contributions if c >= MIN_CONTRIBUTION]


def reasons(
    features: Mapping[str, float],
    weights: Weights,
    facts: PairFacts,
    gazetteer: Gazetteer,
    *,
    limit: int = MAX_REASONS,
    ranked: list[str] | None = None,
) -> list[str]:
    """Phrases for the largest contributions, largest first (ties in `FEATURES` order)."""
    out: list[str] = []
    for name in ranked if ranked is not None else ranked_features(features, weights):
        text = phrase(name, features[name], facts, gazetteer)
        if text is not None:
            out.append(text)
        if len(out) >= limit:
            break
    return out


class FactFinder:
    """Builds the `PairFacts` of a pair from one index's catalogs, text space, bridge and places."""

    def __init__(self, catalogs: Catalogs, space: TextSpace, bridge: Bridge, places: PlaceSpace) -> None:
        self.catalogs = catalogs
        self.space = space
        self.bridge = bridge
        self.places = places
        self._terms: dict[str, tuple[str, ...]] = {}
        self._vectors: dict[str, tuple[npt.NDArray[np.int32], F32]] = {}

    def facts(
        self, p: PositionRecord, g: EncodedGraduate, values: dict[str, float], today: date, ranked: list[str]
    ) -> PairFacts:
        majors = self.catalogs.majors
        m = g.major
        codes = set(position_major_codes(p, majors))
        classes = {normalize_code(c) for c in p.major_classes}
        discs = {normalize_code(d) for d in p.disciplines}
        level: MajorLevelMatch = "none"
        if m.code and m.code in codes:
            level = "exact"
        elif m.class_code and m.class_code in classes:
            level = "class"
        elif m.discipline_code and m.discipline_code in discs:
            level = "discipline"
        elif not (codes or classes or discs):
            level = "any"
        wanted = ranked[: MAX_REASONS + 2]
        occ_name, by_code, small, via = (
            self._occupation_fact(p, m)
            if "occupation" in wanted and values["occupation"] >= MIN_OCCUPATION
            else ("", "", "", "")
        )
        rel, p_code, g_code, is_home, distance = (
            self._place_fact(p, g) if "place" in wanted else ("none", "", "", False, None)
        )
        return PairFacts(
            major_name=m.name,
            major_match=level,
            class_name=majors.class_label(m.class_code),
            discipline_name=majors.discipline_label(m.discipline_code),
            occupation_name=occ_name,
            occupation_by_code=by_code,
            occupation_small_class=small,
            orientation_via=via,
            shared_terms=shared_terms(g.record, p) if values["text"] > 0 and "text" in wanted else (),
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

    def _occupation_fact(self, p: PositionRecord, m: MajorTokens) -> tuple[str, OccupationCodeMatch, str, str]:
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
        hit = self._vectors.get(code)
        if hit is None:
            row = self.bridge.occupation_vectors[self.bridge.occupation_rows[code]]
            hit = (np.asarray(row.indices, dtype=np.int32), np.asarray(row.data, dtype=np.float32))
            self._vectors[code] = hit
        return hit

    def _occupation_terms(self, code: str) -> tuple[str, ...]:
        terms = self._terms.get(code)
        if terms is None:
            occ = self.catalogs.occupations.get(code)
            found = [occ.name, *occ.aliases] if occ else []
            for child in self.catalogs.occupations.children.get(code, ()):
                kid = self.catalogs.occupations.get(child)
                if kid is not None:
                    found.append(kid.name)
            terms = tuple(dict.fromkeys(t.lower() for t in found if len(t) >= 2))
            self._terms[code] = terms
        return terms

    def _place_fact(self, p: PositionRecord, g: EncodedGraduate) -> tuple[PlaceRelation, str, str, bool, float | None]:
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


def shared_terms(graduate: GraduateRecord, position: PositionRecord, limit: int = 3) -> tuple[str, ...]:
    """Skill or wish words of the graduate that occur in the position's title or description."""
    haystack = f"{position.title} {position.description}".lower()
    words = _WORD_SPLIT.split(f"{graduate.skills} {graduate.wishes}")
    found = [w for w in dict.fromkeys(w.strip() for w in words) if len(w) >= 2 and w.lower() in haystack]
    return tuple(found[:limit])
