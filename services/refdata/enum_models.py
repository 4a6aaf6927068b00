"""Reference enumerations of the forms (附件1–5): one row per enumeration, one row per item with its code."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin


class RefEnum(TimestampMixin, Base):
    """An enumeration such as 困难类别 or 民族; ``key`` is how code refers to it."""

    __tablename__ = "ref_enum"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300), default="")


class RefEnumItem(TimestampMixin, Base):
    """One option with its code. ``flags`` holds comma-separated markers (``employed``, ``family`` …)."""

    __tablename__ = "ref_enum_item"
    __table_args__ = (UniqueConstraint("enum_key", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enum_key: Mapped[str] = mapped_column(ForeignKey("ref_enum.key"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(20))
    flags: Mapped[str] = mapped_column(String(100), default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
