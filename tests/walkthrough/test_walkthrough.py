"""The newcomer's path through the HTTP API, on a small demo world (SQLite and PostgreSQL): a county clerk imports
a sheet, a counselor recommends a position from the graduate's matches, the graduate applies, the enterprise
interviews and offers, both sides sign, and 附件9 counts one more graduate placed with an enterprise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.cli import DEMO_PASSWORD
from services.demo import world
from tests.demo.worlds import DemoWorld, demo_world
from tests.walkthrough.factories import fill_template, people, rows


@pytest.fixture(scope="module")
def demo(backend: str, request: pytest.FixtureRequest) -> Iterator[DemoWorld]:
    with demo_world(backend, request) as built:
        yield built


@pytest.fixture(scope="module")
def client(demo: DemoWorld) -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def placed_with_enterprises(client: TestClient, headers: dict[str, str]) -> tuple[int, int]:
    """附件9 totals: (registered graduates, graduates placed with an enterprise)."""
    report = ok(client.get("/api/v1/reports/annex9", headers=headers))
    table = next(t for t in report["tables"] if any(c["key"] == "enterprise" for c in t["columns"]))
    return int(table["total"]["values"]["registered"]), int(table["total"]["values"]["enterprise"])


def test_clerk_counselor_graduate_enterprise_and_report(demo: DemoWorld, client: TestClient) -> None:
    today = demo.summary.today
    cohort = world.cohorts_on(today)[-1]
    city, clerk, counselor, enterprise = (login(client, u) for u in ("city", "mengcheng", "counselor", "enterprise"))
    registered_before, placed_before = placed_with_enterprises(client, city)

    # the enterprise posts a job for software graduates in 蒙城县
    position = ok(
        client.post(
            "/api/v1/positions",
            headers=enterprise,
            json={
                "kind": "job",
                "title": "Java开发工程师（阳光就业专岗）",
                "description": "负责政务与医疗信息系统开发，提供食宿。",
                "majors_text": "软件工程、计算机类",
                "min_education": "bachelor",
                "places": ["341622"],
                "pay_min": "5000.00",
                "pay_max": "8000.00",
                "headcount": 2,
                "deadline": (today + timedelta(days=30)).isoformat(),
                "hardship_priority": True,
                "publish": True,
            },
        ),
        201,
    )
    assert position["status"] == "open"

    # the county clerk downloads the template, fills one family, its son and the son as a graduate, imports it
    template = client.get("/api/v1/registry/template.xlsx", headers=clerk)
    assert template.status_code == 200
    ids = people(seed=7, today=today)
    sheet = fill_template(template.content, rows(ids, cohort=cohort))
    job = ok(
        client.post(
            "/api/v1/registry/imports",
            headers=clerk,
            files={"file": ("蒙城县城关街道困难职工档案.xlsx", sheet, "application/vnd.ms-excel")},
            data={"dry_run": "false"},
        ),
        202,
    )
    job = ok(client.get(f"/api/v1/registry/imports/{job['id']}", headers=clerk))
    assert job["status"] == "succeeded", job["errors"]
    assert job["created"] == 3
    found = ok(client.get("/api/v1/registry/graduates", params={"name": "周子涵"}, headers=clerk))["items"]
    assert len(found) == 1 and found[0]["major_name"] == "软件工程" and found[0]["family_id"] is not None
    graduate_id = found[0]["id"]
    assert placed_with_enterprises(client, city) == (registered_before + 1, placed_before)

    # the clerk opens the graduate's own login and links it to the archive
    account = ok(
        client.post(
            "/api/v1/users",
            headers=clerk,
            json={
                "username": "zhouzihan",
                "password": "Zhou2023ok",
                "display_name": "周子涵",
                "role": "graduate",
                "org_unit_id": found[0]["org_unit_id"],
            },
        ),
        201,
    )
    ok(client.put(f"/api/v1/registry/graduates/{graduate_id}/account", headers=clerk, json={"user_id": account["id"]}))
    graduate = login(client, "zhouzihan", "Zhou2023ok")

    # the counselor reads the graduate's matches and recommends the enterprise's job from them
    matches = ok(client.get(f"/api/v1/graduates/{graduate_id}/matches", params={"limit": 100}, headers=counselor))
    match = next((m for m in matches["items"] if m["position_id"] == position["id"]), None)
    assert match is not None, [m["title"] for m in matches["items"]]
    assert any("软件工程" in reason for reason in match["reasons"])
    recommended = ok(
        client.post(
            f"/api/v1/graduates/{graduate_id}/recommendations",
            headers=counselor,
            json={"position_id": position["id"], "note": "专业对口，离家近"},
        ),
        201,
    )
    assert recommended["state"] == "recommended"

    # the graduate applies; the enterprise sees the applicant without hardship data, interviews and offers
    application = ok(
        client.post("/api/v1/tracking/applications", headers=graduate, json={"position_id": position["id"]}), 201
    )
    assert application["state"] == "applied"
    applicants = ok(client.get(f"/api/v1/tracking/positions/{position['id']}/applicants", headers=enterprise))
    mine = next(a for a in applicants if a["application_id"] == application["id"])
    assert mine["graduate_name"] == "周子涵" and "family_id" not in mine and "id_number" not in str(mine)
    for step in ("interviewing", "offered"):
        moved = ok(
            client.post(
                f"/api/v1/tracking/applications/{application['id']}/moves", headers=enterprise, json={"to_state": step}
            )
        )
        assert moved["state"] == step

    # both sides sign: the graduate first (waiting for the enterprise), then the enterprise
    moved = ok(
        client.post(
            f"/api/v1/tracking/applications/{application['id']}/moves", headers=graduate, json={"to_state": "signed"}
        )
    )
    assert moved["state"] == "offered"
    moved = ok(
        client.post(
            f"/api/v1/tracking/applications/{application['id']}/moves", headers=enterprise, json={"to_state": "signed"}
        )
    )
    assert moved["state"] == "signed"
    status = ok(client.get(f"/api/v1/tracking/graduates/{graduate_id}/status", headers=counselor))
    assert status["status"] == "signed"

    # 附件9 shows the change: one more registered graduate, one more placed with an enterprise
    assert placed_with_enterprises(client, city) == (registered_before + 1, placed_before + 1)
