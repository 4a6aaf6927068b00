"""Matrix entries for the employment-policy, claim, fund-budget and national-aid routes."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import policies, policy_claims, workdays
from services.aid.policy_models import AidFundBudget, AidPolicy
from tests.aid import factories as f
from tests.authz.matrix import Call, Relation, case
from tests.conftest import World

APP = "/api/v1/aid"
UNION = {"admin": "*", "city": "*", "county_a": {"same"}, "counselor_a": {"same"}}
UNION_ALL = {"admin": "*", "city": "*", "county_a": "*", "counselor_a": "*"}
STAFF = {"admin": "*", "city": "*", "county_a": {"same"}}
CITY = {"admin": "*", "city": "*"}
PROOFS = ["就业协议或劳动合同", "学费缴费凭证", "基层服务满3年证明"]
_codes = itertools.count(1)


def _ready(session: Session, world: World) -> int:
    city = f.principal(session, world, "city")
    policies.load_bundled(session, principal=city, valid_from=date(2023, 1, 1))
    year = workdays.today().year
    for county in ("BZ-MC", "BZ-GY"):
        found = session.scalar(
            select(AidFundBudget.id).where(
                AidFundBudget.county_org_id == world.orgs[county],
                AidFundBudget.year == year,
                AidFundBudget.fund == "government_employment",
            )
        )
        if found is None:
            policies.set_fund_budget(
                session,
                principal=city,
                county_org_id=world.orgs[county],
                year=year,
                fund="government_employment",
                amount=Decimal("100000.00"),
            )
    policy = session.scalar(select(AidPolicy.id).where(AidPolicy.code == "grassroots_tuition"))
    assert policy is not None
    return policy


def _graduate(session: Session, world: World, relation: Relation) -> int:
    grad, _ = f.seeded_student(session, world, side="b" if relation == "other" else "a")
    grad.stage, grad.cohort, grad.employment_status = "graduate", 2023, "grassroots"
    session.flush()
    return grad.id


def _claim_body(session: Session, world: World, relation: Relation) -> dict[str, object]:
    policy = _ready(session, world)
    return {
        "student_id": _graduate(session, world, relation),
        "policy_id": policy,
        "year": workdays.today().year,
        "requested_amount": "5000.00",
        "employer_kind": "grassroots_unit",
        "employer_place": "341622",
        "proofs": PROOFS,
    }


def _claim(session: Session, world: World, relation: Relation, *, granted: bool = False) -> int:
    body = _claim_body(session, world, relation)
    data = policy_claims.ClaimInput(
        student_id=int(body["student_id"]),  # type: ignore[call-overload]
        policy_id=int(body["policy_id"]),  # type: ignore[call-overload]
        year=int(body["year"]),  # type: ignore[call-overload]
        requested_amount=Decimal("5000.00"),
        employer_kind="grassroots_unit",
        employer_place="341622",
        proofs=tuple(PROOFS),
    )
    city = f.principal(session, world, "city")
    claim = policy_claims.apply_claim(session, principal=city, data=data, today=workdays.today())
    if granted:
        policy_claims.grant_claim(session, principal=city, claim_id=claim.id)
    return claim.id


def _apply_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json=_claim_body(session, world, relation), ok=frozenset({201}))


def _claim_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"claim_id": _claim(session, world, relation)})


def _refuse_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"claim_id": _claim(session, world, relation)}, json={"reason": "未提供基层单位就业证明"})


def _pay_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    claim_id = _claim(session, world, relation, granted=True)
    return Call(
        path_params={"claim_id": claim_id},
        json={"idempotency_key": f"matrix-{actor}-{claim_id}"},
        ok=frozenset({201}),
    )


def _publish_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        json={
            "code": f"matrix_policy_{next(_codes)}",
            "name": "某县创业担保贷款贴息",
            "kind": "other",
            "valid_from": "2023-01-01",
            "fund": "city_support",
            "basis": "cap",
            "amount": "3000.00",
            "rules": {"stages": ["graduate"], "graduation_min": 2021, "graduation_max": 2023},
            "proofs": ["创业担保贷款合同"],
        },
        ok=frozenset({201}),
    )


def _student_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"student_id": _graduate(session, world, relation)})


def _national_body(session: Session, world: World, relation: Relation) -> dict[str, object]:
    return {
        "student_id": _graduate(session, world, relation),
        "kind": "grant",
        "year": 2023,
        "amount": "3300.00",
        "source": "国家助学金（安徽大学）",
    }


def _national_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json=_national_body(session, world, relation), ok=frozenset({201}))


def _import_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(json={"rows": [_national_body(session, world, relation)]})


def _budget_put(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(
        json={"county_org_id": world.orgs["BZ-MC"], "year": 2024, "fund": "central_support", "amount": "20000.00"}
    )


def _year_query(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(params={"year": 2024})


case("GET", f"{APP}/policies", allowed=UNION_ALL)
case("POST", f"{APP}/policies", allowed=CITY, relations=("none",), build=_publish_call)
case(
    "GET",
    f"{APP}/students/{{student_id}}/entitlements",
    allowed=UNION,
    relations=("same", "other"),
    build=_student_call,
)
case("POST", f"{APP}/policy-claims", allowed=UNION, relations=("same", "other"), build=_apply_call)
case("GET", f"{APP}/policy-claims", allowed=UNION_ALL)
case("GET", f"{APP}/policy-claims/{{claim_id}}", allowed=UNION, relations=("same", "other"), build=_claim_call)
case("POST", f"{APP}/policy-claims/{{claim_id}}/grant", allowed=STAFF, relations=("same", "other"), build=_claim_call)
case("POST", f"{APP}/policy-claims/{{claim_id}}/refuse", allowed=STAFF, relations=("same", "other"), build=_refuse_call)
case(
    "POST", f"{APP}/policy-claims/{{claim_id}}/withdraw", allowed=UNION, relations=("same", "other"), build=_claim_call
)
case("POST", f"{APP}/policy-claims/{{claim_id}}/payments", allowed=STAFF, relations=("same", "other"), build=_pay_call)
case("PUT", f"{APP}/fund-budgets", allowed=CITY, relations=("none",), build=_budget_put)
case(
    "GET",
    f"{APP}/fund-budgets",
    allowed={"admin": "*", "city": "*", "county_a": "*"},
    relations=("none",),
    build=_year_query,
)
case("POST", f"{APP}/national-aid", allowed=UNION, relations=("same", "other"), build=_national_call)
case("POST", f"{APP}/national-aid/import", allowed=UNION, relations=("same", "other"), build=_import_call)
case(
    "GET",
    f"{APP}/students/{{student_id}}/national-aid",
    allowed=UNION,
    relations=("same", "other"),
    build=_student_call,
)
case("GET", f"{APP}/national-aid/not-enrolled", allowed=UNION_ALL)
