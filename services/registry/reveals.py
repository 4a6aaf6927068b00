"""Registering the registry's sealed fields with the reveal service (who may see them in plain text)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from services.errors import NotFound
from services.registry import forms
from services.registry.access import require_caseload, require_staff
from services.registry.models import (
    Family,
    FamilyMember,
    Graduate,
)
from services.security import pii, reveal
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import STAFF

REVEAL_ROLES = {role.value for role in STAFF}


def _loader(model: type[Family] | type[FamilyMember] | type[Graduate], column: str, *, caseload: bool = False) -> Any:
    def load(session: Session, principal: Principal, target_id: str) -> str | None:
        if not target_id.isdigit():
            raise NotFound("记录不存在")
        obj = cast("Family | FamilyMember | Graduate | None", session.get(model, int(target_id)))
        if obj is None or not principal.covers(obj.org_unit_id):
            raise NotFound("记录不存在或不在您的管辖范围内")
        if caseload:
            require_caseload(principal)
        else:
            require_staff(principal)
        value = getattr(obj, column)
        return value if isinstance(value, str) else None

    return load


def _register_reveals() -> None:
    for name, kind in forms.FAMILY_SENSITIVE.items():
        reveal.register("registry_family", name, kind=kind, roles=REVEAL_ROLES, load=_loader(Family, f"{name}_enc"))
    for name in ("annual_income", "per_capita_income"):
        reveal.register(
            "registry_family", name, kind=pii.PiiKind.TEXT, roles=REVEAL_ROLES, load=_loader(Family, f"{name}_enc")
        )
    for name, kind in forms.MEMBER_SENSITIVE.items():
        reveal.register(
            "registry_member", name, kind=kind, roles=REVEAL_ROLES, load=_loader(FamilyMember, f"{name}_enc")
        )
    reveal.register(
        "registry_graduate",
        "id_number",
        kind=pii.PiiKind.ID_NUMBER,
        roles=REVEAL_ROLES,
        load=_loader(Graduate, "id_number_enc"),
    )
    reveal.register(
        "registry_graduate",
        "phone",
        kind=pii.PiiKind.PHONE,
        roles=REVEAL_ROLES | {Role.COUNSELOR.value},
        load=_loader(Graduate, "phone_enc", caseload=True),
    )


_register_reveals()
