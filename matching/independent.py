"""An evaluation world whose positions are not made from the text the ranker reads.

Positions carry real recruiting titles labelled by hand with CSCO codes (a CSV: title, description,
kind, occupation_codes, note — see tests/data/README.md for the labelling rule). Each title is posted
`copies` times, at different places, pay and opening dates drawn from a seeded generator, so that place, pay
and freshness vary as on a board. The ranker sees the title, the description and the occupations the
classifier (`matching.occupations`, built from the classification, never from these labels) infers for it,
as the service stores them; it never sees the labels.

Queries are graduates of one catalog major each (a place, an expected pay, no skills), at the four levels.
Relevance comes from the official data only: a position is relevant to a major when one of its labelled codes
is among the major's official 职业面向 occupations (`vocational_major_orientation_occupations_matched.csv`,
a 小类 covering its 细类); an undergraduate or 职业本科 major takes the official occupations of the vocational
majors whose profile names it as their 接续专业. Majors without any relevant position are not queries.

Metrics: NDCG@10 and P@10 per level and per position kind (the ranking restricted to that kind), for the
full ranker and two baselines measured in the same run on the same index: ``title_tfidf`` (the char n-gram
TF-IDF cosine of the major name with the position title and description) and ``tfidf_place_kind`` (that
cosine with the default weights of text, place and kind).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt

from matching import reference
from matching.catalogs import Catalogs
from matching.features import Weights
from matching.index import MatchIndex
from matching.occupations import OccupationClassifier, infer_from
from matching.records import KINDS, Education, GraduateRecord, Kind, MajorLevel, PositionRecord

LEVELS: Final[tuple[MajorLevel, ...]] = ("中职", "高职专科", "职业本科", "本科")
LEVEL_NAMES: Final[dict[str, str]] = {
    "中职": "中职",
    "高职专科": "高职专科",
    "职业本科": "职业本科",
    "本科": "普通本科",
}
EDUCATION_OF: Final[dict[str, Education]] = {
    "中职": Education.SECONDARY,
    "高职专科": Education.JUNIOR_COLLEGE,
    "职业本科": Education.BACHELOR,
    "本科": Education.BACHELOR,
}
_PLACES: Final = ("341602", "341621", "341622", "341623", "340104", "340111", "340202", "320106")
_DISCOUNTS: Final = 1.0 / np.log2(np.arange(2, 12))
_CONTINUING: Final = re.compile(r"接续(高职本科|职业本科|普通本科)专业举例[：:]([^\n]*)")


@dataclass(frozen=True, slots=True)
class LabelledTitle:
    title: str
    description: str
    kind: Kind
    codes: tuple[str, ...]


def read_titles(path: Path) -> list[LabelledTitle]:
    """The hand-labelled titles (UTF-8 CSV with the header of tests/data/labelled_titles.csv)."""
    out: list[LabelledTitle] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            kind = r["kind"]
            if kind not in KINDS:
                raise ValueError(f"{path.name}: unknown kind {kind!r} for {r['title']!r}")
            codes = tuple(c for c in r["occupation_codes"].split(";") if c)
            out.append(LabelledTitle(r["title"], r["description"], cast(Kind, kind), codes))
    return out


def official_relevance(data_dir: Path, catalogs: Catalogs) -> dict[str, set[str]]:
    """Major code → the official occupation codes (细类, a 小类 expanded) that make a position relevant."""
    children = catalogs.occupations.children
    own: dict[str, set[str]] = {}
    for row in reference.major_occupation_rows(data_dir):
        codes = own.setdefault(row["major_code"], set())
        codes.add(row["occupation_code"])
        codes.update(children.get(row["occupation_code"], ()))
    out = {c: set(v) for c, v in own.items()}
    levels = {"高职本科": "职业本科", "职业本科": "职业本科", "普通本科": "本科"}
    for row in reference.profile_rows(data_dir):
        source = own.get(row["major_code"])
        if not source:
            continue
        for label, names in _CONTINUING.findall(row["continuing_study"]):
            for name in re.split(r"[、，,；;]", names):
                for major in catalogs.majors.by_exact_name(name.strip()):
                    if major.level == levels[label] and major.code not in own:
                        out.setdefault(major.code, set()).update(source)
    return out


def build_world(
    titles: Sequence[LabelledTitle], classifier: OccupationClassifier, *, copies: int = 6, seed: int = 13, today: date
) -> tuple[list[PositionRecord], list[LabelledTitle]]:
    """`copies` positions per labelled title, with the classifier's occupations; the label of each position."""
    rng = np.random.default_rng(seed)
    inferred = [
        tuple(s.code for s in infer_from(found))
        for found in classifier.suggest_many([t.title for t in titles], [t.description for t in titles], k=2)
    ]
    positions: list[PositionRecord] = []
    labels: list[LabelledTitle] = []
    for t, occupations in zip(titles, inferred, strict=True):
        for _ in range(copies):
            base = int(rng.integers(4, 16)) * 500 if t.kind in ("job", "grassroots") else int(rng.integers(2, 6)) * 500
            positions.append(
                PositionRecord(
                    id=len(positions) + 1,
                    kind=t.kind,
                    title=t.title,
                    description=t.description,
                    places=(_PLACES[int(rng.integers(len(_PLACES)))],),
                    pay_min=base,
                    pay_max=base + int(rng.integers(0, 6)) * 500,
                    headcount=int(rng.integers(1, 10)),
                    opened=today - timedelta(days=int(rng.integers(0, 60))),
                    employer_verified=True,
                    occupations=occupations,
                )
            )
            labels.append(t)
    return positions, labels


