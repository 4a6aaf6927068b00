"""The county of a unit read inside another statement names the same county as :func:`county_of`; a unit's
subtree read in one statement holds the units under it."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from services.errors import NotFound
from services.orgs import service as orgs
from services.orgs.models import OrgKind, OrgUnit
from tests.conftest import World


def test_county_division_in_sql_agrees_with_county_of_for_every_unit(db: Session, world: World) -> None:
    city = db.get(OrgUnit, world.orgs["BZ"])
    assert city is not None
    loose = OrgUnit(  # a unit straight under the city: no county above it, its own division
        code="T-LOOSE", name="市属学校", kind=OrgKind.GRASSROOTS, parent_id=city.id, division_code="341699", path=""
    )
    db.add(loose)
    db.flush()
    loose.path = f"{city.path}{loose.id}/"
    db.flush()
    units = list(db.scalars(select(OrgUnit)))
    assert {u.kind for u in units} >= {OrgKind.CITY, OrgKind.COUNTY, OrgKind.GRASSROOTS}
    for unit in units:
        in_sql = db.scalar(select(orgs.county_division_of(literal(unit.id))))
        assert in_sql == orgs.county_of(db, org_unit_id=unit.id).division_code, unit.code
    assert db.scalar(select(orgs.county_division_of(literal(loose.id)))) == "341699"
    mengcheng = db.scalar(select(orgs.county_division_of(literal(world.orgs["BZ-MC-01"]))))
    assert mengcheng == orgs.county_of(db, org_unit_id=world.orgs["BZ-MC"]).division_code


def test_a_subtree_is_the_unit_and_every_unit_whose_path_starts_with_its_path(db: Session, world: World) -> None:
    units = list(db.scalars(select(OrgUnit)))
    for unit in units:
        expected = {u.id for u in units if u.path.startswith(unit.path)}
        assert orgs.subtree_ids(db, org_unit_id=unit.id) == expected, unit.code
    county = orgs.subtree_ids(db, org_unit_id=world.orgs["BZ-MC"])
    assert world.orgs["BZ-MC-01"] in county and world.orgs["BZ"] not in county
    with pytest.raises(NotFound):
        orgs.subtree_ids(db, org_unit_id=max(u.id for u in units) + 1)
