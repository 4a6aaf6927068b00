"""The catalog's public surface: employers, positions, grassroots program rules, job fairs and the catalog version.

Who may do what:
- enterprises register their own employer (unverified until union staff verify it) and manage that employer and
  its positions only;
- union staff (county: their scope by ``org_unit_id``; city staff and admin: all) manage employers, positions and
  job fairs, verify employers; city staff and admin publish program rule sets (they are province-wide);
- everyone signed in reads published positions of verified employers (and union-run positions) and job fairs.

Other domains import from here; the code lives in :mod:`~services.catalog.access`,
:mod:`~services.catalog.employers`, :mod:`~services.catalog.program_rules`, :mod:`~services.catalog.positions` and
:mod:`~services.catalog.job_fairs`. The records the matcher reads are built in :mod:`services.matches.records`.
"""

from __future__ import annotations

from services.catalog.access import (
    DUPLICATE_CUTOFF,
    EDUCATION_NAMES,
    EDUCATION_RANK,
    KIND_DETAILS,
    NATIONWIDE,
    RULE_EDITORS,
    bump_version,
    current_version,
    employer_id_for_user,
    manages_position,
)
from services.catalog.employers import (
    create_employer,
    employer_labels,
    find_similar_employers,
    get_employer,
    list_employers,
    register_employer,
    review_employer,
    sign_up,
    update_employer,
)
from services.catalog.job_fairs import (
    add_fair_positions,
    create_job_fair,
    employer_names,
    fair_position_ids,
    fair_positions,
    get_job_fair,
    list_job_fairs,
    remove_fair_position,
    update_job_fair,
)
from services.catalog.positions import (
    close_expired_positions,
    close_position,
    create_position,
    get_position,
    list_positions,
    next_status,
    publish_position,
    record_signing,
    refresh_status,
    release_signing,
    update_position,
)
from services.catalog.program_rules import (
    count_rule_sets,
    create_rule_set,
    get_rule_set,
    is_current,
    list_rule_sets,
    resolve_rule_set,
    rule_fields,
    rule_summaries,
    seed_file,
    seed_rule_sets,
)
from services.catalog.purchased import (
    CONTRACT_FUNDS,
    PROVIDER_KINDS,
    PURCHASING_KINDS,
    ContractData,
    ProviderData,
    contract_covers,
    create_contract,
    create_provider,
    get_contract,
    get_provider,
    list_contracts,
    list_providers,
    provider_names,
)
from services.clock import local_today as local_today

__all__ = [
    "CONTRACT_FUNDS",
    "DUPLICATE_CUTOFF",
    "EDUCATION_NAMES",
    "EDUCATION_RANK",
    "KIND_DETAILS",
    "NATIONWIDE",
    "PROVIDER_KINDS",
    "PURCHASING_KINDS",
    "RULE_EDITORS",
    "ContractData",
    "ProviderData",
    "add_fair_positions",
    "bump_version",
    "close_expired_positions",
    "close_position",
    "contract_covers",
    "count_rule_sets",
    "create_contract",
    "create_employer",
    "create_job_fair",
    "create_position",
    "create_provider",
    "create_rule_set",
    "current_version",
    "employer_id_for_user",
    "employer_labels",
    "employer_names",
    "fair_position_ids",
    "fair_positions",
    "find_similar_employers",
    "get_contract",
    "get_employer",
    "get_job_fair",
    "get_position",
    "get_provider",
    "get_rule_set",
    "is_current",
    "list_contracts",
    "list_employers",
    "list_job_fairs",
    "list_positions",
    "list_providers",
    "list_rule_sets",
    "local_today",
    "manages_position",
    "next_status",
    "provider_names",
    "publish_position",
    "record_signing",
    "refresh_status",
    "register_employer",
    "release_signing",
    "remove_fair_position",
    "resolve_rule_set",
    "review_employer",
    "rule_fields",
    "rule_summaries",
    "seed_file",
    "seed_rule_sets",
    "sign_up",
    "update_employer",
    "update_job_fair",
    "update_position",
]
