"""Matrix entries for handoffs to unions anywhere in China and for purchased services (购买服务 → 定向就业援助).

``own``/``same``: a graduate, referral or contract of county A; ``other``: one of county B."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from services.catalog.models import ServiceContract, ServiceProvider
from services.clock import local_today
from services.db import utcnow
from services.orgs import service as orgs
from services.refdata.models import RefDivision
from services.tracking.models import ExternalUnion, Handoff, ServiceReferral
from tests.authz.cases_tracking import IN_SCOPE, UNION, _graduate
from tests.authz.matrix import Call, Relation, case
from tests.catalog.factories import credit_code
from tests.conftest import World
from tests.tracking.factories import make_graduate

STAFF_IN_SCOPE: dict[str, set[Relation] | str] = {"admin": "*", "city": "*", "county_a": {"own", "same"}}


def _hefei(session: Session) -> ExternalUnion:
    for code, name, level, parent, full in (
        ("340000", "安徽省", "province", None, "安徽省"),
        ("340100", "合肥市", "prefecture", "340000", "安徽省合肥市"),
    ):
        if session.get(RefDivision, code) is None:
            session.add(RefDivision(code=code, name=name, level=level, parent_code=parent, full_name=full))
    unit = orgs.external_unit(session, division_code="340100", name="合肥市总工会")
    row = session.query(ExternalUnion).filter_by(org_unit_id=unit.id).one_or_none()
    if row is None:
        row = ExternalUnion(org_unit_id=unit.id, division_code="340100", level="city", contact_name="王老师")
        session.add(row)
        session.flush()
    return row


def _none_with_query(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(params={"q": "合肥"})


def _external_union(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"union_id": _hefei(session).id})


def _create_external(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    _hefei(session)
    body = {"graduate_id": graduate.id, "division_code": "340100", "reason": "意向在合肥市就业"}
    return Call(json=body, ok=frozenset({201}))


def _outcome(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = make_graduate(session, world, side="b" if relation == "other" else "a")
    row = Handoff(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        to_org_unit_id=_hefei(session).org_unit_id,
        state="accepted",
        reason="意向在合肥市就业",
        decided_at=utcnow() - timedelta(days=2),
        decided_on_behalf=True,
    )
    session.add(row)
    session.flush()
    body = {"outcome": "employed", "outcome_on": local_today().isoformat(), "employer": "合肥某软件公司"}
    return Call(path_params={"handoff_id": row.id}, json=body)


def _provider(session: Session) -> ServiceProvider:
    row = ServiceProvider(
        name="亳州某人力资源服务有限公司", credit_code=credit_code(), kind="hr_agency", contact_name="李经理"
    )
    session.add(row)
    session.flush()
    return row


def _contract(session: Session, world: World, org: str) -> ServiceContract:
    today = local_today()
    row = ServiceContract(
        provider_id=_provider(session).id,
        org_unit_id=world.orgs[org],
        number=f"GM-{org}-{credit_code()[-6:]}",
        title="定向就业援助服务",
        service_content="职业培训、就业咨询、面试指导",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        amount=Decimal("60000.00"),
        fund="province",
        graduates_to_serve=30,
    )
    session.add(row)
    session.flush()
    return row


def _create_provider(session: Session, world: World, actor: str, relation: Relation) -> Call:
    body = {
        "name": "亳州某就业服务中心",
        "credit_code": credit_code(),
        "kind": "employment_service",
        "contact_name": "李经理",
        "contact_phone": "13955102468",
    }
    return Call(json=body, ok=frozenset({201}))


def _get_provider(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"provider_id": _provider(session).id})


def _create_contract(session: Session, world: World, actor: str, relation: Relation) -> Call:
    today = local_today()
    body = {
        "provider_id": _provider(session).id,
        "org_unit_id": world.orgs["BZ-GY" if relation == "other" else "BZ-MC"],
        "number": f"GM-NEW-{credit_code()[-6:]}",
        "title": "定向就业援助服务",
        "service_content": "职业培训、就业咨询、面试指导",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=180)).isoformat(),
        "amount": "50000.00",
        "fund": "province",
        "graduates_to_serve": 20,
    }
    return Call(json=body, ok=frozenset({201}))


def _get_contract(session: Session, world: World, actor: str, relation: Relation) -> Call:
    contract = _contract(session, world, "BZ-GY" if relation == "other" else "BZ-MC")
    return Call(path_params={"contract_id": contract.id})


def _create_referral(session: Session, world: World, actor: str, relation: Relation) -> Call:
    graduate = _graduate(session, world, relation)
    contract = _contract(session, world, "BZ")
    return Call(json={"graduate_id": graduate.id, "contract_id": contract.id}, ok=frozenset({201}))


def _referral(session: Session, world: World, relation: Relation) -> ServiceReferral:
    graduate = make_graduate(session, world, side="b" if relation == "other" else "a")
    row = ServiceReferral(
        contract_id=_contract(session, world, "BZ").id,
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        state="referred",
        referred_on=local_today() - timedelta(days=3),
    )
    session.add(row)
    session.flush()
    return row


def _get_referral(session: Session, world: World, actor: str, relation: Relation) -> Call:
    return Call(path_params={"referral_id": _referral(session, world, relation).id})


def _move_referral(session: Session, world: World, actor: str, relation: Relation) -> Call:
    row = _referral(session, world, relation)
    return Call(path_params={"referral_id": row.id}, json={"to": "accepted", "on": date.today().isoformat()})


T = "/api/v1/tracking"
S = "/api/v1/purchased-services"
ALL_UNION = dict.fromkeys(UNION, "*")

case("GET", T + "/receiving-divisions", relations=("none",), build=_none_with_query, allowed=ALL_UNION)
case("GET", T + "/external-unions", allowed=ALL_UNION)
case("GET", T + "/external-unions/{union_id}", relations=("none",), build=_external_union, allowed=ALL_UNION)
case("POST", T + "/handoffs/external", build=_create_external, allowed=IN_SCOPE)
case("POST", T + "/handoffs/{handoff_id}/outcome", build=_outcome, allowed=IN_SCOPE)
case("POST", T + "/referrals", build=_create_referral, allowed=IN_SCOPE)
case("GET", T + "/referrals", allowed=ALL_UNION)
case("GET", T + "/referrals/{referral_id}", build=_get_referral, allowed=IN_SCOPE)
case("POST", T + "/referrals/{referral_id}/moves", build=_move_referral, allowed=STAFF_IN_SCOPE)
case(
    "POST",
    S + "/providers",
    relations=("none",),
    build=_create_provider,
    allowed=dict.fromkeys(("admin", "city", "county_a"), "*"),
)
case("GET", S + "/providers", allowed=ALL_UNION)
case("GET", S + "/providers/{provider_id}", relations=("none",), build=_get_provider, allowed=ALL_UNION)
case("POST", S + "/contracts", build=_create_contract, allowed=STAFF_IN_SCOPE)
case("GET", S + "/contracts", allowed=ALL_UNION)
case("GET", S + "/contracts/{contract_id}", build=_get_contract, allowed=IN_SCOPE)
