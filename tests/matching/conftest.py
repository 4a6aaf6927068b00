"""Fixtures for the matching library: catalogs loaded once per session, a small synthetic world."""

from __future__ import annotations

from datetime import date

import pytest

from matching.catalogs import Catalogs, load_catalogs
from matching.index import MatchIndex
from matching.records import GraduateRecord, PositionRecord
from matching.synth import Generator
from matching.text import default_bridge, default_space
from services.refdata.service import default_data_dir

TODAY = date(2024, 6, 1)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    cats = load_catalogs(default_data_dir())
    default_space(cats)
    default_bridge(cats)
    return cats


@pytest.fixture(scope="session")
def world(catalogs: Catalogs) -> tuple[list[PositionRecord], list[GraduateRecord]]:
    gen = Generator(catalogs, seed=11, today=TODAY)
    return gen.positions(800), gen.graduates(120)


@pytest.fixture(scope="session")
def index(catalogs: Catalogs, world: tuple[list[PositionRecord], list[GraduateRecord]]) -> MatchIndex:
    return MatchIndex(world[0], catalogs)
