"""结对帮扶 in a real browser (Debian chromium driven by Playwright): a county clerk finds 结对与创业 in the
navigation and registers a 工匠 (the phone shown masked); a counselor, on a phone, pairs the 工匠 with a graduate,
is told a one-word contact needs its content, logs a visit and records the graduate employed. Every page is saved as a
screenshot."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.app import create_app
from tests.conftest import World
from tests.tracking.factories import make_graduate
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_staff_in_browser import PHONE, _nav, _page, _sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_clerk_registers_a_craftsman_and_a_counselor_pairs_logs_and_closes(
    browser: Any, db: Session, world: World
) -> None:
    grad = make_graduate(db, world, side="a", name="沈悦")
    db.commit()
    with LiveServer(create_app()) as server:
        with _page(browser, server) as page:
            _sign_in(page, server, "t_county_a")
            _nav(page, "结对与创业")
            page.get_by_label("所属工会").select_option(label="蒙城县总工会")
            page.get_by_label("姓名（爱心企业填联系人）").fill("周工匠")
            page.get_by_label("导师类别").select_option(label="工匠")
            page.get_by_label("工作单位或企业名称").fill("蒙城县某汽车配件厂")
            page.get_by_label("擅长领域").fill("汽车维修")
            page.get_by_label("联系电话").fill("13955660011")
            page.get_by_role("button", name="登记导师").click()
            page.get_by_role("cell", name="139****0011").wait_for()
            screenshot(page, "mentoring-registry")
        with _page(browser, server, PHONE) as page:
            _sign_in(page, server, "t_counselor_a")
            page.goto(f"{server.url}/mentoring")
            page.get_by_role("combobox", name="导师", exact=True).select_option(
                label="周工匠（工匠，蒙城县某汽车配件厂）"
            )
            page.get_by_label("毕业生编号").fill(str(grad.id))
            page.get_by_role("button", name="结对", exact=True).click()
            page.get_by_role("heading", name="沈悦 与 周工匠 的结对").wait_for()
            page.get_by_label("联系方式").select_option(label="走访")
            page.get_by_label("联系内容").fill("好")
            page.get_by_role("button", name="登记联系").click()
            page.get_by_text("请填写联系内容").first.wait_for()
            screenshot(page, "mentoring-contact-refused")
            page.get_by_label("联系方式").select_option(label="走访")
            page.get_by_label("联系内容").fill("工匠带毕业生参观车间，介绍学徒岗位")
            page.get_by_role("button", name="登记联系").click()
            page.get_by_role("cell", name="工匠带毕业生参观车间，介绍学徒岗位").wait_for()
            page.get_by_role("combobox", name="结果", exact=True).select_option(label="已就业")
            page.get_by_label("就业单位（已就业时填写）").fill("蒙城县某汽车配件厂")
            page.get_by_role("button", name="保存结果").click()
            page.get_by_text("就业于 蒙城县某汽车配件厂").wait_for()
            screenshot(page, "mentoring-pairing-employed")
