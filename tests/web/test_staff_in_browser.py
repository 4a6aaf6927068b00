"""The enterprise's and union staff's console in a real browser (Debian chromium driven by Playwright): a county
clerk imports a sheet with one bad row, sees the cell's error, fixes the sheet and imports it; an enterprise
signs up and waits for verification; an enterprise moves an applicant across the kanban to signed and the city
dashboard shows the county's employment rate rise; the admin pages. Every page is saved as a screenshot."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.app import create_app
from services.matches import occupations
from services.refdata.models import RefOccupation
from services.registry.models import Family
from services.tracking import flows
from tests.conftest import PASSWORD, World
from tests.tracking.factories import principal
from tests.web.conftest import LiveServer, screenshot
from tests.web.staff import hiring, sheets_with_one_bad_row

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@contextmanager
def _page(browser: Any, server: LiveServer, viewport: dict[str, int] = DESK) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(server.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"the console asked another host: {outside}"


def _sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", level=1).first.wait_for()


def _nav(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", level=1).first.wait_for()


def _upload(page: Any, content: bytes, name: str) -> None:
    page.get_by_label("表格文件（xlsx 或 csv）").set_input_files({"name": name, "mimeType": XLSX, "buffer": content})
    page.get_by_role("button", name="上传并试导入").click()
    page.get_by_role("heading", name=re.compile("^结果：")).wait_for(timeout=30_000)


def _comments(path: str) -> list[str]:
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))  # a download has no file extension
    return [c.comment.text for ws in book.worksheets for row in ws.iter_rows() for c in row if c.comment]


def test_a_clerk_imports_a_sheet_with_one_bad_row_fixes_it_and_imports(browser: Any, db: Session, world: World) -> None:
    bad, good, rows = sheets_with_one_bad_row(household_type="农业户")
    with LiveServer(create_app()) as server, _page(browser, server) as page:
        _sign_in(page, server, "t_county_a")
        screenshot(page, "union-dashboard")
        _nav(page, "导入")
        screenshot(page, "union-imports")
        _upload(page, bad, "困难职工档案.xlsx")
        errors = page.locator("#import-errors")
        errors.wait_for()
        assert "校验" in errors.inner_text() and "农业户" in errors.inner_text()
        assert page.locator("#error-count").inner_text() == "2"
        assert page.get_by_role("button", name="正式导入").count() == 1  # or only the good rows
        screenshot(page, "union-import-dry-run-errors")

        # the error workbook: the clerk's sheet with each bad cell's reason in a comment
        with page.expect_download() as download:
            page.get_by_role("link", name="下载错误标注表").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        comments = _comments(download.value.path())
        assert any("身份证号校验位错误" in c for c in comments) and any("农业户" in c for c in comments)

        # the wording nobody mapped, with its suggestion chosen: confirmed in one step, the file checked again
        choice = page.get_by_label(re.compile("^户口类型：“农业户”（档案，1 行）对应"))
        assert choice.locator("option:checked").inner_text() == "农村户口"
        screenshot(page, "union-import-mappings")
        with page.expect_navigation():
            page.get_by_role("button", name="确认选项并重新试导入").click()
        page.get_by_role("heading", name=re.compile("^结果：")).wait_for(timeout=30_000)
        assert page.locator("#error-count").inner_text() == "1"  # only the wrong ID number is left
        assert page.locator("#mappings").count() == 0
        page.get_by_role("link", name="重新上传").click()
        _upload(page, good, "困难职工档案（已改正）.xlsx")  # the county's wording is understood now
        assert page.locator("#error-count").inner_text() == "0"
        assert page.get_by_role("heading", name="结果：全部无误").is_visible()
        page.get_by_role("button", name="正式导入").click()
        page.get_by_role("heading", name=re.compile("^正式导入")).wait_for()
        page.get_by_role("heading", name="结果：全部无误").wait_for(timeout=30_000)
        assert page.locator("#import-bar").get_attribute("value") == "100"
        screenshot(page, "union-import-done")
        page.get_by_role("link", name="查看档案").click()
        page.get_by_role("heading", name="困难职工档案").wait_for()
        table = page.get_by_role("table").inner_text()
        for row in rows:
            assert row["name"] in table
            assert row["id_number"] not in table  # masked
        screenshot(page, "union-archives")
    stored = set(db.scalars(select(Family.name)))
    assert {r["name"] for r in rows} <= stored
    first = db.scalar(select(Family).where(Family.name == rows[0]["name"]))
    assert first is not None and first.household_type == "2"  # 农村户口, as confirmed


def test_an_enterprise_signs_up_and_a_clerk_verifies_it_with_the_near_duplicate_shown(
    browser: Any, db: Session, world: World
) -> None:
    from tests.catalog import factories as catalog_factories

    catalog_factories.ensure_reference(db)
    catalog_factories.make_employer(db, world, name="亳州阳光药业有限公司")
    for s in occupations.suggest("全科医生助理", k=5):  # the classification's rows the catalog checks codes against
        if db.get(RefOccupation, s.code) is None:
            db.add(RefOccupation(code=s.code, level=4, level_name="细类", name=s.name))
    db.commit()
    with LiveServer(create_app()) as server:
        with _page(browser, server, PHONE) as page:
            page.goto(f"{server.url}/login")
            page.get_by_role("link", name="注册企业账号").click()
            page.get_by_role("heading", name="企业注册").wait_for()
            page.get_by_label("用户名").fill("bz_sunshine")
            page.get_by_label("联系人姓名").fill("王经理")
            page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
            page.get_by_label("再次输入密码").fill(PASSWORD)
            page.get_by_label("单位名称").fill("亳州阳光药业股份有限公司")
            page.get_by_label("统一社会信用代码").fill("91341600MA2N4L0Q2B")
            page.get_by_label("所属行业").select_option("27")
            page.get_by_label("单位性质").select_option("private")
            page.get_by_label("所在县区").select_option("341622")
            page.get_by_role("button", name="注册并提交认证").click()
            page.get_by_text("统一社会信用代码校验位错误").first.wait_for()
            screenshot(page, "enterprise-signup-refused")
            page.get_by_label("统一社会信用代码").fill(catalog_factories.credit_code())
            page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
            page.get_by_label("再次输入密码").fill(PASSWORD)
            page.get_by_role("button", name="注册并提交认证").click()
            page.get_by_role("heading", name="我的岗位").wait_for()
            assert page.get_by_text("待工会认证").first.is_visible()
            screenshot(page, "enterprise-pending")
            _nav(page, "发布岗位")
            assert page.get_by_label("保存后立即发布").is_disabled()
            # the suggested occupations follow the title; the one ticked is stored as confirmed
            page.get_by_label("岗位名称").fill("全科医生助理")
            page.get_by_label("岗位名称").press("Tab")
            general = page.get_by_label(re.compile("^全科医师（2-05-01-19）"))
            general.wait_for()
            assert not general.is_checked()
            general.check()
            screenshot(page, "enterprise-position-occupations")
            page.get_by_role("button", name="保存岗位").click()
            page.get_by_text("职业：全科医师（已确认）").wait_for()
        with _page(browser, server) as page:
            _sign_in(page, server, "t_county_a")
            _nav(page, "待认证")
            card = page.get_by_role("listitem").filter(has_text="亳州阳光药业股份有限公司")
            assert "亳州阳光药业有限公司" in card.inner_text()  # the near-duplicate
            page.get_by_role("button", name="不予认证：亳州阳光药业股份有限公司").click()
            page.get_by_text("不予认证须说明理由").first.wait_for()
            screenshot(page, "union-employers")
            page.get_by_role("button", name="认证通过：亳州阳光药业股份有限公司").click()
            page.get_by_text("已认证通过").wait_for()


def _lane(page: Any, name: str) -> Any:
    return page.get_by_role("region", name=re.compile(f"^{name}"))


def _city_rate(page: Any, server: LiveServer) -> float:
    page.goto(f"{server.url}/union")
    cell = page.locator('td[data-county="BZ-MC"]')
    cell.wait_for()
    text = cell.inner_text()
    return 0.0 if text == "—" else float(text.rstrip("%"))


def test_the_enterprise_moves_an_applicant_to_signed_and_the_city_dashboard_shows_the_rate_rise(
    browser: Any, db: Session, world: World
) -> None:
    h = hiring(db, world)
    with LiveServer(create_app()) as server, _page(browser, server) as city:
        _sign_in(city, server, "t_city")
        before = _city_rate(city, server)
        city.locator("#rate-chart svg").wait_for()  # ECharts drew the lines from the vendored file
        with _page(browser, server) as page:
            _sign_in(page, server, "t_enterprise_a")
            screenshot(page, "enterprise-positions")
            _nav(page, "应聘者")
            assert "陈晓" in _lane(page, "已投递").inner_text()
            page.get_by_label("陈晓的面试时间").fill("2026-12-08T10:00")
            page.get_by_role("button", name="约面试：陈晓").click()
            _lane(page, "面试洽谈中").get_by_role("heading", name="陈晓").wait_for()
            assert "面试时间：2026-12-08 10:00" in _lane(page, "面试洽谈中").inner_text()
            page.get_by_role("button", name="录用：陈晓", exact=True).click()
            _lane(page, "已录用").get_by_role("heading", name="陈晓").wait_for()
            db.expire_all()  # the page moved it: read the application afresh
            flows.move(
                db,
                principal=principal(db, world, "graduate_a"),
                application_id=h.application.id,
                to_state="signed",
            )
            db.commit()
            page.reload()
            page.get_by_role("button", name="确认签约：陈晓").click()
            _lane(page, "已签约").get_by_role("heading", name="陈晓").wait_for()
            screenshot(page, "enterprise-applicants-kanban")
            _nav(page, "推荐候选人")
            screenshot(page, "enterprise-candidates")
            _nav(page, "发布岗位")
            page.get_by_label("岗位名称").fill("药")
            page.get_by_label("岗位名称").blur()
            page.get_by_text("岗位名称：内容过短").wait_for()
            screenshot(page, "enterprise-position-form")
        after = _city_rate(city, server)
        assert after > before
        screenshot(city, "union-city-dashboard")


def test_every_union_and_admin_page_renders_for_screenshots(browser: Any, db: Session, world: World) -> None:
    hiring(db, world)
    with LiveServer(create_app()) as server:
        with _page(browser, server) as page:
            _sign_in(page, server, "t_county_a")
            for name, shot in (
                ("档案", "union-archives-list"),
                ("金秋助学", "union-aid-queue"),
                ("统计报表", "union-reports"),
            ):
                _nav(page, name)
                screenshot(page, shot)
            _nav(page, "金秋助学")
            page.get_by_role("link", name="公示").click()
            page.get_by_role("heading", level=1).wait_for()
            screenshot(page, "union-aid-notices")
            page.get_by_role("link", name="发放").click()
            page.get_by_role("heading", level=1).wait_for()
            screenshot(page, "union-aid-payments")
            _nav(page, "统计报表")
            page.get_by_role("link", name=re.compile("^附件7")).click()
            page.get_by_role("heading", name=re.compile("附件7")).first.wait_for()
            screenshot(page, "union-reports-annex7")
            _nav(page, "统计报表")
            with page.expect_download() as download:
                page.get_by_role("link", name="下载 xlsx").click()
            assert download.value.suggested_filename.endswith(".xlsx")
            page.get_by_role("button", name="冻结今天的附件7、8、9").click()
            page.get_by_text("内容与保存时一致").wait_for()
            screenshot(page, "union-snapshot")
            _nav(page, "统计报表")
            page.get_by_role("button", name="后台生成 xlsx（带图表）").click()
            link = page.get_by_role("link", name=re.compile(r"^下载 .*\.xlsx$"))
            link.wait_for(timeout=30_000)
            screenshot(page, "union-report-job")
        with _page(browser, server) as page:
            _sign_in(page, server, "t_admin")
            screenshot(page, "admin-accounts")
            for name, shot in (("基础数据", "admin-refdata"), ("审计日志", "admin-audit")):
                _nav(page, name)
                screenshot(page, shot)
            page.get_by_label("操作").select_option("create")
            page.get_by_role("button", name="筛选").click()
            page.wait_for_url(re.compile("action=create"))
            page.get_by_role("table").wait_for()
            listed = page.get_by_role("table").inner_text()
            assert "新增" in listed and "employer" in listed and "修改" not in listed
            page.get_by_label("账号（用户名）").fill("nobody_here")
            page.get_by_role("button", name="筛选").click()
            page.get_by_text("没有用户名为“nobody_here”的账号").wait_for()
