"""Resident IDs as people really hold them: the region code is the one in force where the number was first
assigned, older or newer than the birth year, so any code GB/T 2260 ever had is accepted; an unknown code, a date
that does not exist or a wrong check digit is refused with the part named."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from services.identifiers import InvalidIdentifier, parse_resident_id, region_exists
from tests.conftest import World
from tests.registry import factories

HISTORY = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "admin_divisions_gb2260_history_stdnum.csv"


def _history_codes(prefixes: tuple[str, ...]) -> list[str]:
    if not HISTORY.exists():  # the shared catalogs sit beside the checkout; the codes below are from that file
        return ["341602", "341621", "341622", "341623", "342101", "342124", "342125", "341201", "341223", "341224"]
    with HISTORY.open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh) if row["code"].startswith(prefixes)]


# 亳州 today (3416xx, created in 2000), 阜阳地区 until 1996 (3421xx) and 阜阳市 1996–2000 (3412xx)
LOCAL_CODES = _history_codes(("3416", "3421", "3412"))


def with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(LOCAL_CODES),
    born=st.dates(min_value=date(1940, 1, 1), max_value=date(1999, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_ids_of_people_born_before_2000_with_any_local_code_are_accepted(code: str, born: date, seq: int) -> None:
    number = with_check_digit(f"{code}{born:%Y%m%d}{seq:03d}")
    parsed = parse_resident_id(number)
    assert (parsed.birth_date, parsed.region_code, parsed.sex) == (born, code, "男" if seq % 2 else "女")


@settings(max_examples=200, deadline=None)
@given(
    code=st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:06d}"),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2010, 12, 31)),
)
def test_unknown_region_codes_are_refused_by_name(code: str, born: date) -> None:
    number = with_check_digit(f"{code}{born:%Y%m%d}123")
    if region_exists(code):
        assert parse_resident_id(number).region_code == code
        return
    with pytest.raises(InvalidIdentifier) as info:
        parse_resident_id(number)
    assert info.value.code == "region" and f"地区代码 {code} 不存在" in info.value.reason


def test_each_failing_part_is_named() -> None:
    with pytest.raises(InvalidIdentifier) as bad_date:
        parse_resident_id(with_check_digit("34162219990231123"))
    assert "出生日期 19990231 不存在" in bad_date.value.reason
    good = with_check_digit("34162219990101123")
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(InvalidIdentifier) as bad_check:
        parse_resident_id(wrong_digit)
    assert bad_check.value.reason == "身份证号校验位错误，请核对"
    with pytest.raises(InvalidIdentifier) as both:
        parse_resident_id("349999199902311230")
    assert "地区代码 349999 不存在" in both.value.reason and "出生日期 19990231 不存在" in both.value.reason


def test_the_form_accepts_a_real_mengcheng_id_and_names_an_unknown_region(client: TestClient, world: World) -> None:
    def create(id_number: str):  # type: ignore[no-untyped-def]
        body = factories.api_body(factories.graduate_fields(id_number=id_number))
        body["org_unit_id"] = world.orgs["BZ-MC-01"]
        return client.post("/api/v1/registry/graduates", headers=world.headers("county_a"), json=body)

    accepted = create("341622199901011235")
    assert accepted.status_code == 201, accepted.text
    refused = create(with_check_digit("34999919990101123"))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert any(e["field"] == "id_number" and "地区代码 349999 不存在" in e["reason"] for e in errors)
