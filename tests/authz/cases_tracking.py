"""Matrix entries for the tracking routes: pipeline, per-graduate records, standard and gaps, workbench, handoffs,
notifications. ``own`` is graduate_a's own record (and enterprise_a's own position); ``same`` another graduate
of county A; ``other`` a graduate of county B."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.notifications.models import Notification
from services.registry.models import Graduate
from services.tracking.models import Application, Handoff, Transition
from tests.authz.matrix import Call, Relation, all_roles, case
from tests.conftest import World
from tests.tracking.factories import (
    enterprise_position,
    make_employer,
    make_graduate,
    make_position,
    own_graduate,
)

UNION = ("admin", "city", "county_a", "counselor_a")
IN_SCOPE: dict[str, set[Relation] | str] = {
    "admin": "*",
    "city": "*",
    "county_a": {"own", "same"},
    "counselor_a": {"own", "same"},
}
WITH_GRADUATE: dict[str, set[Relation] | str] = {**IN_SCOPE, "graduate_a": {"own"}}


def _graduate(session: Session, world: World, relation: Relation) -> Graduate:
    if relation == "own":
        return own_graduate(session, world)
    return make_graduate(session, world, side="a" if relation == "same" else "b")


def _graduate_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"graduate_id": _graduate(session, world, relation).id})


def _application(session: Session, world: World, relation: Relation) -> Application:
    graduate = _graduate(session, world, relation)
    if relation == "own":
        position = enterprise_position(session, world)
    else:
        employer = make_employer(session, world, side="a" if relation == "same" else "b")
        position = make_position(session, world, employer=employer)
    app = Application(
        graduate_id=graduate.id,
        position_id=position.id,
        employer_id=position.employer_id,
        org_unit_id=graduate.org_unit_id,
        state="applied",
    )
    session.add(app)
    session.flush()
    session.add(
        Transition(application_id=app.id, org_unit_id=app.org_unit_id, to_state="applied", actor_role="graduate")
    )
    session.flush()
    return app


def _create_application(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    position = enterprise_position(session, world)
    return Call(json={"position_id": position.id, "graduate_id": graduate.id}, ok=frozenset({201}))


def _get_application(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"application_id": _application(session, world, relation).id})


def _move(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app = _application(session, world, relation)
    body: dict[str, object]
    if actor == "graduate_a":
        body = {"to_state": "withdrawn", "reason": "personal"}
    elif actor == "enterprise_a":
        body = {"to_state": "interviewing", "note": "约定面试"}
    else:
        body = {"to_state": "interviewing", "note": "企业电话告知已约面试"}
    return Call(path_params={"application_id": app.id}, json=body)


def _applicants(session: Session, world: World, actor: str, relation: Relation) -> Call:
    app = _application(session, world, relation)
    return Call(path_params={"position_id": app.position_id})


def _override(session: Session, world: World, actor: str, relation: Relation) -> Call:
    call = _graduate_call(session, world, actor, relation)
    call.json = {"status": "military", "reason": "电话核实：已应征入伍"}
    return call


def _event(session: Session, world: World, actor: str, relation: Relation) -> Call:
    call = _graduate_call(session, world, actor, relation)
    call.json = {"kind": "training", "occurred_on": date.today().isoformat(), "title": "电商技能培训"}
    call.ok = frozenset({201})
    return call


def _service(session: Session, world: World, actor: str, relation: Relation) -> Call:
    call = _graduate_call(session, world, actor, relation)
    call.json = {"kind": "policy_briefing", "delivered_on": date.today().isoformat(), "note": "宣讲见习补贴"}
    call.ok = frozenset({201})
    return call


def _contact(session: Session, world: World, actor: str, relation: Relation) -> Call:
    call = _graduate_call(session, world, actor, relation)
    call.json = {"channel": "phone", "outcome": "reached", "summary": "了解求职进展"}
    call.ok = frozenset({201})
    return call


def _assign(session: Session, world: World, actor: str, relation: Relation) -> Call:
    call = _graduate_call(session, world, actor, relation)
    counselor = "counselor_b" if relation == "other" and actor != "counselor_a" else "counselor_a"
    call.json = {"counselor_id": world.users[counselor]}
    return call


def _standard(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        json={
            "code": "1131",
            "name": "1131 服务标准",
            "requirements": [
                {"key": "policy_briefing", "label": "政策宣介", "kinds": ["policy_briefing"], "minimum": 1},
                {"key": "career_guidance", "label": "职业指导", "kinds": ["career_guidance"], "minimum": 1},
                {"key": "job_recommendation", "label": "岗位推荐", "kinds": ["job_recommendation"], "minimum": 3},
                {
                    "key": "training_or_internship",
                    "label": "培训或见习机会",
                    "kinds": ["training_offer", "internship_offer"],
                    "minimum": 1,
                },
            ],
            "applies_to": ["unemployed", "seeking", "internship"],
        }
    )


def _create_handoff(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    target = "BZ-GY" if relation != "other" else "BZ-MC"
    return Call(
        json={"graduate_id": graduate.id, "to_org_unit_id": world.orgs[target], "reason": "意向异地就业"},
        ok=frozenset({201}),
    )


def _handoff(session: Session, world: World, relation: Relation, *, a_receives: bool = False) -> Handoff:
    """own/same: a handoff county A takes part in (A sends, or with ``a_receives`` A receives); other: B → 利辛县."""
    if relation == "other":
        graduate, to = make_graduate(session, world, side="b"), "BZ-LX"
    elif a_receives:
        graduate, to = make_graduate(session, world, side="b"), "BZ-MC"
    else:
        graduate, to = _graduate(session, world, relation), "BZ-GY"
    row = Handoff(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        to_org_unit_id=world.orgs[to],
        state="pending",
        reason="意向异地就业",
    )
    session.add(row)
    session.flush()
    return row


def _get_handoff(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"handoff_id": _handoff(session, world, relation).id})


def _decide_handoff(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _handoff(session, world, relation, a_receives=True)
    return Call(path_params={"handoff_id": row.id}, json={"accept": True, "note": "已安排专人对接"})


def _end_handoff(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        path_params={"handoff_id": _handoff(session, world, relation).id}, json={"note": "毕业生已返回生源地求职"}
    )


def _notification(session: Session, world: World, actor: str, relation: Relation) -> Call:
    recipient = {
        "own": world.users[actor],
        "same": world.users["graduate_a" if actor != "graduate_a" else "counselor_a"],
        "other": world.users["counselor_b"],
    }[relation]
    row = Notification(recipient_id=recipient, kind="follow_up", title="回访提醒", body="请及时联系")
    session.add(row)
    session.flush()
    return Call(path_params={"notification_id": row.id})


P = "/api/v1/tracking"
G = P + "/graduates/{graduate_id}"

case("POST", P + "/applications", build=_create_application, allowed=WITH_GRADUATE)
case("GET", P + "/applications", allowed=all_roles())
case(
    "GET",
    P + "/applications/{application_id}",
    build=_get_application,
    allowed={**WITH_GRADUATE, "enterprise_a": {"own"}},
)
case(
    "POST",
    P + "/applications/{application_id}/moves",
    build=_move,
    allowed={**WITH_GRADUATE, "enterprise_a": {"own"}},
)
case(
    "GET",
    P + "/positions/{position_id}/applicants",
    build=_applicants,
    allowed={**dict.fromkeys(UNION, "*"), "enterprise_a": {"own"}},
)
case("GET", G + "/timeline", build=_graduate_call, allowed=WITH_GRADUATE)
case("GET", G + "/status", build=_graduate_call, allowed=WITH_GRADUATE)
case("POST", G + "/status-override", build=_override, allowed=IN_SCOPE)
case("POST", G + "/events", build=_event, allowed=IN_SCOPE)
case("GET", G + "/events", build=_graduate_call, allowed=WITH_GRADUATE)
case("POST", G + "/services", build=_service, allowed=IN_SCOPE)
case("GET", G + "/services", build=_graduate_call, allowed=WITH_GRADUATE)
case("POST", G + "/contacts", build=_contact, allowed=IN_SCOPE)
case("GET", G + "/contacts", build=_graduate_call, allowed=IN_SCOPE)
case("PUT", G + "/counselor", build=_assign, allowed=IN_SCOPE)
case("GET", P + "/service-standard", allowed=dict.fromkeys(UNION, "*"))
case("PUT", P + "/service-standard", relations=("none",), build=_standard, allowed={"admin": "*", "city": "*"})
case("GET", P + "/service-gaps", allowed=dict.fromkeys(UNION, "*"))
case("GET", P + "/contacts/overdue", allowed=dict.fromkeys(UNION, "*"))
case("GET", P + "/workbench", allowed=dict.fromkeys(UNION, "*"))
case("POST", P + "/handoffs", build=_create_handoff, allowed=IN_SCOPE)
case("GET", P + "/handoffs", allowed=dict.fromkeys(UNION, "*"))
case("GET", P + "/handoffs/{handoff_id}", build=_get_handoff, allowed=IN_SCOPE)
case("POST", P + "/handoffs/{handoff_id}/decision", build=_decide_handoff, allowed=IN_SCOPE)
case("POST", P + "/handoffs/{handoff_id}/end", build=_end_handoff, allowed=IN_SCOPE)
case("GET", "/api/v1/notifications", allowed=all_roles())
case(
    "POST",
    "/api/v1/notifications/{notification_id}/read",
    build=_notification,
    relations=("own", "same", "other"),
    allowed={a: {"own"} for a in ("admin", "city", "county_a", "counselor_a", "graduate_a", "enterprise_a")},
)
