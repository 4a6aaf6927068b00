"""Every router of the application, in the order they appear in the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from services import ops
from services.aid.donation_router import router as donation_router
from services.aid.policy_router import router as aid_policy_router
from services.aid.router import router as aid_router
from services.catalog.pairing_router import router as pairing_router
from services.catalog.purchased_router import router as purchased_router
from services.catalog.router import router as catalog_router
from services.matches.router import router as matches_router
from services.notifications.router import router as notifications_router
from services.refdata.router import router as refdata_router
from services.registry.import_router import router as registry_import_router
from services.registry.invitation_router import router as invitation_router
from services.registry.router import enum_router as registry_enum_router
from services.registry.router import router as registry_router
from services.registry.vocational_router import router as vocational_router
from services.reports.campaign.router import router as campaign_router
from services.reports.router import router as reports_router
from services.security.orgs_router import router as orgs_router
from services.security.router import router as security_router
from services.tracking.external_router import router as tracking_external_router
from services.tracking.mentor_router import router as mentor_router
from services.tracking.pairing_router import router as pairing_student_router
from services.tracking.referral_router import router as referral_router
from services.tracking.router import recommendations_router
from services.tracking.router import router as tracking_router

ROUTERS: list[APIRouter] = [
    ops.router,
    security_router,
    orgs_router,
    refdata_router,
    registry_enum_router,
    registry_router,
    vocational_router,
    registry_import_router,
    catalog_router,
    matches_router,
    recommendations_router,
    tracking_router,
    tracking_external_router,
    referral_router,
    mentor_router,
    purchased_router,
    pairing_router,
    pairing_student_router,
    invitation_router,
    notifications_router,
    reports_router,
    campaign_router,
    aid_router,
    donation_router,
    aid_policy_router,
]
