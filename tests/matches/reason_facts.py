"""Every reason phrase the matcher writes, checked against the facts of its pair; an unknown phrase fails."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from matching.catalogs import Catalogs, middle_class_of, small_class_of
from matching.index import Match
from matching.records import KIND_NAMES, GraduateRecord, PositionRecord
from matching.rules import graduate_major

_OCCUPATION = re.compile(r"^(职业面向|职业关联（[^）]+）|专业领域相近)：(.+?) → (.+?)（(\d-\d\d-\d\d-\d\d)）$")
_CLASS_OCCUPATION = re.compile(
    r"^(职业面向|职业关联（[^）]+）|专业领域相近)：(.+?) → (.+?)，岗位(.+?)（(\d-\d\d-\d\d-\d\d)）同属(.+)$"
)
#: The features whose reasons start with these words (a feature equal over a whole list gives none).
FEATURE_OF_PREFIX = {
    "专业对口": "major",
    "专业相近": "major",
    "职业面向": "occupation",
    "职业关联": "occupation",
    "专业领域相近": "occupation",
    "技能/意向相符": "text",
    "地点": "place",
    "远程岗位": "place",
    "不限工作地点": "place",
    "薪资": "pay",
    "岗位类型符合意向": "kind",
    "今日发布": "freshness",
    "新发布": "freshness",
    "优先招聘困难家庭毕业生": "hardship",
}


def feature_of(reason: str) -> str | None:
    for prefix, name in FEATURE_OF_PREFIX.items():
        if reason.startswith(prefix):
            return name
    return None


def _in_area(code: str, area: str) -> bool:
    if area.endswith("0000"):
        return code[:2] == area[:2]
    if area.endswith("00"):
        return code[:4] == area[:4]
    return code == area


def check_reason(reason: str, p: PositionRecord, g: GraduateRecord, catalogs: Catalogs, today: date) -> None:
    """Assert that `reason` holds for the pair (position `p`, graduate `g`)."""
    major = graduate_major(g, catalogs.majors)
    wanted = g.preferred_places or ((g.home_division,) if g.home_division else ())
    if reason.endswith("（岗位指定专业）"):
        assert major.code in p.majors, reason
    elif reason.startswith(("专业对口：", "专业相近：")):
        label = reason.split(" ↔ ")[1]
        if reason.startswith("专业对口"):
            assert catalogs.majors.class_label(major.class_code) == label and major.class_code in p.major_classes
        else:
            assert catalogs.majors.discipline_label(major.discipline_code) == label
            assert major.discipline_code in p.disciplines
    elif m := _OCCUPATION.match(reason):
        label, major_name, name, code = m.groups()
        orient = catalogs.orientations[major.code]
        assert major_name == major.name and code in p.occupations, reason
        assert catalogs.occupations.occupations[code].name == name
        link = orient.link(code)
        assert link is not None, reason
        assert (link.source == "official") == (label == "职业面向"), reason
    elif m := _CLASS_OCCUPATION.match(reason):
        label, major_name, own, name, code, class_name = m.groups()
        assert major_name == major.name and code in p.occupations, reason
        orient = catalogs.orientations[major.code]
        owns = [c for c in orient.occupations if catalogs.occupations.occupations[c].name == own]
        assert owns, reason
        class_of = middle_class_of if label == "专业领域相近" else small_class_of
        assert any(class_of(c) == class_of(code) for c in owns), reason
        assert catalogs.occupations.occupations[class_of(code)].name == class_name
    elif reason.startswith("技能/意向相符："):
        for word in reason.split("：", 1)[1].split("、"):
            assert word.lower() in f"{p.title} {p.description}".lower() and word in f"{g.skills} {g.wishes}"
    elif reason.startswith("地点："):
        _check_place(reason, p, g, catalogs, wanted)
    elif reason == "远程岗位，不限地点":
        assert p.remote
    elif reason == "不限工作地点":
        assert not p.places
    elif reason.startswith("薪资符合期望"):
        low = p.pay_min if p.pay_min is not None else p.pay_max
        assert g.expected_pay is not None and low is not None and low >= g.expected_pay
    elif reason.startswith("薪资区间含期望"):
        high = p.pay_max if p.pay_max is not None else p.pay_min
        assert g.expected_pay is not None and high is not None and high >= g.expected_pay
    elif reason.startswith("薪资："):
        assert g.expected_pay is None and (p.pay_min is not None or p.pay_max is not None)
    elif reason.startswith("岗位类型符合意向："):
        assert p.kind in g.wanted_kinds and reason.endswith(KIND_NAMES[p.kind])
    elif reason == "今日发布":
        assert p.opened == today
    elif m := re.fullmatch(r"新发布（(\d+)天前）", reason):
        assert p.opened is not None and (today - p.opened).days == int(m.group(1))
    elif reason == "优先招聘困难家庭毕业生":
        assert p.hardship_priority and g.hardship
    elif m := re.fullmatch(r"还招 (\d+) 人", reason):
        assert p.headcount is not None and p.headcount - p.filled == int(m.group(1)) > 0
    else:
        raise AssertionError(f"unknown reason {reason!r}")


def _check_place(reason: str, p: PositionRecord, g: GraduateRecord, catalogs: Catalogs, wanted: Sequence[str]) -> None:
    gaz = catalogs.gazetteer
    body = reason.removeprefix("地点：")
    name, _, note = body.partition("（")
    note = note.removesuffix("）")
    home = g.home_division
    if note == "同县":
        assert home in p.places and gaz.name(home) == name and gaz.level(home) == "county", reason
        return
    if note == "同市":
        assert home and any(c[:4] == home[:4] and gaz.name(c) == name for c in p.places), reason
        return
    places = [c for c in p.places if gaz.name(c) == name or gaz.full_name(c) == name]
    assert places, reason
    if m := re.fullmatch(r"(意向地|户籍地)：(.+)", note):
        areas = [w for w in (*wanted, home) if w and gaz.name(w) == m.group(2)]
        assert any(_in_area(c, a) for c in places for a in areas), reason
    elif m := re.fullmatch(r"与(意向地|户籍地)(.+)同属(.+)", note):
        areas = [w for w in (*wanted, home) if w and gaz.name(w) == m.group(2)]
        assert any(c[:4] == a[:4] for c in places for a in areas), reason
    elif m := re.fullmatch(r"与(意向地|户籍地)(.+)同省", note):
        areas = [w for w in (*wanted, home) if w and gaz.name(w) == m.group(2)]
        assert any(c[:2] == a[:2] for c in places for a in areas), reason
    elif m := re.fullmatch(r"距(意向地|户籍地)(.+)约(\d+)公里", note):
        areas = [w for w in (*wanted, home) if w and gaz.name(w) == m.group(2)]
        distances = [gaz.distance_km(a, c) for c in places for a in areas]
        assert any(d is not None and abs(d - int(m.group(3))) <= 5 for d in distances), reason
    else:
        raise AssertionError(f"unknown place reason {reason!r}")


def check_list(
    matches: Sequence[Match], positions: dict[int, PositionRecord], g: GraduateRecord, catalogs: Catalogs, today: date
) -> int:
    """Check every reason of one ranked list; a feature equal for every item gives no reason. Returns the count."""
    constant = (
        {n for n in matches[0].features if all(m.features[n] == matches[0].features[n] for m in matches)}
        if len(matches) > 1
        else set()
    )
    count = 0
    for m in matches:
        p = positions[m.position_id]
        for reason in m.reasons:
            check_reason(reason, p, g, catalogs, today)
            assert feature_of(reason) not in constant, (reason, constant)
            count += 1
    return count
