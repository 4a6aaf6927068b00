"""Plain input records for matching: positions and graduates.

The service turns its database rows into these records; the index turns them into numpy columns once.
`GraduateRecord` deliberately has no field for ethnicity, sex, political status, health or disability,
marital status or household type: no ranking path can read what the record does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from enum import IntEnum
from typing import Any, Final, Literal, get_args

import numpy as np

MajorLevel = Literal["本科", "职业本科", "高职专科", "中职"]
Kind = Literal["job", "internship", "work_study", "grassroots", "entrepreneurship"]
Status = Literal["open", "closed", "filled", "draft"]
HukouScope = Literal["province", "city"]
#: What matters most to a graduate (the intention "优先考虑：专业对口 / 离家近 / 收入"): orders the ranking first.
Priority = Literal["fit", "place", "pay"]
PRIORITIES: Final[dict[str, Priority]] = {"专业对口": "fit", "离家近": "place", "收入": "pay"}

KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
STATUSES: Final[tuple[Status, ...]] = get_args(Status)

KIND_NAMES: Final[dict[str, str]] = {
    "job": "就业岗位",
    "internship": "实习见习",
    "work_study": "勤工俭学",
    "grassroots": "基层服务项目",
    "entrepreneurship": "创业扶持",
}


class Education(IntEnum):
    """Education level as an ordinal: a higher level satisfies a lower minimum."""

    SECONDARY = 1  # 中职 / 高中
    JUNIOR_COLLEGE = 2  # 高职专科
    BACHELOR = 3  # 职业本科 / 本科
    MASTER = 4  # 硕士
    DOCTOR = 5  # 博士

    @property
    def label(self) -> str:
        return EDUCATION_NAMES[self]


EDUCATION_NAMES: Final[dict[Education, str]] = {
    Education.SECONDARY: "中职/高中",
    Education.JUNIOR_COLLEGE: "高职专科",
    Education.BACHELOR: "本科",
    Education.MASTER: "硕士",
    Education.DOCTOR: "博士",
}


@dataclass(frozen=True, slots=True)
class PositionRecord:
    """One position of any of the five kinds, with its program rules.

    Majors: `majors` are exact major codes, `major_classes` 4-digit class codes ("0809", vocational "5102"),
    `disciplines` 2-digit 门类 / 大类 codes ("08", "51"). When any of the three is set, only graduates whose
    major, class or discipline is listed may take the position.

    Places are 6-digit division codes (county, city "341600" or province "340000"). No places and
    `remote=True` means remote work.

    `requires_local_hukou`: the graduate's household registration (`GraduateRecord.home_division`) must share
    the province (2-digit prefix, `hukou_scope="province"`) or the city (4-digit prefix, `"city"`) with one
    of the position's places. A position that wants locals but names no place accepts nobody.

    `employer_verified` defaults to False: an unverified employer's positions are never shown. `employer` is
    the employer's name, shown beside the title and never read by the ranking.
    `headcount=None` means no limit. Pay is monthly yuan.
    """

    id: int
    kind: Kind
    title: str
    description: str = ""
    status: Status = "open"
    min_education: Education = Education.SECONDARY
    majors: tuple[str, ...] = ()
    major_classes: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    remote: bool = False
    pay_min: int | None = None
    pay_max: int | None = None
    headcount: int | None = None
    filled: int = 0
    opened: date | None = None
    deadline: date | None = None
    hardship_priority: bool = False
    employer_verified: bool = False
    max_age: int | None = None
    graduation_min: int | None = None
    graduation_max: int | None = None
    education_levels: frozenset[Education] = field(default_factory=frozenset)
    requires_local_hukou: bool = False
    hukou_scope: HukouScope = "province"
    required_flags: frozenset[str] = field(default_factory=frozenset)
    occupations: tuple[str, ...] = ()
    starts: date | None = None
    employer: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown position kind {self.kind!r}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown position status {self.status!r}")
        if self.hukou_scope not in ("province", "city"):
            raise ValueError(f"unknown hukou scope {self.hukou_scope!r}")
        if self.pay_min is not None and self.pay_max is not None and self.pay_min > self.pay_max:
            raise ValueError("pay_min is above pay_max")
        if self.headcount is not None and self.headcount < 0:
            raise ValueError("headcount is negative")
        for code in self.places:
            if len(code) != 6 or not code.isdigit():
                raise ValueError(f"place {code!r} is not a 6-digit division code")


@dataclass(frozen=True, slots=True)
class GraduateRecord:
    """One graduate as matching sees them.

    `major_class` and `discipline` may be left empty: the index fills them from the major catalog.
    `preferred_places` are 6-digit division codes; when empty the home division stands in.
    `home_division` is the household registration place, read for place only when no place is preferred
    and for programs that want locals. `wanted_kinds` empty means every kind.

    `school_kind` is the kind of school (普通本科 "本科", "职业本科", "高职专科", "中职"), a fact apart from the
    学历 `education`: a major given as text resolves within it first. `in_school` marks a person still
    studying, with the expected `graduation_date`: such a person takes internships, work-study and part-time
    posts, and full-time posts or programs only when that date falls before the position starts.
    `priority` says what matters most (see `Priority`); "fit" by default.
    """

    id: int
    education: Education
    graduation_year: int
    major_code: str = ""
    major_name: str = ""
    major_class: str = ""
    discipline: str = ""
    birth_date: date | None = None
    skills: str = ""
    wishes: str = ""
    wanted_kinds: frozenset[Kind] = field(default_factory=frozenset)
    preferred_places: tuple[str, ...] = ()
    home_division: str = ""
    expected_pay: int | None = None
    hardship: bool = False
    flags: frozenset[str] = field(default_factory=frozenset)
    open_to_matching: bool = True
    school_kind: MajorLevel | None = None
    in_school: bool = False
    graduation_date: date | None = None
    priority: Priority = "fit"

    def __post_init__(self) -> None:
        if self.priority not in ("fit", "place", "pay"):
            raise ValueError(f"unknown priority {self.priority!r}")
        for kind in self.wanted_kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown position kind {kind!r}")
        for code in (*self.preferred_places, *((self.home_division,) if self.home_division else ())):
            if len(code) != 6 or not code.isdigit():
                raise ValueError(f"place {code!r} is not a 6-digit division code")


_LEVELS_BY_EDUCATION: Final[dict[Education, tuple[MajorLevel, ...]]] = {
    Education.SECONDARY: ("中职", "高职专科", "职业本科", "本科"),
    Education.JUNIOR_COLLEGE: ("高职专科", "中职", "职业本科", "本科"),
    Education.BACHELOR: ("本科", "职业本科", "高职专科", "中职"),
    Education.MASTER: ("本科", "职业本科", "高职专科", "中职"),
    Education.DOCTOR: ("本科", "职业本科", "高职专科", "中职"),
}
_DEFAULT_LEVEL_ORDER: Final[tuple[MajorLevel, ...]] = ("本科", "高职专科", "职业本科", "中职")


def level_rank(level: MajorLevel, education: Education | None, school_kind: MajorLevel | None = None) -> int:
    """Preference of a catalog level for a graduate of `education` (0 = best fit); the school kind, when
    known, comes first (a 职业本科 school's major resolves to the 职业本科 catalog before the 普通本科 one)."""
    if school_kind is not None and level == school_kind:
        return 0
    order = _LEVELS_BY_EDUCATION[education] if education is not None else _DEFAULT_LEVEL_ORDER
    return order.index(level) + (1 if school_kind is not None else 0)


def age_on(birth: date, day: date) -> int:
    """Full years (周岁) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_NO_INT: Final = np.iinfo(np.int64).min
_BUILT_KEPT: Final = 4096
_INT_FIELDS: Final = ("id", "pay_min", "pay_max", "headcount", "filled", "max_age", "graduation_min", "graduation_max")
_DATE_FIELDS: Final = ("opened", "deadline", "starts")
_BOOL_FIELDS: Final = ("remote", "hardship_priority", "employer_verified", "requires_local_hukou")
_VALUE_FIELDS: Final = tuple(
    f.name for f in fields(PositionRecord) if f.name not in (*_INT_FIELDS, *_DATE_FIELDS, *_BOOL_FIELDS)
)


class PositionRecords:
    """Position records held as columns: integers and dates in numpy arrays, and every other field (texts,
    code tuples, flag sets, the kind …) as a code into a table of its distinct values, so that a value many
    positions share is held once. `get` rebuilds an equal `PositionRecord`."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = max(1024, capacity)
        self._ints = np.full((len(_INT_FIELDS), self._cap), _NO_INT, dtype=np.int64)
        self._dates = np.zeros((len(_DATE_FIELDS), self._cap), dtype=np.int32)
        self._bools = np.zeros((len(_BOOL_FIELDS), self._cap), dtype=np.bool_)
        self._codes = np.zeros((len(_VALUE_FIELDS), self._cap), dtype=np.int32)
        self._values: list[list[Any]] = [[] for _ in _VALUE_FIELDS]
        self._code_of: list[dict[Any, int]] = [{} for _ in _VALUE_FIELDS]
        self._built: dict[int, PositionRecord] = {}

    def __len__(self) -> int:
        return self.n

    def _grow(self) -> None:
        cap = 2 * self._cap
        for name in ("_ints", "_dates", "_bools", "_codes"):
            old = getattr(self, name)
            new = np.full((old.shape[0], cap), _NO_INT if name == "_ints" else 0, dtype=old.dtype)
            new[:, : self._cap] = old
            setattr(self, name, new)
        self._cap = cap

    def _code(self, i: int, value: Any) -> int:
        table = self._code_of[i]
        code = table.get(value)
        if code is None:
            code = len(self._values[i])
            table[value] = code
            self._values[i].append(value)
        return code

    def append(self, p: PositionRecord) -> int:
        if self.n == self._cap:
            self._grow()
        row = self.n
        for i, name in enumerate(_INT_FIELDS):
            value = getattr(p, name)
            self._ints[i, row] = _NO_INT if value is None else value
        for i, name in enumerate(_DATE_FIELDS):
            day = getattr(p, name)
            self._dates[i, row] = 0 if day is None else day.toordinal()
        for i, name in enumerate(_BOOL_FIELDS):
            self._bools[i, row] = getattr(p, name)
        for i, name in enumerate(_VALUE_FIELDS):
            self._codes[i, row] = self._code(i, getattr(p, name))
        self.n += 1
        return row

    def value(self, row: int, name: str) -> Any:
        """One field of the record at `row`."""
        if name in _VALUE_FIELDS:
            i = _VALUE_FIELDS.index(name)
            return self._values[i][int(self._codes[i, row])]
        if name in _INT_FIELDS:
            v = int(self._ints[_INT_FIELDS.index(name), row])
            return None if v == _NO_INT else v
        if name in _DATE_FIELDS:
            d = int(self._dates[_DATE_FIELDS.index(name), row])
            return None if d == 0 else date.fromordinal(d)
        return bool(self._bools[_BOOL_FIELDS.index(name), row])

    def get(self, row: int) -> PositionRecord:
        """The record at `row` (the last few thousand asked for are kept built)."""
        hit = self._built.get(row)
        if hit is not None:
            return hit
        if not 0 <= row < self.n:
            raise IndexError(row)
        record = self._build(row)
        if len(self._built) >= _BUILT_KEPT:
            self._built.clear()
        self._built[row] = record
        return record

    def _build(self, row: int) -> PositionRecord:
        values: dict[str, Any] = {}
        for name, v in zip(_INT_FIELDS, self._ints[:, row].tolist(), strict=True):
            values[name] = None if v == _NO_INT else v
        for name, d in zip(_DATE_FIELDS, self._dates[:, row].tolist(), strict=True):
            values[name] = None if d == 0 else date.fromordinal(d)
        for name, b in zip(_BOOL_FIELDS, self._bools[:, row].tolist(), strict=True):
            values[name] = b
        for name, table, c in zip(_VALUE_FIELDS, self._values, self._codes[:, row].tolist(), strict=True):
            values[name] = table[c]
        return PositionRecord(**values)

    def __getitem__(self, row: int) -> PositionRecord:
        return self.get(row)

    def set_status(self, row: int, status: Status) -> None:
        i = _VALUE_FIELDS.index("status")
        self._codes[i, row] = self._code(i, status)
        self._built.pop(row, None)

    def nbytes(self) -> int:
        """Bytes of the numpy columns (the distinct values are not counted)."""
        return int(self._ints.nbytes + self._dates.nbytes + self._bools.nbytes + self._codes.nbytes)
