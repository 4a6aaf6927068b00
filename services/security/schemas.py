from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.security.models import Role


class Token(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(examples=[3600])
    role: str = Field(examples=["counselor"])


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[7])
    username: str = Field(examples=["mc_counselor"])
    display_name: str = Field(examples=["王老师"])
    role: str = Field(examples=["counselor"])
    org_unit_id: int | None = Field(examples=[4])
    is_active: bool = True
    phone_masked: str | None = Field(default=None, examples=["138****5678"])
    email: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$", examples=["mc_counselor2"])
    password: str = Field(min_length=8, max_length=128, examples=["Sunshine2023"])
    display_name: str = Field(min_length=1, max_length=100, examples=["李老师"])
    role: Role = Field(examples=["counselor"])
    org_unit_id: int | None = Field(default=None, examples=[4])
    phone: str | None = Field(default=None, max_length=30, examples=["13800138000"])
    email: str | None = Field(default=None, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(max_length=64, examples=["user_account"])
    target_id: str = Field(max_length=64, examples=["7"])
    field: str = Field(max_length=64, examples=["phone"])
    purpose: str = Field(min_length=2, max_length=200, examples=["电话回访毕业生就业情况"])


class RevealOut(BaseModel):
    target_type: str
    target_id: str
    field: str
    value: str = Field(examples=["13800138000"])


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_role: str | None
    action: str = Field(examples=["reveal"])
    target_type: str
    target_id: str | None
    field: str | None
    purpose: str | None
    source_ip: str | None
    outcome: str = Field(examples=["ok"])
    detail: dict[str, Any] | None
