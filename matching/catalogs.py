"""Reference catalogs read from the data directory: majors, occupations, orientations, divisions.

Everything is loaded from a local directory the caller names (see `load_catalogs`); nothing is
downloaded and no directory is guessed. The rows come from `matching.reference`, the parser that
``services.refdata`` loads the database from too. Files (UTF-8 CSV with header, JSON):
`undergrad_majors_2026.csv`, `undergrad_major_code_changes_2026.csv`,
`vocational_majors_2021.csv`, `vocational_major_profiles_2022.json`,
`vocational_major_orientation_occupations_matched.csv`, `occupations_csco2022.csv`,
`admin_divisions_cn.csv`, `admin_divisions_latlng_cpca.csv`, `admin_divisions_gb2260_history_stdnum.csv`.

Derived orientations: undergraduate majors (and vocational majors without an official profile) have no
official 职业面向. Their text profile borrows the orientation of the nearest majors that have one: cosine
similarity of character 1–2-gram TF-IDF vectors of the major names, plus 0.15 when the class names are equal
(计算机类 is a class in both catalogs) and 0.05 when the discipline names are equal; the best three above 0.3
are kept with their similarities as weights (see `Orientation.via`). Their occupations are `OccupationLink`s
with a source and a strength, from evidence that adds up per occupation: 接续专业 both ways (a vocational
major whose profile names this major as the one it leads into passes on its official occupations, and a major
takes those of the majors its own profile leads into, 0.9 and 0.35), the nearest majors (0.7 × similarity²), the
official orientations of the same 专业类 (0.4 × the share of the most-named occupation's count), and the
major's name read by the title→occupation classifier (0.45 × confidence, the best three). The sums are scaled
so a major's best-supported occupation has 0.9 (an official link has 1.0); the strength orders the links
within the fit band of "an occupation of the major" (`matching.features`).
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

    def by_exact_name(
        self, name: str, education: Education | None = None, school_kind: MajorLevel | None = None
    ) -> list[Major]:
        """Majors with exactly this (normalised) name, the school kind's level first, then the best for
        `education`."""
        found = self.by_name.get(fuzzy.normalize_name(name), [])
        return sorted(found, key=lambda m: level_rank(m.level, education, school_kind))

    def resolve(
        self, code: str = "", name: str = "", education: Education | None = None, school_kind: MajorLevel | None = None
    ) -> Major | None:
        """Resolve a graduate's major from code and/or name.

        The code wins when its catalog name agrees with `name` (or no name is given); old 2026 codes map to
        new ones. A code whose catalog name disagrees (a 2015 vocational code reused by the 2021 catalog,
        say) falls back to the name: exact, short form, then fuzzy (`fuzzy.resolve_major`).
        """
        by_code = self.get(code) if code else None
        if by_code is not None and (not name or fuzzy.names_agree(by_code.name, name)):
            return by_code
        if name:
            found = fuzzy.resolve_major(name, self, education=education, school_kind=school_kind)
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


def middle_class_of(code: str) -> str:
    """The 中类 code ("4-04-00-00") of an occupation code."""
    parts = code.split("-")
    return "-".join([*parts[:2], "00", "00"]) if len(parts) == 4 else code


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


LinkSource = Literal["official", "continuing", "similar", "class", "name"]
#: Strength of one piece of evidence by source (a similar major's scales with its similarity, a class's with
#: how many majors of the class name the occupation, a name link is `NAME_LINK_TOP` × the classifier's
#: confidence); a derived link adds its pieces up (`_aggregate`).
LINK_STRENGTH: Final[dict[str, float]] = {"official": 1.0, "continuing": 0.9, "similar": 0.7, "class": 0.4}
#: A major's evidence from a major its profile leads into: weaker than the other way round (the major ahead
#: leads to work one level up as well).
CONTINUING_AHEAD: Final = 0.35
#: The strongest derived link of a major (an official link is 1.0).
DERIVED_MAX: Final = 0.9
NAME_LINK_TOP: Final = 0.45
NAME_LINK_MIN: Final = 0.2
LINK_SOURCE_NAMES: Final[dict[str, str]] = {
    "official": "职业面向",
    "continuing": "接续专业",
    "similar": "相近专业",
    "class": "同专业类",
    "name": "专业名称",
}
_CONTINUING: Final[dict[str, MajorLevel]] = {
    "接续高职专科专业举例": "高职专科",
    "接续高职本科专业举例": "职业本科",
    "接续职业本科专业举例": "职业本科",
    "接续普通本科专业举例": "本科",
}
_CONTINUING_LINE: Final = re.compile(r"(接续[^：:\n]*?专业举例)[：:]([^\n]*)")


@dataclass(frozen=True, slots=True)
class OccupationLink:
    """One occupation a major leads to, where that knowledge comes from and how strong it is.

    `source`: ``official`` (the major's own 职业面向), ``continuing`` (a vocational major that names this one
    as its 接续专业 leads to the occupation), ``similar`` (the nearest majors by name that have an official
    orientation), ``class`` (the official orientations of the same 专业类), ``name`` (the major's name against
    the occupation's name and definition). `via`: the major code or class name the link came through.
    """

    occupation: str
    source: LinkSource
    strength: float
    via: str = ""


@dataclass(frozen=True, slots=True)
class Orientation:
    """What a major leads to: official 职业面向 or one derived from the nearest majors that have it.

    `occupations` are CSCO codes; `sentence` the official orientation sentence ("" when derived);
    `via` the majors an orientation was derived from, with weights (empty when official); their sentences
    stand in for the missing one. `links` are the occupations with their source and strength, strongest first.
    """

    major_code: str
    occupations: tuple[str, ...]
    sentence: str
    via: tuple[tuple[str, float], ...] = ()
    links: tuple[OccupationLink, ...] = ()

    @property
    def official(self) -> bool:
        return not self.via and all(link.source == "official" for link in self.links)

    def link(self, occupation: str) -> OccupationLink | None:
        """The strongest link to this occupation, or to the 小类 it belongs to."""
        small = small_class_of(occupation)
        for link in self.links:
            if link.occupation in (occupation, small):
                return link
        return None


def load_orientations(
    data_dir: Path,
    majors: MajorCatalog,
    occupations: OccupationCatalog | None = None,
    *,
    exclude: Iterable[str] = (),
    classifier: Any = None,
) -> dict[str, Orientation]:
    """Official orientations for vocational majors, derived ones for every other catalog major.

    `exclude` drops the official orientation of these majors (they get a derived one from other majors), and
    the 接续专业 links into those of them without official rows of their own (their evaluation relevance is
    made of those links): that is how the evaluation holds majors out. A derived orientation links, strongest
    first, the occupations of the majors joined to it through 接续专业, of the nearest majors by name, of the
    same 专业类, and (given a title→occupation `classifier`) the occupations its name reads as (`name_links`).
    """
    excluded = set(exclude)
    occs: dict[str, list[str]] = {}
    for row in reference.major_occupation_rows(data_dir):
        occs.setdefault(row["major_code"], []).append(row["occupation_code"])
    profiles = reference.profile_rows(data_dir)
    sentences = {row["major_code"]: row["career_orientation"] for row in profiles if row["career_orientation"]}
    titles = _title_index(occupations) if occupations is not None else {}
    official: dict[str, Orientation] = {}
    for code in set(occs) | set(sentences):
        if code in excluded or code not in majors.majors:
            continue
        sentence = sentences.get(code, "")
        codes = [*occs.get(code, []), *_sentence_occupations(sentence, titles)]
        codes = list(dict.fromkeys(codes))
        links = tuple(OccupationLink(o, "official", LINK_STRENGTH["official"]) for o in codes)
        official[code] = Orientation(code, tuple(codes), sentence, (), links)
    result = dict(official)
    official = {c: o for c, o in official.items() if o.occupations}
    # a held-out major keeps the 接续专业 links into it only when it has official occupations of its own (the
    # links then come from other majors' data); otherwise those links are what its relevance is made of
    continuing = _continuing_links(profiles, majors, official, exclude=excluded - set(occs))
    by_class = _class_links(majors, official)
    by_name = (
        name_links((m for c, m in sorted(majors.majors.items()) if c not in official), classifier)
        if classifier is not None
        else {}
    )
    derived = _derive_orientations(majors, official)
    for code in sorted(majors.majors):
        if code in official:
            continue
        via = derived[code].via if code in derived else ()
        similar = [
            OccupationLink(o, "similar", LINK_STRENGTH["similar"] * min(1.0, weight) ** 2, src)
            for src, weight in via
            for o in official[src].occupations
        ]
        links = _aggregate([*continuing.get(code, []), *similar, *by_class.get(code, []), *by_name.get(code, [])])
        if not links:
            continue
        sentence = sentences.get(code, "") if code not in excluded and not via else ""
        result[code] = Orientation(code, tuple(link.occupation for link in links), sentence, via, links)
    return result


def _title_index(occupations: OccupationCatalog) -> dict[str, tuple[str, ...]]:
    """Occupation names and alias titles → the 小类 / 细类 codes that carry them (a name wins over aliases)."""
    names: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}
    for code, occ in sorted(occupations.occupations.items()):
        if occ.level < 3:
            continue
        names.setdefault(occ.name, []).append(code)
        for alias in occ.aliases:
            aliases.setdefault(alias, []).append(code)
    out = {k: tuple(v) for k, v in aliases.items() if len(v) <= 3}
    out.update({k: tuple(v) for k, v in names.items()})
    return out


_ORIENTATION_JOBS: Final = re.compile(r"面向([^。；;]*?)等(?:职业|岗位)")


def _sentence_occupations(sentence: str, titles: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Occupations the official 职业面向 sentence names ("面向护士、助产士等职业"), by name or alias title."""
    out: list[str] = []
    for group in _ORIENTATION_JOBS.findall(sentence):
        for term in re.split(r"[、，,及和与]", group):
            codes = titles.get(term.strip())
            if codes:
                out.extend(codes[:1] if len(codes) > 1 and codes[0].endswith("-00") else codes)
    return out


def _aggregate(links: Iterable[OccupationLink], keep: int = 16) -> tuple[OccupationLink, ...]:
    """Derived links, one per occupation: the evidence of every source adds up (three similar majors naming
    an occupation count more than one), scaled so the best-supported occupation has `DERIVED_MAX`. Each link
    keeps the source and `via` of its largest single contribution; strongest first, at most `keep`."""
    total: dict[str, float] = {}
    best: dict[str, OccupationLink] = {}
    for link in links:
        total[link.occupation] = total.get(link.occupation, 0.0) + link.strength
        held = best.get(link.occupation)
        if held is None or link.strength > held.strength:
            best[link.occupation] = link
    if not total:
        return ()
    top = max(total.values())
    ordered = sorted(total, key=lambda o: (-total[o], o))[:keep]
    return tuple(
        OccupationLink(o, best[o].source, round(DERIVED_MAX * total[o] / top, 4), best[o].via) for o in ordered
    )


def _continuing_links(
    profiles: Iterable[Mapping[str, Any]],
    majors: MajorCatalog,
    official: Mapping[str, Orientation],
    *,
    exclude: Iterable[str] = (),
) -> dict[str, list[OccupationLink]]:
    """Links through 接续专业, both ways along the same edge: a vocational major's occupations pass to the
    majors it leads into, and a major without official occupations of its own takes those of the majors its
    profile says it leads into. `exclude`: majors that take nothing from the majors leading into them."""
    excluded = set(exclude)
    out: dict[str, list[OccupationLink]] = {}
    for row in profiles:
        code = row["major_code"]
        if not row["continuing_study"]:
            continue
        source = official.get(code)
        for label, names in _CONTINUING_LINE.findall(row["continuing_study"]):
            level = _CONTINUING.get(label)
            if level is None:
                continue
            for name in re.split(r"[、，,；;]", names):
                for target in majors.by_name.get(fuzzy.normalize_name(name), []):
                    if target.level != level or target.code == code:
                        continue
                    ahead = official.get(target.code)
                    if source is not None and ahead is None and target.code not in excluded:
                        out.setdefault(target.code, []).extend(
                            OccupationLink(o, "continuing", LINK_STRENGTH["continuing"], code)
                            for o in source.occupations
                        )
                    elif source is None and ahead is not None and code in majors.majors:
                        out.setdefault(code, []).extend(
                            OccupationLink(o, "continuing", CONTINUING_AHEAD, target.code) for o in ahead.occupations
                        )
    return out


def _class_links(majors: MajorCatalog, official: Mapping[str, Orientation]) -> dict[str, list[OccupationLink]]:
    """Occupations the official orientations of majors in a 专业类 of the same name name, weighted by how
    many of them name it (the most named at `LINK_STRENGTH["class"]`)."""
    counts: dict[str, dict[str, int]] = {}
    for code, orient in official.items():
        cls = majors.majors[code].class_name
        for occ in orient.occupations:
            counts.setdefault(cls, {}).setdefault(occ, 0)
            counts[cls][occ] += 1
    out: dict[str, list[OccupationLink]] = {}
    for code, major in majors.majors.items():
        if code in official or major.class_name not in counts:
            continue
        named = counts[major.class_name]
        most = max(named.values())
        out[code] = [
            OccupationLink(o, "class", LINK_STRENGTH["class"] * n / most, major.class_name)
            for o, n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return out


def name_links(majors: Iterable[Major], classifier: Any) -> dict[str, list[OccupationLink]]:
    """The occupations the title→occupation classifier (`matching.occupations`) finds for a major's name as if
    it were a job title: the best three, each at `NAME_LINK_TOP` × its confidence (weak evidence: it decides
    when nothing stronger is known)."""
    targets = list(majors)
    found = classifier.suggest_many([m.name for m in targets], None, k=3) if targets else []
    out: dict[str, list[OccupationLink]] = {}
    for major, suggestions in zip(targets, found, strict=True):
        out[major.code] = [
            OccupationLink(s.code, "name", NAME_LINK_TOP * s.confidence)
            for s in suggestions
            if s.confidence >= NAME_LINK_MIN
        ]
    return out


def _derive_orientations(majors: MajorCatalog, official: Mapping[str, Orientation]) -> dict[str, Orientation]:
    sources = [majors.majors[c] for c in sorted(official) if official[c].occupations]
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
    from matching.occupations import OccupationClassifier  # it reads the occupation catalog of this module

    majors = load_majors(path)
    occupations = load_occupations(path)
    classifier = OccupationClassifier(occupations)
    catalogs = Catalogs(
        majors=majors,
        occupations=occupations,
        orientations=load_orientations(path, majors, occupations, exclude=hold_out, classifier=classifier),
        gazetteer=load_gazetteer(path),
        data_dir=path,
    )
    catalogs.cache["occupation_classifier"] = classifier
    return catalogs
