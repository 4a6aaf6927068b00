"""Tracking's public surface: what other domains read of the pipeline. Reports are its only caller today.

Published for reading (the report tables count them): applications (``Application``, its states ``AppState``),
employment status changes (``StatusChange``, the statuses ``Status``), contacts (``Contact``, ``ContactOutcome``)
services delivered (``ServiceRecord``), purchased-service referrals (``ServiceReferral``, ``ReferralState``),
金牌蓝领 pairing students with their internships and aid (``PairingStudent``, ``PairingState``,
``PairingInternship``, ``PairingAid``), mentor pairings (``MentorPairing``, ``PairingKind``), entrepreneurship
projects (``Venture``, ``VentureKind``), contest entries (``ContestEntry``, ``EntryState``) and the support given
(``VentureSupport``), with the active service standard (:func:`active_standard`) and the end of a local day in UTC
(:func:`end_of_day_utc`) the figures are cut at. Writes go through tracking's own flows and service; transitions,
overrides, events, assignments, reminders and handoffs are tracking's own.
"""

from __future__ import annotations

from services.clock import local_today as local_today
from services.tracking.access import end_of_day_utc
from services.tracking.mentor_models import (
    ContestEntry,
    EntryState,
    MentorPairing,
    PairingKind,
    Venture,
    VentureKind,
    VentureSupport,
)
from services.tracking.models import (
    Application,
    Contact,
    ContactOutcome,
    ReferralState,
    ServiceRecord,
    ServiceReferral,
    StatusChange,
)
from services.tracking.pairings import PairingAid, PairingInternship, PairingState, PairingStudent
from services.tracking.pipeline import AppState, Status
from services.tracking.services_delivered import active_standard

__all__ = [
    "AppState",
    "Application",
    "Contact",
    "ContactOutcome",
    "ContestEntry",
    "EntryState",
    "MentorPairing",
    "PairingAid",
    "PairingInternship",
    "PairingKind",
    "PairingState",
    "PairingStudent",
    "ReferralState",
    "ServiceRecord",
    "ServiceReferral",
    "Status",
    "StatusChange",
    "Venture",
    "VentureKind",
    "VentureSupport",
    "active_standard",
    "end_of_day_utc",
    "local_today",
]
