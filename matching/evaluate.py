"""Offline evaluation of the ranker: an independent world of hand-labelled titles, and the bridge world.

    python -m matching.evaluate [--data-dir DIR] [--titles CSV] [--json]

`--data-dir` defaults to the reference data the service ships (services/refdata/data beside this package)
and `--titles` to tests/data/labelled_titles.csv, when they are there; the functions take explicit paths.

Independent world (`matching.independent`, reported under "independent"): real recruiting titles labelled
by hand, relevance from the official 职业面向 links, per level and per kind, beside two baselines; the
title→occupation classifier's accuracy on the labelled titles and on alias titles held out by occupation;
the share of majors with at least one occupation link, per level. `held_out` ranks the held-out majors with
the links derived without their own; `held_out_with_own_links` ranks the same majors with their own official
links, the reference that perfect link derivation would reach with this classifier.

Development world (`--development`, JSON only): where the link derivation's rules and weights were chosen —
alias titles of the classification as positions, another fold of majors held out, no labelled title read.

Bridge world (below, reported under "bridge"):

Labelled set: one position per CSCO 细类 occupation that has a definition; its text is the definition and
the task list only (no title, no occupation name, no alias titles). One query per vocational major with an
official orientation naming occupations: a graduate of that major with no skills or wishes, so only the
major can carry the match. A position is relevant to the query when its occupation is among the major's
official occupations (a 小类 counts for its 细类).

Leakage: the bridge is built from occupation names, alias titles and the orientation sentence, never from
definitions or tasks, which are all the positions hold. And a fifth of the majors (every fifth code in
sorted order) is held out: their official orientation is removed from the bridge, which then derives their
profile from the nearest other majors, exactly as for undergraduate majors; the `held_out` figures use only
those majors, so neither the labels nor the bridge text of a held-out major reach its ranking.

Reported: NDCG@10 and precision@10 of the full ranker (default weights) and of a text-only TF-IDF baseline
(the graduate's major name against the position text), for all majors and for the held-out ones.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from matching import independent
from matching.catalogs import Catalogs, load_catalogs
from matching.features import FEATURES, Weights
from matching.index import MatchIndex
from matching.occupations import default_classifier
from matching.records import Education, GraduateRecord, PositionRecord
from matching.scoring import top_k

TODAY = date(2024, 6, 1)
_EDUCATION = {
    "中职": Education.SECONDARY,
    "高职专科": Education.JUNIOR_COLLEGE,
    "职业本科": Education.BACHELOR,
    "本科": Education.BACHELOR,
}


def labelled_positions(catalogs: Catalogs) -> tuple[list[PositionRecord], list[str]]:
    """One position per 细类 occupation with a definition: text = definition + tasks."""
    positions: list[PositionRecord] = []
    codes: list[str] = []
    for code, occ in sorted(catalogs.occupations.occupations.items()):
        if occ.level != 4 or not occ.definition:
            continue
        positions.append(
            PositionRecord(
                id=len(positions) + 1,
                kind="job",
                title="",
                description=f"{occ.definition} {occ.tasks}",
                employer_verified=True,
                opened=TODAY,
            )
        )
        codes.append(code)
    return positions, codes


def relevant_codes(major_code: str, official: Catalogs) -> set[str]:
    """The major's official occupations as 细类 codes (from `official`, never from a held-out bridge)."""
    orient = official.orientations.get(major_code)
    if orient is None or not orient.official:
        return set()
    out: set[str] = set()
    for code in orient.occupations:
        out.add(code)
        out.update(official.occupations.children.get(code, ()))
    return out


def _query(major_code: str, catalogs: Catalogs, gid: int) -> GraduateRecord:
    major = catalogs.majors.majors[major_code]
    return GraduateRecord(
        id=gid,
        education=_EDUCATION[major.level],
        graduation_year=TODAY.year,
        major_code=major.code,
        major_name=major.name,
    )


def _metrics(
    index: MatchIndex, queries: Sequence[tuple[GraduateRecord, set[str]]], codes: list[str]
) -> dict[str, float]:
    position_codes = np.asarray(codes)
    ndcgs, precisions = [], []
    discounts = 1.0 / np.log2(np.arange(2, 12))
    for graduate, relevant in queries:
        scores, eligible, ids = index.score_positions(graduate, today=TODAY)
        rows = top_k(scores, eligible, ids, 10)
        hits = np.isin(position_codes[rows], list(relevant)).astype(np.float64)
        n_rel = int(np.isin(position_codes, list(relevant)).sum())
        ideal = discounts[: min(n_rel, 10)].sum()
        if ideal == 0:
            continue
        ndcgs.append(float((hits * discounts[: hits.size]).sum() / ideal))
        precisions.append(float(hits.sum() / 10))
    return {
        "ndcg@10": round(float(np.mean(ndcgs)), 4) if ndcgs else 0.0,
        "precision@10": round(float(np.mean(precisions)), 4) if precisions else 0.0,
        "queries": len(ndcgs),
    }


