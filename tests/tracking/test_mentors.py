"""Mentors and one-to-one pairings (一帮一结对): staff register a 工匠 with a sealed phone, a counselor pairs the mentor
with a graduate of the caseload, logs the contacts and records the outcome, which moves the graduate's status."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.clock import local_today
from services.tracking.mentors import PAIRING_MOVES, PAIRING_STATES, PairingOutcome, apply_outcome, outcome_problem
from tests.conftest import World
from tests.tracking.factories import make_graduate

T = "/api/v1/tracking"
PHONE = "13955667788"


def _error(resp: Any) -> tuple[str, str]:
    first = resp.json()["errors"][0]
    return first["field"], first["reason"]


def mentor(client: TestClient, world: World, *, key: str = "city", org: str = "BZ", **extra: Any) -> dict[str, Any]:
    body = {
        "org_unit_id": world.orgs[org],
        "name": "王建国",
        "kind": "craftsman",
        "unit": "亳州某中药饮片有限公司",
        "field": "中药材炮制",
        "contact_phone": PHONE,
        **extra,
    }
    resp = client.post(T + "/mentors", headers=world.headers(key), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def pairing(client: TestClient, world: World, mentor_id: int, graduate_id: int, key: str = "counselor_a") -> Any:
    body = {"mentor_id": mentor_id, "graduate_id": graduate_id, "kind": "help", "goal": "每月联系一次"}
    return client.post(T + "/pairings", headers=world.headers(key), json=body)


def test_a_mentor_keeps_the_phone_sealed_and_shows_it_masked(client: TestClient, db: Session, world: World) -> None:
    made = mentor(client, world)
    assert (made["contact_phone_masked"], made["kind_name"]) == ("139****7788", "工匠")
    raw = db.execute(text("SELECT contact_phone_enc FROM tracking_mentor")).scalars().all()
    assert raw and all(PHONE not in str(v) for v in raw)
    listed = client.get(T + "/mentors", headers=world.headers("counselor_a")).json()["items"]
    assert PHONE not in str(listed) and made["id"] in {m["id"] for m in listed}

    bad_phone = client.post(
        T + "/mentors",
        headers=world.headers("city"),
        json={**{k: made[k] for k in ("org_unit_id", "name", "kind", "unit", "field")}, "contact_phone": "12"},
    )
    assert bad_phone.status_code == 422 and _error(bad_phone)[0] == "contact_phone"
    kind = client.post(
        T + "/mentors",
        headers=world.headers("city"),
        json={**{k: made[k] for k in ("org_unit_id", "name", "unit", "field")}, "kind": "star", "contact_phone": PHONE},
    )
    assert _error(kind) == ("kind", "请选择导师类别：劳模、工匠、创业专家或爱心企业")
    counselor = client.post(
        T + "/mentors",
        headers=world.headers("counselor_a"),
        json={**{k: made[k] for k in ("org_unit_id", "name", "kind", "unit", "field")}, "contact_phone": PHONE},
    )
    assert counselor.status_code == 403
    assert client.get(T + "/mentors", headers=world.headers("enterprise_a")).status_code == 403


def test_counties_see_their_own_and_the_city_mentors_only(client: TestClient, world: World) -> None:
    city = mentor(client, world)
    mine = mentor(client, world, key="county_a", org="BZ-MC", name="李劳模", kind="model_worker")
    theirs = mentor(client, world, key="county_b", org="BZ-GY", name="张专家", kind="business_expert")
    seen = {m["id"] for m in client.get(T + "/mentors", headers=world.headers("counselor_a")).json()["items"]}
    assert {city["id"], mine["id"]} <= seen and theirs["id"] not in seen
    assert client.get(f"{T}/mentors/{theirs['id']}", headers=world.headers("counselor_a")).status_code == 404
    other = client.post(
        T + "/mentors",
        headers=world.headers("county_a"),
        json={
            "org_unit_id": world.orgs["BZ-GY"],
            "name": "某人",
            "kind": "craftsman",
            "unit": "某单位",
            "field": "电工",
            "contact_phone": PHONE,
        },
    )
    assert other.status_code == 403


def test_pair_log_contacts_and_the_outcome_moves_the_status(client: TestClient, db: Session, world: World) -> None:
    m = mentor(client, world)
    grad = make_graduate(db, world, side="a")
    made = pairing(client, world, m["id"], grad.id)
    assert made.status_code == 201, made.text
    p = made.json()
    assert (p["state_name"], p["kind_name"], p["started_on"]) == ("结对中", "一帮一结对帮扶", local_today().isoformat())
    again = pairing(client, world, m["id"], grad.id)
    assert again.status_code == 409 and again.json()["detail"] == "该毕业生已与导师“王建国”结对"
    # county B's counselor does not reach county A's graduate
    assert pairing(client, world, m["id"], grad.id, key="counselor_b").status_code == 404

    path = f"{T}/pairings/{p['id']}"
    today = local_today()
    future = client.post(
        path + "/contacts",
        headers=world.headers("counselor_a"),
        json={"contacted_on": (today + timedelta(days=1)).isoformat(), "channel": "phone", "summary": "电话"},
    )
    assert _error(future) == ("contacted_on", "联系日期不能晚于今天")
    channel = client.post(
        path + "/contacts",
        headers=world.headers("counselor_a"),
        json={"contacted_on": today.isoformat(), "channel": "fax", "summary": "传真"},
    )
    assert _error(channel)[0] == "channel"
    logged = client.post(
        path + "/contacts",
        headers=world.headers("counselor_a"),
        json={"contacted_on": today.isoformat(), "channel": "visit", "summary": "导师到家中走访，介绍药企岗位"},
    )
    assert logged.status_code == 201 and logged.json()["channel_name"] == "走访"
    log = client.get(path + "/contacts", headers=world.headers("counselor_a")).json()
    assert [c["summary"] for c in log] == ["导师到家中走访，介绍药企岗位"]
    assert client.get(path + "/contacts", headers=world.headers("county_b")).status_code == 404

    nameless = client.post(
        path + "/outcome", headers=world.headers("counselor_a"), json={"to": "employed", "on": today.isoformat()}
    )
    assert _error(nameless) == ("employer_name", "已就业的，请填写就业单位")
    done = client.post(
        path + "/outcome",
        headers=world.headers("counselor_a"),
        json={"to": "employed", "on": today.isoformat(), "employer_name": "亳州某中药饮片有限公司"},
    )
    assert done.status_code == 200 and done.json()["state_name"] == "已就业"
    status = client.get(f"{T}/graduates/{grad.id}/status", headers=world.headers("counselor_a")).json()
    assert status["status"] == "employed"
    closed = client.post(
        path + "/contacts",
        headers=world.headers("counselor_a"),
        json={"contacted_on": today.isoformat(), "channel": "phone", "summary": "回访"},
    )
    assert closed.status_code == 409 and closed.json()["detail"] == "结对当前为“已就业”，不能再登记联系"
    twice = client.post(
        path + "/outcome",
        headers=world.headers("counselor_a"),
        json={"to": "ended", "on": today.isoformat(), "note": "x"},
    )
    assert twice.status_code == 409 and twice.json()["detail"] == "结对当前为“已就业”，不能改为“结对结束”"


def test_a_paused_mentor_takes_no_new_pairing(client: TestClient, db: Session, world: World) -> None:
    m = mentor(client, world, key="county_a", org="BZ-MC")
    paused = client.put(f"{T}/mentors/{m['id']}/active", headers=world.headers("county_a"), json={"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False
    resp = pairing(client, world, m["id"], make_graduate(db, world, side="a").id)
    assert resp.status_code == 409 and resp.json()["detail"] == "导师“王建国”已暂停结对"


def test_a_startup_pairing_needs_a_project(client: TestClient, db: Session, world: World) -> None:
    m = mentor(client, world, kind="business_expert")
    grad = make_graduate(db, world, side="a")
    body = {"mentor_id": m["id"], "graduate_id": grad.id, "kind": "startup"}
    refused = client.post(T + "/pairings", headers=world.headers("counselor_a"), json=body)
    assert _error(refused) == ("venture_id", "创业结对请先登记该毕业生的创业项目")


@given(
    path=st.lists(st.sampled_from(sorted(PAIRING_STATES)), max_size=4),
    gaps=st.lists(st.integers(min_value=-3, max_value=5), min_size=4, max_size=4),
)
def test_a_pairing_ends_once_and_never_before_it_began(path: list[str], gaps: list[int]) -> None:
    today = date(2023, 12, 1)
    started = date(2023, 10, 1)
    row = SimpleNamespace(
        state="active", started_on=started, venture_id=None, outcome_on=None, employer_name=None, outcome_note=None
    )
    outcomes = 0
    for to, gap in zip(path, gaps, strict=False):
        on = started + timedelta(days=gap)
        outcome = PairingOutcome(to=to, on=on, employer_name="某公司", note="说明")
        problem = outcome_problem(row, outcome, today=today)  # type: ignore[arg-type]
        legal = to in PAIRING_MOVES[row.state] and started <= on <= today
        assert (problem is None) == legal, (row.state, to, on, problem)
        if problem is None:
            apply_outcome(row, outcome)  # type: ignore[arg-type]
            outcomes += 1
    assert outcomes <= 1
    if row.state != "active":
        assert row.outcome_on is not None and row.outcome_on >= started
    assert (row.employer_name is not None) == (row.state == "employed")


def test_the_mentor_phone_is_revealed_with_a_purpose_audited_and_only_in_scope(
    client: TestClient, world: World
) -> None:
    made = mentor(client, world, key="county_a", org="BZ-MC")
    body = {"target_type": "mentor", "target_id": str(made["id"]), "field": "contact_phone", "purpose": "约导师走访"}
    shown = client.post("/api/v1/reveal", headers=world.headers("counselor_a"), json=body)
    assert shown.status_code == 200 and PHONE in shown.text
    audit = client.get("/api/v1/audit", params={"action": "reveal"}, headers=world.headers("admin")).json()
    assert any(e["target_type"] == "mentor" and e["target_id"] == str(made["id"]) for e in audit["items"])
    # county B does not see county A's mentor; an enterprise is never told
    assert client.post("/api/v1/reveal", headers=world.headers("counselor_b"), json=body).status_code == 404
    assert client.post("/api/v1/reveal", headers=world.headers("enterprise_a"), json=body).status_code in {403, 404}
