"""Reference data's public surface: the catalogs (majors, occupations, industries, divisions) and the form
enumerations, as every domain reads them.

Published for reading: the industry table (``RefIndustry``, an employer's industry name) and the divisions
(``RefDivision``, searched when a handoff goes to a union elsewhere in China). The other reference
tables (majors, profiles, occupations, code changes, load history, enumeration rows) are read through
the functions below; they are written only by the loaders (``sunshine refdata load``, the enumeration loader).
"""

from __future__ import annotations

from services.refdata.enums import Vocabularies, Vocabulary, list_enums, list_items, upsert_item, vocabularies
from services.refdata.enums import bundled as bundled_enums
from services.refdata.enums import load as load_enums
from services.refdata.enums import read_file as read_enum_file
from services.refdata.models import RefDivision, RefIndustry
from services.refdata.occupations import classifier, reference_catalogs
from services.refdata.service import (
    check_class_codes,
    check_discipline_codes,
    check_division,
    check_divisions,
    check_industry,
    check_major_codes,
    check_occupations,
    default_data_dir,
    division_names,
    resolve_major_terms,
)

__all__ = [
    "RefDivision",
    "RefIndustry",
    "Vocabularies",
    "Vocabulary",
    "bundled_enums",
    "check_class_codes",
    "check_discipline_codes",
    "check_division",
    "check_divisions",
    "check_industry",
    "check_major_codes",
    "check_occupations",
    "classifier",
    "default_data_dir",
    "division_names",
    "list_enums",
    "list_items",
    "load_enums",
    "read_enum_file",
    "reference_catalogs",
    "resolve_major_terms",
    "upsert_item",
    "vocabularies",
]
