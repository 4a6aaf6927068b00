"""Every router of the application, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from services import ops
from services.catalog.router import router as catalog_router
from services.orgs.router import router as orgs_router
from services.refdata.router import router as refdata_router
from services.security.router import router as security_router

ROUTERS: list[APIRouter] = [
    ops.router,
    security_router,
    orgs_router,
    refdata_router,
    catalog_router,
]
