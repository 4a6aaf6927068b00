"""Resident ID numbers as the registry reads them: every valid generated number is accepted with the right
birth date and sex; every single-digit corruption is rejected; sheet noise is cleaned, never repaired."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from services.demo.identities import region_at
from services.identifiers import InvalidIdentifier
from services.refdata.enums import Vocabularies, Vocabulary
from services.registry import forms

COUNTIES = ("341602", "341621", "341622", "341623")  # 亳州's counties, under the code in force at birth


@st.composite
def resident_ids(draw: st.DrawFn) -> tuple[str, date, str]:
    county = draw(st.sampled_from(COUNTIES))
    born = draw(st.dates(min_value=date(1987, 1, 1), max_value=date(2010, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    body = f"{region_at(county, born.year)}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0"), born, "男" if seq % 2 else "女"


ID_FIELD = next(f for f in forms.FAMILY_FIELDS if f.key == "id_number")
NO_VOCAB = Vocabularies({})


@settings(max_examples=300, deadline=None)
@given(resident_ids())
def test_every_valid_id_is_accepted_with_birth_date_and_sex(case: tuple[str, date, str]) -> None:
    number, born, sex = case
    parsed = forms.clean_value(ID_FIELD, number, NO_VOCAB)
    assert (parsed.number, parsed.birth_date, parsed.sex) == (number, born, sex)


@settings(max_examples=300, deadline=None)
@given(resident_ids(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_every_single_digit_corruption_is_rejected(case: tuple[str, date, str], position: int, shift: int) -> None:
    number = case[0]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    replacement = alphabet[(current + shift) % len(alphabet)]
    if replacement == number[position]:
        replacement = alphabet[(current + 1) % len(alphabet)]
    corrupted = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidIdentifier):
        forms.clean_value(ID_FIELD, corrupted, NO_VOCAB)


@given(resident_ids())
def test_sheet_noise_is_cleaned_in_id_fields(case: tuple[str, date, str]) -> None:
    number = case[0]
    noisy = " " + "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number) + "\u200b "
    assert forms.clean_value(ID_FIELD, noisy, NO_VOCAB).number == number


def test_an_id_stored_as_a_number_is_refused_not_repaired() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        forms.clean_value(ID_FIELD, 341622200203041235, NO_VOCAB)
    assert info.value.code == "stored_as_number"
    with pytest.raises(InvalidIdentifier):
        forms.clean_value(ID_FIELD, "3.41622E+17", NO_VOCAB)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2023-07-14", date(2023, 7, 14)),
        ("2023/7/14", date(2023, 7, 14)),
        ("2023.07.14", date(2023, 7, 14)),
        ("2023年7月14日", date(2023, 7, 14)),
        ("20230714", date(2023, 7, 14)),
        ("2023-07", date(2023, 7, 1)),
        (45121, date(2023, 7, 14)),
    ],
)
def test_date_spellings(typed: object, expected: date) -> None:
    fld = next(f for f in forms.FAMILY_FIELDS if f.key == "work_start_date")
    assert forms.clean_value(fld, typed, NO_VOCAB) == expected


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_money_keeps_cents_exactly(amount: object) -> None:
    fld = next(f for f in forms.FAMILY_FIELDS if f.key == "monthly_income")
    assert forms.clean_value(fld, str(amount), NO_VOCAB) == amount
    assert forms.clean_value(fld, f"{amount}元", NO_VOCAB) == amount


def test_money_refuses_negative_and_fractions_of_cents() -> None:
    fld = next(f for f in forms.FAMILY_FIELDS if f.key == "monthly_income")
    for bad, code in (("-1", "negative"), ("12.345", "decimal_places"), ("abc", "number")):
        with pytest.raises(InvalidIdentifier) as info:
            forms.clean_value(fld, bad, NO_VOCAB)
        assert info.value.code == code


def test_options_by_code_or_name_and_secondary_causes_at_most_three() -> None:
    voc = Vocabulary(key="hardship_cause", title="致困原因", names={"01": "本人患大病", "14": "收入低"})
    voc.by_name = {v: k for k, v in voc.names.items()}
    vocab = Vocabularies({"hardship_cause": voc})
    fld = next(f for f in forms.FAMILY_FIELDS if f.key == "secondary_causes")
    assert forms.clean_value(fld, "本人患大病、14", vocab) == ["01", "14"]
    assert forms.clean_value(fld, "1", vocab) == ["01"]  # a sheet dropped the leading zero
    with pytest.raises(InvalidIdentifier) as info:
        forms.clean_value(fld, "01,14,01,14", vocab)
    assert info.value.code in {"too_many", "not_an_option"}
    with pytest.raises(InvalidIdentifier):
        forms.clean_value(fld, "01、14、99、98", vocab)