def queries(
    catalogs: Catalogs, relevance: Mapping[str, set[str]], labels: Sequence[LabelledTitle], *, seed: int, today: date
) -> list[tuple[GraduateRecord, npt.NDArray[np.bool_]]]:
    """One graduate per major with at least one relevant position, and the relevant-position mask."""
    rng = np.random.default_rng(seed)
    out: list[tuple[GraduateRecord, npt.NDArray[np.bool_]]] = []
    for code in sorted(relevance):
        major = catalogs.majors.majors.get(code)
        if major is None:
            continue
        rel = relevance[code]
        mask = np.fromiter((bool(rel.intersection(t.codes)) for t in labels), dtype=np.bool_, count=len(labels))
        if not mask.any():
            continue
        home = _PLACES[int(rng.integers(4))]
        graduate = GraduateRecord(
            id=len(out) + 1,
            education=EDUCATION_OF[major.level],
            graduation_year=today.year,
            major_code=major.code,
            major_name=major.name,
            school_kind=major.level,
            preferred_places=(home,) if rng.random() < 0.5 else (),
            home_division=home,
            expected_pay=int(rng.integers(6, 13)) * 500,
        )
        out.append((graduate, mask))
    return out


def _ndcg_p(order: npt.NDArray[np.int64], relevant: npt.NDArray[np.bool_]) -> tuple[float, float] | None:
    n_rel = int(relevant.sum())
    if n_rel == 0:
        return None
    hits = relevant[order[:10]].astype(np.float64)
    ideal = _DISCOUNTS[: min(n_rel, 10)].sum()
    return float((hits * _DISCOUNTS[: hits.size]).sum() / ideal), float(hits.sum() / 10)


