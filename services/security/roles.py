"""The role sets, defined once: who is union staff, who is on the union side, who holds a caseload."""

from __future__ import annotations

from typing import Final

from services.security.models import Role

STAFF: Final = frozenset({Role.UNION_COUNTY, Role.UNION_CITY, Role.ADMIN})
"""Union staff: manage archives, aid and reports within their org scope."""
UNION_SIDE: Final = STAFF | {Role.COUNSELOR}
"""The union side of the service: staff and the employment counselors."""
CASELOAD: Final = UNION_SIDE
"""Roles that hold a caseload of graduates (read the registry's graduate records)."""
