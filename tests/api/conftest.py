"""The schema-driven runs use the embedded database only; the walk-through and the matrix cover PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
