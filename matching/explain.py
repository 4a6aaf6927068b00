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

from matching.catalogs import LINK_SOURCE_NAMES, Catalogs, Gazetteer, middle_class_of, normalize_code, small_class_of
from matching.encoding import EncodedGraduate
from matching.features import FEATURES, PLACE_REMOTE, PlaceSpace, Weights
from matching.records import KIND_NAMES, GraduateRecord, PositionRecord
from matching.rules import MajorTokens, position_major_codes
from matching.text import Bridge, TextSpace

PlaceRelation = Literal["same", "inside", "city", "province", "far", "remote", "none"]
MajorLevelMatch = Literal["exact", "class", "discipline", "any", "none"]
OccupationCodeMatch = Literal["", "exact", "small", "middle"]

MAX_REASONS: Final = 4
MIN_CONTRIBUTION: Final = 0.01
#: The 中类 band (0.45, as float32 a hair under it) is the weakest fit that is a reason.
MIN_OCCUPATION: Final = 0.44

_RELATION_WORDS: Final[dict[str, str]] = {"city": "同市", "province": "同省"}
_WORD_SPLIT: Final = re.compile(r"[\s,，、;；。/|]+")


@dataclass(frozen=True, slots=True)
class OccupationFact:
    """The position's occupation named in a reason, and the major's link it meets."""

    name: str = ""
    code: str = ""
    match: OccupationCodeMatch = ""
    class_name: str = ""
    link_name: str = ""
    label: str = "职业面向"


_NO_OCCUPATION: Final = OccupationFact()


@dataclass(frozen=True, slots=True)
class PairFacts:
    """What is true of one graduate–position pair, as far as reasons need it."""

    major_name: str = ""
    major_match: MajorLevelMatch = "none"
    class_name: str = ""
    discipline_name: str = ""
    occupation_name: str = ""
    occupation_code: str = ""
    occupation_by_code: OccupationCodeMatch = ""
    occupation_class_name: str = ""
    link_name: str = ""
    link_label: str = "职业面向"
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
    home_code: str = ""
    position_places: tuple[str, ...] = ()
    remaining: int | None = None
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
        return None
    if name == "occupation":
        if not facts.occupation_name or not facts.occupation_by_code or value < MIN_OCCUPATION:
            return None
        occupation = f"{facts.occupation_name}（{facts.occupation_code}）"
        if facts.occupation_by_code == "exact":
            return f"{facts.link_label}：{facts.major_name} → {occupation}"
        if facts.occupation_by_code == "small":
            link = f"{facts.link_label}：{facts.major_name} → {facts.link_name}"
            return f"{link}，岗位{occupation}同属{facts.occupation_class_name}"
        return (
            f"专业领域相近：{facts.major_name} → {facts.link_name}，岗位{occupation}同属{facts.occupation_class_name}"
        )
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
    """同县 only for the graduate's own county, 同市 only for their own prefecture (the household
    registration); otherwise the preferred place the position lies in or near, or the distance."""
    rel = facts.place_relation
    if rel == "remote":
        return "远程岗位，不限地点" if facts.remote else "不限工作地点"
    home = facts.home_code
    if home and gazetteer.level(home) == "county":
        for code in facts.position_places:
            if code == home:
                return f"地点：{gazetteer.name(code)}（同县）"
        for code in facts.position_places:
            if code[:4] == home[:4] and gazetteer.level(code) != "province":
                return f"地点：{gazetteer.name(code)}（同市）"
    if rel == "none" or not facts.place_code:
        return None
    name = gazetteer.full_name(facts.place_code) if rel in ("province", "far") else gazetteer.name(facts.place_code)
    who = "户籍地" if facts.place_is_home else "意向地"
    wanted = gazetteer.name(facts.wanted_place_code)
    if rel in ("same", "inside"):
        return f"地点：{name}（{who}：{wanted}）"
    if rel == "city":
        return f"地点：{name}（与{who}{wanted}同属{gazetteer.name(facts.place_code[:4] + '00')}）"
    if rel == "province":
        return f"地点：{name}（与{who}{wanted}同省）"
    if facts.distance_km is not None:
        return f"地点：{name}（距{who}{wanted}约{round(facts.distance_km / 10) * 10:.0f}公里）"
    return None


def headcount_phrase(facts: PairFacts) -> str | None:
    """ "还招 2 人" when the position states a headcount and places remain."""
    if facts.remaining is None or facts.remaining <= 0:
        return None
    return f"还招 {facts.remaining} 人"


