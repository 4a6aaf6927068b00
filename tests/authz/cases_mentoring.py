"""Matrix entries for mentors and one-to-one pairings (一帮一结对), entrepreneurship projects, 创新创业大赛, their
entries and screening, and the support a project was given.

The union side (counselors and staff) reads and serves the records of its scope; registering a mentor or a contest,
pausing a mentor, screening an entry and recording support are for staff only. Graduates and enterprises see none
of it. ``own``: graduate_a's own record (for a mentor or a contest, as ``same``); ``same``: a record of county A;
``other``: one of county B."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services.clock import local_today
from services.tracking.mentor_models import Contest, ContestEntry, Mentor, MentorPairing, Venture
from tests.authz.cases_assistance import ALL_UNION, STAFF_IN_SCOPE
from tests.authz.cases_tracking import IN_SCOPE, _graduate
from tests.authz.matrix import Call, Relation, case
from tests.conftest import World

T = "/api/v1/tracking"


def _county(relation: Relation) -> str:
    return "BZ-GY" if relation == "other" else "BZ-MC"


def _mentor(session: Session, world: World, org: str) -> Mentor:
    row = Mentor(
        org_unit_id=world.orgs[org], name="王师傅", kind="craftsman", unit="亳州某中药饮片有限公司", field="中药材炮制"
    )
    session.add(row)
    session.flush()
    return row


def _venture(session: Session, world: World, relation: Relation) -> Venture:
    grad = _graduate(session, world, relation)
    row = Venture(
        graduate_id=grad.id,
        org_unit_id=grad.org_unit_id,
        name="亳芍花茶网店",
        kind="online",
        state="planning",
        description="在电商平台销售本地花草茶",
        recorded_on=local_today() - timedelta(days=20),
    )
    session.add(row)
    session.flush()
    return row


def _pairing(session: Session, world: World, relation: Relation) -> MentorPairing:
    grad = _graduate(session, world, relation)
    row = MentorPairing(
        mentor_id=_mentor(session, world, "BZ").id,
        graduate_id=grad.id,
        org_unit_id=grad.org_unit_id,
        kind="help",
        state="active",
        started_on=local_today() - timedelta(days=30),
    )
    session.add(row)
    session.flush()
    return row


def _contest(session: Session, world: World, org: str) -> Contest:
    row = Contest(
        org_unit_id=world.orgs[org],
        year=local_today().year,
        name=f"困难职工家庭高校毕业生创新创业大赛（{org}）",
        organiser="工会、人力资源和社会保障局",
        criteria=[{"code": "1", "label": "基础条件好"}, {"code": "2", "label": "市场前景广"}],
        entries_close_on=local_today() + timedelta(days=30),
    )
    session.add(row)
    session.flush()
    return row


def _entry(session: Session, world: World, relation: Relation) -> ContestEntry:
    """An entry of a project of ``relation`` in a contest organised by that project's county."""
    venture = _venture(session, world, relation)
    contest = _contest(session, world, _county(relation))
    row = ContestEntry(
        contest_id=contest.id,
        venture_id=venture.id,
        graduate_id=venture.graduate_id,
        org_unit_id=venture.org_unit_id,
        state="submitted",
        submitted_on=local_today() - timedelta(days=5),
    )
    session.add(row)
    session.flush()
    return row


# ---- mentors ---------------------------------------------------------------------------------------------


def _create_mentor(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {
        "org_unit_id": world.orgs[_county(relation)],
        "name": "李劳模",
        "kind": "model_worker",
        "unit": "蒙城县某机械厂",
        "field": "数控加工",
        "contact_phone": "13955667788",
    }
    return Call(json=body, ok=frozenset({201}))


def _get_mentor(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"mentor_id": _mentor(session, world, _county(relation)).id})


def _mentor_active(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"mentor_id": _mentor(session, world, _county(relation)).id}, json={"active": False})


# ---- pairings --------------------------------------------------------------------------------------------


def _create_pairing(session: Session, world: World, actor: str, relation: Relation) -> Call:
    grad = _graduate(session, world, relation)
    mentor = _mentor(session, world, "BZ")  # a city mentor serves every county
    body = {"mentor_id": mentor.id, "graduate_id": grad.id, "kind": "help", "goal": "每月联系一次"}
    return Call(json=body, ok=frozenset({201}))


def _get_pairing(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"pairing_id": _pairing(session, world, relation).id})


