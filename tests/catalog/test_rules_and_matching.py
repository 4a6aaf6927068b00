"""Program rule sets (versioned per program, year and province) and the records handed to the matcher."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from fastapi.testclient import TestClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from matching.records import Education, PositionRecord
from services.catalog import service
from services.catalog.models import Position
from services.matches import records as position_records
from tests.catalog import factories as f
from tests.conftest import World


def _grassroots(db: Session, world: World, year: int) -> int:
    rule = service.resolve_rule_set(db, program="sanzhi_yifu", year=year, province_code="341622")
    assert rule is not None
    return f.make_position(
        db,
        world,
        kind="grassroots",
        program="sanzhi_yifu",
        program_year=year,
        service_years=2,
        rule_set_id=rule.id,
        min_education="secondary",
    ).id


def _record(db: Session, position_id: int) -> PositionRecord:
    return next(r for r in position_records.open_positions_for_matching(db) if r.id == position_id)


def test_a_2023_rule_and_a_2024_rule_each_apply_to_their_own_year(db: Session, world: World) -> None:
    f.make_rule_set(db, year=2023, max_age=30, graduation_window_years=2, min_education="junior_college")
    f.make_rule_set(db, year=2024, max_age=35, graduation_window_years=1, min_education="bachelor")
    p2023, p2024 = _grassroots(db, world, 2023), _grassroots(db, world, 2024)
    r2023, r2024 = _record(db, p2023), _record(db, p2024)
    assert (r2023.max_age, r2023.graduation_min, r2023.graduation_max) == (30, 2021, 2023)
    assert (r2024.max_age, r2024.graduation_min, r2024.graduation_max) == (35, 2023, 2024)
    assert r2023.min_education == Education.JUNIOR_COLLEGE
    assert r2024.min_education == Education.BACHELOR
    assert r2023.requires_local_hukou and r2023.hukou_scope == "province"


def test_a_new_version_governs_its_year_and_leaves_other_years_alone(
    client: TestClient, db: Session, world: World
) -> None:
    f.make_rule_set(db, year=2023, max_age=30)
    first_2024 = f.make_rule_set(db, year=2024, max_age=30)
    p2023, p2024 = _grassroots(db, world, 2023), _grassroots(db, world, 2024)
    db.commit()
    body = {
        "program": "sanzhi_yifu",
        "program_name": "三支一扶",
        "year": 2024,
        "province_code": "340000",
        "min_education": "junior_college",
        "max_age": 32,
        "graduation_window_years": 2,
        "requires_local_hukou": False,
        "source_notice": "安徽省2024年三支一扶招募公告（更正）",
    }
    resp = client.post("/api/v1/program-rules", json=body, headers=world.headers("city"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["version"] == 2
    assert client.post("/api/v1/program-rules", json=body, headers=world.headers("county_a")).status_code == 403
    assert _record(db, p2024).max_age == 32 and not _record(db, p2024).requires_local_hukou
    assert _record(db, p2023).max_age == 30
    old = client.get(f"/api/v1/program-rules/{first_2024.id}", headers=world.headers("graduate_a")).json()
    assert old["current"] is False and old["max_age"] == 30  # history is kept
    current = client.get(
        "/api/v1/program-rules",
        params={"program": "sanzhi_yifu", "year": 2024, "current": True},
        headers=world.headers("graduate_a"),
    ).json()
    assert [r["version"] for r in current] == [2]


def test_a_province_without_its_own_rules_falls_back_to_the_nationwide_set(db: Session) -> None:
    nationwide = f.make_rule_set(db, program="xibu", program_name="西部计划", province_code="000000", year=2024)
    anhui = f.make_rule_set(db, program="xibu", program_name="西部计划", province_code="340000", year=2024)
    assert service.resolve_rule_set(db, program="xibu", year=2024, province_code="341622") == anhui
    assert service.resolve_rule_set(db, program="xibu", year=2024, province_code="110101") == nationwide
    assert service.resolve_rule_set(db, program="xibu", year=2020, province_code="110101") is None


def test_the_bundled_rule_sets_cover_the_five_programs(db: Session) -> None:
    f.ensure_reference(db)
    added = service.seed_rule_sets(db)
    assert added == 20
    programs = {
        r.program_name
        for r, _ in service.list_rule_sets(
            db, program=None, year=2024, province_code=None, current_only=True, limit=100, offset=0
        )
    }
    assert programs == {"特岗计划", "三支一扶", "西部计划", "城乡社区", "乡村医生"}
    tegang = service.resolve_rule_set(db, program="tegang", year=2024, province_code="340000")
    assert tegang is not None and tegang.required_flags == ["teacher_cert"]
    doctor = service.resolve_rule_set(db, program="xiangcun_yisheng", year=2024, province_code="340000")
    assert doctor is not None and "1002" in doctor.major_classes
    assert "以当年" in doctor.source_notice  # each year's provincial notice governs
    assert service.seed_rule_sets(db) == 0  # running it again adds nothing


def test_matching_records_carry_what_the_matcher_needs(db: Session, world: World) -> None:
    verified = f.make_employer(db, world)
    pending = f.make_employer(db, world, status="pending")
    job = f.make_position(
        db,
        world,
        employer=verified,
        majors=["080902"],
        major_classes=["0809"],
        places=["341622", "341621"],
        hardship_priority=True,
        pay_min=Decimal("4500.50"),
        pay_max=Decimal("7000.00"),
        headcount=4,
        filled=1,
    )
    work_study = f.make_position(
        db,
        world,
        employer=verified,
        kind="work_study",
        hours_per_week=12,
        pay_basis="hourly",
        rate=Decimal("20.00"),
        summer_special=True,
        pay_min=None,
        pay_max=None,
    )
    hidden = f.make_position(db, world, employer=pending)
    closed = f.make_position(db, world, employer=verified, status="closed")
    records = {r.id: r for r in position_records.open_positions_for_matching(db)}
    assert hidden.id not in records and closed.id not in records
    assert hidden.id in {r.id for r in position_records.open_positions_for_matching(db, include_unverified=True)}
    rec = records[job.id]
    assert rec.kind == "job" and rec.employer_verified
    assert rec.majors == ("080902",) and rec.major_classes == ("0809",)
    assert rec.places == ("341622", "341621")
    assert (rec.pay_min, rec.pay_max) == (4500, 7000)
    assert (rec.headcount, rec.filled) == (4, 1)
    assert rec.hardship_priority and rec.min_education == Education.BACHELOR
    assert rec.deadline == job.deadline and rec.opened == job.opens_on
    # 20 yuan an hour × 12 hours a week × 52 / 12 ≈ 1040 yuan a month
    assert records[work_study.id].pay_min == 1040
    assert position_records.position_record(db, position_id=closed.id).status == "closed"


def test_every_change_bumps_the_catalog_version(client: TestClient, db: Session, world: World) -> None:
    employer = f.make_employer(db, world, account="enterprise_a")
    db.commit()
    start = client.get("/api/v1/catalog/version", headers=world.headers("graduate_a")).json()["version"]
    created = client.post(
        "/api/v1/positions", json=f.position_payload(employer_id=employer.id), headers=world.headers("enterprise_a")
    )
    position_id = created.json()["id"]
    client.post(f"/api/v1/positions/{position_id}/publish", headers=world.headers("enterprise_a"))
    client.patch(f"/api/v1/employers/{employer.id}", json={"contact_name": "赵"}, headers=world.headers("county_a"))
    end = client.get("/api/v1/catalog/version", headers=world.headers("graduate_a")).json()["version"]
    assert end == start + 3
    assert service.current_version(db) == end


@given(
    rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
    hours=st.integers(1, 40),
    basis=st.sampled_from(["hourly", "monthly"]),
)
@example(rate=Decimal("3.00"), hours=3, basis="hourly")  # 3 × 3 × 52 / 12 = 39 exactly, not 38.99…
def test_work_study_pay_is_turned_into_whole_yuan_a_month_exactly(rate: Decimal, hours: int, basis: str) -> None:
    position = Position(kind="work_study", rate=rate, hours_per_week=hours, pay_basis=basis)
    low, high = position_records.monthly_pay(position)
    expected = rate * hours * 52 / 12 if basis == "hourly" else rate
    assert low == high == int(expected.to_integral_value(rounding=ROUND_FLOOR))
    assert isinstance(low, int)
