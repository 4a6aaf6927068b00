"""Health, metrics, limits, error format, settings and logs as an operator meets them."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.config import DEV_SECRET, Settings, get_settings
from services.logging_setup import JsonFormatter, scrub
from tests.conftest import World


def test_liveness_and_readiness(client: TestClient) -> None:
    assert client.get("/health/live").json()["status"] == "ok"
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "not_configured"}


def test_readiness_is_degraded_not_dead_when_redis_is_down(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["redis"] == "down"


def test_metrics_are_exposed_without_login(client: TestClient) -> None:
    client.get("/health/live")
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert 'sunshine_http_requests_total{method="GET",route="/health/live",status="200"}' in resp.text
    client.get("/api/v1/no-such-route")
    assert 'route="unmatched",status="404"' in client.get("/metrics").text


def test_oversized_body_is_refused_before_it_is_read(client: TestClient, world: World) -> None:
    limit = get_settings().max_upload_bytes
    resp = client.post(
        "/api/v1/users", headers={**world.headers("admin"), "content-length": str(limit + 1)}, content=b"x"
    )
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert "MB" in resp.json()["detail"]


def test_streamed_body_over_the_limit_is_refused(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.app import BodyLimitMiddleware

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 1024)
    app = client.app
    small = TestClient(BodyLimitMiddleware(app, limit=1024))  # type: ignore[arg-type]

    def chunks():
        for _ in range(10):
            yield b"y" * 512

    resp = small.post("/api/v1/users", headers=world.headers("admin"), content=chunks())
    assert resp.status_code == 413


def test_unknown_fields_are_refused_with_the_field_named(client: TestClient, world: World) -> None:
    resp = client.post(
        "/api/v1/users",
        headers=world.headers("admin"),
        json={
            "username": "x_user",
            "password": "Abcdefg123",
            "display_name": "某",
            "role": "counselor",
            "org_unit_id": world.orgs["BZ-MC"],
            "is_active": False,
        },
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["errors"] == [{"field": "is_active", "reason": "不允许提交该字段", "code": "extra_forbidden"}]


def test_page_size_is_capped(client: TestClient, world: World) -> None:
    resp = client.get("/api/v1/users", params={"limit": 100000}, headers=world.headers("admin"))
    assert resp.status_code == 200
    assert resp.json()["limit"] == get_settings().max_page_size


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/problem+json"


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError, match="SUNSHINE_SECRET_KEY"):
        Settings(environment="production")
    ok = Settings(
        environment="production",
        secret_key="s" * 40,
        blind_index_key="b" * 40,
        pii_keys="Xx3kq8wVvS7o8k2lqYVQk2Yc7oYwXbVwq9p8z6t1A1E=",
    )
    assert ok.secret_key != DEV_SECRET


def test_embedded_default_is_sqlite_and_eager() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.sqlalchemy_url.startswith("sqlite:///")
    assert s.celery_eager
    prod = Settings(database_url="postgresql+psycopg://u@h/db", redis_url="redis://h:6379/0")
    assert not prod.is_sqlite and not prod.celery_eager


def test_logs_never_carry_ids_cards_or_phones() -> None:
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "import row 341622199901011234 card 6222021234567890123 tel 13905671234",
        None,
        None,
    )
    out = JsonFormatter().format(record)
    for secret in ("341622199901011234", "6222021234567890123", "13905671234"):
        assert secret not in out
    assert scrub("第12行") == "第12行"
