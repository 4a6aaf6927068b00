"""Occupation knowledge: the title classifier on hand-labelled titles it was not built from, links for every
major, fit before place, the graduate's priority, students and certificates as hard rules with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from matching.catalogs import Catalogs
from matching.independent import classifier_accuracy, read_titles
from matching.index import MatchIndex
from matching.occupations import default_classifier
from matching.records import Education, GraduateRecord, PositionRecord
from tests.matching.conftest import TODAY

TITLES = Path(__file__).resolve().parents[1] / "data" / "labelled_titles.csv"


def _position(pid: int, title: str, place: str, pay: int, catalogs: Catalogs, **kw: object) -> PositionRecord:
    p = PositionRecord(
        id=pid,
        kind="job",
        title=title,
        places=(place,),
        pay_min=pay,
        pay_max=pay,
        employer_verified=True,
        opened=TODAY,
        **kw,  # type: ignore[arg-type]
    )
    codes = tuple(s.code for s in default_classifier(catalogs).infer(p.title, p.description))
    return replace(p, occupations=codes)


def test_classifier_reads_real_titles_it_was_not_built_from(catalogs: Catalogs) -> None:
    titles = read_titles(TITLES)
    assert len(titles) >= 300
    accuracy = classifier_accuracy(default_classifier(catalogs), titles)
    assert accuracy["top1"] >= 0.6, accuracy
    assert accuracy["top3"] >= 0.8, accuracy
    top = default_classifier(catalogs).suggest("数控车床操作工", "操作数控车床加工轴类零件", k=3)
    assert {s.code for s in top} & {"6-18-01-01", "6-18-01-07"}


def test_undergraduate_and_vocational_bachelor_majors_have_occupation_links(catalogs: Catalogs) -> None:
    for level in ("本科", "职业本科"):
        codes = [c for c, m in catalogs.majors.majors.items() if m.level == level]
        linked = [c for c in codes if catalogs.orientations.get(c) and catalogs.orientations[c].occupations]
        assert len(linked) / len(codes) >= 0.9, level
    nursing = catalogs.orientations["101101K"]  # 护理学 inherits from the vocational 护理 through 接续专业
    assert any(link.source == "continuing" for link in nursing.links)
    assert not nursing.official


def test_fit_comes_before_place_and_pay_unless_the_graduate_says_otherwise(catalogs: Catalogs) -> None:
    nurse = _position(1, "内科护士", "340104", 4000, catalogs, description="病区护理，执行医嘱")
    sales = _position(2, "机械设备销售", "341622", 9000, catalogs, description="工程机械销售，客户开发")
    g = GraduateRecord(
        id=1,
        education=Education.JUNIOR_COLLEGE,
        graduation_year=2024,
        major_code="520201",
        major_name="护理",
        home_division="341622",
        expected_pay=6000,
    )
    index = MatchIndex([nurse, sales], catalogs)
    assert [m.position_id for m in index.rank_positions(g, 2, today=TODAY)] == [1, 2]
    near = index.rank_positions(replace(g, priority="place"), 2, today=TODAY)
    assert [m.position_id for m in near] == [2, 1]
    paid = index.rank_positions(replace(g, priority="pay"), 2, today=TODAY)
    assert paid[0].position_id == 2
    top = index.rank_positions(g, 2, today=TODAY)[0]
    code = nurse.occupations[0]
    assert f"职业面向：护理 → {catalogs.occupations.occupations[code].name}（{code}）" in top.reasons


def test_students_take_internships_now_and_full_time_posts_only_after_graduating(catalogs: Catalogs) -> None:
    job = PositionRecord(id=1, kind="job", title="小学语文教师", employer_verified=True, starts=date(2024, 9, 1))
    program = PositionRecord(id=2, kind="grassroots", title="特岗教师", employer_verified=True)
    internship = PositionRecord(id=3, kind="internship", title="教师实习", employer_verified=True)
    index = MatchIndex([job, program, internship], catalogs)
    first_year = GraduateRecord(
        id=1,
        education=Education.BACHELOR,
        graduation_year=2028,
        major_code="040107",
        in_school=True,
        graduation_date=date(2028, 6, 30),
    )
    finishing = replace(first_year, id=2, graduation_year=2024, graduation_date=date(2024, 6, 30))
    # graduate → positions
    assert {m.position_id for m in index.rank_positions(first_year, 10, today=TODAY)} == {3}
    assert {m.position_id for m in index.rank_positions(finishing, 10, today=TODAY)} == {1, 3}
    # position → graduates: the same rule the other way round
    table = index.graduate_table([first_year, finishing])
    assert [m.graduate_id for m in index.rank_graduates(1, table, 10, today=TODAY)] == [2]
    assert [m.graduate_id for m in index.rank_graduates(3, table, 10, today=TODAY)] != []
    check = {c.code: c for c in index.explain(1, first_year, today=TODAY).checks}["student"]
    assert not check.passed and "全职岗位和基层项目须毕业后到岗" in check.text


def test_programs_requiring_a_certificate_reach_holders_and_explain_it_to_others(catalogs: Catalogs) -> None:
    tegang = PositionRecord(
        id=1,
        kind="grassroots",
        title="特岗计划：小学教师",
        employer_verified=True,
        required_flags=frozenset({"teacher_cert"}),
    )
    village = PositionRecord(
        id=2,
        kind="grassroots",
        title="乡村医生",
        employer_verified=True,
        required_flags=frozenset({"rural_doctor_license"}),
    )
    index = MatchIndex([tegang, village], catalogs)
    base = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2024, major_code="040107")
    teacher = replace(base, flags=frozenset({"teacher_cert"}))
    doctor = replace(base, id=2, major_code="520101K", flags=frozenset({"rural_doctor_license"}))
    assert [m.position_id for m in index.rank_positions(teacher, 5, today=TODAY)] == [1]
    assert [m.position_id for m in index.rank_positions(doctor, 5, today=TODAY)] == [2]
    assert index.rank_positions(base, 5, today=TODAY) == []
    failed = {c.code: c.text for c in index.explain(2, base, today=TODAY).checks if not c.passed}
    assert failed["flags"] == "条件不符：需乡村医生执业证书，本人尚未登记持有"


def test_a_text_major_resolves_within_the_school_kind_first(catalogs: Catalogs) -> None:
    both = {m.level for m in catalogs.majors.by_exact_name("药学")}
    assert {"本科", "职业本科"} <= both
    vocational = catalogs.majors.resolve(name="药学", education=Education.BACHELOR, school_kind="职业本科")
    general = catalogs.majors.resolve(name="药学", education=Education.BACHELOR, school_kind="本科")
    assert vocational is not None and vocational.level == "职业本科"
    assert general is not None and general.level == "本科"
