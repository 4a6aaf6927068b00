"""Reference catalogs read from the data directory: majors, occupations, orientations, divisions.

Everything is loaded from a local directory the caller names (see `load_catalogs`); nothing is
downloaded and no directory is guessed. The rows come from `matching.reference`, the parser that
``services.refdata`` loads the database from too. Files (UTF-8 CSV with header, JSON):
`undergrad_majors_2026.csv`, `undergrad_major_code_changes_2026.csv`,
`vocational_majors_2021.csv`, `vocational_major_profiles_2022.json`,
`vocational_major_orientation_occupations_matched.csv`, `occupations_csco2022.csv`,
`admin_divisions_cn.csv`, `admin_divisions_latlng_cpca.csv`, `admin_divisions_gb2260_history_stdnum.csv`.

Derived orientations: undergraduate majors (and vocational majors without an official profile) have no
official 职业面向. They borrow the orientation of the nearest majors that have one: cosine similarity of
character 1–2-gram TF-IDF vectors of the major names, plus 0.15 when the class names are equal (计算机类 is a
class in both catalogs) and 0.05 when the discipline names are equal; the best three above 0.3 are kept
with their similarities as weights (see `Orientation.via`).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import fuzzy, reference
from matching.records import Education, MajorLevel, level_rank

DivisionLevel = Literal["province", "prefecture", "county"]


def normalize_code(code: str) -> str:
    """Strip spaces, fold full-width characters, upper-case the T/K suffix."""
    return fuzzy.fold_width(code).strip().replace(" ", "").upper()


# ---------------------------------------------------------------------------------------------- majors


@dataclass(frozen=True, slots=True)
class Major:
    code: str
    name: str
    level: MajorLevel
    class_code: str
    class_name: str
    discipline_code: str
    discipline_name: str


@dataclass(slots=True)
class MajorCatalog:
    """Undergraduate (2026) and vocational (2021 + profiles) majors, with the 2026 code changes."""

    majors: dict[str, Major]
    old_codes: dict[str, str]
    class_names: dict[str, str]
    discipline_names: dict[str, str]
    by_name: dict[str, list[Major]] = field(init=False)
    name_list: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {}
        for major in self.majors.values():
            self.by_name.setdefault(fuzzy.normalize_name(major.name), []).append(major)
        self.name_list = sorted(self.by_name)

    def __len__(self) -> int:
        return len(self.majors)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalize_code(code) in self.majors

    def get(self, code: str) -> Major | None:
        """The major under a current or pre-2026 code."""
        norm = normalize_code(code)
        norm = self.old_codes.get(norm, norm)
        return self.majors.get(norm)

    def by_exact_name(self, name: str, education: Education | None = None) -> list[Major]:
        """Majors with exactly this (normalised) name, best level for `education` first."""
        found = self.by_name.get(fuzzy.normalize_name(name), [])
        return sorted(found, key=lambda m: level_rank(m.level, education))

    def resolve(self, code: str = "", name: str = "", education: Education | None = None) -> Major | None:
        """Resolve a graduate's major from code and/or name.

        The code wins when its catalog name agrees with `name` (or no name is given); old 2026 codes map to
        new ones. A code whose catalog name disagrees (a 2015 vocational code reused by the 2021 catalog,
        say) falls back to the name: exact, short form, then fuzzy (`fuzzy.resolve_major`).
        """
        by_code = self.get(code) if code else None
        if by_code is not None and (not name or fuzzy.names_agree(by_code.name, name)):
            return by_code
        if name:
            found = fuzzy.resolve_major(name, self, education=education)
            if found:
                return found[0]
        return by_code if by_code is not None and not name else None

    def class_label(self, class_code: str) -> str:
        return self.class_names.get(class_code, class_code)

    def discipline_label(self, discipline_code: str) -> str:
        return self.discipline_names.get(discipline_code, discipline_code)


def load_majors(data_dir: Path) -> MajorCatalog:
    """The majors of `matching.reference.major_rows`, with class and discipline names and the 2026 code changes."""
    rows = reference.major_rows(data_dir)
    majors: dict[str, Major] = {}
    class_names: dict[str, str] = {}
    discipline_names: dict[str, str] = {}
    for row in rows.undergrad + rows.vocational:
        major = _major(row)
        majors[major.code] = major
        class_names[major.class_code] = major.class_name
        discipline_names[major.discipline_code] = major.discipline_name
    for row in rows.from_profiles:
        major = _major(row)
        majors[major.code] = major
        class_names.setdefault(major.class_code, major.class_name)
    old_codes = {row["old_code"]: row["new_code"] for row in reference.major_code_change_rows(data_dir)}
    return MajorCatalog(majors, old_codes, class_names, discipline_names)


def _major(row: Mapping[str, Any]) -> Major:
    return Major(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        class_code=row["class_code"],
        class_name=row["class_name"],
        discipline_code=row["discipline_code"],
        discipline_name=row["discipline_name"],
    )


# ----------------------------------------------------------------------------------------- occupations


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str
    level: int
    name: str
    definition: str
    tasks: str
    aliases: tuple[str, ...]

    @property
    def small_class(self) -> str:
        """The 小类 code ("4-04-05-00") this occupation belongs to (itself for a 小类)."""
        return small_class_of(self.code)


def small_class_of(code: str) -> str:
    parts = code.split("-")
    return "-".join([*parts[:3], "00"]) if len(parts) == 4 else code


@dataclass(slots=True)
class OccupationCatalog:
    """CSCO 2022 occupations, by code."""

    occupations: dict[str, Occupation]
    children: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        kids: dict[str, list[str]] = {}
        for occ in self.occupations.values():
            if occ.level == 4:
                kids.setdefault(occ.small_class, []).append(occ.code)
        self.children = {k: tuple(v) for k, v in kids.items()}

    def __len__(self) -> int:
        return len(self.occupations)

    def get(self, code: str) -> Occupation | None:
        return self.occupations.get(code.strip())


_MARKER = re.compile(r"(?<=[\u4e00-\u9fff）)])[SL]{1,2}$")


def _clean_alias(alias: str) -> str:
    return _MARKER.sub("", alias.strip())


def load_occupations(data_dir: Path) -> OccupationCatalog:
    occupations: dict[str, Occupation] = {}
    for row in reference.occupation_rows(data_dir):
        aliases = tuple(dict.fromkeys(a for a in (_clean_alias(x) for x in row["aliases"].split(",")) if a))
        occupations[row["code"]] = Occupation(
            code=row["code"],
            level=row["level"],
            name=row["name"],
            definition=row["definition"],
            tasks=row["tasks"],
            aliases=aliases,
        )
    return OccupationCatalog(occupations)


# ----------------------------------------------------------------------------------------- orientation


@dataclass(frozen=True, slots=True)
class Orientation:
    """What a major leads to: official 职业面向 or one derived from the nearest majors that have it.

    `occupations` are CSCO codes; `sentence` the official orientation sentence ("" when derived);
    `via` the majors an orientation was derived from, with weights (empty when official); their sentences
    stand in for the missing one.
    """

    major_code: str
    occupations: tuple[str, ...]
    sentence: str
    via: tuple[tuple[str, float], ...] = ()

    @property
    def official(self) -> bool:
        return not self.via


def load_orientations(data_dir: Path, majors: MajorCatalog, *, exclude: Iterable[str] = ()) -> dict[str, Orientation]:
    """Official orientations for vocational majors, derived ones for every other catalog major.

    `exclude` drops the official orientation of these majors (they get a derived one), which is how the
    evaluation holds majors out of the bridge.
    """
    excluded = set(exclude)
    occs: dict[str, list[str]] = {}
    for row in reference.major_occupation_rows(data_dir):
        occs.setdefault(row["major_code"], []).append(row["occupation_code"])
    sentences = {
        row["major_code"]: row["career_orientation"]
        for row in reference.profile_rows(data_dir)
        if row["career_orientation"]
    }
    official: dict[str, Orientation] = {}
    for code in set(occs) | set(sentences):
        if code in excluded or code not in majors.majors:
            continue
        official[code] = Orientation(code, tuple(dict.fromkeys(occs.get(code, []))), sentences.get(code, ""))
    result = dict(official)
    result.update(_derive_orientations(majors, official))
    return result


def _derive_orientations(majors: MajorCatalog, official: Mapping[str, Orientation]) -> dict[str, Orientation]:
    sources = [majors.majors[c] for c in sorted(official)]
    targets = [m for c, m in sorted(majors.majors.items()) if c not in official]
    if not sources or not targets:
        return {}
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), dtype=np.float64)
    src = vec.fit_transform([m.name for m in sources])
    tgt = vec.transform([m.name for m in targets])
    sim = (tgt @ src.T).toarray()
    src_class = np.array([m.class_name for m in sources])
    src_disc = np.array([m.discipline_name for m in sources])
    derived: dict[str, Orientation] = {}
    for i, target in enumerate(targets):
        row = sim[i] + 0.15 * (src_class == target.class_name) + 0.05 * (src_disc == target.discipline_name)
        best = np.argsort(-row, kind="stable")[:3]
        chosen = [(sources[j].code, round(float(row[j]), 4)) for j in best if row[j] > 0.3]
        if not chosen:
            continue
        codes = tuple(dict.fromkeys(o for c, _ in chosen for o in official[c].occupations))
        derived[target.code] = Orientation(target.code, codes, "", tuple(chosen))
    return derived


# ------------------------------------------------------------------------------------------- gazetteer

_EARTH_RADIUS_KM: Final = 6371.0088


@dataclass(slots=True)
class Gazetteer:
    """Administrative divisions: names, levels, parents and centroid coordinates.

    Codes missing from the current table (older GB/T 2260 codes) still get a name from the history file and
    coordinates from their nearest listed ancestor.
    """

    names: dict[str, str]
    levels: dict[str, DivisionLevel]
    parents: dict[str, str]
    latlng: dict[str, tuple[float, float]]
    history: dict[str, str]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.names

    def codes(self) -> list[str]:
        return sorted(self.names)

    def name(self, code: str) -> str:
        """The division's own name ("蒙城县"); the history name for a retired code; the code otherwise."""
        return self.names.get(code) or self.history.get(code) or code

    def level(self, code: str) -> DivisionLevel:
        if code in self.levels:
            return self.levels[code]
        if code.endswith("0000"):
            return "province"
        return "prefecture" if code.endswith("00") else "county"

    def full_name(self, code: str) -> str:
        """Province, prefecture and county names joined ("安徽省亳州市蒙城县"), without 市辖区 etc."""
        chain: list[str] = []
        for part in (code[:2] + "0000", code[:4] + "00", code):
            name = self.name(part)
            if name == part or name in chain or name in reference.FILLER_DIVISIONS:
                continue
            chain.append(name)
            if part == code:
                break
        return "".join(chain) or code

    def ancestors(self, code: str) -> list[str]:
        """The code, its prefecture and province (as present), nearest first."""
        out = [code]
        if not code.endswith("00"):
            out.append(code[:4] + "00")
        if not code.endswith("0000"):
            out.append(code[:2] + "0000")
        return out

    def coordinates(self, code: str) -> tuple[float, float] | None:
        """(latitude, longitude) of the code or its nearest ancestor that has them."""
        for part in self.ancestors(code):
            if part in self.latlng:
                return self.latlng[part]
        return None

    def distance_km(self, a: str, b: str) -> float | None:
        """Great-circle (haversine) distance between two division centroids."""
        pa, pb = self.coordinates(a), self.coordinates(b)
        if pa is None or pb is None:
            return None
        lat1, lon1, lat2, lon2 = map(math.radians, (*pa, *pb))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_DIVISION_LEVELS: Final[dict[str, DivisionLevel]] = {
    "province": "province",
    "prefecture": "prefecture",
    "county": "county",
}


