"""Matrix entries for accounts, audit, reveal and org routes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.security import service as security
from tests.authz.matrix import Call, Relation, all_roles, case
from tests.conftest import PASSWORD, World


def _target_user(session: Session, world: World, actor: str, relation: Relation) -> int:
    if relation == "own":
        return world.users[actor]
    if relation == "same":
        key = "graduate_a" if actor != "graduate_a" else "counselor_a"
        return world.users[key]
    return world.users["counselor_b"]


def _user_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"user_id": _target_user(session, world, actor, relation)})


def _disable_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"user_id": _target_user(session, world, actor, relation)})


def _create_user_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    org = world.orgs["BZ-MC" if relation == "same" else "BZ-GY"]
    return Call(
        json={
            "username": f"new_{actor}_{relation}",
            "password": "Abcdefg123",
            "display_name": "新账号",
            "role": "counselor",
            "org_unit_id": org,
        },
        ok=frozenset({201}),
    )


def _reveal_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    uid = _target_user(session, world, actor, relation)
    user = security.get_user(session, principal=_system(uid), user_id=uid)
    security.set_phone(user, "13905671234")
    session.flush()
    return Call(
        json={"target_type": "user_account", "target_id": str(uid), "field": "phone", "purpose": "核实联系方式"}
    )


def _system(uid: int):  # a principal that sees everything, for test setup only
    from services.security.principal import Principal

    return Principal(user_id=uid, username="setup", role="admin", org_unit_id=None, scope=None)


def _password_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json={"old_password": PASSWORD, "new_password": "Newpass2023x"}, ok=frozenset({204}))


case("GET", "/api/v1/auth/me", allowed=all_roles())
case("POST", "/api/v1/auth/password", allowed=all_roles(), relations=("own",), build=_password_call)
case("GET", "/api/v1/orgs", allowed=all_roles())
case("GET", "/api/v1/users", allowed={"admin": "*", "city": "*", "county_a": "*"})
case(
    "POST",
    "/api/v1/users",
    relations=("same", "other"),
    build=_create_user_call,
    allowed={"admin": "*", "city": "*", "county_a": {"same"}},
)
case(
    "GET",
    "/api/v1/users/{user_id}",
    build=_user_call,
    allowed={
        "admin": "*",
        "city": "*",
        "county_a": {"own", "same"},
        "counselor_a": {"own"},
        "graduate_a": {"own"},
        "enterprise_a": {"own"},
    },
)
case(
    "POST",
    "/api/v1/users/{user_id}/disable",
    relations=("same", "other"),
    build=_disable_call,
    allowed={"admin": "*", "city": "*", "county_a": {"same"}},
)
case("POST", "/api/v1/reveal", build=_reveal_call, allowed={"admin": "*", "city": "*", "county_a": {"own", "same"}})
case("GET", "/api/v1/audit", allowed={"admin": "*", "city": "*"})


def _invitation_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    from tests.authz.cases_tracking import _graduate

    return Call(path_params={"graduate_id": _graduate(session, world, relation).id})


case(
    "POST",
    "/api/v1/graduates/{graduate_id}/invitations",
    build=_invitation_call,
    relations=("same", "other"),  # the actor's own graduate record already has its account
    allowed={"admin": "*", "city": "*", "county_a": {"same"}, "counselor_a": {"same"}},
)
