"""The campaign's deadlines as data per year, and one reminder per deadline and responsible person before each,
left out for a county that has already handed in what the deadline asks for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.models import Notification
from services.reports.campaign import deadlines, reminders, surveys
from tests.conftest import World
from tests.tracking.factories import principal

YEAR = 2031  # no aid campaign configured: the notice's own dates


def _inbox(db: Session, world: World, key: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.recipient_id == world.users[key], Notification.source == "reports")
    return list(db.scalars(stmt.order_by(Notification.id)))


def test_a_year_without_a_campaign_takes_the_notices_dates(client: TestClient, world: World) -> None:
    resp = client.get("/api/v1/reports/deadlines", params={"year": YEAR}, headers=world.headers("county_a"))
    assert resp.status_code == 200
    rows = resp.json()
    assert [(r["code"], r["due_on"]) for r in rows] == [
        ("archives", "2031-07-14"),
        ("paper_files", "2031-08-20"),
        ("stage_report", "2031-08-29"),
        ("final_report", "2031-11-28"),
    ]
    assert all(r["roles"] == ["union_county"] and r["remind_days_before"] == 7 for r in rows)
    again = client.get("/api/v1/reports/deadlines", params={"year": YEAR}, headers=world.headers("city")).json()
    assert [r["id"] for r in again] == [r["id"] for r in rows]


def test_reminders_once_per_deadline_and_person(db: Session, world: World) -> None:
    rows = {d.code: d for d in deadlines.ensure_year(db, year=YEAR)}
    assert reminders.send_reminders(db, today=date(YEAR, 7, 6)) == 0  # eight days before: not yet
    written = reminders.send_reminders(db, today=date(YEAR, 7, 7))
    assert written == 2  # the clerks of the two counties
    assert [n.title for n in _inbox(db, world, "county_a")] == [f"截止日期提醒：{rows['archives'].title}"]
    assert "还有7天到期" in _inbox(db, world, "county_b")[0].body
    assert _inbox(db, world, "city") == [] and _inbox(db, world, "counselor_a") == []
    assert reminders.send_reminders(db, today=date(YEAR, 7, 7)) == 0
    assert reminders.send_reminders(db, today=date(YEAR, 7, 13)) == 0  # once per deadline, not per day
    assert reminders.send_reminders(db, today=date(YEAR, 7, 15)) == 0  # past it
    city = principal(db, world, "city")
    deadlines.update(db, principal=city, deadline_id=rows["archives"].id, due=date(YEAR, 7, 20))
    assert reminders.send_reminders(db, today=date(YEAR, 7, 15)) == 2  # a moved date reminds again
    assert "还有5天到期" in _inbox(db, world, "county_a")[-1].body


def test_a_county_that_has_handed_in_is_not_reminded(db: Session, world: World) -> None:
    deadlines.ensure_year(db, year=YEAR)
    clerk = principal(db, world, "county_a")
    row = surveys.save(
        db,
        principal=clerk,
        county_id=world.orgs["BZ-MC"],
        year=YEAR,
        figures=surveys.SurveyFigures(aid_persons={"archived_compulsory": 2}, archived_amount=Decimal("4000")),
    )
    surveys.submit(db, principal=clerk, survey_id=row.id)
    assert reminders.send_reminders(db, today=date(YEAR, 7, 10)) == 1
    assert _inbox(db, world, "county_a") == [] and len(_inbox(db, world, "county_b")) == 1


def test_the_city_sets_the_days_and_the_roles(client: TestClient, world: World, db: Session) -> None:
    rows = client.get("/api/v1/reports/deadlines", params={"year": YEAR}, headers=world.headers("city")).json()
    stage = next(r for r in rows if r["code"] == "stage_report")
    path = f"/api/v1/reports/deadlines/{stage['id']}"
    assert client.patch(path, json={"remind_days_before": 3}, headers=world.headers("county_a")).status_code == 403
    resp = client.patch(path, json={"due_on": "2032-01-05"}, headers=world.headers("city"))
    assert resp.status_code == 422 and resp.json()["errors"][0]["reason"] == "截止日期须在2031年内"
    resp = client.patch(path, json={"roles": ["enterprise"]}, headers=world.headers("city"))
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "roles"
    resp = client.patch(
        path, json={"remind_days_before": 3, "roles": ["union_county", "union_city"]}, headers=world.headers("city")
    )
    assert resp.status_code == 200 and resp.json()["remind_days_before"] == 3
    assert reminders.send_reminders(db, today=date(YEAR, 8, 25)) == 0
    assert reminders.send_reminders(db, today=date(YEAR, 8, 26)) == 3  # the two county clerks and the city clerk
    assert len(_inbox(db, world, "city")) == 1


def test_the_beat_task_runs_by_name(db: Session, world: World) -> None:
    from jobs.schedule import BEAT_SCHEDULE
    from services.queue import send_now

    assert BEAT_SCHEDULE["reports-deadline-reminders"]["task"] == "sunshine.reports.deadline_reminders"
    result = send_now("sunshine.reports.deadline_reminders", f"{YEAR}-11-25")
    assert result.get() == 2
    assert send_now("sunshine.reports.deadline_reminders", f"{YEAR}-11-25").get() == 0
