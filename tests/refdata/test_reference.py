"""The database's reference tables and the ranker's catalogs are read from one directory by one parser."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching import reference
from matching.catalogs import load_catalogs
from services import db as dbmod
from services import migrate
from services.refdata import service
from services.refdata.models import RefDivision, RefMajor, RefOccupation
from tests.conftest import _TMP

# A profile-only major: the 2021 vocational table lacks it, so both sides must add it from the profiles.
EXTRA_K_MAJOR = {
    "major_code": "520999K",
    "major_name": "智慧健康照护",
    "level": "高职专科",
    "class": "5202护理类",
    "career_orientation_职业面向": "面向养老护理员等职业",
}


@pytest.fixture(scope="module")
def data_dir() -> Path:
    """A copy of the shipped reference files, with one more K-suffix major in the profiles only."""
    target = _TMP / f"refdata-copy-{uuid.uuid4().hex[:6]}"
    shutil.copytree(service.default_data_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    profiles = target / reference.FILES["major_profiles"]
    records = json.loads(profiles.read_text(encoding="utf-8"))
    records.append(EXTRA_K_MAJOR)
    profiles.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return target


def test_database_and_ranker_read_the_same_rows(data_dir: Path) -> None:
    engine = dbmod.make_engine(f"sqlite:///{_TMP / f'reference-{uuid.uuid4().hex[:6]}.db'}")
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            service.load_all(session, data_dir=data_dir)
            stored_majors = {
                m.code: (m.name, m.level, m.class_code, m.class_name, m.discipline_code, m.discipline_name)
                for m in session.scalars(select(RefMajor))
            }
            stored_occupations = {o.code: (o.level, o.name) for o in session.scalars(select(RefOccupation))}
            stored_divisions = {d.code: (d.name, d.level, d.parent_code) for d in session.scalars(select(RefDivision))}
    finally:
        engine.dispose()
    catalogs = load_catalogs(data_dir)
    ranker_majors = {
        m.code: (m.name, m.level, m.class_code, m.class_name, m.discipline_code, m.discipline_name)
        for m in catalogs.majors.majors.values()
    }
    assert ranker_majors == stored_majors
    assert stored_majors["520999K"] == ("智慧健康照护", "高职专科", "5202", "护理类", "52", "医药卫生大类")
    assert {o.code: (o.level, o.name) for o in catalogs.occupations.occupations.values()} == stored_occupations
    gazetteer = catalogs.gazetteer
    ranker_divisions = {c: (gazetteer.names[c], gazetteer.levels[c], gazetteer.parents.get(c)) for c in gazetteer.names}
    assert ranker_divisions == stored_divisions
    # a code the division table repeats (东莞市 as prefecture, then as county) is the first row on both sides
    assert stored_divisions["441900"] == ("东莞市", "prefecture", "440000")


def test_catalogs_come_from_the_directory_given(data_dir: Path) -> None:
    assert "520999K" in load_catalogs(data_dir).majors
    assert "520999K" not in load_catalogs(service.default_data_dir()).majors
