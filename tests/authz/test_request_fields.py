"""Which role may set which field: every request body of the API, read from the OpenAPI document, audited for the
fields that decide where a record belongs, who reviews it, what it is worth or what state it is in.

A field on the SENSITIVE list may appear in a request model only when SETTABLE names it, with the actors (see
matrix.py) who may send it and the reason the service accepts it. Every actor that the authorization matrix lets
through the route must be among them: a student's application, for instance, carries no org unit and no counselor
(both come from the archive), so a student can neither file in another county nor keep a reviewer off their case.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import tests.authz as authz_pkg
from services.app import create_app
from tests.authz.matrix import CASES

for _mod in pkgutil.iter_modules(authz_pkg.__path__):
    if _mod.name.startswith("cases_"):
        importlib.import_module(f"tests.authz.{_mod.name}")

SENSITIVE = frozenset(
    {
        "org_unit_id",
        "county_org_id",
        "counselor_id",
        "counselor_user_id",
        "reviewer_id",
        "reviewer_ids",
        "created_by",
        "user_id",
        "owner_id",
        "role",
        "status",
        "stage",
        "decision",
        "upheld",
        "amount",
        "is_active",
        "verified",
        "token_version",
        "employer_id",
    }
)
STAFF = frozenset({"admin", "city", "county_a"})
CITY = frozenset({"admin", "city"})
UNION = frozenset({"admin", "city", "county_a", "counselor_a"})
ENTERPRISE_AND_STAFF = STAFF | {"enterprise_a"}

# (method, path, field) -> (actors who may set it, why the service accepts it from them)
SETTABLE: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {
    ("POST", "/api/v1/users", "org_unit_id"): (STAFF, "checked against the creator's scope"),
    ("POST", "/api/v1/users", "role"): (STAFF, "limited to the roles the creator may create (CREATABLE)"),
    ("POST", "/api/v1/registry/families", "org_unit_id"): (UNION, "the union unit filing the archive, in scope"),
    ("PATCH", "/api/v1/registry/families/{family_id}", "org_unit_id"): (UNION, "moving within the editor's scope"),
    ("POST", "/api/v1/registry/graduates", "org_unit_id"): (UNION, "the union unit filing the record, in scope"),
    ("PATCH", "/api/v1/registry/graduates/{graduate_id}", "org_unit_id"): (UNION, "moving within the scope"),
    ("POST", "/api/v1/registry/graduates", "stage"): (UNION, "student or graduate, as the archive records"),
    ("PATCH", "/api/v1/registry/graduates/{graduate_id}", "stage"): (UNION, "student or graduate, as recorded"),
    ("PUT", "/api/v1/registry/graduates/{graduate_id}/account", "user_id"): (STAFF, "staff link an account"),
    ("POST", "/api/v1/registry/imports", "org_unit_id"): (UNION, "the unit the sheet is imported into, in scope"),
    ("POST", "/api/v1/employers", "org_unit_id"): (STAFF, "staff register an employer in their scope"),
    ("POST", "/api/v1/positions", "org_unit_id"): (ENTERPRISE_AND_STAFF, "the employer's own unit, in scope"),
    ("POST", "/api/v1/positions", "employer_id"): (ENTERPRISE_AND_STAFF, "an enterprise may name only its own"),
    ("POST", "/api/v1/job-fairs", "org_unit_id"): (STAFF, "the organising unit, in scope"),
    ("POST", "/api/v1/tracking/graduates/{graduate_id}/status-override", "status"): (UNION, "a recorded decision"),
    ("PUT", "/api/v1/tracking/graduates/{graduate_id}/counselor", "counselor_id"): (UNION, "caseload assignment"),
    ("PUT", "/api/v1/aid/budgets", "county_org_id"): (CITY, "the city sets each county's budget"),
    ("PUT", "/api/v1/aid/budgets", "amount"): (CITY, "the city sets each county's budget"),
    ("POST", "/api/v1/aid/applications/{application_id}/reviews", "stage"): (STAFF, "checked against the status"),
    ("POST", "/api/v1/aid/applications/{application_id}/reviews", "decision"): (STAFF, "the reviewer's opinion"),
    ("POST", "/api/v1/aid/applications/{application_id}/reviews", "amount"): (STAFF, "within the standard's cap"),
    ("POST", "/api/v1/aid/notices", "org_unit_id"): (STAFF, "the publishing unit, in scope, over its own awards"),
    ("POST", "/api/v1/aid/objections/{objection_id}/resolve", "upheld"): (STAFF, "the finding of the check"),
    ("POST", "/api/v1/aid/payment-batches", "county_org_id"): (STAFF, "the county of the batch, in scope"),
    ("POST", "/api/v1/golden-pairings", "org_unit_id"): (STAFF, "the organising union, in scope"),
    ("POST", "/api/v1/golden-pairings", "employer_id"): (STAFF, "a verified employer of the catalog"),
    ("POST", "/api/v1/golden-pairings/students/{student_id}/aid", "amount"): (UNION, "aid the enterprise paid"),
    ("POST", "/api/v1/purchased-services/contracts", "org_unit_id"): (STAFF, "the purchasing union, in scope"),
    ("POST", "/api/v1/purchased-services/contracts", "amount"): (STAFF, "the sum the contract was signed for"),
    ("POST", "/api/v1/aid/donations", "org_unit_id"): (STAFF, "the union that keeps the donor's fund, in scope"),
    ("PATCH", "/api/v1/aid/donations/{fund_id}", "status"): (STAFF, "closing the fund, never below what it allocated"),
    ("POST", "/api/v1/aid/donations/{fund_id}/allocations", "amount"): (
        STAFF,
        "checked against the donor's standard, the cap per person and the balance",
    ),
    ("POST", "/api/v1/aid/policies", "amount"): (CITY, "the city publishes a policy's amount or cap"),
    ("POST", "/api/v1/aid/policy-claims/{claim_id}/grant", "amount"): (STAFF, "at most the claim, within budget"),
    ("PUT", "/api/v1/aid/fund-budgets", "county_org_id"): (CITY, "the city sets each county's fund budget"),
    ("PUT", "/api/v1/aid/fund-budgets", "amount"): (CITY, "the city sets each county's fund budget"),
    ("POST", "/api/v1/aid/national-aid", "amount"): (UNION, "what the student received, for a student in scope"),
    ("POST", "/api/v1/aid/national-aid/import", "amount"): (UNION, "what each student received, all in scope"),
    ("POST", "/api/v1/tracking/mentors", "org_unit_id"): (STAFF, "the union the mentor belongs to, in scope"),
    ("POST", "/api/v1/tracking/contests", "org_unit_id"): (STAFF, "the organising union, in scope"),
    ("POST", "/api/v1/tracking/ventures/{venture_id}/supports", "amount"): (STAFF, "the funds a project in scope got"),
}


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Property names of a request schema (following references and nested objects), and the names of the
    JSON models that would accept unknown keys."""
    comps = spec["components"]["schemas"]
    names: set[str] = set()
    open_models: list[str] = []
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name in seen:
                    return
                seen.add(name)
                target = comps[name]
                if target.get("type") == "object" and "properties" in target:
                    if target.get("additionalProperties") is not False and not name.startswith("Body_"):
                        open_models.append(name)
                    names.update(target["properties"])
                walk(target)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return names, open_models


