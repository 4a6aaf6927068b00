"""The 1131 service standard: the shortfall list against a hand-computed expectation, by counselor and county;
a different standard configured by the city changes the list; figures for the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from services.errors import Forbidden, ValidationFailed
from services.security.models import User
from services.security.scope import graduate_scope
from services.tracking import service
from services.tracking.models import Assignment, ServiceRecord
from tests.conftest import World
from tests.tracking.factories import make_graduate, make_user, principal, today


@dataclass(frozen=True)
class Case:
    name: str
    side: str
    counselor: str  # key into the counselors made below
    status: str
    briefings: int = 0
    guidance: int = 0
    recommendations: int = 0
    training: int = 0
    internship: int = 0


# The generated caseload and, for each graduate, what a clerk counting on paper expects to be missing.
CASELOAD = [
    Case("甲", "a", "wang", "unemployed", 1, 1, 3, 1),  # meets 1131
    Case("乙", "a", "wang", "seeking", 1, 0, 2, 0, 0),  # short: guidance 1, recommendations 1, training 1
    Case("丙", "a", "wang", "seeking", 2, 2, 5, 0, 1),  # an internship offer counts for "training or internship"
    Case("丁", "a", "li", "unemployed"),  # nothing delivered: short of everything
    Case("戊", "a", "li", "employed"),  # has a job: the standard does not apply
    Case("己", "a", "li", "internship", 1, 1, 1, 1),  # short: recommendations 2
    Case("庚", "b", "zhao", "not_seeking"),  # not seeking work: not covered
    Case("辛", "b", "zhao", "unemployed", 0, 1, 3, 2),  # short: briefing 1
]
EXPECTED_MISSING = {
    "乙": {"career_guidance": 1, "job_recommendation": 1, "training_or_internship": 1},
    "丁": {"policy_briefing": 1, "career_guidance": 1, "job_recommendation": 3, "training_or_internship": 1},
    "己": {"job_recommendation": 2},
    "辛": {"policy_briefing": 1},
}
# (county code, counselor) → graduates short, and per requirement how many of them lack it
EXPECTED_GROUPS = {
    ("BZ-MC", "wang"): (1, {"career_guidance": 1, "job_recommendation": 1, "training_or_internship": 1}),
    ("BZ-MC", "li"): (
        2,
        {"policy_briefing": 1, "career_guidance": 1, "job_recommendation": 2, "training_or_internship": 1},
    ),
    ("BZ-GY", "zhao"): (1, {"policy_briefing": 1}),
}


def build_caseload(db: Session, world: World) -> tuple[dict[str, int], dict[str, int]]:
    counselors = {
        "wang": make_user(db, world, role="counselor", org="BZ-MC"),
        "li": make_user(db, world, role="counselor", org="BZ-MC"),
        "zhao": make_user(db, world, role="counselor", org="BZ-GY"),
    }
    ids: dict[str, int] = {}
    for case in CASELOAD:
        grad = make_graduate(db, world, side=case.side, name=case.name, status=case.status)
        ids[case.name] = grad.id
        db.add(
            Assignment(graduate_id=grad.id, org_unit_id=grad.org_unit_id, counselor_id=counselors[case.counselor].id)
        )
        kinds = (
            ["policy_briefing"] * case.briefings
            + ["career_guidance"] * case.guidance
            + ["job_recommendation"] * case.recommendations
            + ["training_offer"] * case.training
            + ["internship_offer"] * case.internship
        )
        for i, kind in enumerate(kinds):
            db.add(
                ServiceRecord(
                    graduate_id=grad.id,
                    org_unit_id=grad.org_unit_id,
                    kind=kind,
                    delivered_on=today() - timedelta(days=i + 1),
                    delivered_by_id=counselors[case.counselor].id,
                )
            )
    db.flush()
    return ids, {k: u.id for k, u in counselors.items()}


def test_shortfall_list_matches_the_hand_computed_expectation(db: Session, world: World) -> None:
    ids, counselors = build_caseload(db, world)
    city = graduate_scope(db, principal=principal(db, world, "city"))
    gaps = [g for g in service.service_gaps(db, scope=city) if g.graduate_id in ids.values()]
    assert {g.name: g.missing for g in gaps} == EXPECTED_MISSING

    by_name = {v: k for k, v in counselors.items()}
    groups = {
        (g.county_name, by_name[g.counselor_id]): (g.graduates, g.missing)
        for g in service.group_gaps(gaps)
        if g.counselor_id in by_name
    }
    expected = {
        ({"BZ-MC": "蒙城县总工会", "BZ-GY": "涡阳县总工会"}[county], who): value
        for (county, who), value in EXPECTED_GROUPS.items()
    }
    assert groups == expected

    # filters: one counselor, one county
    li = service.service_gaps(db, scope=city, counselor_id=counselors["li"])
    assert sorted(g.name for g in li) == ["丁", "己"]
    gy = service.service_gaps(db, scope=city, county_id=world.orgs["BZ-GY"])
    assert [g.name for g in gy if g.graduate_id in ids.values()] == ["辛"]


def test_county_staff_only_see_their_county_in_the_list(db: Session, world: World) -> None:
    ids, _ = build_caseload(db, world)
    county_a = graduate_scope(db, principal=principal(db, world, "county_a"))
    names = {g.name for g in service.service_gaps(db, scope=county_a) if g.graduate_id in ids.values()}
    assert names == {"乙", "丁", "己"}


def test_pages_of_the_list_follow_the_order_of_the_whole_list(db: Session, world: World) -> None:
    ids, counselors = build_caseload(db, world)
    # names whose order by code point differs from a case-folding collation's ("Ben" before "ann")
    for key, name in {"wang": "ann 王", "li": "Ben 李", "zhao": "张老师"}.items():
        db.get(User, counselors[key]).display_name = name  # type: ignore[union-attr]
    db.flush()
    city = graduate_scope(db, principal=principal(db, world, "city"))
    whole = service.service_gaps(db, scope=city)
    assert [g.graduate_id for g in whole] == [
        g.graduate_id for g in sorted(whole, key=lambda g: (g.county_name, g.counselor_name or "", g.graduate_id))
    ]
    mine = [g.name for g in whole if g.graduate_id in ids.values()]
    assert mine == ["辛", "丁", "己", "乙"]  # 涡阳 before 蒙城 (by code point), then "Ben 李" before "ann 王"
    paged: list[int] = []
    for offset in range(0, len(whole) + 3, 3):
        page, total = service.service_gaps_page(db, scope=city, limit=3, offset=offset)
        assert total == len(whole), offset
        paged += [g.graduate_id for g in page]
    assert paged == [g.graduate_id for g in whole]
    past_the_end, total = service.service_gaps_page(db, scope=city, limit=3, offset=len(whole) + 10)
    assert past_the_end == [] and total == len(whole)
    assert service.service_gaps_page(db, scope=city, limit=0) == ([], len(whole))  # the count alone


def test_workbench_totals_do_not_depend_on_the_page(db: Session, world: World) -> None:
    build_caseload(db, world)
    me = principal(db, world, "county_a")
    whole = service.workbench(db, principal=me, limit=100)
    assert whole.gaps_total == len(whole.gaps) > 0 and whole.caseload_total == len(whole.caseload) > 0
    for limit, offset in [(0, 0), (1, 1), (2, 500)]:
        page = service.workbench(db, principal=me, limit=limit, offset=offset)
        totals = (page.caseload_total, page.overdue_total, page.gaps_total)
        assert totals == (whole.caseload_total, whole.overdue_total, whole.gaps_total), (limit, offset)
        assert [g.graduate_id for g in page.gaps] == [g.graduate_id for g in whole.gaps][offset : offset + limit]
        assert [c.graduate_id for c in page.caseload] == [c.graduate_id for c in whole.caseload][
            offset : offset + limit
        ]


def test_services_after_the_as_of_date_do_not_count(db: Session, world: World) -> None:
    ids, _ = build_caseload(db, world)
    city = graduate_scope(db, principal=principal(db, world, "city"))
    # on a day before every service was delivered, 甲 fell short of everything
    early = today() - timedelta(days=30)
    gaps = {
        g.name: g.missing for g in service.service_gaps(db, scope=city, as_of=early) if g.graduate_id in ids.values()
    }
    assert gaps["甲"] == EXPECTED_MISSING["丁"]


def test_a_configured_standard_replaces_1131(db: Session, world: World) -> None:
    ids, _ = build_caseload(db, world)
    city = principal(db, world, "city")
    with pytest.raises(Forbidden):
        service.set_standard(
            db, principal=principal(db, world, "county_a"), code="x", name="x", requirements=[], applies_to=[]
        )
    with pytest.raises(ValidationFailed):
        service.set_standard(
            db,
            principal=city,
            code="2",
            name="两次推荐",
            requirements=[service.Requirement("r", "推荐", ("no_such_kind",), 2)],
            applies_to=["unemployed"],
        )
    service.set_standard(
        db,
        principal=city,
        code="R2",
        name="至少两次岗位推荐",
        requirements=[service.Requirement("job_recommendation", "岗位推荐", ("job_recommendation",), 2)],
        applies_to=["unemployed"],
    )
    scope = graduate_scope(db, principal=city)
    gaps = {g.name: g.missing for g in service.service_gaps(db, scope=scope) if g.graduate_id in ids.values()}
    # only "unemployed" graduates are covered now, and only recommendations count
    assert gaps == {"丁": {"job_recommendation": 2}}
    assert service.active_standard(db).code == "R2"


def test_report_figures(db: Session, world: World) -> None:
    ids, _ = build_caseload(db, world)
    mine = frozenset(ids.values())
    rows = service.count_graduates(db, org_unit_ids=None, as_of=today(), by=("county", "status"))
    counted = {(r["county"], r["status"]): r["count"] for r in rows}
    assert counted[("BZ-MC", "seeking")] >= 2
    assert counted[("BZ-GY", "not_seeking")] >= 1
    dest = service.count_graduates(db, org_unit_ids=None, as_of=today(), by=("destination",))
    assert {r["destination"] for r in dest} >= {"employed", "unplaced"}
    kinds = {(r["county"], r["kind"]): r for r in service.services_by_kind(db, org_unit_ids=None)}
    assert kinds[("BZ-GY", "job_recommendation")]["count"] >= 3
    compliance = {r["county"]: r for r in service.compliance(db, org_unit_ids=None, as_of=today())}
    # county A covers 甲 乙 丙 丁 己 (戊 has a job); 乙 丁 己 fall short
    assert compliance["BZ-MC"]["covered"] - compliance["BZ-MC"]["short"] >= 2
    assert compliance["BZ-MC"]["short"] >= 3
    statuses = service.status_as_of(db, as_of=today(), graduate_ids=mine)
    assert statuses[ids["戊"]] == "employed" and statuses[ids["庚"]] == "not_seeking"
