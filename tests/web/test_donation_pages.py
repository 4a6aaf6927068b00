"""The union clerk's donation pages: the funds list and the form that records a donor's wishes, a fund with its
conditions and allocations, the allocate form that shows the donor's condition a refusal breaks (and keeps
nothing), the import, and the donor's report on screen and as xlsx — CSRF on every form, a label on every control."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from services.aid.donation_models import AidDonationFund
from tests.aid import factories as f
from tests.conftest import World
from tests.web.console import csrf_of, login, post_form, unlabelled_controls


def _new_fund(client: TestClient, world: World) -> int:
    resp = post_form(
        client,
        "/union/donations",
        "/union/donations",
        {
            "year": "2023",
            "name": "华佗药业爱心助学金",
            "donor_name": "亳州华佗药业有限公司",
            "donor_kind": "enterprise",
            "pledged": "10000",
            "received": "6000",
            "standard_amount": "2000",
            "stages": "student",
            "educations": "21",
        },
    )
    assert resp.status_code == 200, resp.text
    assert "华佗药业爱心助学金" in resp.text
    return int(resp.url.path.rsplit("/", 1)[1])


def test_clerk_records_a_fund_and_sees_the_donors_conditions(client: TestClient, db: Session, world: World) -> None:
    login(client, "t_county_a")
    page = client.get("/union/donations")
    assert page.status_code == 200 and "登记捐款项目" in page.text and "捐款助学" in page.text
    assert unlabelled_controls(page.text) == []
    fund_id = _new_fund(client, world)
    fund = client.get(f"/union/donations/{fund_id}")
    assert "仅资助在读学生" in fund.text and "学历：大学本科" in fund.text and "资助标准：每人 2000.00 元" in fund.text
    assert '<dd id="balance">6,000 元</dd>' in fund.text
    assert unlabelled_controls(fund.text) == []
    bad = post_form(client, "/union/donations", "/union/donations", {"year": "2023", "name": "x"})
    assert bad.status_code == 422 and "未能保存" in bad.text


def test_allocate_form_shows_the_refusal_reason_and_keeps_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, "t_county_a")
    fund_id = _new_fund(client, world)
    graduate, grad_seed = f.seeded_student(db, world)
    graduate.stage = "graduate"
    _, seed = f.seeded_student(db, world)
    db.flush()
    page = f"/union/donations/{fund_id}"
    refused = post_form(client, page, f"{page}/allocations", {"id_number": grad_seed.student_no, "amount": "2000"})
    assert refused.status_code == 422
    assert "不予安排：" in refused.text and "捐赠方限定：仅资助大学本科在读学生" in refused.text
    fund = db.get(AidDonationFund, fund_id)
    assert fund is not None
    db.refresh(fund)
    assert fund.allocated == 0
    shown = client.get(page)
    assert "未予安排的记录（1）" in shown.text and "捐赠方限定：仅资助大学本科在读学生" in shown.text
    ok = post_form(client, page, f"{page}/allocations", {"id_number": seed.student_no, "amount": "2000"})
    assert ok.status_code == 200
    assert "页面登记" in ok.text and '<dd id="balance">4,000 元</dd>' in ok.text
    report = client.get(f"{page}/report")
    assert report.status_code == 200 and "张*明" in report.text and seed.student_no not in report.text
    xlsx = client.get(f"{page}/report.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    assert any(c == "张*明" for row in ws.iter_rows(values_only=True) for c in row)


def test_import_refusal_lists_each_row(client: TestClient, db: Session, world: World) -> None:
    login(client, "t_county_a")
    fund_id = _new_fund(client, world)
    page = f"/union/donations/{fund_id}"
    token = csrf_of(client.get(page).text)
    resp = client.post(
        f"{page}/import",
        data={"csrf_token": token},
        files={"file": ("名单.csv", "身份证号,金额\n123,2000\n".encode(), "text/csv")},
    )
    assert resp.status_code == 422 and "未导入" in resp.text and "第2行" in resp.text


def test_other_county_and_enterprise_are_refused(client: TestClient, world: World) -> None:
    login(client, "t_county_a")
    fund_id = _new_fund(client, world)
    client.cookies.clear()
    login(client, "t_county_b")
    assert client.get(f"/union/donations/{fund_id}").status_code == 404
    client.cookies.clear()
    login(client, "t_enterprise_a")
    assert client.get("/union/donations").status_code == 403