def load_gazetteer(data_dir: Path) -> Gazetteer:
    names: dict[str, str] = {}
    levels: dict[str, DivisionLevel] = {}
    parents: dict[str, str] = {}
    for row in reference.division_rows(data_dir):
        code = row["code"]
        names[code] = row["name"]
        level = _DIVISION_LEVELS.get(row["level"])
        if level is None:
            raise ValueError(f"{reference.FILES['divisions']}: unknown level {row['level']!r} for {code}")
        levels[code] = level
        if row["parent_code"]:
            parents[code] = row["parent_code"]
    latlng = reference.division_coordinates(data_dir)
    history: dict[str, str] = {}
    if (data_dir / reference.FILES["division_history"]).exists():
        history = {row["code"]: row["name"] for row in reference.division_history_rows(data_dir)}
    return Gazetteer(names, levels, parents, latlng, history)


# -------------------------------------------------------------------------------------------- catalogs


@dataclass(slots=True)
class Catalogs:
    """Everything matching reads from the reference data."""

    majors: MajorCatalog
    occupations: OccupationCatalog
    orientations: dict[str, Orientation]
    gazetteer: Gazetteer
    data_dir: Path
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"Catalogs(data_dir={str(self.data_dir)!r}, majors={len(self.majors)}, "
            f"occupations={len(self.occupations)}, orientations={len(self.orientations)}, "
            f"divisions={len(self.gazetteer.names)})"
        )


def load_catalogs(data_dir: str | os.PathLike[str], *, hold_out: Iterable[str] = ()) -> Catalogs:
    """Load the catalogs from the reference data directory `data_dir` (the caller names it).

    `hold_out`: major codes whose official orientation is dropped in favour of a derived one.
    """
    path = Path(data_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"reference data directory not found: {path}")
    majors = load_majors(path)
    return Catalogs(
        majors=majors,
        occupations=load_occupations(path),
        orientations=load_orientations(path, majors, exclude=hold_out),
        gazetteer=load_gazetteer(path),
        data_dir=path,
    )
