"""The one path to plaintext: scope check, purpose, audit row first, then decryption.

Domains register a loader per (target type, field) that returns the ciphertext of a record the principal
may see (or raises NotFound / Forbidden). :func:`reveal` refuses roles not allowed for the field, refuses an
empty purpose, writes the audit row and only then decrypts. A refusal (role or scope) is recorded as a denial
that outlives the refused request's rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.errors import Forbidden, NotFound, ValidationFailed
from services.security import audit, pii
from services.security.principal import Principal

Loader = Callable[[Session, Principal, str], str | None]


@dataclass(frozen=True, slots=True)
class Revealable:
    target_type: str
    field: str
    kind: pii.PiiKind
    roles: frozenset[str]
    load: Loader


_REGISTRY: dict[tuple[str, str], Revealable] = {}


def register(target_type: str, field: str, *, kind: pii.PiiKind, roles: set[str], load: Loader) -> None:
    _REGISTRY[(target_type, field)] = Revealable(target_type, field, kind, frozenset(roles), load)


def registered() -> list[Revealable]:
    return list(_REGISTRY.values())


def reveal(
    session: Session, *, principal: Principal, target_type: str, target_id: str, field: str, purpose: str
) -> str:
    entry = _REGISTRY.get((target_type, field))
    if entry is None:
        raise NotFound(f"不支持查看“{target_type}.{field}”的明文", field="field")
    if not purpose or len(purpose.strip()) < 2:
        raise ValidationFailed("查看明文须说明用途", field="purpose")
    if principal.role not in entry.roles:
        audit.record_denial(
            session,
            action="reveal",
            target_type=target_type,
            target_id=target_id,
            field=field,
            purpose=purpose.strip(),
            detail={"reason": "role"},
            principal=principal,
        )
        raise Forbidden("您的角色无权查看该字段明文")
    try:
        ciphertext = entry.load(session, principal, target_id)
    except (NotFound, Forbidden) as exc:
        audit.record_denial(
            session,
            action="reveal",
            target_type=target_type,
            target_id=target_id,
            field=field,
            purpose=purpose.strip(),
            detail={"reason": "scope", "status": exc.status},
            principal=principal,
        )
        raise
    if ciphertext is None:
        raise NotFound("该字段没有登记内容")
    audit.record(
        session,
        action="reveal",
        target_type=target_type,
        target_id=target_id,
        field=field,
        purpose=purpose.strip(),
        principal=principal,
    )
    return pii.decrypt(ciphertext)
