"""The API documentation pages work on an intranet: every script, style and image they use is served by the
service itself, and nothing names another host."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.app import create_app


@pytest.fixture(scope="module")
def plain_client() -> TestClient:
    return TestClient(create_app())


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(plain_client: TestClient, page: str) -> None:
    html = plain_client.get(page)
    assert html.status_code == 200
    refs = [a for m in re.finditer(r"""(?:src|href)=["']([^"']+)["']""", html.text) for a in m.groups() if a]
    assert refs, "the page names its scripts"
    assert not re.search(r"https?://", html.text.replace("http://www.w3.org", "")), "no other host is named"
    for ref in refs:
        asset = plain_client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100, ref


def test_vendored_assets_name_no_cdn(plain_client: TestClient) -> None:
    for path in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/redoc/redoc.standalone.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
    ):
        body = plain_client.get(path).text
        assert not re.search(r"https?://(cdn|unpkg|fonts\.googleapis|cdnjs)", body), path
