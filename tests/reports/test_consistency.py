"""附件9 agrees with the tracking domain's own per-graduate counts on the same data."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from services.reports import service
from services.tracking import service as tracking
from tests.conftest import World
from tests.reports.generator import AS_OF, Expected
from tests.tracking.factories import principal


def test_annex9_matches_trackings_counts(db: Session, world: World, generated: Expected) -> None:
    report = service.build(db, principal=principal(db, world, "city"), report="annex9", as_of=AS_OF)
    table = report.tables[0]
    ours: dict[tuple[str, int | None], int] = defaultdict(int)
    covered: dict[str, int] = defaultdict(int)
    met: dict[str, int] = defaultdict(int)
    for row in table.rows:
        ours[(row.county_code, row.cohort)] += int(row.values["registered"] or 0)
        covered[row.county_code] += int(row.values["standard_covered"] or 0)
        met[row.county_code] += int(row.values["standard_met"] or 0)
    theirs: dict[tuple[str, int | None], int] = defaultdict(int)
    for r in tracking.count_graduates(db, org_unit_ids=None, as_of=AS_OF, by=("county", "cohort")):
        theirs[(r["county"], r["cohort"])] += r["count"]
    assert {k: v for k, v in ours.items() if v} == dict(theirs)
    for r in tracking.compliance(db, org_unit_ids=None, as_of=AS_OF):
        assert covered[r["county"]] == r["covered"], r
        assert met[r["county"]] == r["compliant"], r
