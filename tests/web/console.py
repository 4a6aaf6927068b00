"""Helpers for console tests: sign in through the login form, read the CSRF token and invitation codes from pages,
and check a page's HTML for form controls without a label."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
_CODE = re.compile(r'class="code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<')


def csrf_of(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match[1]


def invitation_code(html: str) -> str:
    match = _CODE.search(html)
    assert match, "the page shows no activation code"
    return match[1]


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the page the browser lands on (its path)."""
    token = csrf_of(client.get("/login").text)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert resp.status_code == 200, resp.text
    return resp.url.path


def post_form(
    client: TestClient, page: str, action: str, data: dict[str, str], *, headers: dict[str, str] | None = None
) -> Any:
    """Open ``page``, take its CSRF token and post ``data`` to ``action`` as the page's form would."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, headers=headers)


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.label_for: set[str] = set()
        self._open_labels = 0
        self.wrapped: int = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self._open_labels += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in {"input", "select", "textarea"}:
            if tag == "input" and a.get("type") in {"hidden", "submit", "button"}:
                return
            if self._open_labels:
                self.wrapped += 1
                return
            self.controls.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._open_labels:
            self._open_labels -= 1


def unlabelled_controls(html: str) -> list[str]:
    """The form controls of ``html`` that no <label> names (by ``for``, by wrapping, or ``aria-label``)."""
    parser = _Controls()
    parser.feed(html)
    out = []
    for tag, attrs in parser.controls:
        if attrs.get("aria-label") or (attrs.get("id") and attrs["id"] in parser.label_for):
            continue
        out.append(f"<{tag} name={attrs.get('name')!r} id={attrs.get('id')!r}>")
    return out
