"""Hard rules: what a graduate cannot take is never shown.

`failing_masks` evaluates every rule over numpy arrays at once (positions × one graduate, or one position ×
graduates: the arguments broadcast) and returns one boolean "fails" mask per rule code. `explain_rules` checks
one pair from the records and returns each rule as passed/failed with a Chinese phrase; it is a separate
scalar implementation, which the tests hold the vectorised one against.

Rules (`RULES`): graduate open to matching; position status open; employer verified; deadline not passed
(relative to `today`); headcount not filled; kind among the graduate's wanted kinds; minimum education;
allowed education levels; age limit (周岁 on `today`; an unknown birth date fails a limit); graduation
window; major restriction (exact major, class or discipline listed); household registration for programs
that want locals (province or city prefix of a position place); required flags (certificates); a person
still in school takes full-time posts and programs only when they graduate before the position starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt

from matching.catalogs import Gazetteer, MajorCatalog, normalize_code
from matching.records import EDUCATION_NAMES, KIND_NAMES, KINDS, Education, GraduateRecord, PositionRecord, age_on

Bool = npt.NDArray[np.bool_]

RULES: Final[tuple[str, ...]] = (
    "graduate",
    "status",
    "employer",
    "deadline",
    "headcount",
    "kind",
    "education",
    "education_levels",
    "age",
    "graduation",
    "major",
    "hukou",
    "flags",
    "student",
)
#: Kinds a person still in school takes only once graduated: full-time posts and programs.
FULL_TIME_KINDS: Final = frozenset({"job", "grassroots"})
FULL_TIME_BITS: Final = sum(1 << i for i, k in enumerate(KINDS) if k in FULL_TIME_KINDS)

FLAG_NAMES: Final[dict[str, str]] = {
    "teacher_cert": "教师资格证",
    "nurse_license": "护士执业资格证",
    "doctor_license": "执业（助理）医师资格证",
    "driver_license": "机动车驾驶证",
    "accountant_cert": "会计专业技术资格证",
    "rural_doctor_license": "乡村医生执业证书",
    "party_member": "中共党员",
    "veteran": "退役军人",
}

_STATUS_NAMES: Final[dict[str, str]] = {
    "open": "招聘中",
    "closed": "已关闭",
    "filled": "已招满",
    "draft": "草稿",
}

NO_DAY: Final = -1
NO_DEADLINE: Final = np.iinfo(np.int32).max


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule for one pair: its code, whether it passed, and a phrase a counselor can read out."""

    code: str
    passed: bool
    text: str


@dataclass(frozen=True, slots=True)
class MajorTokens:
    """A graduate's major as the rules see it: its code, class code and discipline code ("" if unknown)."""

    name: str
    code: str
    class_code: str
    discipline_code: str
    resolved: bool


def graduate_major(graduate: GraduateRecord, majors: MajorCatalog | None) -> MajorTokens:
    """Resolve the graduate's major (current code, pre-2026 code, or name) to what the major rule compares.

    A resolved major gives its catalog code, class and discipline. An unresolved one gives the record's code
    with the class and discipline the record states, or else the code's 4- and 2-digit prefixes.
    """
    raw = normalize_code(graduate.major_code) if graduate.major_code else ""
    major = (
        majors.resolve(raw, graduate.major_name, graduate.education, graduate.school_kind)
        if majors is not None
        else None
    )
    if major is not None:
        return MajorTokens(major.name, major.code, major.class_code, major.discipline_code, True)
    cls = normalize_code(graduate.major_class) or (raw[:4] if len(raw) >= 6 else "")
    disc = normalize_code(graduate.discipline) or (cls[:2] if cls else "")
    return MajorTokens(graduate.major_name or raw, raw, cls, disc, False)


def position_major_codes(position: PositionRecord, majors: MajorCatalog | None) -> tuple[str, ...]:
    """The position's required major codes, pre-2026 codes mapped to current ones."""
    out: list[str] = []
    for code in position.majors:
        norm = normalize_code(code)
        found = majors.get(norm) if majors is not None else None
        out.append(found.code if found is not None else norm)
    return tuple(dict.fromkeys(out))


def fails_graduate(graduate_open: npt.ArrayLike) -> Bool:
    return ~np.asarray(graduate_open, dtype=np.bool_)


def fails_status(position_open: npt.ArrayLike) -> Bool:
    return ~np.asarray(position_open, dtype=np.bool_)


