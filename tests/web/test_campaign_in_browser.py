"""The campaign pages in a real browser: a county clerk finds 摸排与总结 in the navigation, types the county's survey,
is told which field is wrong, hands it in; writes the stage report and downloads it as Word, which opens with
python-docx and carries the written sections; the city sees the county's survey. Every page is saved as a
screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from sqlalchemy.orm import Session

from services.app import create_app
from services.reports import service as reports
from tests.conftest import World
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_staff_in_browser import PHONE, _nav, _page, _sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_clerk_hands_in_the_survey_and_downloads_the_stage_report(
    browser: Any, db: Session, world: World, tmp_path: Path
) -> None:
    year = reports.today().year
    with LiveServer(create_app()) as server:
        with _page(browser, server) as page:
            _sign_in(page, server, "t_county_a")
            _nav(page, "摸排与总结")
            screenshot(page, "union-surveys")
            page.get_by_role("link", name="蒙城县总工会").click()
            page.get_by_role("heading", name=f"蒙城县总工会 · {year}年摸排").wait_for()
            page.get_by_label("建档困难职工家庭·本科", exact=True).fill("6")
            page.get_by_label("非建档困难职工家庭·中职", exact=True).fill("2")
            page.get_by_label("非建档困难职工家庭·需求金额（元）", exact=True).fill("4000")
            page.get_by_label("有就业援助需求的毕业生").fill("5")
            page.get_by_role("button", name="保存并报送市总").click()
            page.get_by_text("建档困难职工家庭有6人有需求，请填写需求金额").wait_for()
            screenshot(page, "union-survey-refused")
            page.get_by_label("建档困难职工家庭·需求金额（元）", exact=True).fill("12000")
            page.get_by_role("button", name="保存并报送市总").click()
            page.get_by_text("已报送", exact=True).wait_for()
            screenshot(page, "union-survey-submitted")
            page.get_by_role("link", name="阶段报告与总结").click()
            page.get_by_role("button", name="新建（取报告日期的统计数据）").click()
            page.get_by_role("heading", name="主要数据", exact=False).wait_for()
            page.get_by_label("工作开展情况").fill("全县摸排困难职工家庭，建立档案。")
            page.get_by_label("主要做法").fill("劳模工匠一对一结对。")
            page.get_by_label("存在问题").fill("个别毕业生联系不上。")
            page.get_by_label("下一步打算").fill("逐人回访。")
            page.get_by_role("button", name="保存并报送").click()
            page.get_by_text("已报送", exact=True).wait_for()
            screenshot(page, "union-narrative")
            with page.expect_download() as download:
                page.get_by_role("link", name="下载报告（Word）").click()
            target = tmp_path / "report.docx"
            download.value.save_as(target)
            text = "\n".join(p.text for p in Document(str(target)).paragraphs)
            assert "劳模工匠一对一结对。" in text and "实名登记困难职工家庭高校毕业生" in text
        with _page(browser, server, PHONE) as city:
            _sign_in(city, server, "t_city")
            city.goto(f"{server.url}/union/surveys?year={year}")
            city.locator("tr", has_text="蒙城县总工会").get_by_text("已报送", exact=True).wait_for()
            screenshot(city, "union-surveys-city-phone")
            city.goto(f"{server.url}/union/deadlines?year={year}")
            city.get_by_role("heading", name="活动截止日期", exact=False).wait_for()
            screenshot(city, "union-deadlines")
