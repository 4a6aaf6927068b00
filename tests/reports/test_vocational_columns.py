"""附件8 counts the 金牌蓝领 pairings, their students and the enterprise's aid; 附件9（二） counts the 两后生 in
training, at a 技工学校 or apprenticed, those certified, and the pairing students' internships and placements —
each in the row of the county it belongs to, and the totals row is their sum."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.clock import local_today
from tests.conftest import World
from tests.tracking.factories import make_employer, make_graduate
from tests.tracking.test_golden_pairings import pairing, student

R = "/api/v1/registry/graduates"
P = "/api/v1/golden-pairings"


def _row(client: TestClient, world: World, report: str, code: str, county: str) -> dict[str, Any]:
    today = local_today()
    body = client.get(
        f"/api/v1/reports/{report}",
        params={"as_of": today.isoformat(), "year": today.year},
        headers=world.headers("city"),
    )
    assert body.status_code == 200, body.text
    table = next(t for t in body.json()["tables"] if t["code"] == code)
    rows = {r["county_code"]: r["values"] for r in table["rows"]}
    rows["total"] = table["total"]["values"] if isinstance(table.get("total"), dict) else {}
    return rows.get(county, {})


def test_the_vocational_path_is_counted_where_the_tables_ask(client: TestClient, db: Session, world: World) -> None:
    today = local_today()
    early = today - timedelta(days=min(20, today.timetuple().tm_yday - 1))
    h = world.headers("counselor_a")
    employer = make_employer(db, world, side="a")
    made = pairing(client, world, employer.id, starts_on=(early - timedelta(days=5)).isoformat())
    first, second = student(db, world), student(db, world)
    sids = []
    for grad in (first, second):
        resp = client.post(
            f"{P}/{made['id']}/students", headers=h, json={"graduate_id": grad.id, "joined_on": early.isoformat()}
        )
        assert resp.status_code == 201, resp.text
        sids.append(resp.json()["id"])
    internship = {"kind": "post", "post": "操作工", "starts_on": early.isoformat()}
    assert client.post(f"{P}/students/{sids[0]}/internships", headers=h, json=internship).status_code == 201
    for sid, amount in zip(sids, ("1000.00", "500.50"), strict=True):
        aid = {"amount": amount, "paid_on": early.isoformat()}
        assert client.post(f"{P}/students/{sid}/aid", headers=h, json=aid).status_code == 201
    move = {"to": "placed", "on": today.isoformat(), "post": "操作工"}
    assert client.post(f"{P}/students/{sids[0]}/moves", headers=h, json=move).status_code == 200

    two_after = make_graduate(db, world, side="a")
    two_after.service_category, two_after.education, two_after.school_kind = "4", "71", "03"
    db.flush()
    url = f"{R}/{two_after.id}/vocational-tracks"
    steps = [
        {
            "kind": "training",
            "programme": "电工（初级）",
            "provider": "蒙城县职业技能培训中心",
            "starts_on": early.isoformat(),
        },
        {
            "kind": "apprenticeship",
            "programme": "数控车工",
            "provider": "蒙城某机械公司",
            "starts_on": early.isoformat(),
        },
    ]
    made_steps = [client.post(url, headers=h, json=s).json() for s in steps]
    done = {"to": "completed", "on": today.isoformat(), "certificate": "电工（五级）", "outcome": "employed"}
    assert client.post(f"{url}/{made_steps[0]['id']}/moves", headers=h, json=done).status_code == 200

    annex8 = _row(client, world, "annex8", "annex8", "BZ-MC")
    assert (annex8["golden_pairings"], annex8["golden_students"]) == (1, 2)
    assert str(annex8["golden_aid"]) in {"1500.50", "1500.5"}
    activity = _row(client, world, "annex9", "annex9_activity", "BZ-MC")
    got = {
        k: activity[k]
        for k in ("two_after_training", "two_after_certified", "two_after_school", "two_after_apprentice")
    }
    assert got == {"two_after_training": 1, "two_after_certified": 1, "two_after_school": 0, "two_after_apprentice": 1}
    assert (activity["golden_interns"], activity["golden_placed"]) == (1, 1)
    other = _row(client, world, "annex9", "annex9_activity", "BZ-GY")
    assert other.get("golden_placed", 0) == 0 and other.get("two_after_training", 0) == 0
