"""The matcher's reference catalogs and its title→occupation classifier, once per process, for every domain
that needs them (catalog positions store suggested occupations; matching ranks with them)."""

from __future__ import annotations

from functools import lru_cache

from matching.catalogs import Catalogs, load_catalogs
from matching.occupations import OccupationClassifier, default_classifier
from services.refdata.service import default_data_dir


@lru_cache(maxsize=1)
def reference_catalogs() -> Catalogs:
    """The reference catalogs of the directory the refdata loader reads, once per process."""
    return load_catalogs(default_data_dir())


def classifier() -> OccupationClassifier:
    """The classifier over the full classification (names, alias titles, definitions, tasks)."""
    return default_classifier(reference_catalogs())
