"""The console pages of 结对帮扶与创业: staff register a 劳模 (phone masked on the list), a counselor pairs the mentor
with a graduate, logs a contact and records the outcome; a counselor records a 返乡创业 project and enters it in
the city's contest, city staff screen it (a refusal names the criterion) and record the funds given — each refusal
shown with the API's reason, every control labelled, codes shown as names."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.clock import local_today
from services.tracking.mentor_models import ContestEntry, Mentor, MentorPairing, Venture
from tests.conftest import World
from tests.tracking.factories import make_graduate
from tests.web.console import login, post_form, unlabelled_controls


def repeated_ids(html: str) -> list[str]:
    """Element ids used twice on a page (a label would name the wrong control)."""
    return [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


def test_staff_register_a_mentor_and_a_counselor_pairs_logs_and_closes(
    client: TestClient, db: Session, world: World
) -> None:
    grad = make_graduate(db, world, side="a", name="陈静")
    db.commit()
    login(client, "t_county_a")
    page = client.get("/mentoring")
    assert page.status_code == 200 and "登记导师" in page.text and "结对帮扶（一帮一结对）" in page.text
    assert unlabelled_controls(page.text) == [] and repeated_ids(page.text) == []
    form = {
        "org_unit_id": str(world.orgs["BZ-MC"]),
        "name": "刘劳模",
        "kind": "model_worker",
        "unit": "蒙城县某机械厂",
        "field": "数控加工",
        "contact_phone": "1395566",
    }
    refused = post_form(client, "/mentoring", "/mentoring/mentors", form)
    assert refused.status_code == 422 and "联系电话：" in refused.text
    made = post_form(client, "/mentoring", "/mentoring/mentors", {**form, "contact_phone": "13955661234"})
    assert made.status_code == 200 and "刘劳模" in made.text and "139****1234" in made.text and "劳模" in made.text
    assert "13955661234" not in made.text
    mentor = db.scalar(select(Mentor).where(Mentor.name == "刘劳模"))
    assert mentor is not None

    login(client, "t_counselor_a")
    page = client.get("/mentoring")
    assert "登记导师" not in page.text  # counselors pair, staff register
    pair = {"mentor_id": str(mentor.id), "graduate_id": str(grad.id), "kind": "help", "goal": "每月联系一次"}
    paired = post_form(client, "/mentoring", "/mentoring/pairings", pair)
    assert paired.status_code == 200 and "陈静 与 刘劳模 的结对" in paired.text and "一帮一结对帮扶" in paired.text
    assert unlabelled_controls(paired.text) == []
    pairing = db.scalar(select(MentorPairing).where(MentorPairing.graduate_id == grad.id))
    assert pairing is not None
    here = f"/mentoring/pairings/{pairing.id}"
    today = local_today().isoformat()
    empty = post_form(client, here, here + "/contacts", {"contacted_on": today, "channel": "visit", "summary": ""})
    assert empty.status_code == 422 and "请填写联系内容" in empty.text
    logged = post_form(
        client,
        here,
        here + "/contacts",
        {"contacted_on": today, "channel": "visit", "summary": "到车间参观，谈求职打算"},
    )
    assert "到车间参观，谈求职打算" in logged.text and "走访" in logged.text
    nameless = post_form(client, here, here + "/outcome", {"to": "employed", "on": today})
    assert nameless.status_code == 422 and "已就业的，请填写就业单位" in nameless.text
    done = post_form(
        client, here, here + "/outcome", {"to": "employed", "on": today, "employer_name": "蒙城县某机械厂"}
    )
    assert f"已就业：{today} 就业于 蒙城县某机械厂" in done.text
    assert "登记联系" not in done.text
    listed = client.get("/mentoring")
    assert "陈静" in listed.text and "已就业" in listed.text


def test_a_project_entered_screened_and_funded(client: TestClient, db: Session, world: World) -> None:
    grad = make_graduate(db, world, side="b", name="马骏")
    db.commit()
    login(client, "t_counselor_b")
    page = client.get("/mentoring/ventures")
    assert page.status_code == 200 and "登记大赛" not in page.text
    assert unlabelled_controls(page.text) == []
    body = {
        "graduate_id": str(grad.id),
        "name": "义门镇电商助农",
        "kind": "returning",
        "description": "返乡开网店销售本地农产品",
    }
    refused = post_form(client, "/mentoring/ventures", "/mentoring/ventures", body)
    assert refused.status_code == 422 and "返乡创业请填写返乡创业的地点" in refused.text
    made = post_form(client, "/mentoring/ventures", "/mentoring/ventures", {**body, "place": "涡阳县义门镇"})
    assert made.status_code == 200 and "义门镇电商助农" in made.text and "返乡创业" in made.text
    venture = db.scalar(select(Venture).where(Venture.graduate_id == grad.id))
    assert venture is not None

    login(client, "t_city")
    assert repeated_ids(client.get("/mentoring/ventures").text) == []
    contest = {
        "org_unit_id": str(world.orgs["BZ"]),
        "year": str(local_today().year),
        "name": "亳州市大学生创新创业大赛",
        "organiser": "亳州市总工会",
        "criteria": "基础条件好\n市场前景广\n科技含量高",
    }
    created = post_form(client, "/mentoring/ventures", "/mentoring/contests", contest)
    assert created.status_code == 200 and "亳州市大学生创新创业大赛" in created.text and "科技含量高" in created.text

    login(client, "t_counselor_b")
    here = f"/mentoring/ventures/{venture.id}"
    page = client.get(here)
    assert unlabelled_controls(page.text) == []
    contest_id = page.text.split('<option value="')[2].split('"')[0]
    entered = post_form(client, here, here + "/entries", {"contest_id": contest_id})
    assert "亳州市大学生创新创业大赛" in entered.text and "待筛选" in entered.text
    entry = db.scalar(select(ContestEntry).where(ContestEntry.venture_id == venture.id))
    assert entry is not None

    login(client, "t_city")
    contest_page = f"/mentoring/contests/{entry.contest_id}"
    page = client.get(contest_page)
    assert "义门镇电商助农" in page.text and unlabelled_controls(page.text) == []
    today = local_today().isoformat()
    unnamed = post_form(
        client, contest_page, f"/mentoring/entries/{entry.id}/screening", {"to": "refused", "on": today}
    )
    assert unnamed.status_code == 422 and "未通过筛选的，请选择不符合的筛选条件" in unnamed.text
    passed = post_form(client, contest_page, f"/mentoring/entries/{entry.id}/screening", {"to": "passed", "on": today})
    assert "通过筛选" in passed.text
    no_amount = post_form(client, here, here + "/supports", {"kind": "funds", "given_on": today})
    assert no_amount.status_code == 422 and "扶持资金请填写金额" in no_amount.text
    funded = post_form(
        client,
        here,
        here + "/supports",
        {"kind": "funds", "given_on": today, "amount": "15000", "entry_id": str(entry.id), "provider": "市总工会"},
    )
    assert "扶持资金" in funded.text and "15,000" in funded.text and "亳州市大学生创新创业大赛" in funded.text


def test_enterprises_do_not_reach_the_pages(client: TestClient, world: World) -> None:
    login(client, "t_enterprise_a")
    assert client.get("/mentoring").status_code == 403
    assert client.get("/mentoring/ventures").status_code == 403
