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

# The codes of 亳州's counties changed in 1986 (亳县 → 亳州市), 1996 and 2000; an ID keeps the code in force at birth.
_BOZHOU_CODE_HISTORY: dict[str, list[tuple[int, str]]] = {
    "341602": [(1986, "342126"), (1996, "342102"), (2000, "341281"), (9999, "341602")],
    "341621": [(1996, "342124"), (2000, "341223"), (9999, "341621")],
    "341622": [(1996, "342125"), (2000, "341224"), (9999, "341622")],
    "341623": [(1996, "342130"), (2000, "341227"), (9999, "341623")],
}


def region_at(county: str, year: int) -> str:
    """The county code in force in ``year`` (亳州's counties were re-coded in 1986, 1996 and 2000)."""
    for until, code in _BOZHOU_CODE_HISTORY.get(county, []):
        if year < until:
            return code
    return county


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
