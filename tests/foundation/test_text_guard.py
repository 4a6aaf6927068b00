"""Text nobody can store: a lone surrogate or a control character in any field of a JSON body is refused with 422
naming the field, on every route, and nothing is written; ordinary text — Chinese, emoji, tabs — passes."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.middleware import bad_text_fields
from services.registry.models import Family
from tests.conftest import World


def _post_raw(client: TestClient, path: str, raw: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, content=raw.encode(), headers={**headers, "content-type": "application/json"})


def test_lone_surrogates_in_registry_forms_are_refused_by_field(client: TestClient, db: Session, world: World) -> None:
    clerk = world.headers("county_a")
    before = db.scalar(select(func.count()).select_from(Family))
    for path, field in (
        ("/api/v1/registry/families", "household_type"),
        ("/api/v1/registry/graduates", "major"),
        ("/api/v1/registry/families", "name"),
    ):
        raw = '{"' + field + '": "\\ud800", "org_unit_id": ' + str(world.orgs["BZ-MC-01"]) + "}"
        answer = _post_raw(client, path, raw, clerk)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        errors = answer.json()["errors"]
        assert [e["field"] for e in errors] == [field]
        assert "无法识别的字符" in errors[0]["reason"]
    assert db.scalar(select(func.count()).select_from(Family)) == before


def test_a_nul_character_is_refused_and_a_paired_surrogate_passes(client: TestClient, world: World) -> None:
    clerk = world.headers("county_a")
    nul = _post_raw(client, "/api/v1/registry/families", '{"name": "张\\u0000三"}', clerk)
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "name"
    emoji = _post_raw(client, "/api/v1/registry/families", '{"name": "张三\\ud83d\\ude00"}', clerk)
    assert emoji.status_code == 422
    assert all(e["code"] != "bad_text" for e in emoji.json()["errors"])  # refused for the missing fields only


ANY_TEXT = st.text(st.characters(exclude_categories=()))  # surrogates and control characters included


@settings(max_examples=200, deadline=None)
@given(st.recursive(ANY_TEXT, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3)))
def test_the_guard_names_exactly_the_strings_with_bad_characters(value: object) -> None:
    def bad(s: str) -> bool:
        return any(0xD800 <= ord(c) <= 0xDFFF or (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in s)

    def walk(v: object) -> int:
        if isinstance(v, str):
            return int(bad(v))
        if isinstance(v, list):
            return sum(walk(x) for x in v)
        if isinstance(v, dict):
            return sum(walk(x) for x in v.values())
        return 0

    assert len(bad_text_fields(value)) == walk(value)
    json.dumps(value)  # every such value can arrive as a JSON body (escaped)
