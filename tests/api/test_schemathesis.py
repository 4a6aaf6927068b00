"""Schemathesis against the live OpenAPI document, as every role: no server error, no response that breaks
the schema, every status documented. Bounded (a few generated cases per route and role) so CI stays fast."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.app import create_app
from tests.authz.matrix import ACTORS
from tests.conftest import World

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]


@pytest.mark.parametrize("actor", ACTORS)
@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_as_each_role(case: schemathesis.Case, actor: str, db: object, world: World) -> None:
    case.call_and_validate(headers=world.headers(actor), checks=CHECKS)
