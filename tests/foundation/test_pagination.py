"""The total of a list read beside its page: from the page's rows, or counted when the page has none to carry it."""

from __future__ import annotations

import pytest

from services.pagination import total_beside_page


def _never() -> int:
    raise AssertionError("counted although the page carried the total")


def test_the_total_comes_from_the_page_when_it_has_rows() -> None:
    assert total_beside_page([(1, "甲", 7), (2, "乙", 7)], offset=40, limit=2, count=_never) == 7


def test_an_empty_first_page_means_none_without_counting() -> None:
    assert total_beside_page([], offset=0, limit=20, count=_never) == 0


@pytest.mark.parametrize(("offset", "limit"), [(500, 20), (0, 0), (3, None)])
def test_an_empty_page_past_the_start_or_of_no_rows_is_counted(offset: int, limit: int | None) -> None:
    assert total_beside_page([], offset=offset, limit=limit, count=lambda: 12) == 12
