"""Aid controls that a caller cannot side-step: the notice period starts when the notice is published, payment
checks the notice and its objections itself, an application's county comes from the archive and its counselor from
the caseload (never from the filer), and an objection is reached only through a notice the caller may see."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.aid import service, workdays
from services.aid.models import AidObjection, ObjectionStatus
from services.errors import Forbidden, NotFound, ValidationFailed
from services.security.models import Role, User
from services.tracking import service as tracking
from tests.aid import factories as f
from tests.conftest import World

AFTER_NOTICE = date(2023, 10, 20)


@pytest.fixture
def year(db: Session, world: World) -> int:
    f.setup_year(db, world)
    return f.YEAR


def test_a_notice_cannot_start_before_the_day_it_is_published(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    county = f.principal(db, world, "county_a")
    with pytest.raises(ValidationFailed, match="不能早于发布当日") as caught:
        service.publish_notice(
            db,
            principal=county,
            org_unit_id=world.orgs["BZ-MC"],
            award_ids=[award.id],
            supervision_phone="0558-3032682",
            starts_on=date(2023, 9, 18),
            today=date(2023, 9, 25),
        )
    assert [e.field for e in caught.value.errors] == ["starts_on"]
    notice = service.publish_notice(
        db,
        principal=county,
        org_unit_id=world.orgs["BZ-MC"],
        award_ids=[award.id],
        supervision_phone="0558-3032682",
        starts_on=date(2023, 9, 25),
        today=date(2023, 9, 25),
    )
    # five working days from the day of publication: Monday 25 to Friday 29 September is cut by the holiday
    assert notice.starts_on == date(2023, 9, 25)
    assert notice.ends_on == workdays.period_end(date(2023, 9, 25), 5)


def test_a_backdated_notice_is_refused_over_http(client: TestClient, db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    db.commit()
    back = workdays.today() - timedelta(days=30)
    answer = client.post(
        "/api/v1/aid/notices",
        headers=world.headers("county_a"),
        json={
            "org_unit_id": world.orgs["BZ-MC"],
            "award_ids": [award.id],
            "supervision_phone": "0558-3032682",
            "starts_on": back.isoformat(),
        },
    )
    assert answer.status_code == 422, answer.text
    assert "不能早于发布当日" in answer.json()["detail"]
    pay = client.post(
        f"/api/v1/aid/awards/{award.id}/payments",
        headers={**world.headers("county_a"), "Idempotency-Key": "backdated-0001"},
    )
    assert pay.status_code == 409 and "尚未公示" in pay.json()["detail"]


def test_payment_refuses_an_award_whose_objection_was_upheld(db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    notice = f.noticed(db, world, [award])
    # an upheld finding on record, whatever became of the award's own status
    db.add(
        AidObjection(
            notice_id=notice.id,
            award_id=award.id,
            org_unit_id=award.org_unit_id,
            content="群众来信反映该户有经营性门面房",
            lodged_by=world.users["county_a"],
            lodged_on=notice.starts_on,
            status=ObjectionStatus.UPHELD,
            resolution="经核查属实",
        )
    )
    db.flush()
    answer = service.request_payment(
        db,
        principal=f.principal(db, world, "county_a"),
        award_id=award.id,
        idempotency_key="upheld-00000001",
        today=AFTER_NOTICE,
    )
    assert answer.status_code == 409
    assert "异议成立" in answer.body["detail"]


def test_a_student_cannot_choose_their_county_or_counselor(
    client: TestClient, db: Session, world: World, year: int
) -> None:
    student, seeded = f.seeded_student(db, world, user_key="graduate_a")
    county = f.principal(db, world, "county_a")
    tracking.assign_counselor(db, principal=county, graduate_id=student.id, counselor_id=world.users["counselor_a"])
    db.commit()
    form = json.loads(json.dumps(dataclasses.asdict(f.application_input(seeded)), default=str))
    body = {k: v for k, v in form.items() if v is not None}
    moved = client.post(
        "/api/v1/aid/applications",
        headers=world.headers("graduate_a"),
        json=body | {"org_unit_id": world.orgs["BZ-GY-01"], "counselor_user_id": world.users["county_b"]},
    )
    assert moved.status_code == 422, moved.text
    filed = client.post("/api/v1/aid/applications", headers=world.headers("graduate_a"), json=body)
    assert filed.status_code == 201, filed.text
    assert filed.json()["org_unit_id"] == world.orgs["BZ-MC-01"]
    # the home county sees it, the other county does not
    app_id = filed.json()["id"]
    assert client.get(f"/api/v1/aid/applications/{app_id}", headers=world.headers("county_a")).status_code == 200
    assert client.get(f"/api/v1/aid/applications/{app_id}", headers=world.headers("county_b")).status_code == 404
    app = service.get_application(db, principal=f.principal(db, world, "admin"), application_id=app_id)
    assert app.counselor_id == world.users["counselor_a"]  # the caseload's, not the one the student named


def test_the_counselor_assigned_in_the_caseload_cannot_review_even_as_staff(
    db: Session, world: World, year: int
) -> None:
    student, seeded = f.seeded_student(db, world)
    county = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=county, data=f.application_input(seeded))
    assert app.counselor_id is None  # no one assigned yet
    f.attach_all(db, county, app)
    # assigned after filing, then made a county clerk: still the student's counselor, still kept off the review
    tracking.assign_counselor(db, principal=county, graduate_id=student.id, counselor_id=world.users["counselor_a"])
    clerk = db.get(User, world.users["counselor_a"])
    assert clerk is not None
    clerk.role = Role.UNION_COUNTY
    db.flush()
    as_clerk = dataclasses.replace(f.principal(db, world, "counselor_a"), role=Role.UNION_COUNTY)
    with pytest.raises(Forbidden, match="就业指导员"):
        service.review(
            db,
            principal=as_clerk,
            application_id=app.id,
            stage="grassroots",
            decision="approve",
            opinion="情况属实",
        )
    reviewed = service.review(
        db, principal=county, application_id=app.id, stage="grassroots", decision="approve", opinion="情况属实"
    )
    assert reviewed.status == "grassroots_approved"


def test_another_notices_objection_is_not_found(client: TestClient, db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    city = f.principal(db, world, "city")
    today = workdays.today()
    notice = service.publish_notice(
        db,
        principal=city,
        org_unit_id=world.orgs["BZ"],
        award_ids=[award.id],
        supervision_phone="0558-3032682",
        starts_on=today,
        today=today,
    )
    objection = service.lodge_objection(
        db, principal=city, notice_id=notice.id, award_id=award.id, content="反映情况不实", today=today
    )
    db.commit()
    county = f.principal(db, world, "county_a")
    with pytest.raises(NotFound):
        service.resolve_objection(db, principal=county, objection_id=objection.id, upheld=False, resolution="不成立")
    answer = client.post(
        f"/api/v1/aid/objections/{objection.id}/resolve",
        headers=world.headers("county_a"),
        json={"upheld": False, "resolution": "x不成立"},
    )
    assert answer.status_code == 404
    listed = client.get(f"/api/v1/aid/notices/{notice.id}/objections", headers=world.headers("county_a"))
    assert listed.status_code == 404
    db.refresh(objection)
    assert objection.status == ObjectionStatus.OPEN
