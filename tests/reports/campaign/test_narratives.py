"""The stage report and the summary: the figures of their date, the sections the staff write, 典型经验; handed in
only when complete, sent back by the city; the Word document read back with python-docx and the xlsx with openpyxl
carry the same figures as the snapshot."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.security.models import AuditEvent
from tests.conftest import World
from tests.reports.generator import AS_OF, YEAR, Expected

SECTIONS = {
    "work_done": "7月以来，我县摸排困难职工家庭子女186户，建立助学档案和实名制档案。",
    "practices": "县总工会与教育局联合召开专场招聘会，组织劳模与毕业生一对一结对。",
    "problems": "部分基层工会摸排不够细，个别毕业生联系不上。",
    "next_steps": "9月起逐人回访未就业毕业生，落实“1131”服务。",
}


def _create(client: TestClient, world: World, actor: str, kind: str = "stage") -> dict[str, Any]:
    resp = client.post("/api/v1/reports/narratives", json={"year": YEAR, "kind": kind}, headers=world.headers(actor))
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _registered_total(client: TestClient, world: World, actor: str) -> int:
    resp = client.get(
        "/api/v1/reports/annex9", params={"as_of": AS_OF.isoformat(), "year": YEAR}, headers=world.headers(actor)
    )
    return int(resp.json()["tables"][0]["total"]["values"]["registered"])


def test_stage_report_is_assembled_from_the_figures_of_its_date_and_exports_as_docx(
    client: TestClient, world: World, generated: Expected, db: Session
) -> None:
    report = _create(client, world, "county_a")
    assert report["due_on"] == AS_OF.isoformat() and report["title"].startswith("蒙城县总工会2023年")
    snap = client.get(f"/api/v1/reports/snapshots/{report['snapshot_id']}", headers=world.headers("county_a")).json()
    assert snap["as_of"] == AS_OF.isoformat()  # the deadline has passed: the figures of 8月29日
    h = world.headers("county_a")
    resp = client.patch(f"/api/v1/reports/narratives/{report['id']}", json={"sections": SECTIONS}, headers=h)
    assert resp.status_code == 200 and resp.json()["sections"] == SECTIONS
    resp = client.post(
        "/api/v1/reports/experiences",
        json={"year": YEAR, "title": "劳模结对助就业", "body": "县总工会组织12名劳模与困难家庭毕业生结对。"},
        headers=h,
    )
    assert resp.status_code == 201 and resp.json()["unit_name"] == "蒙城县总工会"
    resp = client.get(f"/api/v1/reports/narratives/{report['id']}/document", headers=h)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    doc = Document(io.BytesIO(resp.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    for body in SECTIONS.values():
        assert body in text
    for heading in ("一、工作开展情况", "二、主要做法", "三、存在问题", "四、下一步打算", "典型经验"):
        assert heading in text
    assert "劳模结对助就业（蒙城县总工会）" in text
    registered = _registered_total(client, world, "county_a")
    assert registered > 0
    assert f"截至2023年8月29日，实名登记困难职工家庭高校毕业生{registered}人" in text
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:2] == ["县区（单位）", "登记毕业生（人）"]
    assert cells[1][0] == "蒙城县总工会" and cells[1][1] == str(registered)
    assert cells[-1][0] == "合计"
    resp = client.get(f"/api/v1/reports/narratives/{report['id']}/figures", headers=h)
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert {"annex7", "annex8", "annex9", "annex9_activity", "指标说明"} <= set(wb.sheetnames)
    ws = wb["annex9"]
    names = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    total_row = 5 + names.index("合计")
    assert ws.cell(total_row, 3).value == registered  # county, cohort, then 登记毕业生
    exports = db.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert {e.target_id for e in exports} >= {f"narrative:{report['id']}"}


def test_a_report_is_handed_in_only_complete_and_the_city_may_send_it_back(client: TestClient, world: World) -> None:
    report = _create(client, world, "county_a", "final")
    h = world.headers("county_a")
    rid = report["id"]
    client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": {"work_done": "已开展"}}, headers=h)
    resp = client.post(f"/api/v1/reports/narratives/{rid}/submit", headers=h)
    assert resp.status_code == 422
    reasons = {e["field"]: e["reason"] for e in resp.json()["errors"]}
    assert reasons == {
        "practices": "请填写“主要做法”",
        "problems": "请填写“存在问题”",
        "next_steps": "请填写“下一步打算”",
    }
    assert resp.json()["detail"] == "活动总结还有3个部分没有填写"
    client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": SECTIONS}, headers=h)
    resp = client.post(f"/api/v1/reports/narratives/{rid}/submit", headers=h)
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    resp = client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": {"problems": "改"}}, headers=h)
    assert resp.status_code == 409
    # the city reads it, does not write it, sends it back with a reason
    city = world.headers("city")
    assert client.get(f"/api/v1/reports/narratives/{rid}", headers=city).status_code == 200
    assert (
        client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": SECTIONS}, headers=city).status_code == 403
    )
    resp = client.post(f"/api/v1/reports/narratives/{rid}/return", json={"reason": "请补充典型案例"}, headers=city)
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert (
        client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": {"problems": "改"}}, headers=h).status_code
        == 200
    )
    # another county does not reach it; a second summary of the same year is refused
    b = world.headers("county_b")
    for path in (f"/api/v1/reports/narratives/{rid}", f"/api/v1/reports/narratives/{rid}/document"):
        assert client.get(path, headers=b).status_code == 404
    assert client.get("/api/v1/reports/narratives", params={"year": YEAR}, headers=b).json() == []
    resp = client.post("/api/v1/reports/narratives", json={"year": YEAR, "kind": "final"}, headers=h)
    assert resp.status_code == 409 and "已建立" in resp.json()["detail"]
    resp = client.patch(f"/api/v1/reports/narratives/{rid}", json={"sections": {"summary": "x"}}, headers=h)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "summary"


def test_a_report_before_its_deadline_takes_todays_figures(client: TestClient, world: World) -> None:
    from services.reports import service as reports

    year = reports.today().year + 1
    resp = client.post(
        "/api/v1/reports/narratives", json={"year": year, "kind": "stage"}, headers=world.headers("city")
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["due_on"] == date(year, 8, 29).isoformat()
    snap = client.get(f"/api/v1/reports/snapshots/{body['snapshot_id']}", headers=world.headers("city")).json()
    assert snap["as_of"] == reports.today().isoformat()
    resp = client.post(
        "/api/v1/reports/experiences", json={"year": YEAR, "title": " ", "body": ""}, headers=world.headers("city")
    )
    assert resp.status_code == 422
    assert {e["field"]: e["reason"] for e in resp.json()["errors"]} == {
        "title": "请填写经验标题",
        "body": "请填写经验做法的内容",
    }
