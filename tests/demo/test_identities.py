"""Demo identities pass every validator the registry and catalog apply, and carry their synthetic marks."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services import identifiers
from services.demo import identities


@given(
    st.integers(min_value=0, max_value=2**32),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2010, 12, 31)),
    st.booleans(),
    st.sampled_from(["341602", "341621", "341622", "341623", "340104"]),
)
def test_resident_ids_are_valid_and_marked(seed: int, birth: date, female: bool, region: str) -> None:
    number = identities.resident_id(random.Random(seed), region=region, birth=birth, female=female)
    parsed = identifiers.parse_resident_id(number)
    assert parsed.birth_date == birth
    assert parsed.sex == ("女" if female else "男")
    assert parsed.region_code == region
    assert number[14:16] == "99"


@given(st.integers(min_value=0, max_value=2**32))
def test_codes_cards_and_phones_are_valid_and_marked(seed: int) -> None:
    rng = random.Random(seed)
    code = identities.credit_code(rng, division="341622")
    assert identifiers.normalize_credit_code(code) == code
    assert code[8:10] == "DM"
    card = identities.bank_card(rng)
    assert identifiers.normalize_bank_card(card) == card
    assert card.startswith("621799")
    phone = identities.phone(rng)
    assert identifiers.normalize_phone(phone) == phone
    assert phone.startswith("1700000")


@given(
    st.integers(min_value=0, max_value=2**32),
    st.dates(min_value=date(1970, 1, 1), max_value=date(2005, 12, 31)),
    st.sampled_from(["341602", "341621", "341622", "341623"]),
)
def test_older_people_carry_the_county_code_of_their_birth_year(seed: int, birth: date, county: str) -> None:
    region = identities.region_at(county, birth.year)
    number = identities.resident_id(random.Random(seed), region=region, birth=birth, female=False)
    assert identifiers.parse_resident_id(number).region_code == region
    assert (region == county) == (birth.year >= 2000)
