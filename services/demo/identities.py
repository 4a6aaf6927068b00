"""Synthetic identifiers that pass every checksum yet are recognisably not real people's.

- resident IDs: a real county code, a plausible birth date, sequence codes 990–999 (the sex digit keeps its
  parity), and the GB 11643 check digit;
- social credit codes: ``91`` + division code + organisation part starting ``DM``, GB 32100 check digit;
- bank cards: the ``621799`` test prefix, 19 digits, Luhn check digit;
- phones: the ``1700000`` block of virtual-operator numbers.
"""

from __future__ import annotations

import random
import string
from datetime import date

from stdnum import luhn
from stdnum.cn import ric, uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id(rng: random.Random, *, region: str, birth: date, female: bool) -> str:
    sex_digit = rng.choice("02468" if female else "13579")
    body = f"{region}{birth:%Y%m%d}99{sex_digit}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a trailing digit it ignores


def credit_code(rng: random.Random, *, division: str) -> str:
    body = f"91{division}DM" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(7))
    return body + uscc.calc_check_digit(body)


def bank_card(rng: random.Random) -> str:
    body = "621799" + "".join(rng.choice(string.digits) for _ in range(12))
    return body + luhn.calc_check_digit(body)


def phone(rng: random.Random) -> str:
    return "1700000" + "".join(rng.choice(string.digits) for _ in range(4))
