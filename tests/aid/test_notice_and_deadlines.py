"""The public notice shows unit, name and hardship reason only; deadline warnings reach staff once a day;
uploads are checked by content; the HTTP face answers with problem+json."""

from __future__ import annotations

import io
import stat
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import documents, service
from services.config import get_settings
from services.errors import PayloadTooLarge, ValidationFailed
from services.notifications.models import Notification
from services.security.models import Role
from tests.aid import factories as f
from tests.conftest import World


@pytest.fixture
def year(db: Session, world: World) -> int:
    f.setup_year(db, world)
    return f.YEAR


def _forbidden_values(seeded: f.Seeded) -> list[str]:
    b = seeded.birth
    return [
        seeded.student_no,
        seeded.worker_no,
        seeded.student_no[-8:],
        seeded.phone,
        seeded.card,
        seeded.card[-8:],
        seeded.address,
        f"{b:%Y-%m-%d}",
        f"{b.year}年{b.month}月{b.day}日",
    ]


def test_notice_html_and_xlsx_hold_no_personal_identifiers(db: Session, world: World, year: int) -> None:
    award1, seeded1 = f.approved_award(db, world)
    award2, seeded2 = f.approved_award(db, world, archived=False, amount=Decimal("900.00"))
    notice = f.noticed(db, world, [award1, award2])
    clerk = f.principal(db, world, "county_a")
    shown, lines = service.public_notice(db, principal=clerk, notice_id=notice.id)
    page = documents.render_html(shown, lines)
    book = load_workbook(io.BytesIO(documents.render_xlsx(shown, lines)))
    cells = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    for text in (page, cells):
        assert "张建国" in text and "因病致困" in text and "蒙城县某纺织厂" in text
        assert "公示期自2023年9月25日起至2023年10月7日止" in text
        for value in _forbidden_values(seeded1) + _forbidden_values(seeded2):
            assert value not in text
    assert [line.position for line in lines] == [1, 2]


def test_notice_over_http(client: TestClient, db: Session, world: World, year: int) -> None:
    award, seeded = f.approved_award(db, world)
    notice = f.noticed(db, world, [award])
    db.commit()
    page = client.get(f"/api/v1/aid/notices/{notice.id}/html", headers=world.headers("county_a"))
    assert page.status_code == 200 and "公示" in page.text and seeded.card not in page.text
    sheet = client.get(f"/api/v1/aid/notices/{notice.id}/xlsx", headers=world.headers("county_a"))
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    other = client.get(f"/api/v1/aid/notices/{notice.id}/html", headers=world.headers("county_b"))
    assert other.status_code == 404


def test_payment_over_http_replays_the_same_answer(client: TestClient, db: Session, world: World, year: int) -> None:
    award, _ = f.approved_award(db, world)
    f.noticed(db, world, [award])
    db.commit()
    url = f"/api/v1/aid/awards/{award.id}/payments"
    first = client.post(url, headers={**world.headers("county_a"), "Idempotency-Key": "http-key-0001"})
    again = client.post(url, headers={**world.headers("county_a"), "Idempotency-Key": "http-key-0001"})
    fresh = client.post(url, headers={**world.headers("city"), "Idempotency-Key": "http-key-0002"})
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert fresh.status_code == 409 and fresh.headers["content-type"].startswith("application/problem+json")
    missing = client.post(url, headers=world.headers("county_a"))
    assert missing.status_code == 422


def test_deadline_warnings_once_per_staff_and_day(db: Session, world: World, year: int) -> None:
    day = date(2023, 8, 15)  # 5 days before the paper files are due on 8/20
    written = service.warn_deadlines(db, today=day)
    staff_ids = {world.users[k] for k, r in world.roles.items() if r in {Role.UNION_COUNTY, Role.UNION_CITY}}
    rows = list(db.scalars(select(Notification).where(Notification.source == "aid", Notification.key.like(f"%:{day}"))))
    assert {r.recipient_id for r in rows} == staff_ids and written == len(staff_ids)
    assert all(r.key == f"aid:2023:paper_files:{day}" and "还有5天" in r.body for r in rows)
    assert all(r.link == "/api/v1/aid/campaigns/2023/deadlines" for r in rows)
    assert world.users["counselor_a"] not in {r.recipient_id for r in rows}
    assert service.warn_deadlines(db, today=day) == 0
    assert service.warn_deadlines(db, today=date(2023, 9, 15)) == 0  # nothing due within a week


def test_deadline_task_runs_through_celery(db: Session, world: World, year: int) -> None:
    from services.queue import send_now

    result = send_now("sunshine.aid.deadline_warnings", "2023-07-10")
    assert result.get() > 0
    rows = list(db.scalars(select(Notification).where(Notification.key.like("aid:%:2023-07-10"))))
    assert rows and rows[0].key == "aid:2023:archives:2023-07-10" and rows[0].source == "aid"


