"""Resolve a written major (code, name or short form) to the national catalogs, keeping the raw text.

Uses the pure ``matching`` catalog built from the public data files shipped in ``services/refdata/data``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matching.catalogs import MajorCatalog, load_majors
from matching.records import Education
from services.refdata.api import default_data_dir

# 学历 codes (services/refdata/enums/education.csv) → the education ordinal of matching
EDUCATION_LEVELS: dict[str, Education] = {
    "11": Education.DOCTOR,
    "14": Education.MASTER,
    "21": Education.BACHELOR,
    "22": Education.BACHELOR,
    "31": Education.JUNIOR_COLLEGE,
    "41": Education.SECONDARY,
    "61": Education.SECONDARY,
}
_CODE_THEN_NAME = re.compile(r"^\s*([0-9]{6}[TKtk]{0,2})\s*[-—_:：、\s]*\s*(.*)$")


@dataclass(frozen=True, slots=True)
class ResolvedMajor:
    code: str
    name: str


@lru_cache(maxsize=1)
def catalog() -> MajorCatalog:
    return load_majors(default_data_dir())


def resolve(raw: str | None, *, education: str | None) -> ResolvedMajor | None:
    """The catalog major ``raw`` stands for: a code, "code name", an exact or short name, or a fuzzy name."""
    if raw is None or not raw.strip():
        return None
    code, name = "", raw.strip()
    if m := _CODE_THEN_NAME.match(raw):
        code, name = m[1].upper(), m[2].strip()
    found = catalog().resolve(code=code, name=name, education=EDUCATION_LEVELS.get(education or ""))
    return None if found is None else ResolvedMajor(code=found.code, name=found.name)
