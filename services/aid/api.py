"""Student aid's public surface: what other domains read of it. Reports are its only caller today (附件9).

Published for reading (the report tables count them): campaigns (``AidCampaign``), the standards applied
(``AidStandard``), applications (``AidApplication`` with ``ApplicationStatus``), awards (``AidAward`` with
``AwardStatus``), county budgets (``AidBudget``), work-study posts (``AidWorkStudy``), employment policies and
their claims (``AidPolicy``, ``AidPolicyClaim`` with ``ClaimStatus``, ``PolicyKind``) and national aid
records (``NationalAid``). Every write goes through
aid's own service; attachments, reviews, notices and their entries, objections, payment batches, payments and bank
requests, and reveals are aid's own.
"""

from __future__ import annotations

from services.aid.models import (
    AidApplication,
    AidAward,
    AidBudget,
    AidCampaign,
    AidStandard,
    AidWorkStudy,
    ApplicationStatus,
    AwardStatus,
)
from services.aid.policy_models import AidPolicy, AidPolicyClaim, ClaimStatus, NationalAid, PolicyKind

__all__ = [
    "AidApplication",
    "AidAward",
    "AidBudget",
    "AidCampaign",
    "AidPolicy",
    "AidPolicyClaim",
    "AidStandard",
    "AidWorkStudy",
    "ApplicationStatus",
    "AwardStatus",
    "ClaimStatus",
    "NationalAid",
    "PolicyKind",
]
