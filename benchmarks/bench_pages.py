"""Console page timings: a small demo world in a scratch SQLite database (the demo's own build and logins), then
every console page of every role timed in process (p50/p95 over repeated requests, the session cookie of a real
login), each beside the API call that answers the same question on the same data with the same account.

``run_page_bench(size=0.1, repeats=20)``; goal: every page ≤ 300 ms at p95 on this machine.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

GOAL_MS = 300.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _time(call: Callable[[], Any], repeats: int) -> dict[str, float]:
    """p50/p95 in milliseconds; a call that fails is reported with its status instead of timings."""
    first = call()  # warm: first render compiles the templates, first query fills caches
    if first.status_code >= 400:
        return {"status": first.status_code}
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(_percentile(samples, 0.95), 1)}


def _setup(folder: Path, size: float) -> None:
    os.environ["SUNSHINE_DATA_DIR"] = str(folder)
    os.environ["SUNSHINE_DATABASE_URL"] = f"sqlite:///{(folder / 'pages.db').as_posix()}"
    os.environ.pop("SUNSHINE_REDIS_URL", None)
    from services import cli
    from services.config import get_settings
    from services.db import session_scope
    from services.demo import world

    get_settings.cache_clear()
    cli.migrate()
    cli.orgs_load(None)
    cli.refdata_load(None)
    with session_scope() as session:
        world.build_world(session, size=size, seed=2023)
    cli.ensure_demo_users()


def _pages(ids: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
    """Per demo login: (page, the matching API call)."""
    g, p = ids["graduate"], ids["position"]
    return {
        "graduate": [
            ("/graduate/matches", f"/api/v1/graduates/{g}/matches"),
            ("/graduate/applications", "/api/v1/tracking/applications"),
            ("/graduate/profile", f"/api/v1/registry/graduates/{g}"),
            ("/messages", "/api/v1/notifications"),
        ],
        "counselor": [
            ("/counselor", "/api/v1/tracking/workbench"),
            ("/counselor/due", "/api/v1/tracking/contacts/overdue"),
            ("/counselor/handoffs", "/api/v1/tracking/handoffs"),
            (f"/counselor/graduates/{g}", f"/api/v1/tracking/graduates/{g}/timeline"),
        ],
        "enterprise": [
            ("/enterprise", "/api/v1/positions?mine=true"),
            ("/enterprise/positions/new", "/api/v1/positions?mine=true"),
            (f"/enterprise/applicants?position_id={p}", f"/api/v1/tracking/positions/{p}/applicants"),
            (f"/enterprise/candidates?position_id={p}", f"/api/v1/positions/{p}/candidates"),
        ],
        "mengcheng": [
            ("/union", "/api/v1/reports/employment-rate"),
            ("/union/archives", "/api/v1/registry/families"),
            ("/union/employers", "/api/v1/employers?status=pending"),
            ("/union/imports", "/api/v1/registry/imports"),
            ("/union/aid", "/api/v1/aid/applications"),
            ("/union/aid/notices", "/api/v1/aid/notices"),
            ("/union/aid/payments", "/api/v1/aid/payments"),
            ("/union/reports", "/api/v1/reports/annex9"),
        ],
        "city": [
            ("/union", "/api/v1/reports/employment-rate"),
            ("/union/archives", "/api/v1/registry/families"),
            ("/union/reports", "/api/v1/reports/annex9"),
        ],
        "admin": [
            ("/admin/accounts", "/api/v1/users"),
            ("/admin/refdata", "/api/v1/refdata/counts"),
            ("/admin/audit", "/api/v1/audit"),
        ],
    }


def _ids() -> dict[str, int]:
    from sqlalchemy import select

    from services.catalog.models import EmployerAccount, Position
    from services.db import session_scope
    from services.registry.models import Graduate
    from services.security.models import User

    with session_scope() as session:
        graduate_user = session.scalar(select(User.id).where(User.username == "graduate"))
        enterprise_user = session.scalar(select(User.id).where(User.username == "enterprise"))
        graduate = session.scalar(select(Graduate.id).where(Graduate.user_id == graduate_user))
        employer = session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == enterprise_user))
        position = session.scalar(
            select(Position.id).where(Position.employer_id == employer, Position.status == "open").order_by(Position.id)
        )
        return {"graduate": int(graduate or 0), "position": int(position or 0)}


def run_page_bench(*, size: float = 0.1, repeats: int = 20) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="sunshine-page-bench-"))
    started = time.perf_counter()
    _setup(folder, size)
    built = round(time.perf_counter() - started, 1)
    from fastapi.testclient import TestClient

    from services.app import create_app
    from services.demo.logins import DEMO_PASSWORD

    ids = _ids()
    rows: list[dict[str, Any]] = []
    with TestClient(create_app()) as anonymous:
        for username, pages in _pages(ids).items():
            page_client = TestClient(anonymous.app)
            login = page_client.get("/login").text
            token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            page_client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
            api = anonymous.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
            bearer = {"Authorization": f"Bearer {api.json()['access_token']}"}
            for page, call in pages:
                row: dict[str, Any] = {"login": username, "page": page, "api": call}
                row["page_ms"] = _time(partial(page_client.get, page), repeats)
                row["api_ms"] = _time(partial(anonymous.get, call, headers=bearer), repeats)
                rows.append(row)
    timed = [r["page_ms"]["p95_ms"] for r in rows if "p95_ms" in r["page_ms"]]
    worst = max(timed, default=0.0)
    failed = [r["page"] for r in rows if "status" in r["page_ms"]]
    return {
        "failed_pages": failed,
        "world_size": size,
        "world_build_s": built,
        "repeats": repeats,
        "goal_p95_ms": GOAL_MS,
        "worst_page_p95_ms": worst,
        "meets_goal": worst <= GOAL_MS and not failed,
        "pages": rows,
    }
