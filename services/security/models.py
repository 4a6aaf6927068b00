from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin, utcnow


class Role(StrEnum):
    GRADUATE = "graduate"
    COUNSELOR = "counselor"
    ENTERPRISE = "enterprise"
    UNION_COUNTY = "union_county"
    UNION_CITY = "union_city"
    ADMIN = "admin"


ROLE_NAMES = {
    Role.GRADUATE: "毕业生",
    Role.COUNSELOR: "就业指导员",
    Role.ENTERPRISE: "企业",
    Role.UNION_COUNTY: "县区总工会",
    Role.UNION_CITY: "市总帮扶中心",
    Role.ADMIN: "系统管理员",
}


class User(TimestampMixin, Base):
    __tablename__ = "user_account"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    token_version: Mapped[int] = mapped_column(Integer, default=1)
    phone_enc: Mapped[str | None] = mapped_column(String(300))
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))


class AuditEvent(Base):
    """Append-only: reveals of protected values and writes, with who, when, what, target, address, outcome."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(200))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
