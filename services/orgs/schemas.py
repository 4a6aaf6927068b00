from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OrgUnitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str = Field(examples=["BZ-MC"])
    name: str = Field(examples=["蒙城县总工会"])
    kind: str = Field(examples=["county"])
    parent_id: int | None = Field(examples=[1])
    division_code: str = Field(examples=["341622"])
