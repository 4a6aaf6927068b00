"""Matrix entries for the vocational path: a 两后生's track (registry) and 金牌蓝领 pairings (catalog) with their
students (tracking).

``own``: for an enterprise, a pairing of its own employer (in county A); for the union side, as ``same``: a record
of county A; ``other``: one of county B (a pairing of county B's union with another employer)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from services.catalog.pairings import GoldenPairing
from services.clock import local_today
from services.registry.models import Graduate
from services.registry.vocational import VocationalTrack
from services.tracking.pairings import PairingStudent
from tests.authz.cases_assistance import ALL_UNION, STAFF_IN_SCOPE
from tests.authz.cases_tracking import IN_SCOPE
from tests.authz.matrix import Call, Relation, case
from tests.conftest import World
from tests.tracking.factories import make_employer, make_graduate, security_employer

SCHOOL = "蒙城县中等职业学校"
R = "/api/v1/registry/graduates/{graduate_id}/vocational-tracks"
P = "/api/v1/golden-pairings"
READERS: dict[str, set[Relation] | str] = {**IN_SCOPE, "enterprise_a": {"own"}}


def _two_after(session: Session, world: World, relation: Relation) -> Graduate:
    grad = make_graduate(session, world, side="b" if relation == "other" else "a")
    grad.service_category, grad.education, grad.school_kind = "4", "71", "03"
    session.flush()
    return grad


def _student(session: Session, world: World, relation: Relation) -> Graduate:
    grad = make_graduate(session, world, side="b" if relation == "other" else "a")
    grad.stage, grad.school_kind, grad.education, grad.school_name = "student", "05", "41", SCHOOL
    session.flush()
    return grad


def _track(session: Session, world: World, relation: Relation) -> VocationalTrack:
    grad = _two_after(session, world, relation)
    row = VocationalTrack(
        graduate_id=grad.id,
        org_unit_id=grad.org_unit_id,
        kind="training",
        status="enrolled",
        programme="电工（初级）",
        provider="职业技能培训中心",
        starts_on=local_today() - timedelta(days=30),
    )
    session.add(row)
    session.flush()
    return row


def _pairing(session: Session, world: World, actor: str, relation: Relation, org: str | None = None) -> GoldenPairing:
    if relation == "own":
        employer_id = security_employer(session, world, "enterprise_a")
        if employer_id is None:
            employer_id = make_employer(session, world, side="a", account_key="enterprise_a").id
    else:
        employer_id = make_employer(session, world, side="b" if relation == "other" else "a").id
    today = local_today()
    row = GoldenPairing(
        org_unit_id=world.orgs[org or ("BZ-GY" if relation == "other" else "BZ-MC")],
        number=f"JPLL-{relation}-{employer_id}-{actor}-{today:%j}-{id(object())}"[:60],
        school_name=SCHOOL,
        school_kind="05",
        employer_id=employer_id,
        majors="",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=500),
        terms="助学、实习、就业",
        headcount=50,
        aid_per_student=Decimal("2000.00"),
    )
    session.add(row)
    session.flush()
    return row


def _pairing_student(session: Session, world: World, actor: str, relation: Relation) -> PairingStudent:
    pairing = _pairing(session, world, actor, "same", org="BZ")
    grad = _student(session, world, relation)
    row = PairingStudent(
        pairing_id=pairing.id,
        graduate_id=grad.id,
        org_unit_id=grad.org_unit_id,
        state="joined",
        joined_on=local_today() - timedelta(days=60),
    )
    session.add(row)
    session.flush()
    return row


def _list_tracks(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"graduate_id": _two_after(session, world, relation).id})


def _add_track(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {
        "kind": "training",
        "programme": "电工（初级）",
        "provider": "职业技能培训中心",
        "starts_on": (local_today() - timedelta(days=10)).isoformat(),
    }
    return Call(path_params={"graduate_id": _two_after(session, world, relation).id}, json=body, ok=frozenset({201}))


def _move_track(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _track(session, world, relation)
    body = {"to": "dropped", "on": local_today().isoformat(), "outcome_note": "外出务工"}
    return Call(path_params={"graduate_id": row.graduate_id, "track_id": row.id}, json=body)


def _create_pairing(session: Session, world: World, actor: str, relation: Relation) -> Call:
    employer = make_employer(session, world, side="a")
    today = local_today()
    body = {
        "org_unit_id": world.orgs["BZ-GY" if relation == "other" else "BZ-MC"],
        "number": f"JPLL-NEW-{employer.id}",
        "school_name": SCHOOL,
        "school_kind": "05",
        "employer_id": employer.id,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat(),
        "terms": "助学、实习、就业",
        "headcount": 10,
        "aid_per_student": "2000.00",
    }
    return Call(json=body, ok=frozenset({201}))


def _get_pairing(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"pairing_id": _pairing(session, world, actor, relation).id})


def _add_student(session: Session, world: World, actor: str, relation: Relation) -> Call:
    pairing = _pairing(session, world, actor, "same", org="BZ")
    grad = _student(session, world, relation)
    return Call(path_params={"pairing_id": pairing.id}, json={"graduate_id": grad.id}, ok=frozenset({201}))


def _internship(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _pairing_student(session, world, actor, relation)
    body = {"kind": "follow", "post": "操作工", "starts_on": (local_today() - timedelta(days=5)).isoformat()}
    return Call(path_params={"student_id": row.id}, json=body, ok=frozenset({201}))


def _aid(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _pairing_student(session, world, actor, relation)
    body = {"amount": "1000.00", "paid_on": local_today().isoformat()}
    return Call(path_params={"student_id": row.id}, json=body, ok=frozenset({201}))


def _move_student(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _pairing_student(session, world, actor, relation)
    body = {"to": "left", "on": local_today().isoformat(), "reason": "转学"}
    return Call(path_params={"student_id": row.id}, json=body)


case("GET", R, build=_list_tracks, allowed=IN_SCOPE)
case("POST", R, build=_add_track, allowed=IN_SCOPE)
case("POST", R + "/{track_id}/moves", build=_move_track, allowed=IN_SCOPE)
case("POST", P, build=_create_pairing, allowed=STAFF_IN_SCOPE)
case("GET", P, allowed={**ALL_UNION, "enterprise_a": "*"})
case("GET", P + "/{pairing_id}", build=_get_pairing, allowed=READERS)
case("GET", P + "/{pairing_id}/students", build=_get_pairing, allowed=READERS)
case("POST", P + "/{pairing_id}/students", build=_add_student, allowed=IN_SCOPE)
case("POST", P + "/students/{student_id}/internships", build=_internship, allowed=IN_SCOPE)
case("POST", P + "/students/{student_id}/aid", build=_aid, allowed=IN_SCOPE)
case("POST", P + "/students/{student_id}/moves", build=_move_student, allowed=IN_SCOPE)
