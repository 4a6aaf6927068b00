"""Reasons: short Chinese phrases, true for the pair, for the features that contributed most.

The index gathers the facts of a pair (`PairFacts`: which place pair scored, which occupation of the
major's orientation is nearest the position, which skill words occur in the position text …) and `reasons`
turns the top contributions (weight × value) into phrases. A phrase is only produced when its fact holds:
"同县" only for two equal county codes, "薪资符合期望" only when the lowest pay reaches the expectation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from matching.catalogs import Gazetteer
from matching.features import FEATURES, Weights
from matching.records import KIND_NAMES

PlaceRelation = Literal["same", "inside", "city", "province", "far", "remote", "none"]
MajorLevelMatch = Literal["exact", "class", "discipline", "any", "none"]
OccupationCodeMatch = Literal["", "exact", "small"]

MAX_REASONS: Final = 4
MIN_CONTRIBUTION: Final = 0.01
MIN_OCCUPATION: Final = 0.5

_RELATION_WORDS: Final[dict[str, str]] = {"city": "同市", "province": "同省"}


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
