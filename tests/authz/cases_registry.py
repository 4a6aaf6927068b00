"""Matrix entries for the registry: families, members, consent, checks, graduates, own profile, import, export."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from services.registry import access, lookups
from tests.authz.matrix import Call, Relation, all_roles, case
from tests.conftest import World
from tests.registry import factories

STAFF_SAME = {"admin": "*", "city": "*", "county_a": {"same"}}
CASELOAD_SAME = {"admin": "*", "city": "*", "county_a": {"same"}, "counselor_a": {"same"}}
TARGET_RELATIONS: tuple[Relation, ...] = ("same", "other")


def _org(world: World, relation: Relation) -> int:
    return world.orgs["BZ-MC-01" if relation in {"same", "own"} else "BZ-GY-01"]


def _family(session: Session, world: World, relation: Relation, *, members: int = 0):
    return factories.make_family(session, org_unit_id=_org(world, relation), members=members)


def _family_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"family_id": _family(session, world, relation).id})


def _family_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    return Call(path_params={"family_id": family.id}, json={"housing_type": "租赁私房"})


def _family_close(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    return Call(path_params={"family_id": family.id}, json={"reason": "收入稳定脱困", "closed_on": "2023-12-31"})


def _family_reopen(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    family.status = "closed"
    session.flush()
    return Call(path_params={"family_id": family.id})


def _family_create(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = factories.api_body(factories.family_fields())
    body["org_unit_id"] = _org(world, relation)
    return Call(json=body, ok=frozenset({201}))


def _member_add(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    body = factories.api_body(factories.member_fields(lookups.family_head_id(family)))
    return Call(path_params={"family_id": family.id}, json=body, ok=frozenset({201}))


def _member_target(session: Session, world: World, relation: Relation) -> dict[str, int]:
    family = _family(session, world, relation, members=1)
    member = access.members_of(session, family_id=family.id)[0]
    return {"family_id": family.id, "member_id": member.id}


def _member_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params=_member_target(session, world, relation), json={"monthly_income": "1500.00"})


def _member_delete(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params=_member_target(session, world, relation), ok=frozenset({204}))


def _consent_create(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    head = lookups.family_head_id(family)
    body = {
        "purpose": "金秋助学",
        "signed_on": "2023-07-10",
        "handler_name": "王芳",
        "members": [{"name": family.name, "relation": "本人", "id_number": head}],
    }
    return Call(path_params={"family_id": family.id}, json=body, ok=frozenset({201}))


def _consent_revoke(session: Session, world: World, actor: str, relation: Relation) -> Call:
    consent = factories.make_consent(session, family=_family(session, world, relation))
    return Call(path_params={"consent_id": consent.id}, json={"reason": "户主书面撤回"})


def _check_create(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, relation)
    factories.make_consent(session, family=family, signed_on=date(2023, 7, 1))
    body = {"checked_on": "2023-07-20", "agency": "蒙城县民政局核对中心", "items": ["房屋"], "result": "无异常"}
    return Call(path_params={"family_id": family.id}, json=body, ok=frozenset({201}))


def _graduate(session: Session, world: World, relation: Relation):
    return factories.make_graduate(session, org_unit_id=_org(world, relation))


def _graduate_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"graduate_id": _graduate(session, world, relation).id})


def _graduate_patch(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"graduate_id": _graduate(session, world, relation).id}, json={"school_name": "亳州学院"})


def _graduate_plan(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    return Call(path_params={"graduate_id": graduate.id}, json={"employment_status": "seeking"})


def _graduate_account(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    user = world.users["graduate_a" if relation == "same" else "graduate_b"]
    return Call(path_params={"graduate_id": graduate.id}, json={"user_id": user})


def _graduate_create(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = factories.api_body(factories.graduate_fields())
    body["org_unit_id"] = _org(world, relation)
    return Call(json=body, ok=frozenset({201}))


def _own_profile(session: Session, world: World, actor: str, relation: Relation) -> Call:
    family = _family(session, world, "same", members=1)
    factories.make_graduate(session, org_unit_id=_org(world, "same"), user_id=world.users[actor], family=family)
    return Call()


def _own_update(session: Session, world: World, actor: str, relation: Relation) -> Call:
    _own_profile(session, world, actor, relation)
    return Call(json={"intentions": ["job", "internship"], "enterprise_visible": True})


def _upload(session: Session, world: World, actor: str, relation: Relation) -> Call:
    content = "职工编号,姓名\n".encode()
    return Call(
        files={"file": ("families.csv", content, "text/csv")},
        data={"org_unit_id": str(_org(world, relation))},
        ok=frozenset({202}),
    )


def _job(session: Session, world: World, relation: Relation, *, errors: list[dict[str, object]] | None = None) -> int:
    from services.registry import importer, uploads

    principal = factories.system()
    job = importer.ImportJob(
        org_unit_id=_org(world, relation),
        created_by_id=None,
        kind="registry",
        filename="x.csv",
        file_format="csv",
        content=None,
        size_bytes=10,
        dry_run=True,
        good_rows_only=False,
        status="failed" if errors else "succeeded",
        errors=errors or [],
    )
    session.add(job)
    session.flush()
    job.content = uploads.seal(job.id, "职工编号,姓名\n".encode())
    session.flush()
    assert principal.scope is None
    return job.id


def _job_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"job_id": _job(session, world, relation)})


def _job_run(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"job_id": _job(session, world, relation)}, json={}, ok=frozenset({202}))


def _job_mappings(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {"mappings": [{"enumeration": "household_type", "wording": "农业户口", "code": "2"}], "recheck": False}
    return Call(path_params={"job_id": _job(session, world, relation)}, json=body, ok=frozenset({202}))


def _job_errors(session: Session, world: World, actor: str, relation: Relation) -> Call:
    error = {"sheet": "x.csv", "row": 1, "column": "姓名", "cell": "B1", "code": "required", "reason": "姓名为必填项"}
    return Call(path_params={"job_id": _job(session, world, relation, errors=[error])})


def _enum_put(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"key": "hardship_cause", "code": "98"}, json={"name": "因灾致困"})


case("GET", "/api/v1/enums", allowed=all_roles())
case(
    "GET",
    "/api/v1/enums/{key}",
    allowed=all_roles(),
    relations=("own",),
    build=lambda s, w, a, r: Call(path_params={"key": "hardship_category"}),
)
case("PUT", "/api/v1/enums/{key}/items/{code}", allowed={"admin": "*"}, relations=("own",), build=_enum_put)

case("GET", "/api/v1/registry/families", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("GET", "/api/v1/registry/families/count", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("GET", "/api/v1/registry/families/stale", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("POST", "/api/v1/registry/families", relations=TARGET_RELATIONS, build=_family_create, allowed=STAFF_SAME)
case("GET", "/api/v1/registry/families/{family_id}", relations=TARGET_RELATIONS, build=_family_call, allowed=STAFF_SAME)
case(
    "PATCH",
    "/api/v1/registry/families/{family_id}",
    relations=TARGET_RELATIONS,
    build=_family_patch,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/families/{family_id}/close",
    relations=TARGET_RELATIONS,
    build=_family_close,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/families/{family_id}/reopen",
    relations=TARGET_RELATIONS,
    build=_family_reopen,
    allowed=STAFF_SAME,
)
case(
    "GET",
    "/api/v1/registry/families/{family_id}/history",
    relations=TARGET_RELATIONS,
    build=_family_call,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/families/{family_id}/members",
    relations=TARGET_RELATIONS,
    build=_member_add,
    allowed=STAFF_SAME,
)
case(
    "PATCH",
    "/api/v1/registry/families/{family_id}/members/{member_id}",
    relations=TARGET_RELATIONS,
    build=_member_patch,
    allowed=STAFF_SAME,
)
case(
    "DELETE",
    "/api/v1/registry/families/{family_id}/members/{member_id}",
    relations=TARGET_RELATIONS,
    build=_member_delete,
    allowed=STAFF_SAME,
)
case(
    "GET",
    "/api/v1/registry/families/{family_id}/consents",
    relations=TARGET_RELATIONS,
    build=_family_call,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/families/{family_id}/consents",
    relations=TARGET_RELATIONS,
    build=_consent_create,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/consents/{consent_id}/revoke",
    relations=TARGET_RELATIONS,
    build=_consent_revoke,
    allowed=STAFF_SAME,
)
case(
    "GET",
    "/api/v1/registry/families/{family_id}/checks",
    relations=TARGET_RELATIONS,
    build=_family_call,
    allowed=STAFF_SAME,
)
case(
    "POST",
    "/api/v1/registry/families/{family_id}/checks",
    relations=TARGET_RELATIONS,
    build=_check_create,
    allowed=STAFF_SAME,
)

case(
    "GET",
    "/api/v1/registry/graduates",
    allowed={"admin": "*", "city": "*", "county_a": "*", "counselor_a": "*"},
)
case("POST", "/api/v1/registry/graduates", relations=TARGET_RELATIONS, build=_graduate_create, allowed=STAFF_SAME)
case(
    "GET",
    "/api/v1/registry/graduates/{graduate_id}",
    relations=TARGET_RELATIONS,
    build=_graduate_call,
    allowed=CASELOAD_SAME,
)
case(
    "PATCH",
    "/api/v1/registry/graduates/{graduate_id}",
    relations=TARGET_RELATIONS,
    build=_graduate_patch,
    allowed=STAFF_SAME,
)
case(
    "PATCH",
    "/api/v1/registry/graduates/{graduate_id}/plan",
    relations=TARGET_RELATIONS,
    build=_graduate_plan,
    allowed=CASELOAD_SAME,
)
case(
    "PUT",
    "/api/v1/registry/graduates/{graduate_id}/account",
    relations=TARGET_RELATIONS,
    build=_graduate_account,
    allowed=STAFF_SAME,
)
case(
    "GET",
    "/api/v1/registry/graduates/{graduate_id}/history",
    relations=TARGET_RELATIONS,
    build=_graduate_call,
    allowed=CASELOAD_SAME,
)
case("GET", "/api/v1/registry/me", relations=("own",), build=_own_profile, allowed={"graduate_a": "*"})
case("PATCH", "/api/v1/registry/me", relations=("own",), build=_own_update, allowed={"graduate_a": "*"})
case("GET", "/api/v1/registry/me/family", relations=("own",), build=_own_profile, allowed={"graduate_a": "*"})

case("GET", "/api/v1/registry/template.xlsx", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("POST", "/api/v1/registry/imports", relations=TARGET_RELATIONS, build=_upload, allowed=STAFF_SAME)
case("GET", "/api/v1/registry/imports", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("GET", "/api/v1/registry/imports/{job_id}", relations=TARGET_RELATIONS, build=_job_call, allowed=STAFF_SAME)
case("POST", "/api/v1/registry/imports/{job_id}/run", relations=TARGET_RELATIONS, build=_job_run, allowed=STAFF_SAME)
case(
    "POST",
    "/api/v1/registry/imports/{job_id}/mappings",
    relations=TARGET_RELATIONS,
    build=_job_mappings,
    allowed=STAFF_SAME,
)
case(
    "GET",
    "/api/v1/registry/imports/{job_id}/errors.xlsx",
    relations=TARGET_RELATIONS,
    build=_job_errors,
    allowed=STAFF_SAME,
)
case("GET", "/api/v1/registry/import-mappings", allowed={"admin": "*", "city": "*", "county_a": "*"})
case("GET", "/api/v1/registry/export/families.xlsx", allowed={"admin": "*", "city": "*", "county_a": "*"})
case(
    "GET",
    "/api/v1/registry/export/graduates.xlsx",
    allowed={"admin": "*", "city": "*", "county_a": "*", "counselor_a": "*"},
)
