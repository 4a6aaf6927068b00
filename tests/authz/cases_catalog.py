"""Matrix entries for the reference catalogs, employers, positions, program rules and job fairs.

Relations: ``own`` is the actor's own employer (for an enterprise; for other actors an object in county A),
``same`` another object in county A, ``other`` an object in county B. Positions are built as drafts, so
only their managers may see them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from services.catalog.models import Employer, JobFairPosition
from tests.authz.matrix import Call, Relation, all_roles, case
from tests.catalog import factories as f
from tests.conftest import World

EVERYONE = all_roles()
STAFF_ALL = {"admin": "*", "city": "*"}
MANAGERS = {**STAFF_ALL, "county_a": {"own", "same"}, "enterprise_a": {"own"}}
STAFF_SCOPED = {**STAFF_ALL, "county_a": {"own", "same"}}


def _employer(session: Session, world: World, actor: str, relation: Relation) -> Employer:
    if relation == "own" and actor == "enterprise_a":
        return f.make_employer(session, world, side="a", account="enterprise_a")
    return f.make_employer(session, world, side="b" if relation == "other" else "a")


def _side(relation: Relation) -> str:
    return "b" if relation == "other" else "a"


def _search_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    return Call(params={"q": "软工"})


def _major_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    return Call(path_params={"code": "080902"})


def _register_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    return Call(json=f.employer_payload(), ok=frozenset({201}))


def _staff_employer_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    return Call(json={**f.employer_payload(), "org_unit_id": f.org_id(world, _side(relation))}, ok=frozenset({201}))


def _employer_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"employer_id": _employer(session, world, actor, relation).id})


def _employer_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    employer = _employer(session, world, actor, relation)
    return Call(path_params={"employer_id": employer.id}, json={"address": "蒙城县新城区1号"})


def _review_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    employer = _employer(session, world, actor, relation)
    employer.status = "pending"
    session.flush()
    return Call(path_params={"employer_id": employer.id}, json={"approve": True, "note": "材料齐全"})


def _create_position_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    employer = _employer(session, world, actor, relation)
    return Call(json=f.position_payload(employer_id=employer.id), ok=frozenset({201}))


def _draft(session: Session, world: World, actor: str, relation: Relation) -> int:
    employer = _employer(session, world, actor, relation)
    return f.make_position(session, world, employer=employer, status="draft").id


def _position_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"position_id": _draft(session, world, actor, relation)})


def _position_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"position_id": _draft(session, world, actor, relation)}, json={"title": "药品检验员"})


def _rule_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"rule_set_id": f.make_rule_set(session).id})


def _create_rule_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    body = {
        "program": "tegang",
        "program_name": "特岗计划",
        "year": 2025,
        "province_code": "340000",
        "min_education": "bachelor",
        "max_age": 30,
        "required_flags": ["teacher_cert"],
    }
    return Call(json=body, ok=frozenset({201}))


def _create_fair_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    f.ensure_reference(session)
    body = {
        "title": "蒙城县暖心招聘会",
        "mode": "on_site",
        "starts_at": (date.today() + timedelta(days=7)).isoformat() + "T09:00:00+08:00",
        "venue": "蒙城县人力资源市场",
        "organiser": "蒙城县总工会",
        "org_unit_id": f.org_id(world, _side(relation)),
    }
    return Call(json=body, ok=frozenset({201}))


def _fair_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"job_fair_id": f.make_fair(session, world, side=_side(relation)).id})


def _fair_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    fair = f.make_fair(session, world, side=_side(relation))
    return Call(path_params={"job_fair_id": fair.id}, json={"venue": "蒙城县体育馆"})


def _fair_add(session: Session, world: World, actor: str, relation: Relation) -> Call:
    side = _side(relation)
    fair = f.make_fair(session, world, side=side)
    position = f.make_position(session, world, employer=f.make_employer(session, world, side=side))
    return Call(path_params={"job_fair_id": fair.id}, json={"position_ids": [position.id]})


def _fair_remove(session: Session, world: World, actor: str, relation: Relation) -> Call:
    side = _side(relation)
    fair = f.make_fair(session, world, side=side)
    position = f.make_position(session, world, employer=f.make_employer(session, world, side=side))
    session.add(JobFairPosition(job_fair_id=fair.id, position_id=position.id))
    session.flush()
    return Call(path_params={"job_fair_id": fair.id, "position_id": position.id}, ok=frozenset({204}))


# reference catalogs: every signed-in role reads them
case("GET", "/api/v1/refdata/majors", allowed=EVERYONE, relations=("none",), build=_search_call)
case("GET", "/api/v1/refdata/majors/{code}", allowed=EVERYONE, relations=("none",), build=_major_call)
case("GET", "/api/v1/refdata/divisions", allowed=EVERYONE)
case("GET", "/api/v1/refdata/industries", allowed=EVERYONE)
case("GET", "/api/v1/refdata/occupations", allowed=EVERYONE)
case("GET", "/api/v1/refdata/counts", allowed=EVERYONE)

# employers
case("POST", "/api/v1/employers/register", allowed={"enterprise_a": "*"}, relations=("none",), build=_register_call)
case(
    "POST",
    "/api/v1/employers",
    allowed={**STAFF_ALL, "county_a": {"same"}},
    relations=("same", "other"),
    build=_staff_employer_call,
)
case("GET", "/api/v1/employers", allowed={**STAFF_ALL, "county_a": "*", "enterprise_a": "*"})
case("GET", "/api/v1/employers/{employer_id}", allowed=MANAGERS, build=_employer_call)
case("PATCH", "/api/v1/employers/{employer_id}", allowed=MANAGERS, build=_employer_patch)
case("POST", "/api/v1/employers/{employer_id}/review", allowed=STAFF_SCOPED, build=_review_call)

# positions
case("POST", "/api/v1/positions", allowed=MANAGERS, build=_create_position_call)
case("GET", "/api/v1/positions", allowed=EVERYONE)
case("GET", "/api/v1/positions/{position_id}", allowed=MANAGERS, build=_position_call)
case("PATCH", "/api/v1/positions/{position_id}", allowed=MANAGERS, build=_position_patch)
case("POST", "/api/v1/positions/{position_id}/publish", allowed=MANAGERS, build=_position_call)
case("POST", "/api/v1/positions/{position_id}/close", allowed=MANAGERS, build=_position_call)

# program rules: everyone reads; city staff and admin publish
case("GET", "/api/v1/program-rules", allowed=EVERYONE)
case("GET", "/api/v1/program-rules/{rule_set_id}", allowed=EVERYONE, relations=("none",), build=_rule_call)
case("POST", "/api/v1/program-rules", allowed=STAFF_ALL, relations=("none",), build=_create_rule_call)

# job fairs: everyone reads; staff manage those of their scope
case("GET", "/api/v1/job-fairs", allowed=EVERYONE)
case(
    "POST",
    "/api/v1/job-fairs",
    allowed={**STAFF_ALL, "county_a": {"same"}},
    relations=("same", "other"),
    build=_create_fair_call,
)
case("GET", "/api/v1/job-fairs/{job_fair_id}", allowed=EVERYONE, relations=("same", "other"), build=_fair_call)
case(
    "PATCH",
    "/api/v1/job-fairs/{job_fair_id}",
    allowed={**STAFF_ALL, "county_a": {"same"}},
    relations=("same", "other"),
    build=_fair_patch,
)
case(
    "POST",
    "/api/v1/job-fairs/{job_fair_id}/positions",
    allowed={**STAFF_ALL, "county_a": {"same"}},
    relations=("same", "other"),
    build=_fair_add,
)
case(
    "DELETE",
    "/api/v1/job-fairs/{job_fair_id}/positions/{position_id}",
    allowed={**STAFF_ALL, "county_a": {"same"}},
    relations=("same", "other"),
    build=_fair_remove,
)
case("GET", "/api/v1/catalog/version", allowed=EVERYONE)
