"""Seeds for the enterprise's and union staff's console tests: a verified employer with an open position and a
graduate who applied to it (through tracking.flows, as the graduate), a hardship family behind the graduate, and
import workbooks with or without one bad row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.catalog.models import Employer, Position
from services.registry.models import Family, Graduate
from services.tracking import flows
from services.tracking.models import Application
from tests.catalog import factories as catalog_factories
from tests.conftest import World
from tests.matches.factories import make_employer, make_family, make_graduate, make_position
from tests.registry import factories as registry_factories
from tests.registry.test_import import workbook
from tests.tracking.factories import principal


@dataclass(slots=True)
class Hiring:
    employer: Employer
    position: Position
    graduate: Graduate
    family: Family
    application: Application


def hiring(db: Session, world: World, *, name: str = "陈晓") -> Hiring:
    """enterprise_a's verified employer, an open 软件 job in 蒙城县 and graduate_a (from a hardship family,
    visible to enterprises) who applied to it."""
    catalog_factories.ensure_reference(db)
    employer = make_employer(db, world, account="enterprise_a")
    position = make_position(db, world, employer=employer, title="Java开发工程师", major_classes=["5102"], headcount=2)
    family = make_family(db, world)
    graduate = make_graduate(
        db, world, name=name, user_id=world.users["graduate_a"], family=family, enterprise_visible=True
    )
    db.flush()
    application = flows.apply(db, principal=principal(db, world, "graduate_a"), position_id=position.id)
    db.commit()
    return Hiring(employer, position, graduate, family, application)


def sheets_with_one_bad_row(household_type: str | None = None) -> tuple[bytes, bytes, list[dict[str, Any]]]:
    """An 附件3 sheet of three families whose second head has an ID number with a wrong check digit, the same
    sheet corrected, and the corrected rows; ``household_type``: the first family's 户口类型 in the clerk's
    own wording, in both sheets."""
    good = [registry_factories.family_fields() for _ in range(3)]
    if household_type is not None:
        good[0]["household_type"] = household_type
    valid = str(good[1]["id_number"])
    wrong = valid[:17] + ("0" if valid[17] == "X" else str((int(valid[17]) + 1) % 10))
    bad = [dict(r) for r in good]
    bad[1]["id_number"] = wrong
    return workbook(bad), workbook(good), good
