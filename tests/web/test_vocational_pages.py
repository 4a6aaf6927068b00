"""Console pages of the vocational path: a counselor records a 两后生's 技能培训 and its end on the person's page;
city staff sign a 金牌蓝领 pairing, add a 中职 student, record an internship, aid and the placement; the enterprise
sees its own pairing and students — refusals shown with the API's reasons, every control labelled, codes as names."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.catalog.pairings import GoldenPairing
from services.clock import local_today
from services.registry.vocational import VocationalTrack
from services.tracking.pairings import PairingStudent
from tests.conftest import World
from tests.tracking.factories import make_employer, make_graduate
from tests.tracking.test_golden_pairings import SCHOOL, student
from tests.web.console import login, post_form, unlabelled_controls


def test_a_counselor_records_a_two_after_track_on_the_persons_page(
    client: TestClient, db: Session, world: World
) -> None:
    grad = make_graduate(db, world, side="a", name="周小两")
    grad.service_category, grad.education, grad.school_kind = "4", "71", "03"
    db.commit()
    login(client, "t_counselor_a")
    page = f"/counselor/graduates/{grad.id}"
    shown = client.get(page)
    assert shown.status_code == 200 and "职业发展路径" in shown.text and "尚未登记技能培训" in shown.text
    assert unlabelled_controls(shown.text) == []
    start = (local_today() - timedelta(days=40)).isoformat()
    form = {"kind": "school", "programme": "电工（初级）", "provider": "蒙城县职业技能培训中心", "starts_on": start}
    refused = post_form(client, page, f"{page}/vocational-tracks", form)
    assert refused.status_code == 422 and "请选择学校类别：中等职业学校或技工学校" in refused.text
    made = post_form(client, page, f"{page}/vocational-tracks", {**form, "kind": "training", "hours": "120"})
    assert made.status_code == 200 and "职业发展路径已登记" in made.text
    assert "技能培训" in made.text and "在训/在读" in made.text
    track = db.scalar(select(VocationalTrack).where(VocationalTrack.graduate_id == grad.id))
    assert track is not None
    done = post_form(
        client,
        page,
        f"{page}/vocational-tracks/{track.id}",
        {
            "to": "completed",
            "on": local_today().isoformat(),
            "certificate": "电工职业技能等级证书（五级）",
            "outcome": "employed",
        },
    )
    assert done.status_code == 200
    assert "已结业/毕业" in done.text and "取得电工职业技能等级证书（五级），已就业" in done.text


def test_staff_pair_a_school_and_an_enterprise_and_follow_a_student_to_placement(
    client: TestClient, db: Session, world: World
) -> None:
    employer = make_employer(db, world, side="a", account_key="enterprise_a")
    grad = student(db, world)
    db.commit()
    login(client, "t_city")
    listing = client.get("/union/golden-pairings")
    assert listing.status_code == 200 and "暂无金牌蓝领结对" in listing.text
    assert unlabelled_controls(listing.text) == []
    today = local_today()
    form = {
        "org_unit_id": str(world.orgs["BZ"]),
        "number": "JPLL-WEB-01",
        "school_name": SCHOOL,
        "school_kind": "07",
        "employer_id": str(employer.id),
        "starts_on": (today - timedelta(days=60)).isoformat(),
        "ends_on": (today + timedelta(days=700)).isoformat(),
        "terms": "企业资助助学金，安排跟岗实习，毕业后录用",
        "headcount": "5",
        "aid_per_student": "2000.00",
    }
    refused = post_form(client, "/union/golden-pairings", "/union/golden-pairings", form)
    assert refused.status_code == 422 and "金牌蓝领结对学校应为中等职业学校或高等职业学校（专科）" in refused.text
    made = post_form(client, "/union/golden-pairings", "/union/golden-pairings", {**form, "school_kind": "05"})
    assert made.status_code == 200 and "金牌蓝领结对 JPLL-WEB-01" in made.text and "中等职业学校" in made.text
    pairing = db.scalar(select(GoldenPairing).where(GoldenPairing.number == "JPLL-WEB-01"))
    assert pairing is not None
    page = f"/union/golden-pairings/{pairing.id}"
    joined = post_form(client, page, f"{page}/students", {"graduate_id": str(grad.id), "joined_on": form["starts_on"]})
    assert joined.status_code == 200 and "孙中职" in joined.text and "结对培养中" in joined.text
    assert unlabelled_controls(joined.text) == []
    row = db.scalar(select(PairingStudent).where(PairingStudent.graduate_id == grad.id))
    assert row is not None
    action = f"{page}/students/{row.id}"
    start = (today - timedelta(days=30)).isoformat()
    intern = post_form(
        client, page, action, {"action": "internship", "kind": "follow", "post": "中药饮片炮制工", "starts_on": start}
    )
    assert "跟岗实习：中药饮片炮制工" in intern.text
    aid = post_form(client, page, action, {"action": "aid", "amount": "abc", "paid_on": start})
    assert aid.status_code == 422 and "助学金金额应为数字" in aid.text
    post_form(client, page, action, {"action": "aid", "amount": "1000.00", "paid_on": start})
    nameless = post_form(client, page, action, {"action": "move", "to": "placed", "on": today.isoformat()})
    assert nameless.status_code == 422 and "入职结对企业的，请填写入职岗位" in nameless.text
    placed = post_form(
        client, page, action, {"action": "move", "to": "placed", "on": today.isoformat(), "post": "制剂操作工"}
    )
    assert "已入职结对企业" in placed.text and "已发助学金 1,000 元" in placed.text
    assert "入职：制剂操作工" in placed.text

    client.cookies.clear()
    login(client, "t_enterprise_a")
    own = client.get("/enterprise/golden-pairings")
    assert (
        own.status_code == 200 and "JPLL-WEB-01" in own.text and "孙中职" in own.text and "已入职结对企业" in own.text
    )
    assert grad.id_number_masked not in own.text
    assert client.get(page).status_code in (403, 404)