def _add_contact(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"contacted_on": local_today().isoformat(), "channel": "phone", "summary": "介绍了本地药企的招聘情况"}
    return Call(path_params={"pairing_id": _pairing(session, world, relation).id}, json=body, ok=frozenset({201}))


def _outcome(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"to": "employed", "on": local_today().isoformat(), "employer_name": "亳州某中药饮片有限公司"}
    return Call(path_params={"pairing_id": _pairing(session, world, relation).id}, json=body)


# ---- projects --------------------------------------------------------------------------------------------


def _create_venture(session: Session, world: World, actor: str, relation: Relation) -> Call:
    grad = _graduate(session, world, relation)
    body = {
        "graduate_id": grad.id,
        "name": "涡河返乡养殖场",
        "kind": "returning",
        "place": "蒙城县",
        "description": "返乡养殖黄牛",
    }
    return Call(json=body, ok=frozenset({201}))


def _get_venture(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"venture_id": _venture(session, world, relation).id})


def _venture_state(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"state": "operating", "started_on": local_today().isoformat()}
    return Call(path_params={"venture_id": _venture(session, world, relation).id}, json=body)


def _give_support(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"kind": "funds", "given_on": local_today().isoformat(), "amount": "20000.00", "provider": "市人社局"}
    return Call(path_params={"venture_id": _venture(session, world, relation).id}, json=body, ok=frozenset({201}))


# ---- contests --------------------------------------------------------------------------------------------


def _create_contest(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {
        "org_unit_id": world.orgs[_county(relation)],
        "year": local_today().year,
        "name": "困难职工家庭高校毕业生创新创业大赛",
        "organiser": "县总工会、县人力资源和社会保障局",
    }
    return Call(json=body, ok=frozenset({201}))


def _get_contest(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"contest_id": _contest(session, world, _county(relation)).id})


def _enter(session: Session, world: World, actor: str, relation: Relation) -> Call:
    contest = _contest(session, world, "BZ")  # a city contest every county sees
    venture = _venture(session, world, relation)
    return Call(path_params={"contest_id": contest.id}, json={"venture_id": venture.id}, ok=frozenset({201}))


def _screen(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"to": "passed", "on": local_today().isoformat()}
    return Call(path_params={"entry_id": _entry(session, world, relation).id}, json=body)


case("POST", T + "/mentors", build=_create_mentor, allowed=STAFF_IN_SCOPE)
case("GET", T + "/mentors", allowed=ALL_UNION)
case("GET", T + "/mentors/{mentor_id}", build=_get_mentor, allowed=IN_SCOPE)
case("PUT", T + "/mentors/{mentor_id}/active", build=_mentor_active, allowed=STAFF_IN_SCOPE)
case("POST", T + "/pairings", build=_create_pairing, allowed=IN_SCOPE)
case("GET", T + "/pairings", allowed=ALL_UNION)
case("GET", T + "/pairings/{pairing_id}", build=_get_pairing, allowed=IN_SCOPE)
case("GET", T + "/pairings/{pairing_id}/contacts", build=_get_pairing, allowed=IN_SCOPE)
case("POST", T + "/pairings/{pairing_id}/contacts", build=_add_contact, allowed=IN_SCOPE)
case("POST", T + "/pairings/{pairing_id}/outcome", build=_outcome, allowed=IN_SCOPE)
case("POST", T + "/ventures", build=_create_venture, allowed=IN_SCOPE)
case("GET", T + "/ventures", allowed=ALL_UNION)
case("GET", T + "/ventures/{venture_id}", build=_get_venture, allowed=IN_SCOPE)
case("PUT", T + "/ventures/{venture_id}/state", build=_venture_state, allowed=IN_SCOPE)
case("GET", T + "/ventures/{venture_id}/supports", build=_get_venture, allowed=IN_SCOPE)
case("POST", T + "/ventures/{venture_id}/supports", build=_give_support, allowed=STAFF_IN_SCOPE)
case("POST", T + "/contests", build=_create_contest, allowed=STAFF_IN_SCOPE)
case("GET", T + "/contests", allowed=ALL_UNION)
case("GET", T + "/contests/{contest_id}", build=_get_contest, allowed=IN_SCOPE)
case("GET", T + "/contests/{contest_id}/entries", build=_get_contest, allowed=IN_SCOPE)
case("POST", T + "/contests/{contest_id}/entries", build=_enter, allowed=IN_SCOPE)
case("POST", T + "/entries/{entry_id}/screening", build=_screen, allowed=STAFF_IN_SCOPE)
