"""The total of a list read beside its page: from the page's rows, or counted when the page has none to carry it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.catalog.api import Position
from services.pagination import capped_count, count_rows, total_beside_page, total_from
from tests.catalog.factories import make_employer, make_position
from tests.conftest import World


def _never() -> int:
    raise AssertionError("counted although the page carried the total")


def test_the_total_comes_from_the_page_when_it_has_rows() -> None:
    assert total_beside_page([(1, "甲", 7), (2, "乙", 7)], offset=40, limit=2, count=_never) == 7


def test_an_empty_first_page_means_none_without_counting() -> None:
    assert total_beside_page([], offset=0, limit=20, count=_never) == 0


@pytest.mark.parametrize(("offset", "limit"), [(500, 20), (0, 0), (3, None)])
def test_an_empty_page_past_the_start_or_of_no_rows_is_counted(offset: int, limit: int | None) -> None:
    assert total_beside_page([], offset=offset, limit=limit, count=lambda: 12) == 12


# ---- the capped count (both backends) -------------------------------------------------------------------


def _stmt_of(db: Session, world: World, n: int) -> Select[Any]:
    employer = make_employer(db, world)
    for i in range(n):
        make_position(db, world, employer=employer, title=f"计数岗位{i}")
    db.flush()
    return select(Position).where(Position.employer_id == employer.id)


def test_a_list_under_the_cap_is_counted_exactly_and_a_page_carries_the_count(db: Session, world: World) -> None:
    stmt = _stmt_of(db, world, 5)
    assert count_rows(db, stmt, cap=10) == (5, False)
    page = db.execute(stmt.add_columns(capped_count(stmt, cap=10)).order_by(Position.id).limit(2)).all()
    assert [row[1] for row in page] == [5, 5]  # the whole list's count, not the page's
    assert total_from(db, stmt, page[0][1], cap=10) == (5, False)


def test_an_empty_page_counts_on_its_own(db: Session, world: World) -> None:
    stmt = _stmt_of(db, world, 3)
    page = db.execute(stmt.add_columns(capped_count(stmt)).offset(50)).all()
    assert page == []
    assert total_from(db, stmt, None) == (3, False)


def test_past_the_cap_the_total_is_never_below_the_rows_seen(db: Session, world: World) -> None:
    stmt = _stmt_of(db, world, 6)
    total, estimated = count_rows(db, stmt, cap=2)
    if db.get_bind().dialect.name == "postgresql":
        assert estimated is True and total >= 3  # the planner's estimate, at least the cap + 1 rows seen
    else:
        assert (total, estimated) == (6, False)  # SQLite counts them all
    assert total_from(db, stmt, 3, cap=2)[0] >= 3