def _top(scores: npt.NDArray[Any], ids: npt.NDArray[np.int64], allowed: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    rows = np.flatnonzero(allowed)
    order = np.lexsort((ids[rows], -scores[rows].astype(np.float64)))
    return rows[order[:10]]


def evaluate_world(
    index: MatchIndex,
    labels: Sequence[LabelledTitle],
    graded: Sequence[tuple[GraduateRecord, npt.NDArray[np.bool_]]],
    catalogs: Catalogs,
    *,
    today: date,
) -> dict[str, Any]:
    """NDCG@10 / P@10 of the ranker and both baselines, overall, per level and per kind."""
    kinds = np.asarray([t.kind for t in labels])
    w = Weights()
    systems = ("full_ranker", "title_tfidf", "tfidf_place_kind")
    cells: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for graduate, relevant in graded:
        level = LEVEL_NAMES[catalogs.majors.majors[graduate.major_code].level]
        scores, feats, eligible, ids = index.feature_arrays(graduate, today=today)
        by_system = {
            "full_ranker": scores,
            "title_tfidf": feats["text"],
            "tfidf_place_kind": w.text * feats["text"] + w.place * feats["place"] + w.kind * feats["kind"],
        }
        for system in systems:
            for group, allowed in (("all", eligible), *((f"kind:{k}", eligible & (kinds == k)) for k in set(kinds))):
                got = _ndcg_p(_top(by_system[system], ids, allowed), relevant & allowed)
                if got is None:
                    continue
                cells.setdefault((system, "all", group), []).append(got)
                cells.setdefault((system, level, group), []).append(got)

    def summary(values: list[tuple[float, float]]) -> dict[str, float]:
        arr = np.asarray(values)
        return {
            "ndcg@10": round(float(arr[:, 0].mean()), 4),
            "p@10": round(float(arr[:, 1].mean()), 4),
            "queries": len(values),
        }

    out: dict[str, Any] = {}
    for system in systems:
        per_level = {
            lvl: summary(v) for (s, lvl, g), v in sorted(cells.items()) if s == system and g == "all" and lvl != "all"
        }
        per_kind = {
            g[5:]: summary(v) for (s, lvl, g), v in sorted(cells.items()) if s == system and lvl == "all" and g != "all"
        }
        out[system] = {
            "all": summary(cells.get((system, "all", "all"), [(0.0, 0.0)])),
            "by_level": per_level,
            "by_kind": per_kind,
        }
    return out


def classifier_accuracy(classifier: OccupationClassifier, titles: Sequence[LabelledTitle]) -> dict[str, float]:
    """Top-1 and top-3 accuracy of the classifier on labelled titles (a hit: any labelled code)."""
    found = classifier.suggest_many([t.title for t in titles], [t.description for t in titles], k=3)
    top1 = sum(s[0].code in t.codes for s, t in zip(found, titles, strict=True))
    top3 = sum(bool({x.code for x in s} & set(t.codes)) for s, t in zip(found, titles, strict=True))
    return {"top1": round(top1 / len(titles), 4), "top3": round(top3 / len(titles), 4), "titles": len(titles)}


def alias_holdout(catalogs: Catalogs, *, every: int = 5) -> dict[str, float]:
    """Accuracy on alias titles of every `every`-th occupation, with those occupations' aliases left out of the
    classifier (a title also listed as an alias of a kept occupation, or equal to a name, is skipped)."""
    base = OccupationClassifier(catalogs.occupations, use_aliases=False)
    held = set(base.codes[::every])
    classifier = OccupationClassifier(catalogs.occupations, hold_out=held)
    owners: dict[str, set[str]] = {}
    for occ in classifier.occupations:
        for alias in occ.aliases:
            owners.setdefault(alias, set()).add(occ.code)
    names = {o.name for o in classifier.occupations}
    cases = [
        LabelledTitle(alias, "", "job", (code,))
        for code in sorted(held)
        for alias in catalogs.occupations.occupations[code].aliases
        if alias not in names and owners.get(alias, set()) <= held
    ]
    return {**classifier_accuracy(classifier, cases), "held_out_occupations": len(held)}


def hold_out_majors(relevance: Mapping[str, set[str]], every: int) -> set[str]:
    """Every `every`-th major (sorted codes) with relevance: its own links are dropped from the ranker."""
    return set(sorted(relevance)[::every])


def alias_titles(
    catalogs: Catalogs, relevance: Mapping[str, set[str]], *, per_occupation: int = 2
) -> list[LabelledTitle]:
    """Positions for the development world: up to `per_occupation` alias titles (the name when it has none) of
    every 细类 some major's relevance names, each labelled with its own occupation — no hand-labelled title."""
    occs = catalogs.occupations.occupations
    codes = sorted({c for v in relevance.values() for c in v if c in occs and occs[c].level == 4})
    out: list[LabelledTitle] = []
    for code in codes:
        names = [a for a in occs[code].aliases if a != occs[code].name][:per_occupation] or [occs[code].name]
        out.extend(LabelledTitle(a, "", "job", (code,)) for a in names)
    return out
