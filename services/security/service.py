"""Accounts: create, authenticate with throttling, change password, disable; principals for requests."""

from __future__ import annotations

import logging

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.config import get_settings
from services.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.security import audit, pii, reveal, throttle, tokens
from services.security.models import Role, User
from services.security.passwords import hash_password, password_problem, verify_password
from services.security.principal import Principal
from services.security.scope import scoped

log = logging.getLogger(__name__)
_fallback_counter = throttle.MemoryCounter()

# Which roles may create which roles.
CREATABLE: dict[str, set[str]] = {
    Role.ADMIN: {r.value for r in Role},
    Role.UNION_CITY: {Role.UNION_COUNTY, Role.COUNSELOR, Role.GRADUATE, Role.ENTERPRISE},
    Role.UNION_COUNTY: {Role.COUNSELOR, Role.GRADUATE, Role.ENTERPRISE},
}
SCOPED_ROLES = {Role.COUNSELOR, Role.UNION_COUNTY, Role.GRADUATE}


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    org_unit_id: int | None,
    phone: str | None = None,
    email: str | None = None,
    creator: Principal | None = None,
) -> User:
    if role not in {r.value for r in Role}:
        raise ValidationFailed(f"角色“{role}”无效", field="role")
    if creator is not None:
        if role not in CREATABLE.get(creator.role, set()):
            raise Forbidden("您无权创建该角色的账号")
        if not creator.covers(org_unit_id):
            raise Forbidden("不能在管辖范围之外创建账号")
    if role in SCOPED_ROLES and org_unit_id is None:
        raise ValidationFailed("该角色须指定所属单位", field="org_unit_id")
    if org_unit_id is not None and session.get(OrgUnit, org_unit_id) is None:
        raise ValidationFailed(f"所属单位 {org_unit_id} 不存在", field="org_unit_id")
    if (reason := password_problem(password)) is not None:
        raise ValidationFailed(reason, field="password")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名“{username}”已被使用", field="username")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        org_unit_id=org_unit_id,
        email=email,
    )
    if phone:
        set_phone(user, phone)
    session.add(user)
    session.flush()
    return user


def set_phone(user: User, phone: str) -> None:
    from services.identifiers import normalize_phone

    value = normalize_phone(phone)
    sealed = pii.seal(pii.PiiKind.PHONE, value)
    user.phone_enc, user.phone_bidx, user.phone_masked = sealed.ciphertext, sealed.blind_index, sealed.masked


def _counter() -> throttle.Counter:
    return throttle.get_counter()


def _hit(key: str, window: int) -> int:
    try:
        return _counter().hit(key, window)
    except redis.RedisError:
        log.warning("throttle store unavailable, using process memory")
        return _fallback_counter.hit(key, window)


def _count(key: str) -> int:
    try:
        return _counter().count(key)
    except redis.RedisError:
        return _fallback_counter.count(key)


def _claim(key: str, seconds: int) -> bool:
    try:
        return _counter().claim(key, seconds)
    except redis.RedisError:
        return _fallback_counter.claim(key, seconds)


def _refuse_login(session: Session, *, username: str, address: str, reason: str) -> None:
    """Audit a refused login. An existing account is named; a name that is no account (often an ID number or a
    phone typed in the wrong box) is kept only as its keyed hash."""
    known = session.scalar(select(User.username).where(User.username == username))
    detail = {"reason": reason}
    if known is None:
        detail["typed"] = throttle.account_digest(username)[:16]
    audit.record_denial(
        session,
        action="login",
        target_type="user_account",
        target_id=known,
        detail=detail,
        principal=None,
        address=address,
    )


def authenticate(session: Session, *, username: str, password: str, address: str) -> tuple[User, str]:
    """Check a password. An account with too many recent failures is refused for the window; an address with
    too many is slowed to one attempt per delay, without locking anyone's account. Every refusal is audited."""
    settings = get_settings()
    user_key, addr_key = throttle.keys_for(username, address)
    if _count(user_key) >= settings.login_max_failures:
        _refuse_login(session, username=username, address=address, reason="account_throttled")
        raise TooManyRequests(
            "登录失败次数过多，请15分钟后再试", headers={"Retry-After": str(settings.login_window_seconds)}
        )
    delay = settings.login_address_delay_seconds
    if _count(addr_key) >= settings.login_address_failures and not _claim(throttle.slow_key(address), delay):
        _refuse_login(session, username=username, address=address, reason="address_slowed")
        raise TooManyRequests(f"该网络地址登录失败次数过多，请{delay}秒后再试", headers={"Retry-After": str(delay)})
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        _hit(user_key, settings.login_window_seconds)
        _hit(addr_key, settings.login_window_seconds)
        _refuse_login(session, username=username, address=address, reason="bad_credentials")
        raise Unauthorized("用户名或密码错误")
    try:
        _counter().clear(user_key)
    except redis.RedisError:
        _fallback_counter.clear(user_key)
    token = tokens.issue(user_id=user.id, role=user.role, version=user.token_version)
    return user, token


def principal_for(session: Session, *, token: str, address: str | None) -> Principal:
    claims = tokens.decode(token)
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.version or user.role != claims.role:
        raise Unauthorized("登录凭证已失效，请重新登录")
    scope: frozenset[int] | None
    if user.role in {Role.UNION_CITY, Role.ADMIN}:
        scope = None
    elif user.role in {Role.UNION_COUNTY, Role.COUNSELOR} and user.org_unit_id is not None:
        scope = orgs.subtree_ids(session, org_unit_id=user.org_unit_id)
    else:
        scope = frozenset()
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        org_unit_id=user.org_unit_id,
        scope=scope,
        source_ip=address,
    )


def change_password(session: Session, *, user: User, old: str, new: str) -> None:
    if not verify_password(old, user.password_hash):
        raise ValidationFailed("原密码不正确", field="old_password")
    if (reason := password_problem(new)) is not None:
        raise ValidationFailed(reason, field="new_password")
    user.password_hash = hash_password(new)
    user.token_version += 1
    session.flush()


def set_active(session: Session, *, user: User, active: bool) -> None:
    user.is_active = active
    user.token_version += 1
    session.flush()


def get_user(session: Session, *, principal: Principal, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"账号 {user_id} 不存在")
    if user.id == principal.user_id:
        return user
    if not principal.is_staff or not principal.covers(user.org_unit_id):
        raise NotFound(f"账号 {user_id} 不存在")
    return user


def find_user(session: Session, *, principal: Principal, username: str) -> User | None:
    """The account of this user name within the principal's scope (staff only), or None."""
    if not principal.is_staff:
        raise Forbidden()
    stmt = select(User).where(User.username == username.strip())
    if principal.scope is not None:
        stmt = stmt.where(User.org_unit_id.in_(principal.scope))
    return session.scalar(stmt)


def list_users(session: Session, *, principal: Principal, limit: int, offset: int) -> list[User]:
    if not principal.is_staff:
        raise Forbidden()
    stmt = select(User).order_by(User.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=User.org_unit_id)
    return list(session.scalars(stmt))


def _load_user_phone(session: Session, principal: Principal, target_id: str) -> str | None:
    if not target_id.isdigit():
        raise NotFound("账号不存在")
    return get_user(session, principal=principal, user_id=int(target_id)).phone_enc


reveal.register(
    "user_account",
    "phone",
    kind=pii.PiiKind.PHONE,
    roles={Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN},
    load=_load_user_phone,
)
