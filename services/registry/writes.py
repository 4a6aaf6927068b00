"""Setting plain and sealed values on registry rows, and the change history kept for each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from services.db import utcnow
from services.identifiers import ResidentId
from services.registry import forms
from services.registry.models import (
    RegistryChange,
)
from services.security import pii
from services.security.audit import current_principal
from services.security.principal import Principal

STALE_AFTER_DAYS = 365
GRADUATE_SELF_FIELDS = frozenset(
    {
        "phone",
        "email",
        "intentions",
        "preferred_places",
        "expected_pay_min",
        "expected_pay_max",
        "skills",
        "assistance_needs",
        "enterprise_visible",
    }
)
COUNSELOR_FIELDS = frozenset(
    {
        "employment_status",
        "intentions",
        "preferred_places",
        "expected_pay_min",
        "expected_pay_max",
        "skills",
        "assistance_needs",
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change (kept in history)."""

    user_id: int | None
    role: str | None

    @classmethod
    def of(cls, principal: Principal | None) -> Actor:
        return cls(user_of(principal), principal.role) if principal else cls(None, None)


def user_of(principal: Principal) -> int | None:
    """The account id to store (None for an internal principal without an account)."""
    return principal.user_id if principal.user_id > 0 else None


def actor_of(session: Session) -> Actor:
    return Actor.of(current_principal(session))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return forms.money_text(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old.compare(new) == 0
    if isinstance(old, list) and isinstance(new, list | tuple):
        return list(old) == list(new)
    return bool(old == new)


def set_plain(obj: Any, name: str, value: Any, changes: dict[str, Any] | None) -> None:
    """Set ``name`` when it differs, noting old → new in ``changes`` (None: a new record, nothing to note)."""
    old = getattr(obj, name, None)
    if _same(old, value):
        return
    setattr(obj, name, list(value) if isinstance(value, tuple) else value)
    if changes is not None:
        changes[name] = [_jsonable(old), _jsonable(value)]


def set_sealed(
    obj: Any,
    name: str,
    kind: pii.PiiKind,
    value: str | None,
    changes: dict[str, Any] | None,
    presealed: pii.Sealed | None = None,
) -> None:
    """Seal ``value`` into ``<name>_enc/_bidx/_masked``; unchanged values (same blind index) are left alone.
    ``presealed`` is the same value sealed beforehand (the import seals rows in parallel workers)."""
    old_bidx = getattr(obj, f"{name}_bidx", None)
    old_masked = getattr(obj, f"{name}_masked", None)
    if value is None:
        if old_bidx is None and getattr(obj, f"{name}_enc", None) is None:
            return
        for suffix in ("_enc", "_bidx", "_masked"):
            setattr(obj, name + suffix, None)
        if changes is not None:
            changes[name] = [old_masked, None]
        return
    bidx = presealed.blind_index if presealed is not None else pii.blind_index(kind, value)
    if bidx == old_bidx:
        return
    sealed = presealed or pii.Sealed(ciphertext=pii.encrypt(value), blind_index=bidx, masked=pii.mask(kind, value))
    setattr(obj, f"{name}_enc", sealed.ciphertext)
    setattr(obj, f"{name}_bidx", sealed.blind_index)
    setattr(obj, f"{name}_masked", sealed.masked)
    if changes is not None:
        changes[name] = [old_masked, sealed.masked]


def sealed_text(value: Any) -> str | None:
    """The plaintext that is sealed for a cleaned value."""
    if value is None:
        return None
    if isinstance(value, ResidentId):
        return value.number
    if isinstance(value, Decimal):
        return forms.money_text(value)
    return str(value)


def id_index(number: str) -> str:
    return pii.blind_index(pii.PiiKind.ID_NUMBER, number)


def decrypt_money(ciphertext: str | None) -> Decimal:
    return Decimal(pii.decrypt(ciphertext)) if ciphertext else Decimal("0.00")


def add_history(
    session: Session,
    *,
    entity_type: str,
    entity_id: int,
    family_id: int | None,
    org_unit_id: int,
    action: str,
    changes: Mapping[str, Any],
    actor: Actor,
    source: str,
) -> RegistryChange | None:
    if action == "update" and not changes:
        return None
    row = RegistryChange(
        at=utcnow(),
        actor_id=actor.user_id,
        actor_role=actor.role,
        entity_type=entity_type,
        entity_id=entity_id,
        family_id=family_id,
        org_unit_id=org_unit_id,
        action=action,
        source=source,
        changes=dict(changes),
    )
    session.add(row)
    return row
