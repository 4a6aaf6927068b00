"""Who is asking: role, org scope and address, attached to each request's session."""

from __future__ import annotations

from dataclasses import dataclass

from services.security.roles import STAFF


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    username: str
    role: str
    org_unit_id: int | None
    scope: frozenset[int] | None  # org unit ids the principal may see; None = all (city staff, admin)
    source_ip: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def covers(self, org_unit_id: int | None) -> bool:
        """True when a record of this org unit is inside the principal's scope."""
        if self.scope is None:
            return True
        return org_unit_id is not None and org_unit_id in self.scope
