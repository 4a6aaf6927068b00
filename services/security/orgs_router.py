"""HTTP: the union org tree, as each role may see it (the tree itself is :mod:`services.orgs`)."""

from __future__ import annotations

from fastapi import APIRouter

from services.db import SessionDep
from services.orgs import service
from services.orgs.schemas import OrgUnitOut
from services.security.dependencies import CurrentPrincipal

router = APIRouter(prefix="/api/v1/orgs", tags=["工会组织"])


@router.get(
    "",
    response_model=list[OrgUnitOut],
    summary="工会组织树",
    description="市总看到全部单位；县区总工会和指导员看到本辖区；毕业生和企业看到全部单位名称（用于选择）。",
)
def list_orgs(principal: CurrentPrincipal, session: SessionDep) -> list[OrgUnitOut]:
    scope = principal.scope if principal.role in {"union_county", "counselor"} else None
    return [OrgUnitOut.model_validate(u) for u in service.list_units(session, scope=scope)]