def _request_fields() -> tuple[dict[tuple[str, str], set[str]], list[str]]:
    spec = create_app().openapi()
    out: dict[tuple[str, str], set[str]] = {}
    open_models: list[str] = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody")
            if not body:
                continue
            fields, opened = _properties(spec, body)
            out[(method.upper(), path)] = fields
            open_models += [f"{method.upper()} {path}: {m}" for m in opened]
    return out, open_models


def test_every_json_request_model_refuses_unknown_fields() -> None:
    _, open_models = _request_fields()
    assert sorted(set(open_models)) == [], "request models that accept unknown keys"


def test_sensitive_request_fields_are_exactly_the_audited_ones() -> None:
    found = {
        (method, path, name) for (method, path), fields in _request_fields()[0].items() for name in fields & SENSITIVE
    }
    unaudited = sorted(found - set(SETTABLE))
    assert not unaudited, f"request fields a client could use to place, route or price a record: {unaudited}"
    stale = sorted(set(SETTABLE) - found)
    assert not stale, f"audited fields no request model carries any more: {stale}"


def test_only_the_audited_roles_reach_a_route_with_a_sensitive_field() -> None:
    problems = []
    for (method, path, name), (actors, _why) in sorted(SETTABLE.items()):
        case = CASES[(method, path)]
        reaching = {actor for actor, relations in case.allowed.items() if relations}
        if not reaching <= actors:
            problems.append(f"{method} {path} {name}: {sorted(reaching - actors)} may set it")
    assert not problems, problems


def test_an_aid_application_carries_neither_org_unit_nor_counselor() -> None:
    fields = _request_fields()[0]
    for key in (("POST", "/api/v1/aid/applications"), ("PUT", "/api/v1/aid/applications/{application_id}")):
        assert not fields[key] & {"org_unit_id", "county_org_id", "counselor_user_id", "counselor_id"}, key
