"""`sunshine refdata load` on a fresh database (SQLite and PostgreSQL): every catalog, counts printed, idempotent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from services import db as dbmod
from services import migrate
from services.catalog import service as catalog
from services.cli import app
from services.refdata import service
from services.refdata.models import RefDivision, RefLoad
from tests.conftest import _TMP, create_pg_database, drop_pg_database

EXPECTED = {
    "majors": 2369,
    "undergrad_majors": 883,
    "vocational_majors": 1486,
    "major_code_changes": 11,
    "major_profiles": 1256,
    "major_occupations": 1510,
    "occupations": 2047,
    "industries": 1771,
    "divisions": 3348,
    "divisions_with_coordinates": 3078,
    "division_history": 6885,
}


@pytest.fixture(scope="module")
def fresh(backend: str, request: pytest.FixtureRequest) -> Iterator[tuple[Engine, list[str]]]:
    """A freshly migrated database, loaded twice through the command; yields the engine and both outputs."""
    if backend == "sqlite":
        engine = dbmod.make_engine(f"sqlite:///{_TMP / f'refdata-{uuid.uuid4().hex[:6]}.db'}")
        name = server = ""
    else:
        server = request.getfixturevalue("pg_server_url")
        name, url = create_pg_database(server)
        engine = dbmod.make_engine(url)
    try:
        migrate.upgrade(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        outputs = []
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(dbmod, "get_sessionmaker", lambda: factory)
            mp.setattr(dbmod, "get_engine", lambda: engine)
            for _ in range(2):
                result = CliRunner().invoke(app, ["refdata", "load"], env={"COLUMNS": "200"})
                assert result.exit_code == 0, result.output
                outputs.append(result.output)
        yield engine, outputs
    finally:
        engine.dispose()
        if name:
            drop_pg_database(server, name)


def test_first_load_fills_every_catalog_and_prints_the_counts(fresh: tuple[Engine, list[str]]) -> None:
    engine, outputs = fresh
    with Session(engine) as session:
        assert service.counts(session) == EXPECTED
        assert catalog.count_rule_sets(session) == 20
    first = outputs[0]
    for title, rows in [
        ("本科专业（2026年目录）", 883),
        ("2026年调整代码的本科专业", 11),
        ("职业教育专业（2021年目录）", 1486),
        ("职业教育专业简介（含职业面向）", 1256),
        ("职业分类大典（2022年版）", 2047),
        ("国民经济行业分类（GB/T 4754-2017）", 1771),
        ("行政区划（含经纬度）", 3348),
        ("基层服务项目资格规则", 20),
    ]:
        line = next(ln for ln in first.splitlines() if title in ln)
        numbers = [int(cell) for cell in line.replace("│", "|").split("|") if cell.strip().isdigit()]
        assert numbers[:2] == [rows, rows], line  # rows in file, all newly inserted


def test_second_load_changes_nothing(fresh: tuple[Engine, list[str]]) -> None:
    engine, outputs = fresh
    with Session(engine) as session:
        loads = list(session.scalars(select(RefLoad).order_by(RefLoad.id)))
        assert service.counts(session) == EXPECTED
        assert catalog.count_rule_sets(session) == 20
    second = loads[len(loads) // 2 :]
    assert {r.catalog for r in second} == set(service.FILES) - {"division_coordinates"}
    assert all(r.inserted == 0 and r.updated == 0 for r in second)
    line = next(ln for ln in outputs[1].splitlines() if "本科专业（2026年目录）" in ln)
    assert [int(c) for c in line.replace("│", "|").split("|") if c.strip().isdigit()] == [883, 0, 0, 883]


def test_divisions_carry_names_and_coordinates(fresh: tuple[Engine, list[str]]) -> None:
    engine, _ = fresh
    with Session(engine) as session:
        mengcheng = session.get(RefDivision, "341622")
        assert mengcheng is not None
        assert mengcheng.full_name == "安徽省亳州市蒙城县"
        assert mengcheng.parent_code == "341600"
        assert mengcheng.latitude is not None and 32 < mengcheng.latitude < 34
        assert mengcheng.longitude is not None and 116 < mengcheng.longitude < 117


def test_majors_by_code_full_name_and_short_form(fresh: tuple[Engine, list[str]]) -> None:
    engine, _ = fresh
    with Session(engine) as session:
        cat = service.major_catalog(session)

        def first(query: str) -> tuple[str, str, str]:
            hit = service.search_majors(session, query=query, catalog=cat)[0]
            return hit.major.code, hit.major.name, hit.match

        assert first("080902") == ("080902", "软件工程", "code")
        assert first("０８０９０２") == ("080902", "软件工程", "code")  # full-width digits from a form
        assert first("083201TK") == ("140001TK", "未来机器人", "old_code")  # re-coded in 2026
        assert first("软件工程") == ("080902", "软件工程", "exact")
        assert first("计科") == ("080901", "计算机科学与技术", "short_form")
        assert first("软工") == ("080902", "软件工程", "short_form")
        assert first("计算机科学") == ("080901", "计算机科学与技术", "fuzzy")
        accounting = {h.major.code: h.match for h in service.search_majors(session, query="会计", catalog=cat)}
        assert accounting["120203K"] == "short_form"  # 会计学 (本科)
        assert accounting["530302"] == "short_form"  # 大数据与会计 (高职专科)
        by_class = service.search_majors(session, query="0809", catalog=cat, limit=50)
        assert {h.match for h in by_class} == {"class"}
        assert "080902" in {h.major.code for h in by_class}
        vocational = service.search_majors(session, query="护理", level="高职专科", catalog=cat)
        assert [h.major.code for h in vocational][:1] == ["520201"]


def test_vocational_profile_gives_career_orientation(fresh: tuple[Engine, list[str]]) -> None:
    engine, _ = fresh
    with Session(engine) as session:
        major = service.get_major(session, code="510201")
        profile, occupations = service.major_profile(session, code=major.code)
        assert major.name == "计算机应用技术"
        assert profile is not None and profile.career_orientation.startswith("面向")
        assert occupations, "the 职业面向 sentence names CSCO occupations"


def test_free_text_resolves_to_codes_classes_and_disciplines(fresh: tuple[Engine, list[str]]) -> None:
    engine, _ = fresh
    with Session(engine) as session:
        resolved = service.resolve_major_terms(session, terms=["计科", "会计", "计算机类", "工学", "080902"])
        assert "080901" in resolved.majors and "080902" in resolved.majors
        assert {"120203K", "530302"} <= set(resolved.majors)
        assert {"0809", "5102"} <= set(resolved.classes)  # 计算机类 in both catalogs
        assert resolved.disciplines == ["08"]
        from services.errors import ValidationFailed

        with pytest.raises(ValidationFailed) as err:
            service.resolve_major_terms(session, terms=["计科", "量子烹饪"])
        assert "量子烹饪" in err.value.detail
