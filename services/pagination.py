"""Page parameters with a capped size, and the page envelope."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from services.config import get_settings

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
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
