"""Matching as the service offers it: ranked positions for a graduate and ranked candidates for a position. The
stored top-k per graduate is :mod:`services.matches.stored`, learning the weights from outcomes
:mod:`services.matches.learning`; a recommendation made from a match is written by
:func:`services.tracking.flows.recommend`, through the one gate for applications.

The ranking itself is :mod:`matching` (pure); this module turns registry and catalog rows into its records,
decides who may see what, and keeps results. :func:`graduate_record` is the only way a graduate reaches the
ranker, and it reads a :class:`~services.registry.api.GraduateProfile`, which holds no ethnicity, sex,
political status, health or disability, marital status or household type — so none of them can move a ranking.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from matching.index import GraduateTable, Match, MatchIndex
from matching.records import KIND_NAMES, KINDS, Education, GraduateRecord, Kind, MajorLevel, PositionRecord, Priority
from matching.rules import FLAG_NAMES, RuleCheck
from services.catalog import api as catalog
from services.catalog.api import Position
from services.errors import Forbidden, NotFound, ValidationFailed
from services.matches.holder import holder_for, reference_catalogs, state_columns, state_of
from services.orgs import service as orgs
from services.refdata.api import Vocabularies, vocabularies
from services.registry import api as registry
from services.registry.api import EDUCATION_LEVELS, Family, Graduate, held_flags
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import UNION_SIDE, GraduateScope, can_read_graduate, graduate_scope

#: Most results one request may page through (offset + limit).
MAX_K: Final = 200
#: Employment statuses of graduates who are not looking for a position (left out of candidate lists).
NOT_SEEKING: Final = frozenset({"further_study", "military", "not_seeking"})
#: Certificates a graduate can show by naming them among the skills. Political status is never read.
SKILL_FLAGS: Final[dict[str, str]] = {flag: name for flag, name in FLAG_NAMES.items() if flag != "party_member"}
HARDSHIP_WORDS: Final = ("困难", "帮扶")
#: 学校种类 code → the catalog level a text major resolves within first (a fact apart from 学历).
SCHOOL_LEVELS: Final[dict[str, MajorLevel]] = {"05": "中职", "06": "高职专科", "07": "本科", "08": "职业本科"}
#: 学历 codes that name the school level as well (22 职业本科 is not 21 大学本科).
EDUCATION_SCHOOL_LEVELS: Final[dict[str, MajorLevel]] = {"21": "本科", "22": "职业本科", "31": "高职专科", "41": "中职"}
#: Intention codes that say what matters most.
PRIORITY_INTENTIONS: Final[dict[str, Priority]] = {"prefer_fit": "fit", "prefer_near": "place", "prefer_pay": "pay"}


# ------------------------------------------------------------------------------------------ records


def _division(code: str | None) -> str:
    text = (code or "").strip()
    return text if len(text) == 6 and text.isdigit() else ""


def expected_graduation(profile: registry.GraduateProfile) -> date | None:
    """When a person still in school graduates: enrolment + 学制 (in the summer, 6-30), else the cohort's 6-30."""
    if profile.enrolled_on is not None and profile.study_years:
        return date(profile.enrolled_on.year + profile.study_years, 6, 30)
    if profile.cohort:
        return date(profile.cohort, 6, 30)
    return None


