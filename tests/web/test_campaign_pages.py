"""The console pages of 摸排, the stage report and summary, and the deadlines: a county clerk fills in and hands in
the county's survey, writes a report and downloads it as Word; refusals show the API's Chinese reasons next to
the fields; every control has a label and every form its CSRF token."""

from __future__ import annotations

import io
import re

from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from services.reports import service as reports
from tests.conftest import World
from tests.web.console import csrf_of, login, post_form, unlabelled_controls

YEAR = reports.today().year


def _survey_form(**changes: str) -> dict[str, str]:
    form = {
        "archived_undergraduate": "8",
        "nonarchived_high_school": "2",
        "archived_amount": "16000",
        "nonarchived_amount": "4000",
        "job_seekers": "9",
        "internship_need": "3",
        "training_need": "2",
        "entrepreneurship_need": "1",
        "note": "",
        "action": "save",
    }
    return {**form, **changes}


def test_a_county_clerk_fills_in_and_hands_in_the_survey(client: TestClient, world: World, db: Session) -> None:
    login(client, "t_county_a")
    overview = client.get(f"/union/surveys?year={YEAR}")
    assert overview.status_code == 200
    assert "蒙城县总工会" in overview.text and "涡阳县总工会" not in overview.text and "未填报" in overview.text
    page = f"/union/surveys/{world.orgs['BZ-MC']}/{YEAR}"
    form_page = client.get(page)
    assert unlabelled_controls(form_page.text) == []
    refused = post_form(client, page, page, _survey_form(archived_undergraduate="-2", internship_need="12"))
    assert refused.status_code == 422
    assert "“建档困难职工家庭·本科”不能为负数" in refused.text
    assert "“其中需要见习岗位”不能多于有就业援助需求的毕业生人数" in refused.text
    assert 'value="-2"' in refused.text  # the clerk's entry is kept for correction
    done = post_form(client, page, page, _survey_form(action="submit"))
    assert done.status_code == 200 and done.url.path == page
    assert "已报送" in done.text and "保存并报送市总" not in done.text
    listed = client.get(f"/union/surveys?year={YEAR}")
    assert listed.status_code == 200 and "已报送" in listed.text
    assert re.search(r'<td class="num">8</td>\s*<td class="num">2</td>\s*<td class="num">20,000</td>', listed.text)
    annex7 = client.get(f"/union/reports?report=annex7&as_of={reports.today().isoformat()}")
    assert "已报送摸排" in annex7.text
    # another county's survey is not reachable
    other = client.get(f"/union/surveys/{world.orgs['BZ-GY']}/{YEAR}")
    assert other.status_code == 404 and "不在您的管辖范围内" in other.text


def test_the_city_sends_a_survey_back_from_its_page(client: TestClient, world: World) -> None:
    login(client, "t_county_a")
    page = f"/union/surveys/{world.orgs['BZ-MC']}/{YEAR}"
    assert post_form(client, page, page, _survey_form(action="submit")).status_code == 200
    client.cookies.clear()
    login(client, "t_city")
    city_page = client.get(page)
    assert "退回县区修改" in city_page.text and "保存草稿" not in city_page.text
    refused = post_form(client, page, f"{page}/return", {"reason": ""})
    assert refused.status_code == 422 and "请写明退回原因，县区据此修改" in refused.text
    back = post_form(client, page, f"{page}/return", {"reason": "非建档人数请核对"})
    assert back.status_code == 200 and "已退回修改" in back.text and "非建档人数请核对" in back.text


def test_a_stage_report_written_on_its_page_downloads_as_word(client: TestClient, world: World) -> None:
    login(client, "t_county_a")
    listing = f"/union/narratives?year={YEAR}"
    assert unlabelled_controls(client.get(listing).text) == []
    opened = post_form(client, listing, "/union/narratives", {"year": str(YEAR), "kind": "stage"})
    assert opened.status_code == 200
    match = re.search(r"/union/narratives/(\d+)$", opened.url.path)
    assert match, opened.url.path
    page = opened.url.path
    assert "主要数据" in opened.text and unlabelled_controls(opened.text) == []
    sections = {"work_done": "开展摸排走访。", "practices": "劳模结对。", "problems": "", "next_steps": "逐人回访。"}
    refused = post_form(client, page, page, {**sections, "action": "submit"})
    assert refused.status_code == 422 and "请填写“存在问题”" in refused.text
    assert "劳模结对。" in refused.text
    saved = post_form(client, page, page, {**sections, "problems": "个别毕业生联系不上。", "action": "submit"})
    assert saved.status_code == 200 and "已报送" in saved.text
    word = client.get(f"{page}/document.docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "个别毕业生联系不上。" in text and "实名登记困难职工家庭高校毕业生" in text
    assert client.get(f"{page}/figures.xlsx").status_code == 200
    added = post_form(client, listing, "/union/experiences", {"year": str(YEAR), "title": "", "body": "做法"})
    assert added.status_code == 422 and "请填写经验标题" in added.text


def test_deadlines_page_and_its_forms(client: TestClient, world: World) -> None:
    login(client, "t_county_a")
    page = f"/union/deadlines?year={YEAR}"
    county_view = client.get(page)
    assert "报送活动阶段性情况报告" in county_view.text and "保存：" not in county_view.text
    client.cookies.clear()
    login(client, "t_city")
    city_view = client.get(page)
    assert unlabelled_controls(city_view.text) == []
    deadline_id = re.search(r'action="/union/deadlines/(\d+)"', city_view.text)
    assert deadline_id
    action = f"/union/deadlines/{deadline_id[1]}"
    refused = post_form(
        client,
        page,
        action,
        {"year": str(YEAR), "due_on": f"{YEAR}-07-14", "remind_days_before": "90", "roles": "union_county"},
    )
    assert refused.status_code == 422 and "提前提醒天数应在0至60之间" in refused.text
    saved = post_form(
        client,
        page,
        action,
        {"year": str(YEAR), "due_on": f"{YEAR}-07-14", "remind_days_before": "10", "roles": "union_county"},
    )
    assert saved.status_code == 200 and "提前10天提醒" in saved.text


def test_every_campaign_form_needs_its_csrf_token(client: TestClient, world: World) -> None:
    login(client, "t_county_a")
    page = f"/union/surveys/{world.orgs['BZ-MC']}/{YEAR}"
    csrf_of(client.get(page).text)
    refused = client.post(page, data=_survey_form())
    assert refused.status_code == 403 and "安全校验" in refused.text
    assert client.post("/union/narratives", data={"year": str(YEAR), "kind": "stage"}).status_code == 403
