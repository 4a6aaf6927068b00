"""The donation pages in a real browser: the clerk finds 捐款助学 in the navigation, opens the donor's fund with its
conditions, tries to allocate to a graduate the donor's condition leaves out and reads the condition on the page,
then allocates to a 本科在读 student and opens the donor's report with the student masked. Screenshots of each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.aid import donations
from services.app import create_app
from tests.aid import factories as f
from tests.conftest import World
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_staff_in_browser import _nav, _page, _sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_clerk_is_told_the_donors_condition_and_allocates_within_it(browser: Any, db: Session, world: World) -> None:
    clerk = f.principal(db, world, "county_a")
    donations.create_fund(
        db,
        principal=clerk,
        data=donations.FundInput(
            year=2023,
            name="华佗药业爱心助学金",
            donor_name="亳州华佗药业有限公司",
            donor_kind="enterprise",
            pledged=Decimal("10000.00"),
            received=Decimal("6000.00"),
            standard_amount=Decimal("2000.00"),
            conditions=donations.Conditions(stages=("student",), educations=("21",)),
        ),
    )
    graduate, grad_seed = f.seeded_student(db, world)
    graduate.stage = "graduate"
    _, seed = f.seeded_student(db, world)
    db.flush()
    with LiveServer(create_app()) as server, _page(browser, server) as page:
        _sign_in(page, server, "t_county_a")
        _nav(page, "捐款助学")
        screenshot(page, "union-donations")
        page.get_by_role("link", name="华佗药业爱心助学金").click()
        page.get_by_role("heading", name="捐赠方意愿").wait_for()
        page.get_by_label("学生身份证号").fill(grad_seed.student_no)
        page.get_by_role("button", name="安排", exact=True).click()
        page.get_by_role("alert").get_by_text("捐赠方限定：仅资助大学本科在读学生").wait_for()
        screenshot(page, "union-donation-refused")
        page.get_by_label("学生身份证号").fill(seed.student_no)
        page.get_by_label("金额（元）").fill("2000")
        page.get_by_role("button", name="安排", exact=True).click()
        page.locator("#allocations tr", has_text="页面登记").wait_for()
        assert page.locator("#balance").inner_text() == "4,000 元"
        page.locator("#refusals").get_by_text("捐赠方限定：仅资助大学本科在读学生").wait_for()
        screenshot(page, "union-donation-fund")
        page.get_by_role("link", name="捐赠方报告").click()
        page.get_by_role("cell", name="张*明").wait_for()
        assert seed.student_no not in page.content()
        screenshot(page, "union-donation-report")
