"""The authorization matrix walks every route × role × relation once, on the embedded database: scope rules
live in the services, not in the database, and every domain's own scope tests run on PostgreSQL as well."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
