"""One inbox: tracking's messages and aid's deadline warnings come back from the same route, filtered by read state
and source, paged, and marked read by their recipient only."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.aid import service as aid
from services.notifications import service
from tests.aid import factories as aid_factories
from tests.conftest import World
from tests.tracking.factories import principal


def test_tracking_and_aid_messages_share_one_inbox(client: TestClient, db: Session, world: World) -> None:
    aid_factories.setup_year(db, world)
    me = world.users["county_a"]
    handoff = service.notify(
        db, recipient_id=me, kind="handoff", title="异地求职转介", body="请接收", link="/api/v1/tracking/handoffs/1"
    )
    assert aid.warn_deadlines(db, today=date(2023, 8, 15)) > 0  # paper files due 8/20
    service.notify(db, recipient_id=world.users["county_b"], kind="handoff", title="别人的", body="不是我的")
    db.commit()
    url = "/api/v1/notifications"
    headers = world.headers("county_a")

    everything = client.get(url, headers=headers).json()
    assert everything["total"] == 2
    assert [i["source"] for i in everything["items"]] == ["aid", "tracking"]  # newest first
    deadline = everything["items"][0]
    assert deadline["kind"] == "deadline" and "还有5天" in deadline["body"]
    assert deadline["link"] == "/api/v1/aid/campaigns/2023/deadlines"
    assert client.get(deadline["link"], headers=headers).status_code == 200  # the link leads somewhere real

    only_aid = client.get(url, params={"source": "aid"}, headers=headers).json()
    assert [i["id"] for i in only_aid["items"]] == [deadline["id"]]
    paged = client.get(url, params={"limit": 1, "offset": 1}, headers=headers).json()
    assert [i["id"] for i in paged["items"]] == [handoff.id] and paged["total"] == 2

    read = client.post(f"{url}/{deadline['id']}/read", headers=headers)
    assert read.status_code == 200 and read.json()["is_read"] is True and read.json()["read_at"]
    unread = client.get(url, params={"unread": "true"}, headers=headers).json()
    assert [i["id"] for i in unread["items"]] == [handoff.id]
    assert client.post(f"{url}/{deadline['id']}/read", headers=world.headers("county_b")).status_code == 404
    assert client.get("/api/v1/aid/notifications", headers=headers).status_code == 404  # one inbox, one route


def test_a_keyed_message_is_written_once_per_recipient(db: Session, world: World) -> None:
    me, other = world.users["county_a"], world.users["county_b"]
    first = service.notify_once(
        db,
        recipient_id=me,
        key="aid:2023:archives:2023-07-10",
        kind="deadline",
        title="截止日期提醒",
        body="还有3天",
        source="aid",
    )
    again = service.notify_once(
        db,
        recipient_id=me,
        key="aid:2023:archives:2023-07-10",
        kind="deadline",
        title="截止日期提醒",
        body="还有3天",
        source="aid",
    )
    theirs = service.notify_once(
        db,
        recipient_id=other,
        key="aid:2023:archives:2023-07-10",
        kind="deadline",
        title="截止日期提醒",
        body="还有3天",
        source="aid",
    )
    assert first is not None and again is None and theirs is not None
    rows, total = service.list_notifications(
        db, principal=principal(db, world, "county_a"), unread_only=True, limit=10, offset=0
    )
    assert total == 1 and rows[0].id == first.id
