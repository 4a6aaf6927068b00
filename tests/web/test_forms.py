"""The form macros of ``_forms.html``: further attributes of an input are given as a mapping and every value is
escaped, so a value with quotes or angle brackets stays inside its attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from services.web.pages import templates


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def _field(**kwargs: object) -> str:
    macro = templates.env.get_template("_forms.html").module.field  # type: ignore[attr-defined]
    return str(macro("note", "备注", **kwargs))


HOSTILE = "\"><script>alert(1)</script><b a='x"


def test_an_attribute_value_with_quotes_and_angle_brackets_stays_inside_the_attribute() -> None:
    html = _field(attrs={"placeholder": HOSTILE, "inputmode": "decimal"})
    elements = _elements(html)
    assert [tag for tag, _ in elements] == ["div", "label", "input"]
    attrs = elements[2][1]
    assert attrs["placeholder"] == HOSTILE
    assert attrs["inputmode"] == "decimal"
    assert attrs["name"] == "note"
    assert "<script>" not in html


def test_a_value_is_escaped_too() -> None:
    html = _field(value=HOSTILE)
    elements = _elements(html)
    assert [tag for tag, _ in elements] == ["div", "label", "input"]
    assert elements[2][1]["value"] == HOSTILE


@pytest.mark.parametrize("name", ['onfocus="x"', "a b", "x>y", "a/b"])
def test_an_attribute_name_that_could_break_out_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        _field(attrs={name: "1"})


def test_the_login_form_gives_the_browser_its_autocomplete_hints(client: TestClient) -> None:
    inputs = {a.get("name"): a for tag, a in _elements(client.get("/login").text) if tag == "input"}
    assert inputs["username"]["autocomplete"] == "username"
    assert inputs["username"]["autocapitalize"] == "none"
    assert inputs["password"]["autocomplete"] == "current-password"