def fails_employer(employer_verified: npt.ArrayLike) -> Bool:
    return ~np.asarray(employer_verified, dtype=np.bool_)


def fails_deadline(deadline_day: npt.ArrayLike, today_day: int) -> Bool:
    return np.asarray(np.asarray(deadline_day, dtype=np.int64) < today_day)


def fails_headcount(full: npt.ArrayLike) -> Bool:
    return np.asarray(full, dtype=np.bool_)


def fails_kind(kind_bit: npt.ArrayLike, wanted_kinds: npt.ArrayLike) -> Bool:
    wanted = np.asarray(wanted_kinds, dtype=np.int64)
    return np.asarray((wanted != 0) & ((wanted & np.asarray(kind_bit, dtype=np.int64)) == 0))


def fails_education(min_education: npt.ArrayLike, education: npt.ArrayLike) -> Bool:
    return np.asarray(np.asarray(education, dtype=np.int64) < np.asarray(min_education, dtype=np.int64))


def fails_education_levels(education_levels: npt.ArrayLike, education: npt.ArrayLike) -> Bool:
    levels = np.asarray(education_levels, dtype=np.int64)
    bit = np.left_shift(np.int64(1), np.asarray(education, dtype=np.int64))
    return np.asarray((levels != 0) & ((levels & bit) == 0))


def fails_age(max_age: npt.ArrayLike, age: npt.ArrayLike) -> Bool:
    limit = np.asarray(max_age, dtype=np.int64)
    years = np.asarray(age, dtype=np.int64)
    return np.asarray((limit >= 0) & ((years < 0) | (years > limit)))


def fails_graduation(
    graduation_min: npt.ArrayLike, graduation_max: npt.ArrayLike, graduation_year: npt.ArrayLike
) -> Bool:
    gy = np.asarray(graduation_year, dtype=np.int64)
    gmin = np.asarray(graduation_min, dtype=np.int64)
    gmax = np.asarray(graduation_max, dtype=np.int64)
    return np.asarray(((gmin >= 0) & (gy < gmin)) | ((gmax >= 0) & (gy > gmax)))


def fails_major(major_ok: npt.ArrayLike) -> Bool:
    return ~np.asarray(major_ok, dtype=np.bool_)


def fails_hukou(hukou_ok: npt.ArrayLike) -> Bool:
    return ~np.asarray(hukou_ok, dtype=np.bool_)


def fails_flags(required_flags: npt.ArrayLike, held_flags: npt.ArrayLike) -> Bool:
    req = np.asarray(required_flags, dtype=np.uint64)
    held = np.asarray(held_flags, dtype=np.uint64)
    return np.asarray((req & ~held) != 0)


def fails_student(
    kind_bit: npt.ArrayLike,
    starts_day: npt.ArrayLike,
    in_school: npt.ArrayLike,
    graduation_day: npt.ArrayLike,
    today_day: int,
) -> Bool:
    """A person still in school and a full-time post or program that starts before they graduate (an
    unknown start is today; an unknown graduation date is never before it)."""
    full_time = (np.asarray(kind_bit, dtype=np.int64) & FULL_TIME_BITS) != 0
    starts = np.asarray(starts_day, dtype=np.int64)
    start = np.where(starts < 0, today_day, starts)
    grad = np.asarray(graduation_day, dtype=np.int64)
    graduated_by_start = (grad >= 0) & (grad <= start)
    return np.asarray(np.asarray(in_school, dtype=np.bool_) & full_time & ~graduated_by_start)


