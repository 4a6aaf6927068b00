"""employment_rate_by_county: every county's history points at once, equal to employment_rate_series per county."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services.reports import service
from services.tracking import flows
from tests.conftest import World
from tests.matches.factories import make_graduate
from tests.tracking.factories import principal
from tests.web.staff import hiring


def test_the_per_county_rates_agree_with_the_series_of_each_county(db: Session, world: World) -> None:
    h = hiring(db, world)
    make_graduate(db, world, side="b")
    enterprise = principal(db, world, "enterprise_a")
    flows.move(db, principal=enterprise, application_id=h.application.id, to_state="offered")
    flows.move(db, principal=principal(db, world, "graduate_a"), application_id=h.application.id, to_state="signed")
    flows.move(db, principal=enterprise, application_id=h.application.id, to_state="signed")
    db.commit()
    city = principal(db, world, "city")
    today = service.today()
    start = today - timedelta(days=40)
    by_county = service.employment_rate_by_county(db, principal=city, start=start, end=today)
    assert set(by_county) == {world.orgs["BZ-MC"], world.orgs["BZ-GY"]}
    for county_id, points in by_county.items():
        expected = [
            p
            for p in service.employment_rate_series(db, principal=city, start=start, end=today, county_id=county_id)
            if p.source == "history" and p.registered
        ]
        assert [(p.as_of, p.registered, p.placed, p.rate) for p in points] == [
            (p.as_of, p.registered, p.placed, p.rate) for p in expected
        ]
    mengcheng = by_county[world.orgs["BZ-MC"]][-1]
    assert (mengcheng.registered, mengcheng.placed) == (1, 1)
    county = principal(db, world, "county_a")
    assert set(service.employment_rate_by_county(db, principal=county, start=start, end=today)) == {world.orgs["BZ-MC"]}
