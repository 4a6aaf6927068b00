"""The catalog's public surface: what other domains call. The code lives in :mod:`services.catalog.service` and
the modules it gathers (access, employers, positions, program rules, job fairs, occupations).

Published for reading (other domains join on them and the matcher reads them): employers (``Employer``, with its
``EmployerStatus``) and the accounts that manage them (``EmployerAccount``), positions (``Position``, with
``PositionKind``, ``PositionStatus`` and ``PayBasis``), program rule sets (``ProgramRuleSet``), job fairs
(``JobFair``),
金牌蓝领 school–enterprise pairings (``GoldenPairing``; ``get_pairing``, ``pairing_covers``, ``school_key``),
purchased-service contracts (``ServiceContract``; ``get_contract``, ``contract_covers``) and the catalog version
(``CatalogVersion``). Writes go through the functions: a seat is taken
only by ``record_signing`` (row lock, ``filled <= headcount``), a position's
occupations are stored by ``store_suggestions``, a change of the catalog is stamped by ``bump_version``. A job
fair's list of positions is the catalog's own.
"""

from __future__ import annotations

from services.catalog.access import EDUCATION_RANK, bump_version, current_version, manages_position
from services.catalog.models import (
    CatalogVersion,
    Employer,
    EmployerAccount,
    EmployerStatus,
    JobFair,
    PayBasis,
    Position,
    PositionKind,
    PositionStatus,
    ProgramRuleSet,
    ServiceContract,
)
from services.catalog.occupations import CONFIRMED, store_suggestions
from services.catalog.pairings import GoldenPairing, employer_names, get_pairing, pairing_covers, school_key
from services.catalog.positions import get_position, record_signing
from services.catalog.program_rules import rule_fields, seed_file
from services.catalog.purchased import contract_covers, get_contract
from services.clock import local_today as local_today

__all__ = [
    "CONFIRMED",
    "EDUCATION_RANK",
    "CatalogVersion",
    "Employer",
    "EmployerAccount",
    "EmployerStatus",
    "GoldenPairing",
    "JobFair",
    "PayBasis",
    "Position",
    "PositionKind",
    "PositionStatus",
    "ProgramRuleSet",
    "ServiceContract",
    "bump_version",
    "contract_covers",
    "current_version",
    "employer_names",
    "get_contract",
    "get_pairing",
    "get_position",
    "local_today",
    "manages_position",
    "pairing_covers",
    "record_signing",
    "rule_fields",
    "school_key",
    "seed_file",
    "store_suggestions",
]
