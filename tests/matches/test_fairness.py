"""Protected attributes on file (ethnicity, sex, political status, health, marital status, household type of the
family, its members and the graduate) change no ranking the matches service gives, in either direction; the
comparison is shown to catch a builder that lets one of them in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.records import GraduateRecord
from services.matches import service
from services.registry import api as registry
from services.registry.models import Family, FamilyMember, Graduate
from tests.catalog.factories import principal
from tests.conftest import World
from tests.matches.factories import Built, build_world, perturb_protected

Rankings = tuple[dict[int, list[tuple[int, float]]], list[tuple[int, float]]]


def rankings(session: Session, world: World, built: Built) -> Rankings:
    """Every graduate's positions and the software position's candidates, with scores, as the routes get them."""
    staff = principal(session, world, "city")
    positions = {
        g.id: [
            (m.position_id, m.score)
            for m in service.graduate_matches(session, principal=staff, graduate_id=g.id, limit=50).items
        ]
        for g in built.graduates
    }
    page = service.position_candidates(session, principal=staff, position_id=built.software_position_id, limit=50)
    return positions, [(c.graduate_id, c.score) for c in page.items]


def protected_on_file(session: Session) -> list[tuple[Any, ...]]:
    return [
        *session.execute(select(Graduate.id, Graduate.sex, Graduate.ethnicity)).all(),
        *session.execute(
            select(
                Family.id,
                Family.sex,
                Family.ethnicity,
                Family.political_status,
                Family.marital_status,
                Family.household_type,
                Family.health_status_bidx,
            )
        ).all(),
        *session.execute(
            select(
                FamilyMember.id,
                FamilyMember.sex,
                FamilyMember.political_status,
                FamilyMember.marital_status,
                FamilyMember.household_type,
            )
        ).all(),
    ]


def perturbed(session: Session, seed: int) -> None:
    before = protected_on_file(session)
    assert perturb_protected(session, seed=seed) >= 24
    session.commit()
    after = protected_on_file(session)
    assert len(after) == len(before) and all(a != b for a, b in zip(before, after, strict=True))


def test_perturbing_protected_attributes_changes_no_ranking(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_world(db, world)
    before = rankings(db, world, built)
    assert before[1] and all(before[0].values()), "every graduate is ranked, the position has candidates"
    perturbed(db, seed=1)
    assert rankings(db, world, built) == before

    # The same comparison catches a record builder that feeds the stored sex into a feature (hardship here).
    honest: Callable[..., GraduateRecord] = service.graduate_record

    def leaky(profile: registry.GraduateProfile, **kw: Any) -> GraduateRecord:
        sex = db.scalar(select(Graduate.sex).where(Graduate.id == profile.id))
        return dataclasses.replace(honest(profile, **kw), hardship=sex == "女")

    monkeypatch.setattr(service, "graduate_record", leaky)
    perturbed(db, seed=2)
    leaked_before = rankings(db, world, built)
    perturbed(db, seed=3)
    leaked_after = rankings(db, world, built)
    assert leaked_after[0] != leaked_before[0]
    assert leaked_after[1] != leaked_before[1]
