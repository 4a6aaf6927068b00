"""Purchased services (购买服务) for 定向就业援助: staff register a provider and a contract, a counselor refers an
unemployed graduate, staff record the provider's acceptance and the outcome, and 附件9 counts them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.clock import local_today
from services.tracking import service as tracking
from services.tracking.referrals import MOVES, REFERRAL_NAMES, ReferralMove, apply_move, move_problem
from tests.catalog.factories import credit_code
from tests.conftest import World
from tests.tracking.factories import make_graduate

S = "/api/v1/purchased-services"
T = "/api/v1/tracking"
PHONE = "13855667788"


def _error(resp: Any) -> tuple[str, str]:
    first = resp.json()["errors"][0]
    return first["field"], first["reason"]


def _provider(client: TestClient, world: World, key: str = "city") -> dict[str, Any]:
    body = {
        "name": "亳州市某人力资源服务有限公司",
        "credit_code": credit_code(),
        "kind": "hr_agency",
        "contact_name": "李经理",
        "contact_phone": PHONE,
    }
    resp = client.post(S + "/providers", headers=world.headers(key), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _contract(client: TestClient, world: World, org: str = "BZ", seats: int = 2, **extra: Any) -> dict[str, Any]:
    today = local_today()
    body = {
        "provider_id": _provider(client, world)["id"],
        "org_unit_id": world.orgs[org],
        "number": f"GM-{credit_code()[-8:]}",
        "title": "未就业困难家庭高校毕业生定向就业援助",
        "service_content": "职业培训、就业咨询、面试指导、岗位推荐",
        "starts_on": (today - timedelta(days=10)).isoformat(),
        "ends_on": (today + timedelta(days=170)).isoformat(),
        "amount": "60000.00",
        "fund": "province",
        "graduates_to_serve": seats,
        **extra,
    }
    key = "city" if org == "BZ" else ("county_a" if org == "BZ-MC" else "county_b")
    resp = client.post(S + "/contracts", headers=world.headers(key), json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_a_provider_keeps_its_phone_sealed_and_its_credit_code_checked(
    client: TestClient, db: Session, world: World
) -> None:
    made = _provider(client, world)
    assert made["contact_phone_masked"] == "138****7788"
    raw = db.execute(text("SELECT contact_phone_enc FROM catalog_service_provider")).scalars().all()
    assert raw and all(PHONE not in str(v) for v in raw)
    bad = {**{k: made[k] for k in ("name", "kind", "contact_name")}, "contact_phone": PHONE}
    wrong = client.post(
        S + "/providers", headers=world.headers("city"), json={**bad, "credit_code": "91341600MA2N0000X1"}
    )
    assert wrong.status_code == 422
    assert _error(wrong)[0] == "credit_code"
    again = client.post(
        S + "/providers", headers=world.headers("city"), json={**bad, "credit_code": made["credit_code"]}
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "统一社会信用代码已由“亳州市某人力资源服务有限公司”登记"
    counselor = client.post(
        S + "/providers", headers=world.headers("counselor_a"), json={**bad, "credit_code": credit_code()}
    )
    assert counselor.status_code == 403


def test_contract_fields_are_checked_with_reasons(client: TestClient, world: World) -> None:
    provider = _provider(client, world)
    base = {
        "provider_id": provider["id"],
        "org_unit_id": world.orgs["BZ-MC"],
        "number": "GM-MC-2023-01",
        "title": "定向就业援助",
        "service_content": "职业培训、就业咨询",
        "starts_on": "2023-09-01",
        "ends_on": "2023-12-31",
        "amount": "30000.00",
        "fund": "province",
        "graduates_to_serve": 10,
    }
    backwards = client.post(S + "/contracts", headers=world.headers("county_a"), json={**base, "ends_on": "2023-08-01"})
    assert _error(backwards) == ("ends_on", "服务期结束日期不能早于开始日期")
    fund = client.post(S + "/contracts", headers=world.headers("county_a"), json={**base, "fund": "lottery"})
    assert _error(fund)[0] == "fund"
    other = client.post(
        S + "/contracts", headers=world.headers("county_a"), json={**base, "org_unit_id": world.orgs["BZ-GY"]}
    )
    assert other.status_code == 403
    grassroots = client.post(
        S + "/contracts", headers=world.headers("county_a"), json={**base, "org_unit_id": world.orgs["BZ-MC-01"]}
    )
    assert _error(grassroots) == ("org_unit_id", "购买单位应为市总工会或县区（园区）总工会")
    assert client.post(S + "/contracts", headers=world.headers("county_a"), json=base).status_code == 201
    dup = client.post(S + "/contracts", headers=world.headers("county_a"), json=base)
    assert dup.status_code == 409
    assert dup.json()["detail"] == "合同编号“GM-MC-2023-01”已登记"


def test_counties_see_their_own_and_the_city_contracts_only(client: TestClient, world: World) -> None:
    city, mine, theirs = (
        _contract(client, world, "BZ"),
        _contract(client, world, "BZ-MC"),
        _contract(client, world, "BZ-GY"),
    )
    seen = {c["id"] for c in client.get(S + "/contracts", headers=world.headers("counselor_a")).json()["items"]}
    assert {city["id"], mine["id"]} <= seen and theirs["id"] not in seen
    assert client.get(f"{S}/contracts/{theirs['id']}", headers=world.headers("counselor_a")).status_code == 404


def test_refer_accept_place_and_count_in_annex9(client: TestClient, db: Session, world: World) -> None:
    contract = _contract(client, world, "BZ")
    grad = make_graduate(db, world, side="b")
    made = client.post(
        T + "/referrals",
        headers=world.headers("counselor_b"),
        json={"graduate_id": grad.id, "contract_id": contract["id"]},
    )
    assert made.status_code == 201, made.text
    referral = made.json()
    assert (referral["state"], referral["referred_on"]) == ("referred", local_today().isoformat())
    twice = client.post(
        T + "/referrals",
        headers=world.headers("counselor_b"),
        json={"graduate_id": grad.id, "contract_id": contract["id"]},
    )
    assert twice.status_code == 409

    path = f"{T}/referrals/{referral['id']}/moves"
    today = local_today().isoformat()
    by_counselor = client.post(path, headers=world.headers("counselor_b"), json={"to": "accepted", "on": today})
    assert by_counselor.status_code == 403
    skip = client.post(
        path, headers=world.headers("county_b"), json={"to": "placed", "on": today, "employer_name": "某公司"}
    )
    assert skip.status_code == 409
    assert skip.json()["detail"] == "转介当前为“已转介”，不能改为“已就业”"
    accepted = client.post(path, headers=world.headers("county_b"), json={"to": "accepted", "on": today}).json()
    assert (accepted["state"], accepted["accepted_on"]) == ("accepted", today)
    nameless = client.post(path, headers=world.headers("county_b"), json={"to": "placed", "on": today})
    assert _error(nameless) == ("employer_name", "已就业的，请填写就业单位")
    placed = client.post(
        path, headers=world.headers("county_b"), json={"to": "placed", "on": today, "employer_name": "亳州某药业公司"}
    ).json()
    assert (placed["state"], placed["employer_name"], placed["outcome_on"]) == ("placed", "亳州某药业公司", today)
    status = client.get(f"{T}/graduates/{grad.id}/status", headers=world.headers("counselor_b")).json()
    assert status["status"] == "employed"
    # county A's staff do not see county B's referral
    assert client.get(f"{T}/referrals/{referral['id']}", headers=world.headers("county_a")).status_code == 404

    report = client.get("/api/v1/reports/annex9", headers=world.headers("city")).json()
    activity = next(t for t in report["tables"] if t["code"] == "annex9_activity")
    rows = {r["county_code"]: r["values"] for r in activity["rows"]}
    assert (rows["BZ-GY"]["purchased_referred"], rows["BZ-GY"]["purchased_placed"]) == (1, 1)
    assert rows["BZ-MC"]["purchased_referred"] == 0
    city_row = next(v for code, v in rows.items() if code == "BZ")
    assert Decimal(str(city_row["purchased_amount"])) == Decimal("60000.00")
    assert Decimal(str(activity["total"]["values"]["money_spent"])) >= Decimal("60000.00")


def test_referral_is_refused_for_the_employed_a_full_contract_and_another_county(
    client: TestClient, db: Session, world: World
) -> None:
    city = _contract(client, world, "BZ", seats=1)
    theirs = _contract(client, world, "BZ-GY")
    employed = make_graduate(db, world, side="a", status="employed")
    first, second = make_graduate(db, world, side="a"), make_graduate(db, world, side="a")

    def refer(graduate_id: int, contract_id: int) -> Any:
        body = {"graduate_id": graduate_id, "contract_id": contract_id}
        return client.post(T + "/referrals", headers=world.headers("counselor_a"), json=body)

    refused = refer(employed.id, city["id"])
    assert refused.status_code == 409
    assert refused.json()["detail"] == "定向就业援助只面向未就业的毕业生，该毕业生当前状态为“已就业”"
    assert refer(first.id, city["id"]).status_code == 201
    full = refer(second.id, city["id"])
    assert full.json()["detail"] == "该合同约定服务1人，名额已满"
    assert refer(second.id, theirs["id"]).status_code == 404  # county B's contract is not visible to county A


def test_a_contract_outside_its_period_takes_no_referral(client: TestClient, db: Session, world: World) -> None:
    later = (local_today() + timedelta(days=30)).isoformat()
    contract = _contract(client, world, "BZ", starts_on=later, ends_on=(local_today() + timedelta(days=90)).isoformat())
    grad = make_graduate(db, world, side="a")
    resp = client.post(
        T + "/referrals",
        headers=world.headers("counselor_a"),
        json={"graduate_id": grad.id, "contract_id": contract["id"]},
    )
    assert resp.status_code == 409
    assert resp.json()["detail"].endswith("尚未开始")


@given(
    path=st.lists(st.sampled_from(sorted(REFERRAL_NAMES)), max_size=5),
    gaps=st.lists(st.integers(min_value=-3, max_value=5), min_size=5, max_size=5),
)
def test_the_referral_state_machine_only_moves_forward(path: list[str], gaps: list[int]) -> None:
    today = date(2023, 12, 1)
    referred = date(2023, 10, 1)
    row = SimpleNamespace(
        state="referred", referred_on=referred, accepted_on=None, outcome_on=None, employer_name=None, outcome_note=None
    )
    seen = ["referred"]
    day = referred
    for to, gap in zip(path, gaps, strict=False):
        on = day + timedelta(days=gap)
        move = ReferralMove(to=to, on=on, employer_name="某公司", note="服务期满")
        problem = move_problem(row, move, today=today)  # type: ignore[arg-type]
        legal = to in MOVES[row.state] and on <= today and on >= (row.accepted_on or row.referred_on)
        assert (problem is None) == legal, (row.state, to, on, problem)
        if problem is None:
            apply_move(row, move)  # type: ignore[arg-type]
            seen.append(to)
            day = on
    # a referral never goes back, and a finished one keeps its outcome date after its acceptance
    order = {"referred": 0, "accepted": 1, "placed": 2, "not_placed": 2}
    assert [order[s] for s in seen] == sorted(order[s] for s in seen)
    if row.state in {"placed", "not_placed"}:
        assert row.accepted_on is not None and row.outcome_on >= row.accepted_on
    assert (row.employer_name is not None) == (row.state == "placed")


def test_contract_figures_count_each_state(client: TestClient, db: Session, world: World) -> None:
    contract = _contract(client, world, "BZ", seats=5)
    for _ in range(2):
        grad = make_graduate(db, world, side="a")
        body = {"graduate_id": grad.id, "contract_id": contract["id"]}
        assert client.post(T + "/referrals", headers=world.headers("counselor_a"), json=body).status_code == 201
    figures = tracking.contract_figures(db, contract_ids=[contract["id"]])[contract["id"]]
    assert figures == {"referred": 2, "accepted": 0, "placed": 0, "not_placed": 0}