def test_campaign_dates_are_settings_per_year(db: Session, world: World, year: int) -> None:
    campaign = service.load_year(db, year=2024)
    assert (campaign.archives_due, campaign.paper_files_due) == (date(2024, 7, 14), date(2024, 8, 20))
    assert (campaign.stage_report_due, campaign.final_report_due) == (date(2024, 8, 29), date(2024, 11, 28))
    moved = service.upsert_campaign(
        db,
        year=2024,
        name="2024年金秋助学",
        archives_due=date(2024, 7, 20),
        paper_files_due=date(2024, 8, 25),
        stage_report_due=date(2024, 8, 30),
        final_report_due=date(2024, 11, 29),
    )
    assert moved.archives_due == date(2024, 7, 20)
    assert {s.code for s in service.list_standards(db, year=2024)} >= {"nonarchived_college", "archived_tuition"}


def test_uploads_checked_by_content_and_size(db: Session, world: World, year: int) -> None:
    _, seeded = f.seeded_student(db, world)
    clerk = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=clerk, data=f.application_input(seeded))
    with pytest.raises(ValidationFailed, match="PDF、JPG 或 PNG"):
        service.upload_attachment(
            db,
            principal=clerk,
            application_id=app.id,
            kind="score_slip",
            filename="score.pdf",
            content=b"MZ\x90\x00 not really a pdf",
        )
    with pytest.raises(PayloadTooLarge):
        service.upload_attachment(
            db,
            principal=clerk,
            application_id=app.id,
            kind="score_slip",
            filename="big.pdf",
            content=f.PDF + b"0" * (10 * 1024 * 1024),
        )
    with pytest.raises(ValidationFailed, match="不是该类申请需要的材料"):
        service.upload_attachment(
            db,
            principal=clerk,
            application_id=app.id,
            kind="student_card_transcript",
            filename="card.png",
            content=f.PNG,
        )
    row = service.upload_attachment(
        db,
        principal=clerk,
        application_id=app.id,
        kind="score_slip",
        filename="score.jpg",
        content=b"\xff\xd8\xff\xe0jpeg",
    )
    assert row.content_type == "image/jpeg" and row.checked_at is None


def test_an_attachment_is_kept_encrypted_and_served_only_to_the_applications_scope(
    client: TestClient, db: Session, world: World, year: int
) -> None:
    _, seeded = f.seeded_student(db, world)
    clerk = f.principal(db, world, "county_a")
    app = service.submit_application(db, principal=clerk, data=f.application_input(seeded))
    scan = f.PDF + f"身份证 {seeded.worker_no} 银行卡 {seeded.card}".encode()
    ours, other = (
        service.upload_attachment(
            db, principal=clerk, application_id=app.id, kind=kind, filename=f"{kind}.pdf", content=content
        )
        for kind, content in (("worker_id_card", scan), ("income_proof", f.PDF + b"other"))
    )
    db.commit()
    path = get_settings().data_dir / ours.storage_path
    raw = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert seeded.worker_no.encode() not in raw and seeded.card.encode() not in raw and not raw.startswith(b"%PDF")
    url = f"/api/v1/aid/attachments/{ours.id}/file"
    got = client.get(url, headers=world.headers("county_a"))
    assert got.status_code == 200 and got.content == scan and got.headers["cache-control"] == "no-store"
    assert client.get(url, headers=world.headers("county_b")).status_code == 404
    # another attachment's file put in its place does not open as this one
    path.write_bytes((get_settings().data_dir / other.storage_path).read_bytes())
    swapped = client.get(url, headers=world.headers("county_a"))
    assert swapped.status_code == 404 and "重新上传" in swapped.json()["detail"]


def test_form_values_revealed_only_with_a_purpose_and_audited(
    client: TestClient, db: Session, world: World, year: int
) -> None:
    _, seeded = f.seeded_student(db, world)
    app = service.submit_application(db, principal=f.principal(db, world, "county_a"), data=f.application_input(seeded))
    db.commit()
    shown = client.get(f"/api/v1/aid/applications/{app.id}", headers=world.headers("county_a")).json()
    assert seeded.card not in str(shown) and seeded.student_no not in str(shown) and seeded.address not in str(shown)
    body = {
        "target_type": "aid_application",
        "target_id": str(app.id),
        "field": "payee_card",
        "purpose": "核对付款账户",
    }
    revealed = client.post("/api/v1/reveal", json=body, headers=world.headers("county_a"))
    assert revealed.status_code == 200 and revealed.json()["value"] == seeded.card
    assert client.post("/api/v1/reveal", json=body, headers=world.headers("county_b")).status_code == 404
    assert client.post("/api/v1/reveal", json=body, headers=world.headers("counselor_a")).status_code == 403
