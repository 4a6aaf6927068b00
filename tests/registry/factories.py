"""Builders for registry records: valid synthetic people (demo convention: real county codes, sequence codes
990–999, valid check digits), archives with members, students and graduates, consents."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from benchmarks import bench_import as bench
from services.orgs import service as orgs
from services.registry import checks, families, graduates, lookups
from services.registry.models import Consent, Family, Graduate
from services.security.principal import Principal

PEOPLE = bench.People(seed=random.randrange(1_000_000))
_SEQ = itertools.count(1)
COUNTY_DIVISION = {"BZ-MC": "341622", "BZ-GY": "341621"}


def system(org_unit_id: int | None = None) -> Principal:
    """A principal that sees everything (test setup only)."""
    return Principal(user_id=0, username="setup", role="admin", org_unit_id=org_unit_id, scope=None)


def scope_of(session: Session, org_unit_id: int) -> frozenset[int]:
    return orgs.subtree_ids(session, org_unit_id=org_unit_id)


def new_id(*, born: date | None = None, female: bool = False, county: str = "341622") -> str:
    return PEOPLE.resident_id(county=county, birth=born or PEOPLE.birth(1970, 1990), female=female)


def family_fields(**overrides: Any) -> dict[str, Any]:
    """The fields of an 附件3 archive as a clerk types them (names of options, not codes)."""
    row = bench.family_row(PEOPLE, next(_SEQ))
    row.pop("sex", None)
    row["archive_type"] = "城镇困难职工"
    row["work_status"] = "在岗"
    row["work_start_date"] = "2001-03-01"
    row.pop("contract_signed_on", None)
    row.pop("contract_term", None)
    row.update(overrides)
    return row


def member_fields(head_id: str, *, child: bool = True, **overrides: Any) -> dict[str, Any]:
    row = bench.member_row(
        PEOPLE, {"id_number": head_id, "ethnicity": "汉族", "household_type": "城镇户口"}, child=child
    )
    row.pop("head_id_number")
    row.update(overrides)
    return row


def make_family(session: Session, *, org_unit_id: int, members: int = 0, **overrides: Any) -> Family:
    fields = family_fields(**overrides)
    member_rows = [member_fields(fields["id_number"]) for _ in range(members)]
    return families.create_family(session, principal=system(), org_unit_id=org_unit_id, raw=fields, members=member_rows)


def graduate_fields(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": PEOPLE.name(),
        "id_number": new_id(born=PEOPLE.birth(2000, 2002)),
        "service_category": "5",
        "stage": "毕业生",
        "school_kind": "普通本科高校",
        "school_name": "安徽大学",
        "major": "软件工程",
        "education": "大学本科",
        "cohort": 2023,
        "intentions": ["job"],
        "preferred_places": ["341622"],
    }
    row.update(overrides)
    return row


def make_graduate(
    session: Session, *, org_unit_id: int, user_id: int | None = None, family: Family | None = None, **overrides: Any
) -> Graduate:
    fields = graduate_fields(**overrides)
    if family is not None:
        fields.setdefault("family_head_id_number", lookups.family_head_id(family))
        fields["service_category"] = overrides.get("service_category", "1")
    graduate = graduates.create_graduate(session, principal=system(), org_unit_id=org_unit_id, raw=fields)
    if user_id is not None:
        graduate.user_id = user_id
        session.flush()
    return graduate


def make_consent(session: Session, *, family: Family, signed_on: date | None = None) -> Consent:
    head = lookups.family_head_id(family)
    return checks.record_consent(
        session,
        principal=system(),
        family=family,
        purpose="金秋助学",
        signed_on=signed_on or date(2023, 7, 10),
        handler_name="王芳",
        grassroots_union="蒙城县城关街道工会",
        phone="17000001234",
        people=[checks.CoveredPerson(family.name, "本人", head)],
    )


def api_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The same values as JSON for the API: lists as lists, yes/no as booleans."""
    body = dict(fields)
    for key in ("secondary_causes", "intentions", "preferred_places", "skills"):
        if isinstance(body.get(key), str):
            body[key] = [p for p in body[key].replace("，", "、").replace(",", "、").split("、") if p]
    for key in ("single_parent", "self_help_ability", "enterprise_visible"):
        if isinstance(body.get(key), str):
            body[key] = body[key] == "是"
    return {k: v for k, v in body.items() if v is not None}
