"""Certificates are changed only by whoever may act on the graduate: the graduate themself, or the union that
serves them. The home union of a graduate handed off elsewhere reads the list but is refused a change, and the
refusal is on the audit record."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry import certificates as store
from services.security.models import AuditEvent
from services.tracking import service as tracking
from tests.conftest import World
from tests.matches.factories import make_graduate
from tests.tracking.factories import principal


def _denied_accesses(db: Session, path: str) -> list[AuditEvent]:
    db.expire_all()
    stmt = select(AuditEvent).where(
        AuditEvent.action == "access", AuditEvent.outcome == "denied", AuditEvent.target_type == path
    )
    return list(db.scalars(stmt.order_by(AuditEvent.id)))


def test_the_home_union_of_a_handed_off_graduate_reads_certificates_but_cannot_change_them(
    client: TestClient, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world, side="b")  # home: county B
    held = store.add_certificate(db, graduate_id=graduate.id, kind="driver_license")
    handoff = tracking.request_handoff(
        db,
        principal=principal(db, world, "counselor_b"),
        graduate_id=graduate.id,
        to_org_unit_id=world.orgs["BZ-MC"],
        reason="意向在蒙城县就业",
    )
    tracking.decide_handoff(db, principal=principal(db, world, "counselor_a"), handoff_id=handoff.id, accept=True)
    db.commit()
    url = f"/api/v1/graduates/{graduate.id}/certificates"
    home = world.headers("counselor_b")

    listed = client.get(url, headers=home)
    assert listed.status_code == 200 and [c["kind"] for c in listed.json()["items"]] == ["driver_license"]
    added = client.post(url, json={"kind": "teacher_cert", "subject": "数学"}, headers=home)
    assert added.status_code == 403, added.text
    assert "只能查看" in added.json()["detail"]
    removed = client.delete(f"{url}/{held.id}", headers=home)
    assert removed.status_code == 403, removed.text
    assert [c.kind for c in store.certificates_of(db, graduate_id=graduate.id)] == ["driver_license"]
    refusals = _denied_accesses(db, "/api/v1/graduates/{graduate_id}/certificates") + _denied_accesses(
        db, "/api/v1/graduates/{graduate_id}/certificates/{certificate_id}"
    )
    assert [(r.actor_id, r.detail["status"] if r.detail else None) for r in refusals] == [
        (world.users["counselor_b"], 403),
        (world.users["counselor_b"], 403),
    ]

    # the receiving union serves the graduate and records it
    served = client.post(url, json={"kind": "teacher_cert", "subject": "数学"}, headers=world.headers("counselor_a"))
    assert served.status_code == 201, served.text
    assert sorted(c.kind for c in store.certificates_of(db, graduate_id=graduate.id)) == [
        "driver_license",
        "teacher_cert",
    ]


def test_a_graduate_records_their_own_certificate_and_no_one_elses(
    client: TestClient, db: Session, world: World
) -> None:
    me = make_graduate(db, world, user_id=world.users["graduate_a"])
    other = make_graduate(db, world)
    db.commit()
    headers = world.headers("graduate_a")
    mine = client.post(f"/api/v1/graduates/{me.id}/certificates", json={"kind": "nurse_license"}, headers=headers)
    assert mine.status_code == 201, mine.text
    theirs = client.post(f"/api/v1/graduates/{other.id}/certificates", json={"kind": "nurse_license"}, headers=headers)
    assert theirs.status_code == 404
    assert store.certificates_of(db, graduate_id=other.id) == []
    extra = client.post(
        f"/api/v1/graduates/{me.id}/certificates",
        json={"kind": "driver_license", "graduate_id": other.id},
        headers=headers,
    )
    assert extra.status_code == 422
