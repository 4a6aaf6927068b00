"""Login, tokens, revocation and throttling as a user meets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.config import get_settings
from services.security import tokens
from services.security.models import User
from services.security.throttle import MemoryCounter
from tests.conftest import PASSWORD, World


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = MemoryCounter()
    monkeypatch.setattr("services.security.throttle.get_counter", lambda: counter)


def login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    resp = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return resp.status_code, resp.json()


def test_login_issues_a_token_that_opens_the_api(client: TestClient) -> None:
    status, body = login(client, "t_counselor_a", PASSWORD)
    assert status == 200
    assert body["token_type"] == "bearer"
    assert body["role"] == "counselor"
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "t_counselor_a"


def test_wrong_password_is_refused_in_chinese(client: TestClient) -> None:
    status, body = login(client, "t_counselor_a", "wrong-password1")
    assert status == 401
    assert body["detail"] == "用户名或密码错误"
    status, _ = login(client, "nobody", "wrong-password1")
    assert status == 401


def test_tampered_token_gets_401(client: TestClient, world: World) -> None:
    token = world.token("admin")
    header, payload, sig = token.split(".")
    forged = jwt.encode(
        {
            "sub": str(world.users["admin"]),
            "role": "admin",
            "ver": 1,
            "iss": tokens.ISSUER,
            "exp": datetime.now(UTC) + timedelta(hours=1),
        },
        "another-secret-of-sufficient-length!!",
        algorithm="HS256",
    )
    for bad in (f"{header}.{payload}.{sig[::-1]}", forged, "garbage"):
        resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert resp.status_code == 401
        assert resp.headers["content-type"].startswith("application/problem+json")


def test_expired_token_gets_401(client: TestClient, world: World) -> None:
    payload = {
        "sub": str(world.users["admin"]),
        "role": "admin",
        "ver": 1,
        "iss": tokens.ISSUER,
        "iat": datetime.now(UTC) - timedelta(hours=2),
        "exp": datetime.now(UTC) - timedelta(seconds=1),
    }
    expired = jwt.encode(payload, get_settings().secret_key, algorithm="HS256")
    resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert resp.status_code == 401
    assert "过期" in resp.json()["detail"]


def test_a_token_used_before_is_refused_once_it_expires(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tokens.issue(user_id=world.users["admin"], role="admin", version=1, minutes=5)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # verified, and that is kept

    later = datetime.now(UTC) + timedelta(minutes=6)

    class Later(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return later

    monkeypatch.setattr(tokens, "datetime", Later)
    resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 401
    assert "过期" in resp.json()["detail"]


def test_a_token_used_before_is_refused_under_another_key(client: TestClient, world: World) -> None:
    token = tokens.issue(user_id=world.users["admin"], role="admin", version=1)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    settings = get_settings()
    old = settings.secret_key
    settings.secret_key = "a-rotated-secret-key-of-sufficient-length"
    try:
        resp = client.get("/api/v1/auth/me", headers=headers)
    finally:
        settings.secret_key = old
    assert resp.status_code == 401
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_password_change_revokes_earlier_tokens(client: TestClient, world: World) -> None:
    old = world.headers("graduate_a")
    resp = client.post(
        "/api/v1/auth/password", headers=old, json={"old_password": PASSWORD, "new_password": "Changed2023pw"}
    )
    assert resp.status_code == 204
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    status, body = login(client, "t_graduate_a", "Changed2023pw")
    assert status == 200


def test_weak_new_password_is_refused_with_the_field(client: TestClient, world: World) -> None:
    resp = client.post(
        "/api/v1/auth/password",
        headers=world.headers("graduate_a"),
        json={"old_password": PASSWORD, "new_password": "12345678"},
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "new_password"


def test_disabling_an_account_revokes_its_tokens(client: TestClient, world: World, db: Session) -> None:
    headers = world.headers("counselor_a")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    resp = client.post(f"/api/v1/users/{world.users['counselor_a']}/disable", headers=world.headers("county_a"))
    assert resp.status_code == 200
    assert resp.json()["is_active"] is False
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    status, _ = login(client, "t_counselor_a", PASSWORD)
    assert status == 401


def test_login_is_throttled_after_repeated_failures(client: TestClient) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert login(client, "t_city", "bad-password-1")[0] == 401
    status, body = login(client, "t_city", PASSWORD)
    assert status == 429
    assert "过多" in body["detail"]


def test_throttle_counts_on_redis(redis_url: str) -> None:
    import redis

    from services.security.throttle import RedisCounter

    client = redis.Redis.from_url(redis_url)
    counter = RedisCounter(client)
    key = "sunshine:test:throttle"
    counter.clear(key)
    assert [counter.hit(key, 60) for _ in range(3)] == [1, 2, 3]
    assert counter.count(key) == 3
    assert 0 < client.ttl(key) <= 60
    counter.clear(key)
    assert counter.count(key) == 0


def test_users_created_by_county_staff_stay_in_their_county(client: TestClient, world: World, db: Session) -> None:
    body = {
        "username": "mc_new",
        "password": "Abcdefg123",
        "display_name": "新指导员",
        "role": "counselor",
        "org_unit_id": world.orgs["BZ-GY"],
    }
    resp = client.post("/api/v1/users", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 403
    body["org_unit_id"] = world.orgs["BZ-MC-02"]
    resp = client.post("/api/v1/users", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 201
    created = db.get(User, resp.json()["id"])
    assert created is not None and created.password_hash.startswith("$argon2")
    body["role"] = "union_city"
    body["username"] = "mc_boss"
    assert client.post("/api/v1/users", headers=world.headers("county_a"), json=body).status_code == 403
