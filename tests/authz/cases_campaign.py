"""Matrix entries for the campaign records: staff only; a county clerk reads and writes its own county's survey and
reports, never another county's (404); the city and admin read every county's and send one back, but do not fill
in a county's; the deadlines are the city's to set."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from services.reports.campaign import narratives
from services.reports.campaign_models import CountySurvey, FilingStatus
from tests.authz.matrix import Call, Relation, case
from tests.conftest import COUNTY, World
from tests.tracking.factories import principal

YEAR = 2023
RELATIONS: tuple[Relation, ...] = ("same", "other")
NONE: tuple[Relation, ...] = ("none",)
STAFF_ALL = {"admin": "*", "city": "*", "county_a": "*"}
STAFF_SAME = {"admin": "*", "city": "*", "county_a": {"same"}}
OWN_CLERK = {"county_a": {"same"}}
CITY = {"admin": "*", "city": "*"}
SURVEY = {"aid_persons": {"archived_compulsory": 3}, "archived_amount": "6000", "job_seekers": 2}
SECTIONS = {"work_done": "甲", "practices": "乙", "problems": "丙", "next_steps": "丁"}


def _side(relation: Relation) -> str:
    return "a" if relation == "same" else "b"


def _survey(session: Session, world: World, relation: Relation, status: str = FilingStatus.DRAFT) -> CountySurvey:
    row = CountySurvey(
        org_unit_id=world.orgs[COUNTY[_side(relation)]],
        year=YEAR,
        status=status,
        aid_persons={"archived_compulsory": 3},
        archived_amount=Decimal("6000.00"),
    )
    session.add(row)
    session.flush()
    return row


def _year_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(params={"year": YEAR})


def _county_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _survey(session, world, relation)
    return Call(path_params={"county_id": world.orgs[COUNTY[_side(relation)]], "year": YEAR})


def _put_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"county_id": world.orgs[COUNTY[_side(relation)]], "year": YEAR}, json=SURVEY)


def _submit_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"survey_id": _survey(session, world, relation).id})


def _return_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _survey(session, world, relation, FilingStatus.SUBMITTED)
    return Call(path_params={"survey_id": row.id}, json={"reason": "请核对人数"})


def _report(session: Session, world: World, relation: Relation, *, submitted: bool = False) -> int:
    clerk = principal(session, world, f"county_{_side(relation)}")
    report = narratives.create(session, principal=clerk, year=YEAR, kind="stage")
    if submitted:
        narratives.write(session, principal=clerk, report_id=report.id, sections=SECTIONS)
        narratives.submit(session, principal=clerk, report_id=report.id)
    return report.id


def _report_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"report_id": _report(session, world, relation)})


def _write_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"report_id": _report(session, world, relation)}, json={"sections": SECTIONS})


def _submit_report_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    report_id = _report(session, world, relation)
    clerk = principal(session, world, f"county_{_side(relation)}")
    narratives.write(session, principal=clerk, report_id=report_id, sections=SECTIONS)
    return Call(path_params={"report_id": report_id})


def _return_report_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"report_id": _report(session, world, relation, submitted=True)}, json={"reason": "补充"})


def _create_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json={"year": YEAR, "kind": "final"}, ok=frozenset({201}))


def _experience_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json={"year": YEAR, "title": "结对帮扶", "body": "做法"}, ok=frozenset({201}))


def _deadline_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    from services.reports.campaign import deadlines

    row = deadlines.ensure_year(session, year=YEAR)[0]
    return Call(path_params={"deadline_id": row.id}, json={"remind_days_before": 5})


P = "/api/v1/reports"
case("GET", f"{P}/surveys", relations=NONE, build=_year_call, allowed=STAFF_ALL)
case("GET", f"{P}/surveys/{{county_id}}/{{year}}", relations=RELATIONS, build=_county_call, allowed=STAFF_SAME)
case("PUT", f"{P}/surveys/{{county_id}}/{{year}}", relations=RELATIONS, build=_put_call, allowed=OWN_CLERK)
case("POST", f"{P}/surveys/{{survey_id}}/submit", relations=RELATIONS, build=_submit_call, allowed=OWN_CLERK)
case("POST", f"{P}/surveys/{{survey_id}}/return", relations=RELATIONS, build=_return_call, allowed=CITY)
case("GET", f"{P}/narratives", relations=NONE, build=_year_call, allowed=STAFF_ALL)
case("POST", f"{P}/narratives", relations=NONE, build=_create_call, allowed=STAFF_ALL)
case("GET", f"{P}/narratives/{{report_id}}", relations=RELATIONS, build=_report_call, allowed=STAFF_SAME)
case("PATCH", f"{P}/narratives/{{report_id}}", relations=RELATIONS, build=_write_call, allowed=OWN_CLERK)
case("POST", f"{P}/narratives/{{report_id}}/refresh", relations=RELATIONS, build=_report_call, allowed=OWN_CLERK)
case("POST", f"{P}/narratives/{{report_id}}/submit", relations=RELATIONS, build=_submit_report_call, allowed=OWN_CLERK)
case("POST", f"{P}/narratives/{{report_id}}/return", relations=RELATIONS, build=_return_report_call, allowed=CITY)
case("GET", f"{P}/narratives/{{report_id}}/document", relations=RELATIONS, build=_report_call, allowed=STAFF_SAME)
case("GET", f"{P}/narratives/{{report_id}}/figures", relations=RELATIONS, build=_report_call, allowed=STAFF_SAME)
case("GET", f"{P}/experiences", relations=NONE, build=_year_call, allowed=STAFF_ALL)
case("POST", f"{P}/experiences", relations=NONE, build=_experience_call, allowed=STAFF_ALL)
case("GET", f"{P}/deadlines", relations=NONE, build=_year_call, allowed=STAFF_ALL)
case("PATCH", f"{P}/deadlines/{{deadline_id}}", relations=NONE, build=_deadline_call, allowed=CITY)
