from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.conftest import World
from tests.reports.generator import Expected, generate


@pytest.fixture
def generated(db: Session, world: World) -> Expected:
    """The generated registry of the report tests, committed (to the test's savepoint) so the API sees it."""
    exp = generate(db, world)
    db.commit()
    return exp