def graduate_record(
    profile: registry.GraduateProfile,
    *,
    fallback_place: str = "",
    hide_hardship: bool = False,
    open_to_matching: bool = True,
    certificates: frozenset[str] = frozenset(),
) -> GraduateRecord:
    """A registry profile as the ranker sees it.

    Education from the 学历 code; graduation year from the cohort (0 when unknown, which fails any graduation
    window rather than guessing); wanted kinds from the intentions (a student also takes work-study); places
    from the preferred places, else the 生源地, else ``fallback_place`` (the county of the graduate's union);
    expected pay from its lower bound; certificates from the certificate records (``certificates``) and from
    skills that name them. ``hide_hardship`` ranks as if the graduate were not from a hardship family (the
    enterprise view, which must not learn it from scores). 学历 and 学校种类 stay apart: the school kind (or a
    学历 code that names it, 22 职业本科) is the level a text major resolves within first. A student is
    ``in_school`` until the expected graduation date. The intentions 优先考虑：离家近 / 收入 set the priority.
    """
    wanted: set[Kind] = {k for k in profile.intentions if k in KINDS}
    if wanted and profile.stage == "student":
        wanted.add("work_study")
    places = tuple(dict.fromkeys(p for p in (_division(c) for c in profile.preferred_places) if p))
    home = _division(profile.home_division_code)
    if not places and not home and _division(fallback_place):
        places = (fallback_place,)
    skills = [s.strip() for s in profile.skills if s and s.strip()]
    flags = certificates | frozenset(flag for flag, name in SKILL_FLAGS.items() if any(name in s for s in skills))
    priority: Priority = "fit"
    for code in profile.intentions:
        priority = PRIORITY_INTENTIONS.get(code, priority)
    school = SCHOOL_LEVELS.get(profile.school_kind) or EDUCATION_SCHOOL_LEVELS.get(profile.education)
    in_school = profile.stage == "student"
    pay = profile.expected_pay_min if profile.expected_pay_min is not None else profile.expected_pay_max
    monthly = int(pay) if pay is not None else 0
    return GraduateRecord(
        id=profile.id,
        education=EDUCATION_LEVELS.get(profile.education, Education.SECONDARY),
        graduation_year=profile.cohort or 0,
        major_code=profile.major_code or "",
        major_name=profile.major_name or profile.major_raw or "",
        birth_date=profile.birth_date,
        skills="、".join(skills),
        wanted_kinds=frozenset(wanted),
        preferred_places=places,
        home_division=home,
        expected_pay=monthly if monthly > 0 else None,
        hardship=profile.hardship_family and not hide_hardship,
        flags=flags,
        open_to_matching=open_to_matching,
        school_kind=school,
        in_school=in_school,
        graduation_date=expected_graduation(profile) if in_school else None,
        priority=priority,
    )


def load_profiles(
    session: Session,
    *,
    scope: frozenset[int] | None,
    ids: Sequence[int] | None = None,
    enterprise_visible_only: bool = False,
) -> list[registry.GraduateProfile]:
    """Every profile of the scope (or of ``ids``), read in keyset pages."""
    out: list[registry.GraduateProfile] = []
    after = 0
    while True:
        page = registry.graduate_profiles(
            session, scope=scope, ids=ids, enterprise_visible_only=enterprise_visible_only, after_id=after, limit=1000
        )
        out.extend(page)
        if len(page) < 1000:
            return out
        after = page[-1].id


