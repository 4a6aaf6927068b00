"""Hard rules: a position failing any rule is never returned, in either direction, at any k."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.catalogs import Catalogs
from matching.index import MatchIndex
from matching.records import KINDS, Education, GraduateRecord, PositionRecord
from matching.rules import explain_rules
from tests.matching.conftest import TODAY

PLACES = ["341602", "341621", "341622", "341623", "341600", "340104", "340000", "110101", "440305"]
MAJORS = ["510203", "080902", "080901", "083201TK", "520201", "530302", "120203K", "040107", "710201"]
CLASSES = ["0809", "5102", "5202", "1202", "1400"]
DISCIPLINES = ["08", "51", "52", "12"]

educations = st.sampled_from(list(Education))
days = st.integers(min_value=-60, max_value=60).map(lambda d: TODAY + timedelta(days=d))


@st.composite
def positions(draw: st.DrawFn, pid: int) -> PositionRecord:
    places = tuple(sorted(set(draw(st.lists(st.sampled_from(PLACES), max_size=2)))))
    headcount = draw(st.none() | st.integers(0, 3))
    window = draw(st.none() | st.integers(2020, 2025))
    return PositionRecord(
        id=pid,
        kind=draw(st.sampled_from(KINDS)),
        title=draw(st.sampled_from(["Java开发工程师", "护士", "会计", "小学语文教师", "乡村医生", "电商运营"])),
        description=draw(st.sampled_from(["负责后端开发", "病房护理", "账务处理", "", "服务基层"])),
        status=draw(st.sampled_from(["open", "open", "open", "closed", "filled", "draft"])),
        min_education=draw(educations),
        majors=tuple(draw(st.lists(st.sampled_from(MAJORS), max_size=2, unique=True))) if draw(st.booleans()) else (),
        major_classes=tuple(draw(st.lists(st.sampled_from(CLASSES), max_size=1))),
        disciplines=tuple(draw(st.lists(st.sampled_from(DISCIPLINES), max_size=1))),
        places=places,
        remote=not places and draw(st.booleans()),
        pay_min=draw(st.none() | st.sampled_from([3000, 5000])),
        pay_max=draw(st.none() | st.sampled_from([8000, 12000])),
        headcount=headcount,
        filled=draw(st.integers(0, 3)),
        opened=draw(st.none() | days),
        deadline=draw(st.none() | days),
        hardship_priority=draw(st.booleans()),
        employer_verified=draw(st.booleans()) or draw(st.booleans()),
        max_age=draw(st.none() | st.sampled_from([22, 25, 30, 35])),
        graduation_min=window,
        graduation_max=None if window is None else window + draw(st.integers(0, 3)),
        education_levels=frozenset(draw(st.lists(educations, max_size=2))),
        requires_local_hukou=draw(st.booleans()),
        hukou_scope=draw(st.sampled_from(["province", "city"])),
        required_flags=frozenset(draw(st.lists(st.sampled_from(["teacher_cert", "nurse_license"]), max_size=1))),
    )


@st.composite
def graduates(draw: st.DrawFn, gid: int) -> GraduateRecord:
    major = draw(st.sampled_from(MAJORS))
    use_name = draw(st.booleans())
    return GraduateRecord(
        id=gid,
        education=draw(educations),
        graduation_year=draw(st.integers(2019, 2026)),
        major_code="" if use_name else major,
        major_name=draw(st.sampled_from(["软件技术", "软件工程", "护理", "会计", "计科", "机电"])) if use_name else "",
        birth_date=draw(st.none() | st.dates(date(1990, 1, 1), date(2006, 12, 31))),
        skills=draw(st.sampled_from(["Java、数据库", "护理", "", "账务"])),
        wanted_kinds=frozenset(draw(st.lists(st.sampled_from(KINDS), max_size=2))),
        preferred_places=tuple(draw(st.lists(st.sampled_from([p for p in PLACES if p != "340000"]), max_size=2))),
        home_division=draw(st.sampled_from(["", "341622", "341602", "340104", "110101"])),
        expected_pay=draw(st.none() | st.sampled_from([4000, 6000, 9000])),
        hardship=draw(st.booleans()),
        flags=frozenset(draw(st.lists(st.sampled_from(["teacher_cert", "nurse_license"]), max_size=2))),
        open_to_matching=draw(st.booleans()) or draw(st.booleans()),
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[PositionRecord], list[GraduateRecord]]:
    n_p = draw(st.integers(1, 25))
    n_g = draw(st.integers(1, 8))
    return [draw(positions(i + 1)) for i in range(n_p)], [draw(graduates(i + 1)) for i in range(n_g)]


def _passes(p: PositionRecord, g: GraduateRecord, catalogs: Catalogs) -> bool:
    return all(c.passed for c in explain_rules(p, g, today=TODAY, majors=catalogs.majors))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), k=st.integers(1, 30))
def test_no_rule_violation_in_either_direction(catalogs: Catalogs, world, k: int) -> None:
    pos, grads = world
    index = MatchIndex(pos, catalogs)
    by_id = {p.id: p for p in pos}
    table = index.graduate_table(grads)
    for g in grads:
        allowed = {p.id for p in pos if _passes(p, g, catalogs)}
        got = index.rank_positions(g, k, today=TODAY)
        assert {m.position_id for m in got} <= allowed
        assert len(got) == min(k, len(allowed))
        assert all(c.passed for m in got for c in m.checks)
        scores, eligible, ids = index.score_positions(g, today=TODAY)
        assert {int(i) for i in ids[eligible]} == allowed
    for p in pos:
        allowed_g = {g.id for g in grads if _passes(p, g, catalogs)}
        got_g = index.rank_graduates(p.id, table, k, today=TODAY)
        assert {m.graduate_id for m in got_g} <= allowed_g
        assert len(got_g) == min(k, len(allowed_g))
        assert all(by_id[m.position_id] is p for m in got_g)


def test_rule_phrases(catalogs: Catalogs) -> None:
    p = PositionRecord(
        id=1,
        kind="grassroots",
        title="三支一扶：支农",
        min_education=Education.BACHELOR,
        max_age=30,
        graduation_min=2021,
        graduation_max=2023,
        major_classes=("0809",),
        places=("341622",),
        requires_local_hukou=True,
        hukou_scope="city",
        required_flags=frozenset({"teacher_cert"}),
        deadline=TODAY - timedelta(days=1),
        employer_verified=True,
    )
    g = GraduateRecord(
        id=1,
        education=Education.JUNIOR_COLLEGE,
        graduation_year=2024,
        major_code="520201",
        birth_date=date(1990, 1, 1),
        home_division="340104",
    )
    failed = {
        c.code: c.text
        for c in explain_rules(p, g, today=TODAY, majors=catalogs.majors, gazetteer=catalogs.gazetteer)
        if not c.passed
    }
    assert failed["education"] == "学历不符：要求本科及以上"
    assert failed["age"] == "年龄超限：限30周岁以下"
    assert failed["graduation"] == "毕业年份不符：限2021–2023届"
    assert failed["major"] == "专业不符：限计算机类"
    assert failed["hukou"] == "户籍不符：限亳州市户籍"
    assert failed["flags"] == "条件不符：需教师资格证，本人尚未登记持有"
    assert failed["deadline"].startswith("报名已截止")


def test_old_major_code_satisfies_the_new_code(catalogs: Catalogs) -> None:
    p = PositionRecord(id=1, kind="job", title="机器人工程师", majors=("140001TK",), employer_verified=True)
    g = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2023, major_code="083201TK")
    index = MatchIndex([p], catalogs)
    assert [m.position_id for m in index.rank_positions(g, today=TODAY)] == [1]
    old = PositionRecord(id=2, kind="job", title="机器人工程师", majors=("083201TK",), employer_verified=True)
    g_new = GraduateRecord(id=2, education=Education.BACHELOR, graduation_year=2023, major_code="140001TK")
    assert [m.position_id for m in MatchIndex([old], catalogs).rank_positions(g_new, today=TODAY)] == [2]
    assert np.all(index.score_positions(g, today=TODAY)[1])
