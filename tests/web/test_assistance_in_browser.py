"""Handoffs across China in a real browser (Debian chromium driven by Playwright), on a phone: a 涡阳县 counselor
finds 合肥 among the national divisions, hands a graduate to the 合肥市总工会 with its contact, acknowledges on
that union's behalf and records the outcome. Every page is saved as a screenshot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.app import create_app
from services.clock import local_today
from tests.conftest import World
from tests.tracking.factories import make_graduate
from tests.tracking.test_external_handoffs import _divisions
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_staff_in_browser import PHONE, _page, _sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_counselor_hands_a_graduate_to_hefei_on_a_phone(browser: Any, db: Session, world: World) -> None:
    _divisions(db)
    grad = make_graduate(db, world, side="b", name="韩雪")
    db.commit()
    with LiveServer(create_app()) as server, _page(browser, server, PHONE) as page:
        _sign_in(page, server, "t_counselor_b")
        page.goto(f"{server.url}/counselor/external-handoffs?graduate_id={grad.id}")
        page.get_by_label("意向工作地（地名或行政区划代码）").fill("合肥")
        page.get_by_role("button", name="查找").click()
        radio = page.get_by_role("radio", name=re.compile("^合肥市总工会"))
        radio.wait_for()
        radio.check()
        page.get_by_label("对方联系人").fill("王老师")
        page.get_by_label("对方联系电话").fill("13955102468")
        page.get_by_label("转介原因").fill("毕业生意向在合肥市就业，家人在合肥务工")
        screenshot(page, "counselor-external-handoff")
        page.get_by_role("button", name="发起转介").click()
        page.get_by_role("heading", name="异地求职交接").wait_for()
        card = page.get_by_role("listitem").filter(has_text="韩雪").first
        assert "王老师 139****2468" in card.inner_text()
        card.get_by_label("说明").first.fill("王老师电话确认接收")
        card.get_by_role("button", name="代为确认接收").click()
        page.get_by_role("heading", name="异地求职交接").wait_for()
        outcome = page.get_by_role("form", name="登记转介结果")
        outcome.get_by_label("转介结果").select_option("employed")
        outcome.get_by_label("结果日期").fill(local_today().isoformat())
        outcome.get_by_label("就业单位").fill("合肥某软件公司")
        outcome.get_by_role("button", name="代为登记结果").click()
        page.get_by_text("已就业（合肥某软件公司） · 生源地工会代登记").wait_for()
        screenshot(page, "counselor-handoffs-hefei")
