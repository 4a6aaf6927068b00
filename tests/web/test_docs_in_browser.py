"""The API documentation renders in a real browser with every other host unreachable, as on a union intranet."""

from __future__ import annotations

from typing import Any

from services.app import create_app
from tests.web.conftest import LiveServer, screenshot


def test_swagger_ui_renders_offline(browser: Any) -> None:
    with LiveServer(create_app()) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        outside: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith(server.url):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(f"{server.url}/docs")
        page.get_by_text("阳光就业 Sunshine Employment API").first.wait_for(timeout=15000)
        assert page.get_by_role("button", name="Authorize").is_visible()
        screenshot(page, "docs-swagger", full_page=False)
        page.goto(f"{server.url}/redoc")
        page.get_by_text("阳光就业 Sunshine Employment API").first.wait_for(timeout=20000)
        screenshot(page, "docs-redoc", full_page=False)
        context.close()
        assert outside == []
