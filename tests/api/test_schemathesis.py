"""Schemathesis against the live OpenAPI document, as every role: no server error, no response that breaks
the schema, every status documented. JSON bodies also get strings with lone surrogates and control characters.

``make test`` runs ``SUNSHINE_FUZZ_EXAMPLES`` (default 7) generated cases per route and role — over 5,000 in all,
counted and checked by the last test of this file; ``make fuzz`` runs a longer pass.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from services.app import create_app
from tests.authz.matrix import ACTORS
from tests.conftest import World

EXAMPLES = int(os.environ.get("SUNSHINE_FUZZ_EXAMPLES", "7"))
MIN_CASES = 5000
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
# lone surrogates (U+D800–U+DFFF), C0/C1 control characters and the Chinese text the forms expect
HOSTILE = st.text(alphabet=st.characters(categories=["Cs", "Cc", "Lo", "Nd"]), min_size=1, max_size=12)
RUN: dict[str, int] = {"cases": 0, "items": 0}


@schema.hook("flatmap_body")
def hostile_strings(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    """Now and then one string of a JSON body replaced by a hostile one (a multipart form cannot carry a lone
    surrogate at all: the client could not encode it)."""
    operation = getattr(ctx, "operation", None)
    media = {getattr(b, "media_type", "") for b in getattr(operation, "body", None) or ()}
    if not isinstance(body, dict) or (media and "application/json" not in media):
        return st.just(body)
    keys = [k for k, v in body.items() if isinstance(v, str)]
    if not keys:
        return st.just(body)
    replaced = st.sampled_from(keys).flatmap(lambda k: HOSTILE.map(lambda text: {**body, k: text}))
    return st.one_of(st.just(body), replaced)


@pytest.mark.parametrize("actor", ACTORS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_as_each_role(case: schemathesis.Case, actor: str, db: object, world: World) -> None:
    RUN["cases"] += 1
    case.call_and_validate(headers=world.headers(actor), checks=CHECKS, timeout=60)


@pytest.fixture(autouse=True)
def _count_items(request: pytest.FixtureRequest) -> None:
    if request.node.name.startswith("test_api_as_each_role"):
        RUN["items"] += 1


def test_enough_cases_were_generated(request: pytest.FixtureRequest) -> None:
    expected = sum(1 for item in request.session.items if item.name.startswith("test_api_as_each_role"))
    if RUN["items"] < expected or expected == 0:
        pytest.skip("only part of the schema-driven run was selected")
    assert RUN["cases"] >= MIN_CASES, RUN
