"""Fuzzy helpers: major short forms, re-coded majors, near-duplicate organisations, rapidfuzz shapes."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from matching import fuzzy
from matching.catalogs import Catalogs
from matching.records import Education, GraduateRecord
from matching.rules import graduate_major


@pytest.mark.parametrize(
    ("query", "education", "expected"),
    [
        ("计科", None, "计算机科学与技术"),
        ("软工", None, "软件工程"),
        ("会计", Education.BACHELOR, "会计学"),
        ("会计", Education.JUNIOR_COLLEGE, "大数据与会计"),
        ("电商", None, "电子商务"),
        ("机电", Education.JUNIOR_COLLEGE, "机电一体化技术"),
        ("护理", Education.JUNIOR_COLLEGE, "护理"),
        ("临床", Education.BACHELOR, "临床医学"),
        ("计算机科学技术", None, "计算机科学与技术"),
        ("软件技术专业", None, "软件技术"),
        ("（中外合作）国际经济与贸易", None, "国际经济与贸易"),
    ],
)
def test_short_forms_and_variants_resolve(
    catalogs: Catalogs, query: str, education: Education | None, expected: str
) -> None:
    found = fuzzy.resolve_major(query, catalogs.majors, education=education)
    assert found and found[0].name == expected


def test_junior_college_level_wins_for_junior_college_graduates(catalogs: Catalogs) -> None:
    found = fuzzy.resolve_major("护理", catalogs.majors, education=Education.JUNIOR_COLLEGE)
    assert found[0].level == "高职专科"


def test_every_short_form_expands_to_catalog_names(catalogs: Catalogs) -> None:
    for short, names in fuzzy.SHORT_FORMS.items():
        assert any(catalogs.majors.by_exact_name(n) for n in names), short


def test_the_eleven_recoded_majors_resolve(catalogs: Catalogs) -> None:
    path = catalogs.data_dir / "undergrad_major_code_changes_2026.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11
    for row in rows:
        major = catalogs.majors.get(row["old_code"])
        assert major is not None and major.code == row["new_code_2026"] and major.name == row["major_name"]
        g = GraduateRecord(id=1, education=Education.BACHELOR, graduation_year=2023, major_code=row["old_code"])
        tokens = graduate_major(g, catalogs.majors)
        assert tokens.code == row["new_code_2026"] and tokens.class_code == "1400"


def test_reused_old_vocational_code_resolves_by_name(catalogs: Catalogs) -> None:
    # 610205 was 软件技术 in the 2015 catalog; the 2021 catalog gives the code to another major.
    major = catalogs.majors.resolve("610205", "软件技术", Education.JUNIOR_COLLEGE)
    assert major is not None and major.code == "510203"


def test_extract_one_shapes() -> None:
    choices = {"a": "亳州市某某科技有限公司", "b": "合肥某某食品有限公司"}
    hit = fuzzy.extract_one("亳州某某科技", choices, processor=fuzzy.normalize_org_name)
    assert hit is not None and hit[2] == "a"
    assert fuzzy.extract_one("完全无关", choices, score_cutoff=95) is None
    listed = fuzzy.extract_one("合肥某某食品", list(choices.values()))
    assert listed is not None and listed[2] == 1


def test_near_duplicate_employers_and_schools() -> None:
    names = [
        "亳州市华信科技有限公司",
        "亳州市华信科技有限责任公司",
        "亳州职业技术学院",
        "亳州职业技术学院（南校区）",
        "安徽古井贡酒股份有限公司",
        "蒙城县人民医院",
    ]
    pairs = {(i, j) for i, j, _ in fuzzy.near_duplicates(names)}
    assert (0, 1) in pairs and (2, 3) in pairs
    assert all(5 not in pair for pair in pairs)


def test_cdist_batches() -> None:
    matrix = fuzzy.cdist(["软件技术", "护理"], ["软件技术", "护理学", "会计"], workers=-1)
    assert matrix.shape == (2, 3) and matrix.dtype == np.float32
    assert matrix[0, 0] == 100 and matrix[1, 1] > matrix[1, 2]
