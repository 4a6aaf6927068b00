"""Matches' public surface: what tracking calls when it admits, recommends and tracks an application, and what the
caseload pages show.

Nothing of matches' tables is published for reading: stored top-k lists, weights and recommendation features are
read through :func:`stored_matches` and written through :func:`keep_recommendation` (a recommendation's score,
features and reasons) and :func:`record_outcome` (where its application stands). The records the matcher judges
(:func:`records_for`, :func:`position_record`) and the process's index (:func:`holder_for`) are the same ones the
match lists use, so the gate and the lists agree.
"""

from __future__ import annotations

from services.matches.holder import holder_for, reference_catalogs
from services.matches.learning import keep_recommendation, record_outcome
from services.matches.records import position_record
from services.matches.schemas import RecommendationCreate, RecommendationOut, RuleCheckOut
from services.matches.service import load_profiles, records_for
from services.matches.stored import stored_matches

__all__ = [
    "RecommendationCreate",
    "RecommendationOut",
    "RuleCheckOut",
    "holder_for",
    "keep_recommendation",
    "load_profiles",
    "position_record",
    "record_outcome",
    "records_for",
    "reference_catalogs",
    "stored_matches",
]
