"""Validation of identifiers people type into forms: resident ID, social credit code, bank card, phone.

Each ``normalize_*`` cleans only what a careless sheet adds (full-width digits, spaces, zero-width characters,
a lower-case x) and raises :class:`InvalidIdentifier` with a Chinese reason; nothing is ever repaired.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import phonenumbers
from stdnum import luhn, numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from services.clock import local_today

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000 \t\r\n-"), None)


def normalize_digits(value: str) -> str:
    """Full-width → half-width, drop spaces, dashes and zero-width characters, upper-case a trailing x.

    Only for ID, phone and card fields; never for names or free text.
    """
    text = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH)
    return text.upper()


class InvalidIdentifier(ValueError):
    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "男" / "女"
    region_code: str

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def region_exists(code: str) -> bool:
    """True when ``code`` is a GB/T 2260 division code at any time, past or present.

    A resident ID keeps the code in force where the number was first assigned, which may be older or newer than
    the birth year (a 亳州 parent born in 1975 often holds 3416xx, created in 2000, or a 阜阳 code 3421xx / 3412xx),
    so the code is never checked against the birth year.
    """
    if len(code) != 6 or not code.isdigit():
        return False
    return any("county" in props for _, props in _divisions().info(code))


@lru_cache(maxsize=1)
def _divisions() -> Any:
    return numdb.get("cn/loc")


def parse_resident_id(raw: object) -> ResidentId:
    """GB 11643 18-digit ID: length, digits, a real birth date, a region code that ever existed, the check digit.

    Every failing part is named in the reason ("出生日期 19990231 不存在；校验位错误").
    """
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise InvalidIdentifier(
            "身份证号被表格存成了数字（末位可能已丢失），请将单元格设为文本后重新填写", "stored_as_number"
        )
    value = normalize_digits(str(raw))
    if len(value) != 18:
        raise InvalidIdentifier(f"身份证号应为18位，实际为{len(value)}位", "length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdentifier("身份证号只能由数字和末位X组成", "format")
    problems: list[tuple[str, str]] = []
    birth: date | None = None
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        problems.append((f"出生日期 {value[6:14]} 不存在", "birth_date"))
    if birth is not None and not date(1900, 1, 1) <= birth <= local_today():
        problems.append((f"出生日期 {value[6:14]} 不在合理范围内", "birth_date"))
    if not region_exists(value[:6]):
        problems.append((f"地区代码 {value[:6]} 不存在", "region"))
    if value[17] != ric.calc_check_digit(value):
        problems.append(("校验位错误", "checksum"))
    if problems or birth is None:
        raise InvalidIdentifier("身份证号" + "；".join(reason for reason, _ in problems) + "，请核对", problems[0][1])
    sex = "男" if int(value[16]) % 2 else "女"
    return ResidentId(number=value, birth_date=birth, sex=sex, region_code=value[:6])


def normalize_credit_code(raw: str) -> str:
    """统一社会信用代码 (GB 32100): 18 characters, checksum verified."""
    value = normalize_digits(str(raw))
    if len(value) != 18:
        raise InvalidIdentifier(f"统一社会信用代码应为18位，实际为{len(value)}位", "length")
    try:
        return str(uscc.validate(value))
    except InvalidChecksum as exc:
        raise InvalidIdentifier("统一社会信用代码校验位错误", "checksum") from exc
    except ValidationError as exc:
        raise InvalidIdentifier("统一社会信用代码格式不正确", "format") from exc


def normalize_bank_card(raw: object) -> str:
    """A UnionPay/debit card number: 15–19 digits with a valid Luhn check digit."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise InvalidIdentifier("银行卡号被表格存成了数字，请将单元格设为文本后重新填写", "stored_as_number")
    value = normalize_digits(str(raw))
    if not value.isdigit():
        raise InvalidIdentifier("银行卡号只能由数字组成", "format")
    if not 15 <= len(value) <= 19:
        raise InvalidIdentifier(f"银行卡号应为15至19位，实际为{len(value)}位", "length")
    if not luhn.is_valid(value):
        raise InvalidIdentifier("银行卡号校验位错误，请核对", "checksum")
    return value


def normalize_phone(raw: object) -> str:
    """A mainland mobile or fixed-line number, returned as digits (landlines with area code)."""
    value = normalize_digits(str(raw)).removeprefix("+86").removeprefix("0086")
    if not value.isdigit():
        raise InvalidIdentifier("电话号码只能由数字组成", "format")
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier("电话号码格式不正确", "format") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidIdentifier("电话号码无效，请核对位数和号段", "invalid")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())
