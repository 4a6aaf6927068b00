"""The fields of the forms (附件3/4 archive and members, the student/graduate sheet) and how a typed value is
checked. One cleaning path serves the API and the spreadsheet import, so both accept and refuse the same things.

Normalisation (full-width digits, spaces, zero-width characters, a lower-case x) happens only in ID, phone and
card fields; nothing is ever repaired: a bad value is reported with a code and a reason a clerk understands.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from services.errors import FieldError, ValidationFailed
from services.identifiers import (
    InvalidIdentifier,
    normalize_bank_card,
    normalize_digits,
    normalize_phone,
    parse_resident_id,
)
from services.refdata.api import Vocabularies, Vocabulary
from services.registry import wording
from services.security.pii import PiiKind, mask

Kind = Literal[
    "text",
    "enum",
    "enum_list",
    "date",
    "decimal",
    "int",
    "year",
    "bool",
    "id_number",
    "phone",
    "bank_card",
    "division",
    "division_list",
    "postal",
    "text_list",
]
CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")
_SPLIT = re.compile(r"[,，、;；/|\s]+")
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str  # the form's column name without the star
    kind: Kind
    required: bool = False
    enum: str | None = None
    sealed: PiiKind | None = None
    max_len: int = 200
    max_items: int = 20
    derived: bool = False  # filled from the ID number: a typed value is only checked for agreement

    @property
    def column(self) -> str:
        return ("*" if self.required else "") + self.label


def _f(key: str, label: str, kind: Kind = "text", **kw: Any) -> Field:
    return Field(key=key, label=label, kind=kind, **kw)


# 附件3 困难职工档案 / 附件4 困难农民工档案 — the archive (head of family)
FAMILY_FIELDS: tuple[Field, ...] = (
    _f("archive_no", "职工编号", required=True, max_len=40),
    _f("hardship_category", "困难类别", "enum", required=True, enum="hardship_category"),
    _f("archive_type", "档案类型", "enum", required=True, enum="archive_type"),
    _f("archive_standard", "建档标准", "enum", required=True, enum="archive_standard"),
    _f("name", "姓名", required=True, max_len=50),
    _f("ethnicity", "民族", "enum", required=True, enum="ethnicity"),
    _f("sex", "性别", derived=True),
    _f("political_status", "政治面貌", "enum", required=True, enum="political_status"),
    _f("id_number", "身份证号", "id_number", required=True, sealed=PiiKind.ID_NUMBER),
    _f("birth_date", "出生日期", "date", derived=True),
    _f("health_status", "健康状况", "enum", required=True, enum="health_status", sealed=PiiKind.TEXT),
    _f("disability", "疾病/残疾类别", "enum", enum="disability_category", sealed=PiiKind.TEXT),
    _f("work_status", "工作状态", "enum", enum="work_status"),
    _f("work_start_date", "工作时间", "date"),
    _f("contract_signed_on", "劳动合同签订时间", "date"),
    _f("contract_term", "合同期限", max_len=40),
    _f("housing_type", "住房类型", "enum", required=True, enum="housing_type"),
    _f("floor_area", "建筑面积", "decimal"),
    _f("phone", "手机号码", "phone", sealed=PiiKind.PHONE),
    _f("other_contact", "其他联系方式", max_len=100),
    _f("model_worker_type", "劳模类型", "enum", required=True, enum="model_worker_type"),
    _f("marital_status", "婚姻状况", "enum", required=True, enum="marital_status"),
    _f("single_parent", "是否单亲", "bool"),
    _f("medical_insurance", "医保状况", "enum", required=True, enum="medical_insurance"),
    _f("address", "家庭住址", required=True, sealed=PiiKind.TEXT),
    _f("postal_code", "邮政编码", "postal"),
    _f("employer_name", "工作单位"),
    _f("employer_nature", "单位性质", "enum", enum="employer_nature"),
    _f("enterprise_status", "企业状况", "enum", enum="enterprise_status"),
    _f("industry_code", "所属行业", "enum", required=True, enum="industry"),
    _f("monthly_income", "本人月平均收入", "decimal", required=True, sealed=PiiKind.TEXT),
    _f("other_annual_income", "家庭其他非薪资年收入", "decimal", required=True, sealed=PiiKind.TEXT),
    _f("household_division_code", "户口所在地行政区划", "division", required=True),
    _f("household_type", "户口类型", "enum", required=True, enum="household_type"),
    _f("self_help_ability", "是否有一定自救能力", "bool"),
    _f("primary_cause", "主要致困原因", "enum", required=True, enum="hardship_cause"),
    _f("necessary_expense", "年度必要支出", "decimal", sealed=PiiKind.TEXT),
    _f("cause_note", "其他(文字描述)", sealed=PiiKind.TEXT, max_len=500),
    _f("secondary_causes", "次要致困原因（0-3项）", "enum_list", enum="hardship_cause", max_items=3),
    _f("bank_name", "开户银行", max_len=100),
    _f("bank_branch", "支行名称", max_len=100),
    _f("bank_card", "银行卡号", "bank_card", sealed=PiiKind.BANK_CARD),
    _f("remarks", "备注", max_len=1000),
    _f("filed_by", "建档人", required=True, max_len=50),
    _f("reviewed_by", "审核人", required=True, max_len=50),
)
# 附件3 requires 工作状态 and 工作时间; 附件4 requires 劳动合同签订时间, 合同期限 and 工作单位.
REQUIRED_BY_TYPE: dict[str, tuple[str, ...]] = {
    "1": ("work_status", "work_start_date"),
    "2": ("contract_signed_on", "contract_term", "employer_name"),
}
HEAD_ID_FIELD = _f("head_id_number", "户主身份证号", "id_number", required=True, sealed=PiiKind.ID_NUMBER)

# 家庭成员信息表格
MEMBER_FIELDS: tuple[Field, ...] = (
    _f("name", "姓名", required=True, max_len=50),
    _f("relation", "关系（是户主的）", "enum", required=True, enum="relation"),
    _f("ethnicity", "民族", "enum", required=True, enum="ethnicity"),
    _f("id_number", "身份证号", "id_number", required=True, sealed=PiiKind.ID_NUMBER),
    _f("sex", "性别", derived=True),
    _f("birth_date", "出生日期", "date", derived=True),
    _f("political_status", "政治面貌", "enum", enum="political_status"),
    _f("monthly_income", "月收入", "decimal", required=True, sealed=PiiKind.TEXT),
    _f("model_worker_type", "劳模类型", "enum", required=True, enum="model_worker_type"),
    _f("health_status", "健康状况", "enum", required=True, enum="health_status", sealed=PiiKind.TEXT),
    _f("disability", "疾病/残疾类别", "enum", enum="disability_category", sealed=PiiKind.TEXT),
    _f("medical_insurance", "医保状况", "enum", required=True, enum="medical_insurance"),
    _f("marital_status", "婚姻状况", "enum", required=True, enum="marital_status"),
    _f("household_type", "户口类型", "enum", required=True, enum="household_type"),
    _f("phone", "手机号码", "phone", sealed=PiiKind.PHONE),
    _f("other_contact", "其它联系方式", max_len=100),
    _f("identity", "人员身份", "enum", required=True, enum="person_identity"),
    _f("education", "当前学历", "enum", enum="education"),
    _f("enrolment_year", "入学年份", "year"),
    _f("study_years", "年制", "int"),
    _f("school_or_employer", "单位或学校"),
    _f("employer_nature", "单位性质", "enum", enum="employer_nature"),
    _f("enterprise_status", "企业状况", "enum", enum="enterprise_status"),
    _f("industry_code", "所属行业", "enum", enum="industry"),
    _f("work_status", "工作状态", "enum", enum="work_status"),
    _f("contract_signed_on", "劳动合同签订/入伍时间", "date"),
    _f("contract_term", "合同期限", max_len=40),
    _f("remarks", "备注", max_len=1000),
)

# 学生与毕业生（服务对象）
GRADUATE_FIELDS: tuple[Field, ...] = (
    _f("name", "姓名", required=True, max_len=50),
    _f("id_number", "身份证号", "id_number", required=True, sealed=PiiKind.ID_NUMBER),
    _f("sex", "性别", derived=True),
    _f("birth_date", "出生日期", "date", derived=True),
    _f("ethnicity", "民族", "enum", enum="ethnicity"),
    _f("phone", "手机号码", "phone", sealed=PiiKind.PHONE),
    _f("email", "电子邮箱", max_len=200),
    _f("service_category", "服务对象类别", "enum", required=True, enum="service_category"),
    _f("stage", "在校生/毕业生", required=True, max_len=10),
    _f("family_head_id_number", "户主身份证号", "id_number", sealed=PiiKind.ID_NUMBER),
    _f("school_kind", "学校种类", "enum", required=True, enum="school_kind"),
    _f("school_name", "学校名称", required=True),
    _f("enrolled_on", "入学时间", "date"),
    _f("study_years", "学制", "int"),
    _f("major", "专业", max_len=100),
    _f("education", "学历", "enum", required=True, enum="education"),
    _f("cohort", "毕业届别", "year"),
    _f("employment_status", "就业状态", "enum", enum="employment_status"),
    _f("intentions", "就业意愿", "enum_list", enum="intention", max_items=5),
    _f("preferred_places", "意向地区", "division_list", max_items=10),
    _f("expected_pay_min", "期望月薪下限", "decimal"),
    _f("expected_pay_max", "期望月薪上限", "decimal"),
    _f("skills", "技能特长", "text_list", max_items=30),
    _f("assistance_needs", "援助需求", max_len=1000),
    _f("home_division_code", "生源地行政区划", "division"),
    _f("enterprise_visible", "同意企业查看简历", "bool"),
    _f("remarks", "备注", max_len=1000),
)
STAGES = {"在校生": "student", "毕业生": "graduate", "student": "student", "graduate": "graduate"}

FAMILY_SENSITIVE = {f.key: f.sealed for f in FAMILY_FIELDS if f.sealed}
MEMBER_SENSITIVE = {f.key: f.sealed for f in MEMBER_FIELDS if f.sealed}
GRADUATE_SENSITIVE = {"id_number": PiiKind.ID_NUMBER, "phone": PiiKind.PHONE}


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    code: str
    reason: str
    value: str = ""  # what was typed, masked when the field is sensitive
    wording: str = ""  # an option cell not understood: the wording itself (listed once per column by the import)


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, fld: str, code: str, reason: str, value: str = "", wording: str = "") -> None:
        self.items.append(Problem(fld, code, reason, value, wording))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, prefix: str = "") -> None:
        if self.items:
            errors = [FieldError(field=prefix + p.field, reason=p.reason, code=p.code) for p in self.items]
            detail = "；".join(f"{e.field}：{e.reason}" for e in errors[:5])
            raise ValidationFailed(detail, errors=errors)


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip().strip("\u200b\ufeff\u3000")
    if isinstance(value, list | tuple | set):
        return len(value) == 0
    return False


def shown(fld: Field, value: object) -> str:
    """The typed value as it may appear in an error report (sensitive values masked)."""
    if value is None:
        return ""
    text = str(value).strip()
    if fld.sealed is None:
        return text[:50]
    if fld.sealed == PiiKind.TEXT:
        return "****"
    return mask(fld.sealed, normalize_digits(text))


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月?$"))


def _fold(text: str) -> str:
    """Full-width → half-width and outer spaces gone; signs and separators stay (not an ID field)."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(value: object) -> date:
    """A date as clerks write it: 2023-07-14, 2023/7/14, 2023.7.14, 2023年7月14日, 20230714, 2023-07 (the 1st),
    a real spreadsheet date, or an Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    text = _fold(str(value))
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    for pattern in _MONTH_PATTERNS:
        if m := pattern.match(text):
            return date(int(m[1]), int(m[2]), 1)
    raise ValueError(text)


def parse_money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        text = _fold(str(value)).replace(",", "").removesuffix("元").strip()
        amount = Decimal(text)
    if not amount.is_finite():
        raise ValueError(value)
    return amount


_TRUE = {"是", "有", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "无", "n", "no", "false", "0", "×"}


def _memoize_region_table() -> None:
    """python-stdnum checks the region of every resident ID by walking its GB 2260 table; the answer depends on
    the six region digits only, and a sheet holds few distinct regions, so the look-up is memoised."""
    from stdnum import numdb

    table = numdb.get("cn/loc")
    if not hasattr(table.info, "cache_info"):
        table.info = lru_cache(maxsize=8192)(table.info)  # type: ignore[method-assign]


_memoize_region_table()


@lru_cache(maxsize=1)
def divisions() -> tuple[frozenset[str], dict[str, str]]:
    """Current administrative division codes and the names that identify exactly one of them."""
    text = resources.files("services.refdata").joinpath("data", "admin_divisions_cn.csv").read_text("utf-8")
    codes: set[str] = set()
    names: dict[str, list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        codes.add(row["code"])
        names.setdefault(row["name"], []).append(row["code"])
        full = row["province"] + (row["prefecture"] or "") + (row["county"] or "")
        names.setdefault(full, []).append(row["code"])
    unique = {name: found[0] for name, found in names.items() if len(set(found)) == 1}
    return frozenset(codes), unique


def _division(value: object) -> str:
    text = normalize_digits(_text(value))
    codes, names = divisions()
    if text in codes:
        return text
    if text in names:
        return names[text]
    raise ValueError(text)


class NotAnOption(InvalidIdentifier):
    """An option cell in a wording the enumeration does not know; the reason lists the valid options."""

    def __init__(self, voc: Vocabulary, value: object) -> None:
        self.wording = _text(value)[:100]
        super().__init__(wording.not_an_option(voc, value, self.wording[:20]), "not_an_option")


def clean_value(fld: Field, value: object, vocab: Vocabularies) -> Any:
    """One typed value → the stored value; raises ``InvalidIdentifier`` (code, reason) when it is not acceptable."""
    kind = fld.kind
    if kind == "text":
        text = _text(value)
        if len(text) > fld.max_len:
            raise InvalidIdentifier(f"{fld.label}不得超过{fld.max_len}个字", "too_long")
        return text
    if kind == "enum":
        voc = vocab[fld.enum or ""]
        code = voc.resolve(value)
        if code is None:
            raise NotAnOption(voc, value)
        return code
    if kind in {"enum_list", "division_list", "text_list"}:
        parts = [
            p for p in (value if isinstance(value, list | tuple) else _SPLIT.split(_text(value))) if not is_blank(p)
        ]
        if len(parts) > fld.max_items:
            raise InvalidIdentifier(f"{fld.label}最多{fld.max_items}项，实际{len(parts)}项", "too_many")
        out: list[str] = []
        for part in parts:
            if kind == "enum_list":
                voc = vocab[fld.enum or ""]
                code = voc.resolve(part)
                if code is None:
                    raise NotAnOption(voc, part)
            elif kind == "division_list":
                try:
                    code = _division(part)
                except ValueError as exc:
                    raise InvalidIdentifier(f"“{_text(part)[:20]}”不是有效的行政区划代码或名称", "division") from exc
            else:
                code = _text(part)[:100]
            if code not in out:
                out.append(code)
        return out
    if kind == "date":
        try:
            day = parse_date(value)
        except ValueError as exc:
            raise InvalidIdentifier(f"{fld.label}“{_text(value)[:20]}”不是有效日期，请写成 2023-07-14", "date") from exc
        if not date(1900, 1, 1) <= day <= date.today() + timedelta(days=3650):
            raise InvalidIdentifier(f"{fld.label}“{day.isoformat()}”超出合理范围", "date_range")
        return day
    if kind == "decimal":
        try:
            amount = parse_money(value)
        except (InvalidOperation, ValueError) as exc:
            raise InvalidIdentifier(f"{fld.label}应为数字（元）", "number") from exc
        if amount < 0:
            raise InvalidIdentifier(f"{fld.label}不能为负数", "negative")
        if amount > MAX_MONEY:
            raise InvalidIdentifier(f"{fld.label}数值过大", "too_large")
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            raise InvalidIdentifier(f"{fld.label}最多保留两位小数", "decimal_places")
        return amount.quantize(CENT)
    if kind in {"int", "year"}:
        text = _fold(_text(value)).removesuffix("年").strip()
        if not text.isdigit():
            raise InvalidIdentifier(f"{fld.label}应为整数", "integer")
        number = int(text)
        if kind == "year" and not 1950 <= number <= 2100:
            raise InvalidIdentifier(f"{fld.label}“{number}”不是有效年份", "year")
        if kind == "int" and not 0 < number <= 20:
            raise InvalidIdentifier(f"{fld.label}应在1至20之间", "range")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InvalidIdentifier(f"{fld.label}请填写“是”或“否”", "bool")
    if kind == "id_number":
        return parse_resident_id(value)
    if kind == "phone":
        if isinstance(value, float):
            value = _text(value)
        return normalize_phone(value)
    if kind == "bank_card":
        return normalize_bank_card(value)
    if kind == "postal":
        text = normalize_digits(_text(value))
        if not (len(text) == 6 and text.isdigit()):
            raise InvalidIdentifier("邮政编码应为6位数字", "postal")
        return text
    if kind == "division":
        try:
            return _division(value)
        except ValueError as exc:
            raise InvalidIdentifier(f"“{_text(value)[:20]}”不是有效的行政区划代码或名称", "division") from exc
    raise InvalidIdentifier(f"{fld.label}无法识别", "unknown")  # pragma: no cover - every kind is handled above


def clean(
    fields: Iterable[Field],
    raw: Mapping[str, object],
    vocab: Vocabularies,
    problems: Problems,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """Check the typed values of ``fields`` found in ``raw``. Missing required values are reported unless
    ``partial`` (an update that leaves them as they are). Blank optional values become ``None``."""
    out: dict[str, Any] = {}
    for fld in fields:
        if fld.key not in raw:
            if fld.required and not partial and not fld.derived:
                problems.add(fld.key, "required", f"{fld.label}为必填项")
            continue
        value = raw[fld.key]
        if is_blank(value):
            if fld.required and not fld.derived:
                problems.add(fld.key, "required", f"{fld.label}为必填项")
            elif not fld.derived:
                out[fld.key] = [] if fld.kind.endswith("_list") else None
            continue
        if fld.derived:
            out[fld.key] = value
            continue
        try:
            out[fld.key] = clean_value(fld, value, vocab)
        except NotAnOption as exc:
            problems.add(fld.key, exc.code, exc.reason, shown(fld, value), exc.wording)
        except InvalidIdentifier as exc:
            problems.add(fld.key, exc.code, exc.reason, shown(fld, value))
    return out


def check_derived(data: dict[str, Any], problems: Problems) -> None:
    """性别 and 出生日期 follow from the ID number: a typed value that disagrees is reported, then dropped."""
    rid = data.get("id_number")
    sex = data.pop("sex", None)
    birth = data.pop("birth_date", None)
    if rid is None:
        return
    if not is_blank(sex) and _text(sex) not in {rid.sex, rid.sex + "性"}:
        problems.add("sex", "mismatch", f"性别“{_text(sex)}”与身份证号不符（应为{rid.sex}）", _text(sex))
    if not is_blank(birth):
        try:
            day = parse_date(birth)
        except ValueError:
            problems.add("birth_date", "date", "出生日期不是有效日期", _text(birth)[:20])
            return
        if day != rid.birth_date:
            problems.add("birth_date", "mismatch", "出生日期与身份证号不符", day.isoformat())


def money_text(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):.2f}"
