"""A moment typed without its time zone is refused with 422 naming the field, never a 500 or a guess."""

from __future__ import annotations

from typing import Any

from tests.conftest import World


def test_a_job_fair_starting_without_a_time_zone_is_refused_naming_the_field(client: Any, world: World) -> None:
    body = {
        "title": "蒙城县阳光就业专场招聘会",
        "mode": "on_site",
        "starts_at": "2027-06-15T09:00:00",
        "organiser": "蒙城县总工会",
        "venue": "蒙城县人力资源市场一楼大厅",
    }
    resp = client.post("/api/v1/job-fairs", headers=world.headers("county_a"), json=body)
    assert resp.status_code == 422, resp.text
    assert "starts_at" in resp.text
    zoned = client.post(
        "/api/v1/job-fairs",
        headers=world.headers("county_a"),
        json={**body, "starts_at": "2027-06-15T09:00:00+08:00"},
    )
    assert zoned.status_code == 201, zoned.text