def _county_divisions(session: Session, org_unit_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for org_id in set(org_unit_ids):
        out[org_id] = orgs.county_of(session, org_unit_id=org_id).division_code
    return out


def records_for(
    session: Session, profiles: Sequence[registry.GraduateProfile], *, hide_hardship: bool = False
) -> list[GraduateRecord]:
    divisions = _county_divisions(session, (p.org_unit_id for p in profiles))
    held = held_flags(session, (p.id for p in profiles))
    return [
        graduate_record(
            p,
            fallback_place=divisions.get(p.org_unit_id, ""),
            hide_hardship=hide_hardship,
            certificates=held.get(p.id, frozenset()),
        )
        for p in profiles
    ]


def not_seeking_statuses(vocab: Vocabularies) -> frozenset[str]:
    """Employment statuses of graduates who are not looking: employed ones (by the vocabulary's flag) and
    further study, the army, not seeking."""
    voc = vocab["employment_status"]
    return NOT_SEEKING | {code for code in voc.names if voc.has_flag(code, "employed")}


# ------------------------------------------------------------------------------------------ matches


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PositionMatch:
    rank: int
    position_id: int
    title: str
    kind: str
    kind_name: str
    employer_name: str
    places: list[Place]
    remote: bool
    pay_min: int | None
    pay_max: int | None
    deadline: date | None
    hardship_priority: bool
    score: float
    features: dict[str, float]
    reasons: list[str]
    checks: list[RuleCheck]


@dataclass(frozen=True, slots=True)
class MatchPage:
    graduate_id: int
    items: list[PositionMatch]
    limit: int
    offset: int
    has_more: bool
    catalog_version: int


def _check_page(limit: int, offset: int) -> int:
    if offset + limit > MAX_K:
        raise ValidationFailed(f"最多查看前 {MAX_K} 条匹配结果（offset + limit ≤ {MAX_K}）", field="offset")
    return offset + limit + 1


def _check_places(places: Sequence[str]) -> list[str]:
    out = []
    for code in places:
        if not _division(code):
            raise ValidationFailed(f"地点“{code[:12]}”应为6位行政区划代码，如 341622", field="place")
        out.append(code.strip())
    return out


def readable_profile(session: Session, *, principal: Principal, graduate_id: int) -> registry.GraduateProfile:
    """The graduate's profile, read once, when ``principal`` may see it (the rules of
    :func:`services.tracking.service.readable_graduate`); else 404, and 403 for an enterprise."""
    return _readable(session, principal, graduate_id).profile


def _readable(
    session: Session, principal: Principal, graduate_id: int, *, also: tuple[Any, ...] = ()
) -> registry.MatchingProfile:
    found = registry.matching_profile(session, graduate_id=graduate_id, also=also)
    if found is None:
        raise NotFound(f"编号为 {graduate_id} 的毕业生不存在或不在您的管辖范围内")
    if principal.role == Role.ENTERPRISE:
        raise Forbidden("企业不能查看毕业生档案")
    profile = found.profile
    if not can_read_graduate(
        session, principal=principal, graduate_id=profile.id, org_unit_id=profile.org_unit_id, user_id=found.user_id
    ):
        raise NotFound(f"编号为 {graduate_id} 的毕业生不存在或不在您的管辖范围内")
    return found


def graduate_matches(
    session: Session,
    *,
    principal: Principal,
    graduate_id: int,
    kinds: Sequence[str] = (),
    places: Sequence[str] = (),
    limit: int = 20,
    offset: int = 0,
) -> MatchPage:
    """The open positions a graduate can take, best first, each with score, features, reasons and rule checks.

    The graduate sees their own; counselors and union staff those of their scope (with accepted handoffs).
    """
    # the catalog state the index must be in step with comes in the graduate's statement
    graduate = _readable(session, principal, graduate_id, also=state_columns())
    k = _check_page(limit, offset)
    areas = _check_places(places)
    record = graduate_record(
        graduate.profile, fallback_place=graduate.county_division, certificates=graduate.certificates
    )
    today = catalog.local_today()
    holder = holder_for(session)
    with holder.use(session, state=state_of(graduate.also)) as index:
        found = index.rank_positions(
            record,
            k,
            kinds=cast(list[Kind], list(kinds)) if kinds else None,
            places=areas or None,
            today=today,
        )
        records = {m.position_id: index.position(m.position_id) for m in found}
        version = holder.stamp.version if holder.stamp else 0
    page = found[offset : offset + limit]
    items = _position_items(page, records, start=offset)
    return MatchPage(graduate_id, items, limit, offset, len(found) > offset + limit, version)


def _position_items(matches: Sequence[Match], records: dict[int, PositionRecord], *, start: int) -> list[PositionMatch]:
    gazetteer = reference_catalogs().gazetteer
    out = []
    for i, m in enumerate(matches):
        rec = records[m.position_id]
        out.append(
            PositionMatch(
                rank=start + i + 1,
                position_id=m.position_id,
                title=rec.title,
                kind=rec.kind,
                kind_name=kind_name(rec.kind),
                employer_name=rec.employer,
                places=[Place(code, gazetteer.full_name(code)) for code in rec.places],
                remote=rec.remote,
                pay_min=rec.pay_min,
                pay_max=rec.pay_max,
                deadline=rec.deadline,
                hardship_priority=rec.hardship_priority,
                score=round(m.score, 6),
                features={name: round(v, 6) for name, v in m.features.items()},
                reasons=list(m.reasons),
                checks=list(m.checks),
            )
        )
    return out


# --------------------------------------------------------------------------------------- candidates


@dataclass(frozen=True, slots=True)
class Candidate:
    rank: int
    graduate_id: int
    name: str
    org_unit_id: int
    school_name: str
    major: str
    cohort: int | None
    education: str
    education_name: str
    skills: list[str]
    employment_status: str
    hardship_family: bool
    score: float
    features: dict[str, float]
    reasons: list[str]
    checks: list[RuleCheck]


@dataclass(frozen=True, slots=True)
class CandidatePage:
    position_id: int
    items: list[Candidate]
    limit: int
    offset: int
    has_more: bool
    catalog_version: int
    enterprise_view: bool
    position_open: bool


def _candidate_position(session: Session, principal: Principal, position_id: int) -> Position:
    if principal.role == Role.ENTERPRISE:
        position = session.get(Position, position_id)
        if position is None or not catalog.manages_position(session, principal=principal, position=position):
            raise NotFound(f"岗位 {position_id} 不存在")
        return position
    if principal.role not in UNION_SIDE:
        raise Forbidden("只有就业指导员、工会和发布岗位的企业可以查看岗位的匹配人选")
    return catalog.get_position(session, position_id=position_id, principal=principal)


@dataclass(frozen=True, slots=True)
class CandidatePool:
    """The graduates a principal may rank for positions, encoded against the current index."""

    profiles: dict[int, registry.GraduateProfile]
    table: GraduateTable | None


def _pool_scope(session: Session, principal: Principal) -> GraduateScope | None:
    """None for an enterprise (every opted-in graduate); the principal's graduate scope otherwise."""
    if principal.role == Role.ENTERPRISE:
        return None
    return graduate_scope(session, principal=principal)


def _pool_fingerprint(session: Session, scope: GraduateScope | None) -> Hashable:
    """Changes whenever a graduate of the pool (or any family's hardship status) changes."""
    graduates = select(func.count(), func.max(Graduate.updated_at))
    if scope is not None and scope.org_unit_ids is not None:
        graduates = graduates.where(
            or_(Graduate.org_unit_id.in_(sorted(scope.org_unit_ids)), Graduate.id.in_(sorted(scope.handed_in)))
        )
    families = select(func.count(), func.max(Family.updated_at))
    return (tuple(session.execute(graduates).one()), tuple(session.execute(families).one()))


def _build_pool(
    session: Session, index: MatchIndex, scope: GraduateScope | None, closed: frozenset[str]
) -> CandidatePool:
    if scope is None:
        profiles = load_profiles(session, scope=None, enterprise_visible_only=True)
    else:
        profiles = load_profiles(session, scope=scope.org_unit_ids)
        known = {p.id for p in profiles}
        extra = sorted(scope.handed_in - known)
        if extra:
            profiles += load_profiles(session, scope=None, ids=extra)
    profiles = [p for p in profiles if p.employment_status not in closed]
    records = records_for(session, profiles, hide_hardship=scope is None)
    table = index.graduate_table(records) if records else None
    return CandidatePool({p.id: p for p in profiles}, table)


def _no_hardship(reasons: Iterable[str]) -> list[str]:
    return [r for r in reasons if not any(word in r for word in HARDSHIP_WORDS)]


def position_candidates(
    session: Session, *, principal: Principal, position_id: int, limit: int = 20, offset: int = 0
) -> CandidatePage:
    """Graduates ranked for one position. Counselors and union staff rank the graduates of their scope; the
    enterprise owning the position only graduates who opted in, ranked and explained without hardship data."""
    position = _candidate_position(session, principal, position_id)
    k = _check_page(limit, offset)
    enterprise = principal.role == Role.ENTERPRISE
    scope = _pool_scope(session, principal)
    key = ("enterprise",) if scope is None else ("union", scope.org_unit_ids, scope.handed_in)
    fingerprint = _pool_fingerprint(session, scope)
    vocab = vocabularies(session)
    closed = not_seeking_statuses(vocab)
    today = catalog.local_today()
    holder = holder_for(session)
    with holder.use(session) as index:
        current = holder.ensure_current(index, session, position.id)
        is_open = current is not None and current.status == "open" and current.employer_verified
        pool = holder.cached(key, (fingerprint, closed), lambda: _build_pool(session, index, scope, closed))
        found: list[Match] = []
        if is_open and pool.table is not None:
            found = index.rank_graduates(position.id, pool.table, k, today=today, explain=True)
        version = holder.stamp.version if holder.stamp else 0
    by_id = pool.profiles
    page = found[offset : offset + limit]
    # an enterprise's pool is the graduates who opted in; the union side's, the graduates of its scope
    visible = (
        Graduate.enterprise_visible.is_(True) if scope is None else scope.clause(Graduate.id, Graduate.org_unit_id)
    )
    shown = select(Graduate.id, Graduate.name).where(Graduate.id.in_([m.graduate_id for m in page]), visible)
    names = dict(session.execute(shown).all())
    education = vocab["education"]
    items = []
    for i, m in enumerate(page):
        p = by_id[m.graduate_id]
        items.append(
            Candidate(
                rank=offset + i + 1,
                graduate_id=p.id,
                name=str(names.get(p.id, "")),
                org_unit_id=p.org_unit_id,
                school_name=p.school_name,
                major=p.major_name or p.major_raw or "",
                cohort=p.cohort,
                education=p.education,
                education_name=education.name(p.education) or p.education,
                skills=list(p.skills),
                employment_status=p.employment_status,
                hardship_family=p.hardship_family and not enterprise,
                score=round(m.score, 6),
                features={} if enterprise else {name: round(v, 6) for name, v in m.features.items()},
                reasons=_no_hardship(m.reasons) if enterprise else list(m.reasons),
                checks=[] if enterprise else list(m.checks),
            )
        )
    return CandidatePage(position.id, items, limit, offset, len(found) > offset + limit, version, enterprise, is_open)


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind)