def ranked_features(
    features: Mapping[str, float], weights: Weights, *, constant: frozenset[str] = frozenset()
) -> list[str]:
    """Feature names by weight × value, largest first, omitting those under `MIN_CONTRIBUTION` and the
    `constant` ones (equal for every item of the list, so they separate nothing and are no reason)."""
    contributions = sorted(
        ((getattr(weights, name) * features[name], i, name) for i, name in enumerate(FEATURES) if name not in constant),
        key=lambda t: (-t[0], t[1]),
    )
    return [name for c, _, name in contributions if c >= MIN_CONTRIBUTION]


def constant_features(values: list[dict[str, float]]) -> frozenset[str]:
    """Features that take one value over every item of a list of two or more."""
    if len(values) < 2:
        return frozenset()
    first = values[0]
    return frozenset(name for name in FEATURES if all(v[name] == first[name] for v in values[1:]))


def reasons(
    features: Mapping[str, float],
    weights: Weights,
    facts: PairFacts,
    gazetteer: Gazetteer,
    *,
    limit: int = MAX_REASONS,
    ranked: list[str] | None = None,
) -> list[str]:
    """Phrases for the largest contributions, largest first (ties in `FEATURES` order), then the places left
    ("还招 2 人") when the position states a headcount."""
    out: list[str] = []
    for name in ranked if ranked is not None else ranked_features(features, weights):
        if len(out) >= limit:
            break
        text = phrase(name, features[name], facts, gazetteer)
        if text is not None:
            out.append(text)
    left = headcount_phrase(facts)
    if left is not None:
        out.append(left)
    return out


class FactFinder:
    """Builds the `PairFacts` of a pair from one index's catalogs, text space, bridge and places."""

    def __init__(self, catalogs: Catalogs, space: TextSpace, bridge: Bridge, places: PlaceSpace) -> None:
        self.catalogs = catalogs
        self.space = space
        self.bridge = bridge
        self.places = places

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
        occ = (
            self._occupation_fact(p, m)
            if "occupation" in wanted and values["occupation"] >= MIN_OCCUPATION
            else _NO_OCCUPATION
        )
        rel, p_code, g_code, is_home, distance = (
            self._place_fact(p, g) if "place" in wanted else ("none", "", "", False, None)
        )
        return PairFacts(
            major_name=m.name,
            major_match=level,
            class_name=majors.class_label(m.class_code),
            discipline_name=majors.discipline_label(m.discipline_code),
            occupation_name=occ.name,
            occupation_code=occ.code,
            occupation_by_code=occ.match,
            occupation_class_name=occ.class_name,
            link_name=occ.link_name,
            link_label=occ.label,
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
            home_code=g.record.home_division,
            position_places=p.places,
            remaining=None if p.headcount is None else max(0, p.headcount - p.filled),
        )

    def _occupation_fact(self, p: PositionRecord, m: MajorTokens) -> OccupationFact:
        """Which occupation of the position meets which link of the major, and how (code, 小类, 中类).

        Only the position's own occupations (stated, confirmed or inferred) are named, and only when one of
        them is a link of the major (or shares its 小类 / 中类) — never a major occupation that merely reads
        like the position text.
        """
        orient = self.catalogs.orientations.get(m.code)
        row = self.bridge.row(m.code)
        if orient is None or row < 0 or not p.occupations:
            return _NO_OCCUPATION
        occs = self.catalogs.occupations
        fitting = self.bridge.exact_codes[row]
        codes = [o.strip() for o in p.occupations]

        def name(code: str) -> str:
            occ = occs.get(code)
            return occ.name if occ else code

        def label(link_occupation: str) -> str:
            link = orient.link(link_occupation)
            if link is None or link.source == "official":
                return "职业面向"
            via = link.via
            if via in self.catalogs.majors.majors:
                via = self.catalogs.majors.majors[via].name
            source = LINK_SOURCE_NAMES[link.source]
            return f"职业关联（{source}：{via}）" if via else f"职业关联（{source}）"

        strength = dict(zip(fitting, self.bridge.code_values[row], strict=True))
        linked = sorted((c for c in codes if c in strength), key=lambda c: -strength[c])
        if linked:
            code = linked[0]
            link = orient.link(code)
            target = link.occupation if link is not None else code
            return OccupationFact(name(code), code, "exact", "", name(target), label(target))
        bands = (
            ("small", small_class_of, set(self.bridge.small_classes[row])),
            ("middle", middle_class_of, set(self.bridge.middle_classes[row])),
        )
        for level, class_of, held in bands:
            for code in codes:
                if class_of(code) not in held:
                    continue
                for own in fitting:
                    if class_of(own) == class_of(code):
                        match: OccupationCodeMatch = "small" if level == "small" else "middle"
                        return OccupationFact(name(code), code, match, name(class_of(code)), name(own), label(own))
        return _NO_OCCUPATION

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
