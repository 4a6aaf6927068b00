"""A county account gets its county and nothing else, whatever the filter; figures do not depend on who asks."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.reports.generator import AS_OF, Expected

PARAMS = {"as_of": AS_OF.isoformat()}


def _county_view(client: TestClient, world: World, report: str) -> None:
    mine = client.get(f"/api/v1/reports/{report}", params=PARAMS, headers=world.headers("county_a")).json()
    city = client.get(f"/api/v1/reports/{report}", params=PARAMS, headers=world.headers("city")).json()
    assert mine["unit_name"] == "蒙城县总工会"
    for t_mine, t_city in zip(mine["tables"], city["tables"], strict=True):
        assert {r["county_code"] for r in t_mine["rows"]} == {"BZ-MC"}
        city_rows = {(r["county_code"], r["cohort"]): r["values"] for r in t_city["rows"]}
        for row in t_mine["rows"]:
            assert row["values"] == city_rows[("BZ-MC", row["cohort"])]
        if len(t_mine["rows"]) == 1:
            assert t_mine["total"]["values"] == t_mine["rows"][0]["values"]


def test_county_account_sees_its_county_with_the_same_figures_as_the_city(
    client: TestClient, world: World, generated: Expected
) -> None:
    for report in ("annex7", "annex8", "annex9"):
        _county_view(client, world, report)
    _city_narrows(client, world)


def test_no_filter_reaches_another_county(client: TestClient, world: World, generated: Expected) -> None:
    for report in ("annex7", "annex8", "annex9"):
        _no_leak(client, world, report)


def _no_leak(client: TestClient, world: World, report: str) -> None:
    for code in ("BZ-GY", "BZ-QC", "BZ-GX", "BZ-SZ", "BZ", "BZ-GY-01"):
        resp = client.get(
            f"/api/v1/reports/{report}",
            params={**PARAMS, "county_id": world.orgs[code]},
            headers=world.headers("county_a"),
        )
        assert resp.status_code == 404, (code, resp.text)
    for extra in ({"cohort": [2021, 2022, 2023, 2024]}, {"year": 2022}, {"county_id": world.orgs["BZ-MC"]}):
        body = client.get(
            f"/api/v1/reports/{report}", params={**PARAMS, **extra}, headers=world.headers("county_a")
        ).json()
        for table in body["tables"]:
            assert {r["county_code"] for r in table["rows"]} <= {"BZ-MC"}
    rate = client.get(
        "/api/v1/reports/employment-rate",
        params={"end": AS_OF.isoformat(), "county_id": world.orgs["BZ-GY"]},
        headers=world.headers("county_a"),
    )
    assert rate.status_code == 404


def _city_narrows(client: TestClient, world: World) -> None:
    params = {**PARAMS, "county_id": world.orgs["BZ-GY"]}
    body = client.get("/api/v1/reports/annex9", params=params, headers=world.headers("city")).json()
    assert {r["county_code"] for r in body["tables"][0]["rows"]} == {"BZ-GY"}


@pytest.mark.parametrize("actor", ["counselor_a", "graduate_a", "enterprise_a"])
def test_reports_are_for_union_staff(client: TestClient, world: World, actor: str) -> None:
    resp = client.get("/api/v1/reports/annex9", params=PARAMS, headers=world.headers(actor))
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_bad_parameters_are_explained(client: TestClient, world: World) -> None:
    future = client.get("/api/v1/reports/annex9", params={"as_of": "2999-01-01"}, headers=world.headers("city"))
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "as_of"
    fmt = client.get("/api/v1/reports/annex9", params={"format": "pdf"}, headers=world.headers("city"))
    assert fmt.status_code == 422
