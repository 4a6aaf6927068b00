"""Request and response shapes of the import's option-wording confirmation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.registry.schemas import ImportJobOut


class MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enumeration: str = Field(min_length=1, max_length=40, examples=["household_type"])
    wording: str = Field(min_length=1, max_length=100, examples=["农业户"])
    code: str = Field(min_length=1, max_length=60, description="选项代码或名称", examples=["2"])


class MappingsConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mappings: list[MappingIn] = Field(min_length=1, max_length=200)
    recheck: bool = Field(default=True, description="确认后用同一文件重新试导入（默认是）")


class MappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_unit_id: int
    enumeration: str
    wording: str
    code: str
    confirmed_by_id: int | None
    job_id: int | None
    updated_at: datetime


class MappingsConfirmed(BaseModel):
    mappings: list[MappingOut]
    job: ImportJobOut | None = Field(description="按新写法重新试导入的任务（recheck=false 时为空）")
