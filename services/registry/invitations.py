"""One-time activation invitations: a counselor (or union staff) invites a graduate to open their own account.

An invitation is tied to one graduate archive, expires after :data:`VALID_DAYS` days and can be used once. Only a
hash of its code is stored; the code itself is shown once to the person who creates it (as a code and as a link).
Redeeming it creates a graduate account in the archive's org unit with the password the graduate chooses and
links that account to the archive; a newer invitation for the same archive revokes the older ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from services.config import get_settings
from services.db import Base, utcnow
from services.errors import Conflict, NotFound, ValidationFailed
from services.registry import access as registry_access
from services.registry import graduates as registry_graduates
from services.security import audit, tokens
from services.security import service as accounts
from services.security.models import Role, User
from services.security.principal import Principal

if TYPE_CHECKING:
    from services.registry.models import Graduate

VALID_DAYS = 7
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a phone
_CODE_LENGTH = 12
ACTIVATE_PATH = "/activate"


class Invitation(Base):
    __tablename__ = "graduate_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    invitation_id: int
    graduate_id: int
    code: str  # shown once, never stored
    expires_at: datetime

    @property
    def path(self) -> str:
        return f"{ACTIVATE_PATH}?code={self.code}"


def normalize_code(raw: str) -> str:
    """The code as stored: separators and case dropped (``abcd-efgh-jkmn`` → ``ABCDEFGHJKMN``)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _hash(code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"invitation:" + normalize_code(code).encode(), hashlib.sha256).hexdigest()


def create(session: Session, *, principal: Principal, graduate_id: int) -> IssuedInvitation:
    """A new invitation for a graduate in the principal's caseload (404 outside it; 409 when already activated)."""
    graduate = registry_access.get_graduate(session, principal=principal, graduate_id=graduate_id)
    if graduate.user_id is not None:
        raise Conflict("该毕业生已开通账号，无需再发送激活邀请", field="graduate_id")
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(Invitation.graduate_id == graduate.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
    row = Invitation(
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        code_hash=_hash(code),
        created_by_id=principal.user_id if principal.user_id > 0 else None,
        created_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        action="invite",
        target_type="registry_graduate",
        target_id=str(graduate.id),
        outcome="ok",
        principal=principal,
    )
    return IssuedInvitation(row.id, graduate.id, display_code(code), row.expires_at)


def _usable(session: Session, code: str) -> Invitation:
    if len(normalize_code(code)) != _CODE_LENGTH:
        raise ValidationFailed("激活码应为12位字母和数字", field="code")
    row = session.scalar(select(Invitation).where(Invitation.code_hash == _hash(code)))
    if row is None or row.revoked_at is not None:
        raise NotFound("激活码无效，请向就业指导员索取新的邀请", field="code")
    if row.used_at is not None:
        raise Conflict("该激活码已使用过，请直接登录", field="code")
    if row.expires_at <= utcnow():
        raise Conflict("激活码已过期，请向就业指导员索取新的邀请", field="code")
    return row


def _on_behalf(row: Invitation, address: str | None) -> Principal:
    # The invitation is the authority: it was issued by someone who may serve this graduate, for the archive's
    # org unit as it was then; it reaches that archive and nothing else.
    return Principal(
        user_id=0,
        username="invitation",
        role=Role.UNION_COUNTY,
        org_unit_id=row.org_unit_id,
        scope=frozenset({row.org_unit_id}),
        source_ip=address,
    )


def _archive(session: Session, row: Invitation, linker: Principal) -> Graduate:
    try:
        return registry_access.get_graduate(session, principal=linker, graduate_id=row.graduate_id)
    except NotFound as exc:
        raise NotFound("激活码对应的档案已变更，请向就业指导员索取新的邀请", field="code") from exc


def greeting_name(session: Session, *, code: str) -> str:
    """The archive's name for the activation page ("陈晓，请设置密码"), checking the code is still usable."""
    row = _usable(session, code)
    return _archive(session, row, _on_behalf(row, None)).name


def redeem(session: Session, *, code: str, username: str, password: str, address: str) -> tuple[User, str]:
    """Use the invitation: a graduate account with ``password``, linked to the archive; returns it and a token."""
    row = _usable(session, code)
    linker = _on_behalf(row, address)
    graduate = _archive(session, row, linker)
    if graduate.user_id is not None:
        raise Conflict("该毕业生已开通账号，请直接登录", field="code")
    user = accounts.create_user(
        session,
        username=username,
        password=password,
        role=Role.GRADUATE,
        display_name=graduate.name,
        org_unit_id=graduate.org_unit_id,
    )
    registry_graduates.link_account(session, principal=linker, graduate=graduate, user_id=user.id)
    row.used_at = utcnow()
    row.user_id = user.id
    session.flush()
    audit.record(
        session,
        action="activate",
        target_type="registry_graduate",
        target_id=str(graduate.id),
        outcome="ok",
        principal=None,
        detail={"address": address, "user_id": user.id},
    )
    return user, tokens.issue(user_id=user.id, role=user.role, version=user.token_version)
