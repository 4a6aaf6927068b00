"""Signed, expiring access tokens (JWT, HS256). A password change or disable bumps ``ver`` and revokes them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt

from services.config import get_settings
from services.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "sunshine-employment"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: str
    version: int


def issue(*, user_id: int, role: str, version: int, minutes: int | None = None) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "role": role,
        "ver": version,
        "iat": now,
        "exp": now + timedelta(minutes=minutes or settings.access_token_minutes),
        "iss": ISSUER,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def decode(token: str) -> TokenClaims:
    """The claims of a valid, unexpired token. A signature once verified is not verified again for the same
    token and key (the answer cannot change), but the expiry is checked on every call."""
    try:
        claims, expires = _verified(token, get_settings().secret_key)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("登录已过期，请重新登录") from exc
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise Unauthorized("登录凭证无效") from exc
    if expires <= datetime.now(UTC).timestamp():
        raise Unauthorized("登录已过期，请重新登录")
    return claims


@lru_cache(maxsize=4096)
def _verified(token: str, key: str) -> tuple[TokenClaims, float]:
    """Claims and expiry (a POSIX time) of a token whose signature, issuer and required claims hold (raises
    otherwise, and nothing is kept)."""
    data = jwt.decode(
        token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub", "ver", "iss"]}
    )
    claims = TokenClaims(user_id=int(data["sub"]), role=str(data["role"]), version=int(data["ver"]))
    return claims, float(data["exp"])
