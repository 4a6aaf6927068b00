"""Reasons are present for every result and true for the pair."""

from __future__ import annotations

import re
from dataclasses import replace

from matching.catalogs import Catalogs
from matching.index import MatchIndex
from matching.occupations import default_classifier
from matching.records import Education, GraduateRecord, PositionRecord
from tests.matching.conftest import TODAY


def _check_reasons(index: MatchIndex, catalogs: Catalogs, g: GraduateRecord, m) -> None:
    p = index.position(m.position_id)
    gaz = catalogs.gazetteer
    wanted = g.preferred_places or ((g.home_division,) if g.home_division else ())
    assert m.reasons, (p.title, m.features)
    for reason in m.reasons:
        if "（同县）" in reason:
            name = reason.removeprefix("地点：").split("（")[0]
            codes = [c for c in p.places if gaz.name(c) == name]
            assert codes and g.home_division in codes and gaz.level(g.home_division) == "county"
        if "（同市）" in reason:
            assert g.home_division and any(c[:4] == g.home_division[:4] for c in p.places)
        if match := re.search(r"（意向地：(.+)）", reason):
            area = [w for w in g.preferred_places if gaz.name(w) == match.group(1)]
            assert area and any(c == w or c.startswith(w.rstrip("0")) for c in p.places for w in area)
        if match := re.search(r"（(\d-\d\d-\d\d-\d\d)）", reason):
            assert match.group(1) in p.occupations
        if reason.startswith("还招 "):
            assert p.headcount is not None and f"还招 {p.headcount - p.filled} 人" == reason
        if "（同省）" in reason:
            assert any(c[:2] == w[:2] for c in p.places for w in (*wanted, g.home_division) if w)
        if reason.startswith("薪资符合期望"):
            low = p.pay_min if p.pay_min is not None else p.pay_max
            assert g.expected_pay is not None and low is not None and low >= g.expected_pay
        if reason.startswith("薪资区间含期望"):
            high = p.pay_max if p.pay_max is not None else p.pay_min
            assert g.expected_pay is not None and high is not None and high >= g.expected_pay
        if reason == "优先招聘困难家庭毕业生":
            assert p.hardship_priority and g.hardship
        if reason.endswith("（岗位指定专业）"):
            assert p.majors
        if reason == "不限专业":
            assert not (p.majors or p.major_classes or p.disciplines)
        if reason.startswith("岗位类型符合意向"):
            assert p.kind in g.wanted_kinds
        if reason.startswith("远程岗位"):
            assert p.remote
        if match := re.match(r"新发布（(\d+)天前）", reason):
            assert p.opened is not None and (TODAY - p.opened).days == int(match.group(1))
        if reason.startswith("技能/意向相符："):
            for word in reason.split("：", 1)[1].split("、"):
                assert word.lower() in f"{p.title} {p.description}".lower()
                assert word in f"{g.skills} {g.wishes}"


def test_every_result_has_true_reasons(index: MatchIndex, catalogs: Catalogs, world) -> None:
    for g in world[1][:60]:
        for m in index.rank_positions(g, 10, today=TODAY):
            _check_reasons(index, catalogs, g, m)


def test_bridge_finds_java_developer_for_software_technology(catalogs: Catalogs) -> None:
    positions = [
        PositionRecord(
            id=1,
            kind="job",
            title="Java开发工程师",
            description="负责后端接口开发与维护",
            employer_verified=True,
            places=("341622",),
        ),
        PositionRecord(
            id=2,
            kind="job",
            title="养老护理员",
            description="照护老人日常起居",
            employer_verified=True,
            places=("341622",),
        ),
        PositionRecord(
            id=3,
            kind="job",
            title="出纳",
            description="现金收付与票据管理",
            employer_verified=True,
            places=("341622",),
        ),
        PositionRecord(
            id=4,
            kind="job",
            title="电焊工",
            description="焊接钢结构",
            employer_verified=True,
            places=("341622",),
        ),
    ]
    g = GraduateRecord(
        id=1,
        education=Education.JUNIOR_COLLEGE,
        graduation_year=2023,
        major_code="510203",
        major_name="软件技术",
        preferred_places=("341622",),
        home_division="341622",
        expected_pay=5000,
        hardship=True,
    )
    classifier = default_classifier(catalogs)
    positions = [
        replace(p, occupations=tuple(s.code for s in classifier.infer(p.title, p.description))) for p in positions
    ]
    got = MatchIndex(positions, catalogs).rank_positions(g, 4, today=TODAY)
    assert got[0].position_id == 1
    assert got[0].features["occupation"] > got[1].features["occupation"]
    code = positions[0].occupations[0]
    occupation = catalogs.occupations.occupations[code]
    assert f"职业面向：软件技术 → {occupation.name}（{code}）" in got[0].reasons
    # all four posts are in 蒙城县: the same place for every item separates nothing and is no reason
    assert not any(r.startswith("地点：") for r in got[0].reasons)
    alone = MatchIndex(positions[:1], catalogs).explain(1, g, today=TODAY)
    assert "地点：蒙城县（同县）" in alone.reasons


def test_reason_for_major_class_and_place_names(catalogs: Catalogs) -> None:
    p = PositionRecord(
        id=1,
        kind="job",
        title="软件测试工程师",
        major_classes=("0809",),
        employer_verified=True,
        places=("341602",),
        pay_min=6000,
        pay_max=8000,
        hardship_priority=True,
    )
    g = GraduateRecord(
        id=1,
        education=Education.BACHELOR,
        graduation_year=2023,
        major_code="080902",
        preferred_places=("341622",),
        expected_pay=5000,
        hardship=True,
    )
    m = MatchIndex([p], catalogs).rank_positions(g, 1, today=TODAY)[0]
    assert "专业对口：软件工程 ↔ 计算机类" in m.reasons
    assert "地点：谯城区（与意向地蒙城县同属亳州市）" in m.reasons
    home = MatchIndex([p], catalogs).rank_positions(replace(g, home_division="341623"), 1, today=TODAY)[0]
    assert "地点：谯城区（同市）" in home.reasons
    assert "薪资符合期望（6000–8000元/月 ≥ 期望5000元）" in m.reasons


def test_explain_shows_failed_checks(catalogs: Catalogs) -> None:
    p = PositionRecord(id=1, kind="job", title="护士", min_education=Education.BACHELOR, employer_verified=True)
    g = GraduateRecord(id=1, education=Education.SECONDARY, graduation_year=2023, major_code="720201")
    index = MatchIndex([p], catalogs)
    assert index.rank_positions(g, today=TODAY) == []
    m = index.explain(1, g, today=TODAY)
    assert "学历不符：要求本科及以上" in [c.text for c in m.checks if not c.passed]
