"""The 摸排 per county: a county clerk fills it in and hands it in, the city sees every county and sends one back,
nobody reaches another county's; 附件7 takes a county's row from its handed-in survey and the rest from the aid
applications, flagged in the 已报送摸排 column."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from services.errors import ValidationFailed
from services.reports.campaign import filing, surveys
from tests.conftest import World
from tests.reports import expect
from tests.reports.generator import AS_OF, YEAR, Expected

JULY = datetime(2023, 7, 10, 2, tzinfo=UTC)  # handed in before the 7月14日 deadline
SURVEY: dict[str, Any] = {
    "aid_persons": {"archived_undergraduate": 12, "archived_high_school": 3, "nonarchived_higher_vocational": 5},
    "archived_amount": "30000.00",
    "nonarchived_amount": "10000",
    "job_seekers": 20,
    "internship_need": 6,
    "training_need": 4,
    "entrepreneurship_need": 2,
    "note": "按基层工会摸底和职工自主申报汇总",
}


def _put(client: TestClient, world: World, actor: str, county: str, body: dict[str, Any], year: int = YEAR) -> Any:
    return client.put(f"/api/v1/reports/surveys/{world.orgs[county]}/{year}", json=body, headers=world.headers(actor))


def _annex7(client: TestClient, world: World, actor: str = "city") -> dict[tuple[str, ...], dict[str, Any]]:
    resp = client.get(
        "/api/v1/reports/annex7", params={"as_of": AS_OF.isoformat(), "year": YEAR}, headers=world.headers(actor)
    )
    assert resp.status_code == 200, resp.text
    table = resp.json()["tables"][0]
    rows = {(r["county_code"],): r["values"] for r in table["rows"]}
    rows[("合计",)] = table["total"]["values"]
    return rows


def _handed_in(client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(filing, "utcnow", lambda: JULY)
    resp = _put(client, world, "county_a", "BZ-MC", SURVEY)
    assert resp.status_code == 200, resp.text
    survey_id = int(resp.json()["id"])
    resp = client.post(f"/api/v1/reports/surveys/{survey_id}/submit", headers=world.headers("county_a"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "submitted"
    return survey_id


def test_annex7_takes_a_county_from_its_survey_and_the_others_from_applications(
    client: TestClient, world: World, generated: Expected, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _annex7(client, world)
    assert before[("BZ-MC",)]["survey_submitted"] == 0
    _handed_in(client, world, monkeypatch)
    after = _annex7(client, world)
    mc = after[("BZ-MC",)]
    assert mc["survey_submitted"] == 1
    assert mc["archived_undergraduate"] == 12 and mc["archived_high_school"] == 3
    assert mc["archived_persons"] == 15 and mc["nonarchived_persons"] == 5 and mc["total_persons"] == 20
    assert Decimal(mc["total_amount"]) == Decimal("40000.00")
    assert mc["archived_preschool"] == 0  # a category the survey left out is zero, not the applications' figure
    want_gy = expect.annex7(generated.annex7["BZ-GY"])
    gy = after[("BZ-GY",)]
    assert gy["survey_submitted"] == 0
    assert gy["total_persons"] == want_gy["total_persons"] > 0  # still from the applications
    assert after[("BZ-GY",)] == before[("BZ-GY",)]
    total = after[("合计",)]
    assert total["survey_submitted"] == 1
    assert total["total_persons"] == before[("合计",)]["total_persons"] - before[("BZ-MC",)]["total_persons"] + 20
    county_view = _annex7(client, world, "county_a")
    assert county_view[("BZ-MC",)] == mc


def test_a_survey_sent_back_leaves_annex7_until_it_is_handed_in_again(
    client: TestClient, world: World, generated: Expected, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _annex7(client, world)[("BZ-MC",)]
    survey_id = _handed_in(client, world, monkeypatch)
    resp = client.post(
        f"/api/v1/reports/surveys/{survey_id}/return", json={"reason": "  "}, headers=world.headers("city")
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0] == {
        "field": "reason",
        "reason": "请写明退回原因，县区据此修改",
        "code": "validation_failed",
    }
    resp = client.post(
        f"/api/v1/reports/surveys/{survey_id}/return",
        json={"reason": "本科人数与档案不符，请核对"},
        headers=world.headers("city"),
    )
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert _annex7(client, world)[("BZ-MC",)] == before
    fixed = {**SURVEY, "aid_persons": {**SURVEY["aid_persons"], "archived_undergraduate": 10}}
    assert _put(client, world, "county_a", "BZ-MC", fixed).status_code == 200
    assert (
        client.post(f"/api/v1/reports/surveys/{survey_id}/submit", headers=world.headers("county_a")).status_code == 200
    )
    assert _annex7(client, world)[("BZ-MC",)]["archived_undergraduate"] == 10


def test_who_may_write_read_and_send_back(client: TestClient, world: World) -> None:
    resp = _put(client, world, "county_a", "BZ-MC", SURVEY)
    assert resp.status_code == 200
    survey_id = resp.json()["id"]
    # another county: as if it did not exist
    assert _put(client, world, "county_b", "BZ-MC", SURVEY).status_code == 404
    assert (
        client.get(
            f"/api/v1/reports/surveys/{world.orgs['BZ-MC']}/{YEAR}", headers=world.headers("county_b")
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/reports/surveys/{survey_id}/submit", headers=world.headers("county_b")).status_code == 404
    )
    # the city reads every county but does not fill in a county's survey
    resp = _put(client, world, "city", "BZ-MC", SURVEY)
    assert resp.status_code == 403 and "由本单位工会填报" in resp.json()["detail"]
    lines = client.get("/api/v1/reports/surveys", params={"year": YEAR}, headers=world.headers("city")).json()
    assert {line["county_id"]: line["status"] for line in lines}[world.orgs["BZ-MC"]] == "draft"
    assert len(lines) >= 7
    mine = client.get("/api/v1/reports/surveys", params={"year": YEAR}, headers=world.headers("county_b")).json()
    assert [line["county_id"] for line in mine] == [world.orgs["BZ-GY"]] and mine[0]["survey"] is None
    # no role outside the union staff
    for actor in ("counselor_a", "graduate_a", "enterprise_a"):
        assert (
            client.get("/api/v1/reports/surveys", params={"year": YEAR}, headers=world.headers(actor)).status_code
            == 403
        )
    # a grassroots unit is not a county
    assert _put(client, world, "county_a", "BZ-MC-01", SURVEY).status_code == 404
    # handed in: frozen for the county, the city may send it back, a county may not
    assert (
        client.post(f"/api/v1/reports/surveys/{survey_id}/submit", headers=world.headers("county_a")).status_code == 200
    )
    resp = _put(client, world, "county_a", "BZ-MC", SURVEY)
    assert resp.status_code == 409 and "已报送" in resp.json()["detail"]
    resp = client.post(
        f"/api/v1/reports/surveys/{survey_id}/return", json={"reason": "x"}, headers=world.headers("county_a")
    )
    assert resp.status_code == 403


def test_bad_figures_are_refused_field_by_field_in_chinese(client: TestClient, world: World) -> None:
    body = {
        **SURVEY,
        "aid_persons": {"archived_undergraduate": -1, "archived_doctorate": 2},
        "nonarchived_amount": "500.123",
        "internship_need": 30,
    }
    resp = _put(client, world, "county_a", "BZ-MC", body)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    reasons = {e["field"]: e["reason"] for e in resp.json()["errors"]}
    assert reasons["archived_doctorate"] == "没有名为“archived_doctorate”的需求类别"
    assert reasons["archived_undergraduate"] == "“建档困难职工家庭·本科”不能为负数"
    assert reasons["nonarchived_amount"] == "金额最多保留两位小数"
    assert reasons["internship_need"] == "“其中需要见习岗位”不能多于有就业援助需求的毕业生人数"
    resp = _put(client, world, "county_a", "BZ-MC", {**SURVEY, "aid_persons": {}, "nonarchived_amount": "0"})
    reasons = {e["field"]: e["reason"] for e in resp.json()["errors"]}
    assert reasons == {"archived_amount": "填写了建档困难职工家庭的需求金额，但没有需求人数"}
    resp = _put(client, world, "county_a", "BZ-MC", {**SURVEY, "surprise": 1})
    assert resp.status_code == 422
    assert (
        client.get(
            f"/api/v1/reports/surveys/{world.orgs['BZ-MC']}/{YEAR}", headers=world.headers("county_a")
        ).status_code
        == 404
    )


def test_saving_is_audited(client: TestClient, world: World, db: Any) -> None:
    from sqlalchemy import select

    from services.security.models import AuditEvent

    resp = _put(client, world, "county_a", "BZ-MC", SURVEY)
    events = db.scalars(select(AuditEvent).where(AuditEvent.target_type == "report_county_survey")).all()
    assert [e.actor_id for e in events] == [world.users["county_a"]]
    assert str(resp.json()["id"]) in {str(e.target_id) for e in events}


counts = st.integers(min_value=0, max_value=50)


@settings(max_examples=150, deadline=None)
@given(
    persons=st.dictionaries(st.sampled_from(surveys.PERSON_KEYS), counts, max_size=6),
    archived=st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    nonarchived=st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False),
    seekers=counts,
    internship=counts,
)
def test_the_validator_accepts_exactly_consistent_figures(
    persons: dict[str, int], archived: Decimal, nonarchived: Decimal, seekers: int, internship: int
) -> None:
    figures = surveys.SurveyFigures(
        aid_persons=persons,
        archived_amount=archived,
        nonarchived_amount=nonarchived,
        job_seekers=seekers,
        internship_need=internship,
    )
    by_kind = {p: sum(n for k, n in persons.items() if k.startswith(f"{p}_")) for p, _ in surveys.FAMILY_KINDS}
    consistent = (
        (by_kind["archived"] > 0) == (archived > 0)
        and (by_kind["nonarchived"] > 0) == (nonarchived > 0)
        and internship <= seekers
    )
    if not consistent:
        with pytest.raises(ValidationFailed):
            surveys.check_figures(figures)
        return
    checked = surveys.check_figures(figures)
    assert {k: v for k, v in checked.aid_persons.items() if v} == {k: v for k, v in persons.items() if v}
    assert set(checked.aid_persons) == set(surveys.PERSON_KEYS)
    assert checked.archived_amount == archived and checked.nonarchived_amount == nonarchived
