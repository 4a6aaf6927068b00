"""Matrix entries for the donation routes: union staff only; a county clerk reaches the funds of its own county
(``same``) and not another county's (``other``); the city and admin reach both."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from services.aid import donations
from tests.aid import factories as f
from tests.authz.matrix import Call, Relation, case
from tests.conftest import World

BASE = "/api/v1/aid/donations"
STAFF_ONLY = {"admin": "*", "city": "*", "county_a": {"same"}}


def _county(relation: Relation) -> tuple[str, str, str]:
    """(county org code, grassroots org code, side) of the relation's records."""
    return ("BZ-GY", "BZ-GY-01", "b") if relation == "other" else ("BZ-MC", "BZ-MC-01", "a")


def _fund(session: Session, world: World, relation: Relation) -> int:
    county, _, _ = _county(relation)
    fund = donations.create_fund(
        session,
        principal=f.principal(session, world, "city"),
        data=donations.FundInput(
            year=2023,
            name="爱心企业助学金",
            donor_name="亳州某药业有限公司",
            donor_kind="enterprise",
            pledged=Decimal("10000.00"),
            received=Decimal("10000.00"),
            org_unit_id=world.orgs[county],
        ),
    )
    return fund.id


def _create_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    county, _, _ = _county(relation)
    body = {
        "year": 2023,
        "name": "爱心企业助学金",
        "donor_name": "亳州某药业有限公司",
        "donor_kind": "enterprise",
        "pledged": "1000.00",
        "received": "1000.00",
        "org_unit_id": world.orgs[county],
    }
    return Call(json=body, ok=frozenset({201}))


def _fund_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"fund_id": _fund(session, world, relation)})


def _patch_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"fund_id": _fund(session, world, relation)}, json={"note": "到账核实"})


def _allocate_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    fund_id = _fund(session, world, relation)
    grad, _ = f.seeded_student(session, world, side=_county(relation)[2])
    return Call(path_params={"fund_id": fund_id}, json={"student_id": grad.id, "amount": "500.00"}, ok=frozenset({201}))


def _import_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    fund_id = _fund(session, world, relation)
    _, seeded = f.seeded_student(session, world, side=_county(relation)[2])
    sheet = f"身份证号,金额\n{seeded.student_no},500\n".encode()
    return Call(path_params={"fund_id": fund_id}, files={"file": ("名单.csv", sheet, "text/csv")}, ok=frozenset({201}))


def _withdraw_call(session: Session, world: World, actor: str, relation: Relation) -> Call:
    fund_id = _fund(session, world, relation)
    grad, _ = f.seeded_student(session, world, side=_county(relation)[2])
    row = donations.allocate(
        session, principal=f.principal(session, world, "city"), fund_id=fund_id, student_id=grad.id, amount=Decimal(500)
    )
    return Call(path_params={"allocation_id": row.id}, json={"reason": "捐赠方要求撤回"})


case("POST", BASE, allowed=STAFF_ONLY, relations=("same", "other"), build=_create_call)
case("GET", BASE, allowed={"admin": "*", "city": "*", "county_a": "*"})
case("GET", f"{BASE}/{{fund_id}}", allowed=STAFF_ONLY, relations=("same", "other"), build=_fund_call)
case("PATCH", f"{BASE}/{{fund_id}}", allowed=STAFF_ONLY, relations=("same", "other"), build=_patch_call)
case("GET", f"{BASE}/{{fund_id}}/allocations", allowed=STAFF_ONLY, relations=("same", "other"), build=_fund_call)
case("POST", f"{BASE}/{{fund_id}}/allocations", allowed=STAFF_ONLY, relations=("same", "other"), build=_allocate_call)
case(
    "POST",
    f"{BASE}/{{fund_id}}/allocations/import",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_import_call,
)
case(
    "POST",
    f"{BASE}/allocations/{{allocation_id}}/withdraw",
    allowed=STAFF_ONLY,
    relations=("same", "other"),
    build=_withdraw_call,
)
case("GET", f"{BASE}/{{fund_id}}/report", allowed=STAFF_ONLY, relations=("same", "other"), build=_fund_call)
case("GET", f"{BASE}/{{fund_id}}/report.xlsx", allowed=STAFF_ONLY, relations=("same", "other"), build=_fund_call)
