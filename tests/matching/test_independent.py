"""The evaluation world made from hand-labelled titles: what it reads, what it never reads, how it scores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from matching import independent, reference
from matching.catalogs import Catalogs
from matching.evaluate import _ratios
from matching.index import MatchIndex
from matching.occupations import default_classifier
from services.refdata.service import default_data_dir

TITLES = Path(__file__).resolve().parents[1] / "data" / "labelled_titles.csv"
TODAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def labelled() -> list[independent.LabelledTitle]:
    return independent.read_titles(TITLES)


@pytest.fixture(scope="module")
def relevance(catalogs: Catalogs) -> dict[str, set[str]]:
    return independent.official_relevance(default_data_dir(), catalogs)


def test_the_labelled_titles_are_real_and_each_has_a_code_of_the_classification(
    labelled: list[independent.LabelledTitle], catalogs: Catalogs
) -> None:
    assert len(labelled) >= 300
    assert all(t.codes for t in labelled)
    assert {c for t in labelled for c in t.codes} <= set(catalogs.occupations.occupations)


def test_a_title_of_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "titles.csv"
    path.write_text("title,description,kind,occupation_codes,note\n会计,,fulltime,2-06-03-01,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind 'fulltime'"):
        independent.read_titles(path)


def test_relevance_is_the_official_orientation_with_a_small_class_standing_for_its_occupations(
    relevance: dict[str, set[str]], catalogs: Catalogs
) -> None:
    children = catalogs.occupations.children
    official: dict[str, set[str]] = {}
    for row in reference.major_occupation_rows(default_data_dir()):
        official.setdefault(row["major_code"], set()).add(row["occupation_code"])
    code, codes = next((c, v) for c, v in sorted(official.items()) if any(children.get(o) for o in v))
    small = next(o for o in sorted(codes) if children.get(o))
    assert set(children[small]) <= relevance[code]
    # an undergraduate major has no official rows: what it has comes from the majors that lead into it
    inherited = [c for c in relevance if c not in official]
    assert inherited
    assert all(catalogs.majors.majors[c].level in ("职业本科", "本科") for c in inherited)


def test_positions_carry_the_classifiers_occupations_never_the_labels(
    labelled: list[independent.LabelledTitle], catalogs: Catalogs
) -> None:
    titles = labelled[:40]
    positions, labels = independent.build_world(titles, default_classifier(catalogs), copies=3, today=TODAY)
    assert len(positions) == 3 * len(titles)
    assert [p.title for p in positions[:3]] == [titles[0].title] * 3
    assert labels[:3] == [titles[0]] * 3
    suggested = default_classifier(catalogs).suggest_many([t.title for t in titles], [t.description for t in titles])
    for position, found in zip(positions[::3], suggested, strict=True):
        assert position.occupations[0] == found[0].code
    # the copies of a title differ where a board's postings would
    assert len({(p.places, p.pay_min, p.opened) for p in positions[:3]}) > 1


def test_a_query_is_a_major_with_at_least_one_relevant_position(
    labelled: list[independent.LabelledTitle], catalogs: Catalogs, relevance: dict[str, set[str]]
) -> None:
    graded = independent.queries(catalogs, relevance, labelled, seed=7, today=TODAY)
    assert graded
    for graduate, mask in graded:
        assert mask.any()
        assert graduate.major_code in relevance
        hits = [t for t, rel in zip(labelled, mask, strict=True) if rel]
        assert all(relevance[graduate.major_code] & set(t.codes) for t in hits)


def test_ndcg_and_precision_at_ten_by_hand() -> None:
    relevant = np.zeros(20, dtype=np.bool_)
    relevant[[0, 2, 15]] = True
    order = np.arange(20, dtype=np.int64)
    ndcg, p10 = independent._ndcg_p(order, relevant) or (0.0, 0.0)
    discounts = 1 / np.log2(np.arange(2, 12))
    assert ndcg == pytest.approx((discounts[0] + discounts[2]) / discounts[:3].sum())
    assert p10 == pytest.approx(0.2)
    assert independent._ndcg_p(order, np.zeros(20, dtype=np.bool_)) is None


def test_the_world_is_scored_for_the_ranker_and_both_baselines_per_level_and_kind(
    labelled: list[independent.LabelledTitle], catalogs: Catalogs, relevance: dict[str, set[str]]
) -> None:
    positions, labels = independent.build_world(labelled, default_classifier(catalogs), copies=2, today=TODAY)
    graded = independent.queries(catalogs, relevance, labels, seed=7, today=TODAY)[::8]
    result = independent.evaluate_world(MatchIndex(positions, catalogs), labels, graded, catalogs, today=TODAY)
    assert set(result) == {"full_ranker", "title_tfidf", "tfidf_place_kind"}
    full, base = result["full_ranker"], result["title_tfidf"]
    assert full["all"]["queries"] == len(graded)
    assert set(full["by_level"]) <= {"中职", "高职专科", "职业本科", "普通本科"}
    assert "job" in full["by_kind"]
    # with the official links, the ranker is well above text similarity of the major and the title
    assert full["all"]["ndcg@10"] > 1.5 * base["all"]["ndcg@10"]
    ratios = _ratios(result)
    assert ratios["all"] == round(full["all"]["ndcg@10"] / base["all"]["ndcg@10"], 2)
    assert set(ratios) == {"all", *full["by_level"]}
