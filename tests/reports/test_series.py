"""The employment rate over time: month ends from the status history, plus the frozen snapshots."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.conftest import World
from tests.reports.generator import AS_OF, Expected


def test_employment_rate_by_month_and_by_snapshot(client: TestClient, world: World, generated: Expected) -> None:
    params = {"start": "2023-01-01", "end": AS_OF.isoformat()}
    series = client.get("/api/v1/reports/employment-rate", params=params, headers=world.headers("city")).json()
    points = series["points"]
    assert [p["as_of"] for p in points] == [
        "2023-01-31",
        "2023-02-28",
        "2023-03-31",
        "2023-04-30",
        "2023-05-31",
        "2023-06-30",
        "2023-07-31",
        "2023-08-29",
    ]
    assert points[0]["registered"] == 0 and points[0]["rate"] is None  # nobody filed before March
    assert all(p["registered"] <= q["registered"] for p, q in itertools.pairwise(points))
    # registered in March with no status yet: nobody placed; by the end, the same rate as 附件9
    assert points[2]["placed"] <= points[-1]["placed"]
    total = client.get("/api/v1/reports/annex9", params={"as_of": AS_OF.isoformat()}, headers=world.headers("city"))
    values = total.json()["tables"][0]["total"]["values"]
    assert points[-1]["registered"] == values["registered"]
    assert points[-1]["placed"] == values["placed"]
    assert Decimal(points[-1]["rate"]) == Decimal(values["employment_rate"])
    # a snapshot adds a point as it was frozen
    client.post("/api/v1/reports/snapshots", json={"as_of": AS_OF.isoformat()}, headers=world.headers("city"))
    again = client.get("/api/v1/reports/employment-rate", params=params, headers=world.headers("city")).json()
    frozen = [p for p in again["points"] if p["source"] == "snapshot"]
    assert len(frozen) == 1 and frozen[0]["rate"] == points[-1]["rate"]
    # one cohort, one county
    narrow = client.get(
        "/api/v1/reports/employment-rate",
        params={**params, "cohort": [2023], "county_id": world.orgs["BZ-MC"]},
        headers=world.headers("county_a"),
    ).json()
    expected = generated.annex9[("BZ-MC", 2023)]
    last = [p for p in narrow["points"] if p["source"] == "history"][-1]
    assert last["registered"] == expected["registered"]


def test_a_span_too_long_is_refused(client: TestClient, world: World) -> None:
    resp = client.get(
        "/api/v1/reports/employment-rate",
        params={"start": date(2015, 1, 1).isoformat(), "end": "2023-08-29"},
        headers=world.headers("city"),
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "start"
