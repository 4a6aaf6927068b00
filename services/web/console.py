"""Mounting the console on the application: its page routers and the static assets."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.web import (
    admin,
    auth,
    counselor,
    counselor_assistance,
    docs,
    enterprise,
    graduate,
    inbox,
    mentoring,
    union,
    union_aid,
    union_campaign,
    union_purchased,
)

# Page routers in the order they are matched; the pages of further roles are added here.
PAGE_ROUTERS: list[APIRouter] = [
    auth.router,
    inbox.router,
    graduate.router,
    counselor.router,
    counselor_assistance.router,
    enterprise.router,
    union.router,
    union_aid.router,
    union_campaign.router,
    union_purchased.router,
    mentoring.router,
    admin.router,
]


def mount(app: FastAPI) -> None:
    """The API documentation, the static assets and every console page on ``app``."""
    docs.mount(app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
