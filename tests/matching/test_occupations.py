"""Occupation knowledge: the title classifier on hand-labelled titles it was not built from, links for every
major, fit before place, the graduate's priority, students and certificates as hard rules with reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.catalogs import Catalogs, load_orientations
from matching.features import FEATURES, Weights, occupation_link_value
from matching.independent import classifier_accuracy, read_titles
from matching.index import MatchIndex
from matching.occupations import WEIGHTS, default_classifier, split_title
from matching.records import Education, GraduateRecord, PositionRecord
from matching.scoring import combine
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


def test_a_title_splits_into_its_field_and_the_kind_of_post() -> None:
    assert split_title("高级FPGA开发工程师") == ("FPGA开发", "工程师")
    assert split_title("收银主管") == ("收银", "主管")
    assert split_title("叉车司机") == ("叉车", "司机")
    assert split_title("护士") == ("护士", "")  # a title that is only a role is its own field
    assert split_title("总经理") == ("总经理", "经理")


def test_every_evidence_of_the_classifier_lies_between_0_and_1(catalogs: Catalogs) -> None:
    classifier = default_classifier(catalogs)
    parts = classifier.components(["数控车床操作工", "新媒体运营专员"], ["操作数控车床加工轴类零件", ""])
    assert set(parts) | {"small_class"} == set(WEIGHTS)
    for name, values in parts.items():
        assert values.shape == (2, len(classifier)), name
        assert float(values.min()) >= 0.0 and float(values.max()) <= 1.0 + 1e-6, name
    scores = classifier.scores(["数控车床操作工"])
    assert float(scores.max()) <= 1.0 + 1e-6


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


def test_a_derived_major_ranks_its_stronger_link_first_whatever_the_place_and_pay(catalogs: Catalogs) -> None:
    major = catalogs.majors.majors["101101K"]  # 护理学: links derived through 接续专业, similar majors, its class
    links = [link for link in catalogs.orientations[major.code].links if catalogs.occupations.get(link.occupation)]
    strong = links[0]
    weak = next(link for link in links if link.strength <= strong.strength - 0.3)
    g = GraduateRecord(
        id=1,
        education=Education.BACHELOR,
        graduation_year=2024,
        major_code=major.code,
        major_name=major.name,
        school_kind="本科",
        home_division="341622",
        expected_pay=6000,
    )
    far_and_low = PositionRecord(
        id=1,
        kind="job",
        title="岗位甲",
        places=("320106",),
        pay_min=3000,
        pay_max=3000,
        employer_verified=True,
        opened=TODAY,
        occupations=(strong.occupation,),
    )
    near_and_high = replace(
        far_and_low,
        id=2,
        title="岗位乙",
        places=("341622",),
        pay_min=9000,
        pay_max=9000,
        occupations=(weak.occupation,),
    )
    index = MatchIndex([near_and_high, far_and_low], catalogs)
    ranked = index.rank_positions(g, 2, today=TODAY)
    assert [m.position_id for m in ranked] == [1, 2]
    assert ranked[0].features["occupation"] > ranked[1].features["occupation"] >= 0.85


def test_a_held_out_vocational_major_takes_the_occupations_of_the_major_it_leads_into(catalogs: Catalogs) -> None:
    orientations = load_orientations(
        catalogs.data_dir, catalogs.majors, catalogs.occupations, exclude={"610101"}
    )  # 种子生产技术 (中职) without its official 职业面向; its profile leads into 种子生产与经营 (410101)
    held = orientations["610101"]
    assert not held.official
    assert held.links[0].occupation in orientations["410101"].occupations
    assert all(0 < link.strength <= 0.9 for link in held.links)
    assert [link.strength for link in held.links] == sorted((link.strength for link in held.links), reverse=True)


@settings(max_examples=200, deadline=None)
@given(
    strengths=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    others=st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12),
)
def test_fit_orders_before_every_other_feature(strengths: tuple[float, float], others: list[float]) -> None:
    """An occupation of the major ranks above a shared 小类, that above a shared 中类, that above text; and of
    two linked occupations the one linked a fifth stronger or more ranks first — whatever place, pay, kind,
    freshness and text say."""
    low, high = sorted(strengths)
    values = [float(occupation_link_value(high)), float(occupation_link_value(low)), 0.7, 0.45, 0.35]
    rows = len(values)
    feats = {name: np.zeros(rows, dtype=np.float32) for name in FEATURES}
    feats["occupation"] = np.asarray(values, dtype=np.float32)
    worse = np.asarray(others[:6], dtype=np.float32)
    for name in ("text", "place", "pay", "kind", "freshness", "hardship"):
        # the better-fitting rows get the worst values of the other features
        feats[name] = np.sort(np.resize(worse, rows))
    scores = combine(feats, Weights())
    assert scores[1] > scores[2] > scores[3] > scores[4]
    if high - low >= 0.22:
        assert scores[0] > scores[1]