def run_evaluation(*, data_dir: str | os.PathLike[str], hold_every: int = 5) -> dict[str, Any]:
    """Build the labelled set and score the full ranker and the text-only baseline."""
    official = load_catalogs(data_dir)
    majors = sorted(c for c, o in official.orientations.items() if o.official and o.occupations)
    held = set(majors[::hold_every])
    holdout_catalogs = load_catalogs(data_dir, hold_out=held)
    positions, codes = labelled_positions(official)
    text_only = Weights(**{name: (1.0 if name == "text" else 0.0) for name in FEATURES})

    def queries(cats: Catalogs, subset: Sequence[str]) -> list[tuple[GraduateRecord, set[str]]]:
        return [(_query(m, cats, i + 1), relevant_codes(m, official)) for i, m in enumerate(subset)]

    full_index = MatchIndex(positions, holdout_catalogs)
    all_q = queries(holdout_catalogs, majors)
    held_q = queries(holdout_catalogs, sorted(held))
    kept_q = queries(holdout_catalogs, [m for m in majors if m not in held])
    result: dict[str, Any] = {
        "positions": len(positions),
        "majors_with_official_occupations": len(majors),
        "held_out_majors": len(held),
        "full_ranker": {
            "held_out": _metrics(full_index, held_q, codes),
            "in_bridge": _metrics(full_index, kept_q, codes),
            "all": _metrics(full_index, all_q, codes),
        },
    }
    full_index.weights = text_only
    result["text_only_tfidf"] = {
        "held_out": _metrics(full_index, held_q, codes),
        "in_bridge": _metrics(full_index, kept_q, codes),
        "all": _metrics(full_index, all_q, codes),
    }
    result["method"] = (
        "positions = CSCO 细类 definitions + tasks; queries = vocational majors with official occupations "
        "(no skills/wishes); relevant = the major's official occupations; held_out = every "
        f"{hold_every}th major, whose orientation is removed from the bridge and derived from other majors"
    )
    return result


def coverage(catalogs: Catalogs) -> dict[str, dict[str, float]]:
    """Per level: majors, those with at least one occupation link, and the share."""
    out: dict[str, dict[str, float]] = {}
    for level in independent.LEVELS:
        codes = [c for c, m in catalogs.majors.majors.items() if m.level == level]
        linked = [c for c in codes if (o := catalogs.orientations.get(c)) is not None and o.occupations]
        out[independent.LEVEL_NAMES[level]] = {
            "majors": len(codes),
            "linked": len(linked),
            "share": round(len(linked) / len(codes), 4) if codes else 0.0,
        }
    return out


def run_independent(
    *, data_dir: str | os.PathLike[str], titles: str | os.PathLike[str], hold_every: int = 5, copies: int = 6
) -> dict[str, Any]:
    """The independent world: all majors in the ranker, then held-out majors with their own links dropped."""
    path = Path(data_dir)
    official = load_catalogs(path)
    labelled = independent.read_titles(Path(titles))
    classifier = default_classifier(official)
    positions, labels = independent.build_world(labelled, classifier, copies=copies, today=TODAY)
    relevance = independent.official_relevance(path, official)
    held = independent.hold_out_majors(relevance, hold_every)
    holdout_catalogs = load_catalogs(path, hold_out=held)
    graded = independent.queries(official, relevance, labels, seed=7, today=TODAY)
    all_index = MatchIndex(positions, official)
    held_index = MatchIndex(positions, holdout_catalogs)
    held_graded = [(g, r) for g, r in graded if g.major_code in held]
    result: dict[str, Any] = {
        "positions": len(positions),
        "labelled_titles": len(labelled),
        "queries": len(graded),
        "held_out_majors": len(held_graded),
        "all_majors": independent.evaluate_world(all_index, labels, graded, official, today=TODAY),
        "held_out": independent.evaluate_world(held_index, labels, held_graded, holdout_catalogs, today=TODAY),
        # the same held-out majors ranked with their own official links: what perfect link derivation would
        # reach with this classifier (a reference for the held-out figures, not a result)
        "held_out_with_own_links": independent.evaluate_world(all_index, labels, held_graded, official, today=TODAY),
        "title_to_occupation": {
            "labelled_titles": independent.classifier_accuracy(classifier, labelled),
            "alias_titles_held_out": independent.alias_holdout(official),
        },
        "link_coverage": coverage(official),
    }
    # the full ranker's NDCG@10 over the title-only baseline's, overall and per level, for each split
    result["ratio_to_title_tfidf"] = {
        split: _ratios(result[split]) for split in ("all_majors", "held_out", "held_out_with_own_links")
    }
    result["held_out_ratio_to_title_tfidf"] = result["ratio_to_title_tfidf"]["held_out"]
    return result


