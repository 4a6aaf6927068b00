"""Page parameters with a capped size, the page envelope, the cheap count of a list's rows, and the total read
beside a page."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.config import get_settings

T = TypeVar("T")

# Up to this many rows a list's total is counted exactly; past it (on PostgreSQL) it is the planner's estimate.
EXACT_COUNT_CAP = 5_000


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, description="每页条数（上限见配置，默认100）")] = 20,
    offset: Annotated[int, Query(ge=0, description="跳过条数")] = 0,
) -> PageParams:
    return PageParams(limit=min(limit, get_settings().max_page_size), offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int = Field(examples=[20])
    offset: int = Field(examples=[0])
    total: int | None = Field(default=None, examples=[135])
    total_is_estimate: bool = Field(
        default=False,
        description=f"true：总数超过 {EXACT_COUNT_CAP} 条，total 为数据库的估计值；false：total 为精确计数",
    )


def count_rows(session: Session, stmt: Select[Any], *, cap: int = EXACT_COUNT_CAP) -> tuple[int, bool]:
    """The number of rows ``stmt`` returns and whether it is an estimate.

    Counting stops after ``cap + 1`` rows, so a large list costs no more than a small one. Past the cap the
    total is the planner's estimate of the statement's rows on PostgreSQL (never below the rows seen), and an
    exact count on SQLite, whose embedded catalogs stay small.
    """
    seen = int(session.scalar(select(capped_count(stmt, cap=cap))) or 0)
    return total_from(session, stmt, seen, cap=cap)


def capped_count(stmt: Select[Any], *, cap: int = EXACT_COUNT_CAP) -> Any:
    """The rows of ``stmt``, counted up to ``cap + 1``, as a scalar column that can ride along another statement
    (the page's own, say); :func:`total_from` turns what it read into the total."""
    counted = select(func.count()).select_from(stmt.order_by(None).limit(cap + 1).subquery())
    return counted.correlate(None).scalar_subquery().label("capped_total")


def total_from(
    session: Session, stmt: Select[Any], seen: int | None, *, cap: int = EXACT_COUNT_CAP
) -> tuple[int, bool]:
    """:func:`count_rows` of ``stmt`` given what its :func:`capped_count` read (None when no row carried it: an
    empty page): a count past the cap is estimated (PostgreSQL) or counted (SQLite) as there."""
    if seen is None:
        return count_rows(session, stmt, cap=cap)
    if seen <= cap:
        return seen, False
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0), False
    stmt = stmt.order_by(None)
    compiled = stmt.compile(dialect=bind.dialect, compile_kwargs={"render_postcompile": True})
    plan = session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return max(seen, int(document[0]["Plan"]["Plan Rows"])), True


def total_beside_page(rows: Sequence[Any], *, offset: int, limit: int | None, count: Callable[[], int]) -> int:
    """The number of all rows of a list whose page statement carries it as each row's last column
    (``count(*) OVER ()``). An empty page has no row to read it from: a first page asked for rows holds none at all;
    past the start, or asked for no rows, ``count`` counts them."""
    if rows:
        return int(rows[0][-1])
    return count() if offset or limit == 0 else 0