def failing_masks(
    *,
    graduate_open: npt.ArrayLike,
    position_open: npt.ArrayLike,
    employer_verified: npt.ArrayLike,
    deadline_day: npt.ArrayLike,
    full: npt.ArrayLike,
    kind_bit: npt.ArrayLike,
    wanted_kinds: npt.ArrayLike,
    min_education: npt.ArrayLike,
    education: npt.ArrayLike,
    education_levels: npt.ArrayLike,
    max_age: npt.ArrayLike,
    age: npt.ArrayLike,
    graduation_min: npt.ArrayLike,
    graduation_max: npt.ArrayLike,
    graduation_year: npt.ArrayLike,
    major_ok: npt.ArrayLike,
    hukou_ok: npt.ArrayLike,
    required_flags: npt.ArrayLike,
    held_flags: npt.ArrayLike,
    today_day: int,
    starts_day: npt.ArrayLike = NO_DAY,
    in_school: npt.ArrayLike = False,
    graduation_day: npt.ArrayLike = NO_DAY,
) -> dict[str, Bool]:
    """One "fails" mask per rule code; arguments broadcast (array per position or per graduate).

    Encodings: days are `date.toordinal()` (`NO_DEADLINE` for none); `max_age`, `graduation_*` use -1 for
    "no limit" and `age` -1 for "unknown"; kinds and education levels are bit masks (0 = any, bit
    `1 << level` for an education level); flags are bit masks over the index's flag vocabulary.
    """
    return {
        "graduate": fails_graduate(graduate_open),
        "status": fails_status(position_open),
        "employer": fails_employer(employer_verified),
        "deadline": fails_deadline(deadline_day, today_day),
        "headcount": fails_headcount(full),
        "kind": fails_kind(kind_bit, wanted_kinds),
        "education": fails_education(min_education, education),
        "education_levels": fails_education_levels(education_levels, education),
        "age": fails_age(max_age, age),
        "graduation": fails_graduation(graduation_min, graduation_max, graduation_year),
        "major": fails_major(major_ok),
        "hukou": fails_hukou(hukou_ok),
        "flags": fails_flags(required_flags, held_flags),
        "student": fails_student(kind_bit, starts_day, in_school, graduation_day, today_day),
    }


def any_failing(masks: Mapping[str, Bool]) -> Bool:
    out: Bool | None = None
    for mask in masks.values():
        out = mask if out is None else out | mask
    assert out is not None
    return out


def education_phrase(minimum: Education) -> str:
    return f"要求{EDUCATION_NAMES[minimum]}及以上"


def explain_rules(
    position: PositionRecord,
    graduate: GraduateRecord,
    *,
    today: date,
    majors: MajorCatalog | None = None,
    gazetteer: Gazetteer | None = None,
    graduate_tokens: MajorTokens | None = None,
) -> list[RuleCheck]:
    """Every applicable rule for one pair, passed or failed, with its phrase.

    `graduate_tokens` saves resolving the graduate's major again when the caller already did.
    """
    checks: list[RuleCheck] = []

    def add(code: str, passed: bool, ok_text: str, fail_text: str) -> None:
        checks.append(RuleCheck(code, passed, ok_text if passed else fail_text))

    add("graduate", graduate.open_to_matching, "本人开放匹配", "本人暂不参与匹配")
    status = _STATUS_NAMES.get(position.status, position.status)
    add("status", position.status == "open", "岗位招聘中", f"岗位未开放：{status}")
    add("employer", position.employer_verified, "用人单位已认证", "用人单位未认证")
    if position.deadline is not None:
        until = position.deadline.isoformat()
        add("deadline", position.deadline >= today, f"报名未截止（截止{until}）", f"报名已截止（截止{until}）")
    if position.headcount is not None:
        full = position.filled >= position.headcount
        add(
            "headcount",
            not full,
            f"还招 {position.headcount - position.filled} 人（已招{position.filled}/共{position.headcount}人）",
            f"名额已满（{position.filled}/{position.headcount}）",
        )
    if graduate.wanted_kinds:
        kind = KIND_NAMES[position.kind]
        add(
            "kind",
            position.kind in graduate.wanted_kinds,
            f"岗位类型符合意向：{kind}",
            f"岗位类型不在意向内：{kind}",
        )
    checks.append(check_education(position.min_education, graduate.education))
    if position.education_levels:
        allowed = "、".join(EDUCATION_NAMES[e] for e in sorted(position.education_levels))
        add(
            "education_levels",
            graduate.education in position.education_levels,
            f"学历层次符合：限{allowed}",
            f"学历不符：限{allowed}",
        )
    if position.max_age is not None:
        checks.append(check_age(position.max_age, graduate.birth_date, today))
    if position.graduation_min is not None or position.graduation_max is not None:
        checks.append(check_graduation(position.graduation_min, position.graduation_max, graduate.graduation_year))
    if position.majors or position.major_classes or position.disciplines:
        tokens = graduate_tokens if graduate_tokens is not None else graduate_major(graduate, majors)
        wanted_codes = set(position_major_codes(position, majors))
        classes = {normalize_code(c) for c in position.major_classes}
        disciplines = {normalize_code(d) for d in position.disciplines}
        ok = (
            (tokens.code != "" and tokens.code in wanted_codes)
            or (tokens.class_code != "" and tokens.class_code in classes)
            or (tokens.discipline_code != "" and tokens.discipline_code in disciplines)
        )
        listed = _majors_phrase(sorted(wanted_codes), sorted(classes), sorted(disciplines), majors)
        add("major", ok, f"专业符合：限{listed}", f"专业不符：限{listed}")
    if position.requires_local_hukou:
        cut = 2 if position.hukou_scope == "province" else 4
        checks.append(
            check_place("hukou", "户籍", graduate.home_division, position.places, cut, gazetteer, suffix="户籍")
        )
    if position.required_flags:
        for flag in sorted(position.required_flags):
            name = FLAG_NAMES.get(flag, flag)
            add("flags", flag in graduate.flags, f"具备条件：{name}", f"条件不符：需{name}，本人尚未登记持有")
    if graduate.in_school:
        start = position.starts or today
        graduated = graduate.graduation_date is not None and graduate.graduation_date <= start
        when = f"预计{graduate.graduation_date.isoformat()}毕业" if graduate.graduation_date else "毕业时间未知"
        if position.kind not in FULL_TIME_KINDS:
            add("student", True, f"在校生可报{KIND_NAMES[position.kind]}", "")
        else:
            add(
                "student",
                graduated,
                f"在校生（{when}），岗位{start.isoformat()}开始时已毕业",
                f"在校生（{when}）：全职岗位和基层项目须毕业后到岗（岗位{start.isoformat()}开始），"
                "可报实习见习和勤工俭学",
            )
    return checks


