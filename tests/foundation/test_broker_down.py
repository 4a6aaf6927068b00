"""The broker is down: reads still answer, and a request that would queue a job is answered 503 at once with
nothing stored — no job row is left "queued" for a task that was never sent."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import queue
from services.config import get_settings
from services.registry.models import ImportJob
from tests.conftest import World


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SUNSHINE_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    get_settings.cache_clear()
    queue.reset()
    yield
    monkeypatch.delenv("SUNSHINE_REDIS_URL")
    get_settings.cache_clear()
    queue.reset()


def _sheet() -> bytes:
    book = Workbook()
    book.active.append(["姓名"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_upload_is_refused_at_once_and_leaves_no_job(
    broker_down: None, client: TestClient, db: Session, world: World
) -> None:
    clerk = world.headers("county_a")
    before = db.scalar(select(func.count()).select_from(ImportJob))
    assert client.get("/api/v1/registry/families", headers=clerk).status_code == 200
    started = time.monotonic()
    answer = client.post(
        "/api/v1/registry/imports",
        headers=clerk,
        files={"file": ("registry.xlsx", _sheet(), "application/octet-stream")},
        data={"dry_run": "true"},
    )
    assert time.monotonic() - started < 5
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "后台任务服务暂时不可用" in answer.json()["detail"]
    assert answer.headers["retry-after"] == "30"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(ImportJob)) == before
