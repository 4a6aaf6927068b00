"""Registry names still imported as ``services.registry.service`` by tracking and matching.

The registry's public surface is :mod:`services.registry.api`; this module re-exports the few names those
domains read until they import the surface.
"""

from __future__ import annotations

from services.registry.lookups import GraduateProfile, graduate_profiles
from services.registry.writes import Actor, add_history, set_plain

__all__ = ["Actor", "GraduateProfile", "add_history", "graduate_profiles", "set_plain"]