def check_education(minimum: Education, education: Education) -> RuleCheck:
    """The minimum-education rule (positions and policies alike)."""
    need = education_phrase(minimum)
    ok = education >= minimum
    return RuleCheck("education", ok, f"学历符合：{need}" if ok else f"学历不符：{need}")


def check_age(max_age: int, birth_date: date | None, today: date) -> RuleCheck:
    """The age-limit rule (周岁 on ``today``; an unknown birth date fails it)."""
    limit = f"限{max_age}周岁以下"
    if birth_date is None:
        return RuleCheck("age", False, f"年龄无法核实：{limit}")
    ok = age_on(birth_date, today) <= max_age
    return RuleCheck("age", ok, f"年龄符合：{limit}" if ok else f"年龄超限：{limit}")


def check_graduation(low: int | None, high: int | None, year: int) -> RuleCheck:
    """The graduation-window rule: the cohort within ``low``–``high`` (either end open)."""
    window = _window_phrase(low, high)
    ok = (low is None or year >= low) and (high is None or year <= high)
    return RuleCheck("graduation", ok, f"毕业年份符合：{window}" if ok else f"毕业年份不符：{window}")


def check_place(
    code: str,
    what: str,
    place: str,
    places: tuple[str, ...],
    cut: int,
    gazetteer: Gazetteer | None,
    suffix: str = "",
) -> RuleCheck:
    """A place rule: ``place`` shares the ``cut``-digit prefix (2 province, 4 city, 6 county) with one of
    ``places`` (the household registration of a program that wants locals, or an employer's place)."""
    ok = bool(place) and any(place[:cut] == p[:cut] for p in places)
    area = "、".join(_area_name(p, cut, gazetteer) for p in places) or "（未指明地点）"
    return RuleCheck(code, ok, f"{what}符合：限{area}{suffix}" if ok else f"{what}不符：限{area}{suffix}")


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    """A subsidy's or compensation's conditions, as the rule engine reads them (one version of a policy).

    ``stages`` (``"graduate"``, ``"student"``), ``employment_statuses`` and ``employer_kinds`` empty mean any;
    ``employer_places`` are division codes compared on their first ``employer_place_cut`` digits (2 province,
    4 city, 6 county); graduation window, education and age work as for positions.
    """

    id: int
    name: str
    stages: frozenset[str] = field(default_factory=frozenset)
    hardship_only: bool = True
    graduation_min: int | None = None
    graduation_max: int | None = None
    min_education: Education | None = None
    max_age: int | None = None
    employment_statuses: frozenset[str] = field(default_factory=frozenset)
    employer_kinds: frozenset[str] = field(default_factory=frozenset)
    employer_places: tuple[str, ...] = ()
    employer_place_cut: int = 4


@dataclass(frozen=True, slots=True)
class ClaimantFacts:
    """What a policy's rules read of a person: the matcher's own record of them, their stage, hardship archive,
    employment status and — for policies tied to a job — the kind and place of the employer (None: unknown)."""

    graduate: GraduateRecord
    stage: str
    hardship: bool
    employment_status: str
    employer_kind: str | None = None
    employer_place: str | None = None


