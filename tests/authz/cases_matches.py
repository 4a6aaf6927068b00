"""Matrix entries for the matching routes. ``own`` is graduate_a's own record (and enterprise_a's own position);
``same`` another graduate (or employer's position) of county A; ``other`` one of county B."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.models import Graduate
from tests.authz.matrix import Call, Relation, case
from tests.conftest import World
from tests.matches.factories import make_employer, make_graduate, make_position

IN_SCOPE: dict[str, set[Relation] | str] = {
    "admin": "*",
    "city": "*",
    "county_a": {"own", "same"},
    "counselor_a": {"own", "same"},
}


def _graduate(session: Session, world: World, relation: Relation) -> Graduate:
    if relation == "own":
        existing = session.scalar(select(Graduate).where(Graduate.user_id == world.users["graduate_a"]))
        return existing or make_graduate(session, world, user_id=world.users["graduate_a"])
    return make_graduate(session, world, side="a" if relation == "same" else "b")


def _matches_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    make_position(session, world)
    return Call(path_params={"graduate_id": graduate.id})


def _candidates_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    make_graduate(session, world, enterprise_visible=True)
    if relation == "own":
        employer = make_employer(session, world, account="enterprise_a")
    else:
        employer = make_employer(session, world, side="a" if relation == "same" else "b")
    position = make_position(session, world, employer=employer, side="a" if relation != "other" else "b")
    return Call(path_params={"position_id": position.id})


def _recommend_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    position = make_position(session, world, side="a" if relation != "other" else "b")
    return Call(path_params={"graduate_id": graduate.id}, json={"position_id": position.id}, ok=frozenset({201}))


case(
    "GET",
    "/api/v1/graduates/{graduate_id}/matches",
    build=_matches_call,
    allowed={**IN_SCOPE, "graduate_a": {"own"}},
)
case(
    "GET",
    "/api/v1/positions/{position_id}/candidates",
    build=_candidates_call,
    allowed={"admin": "*", "city": "*", "county_a": "*", "counselor_a": "*", "enterprise_a": {"own"}},
)
case(
    "POST",
    "/api/v1/graduates/{graduate_id}/recommendations",
    build=_recommend_call,
    allowed=IN_SCOPE,
)


def _suggestions(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(params={"title": "数据分析专员", "description": "整理销售数据，制作报表"})


def _cert_graduate(session: Session, world: World, relation: Relation) -> Graduate:
    from tests.authz.cases_tracking import _graduate

    return _graduate(session, world, relation)


def _list_certificates(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"graduate_id": _cert_graduate(session, world, relation).id})


def _add_certificate(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _cert_graduate(session, world, relation)
    return Call(
        path_params={"graduate_id": graduate.id}, json={"kind": "teacher_cert", "subject": "语文", "level": "小学"}
    )


def _remove_certificate(session: Session, world: World, actor: str, relation: Relation) -> Call:
    from services.registry import certificates

    graduate = _cert_graduate(session, world, relation)
    cert = certificates.add_certificate(session, graduate_id=graduate.id, kind="driver_license")
    return Call(path_params={"graduate_id": graduate.id, "certificate_id": cert.id})


CERT_READERS: dict[str, set[Relation] | str] = {
    "admin": "*",
    "city": "*",
    "county_a": {"own", "same"},
    "counselor_a": {"own", "same"},
    "graduate_a": {"own"},
}
case(
    "GET",
    "/api/v1/occupation-suggestions",
    build=_suggestions,
    relations=("none",),
    allowed=dict.fromkeys(("admin", "city", "county_a", "counselor_a", "enterprise_a"), "*"),
)
case("GET", "/api/v1/graduates/{graduate_id}/certificates", build=_list_certificates, allowed=CERT_READERS)
case("POST", "/api/v1/graduates/{graduate_id}/certificates", build=_add_certificate, allowed=CERT_READERS)
case(
    "DELETE",
    "/api/v1/graduates/{graduate_id}/certificates/{certificate_id}",
    build=_remove_certificate,
    allowed=CERT_READERS,
)
