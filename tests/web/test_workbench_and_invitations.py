"""The counselor's workbench (next action per person, paging, counts that agree with the lists) and the
invitation API (who may invite, single use, expiry, the account tied to the archive)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.registry.invitations import Invitation
from tests.conftest import World
from tests.matches.factories import make_employer, make_graduate, make_position
from tests.web.console import login

_ROW = re.compile(r'<tr>\s*<th scope="row"><a href="/counselor/graduates/(\d+)"')


def _api(client: TestClient, world: World, key: str, path: str, body: dict[str, object]) -> dict[str, object]:
    resp = client.post(path, json=body, headers=world.headers(key))
    assert resp.status_code in {200, 201}, resp.text
    return dict(resp.json())


def test_workbench_pages_the_caseload_and_shows_the_next_action_with_counts_that_match_the_lists(
    client: TestClient, db: Session, world: World
) -> None:
    graduates = [make_graduate(db, world) for _ in range(23)]
    make_graduate(db, world, side="b")  # another county: never on this desk
    position = make_position(db, world, employer=make_employer(db, world), major_classes=["5102"])
    db.commit()
    late, offered = graduates[0], graduates[1]
    now = datetime.now(UTC)
    _api(
        client,
        world,
        "counselor_a",
        f"/api/v1/tracking/graduates/{late.id}/contacts",
        {
            "channel": "phone",
            "outcome": "reached",
            "summary": "电话回访",
            "contacted_at": (now - timedelta(days=10)).isoformat(),
            "next_due_on": (date.today() - timedelta(days=3)).isoformat(),
        },
    )
    app = _api(
        client,
        world,
        "counselor_a",
        "/api/v1/tracking/applications",
        {"graduate_id": offered.id, "position_id": position.id},
    )
    for state in ("applied", "offered"):
        _api(
            client,
            world,
            "counselor_a",
            f"/api/v1/tracking/applications/{app['id']}/moves",
            {"to_state": state, "note": "线下登记"},
        )
    login(client, "t_counselor_a")

    first = client.get("/counselor").text
    second = client.get("/counselor?offset=20").text
    ids = [int(i) for i in _ROW.findall(first)] + [int(i) for i in _ROW.findall(second)]
    assert len(_ROW.findall(first)) == 20 and sorted(ids) == sorted(g.id for g in graduates)
    assert "共 23 条，第 1–20 条" in first and "第 21–23 条" in second
    both = first + second
    assert len(re.findall(r"逾期 \d+ 天未回访", both)) == 1 and both.count("录用待签约：" + position.title) == 1
    assert "1131 待补：" in first

    overdue_count = int(re.search(r'<span class="n">(\d+)</span> 逾期未回访', first)[1])  # type: ignore[index]
    gap_count = int(re.search(r'<span class="n">(\d+)</span> 1131 未达标', first)[1])  # type: ignore[index]
    due = client.get("/counselor/due").text
    assert f"逾期未回访（{overdue_count} 人）" in due and overdue_count == 1
    assert f"1131 服务未达标（{gap_count} 人）" in due
    gap_rows = re.findall(r'href="/counselor/graduates/\d+#service"', due)
    assert len(gap_rows) == gap_count and gap_count >= 22
    assert "电话" in due and "已联系上" in due and ">phone<" not in due


def test_counselor_invites_and_the_graduate_activates_through_the_api(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    path = f"/api/v1/graduates/{graduate.id}/invitations"
    assert client.post(path, headers=world.headers("counselor_b")).status_code == 404
    assert client.post(path, headers=world.headers("graduate_a")).status_code == 403
    assert client.post(path, headers=world.headers("enterprise_a")).status_code == 403
    assert client.post(path).status_code == 401
    issued = _api(client, world, "counselor_a", path, {})
    assert issued["activation_path"] == f"/activate?code={issued['code']}"
    body = {"code": issued["code"], "username": "grad_api", "password": "Sunshine2024"}
    token = _api(client, world, "counselor_a", "/api/v1/invitations/activate", body)
    me = client.get("/api/v1/registry/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == graduate.id
    again = client.post("/api/v1/invitations/activate", json={**body, "username": "grad_api2"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "code"
    assert client.post(path, headers=world.headers("counselor_a")).status_code == 409  # already activated


def test_an_expired_invitation_is_refused_and_creates_no_account(client: TestClient, db: Session, world: World) -> None:
    graduate = make_graduate(db, world)
    db.commit()
    issued = _api(client, world, "county_a", f"/api/v1/graduates/{graduate.id}/invitations", {})
    db.execute(update(Invitation).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    db.commit()
    resp = client.post(
        "/api/v1/invitations/activate",
        json={"code": issued["code"], "username": "late_grad", "password": "Sunshine2024"},
    )
    assert resp.status_code == 409 and "已过期" in resp.json()["detail"]
    db.expire_all()
    assert graduate.user_id is None
    login_try = client.post("/api/v1/auth/token", data={"username": "late_grad", "password": "Sunshine2024"})
    assert login_try.status_code == 401