def _ratios(split: dict[str, Any]) -> dict[str, float | None]:
    full, base = split["full_ranker"], split["title_tfidf"]
    return {
        "all": _ratio(full["all"], base["all"]),
        **{lvl: _ratio(m, base["by_level"].get(lvl, {})) for lvl, m in full["by_level"].items()},
    }


def run_development(*, data_dir: str | os.PathLike[str], every: int = 5, offset: int = 2) -> dict[str, Any]:
    """The world the link derivation was developed on, kept apart from the independent world: positions titled
    with the classification's alias titles (`independent.alias_titles`), the majors of another fold (every
    `every`-th from `offset`, disjoint from the held-out fold) held out, no hand-labelled title read."""
    path = Path(data_dir)
    official = load_catalogs(path)
    relevance = independent.official_relevance(path, official)
    dev = set(sorted(relevance)[offset::every])
    titles = independent.alias_titles(official, relevance)
    positions, labels = independent.build_world(titles, default_classifier(official), copies=2, today=TODAY)
    catalogs = load_catalogs(path, hold_out=dev)
    graded = [
        (g, r) for g, r in independent.queries(official, relevance, labels, seed=7, today=TODAY) if g.major_code in dev
    ]
    return {
        "positions": len(positions),
        "development_majors": len(graded),
        "held_out": independent.evaluate_world(MatchIndex(positions, catalogs), labels, graded, catalogs, today=TODAY),
    }


def _ratio(full: dict[str, float], base: dict[str, float]) -> float | None:
    denominator = base.get("ndcg@10", 0.0)
    return round(full["ndcg@10"] / denominator, 2) if denominator else None


_HERE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__.splitlines()[0])
    default_data = _HERE.parent / "services" / "refdata" / "data"
    default_titles = _HERE.parent / "tests" / "data" / "labelled_titles.csv"
    parser.add_argument(
        "--data-dir", default=str(default_data) if default_data.is_dir() else None, help="reference data directory"
    )
    parser.add_argument(
        "--titles", default=str(default_titles) if default_titles.is_file() else None, help="hand-labelled titles CSV"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--skip-bridge", action="store_true", help="only the independent world")
    parser.add_argument(
        "--development", action="store_true", help="only the alias-title world the link derivation was chosen on"
    )
    args = parser.parse_args(argv)
    if args.data_dir is None:
        parser.error("--data-dir is required (no reference data beside the package)")
    result: dict[str, Any] = {}
    if args.development:
        result["development"] = run_development(data_dir=args.data_dir)
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.titles is not None:
        result["independent"] = run_independent(data_dir=args.data_dir, titles=args.titles)
    if not args.skip_bridge:
        result["bridge"] = run_evaluation(data_dir=args.data_dir)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if "independent" in result:
        ind = result["independent"]
        print(
            f"independent world: {ind['positions']} positions, {ind['queries']} majors "
            f"({ind['held_out_majors']} held out)"
        )
        for split in ("all_majors", "held_out", "held_out_with_own_links"):
            for system, m in ind[split].items():
                levels = "  ".join(f"{k} {v['ndcg@10']:.3f}/{v['p@10']:.3f}" for k, v in m["by_level"].items())
                print(
                    f"  {split:10s} {system:17s} NDCG@10 {m['all']['ndcg@10']:.4f} "
                    f"P@10 {m['all']['p@10']:.4f} | {levels}"
                )
        print(f"  title→occupation: {ind['title_to_occupation']}")
        print(f"  link coverage: {ind['link_coverage']}")
    if "bridge" in result:
        bridge = result["bridge"]
        for name in ("full_ranker", "text_only_tfidf"):
            for split, m in bridge[name].items():
                figures = f"NDCG@10 {m['ndcg@10']:.4f}  P@10 {m['precision@10']:.4f}  (n={m['queries']})"
                print(f"bridge {name:16s} {split:10s} {figures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
