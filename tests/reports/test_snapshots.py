"""Stage reports: dated, immutable snapshots with a content hash, compared with later ones."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.reports import service
from services.reports.models import ReportSnapshot
from services.tracking.models import StatusChange
from tests.conftest import World
from tests.reports import workbook
from tests.reports.generator import AS_OF, BEFORE, Expected, Generator


def snapshot(client: TestClient, world: World, actor: str = "city", **body: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/reports/snapshots", json={"as_of": AS_OF.isoformat(), **body}, headers=world.headers(actor)
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_a_stage_snapshot_freezes_the_tables_as_shown(
    client: TestClient, world: World, db: Session, generated: Expected
) -> None:
    made = snapshot(client, world)
    assert made["kind"] == "stage"  # 8/29 is the campaign's stage-report date
    assert made["label"] == "2023年阶段性情况报告（截至8月29日）"
    assert made["intact"] is True
    detail = client.get(f"/api/v1/reports/snapshots/{made['id']}", headers=world.headers("city")).json()
    for report in ("annex7", "annex8", "annex9"):
        live = client.get(
            f"/api/v1/reports/{report}", params={"as_of": AS_OF.isoformat()}, headers=world.headers("city")
        ).json()
        assert detail["content"][report]["tables"] == live["tables"]
    listed = client.get("/api/v1/reports/snapshots", headers=world.headers("city")).json()
    assert [s["id"] for s in listed["items"]] == [made["id"]]
    # the county account sees neither the city's snapshot nor it in its list
    assert client.get(f"/api/v1/reports/snapshots/{made['id']}", headers=world.headers("county_a")).status_code == 404
    assert client.get("/api/v1/reports/snapshots", headers=world.headers("county_a")).json()["items"] == []


def test_snapshots_cannot_be_changed_or_deleted(client: TestClient, world: World, db: Session) -> None:
    made = snapshot(client, world, actor="county_a")
    row = db.get(ReportSnapshot, made["id"])
    assert row is not None
    row.label = "改过的"
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()
    row = db.get(ReportSnapshot, made["id"])
    db.delete(row)
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()
    # tampering behind the application's back is caught by the content hash
    content = db.get(ReportSnapshot, made["id"]).content  # type: ignore[union-attr]
    content["annex7"]["tables"][0]["total"]["values"]["total_persons"] = 999
    db.execute(update(ReportSnapshot).where(ReportSnapshot.id == made["id"]).values(content=content))
    db.commit()
    detail = client.get(f"/api/v1/reports/snapshots/{made['id']}", headers=world.headers("county_a"))
    assert detail.json()["intact"] is False


def test_a_later_snapshot_shows_what_changed(
    client: TestClient, world: World, db: Session, generated: Expected
) -> None:
    first = snapshot(client, world)
    gen = Generator(db, world, seed=99)
    g = gen._graduate("BZ-MC-01", cohort=2023, created=BEFORE, education="21")
    db.flush()
    db.add(StatusChange(graduate_id=g.id, org_unit_id=g.org_unit_id, status="military", source="override", at=BEFORE))
    db.commit()
    second = snapshot(client, world, label="补报后")
    resp = client.get(
        f"/api/v1/reports/snapshots/{second['id']}/diff",
        params={"base_id": first["id"]},
        headers=world.headers("city"),
    )
    assert resp.status_code == 200, resp.text
    rows = {(r["table"], r["county_name"], r["cohort"]): r for r in resp.json()["rows"]}
    row = rows[("annex9", "蒙城县总工会", 2023)]
    cells = {c["column"]: c for c in row["cells"]}
    assert Decimal(cells["registered"]["change"]) == 1
    assert Decimal(cells["military"]["change"]) == 1
    assert Decimal(cells["placed"]["change"]) == 1
    assert {"registered", "military", "placed", "employment_rate"} >= set(cells)
    total = {c["column"]: c for c in rows[("annex9", "合计", None)]["cells"]}
    assert Decimal(total["registered"]["change"]) == 1
    assert not [r for r in resp.json()["rows"] if r["table"] in {"annex7", "annex8"}]


def test_snapshots_are_taken_on_their_due_dates_once(db: Session, world: World, generated: Expected) -> None:
    assert service.take_due_stage_snapshots(db, day=AS_OF - timedelta(days=1)) == []
    made = service.take_due_stage_snapshots(db, day=AS_OF)
    assert len(made) == 1
    assert service.take_due_stage_snapshots(db, day=AS_OF) == []
    row = db.get(ReportSnapshot, made[0])
    assert row is not None and row.org_unit_id == world.orgs["BZ"] and row.kind == "stage"


def _content(values: dict[str, int]) -> dict[str, Any]:
    rows = [
        {"county_id": i + 1, "county_code": f"C{i}", "county_name": f"县{i}", "cohort": None, "values": {"n": v}}
        for i, v in enumerate(values.values())
    ]
    total = {
        "county_id": None,
        "county_code": "",
        "county_name": "合计",
        "cohort": None,
        "values": {"n": sum(values.values())},
    }
    table = {"code": "annex7", "columns": [{"key": "n", "label": "人数"}], "rows": rows, "total": total}
    return {"annex7": {"tables": [table]}}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
    st.lists(st.integers(-50, 50), min_size=6, max_size=6),
)
def test_diff_changes_add_up(before: list[int], deltas: list[int]) -> None:
    after = [max(0, b + d) for b, d in zip(before, deltas, strict=False)]
    a = ReportSnapshot(content=_content({str(i): v for i, v in enumerate(before)}))
    b = ReportSnapshot(content=_content({str(i): v for i, v in enumerate(after)}))
    changes = service.diff_snapshots(a, b)
    rebuilt = list(before)
    total_change = Decimal(0)
    for row in changes:
        for cell in row.cells:
            assert cell.change == cell.after - cell.before
            if row.county_id is None:
                total_change = cell.change
            else:
                rebuilt[row.county_id - 1] += int(cell.change)
    assert rebuilt == after
    assert total_change == sum(after) - sum(before)


def test_a_snapshot_downloads_as_the_form_it_froze(
    client: TestClient, world: World, db: Session, generated: Expected
) -> None:

    made = snapshot(client, world)
    frozen = client.get(f"/api/v1/reports/snapshots/{made['id']}", headers=world.headers("city")).json()
    # later work changes the live figures, not the frozen file
    gen = Generator(db, world, seed=7)
    gen._graduate("BZ-GY-01", cohort=2022, created=BEFORE, education="31")
    db.commit()
    resp = client.get(
        f"/api/v1/reports/snapshots/{made['id']}/file",
        params={"report": "annex9", "format": "xlsx"},
        headers=world.headers("city"),
    )
    assert resp.status_code == 200
    sheets = workbook.read_xlsx_values(resp.content)
    table = frozen["content"]["annex9"]["tables"][0]
    keys = [c["key"] for c in table["columns"]]
    total_row = sheets["annex9"][-1]
    assert total_row[0] == "合计"
    assert total_row[2 + keys.index("registered")] == table["total"]["values"]["registered"]
    missing = client.get(
        f"/api/v1/reports/snapshots/{made['id']}/file", params={"report": "annex9"}, headers=world.headers("county_a")
    )
    assert missing.status_code == 404