_STAGE_NAMES: Final[dict[str, str]] = {"graduate": "毕业生", "student": "在校生"}


def explain_policy(
    policy: PolicyRecord,
    facts: ClaimantFacts,
    *,
    today: date,
    status_names: Mapping[str, str] | None = None,
    employer_kind_names: Mapping[str, str] | None = None,
    gazetteer: Gazetteer | None = None,
    employer_pending: bool = False,
) -> list[RuleCheck]:
    """Every condition of one policy for one person, passed or failed, with its phrase: the same checks
    (graduation window, education, age, place) and the same :class:`RuleCheck` the position rules give.

    With ``employer_pending`` (a list of what a person may claim, before any claim names the employer) an
    employer condition the facts cannot decide yet passes with a phrase saying it is checked on the claim; a
    claim itself is judged with it off, so an unknown employer fails."""
    checks: list[RuleCheck] = []
    statuses = status_names or {}
    kinds = employer_kind_names or {}
    if policy.stages:
        allowed = "、".join(_STAGE_NAMES.get(x, x) for x in sorted(policy.stages))
        ok = facts.stage in policy.stages
        checks.append(RuleCheck("stage", ok, f"对象符合：限{allowed}" if ok else f"对象不符：限{allowed}"))
    if policy.hardship_only:
        ok = facts.hardship
        checks.append(
            RuleCheck("hardship", ok, "困难职工家庭建档在册" if ok else "限建档在册困难职工家庭，本人家庭未建档")
        )
    if policy.graduation_min is not None or policy.graduation_max is not None:
        checks.append(check_graduation(policy.graduation_min, policy.graduation_max, facts.graduate.graduation_year))
    if policy.min_education is not None:
        checks.append(check_education(policy.min_education, facts.graduate.education))
    if policy.max_age is not None:
        checks.append(check_age(policy.max_age, facts.graduate.birth_date, today))
    if policy.employment_statuses:
        allowed = "、".join(statuses.get(x, x) for x in sorted(policy.employment_statuses))
        now = statuses.get(facts.employment_status, facts.employment_status)
        ok = facts.employment_status in policy.employment_statuses
        checks.append(
            RuleCheck(
                "employment",
                ok,
                f"就业状态符合：{now}" if ok else f"就业状态不符：限{allowed}，目前为{now}",
            )
        )
    if policy.employer_kinds:
        allowed = "、".join(kinds.get(x, x) for x in sorted(policy.employer_kinds))
        if facts.employer_kind is None:
            text = f"须在{allowed}就业，申领时核实" if employer_pending else f"须在{allowed}就业，尚未登记就业单位"
            checks.append(RuleCheck("employer_kind", employer_pending, text))
        else:
            ok = facts.employer_kind in policy.employer_kinds
            now = kinds.get(facts.employer_kind, facts.employer_kind)
            checks.append(
                RuleCheck("employer_kind", ok, f"就业单位符合：{now}" if ok else f"就业单位不符：限{allowed}，为{now}")
            )
    if policy.employer_places and facts.employer_place is None and employer_pending:
        area = "、".join(_area_name(p, policy.employer_place_cut, gazetteer) for p in policy.employer_places)
        checks.append(RuleCheck("employer_place", True, f"就业地点限{area}，申领时核实"))
    elif policy.employer_places:
        checks.append(
            check_place(
                "employer_place",
                "就业地点",
                facts.employer_place or "",
                policy.employer_places,
                policy.employer_place_cut,
                gazetteer,
            )
        )
    return checks


def _window_phrase(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"限{low}–{high}届" if low != high else f"限{low}届"
    if low is not None:
        return f"限{low}届及以后"
    return f"限{high}届及以前"


def _majors_phrase(codes: list[str], classes: list[str], disciplines: list[str], majors: MajorCatalog | None) -> str:
    names: list[str] = []
    for code in codes:
        found = majors.get(code) if majors is not None else None
        names.append(found.name if found is not None else code)
    names.extend(majors.class_label(c) if majors is not None else c for c in classes)
    names.extend(majors.discipline_label(d) if majors is not None else d for d in disciplines)
    return "、".join(dict.fromkeys(names))


def _area_name(place: str, cut: int, gazetteer: Gazetteer | None) -> str:
    code = place[:cut].ljust(6, "0")
    if gazetteer is None:
        return code
    name = gazetteer.name(code)
    return gazetteer.name(place[:2] + "0000") if name in ("市辖区", "县") else name
