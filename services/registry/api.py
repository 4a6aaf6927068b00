"""The registry's public surface: what other domains and the console call. The code lives in one module per
aggregate beside this one (access, families, graduates, checks, lookups, writes, employment, invitations)."""

from __future__ import annotations

from services.registry.access import get_graduate, own_graduate
from services.registry.employment import record_employment_status
from services.registry.graduates import link_account, update_graduate
from services.registry.lookups import GraduateProfile, MatchingProfile, graduate_profiles, matching_profile
from services.registry.writes import GRADUATE_SELF_FIELDS, Actor, add_history, set_plain

__all__ = [
    "GRADUATE_SELF_FIELDS",
    "Actor",
    "GraduateProfile",
    "MatchingProfile",
    "add_history",
    "get_graduate",
    "graduate_profiles",
    "link_account",
    "matching_profile",
    "own_graduate",
    "record_employment_status",
    "set_plain",
    "update_graduate",
]
