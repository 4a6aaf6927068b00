"""The printed demo logins, one per role, each linked to real records of the world.

- ``graduate``: a graduate of 蒙城县 with an offer waiting for signature, linked through the registry's
  :func:`services.registry.api.link_account`;
- ``enterprise``: the verified 蒙城县 employer with the most applicants, so its account sees positions and people;
- ``counselor``: a 蒙城县 counselor who takes over the county's caseload (assignments through tracking);
- ``mengcheng`` (county staff), ``city`` (assistance centre) and ``admin``.

Running it again changes nothing: existing accounts are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalog.models import Employer, EmployerAccount, EmployerStatus, Position, PositionStatus
from services.db import utcnow
from services.errors import Conflict, Forbidden
from services.matches import service as matches
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.registry import graduates as registry_graduates
from services.registry import lookups as registry_lookups
from services.registry.models import Graduate, Stage
from services.security import service as security
from services.security.models import Role, User
from services.security.principal import Principal
from services.tracking import flows
from services.tracking import service as tracking
from services.tracking.models import Application, Assignment, Handoff, HandoffState

DEMO_PASSWORD = "Sunshine2023"  # noqa: S105 - printed demo logins for the embedded demo only
DEMO_USERS = [
    ("admin", "admin", "BZ", "系统管理员"),
    ("city", "union_city", "BZ", "市总帮扶中心 张主任"),
    ("mengcheng", "union_county", "BZ-MC", "蒙城县总工会 刘科长"),
    ("counselor", "counselor", "BZ-MC", "蒙城县就业指导员 王老师"),
    ("graduate", "graduate", "BZ-MC", "毕业生 陈同学"),
    ("enterprise", "enterprise", "BZ-MC", "安徽亳药示范企业 人事部"),
]


@dataclass(frozen=True, slots=True)
class Login:
    username: str
    role: str
    linked: str  # what the account is linked to, in words


def _principal(session: Session, user: User) -> Principal:
    scope = None
    if user.role not in {Role.UNION_CITY, Role.ADMIN} and user.org_unit_id is not None:
        scope = orgs.subtree_ids(session, org_unit_id=user.org_unit_id)
    return Principal(user.id, user.username, user.role, user.org_unit_id, scope)


def _user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def _pick_graduate(session: Session, scope: frozenset[int]) -> Graduate | None:
    """A graduate of the scope without an account and not handed to another union, preferring one with an offer to
    sign, then any application."""
    elsewhere = select(Handoff.graduate_id).where(Handoff.state.in_([HandoffState.PENDING, HandoffState.ACCEPTED]))
    for states in (["offered"], ["applied", "interviewing", "recommended"], None):
        stmt = select(Graduate).where(
            Graduate.org_unit_id.in_(sorted(scope)),
            Graduate.user_id.is_(None),
            Graduate.stage == Stage.GRADUATE,
            Graduate.id.not_in(elsewhere),
        )
        if states is not None:
            stmt = stmt.where(Graduate.id.in_(select(Application.graduate_id).where(Application.state.in_(states))))
        found = session.scalar(stmt.order_by(Graduate.id).limit(1))
        if found is not None:
            return found
    return None


def _pick_employer(session: Session, scope: frozenset[int]) -> Employer | None:
    """The verified employer of the scope, not yet managed by an account, with the most applicants."""
    applicants = (
        select(Application.employer_id, func.count().label("n"))
        .where(Application.state != "recommended")
        .group_by(Application.employer_id)
        .subquery()
    )
    open_positions = select(Position.employer_id).where(Position.status == PositionStatus.OPEN)
    stmt = (
        select(Employer)
        .outerjoin(applicants, applicants.c.employer_id == Employer.id)
        .where(
            Employer.org_unit_id.in_(sorted(scope)),
            Employer.status == EmployerStatus.VERIFIED,
            Employer.id.in_(open_positions),
            Employer.id.not_in(select(EmployerAccount.employer_id)),
        )
        .order_by(func.coalesce(applicants.c.n, 0).desc(), Employer.id)
        .limit(1)
    )
    return session.scalar(stmt)


def ensure_logins(
    session: Session, *, password: str, specs: Sequence[tuple[str, str, str, str]], county_code: str = "BZ-MC"
) -> list[Login]:
    """Create the accounts of ``specs`` (username, role, org code, display name) that are missing and link them."""
    out: list[Login] = []
    county = orgs.get_by_code(session, code=county_code)
    scope = orgs.subtree_ids(session, org_unit_id=county.id)
    staff: Principal | None = None
    for username, role, org_code, display in specs:
        existing = _user(session, username)
        if existing is not None:
            out.append(Login(username, role, _describe(session, existing)))
            if role == Role.UNION_COUNTY:
                staff = _principal(session, existing)
            continue
        unit = orgs.get_by_code(session, code=org_code)
        graduate = _pick_graduate(session, scope) if role == Role.GRADUATE else None
        if graduate is not None:
            unit_id, display = graduate.org_unit_id, f"毕业生 {graduate.name}"
        else:
            unit_id = unit.id
        user = security.create_user(
            session, username=username, password=password, role=role, display_name=display, org_unit_id=unit_id
        )
        if role == Role.UNION_COUNTY:
            staff = _principal(session, user)
        elif role == Role.GRADUATE and graduate is not None and staff is not None:
            registry_graduates.link_account(session, principal=staff, graduate=graduate, user_id=user.id)
            _give_pipeline(session, staff=staff, graduate=graduate)
        elif role == Role.ENTERPRISE:
            employer = _pick_employer(session, scope)
            if employer is not None:
                # the catalog links accounts only when an enterprise registers a new employer; the demo account
                # takes over an employer the county registered, as its HR department would
                session.add(EmployerAccount(user_id=user.id, employer_id=employer.id, created_at=utcnow()))
                session.flush()
        elif role == Role.COUNSELOR and staff is not None:
            _take_caseload(session, staff=staff, counselor=user, scope=scope)
        out.append(Login(username, role, _describe(session, user)))
    return out


def _give_pipeline(session: Session, *, staff: Principal, graduate: Graduate) -> None:
    """A graduate login without any application gets its best match recommended by the county, so that the
    newcomer has something to apply to."""
    if session.scalar(select(Application.id).where(Application.graduate_id == graduate.id).limit(1)) is not None:
        return
    for item in matches.graduate_matches(session, principal=staff, graduate_id=graduate.id, limit=10).items:
        try:
            with session.begin_nested():
                flows.recommend(
                    session,
                    principal=staff,
                    graduate_id=graduate.id,
                    position_id=item.position_id,
                    note="根据匹配结果推荐：" + "；".join(item.reasons[:2]),
                )
        except Conflict:
            continue
        return


def _take_caseload(session: Session, *, staff: Principal, counselor: User, scope: frozenset[int]) -> None:
    """The county clerk hands the county's assigned graduates to the demo counselor."""
    ids = list(
        session.scalars(
            select(Assignment.graduate_id).where(Assignment.org_unit_id.in_(sorted(scope))).order_by(Assignment.id)
        )
    )
    for graduate_id in ids:
        try:
            with session.begin_nested():
                tracking.assign_counselor(session, principal=staff, graduate_id=graduate_id, counselor_id=counselor.id)
        except Forbidden:  # handed to another union for now: that union's counselors serve the graduate
            continue


def _describe(session: Session, user: User) -> str:
    if user.role == Role.GRADUATE:
        graduate = registry_lookups.graduate_for_user(session, user_id=user.id)
        if graduate is None:
            return "未关联毕业生档案"
        return f"毕业生 {graduate.name}（档案编号 {graduate.id}，{graduate.school_name} {graduate.major_raw or ''}）"
    if user.role == Role.ENTERPRISE:
        employer_id = session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == user.id))
        employer = session.get(Employer, employer_id) if employer_id is not None else None
        return f"用人单位 {employer.name}（编号 {employer.id}）" if employer else "尚未登记单位"
    unit = session.get(OrgUnit, user.org_unit_id) if user.org_unit_id is not None else None
    where = unit.name if unit else ""
    if user.role == Role.COUNSELOR:
        count = session.scalar(select(func.count()).select_from(Assignment).where(Assignment.counselor_id == user.id))
        return f"{where} 帮扶对象 {count or 0} 人"
    return where
