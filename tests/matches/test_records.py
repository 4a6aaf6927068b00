"""The registry profile → matching record conversion, over arbitrary profiles (hypothesis)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from matching.records import KINDS, Education, GraduateRecord
from services.matches.service import graduate_record
from services.registry.api import GraduateProfile

PROTECTED = {"ethnicity", "sex", "political_status", "health", "disability", "marital_status", "household_type"}
codes = st.one_of(
    st.sampled_from(["341622", "341600", "340000", "110101"]),
    st.text(max_size=8),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
money = st.one_of(st.none(), st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False))


@st.composite
def profiles(draw: st.DrawFn) -> GraduateProfile:
    return GraduateProfile(
        id=draw(st.integers(1, 10**6)),
        org_unit_id=1,
        stage=draw(st.sampled_from(["graduate", "student"])),
        education=draw(st.sampled_from(["11", "14", "21", "22", "31", "41", "61", "71", "90", ""])),
        cohort=draw(st.one_of(st.none(), st.integers(2015, 2030))),
        school_name="亳州职业技术学院",
        major_raw=draw(st.one_of(st.none(), st.text(max_size=10))),
        major_code=draw(st.one_of(st.none(), st.sampled_from(["510203", "080902", "520201", "999999"]))),
        major_name=draw(st.one_of(st.none(), st.sampled_from(["软件技术", "软件工程", "护理"]))),
        birth_date=draw(st.dates(date(1980, 1, 1), date(2010, 1, 1))),
        intentions=tuple(draw(st.lists(st.sampled_from([*KINDS, "further_study", "其他"]), max_size=4))),
        preferred_places=tuple(draw(st.lists(codes, max_size=3))),
        home_division_code=draw(st.one_of(st.none(), codes)),
        expected_pay_min=draw(money),
        expected_pay_max=draw(money),
        skills=tuple(
            draw(st.lists(st.sampled_from(["Java", "中共党员", "教师资格证", " ", "护士执业资格证"]), max_size=4))
        ),
        employment_status="unemployed",
        hardship_family=draw(st.booleans()),
        enterprise_visible=draw(st.booleans()),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@given(profiles(), st.booleans(), st.sampled_from(["", "341622", "bad"]))
def test_any_profile_becomes_a_valid_record_without_protected_attributes(
    profile: GraduateProfile, hide: bool, fallback: str
) -> None:
    record = graduate_record(profile, fallback_place=fallback, hide_hardship=hide)
    assert isinstance(record, GraduateRecord)
    assert not PROTECTED & {f.name for f in fields(GraduateRecord)}
    for code in (*record.preferred_places, *([record.home_division] if record.home_division else [])):
        assert len(code) == 6 and code.isdigit()
    assert record.wanted_kinds <= set(KINDS)
    assert "party_member" not in record.flags  # political status never becomes a rule input
    assert record.hardship == (profile.hardship_family and not hide)
    assert record.education in set(Education)
    if record.expected_pay is not None:
        assert record.expected_pay > 0
        low = profile.expected_pay_min if profile.expected_pay_min is not None else profile.expected_pay_max
        assert low is not None and record.expected_pay == int(low)
    if not profile.cohort:
        assert record.graduation_year == 0


def test_a_student_who_wants_work_also_takes_work_study() -> None:
    base: dict[str, object] = {
        "id": 1,
        "org_unit_id": 1,
        "education": "31",
        "cohort": None,
        "school_name": "亳州职业技术学院",
        "major_raw": "软件技术",
        "major_code": "510203",
        "major_name": "软件技术",
        "birth_date": date(2005, 1, 1),
        "preferred_places": (),
        "home_division_code": None,
        "expected_pay_min": Decimal("0.00"),
        "expected_pay_max": None,
        "skills": ("教师资格证",),
        "employment_status": "unemployed",
        "hardship_family": True,
        "enterprise_visible": False,
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    student = graduate_record(
        GraduateProfile(stage="student", intentions=("internship",), **base), fallback_place="341622"
    )
    assert student.wanted_kinds == {"internship", "work_study"}
    assert student.preferred_places == ("341622",) and student.flags == {"teacher_cert"}
    assert student.expected_pay is None
    anyone = graduate_record(GraduateProfile(stage="graduate", intentions=("further_study",), **base))
    assert anyone.wanted_kinds == frozenset()  # no position kind named: every kind may be shown
