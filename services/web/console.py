"""Mounting the console on the application: its page routers and the static assets."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.web import (
    admin,
    auth,
    counselor,
    counselor_assistance,
    counselor_policies,
    docs,
    enterprise,
    graduate,
    inbox,
    mentoring,
    union,
    union_aid,
    union_campaign,
    union_donations,
    union_policies,
    union_purchased,
    vocational,
)

# Page routers in the order they are matched; the pages of further roles are added here.
PAGE_ROUTERS: list[APIRouter] = [
    auth.router,
    inbox.router,
    graduate.router,
    counselor.router,
    counselor_assistance.router,
    counselor_policies.router,
    enterprise.router,
    union.router,
    union_aid.router,
    union_donations.router,
    union_policies.router,
    union_campaign.router,
    union_purchased.router,
    vocational.router,
    mentoring.router,
    admin.router,
]


def mount(app: FastAPI) -> None:
    """The API documentation, the static assets and every console page on ``app``."""
    docs.mount(app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
