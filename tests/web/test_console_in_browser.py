"""The console in a real browser (Debian chromium driven by Playwright): a counselor recommends a position and
sends an activation invitation; the graduate activates the account on a phone-sized screen, sees matches with
reasons, applies in one click and finds the application in 我的求职. Every page is saved as a screenshot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.app import create_app
from tests.conftest import PASSWORD, World
from tests.matches.factories import make_employer, make_graduate, make_position
from tests.web.conftest import LiveServer, screenshot

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _offline(page: Any, server: LiveServer, outside: list[str]) -> None:
    def route(r: Any) -> None:
        if r.request.url.startswith(server.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)


def _nav(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="主导航").get_by_role("link", name=name, exact=True)


def _sign_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_counselor_recommends_and_invites_then_the_graduate_activates_and_applies_on_a_phone(
    browser: Any, db: Session, world: World
) -> None:
    graduate = make_graduate(db, world, name="陈晓")
    employer = make_employer(db, world)
    make_position(db, world, employer=employer, title="Java开发工程师", major_classes=["5102"])
    make_position(db, world, employer=employer, title="软件测试见习", kind="internship", major_classes=["5102"])
    db.commit()
    outside: list[str] = []
    with LiveServer(create_app()) as server:
        desk = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
        page = desk.new_page()
        _offline(page, server, outside)
        page.goto(f"{server.url}/login")
        screenshot(page, "console-login")
        _sign_in(page, server, "t_counselor_a")
        page.get_by_role("heading", name="工作台").wait_for()
        screenshot(page, "counselor-workbench")
        page.get_by_role("link", name="陈晓").first.click()
        page.get_by_role("heading", name=re.compile("陈晓")).wait_for()
        page.get_by_role("button", name="推荐「Java开发工程师」").click()
        page.get_by_text("已推荐，并记入一次“岗位推荐”服务").wait_for()
        page.get_by_role("button", name="发送激活邀请").click()
        link = page.get_by_role("link", name=re.compile(r"activate\?code="))
        link.wait_for()
        activation = link.inner_text()
        assert activation.startswith(server.url)
        page.get_by_role("heading", name="全流程记录").wait_for()
        assert page.get_by_role("region", name="全流程记录").get_by_text("岗位推荐").first.is_visible()
        screenshot(page, "counselor-graduate")
        for name, shot in (("待联系", "counselor-due"), ("交接", "counselor-handoffs"), ("消息", "counselor-messages")):
            _nav(page, name).click()
            page.get_by_role("heading", level=1).first.wait_for()
            screenshot(page, shot)
        desk.close()

        mobile = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        phone = mobile.new_page()
        _offline(phone, server, outside)
        phone.goto(activation)
        phone.get_by_text("陈晓，你好").wait_for()
        screenshot(phone, "graduate-activate")
        phone.get_by_label("用户名").fill("chenxiao")
        phone.get_by_label(re.compile("^密码")).fill("Sunshine2024")
        phone.get_by_label("再次输入密码").fill("Sunshine2024")
        phone.get_by_role("button", name="开通并登录").click()
        phone.get_by_role("heading", name="我的匹配").wait_for()
        assert phone.get_by_text(re.compile("职业面向|职业关联|地点：|还招")).first.is_visible()
        assert phone.get_by_role("heading", name="条件核对").first.is_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the matches page scrolls sideways on a phone ({width}px)"
        screenshot(phone, "graduate-matches")
        apply = phone.get_by_role("button", name="一键投递「软件测试见习」")
        apply.focus()
        phone.keyboard.press("Enter")  # the keyboard alone applies
        phone.get_by_text("已投递（已投递）").wait_for()
        _nav(phone, "我的求职").click()
        phone.get_by_role("heading", name="我的求职").wait_for()
        assert phone.get_by_role("heading", name="软件测试见习").is_visible()
        assert phone.get_by_role("heading", name="Java开发工程师").is_visible()
        screenshot(phone, "graduate-applications")
        _nav(phone, "我的档案与意向").click()
        phone.get_by_role("heading", name="就业意向").wait_for()
        screenshot(phone, "graduate-profile")
        _nav(phone, "消息").click()
        phone.get_by_role("heading", name="消息").wait_for()
        screenshot(phone, "graduate-messages")
        mobile.close()
    db.expire_all()
    assert graduate.user_id is not None
    assert outside == []


def test_login_works_with_the_keyboard_alone_and_focus_is_visible(browser: Any, db: Session, world: World) -> None:
    with LiveServer(create_app()) as server:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "username"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.keyboard.type("t_counselor_a")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="工作台").wait_for()
        screenshot(page, "counselor-workbench-phone")
        context.close()
