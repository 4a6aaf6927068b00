"""Builders for tracking tests: graduates (with or without an account), employers with an enterprise account,
positions of each kind, and principals of the shared test world."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric

from services.catalog.models import Employer, EmployerAccount, EmployerStatus, Position, PositionStatus
from services.clock import local_today
from services.registry.models import Graduate
from services.security import pii
from services.security.models import Role, User
from services.security.passwords import hash_password
from services.security.principal import Principal
from tests.conftest import GRASSROOTS, World

_seq = itertools.count(1)
_HASH = hash_password("Passw0rd-test")


def today() -> date:
    """Today in China, read when the test runs (a module imported before midnight there must not fix the day)."""
    return local_today()


def principal(session: Session, world: World, key: str) -> Principal:
    """The principal of a world account, resolved as a request would (scope from the org tree)."""
    user = session.get(User, world.users[key])
    assert user is not None
    return _principal_for(session, user)


def _principal_for(session: Session, user: User) -> Principal:
    from services.orgs import service as orgs

    scope: frozenset[int] | None
    if user.role in {Role.UNION_CITY, Role.ADMIN}:
        scope = None
    elif user.role in {Role.UNION_COUNTY, Role.COUNSELOR} and user.org_unit_id is not None:
        scope = orgs.subtree_ids(session, org_unit_id=user.org_unit_id)
    else:
        scope = frozenset()
    return Principal(user_id=user.id, username=user.username, role=user.role, org_unit_id=user.org_unit_id, scope=scope)


def principal_of(session: Session, user_id: int) -> Principal:
    user = session.get(User, user_id)
    assert user is not None
    return _principal_for(session, user)


def make_user(session: Session, world: World, *, role: str, org: str, email: str | None = None) -> User:
    n = next(_seq)
    user = User(
        username=f"trk_{role}_{n}",
        display_name=f"{role} {n}",
        password_hash=_HASH,
        role=role,
        org_unit_id=world.orgs[org],
        token_version=1,
        email=email,
    )
    session.add(user)
    session.flush()
    return user


def make_graduate(
    session: Session,
    world: World,
    *,
    side: str = "a",
    org: str | None = None,
    user_id: int | None = None,
    name: str | None = None,
    cohort: int = 2023,
    status: str = "unemployed",
) -> Graduate:
    n = next(_seq)
    body = f"341622{1990 + (n // 1000) % 30}0101{n % 1000:03d}"
    id_number = body + ric.calc_check_digit(body)
    sealed = pii.seal(pii.PiiKind.ID_NUMBER, id_number)
    graduate = Graduate(
        org_unit_id=world.orgs[org or GRASSROOTS[side]],
        user_id=user_id,
        stage="graduate",
        service_category="1",
        name=name or f"毕业生{n}",
        id_number_enc=sealed.ciphertext,
        id_number_bidx=sealed.blind_index,
        id_number_masked=sealed.masked,
        sex="男" if n % 2 else "女",
        birth_date=date(2001, 1, 1),
        school_kind="高职",
        school_name="亳州职业技术学院",
        major_name="软件技术",
        education="31",
        cohort=cohort,
        employment_status=status,
    )
    session.add(graduate)
    session.flush()
    return graduate


def own_graduate(session: Session, world: World, key: str = "graduate_a") -> Graduate:
    """The graduate record of a world graduate account (created once per test)."""
    existing = session.scalar(select(Graduate).where(Graduate.user_id == world.users[key]))
    if existing is not None:
        return existing
    side = key.rsplit("_", 1)[1]
    return make_graduate(session, world, side=side, user_id=world.users[key], name="陈同学")


def make_employer(session: Session, world: World, *, side: str = "a", account_key: str | None = None) -> Employer:
    n = next(_seq)
    employer = Employer(
        name=f"测试企业{n}",
        name_key=f"测试企业{n}",
        credit_code=f"91341600TRK{n:07d}",
        industry_code="2720",
        ownership="private",
        division_code="341622" if side == "a" else "341621",
        org_unit_id=world.orgs["BZ-MC" if side == "a" else "BZ-GY"],
        status=EmployerStatus.VERIFIED,
    )
    session.add(employer)
    session.flush()
    if account_key is not None:
        existing = session.get(EmployerAccount, world.users[account_key])
        if existing is None:
            session.add(EmployerAccount(user_id=world.users[account_key], employer_id=employer.id))
        else:
            existing.employer_id = employer.id
        session.flush()
    return employer


def make_position(
    session: Session,
    world: World,
    *,
    employer: Employer | None,
    kind: str = "job",
    headcount: int | None = None,
    status: str = PositionStatus.OPEN,
    deadline: date | None = None,
    title: str | None = None,
) -> Position:
    n = next(_seq)
    position = Position(
        employer_id=employer.id if employer else None,
        org_unit_id=employer.org_unit_id if employer else world.orgs["BZ"],
        kind=kind,
        title=title or f"岗位{n}",
        headcount=headcount,
        filled=0,
        deadline=deadline if deadline is not None else date.today() + timedelta(days=60),
        source="self_posted",
        status=status,
    )
    session.add(position)
    session.flush()
    return position


def enterprise_position(session: Session, world: World, key: str = "enterprise_a", **kw: object) -> Position:
    """A position of the employer the world enterprise account manages (created on first use)."""
    employer_id = security_employer(session, world, key)
    employer = session.get(Employer, employer_id) if employer_id else None
    if employer is None:
        employer = make_employer(session, world, side=key.rsplit("_", 1)[1], account_key=key)
    return make_position(session, world, employer=employer, **kw)  # type: ignore[arg-type]


def security_employer(session: Session, world: World, key: str) -> int | None:
    return session.scalar(select(EmployerAccount.employer_id).where(EmployerAccount.user_id == world.users[key]))
