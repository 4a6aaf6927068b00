"""The registry's public surface: what other domains and the console call. The code lives in one module per
aggregate beside this one (access, families, graduates, checks, lookups, writes, employment, invitations).

Published for reading (other domains join on them): the graduate (``Graduate``, with its ``Stage``) and the family
(``Family``). Writes go through the functions here — a graduate's fields through ``update_graduate``, the
employment status through ``record_employment_status``, certificates through ``add_certificate`` and
``remove_certificate``. A 两后生's vocational path (``VocationalTrack``: 技能培训, 中职/技工学校, 学徒) is read by
``vocational_schools`` (the schools a person enrolled in, for 金牌蓝领 pairings). Members, consents, economic
checks, the change history, import jobs and mappings, error books and reveals are the registry's own.
"""

from __future__ import annotations

from services.registry.access import get_graduate, own_graduate, servable_graduate
from services.registry.certificates import (
    CERTIFICATE_KINDS,
    GraduateCertificate,
    add_certificate,
    certificates_of,
    held_flags,
    remove_certificate,
)
from services.registry.employment import record_employment_status
from services.registry.graduates import link_account, update_graduate
from services.registry.lookups import (
    AidStudent,
    GraduateProfile,
    MatchingProfile,
    aid_student,
    graduate_profiles,
    matching_profile,
)
from services.registry.majors import EDUCATION_LEVELS
from services.registry.models import Family, Graduate, Stage
from services.registry.vocational import TRACK_KINDS, VocationalTrack, vocational_schools
from services.registry.writes import GRADUATE_SELF_FIELDS, Actor, add_history, set_plain

__all__ = [
    "CERTIFICATE_KINDS",
    "EDUCATION_LEVELS",
    "GRADUATE_SELF_FIELDS",
    "TRACK_KINDS",
    "Actor",
    "AidStudent",
    "Family",
    "Graduate",
    "GraduateCertificate",
    "GraduateProfile",
    "MatchingProfile",
    "Stage",
    "VocationalTrack",
    "add_certificate",
    "add_history",
    "aid_student",
    "certificates_of",
    "get_graduate",
    "graduate_profiles",
    "held_flags",
    "link_account",
    "matching_profile",
    "own_graduate",
    "record_employment_status",
    "remove_certificate",
    "servable_graduate",
    "set_plain",
    "update_graduate",
    "vocational_schools",
]
