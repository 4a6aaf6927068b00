"""The OpenAPI document is valid, complete, and every route says what it does and how it fails."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from services.app import create_app

PUBLIC = {"/health/live", "/health/ready", "/api/v1/auth/token"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def test_document_is_valid_openapi_31(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def _operations(document: dict[str, Any]):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_route_has_a_chinese_summary_and_description(document: dict[str, Any]) -> None:
    missing = [
        f"{m.upper()} {p}"
        for p, m, op in _operations(document)
        if not op.get("summary") or not any("\u4e00" <= ch <= "\u9fff" for ch in op["summary"])
    ]
    assert missing == [], f"routes without a Chinese summary: {missing}"


def test_every_protected_route_lists_its_errors_as_problem_json(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        if path in PUBLIC:
            continue
        for code in ("401", "403", "404", "422"):
            content = op["responses"][code]["content"]
            assert list(content) == ["application/problem+json"], (method, path, code)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_openapi_page_is_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    served = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in served["paths"]
    assert served["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"]
