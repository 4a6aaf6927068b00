"""Refusals stay on the record although the refused request rolls back; login throttling keys hide the typed
username, believe X-Forwarded-For only from trusted proxies, and slow an address without locking accounts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import service
from services.config import get_settings
from services.security import throttle
from services.security.models import AuditEvent
from services.security.throttle import MemoryCounter
from tests.aid import factories as f
from tests.conftest import PASSWORD, World


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> MemoryCounter:
    counter = MemoryCounter()
    monkeypatch.setattr("services.security.throttle.get_counter", lambda: counter)
    return counter


def _denied(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == "denied")
            .order_by(AuditEvent.id)
        )
    )


def test_a_failed_login_is_on_the_record_with_where_from(client: TestClient, db: Session) -> None:
    answer = client.post("/api/v1/auth/token", data={"username": "t_city", "password": "wrong-password-1"})
    assert answer.status_code == 401
    rows = _denied(db, "login")
    assert [(r.target_id, r.source_ip, r.detail) for r in rows] == [
        ("t_city", "testclient", {"reason": "bad_credentials"})
    ]


def test_a_failed_console_login_is_on_the_record_like_the_apis(client: TestClient, db: Session) -> None:
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for name in ("t_city", "nobody.here"):
        answer = client.post("/login", data={"username": name, "password": "wrong-password-1", "csrf_token": token})
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    rows = _denied(db, "login")
    assert [(r.target_id, r.source_ip, r.detail["reason"] if r.detail else None) for r in rows] == [
        ("t_city", "testclient", "bad_credentials"),
        (None, "testclient", "bad_credentials"),
    ]
    assert rows[1].detail is not None and rows[1].detail["typed"] == throttle.account_digest("nobody.here")[:16]


def test_a_denial_inside_a_savepoint_that_rolls_back_is_kept_when_the_request_commits(db: Session) -> None:
    from services.security import audit

    try:
        with db.begin_nested():
            audit.record_denial(db, action="reveal", target_type="registry_family", target_id=7, principal=None)
            raise ValueError("the refused step")
    except ValueError:
        pass
    db.commit()
    assert [(r.target_type, r.target_id) for r in _denied(db, "reveal")] == [("registry_family", "7")]


def test_a_refused_reveal_is_on_the_record(client: TestClient, db: Session, world: World) -> None:
    answer = client.post(
        "/api/v1/reveal",
        headers=world.headers("counselor_a"),
        json={
            "target_type": "user_account",
            "target_id": str(world.users["admin"]),
            "field": "phone",
            "purpose": "核对联系方式",
        },
    )
    assert answer.status_code == 403
    rows = _denied(db, "reveal")
    assert len(rows) == 1
    row = rows[0]
    assert (row.actor_id, row.target_type, row.target_id, row.field, row.purpose) == (
        world.users["counselor_a"],
        "user_account",
        str(world.users["admin"]),
        "phone",
        "核对联系方式",
    )
    assert row.source_ip == "testclient"


def test_an_object_out_of_scope_is_on_the_record(client: TestClient, db: Session, world: World) -> None:
    f.setup_year(db, world)
    _, seeded = f.seeded_student(db, world, side="a")
    app = service.submit_application(db, principal=f.principal(db, world, "county_a"), data=f.application_input(seeded))
    db.commit()
    answer = client.get(f"/api/v1/aid/applications/{app.id}", headers=world.headers("county_b"))
    assert answer.status_code == 404
    rows = _denied(db, "access")
    assert len(rows) == 1
    row = rows[0]
    assert row.actor_id == world.users["county_b"]
    assert row.target_type == "/api/v1/aid/applications/{application_id}"
    assert row.target_id == f"application_id={app.id}"
    assert row.detail is not None and row.detail["status"] == 404
    assert row.source_ip == "testclient"


def test_throttle_keys_do_not_hold_the_typed_username() -> None:
    user_key, _ = throttle.keys_for("Zhang.Wei-Admin", "203.0.113.9")
    assert "zhang" not in user_key.lower() and "admin" not in user_key.lower()
    assert user_key == throttle.keys_for("zhang.wei-admin ", "198.51.100.1")[0]
    assert user_key != throttle.keys_for("zhang.wei-admim", "203.0.113.9")[0]


def test_redis_holds_no_typed_username_after_failed_logins(
    client: TestClient, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    conn = redis.Redis.from_url(redis_url)
    conn.flushdb()
    monkeypatch.setattr("services.security.throttle.get_counter", lambda: throttle.RedisCounter(conn))
    for name in ("t_city", "wang.fang.1987"):
        answer = client.post("/api/v1/auth/token", data={"username": name, "password": "wrong-password-1"})
        assert answer.status_code == 401
    keys = [k.decode() for k in conn.scan_iter("*")]
    assert len([k for k in keys if k.startswith("sunshine:login:user:")]) == 2
    assert not [k for k in keys if "t_city" in k or "wang" in k or "1987" in k], keys
    conn.flushdb()


def test_forwarded_for_is_believed_only_from_trusted_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "trusted_proxies", "")
    assert throttle.client_address("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    monkeypatch.setattr(settings, "trusted_proxies", "10.0.0.0/8, 192.0.2.10")
    # a client cannot step past the proxies by writing its own hops in front
    assert throttle.client_address("10.1.2.3", "6.6.6.6, 203.0.113.1") == "203.0.113.1"
    assert throttle.client_address("192.0.2.10", "203.0.113.1, 10.9.9.9") == "203.0.113.1"
    assert throttle.client_address("198.51.100.7", "203.0.113.1") == "198.51.100.7"
    assert throttle.client_address("10.1.2.3", "not-an-address") == "10.1.2.3"


def test_rotating_forwarded_for_does_not_escape_the_address_limit(client: TestClient, db: Session) -> None:
    limit = get_settings().login_address_failures
    for n in range(limit):
        answer = client.post(
            "/api/v1/auth/token",
            data={"username": f"spray-{n}", "password": "Spring2026!"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        assert answer.status_code == 401
    # the next attempt is let through once per delay; the one after it is slowed
    first = client.post(
        "/api/v1/auth/token",
        data={"username": "spray-x", "password": "Spring2026!"},
        headers={"X-Forwarded-For": "198.51.100.250"},
    )
    assert first.status_code == 401
    slowed = client.post(
        "/api/v1/auth/token",
        data={"username": "spray-y", "password": "Spring2026!"},
        headers={"X-Forwarded-For": "198.51.100.251"},
    )
    assert slowed.status_code == 429
    assert slowed.headers["Retry-After"] == str(get_settings().login_address_delay_seconds)
    reasons = [r.detail["reason"] for r in _denied(db, "login") if r.detail]
    assert all(r.target_id is None for r in _denied(db, "login"))  # no account: only a hash of the name
    assert reasons.count("bad_credentials") == limit + 1 and reasons.count("address_slowed") == 1


def test_failures_from_an_address_do_not_lock_out_the_accounts_behind_it(
    client: TestClient, fresh_throttle: MemoryCounter
) -> None:
    for n in range(get_settings().login_address_failures):
        assert client.post("/api/v1/auth/token", data={"username": f"spray-{n}", "password": "x"}).status_code == 401
    answer = client.post("/api/v1/auth/token", data={"username": "t_county_a", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    # the account itself is not locked: once the address's delay has passed, it signs in again
    fresh_throttle._claims.clear()
    again = client.post("/api/v1/auth/token", data={"username": "t_county_a", "password": PASSWORD})
    assert again.status_code == 200, again.text
