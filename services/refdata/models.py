"""Reference catalogs loaded from the public data files shipped in ``services/refdata/data`` (see SOURCES.md).

Rows are keyed by their official code; ``sunshine refdata load`` upserts them, so loading twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, utcnow


class RefMajor(Base):
    """A major of the undergraduate catalog (2026) or the vocational catalog (2021, plus its profiles)."""

    __tablename__ = "ref_major"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    level: Mapped[str] = mapped_column(String(8), index=True)  # 本科 / 职业本科 / 高职专科 / 中职
    catalog: Mapped[str] = mapped_column(String(24))  # undergrad_2026 / vocational_2021 / vocational_profile_2022
    class_code: Mapped[str] = mapped_column(String(8), index=True)
    class_name: Mapped[str] = mapped_column(String(60))
    discipline_code: Mapped[str] = mapped_column(String(4), index=True)
    discipline_name: Mapped[str] = mapped_column(String(60))
    special: Mapped[bool] = mapped_column(Boolean, default=False)  # T: 特设专业
    controlled: Mapped[bool] = mapped_column(Boolean, default=False)  # K: 国家控制布点专业
    note: Mapped[str] = mapped_column(Text, default="")


class RefMajorCodeChange(Base):
    """The majors re-coded by the 2026 undergraduate catalog: old code → new code."""

    __tablename__ = "ref_major_code_change"

    old_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")


class RefMajorProfile(Base):
    """The official vocational major profile (职业教育专业简介 2022): 职业面向 and the rest."""

    __tablename__ = "ref_major_profile"

    major_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    duration: Mapped[str] = mapped_column(String(60), default="")
    career_orientation: Mapped[str] = mapped_column(Text, default="")
    training_goal: Mapped[str] = mapped_column(Text, default="")
    abilities: Mapped[str] = mapped_column(Text, default="")
    courses: Mapped[str] = mapped_column(Text, default="")
    certificates: Mapped[str] = mapped_column(Text, default="")
    continuing_study: Mapped[str] = mapped_column(Text, default="")


class RefMajorOccupation(Base):
    """Occupations (CSCO 2022) named in a vocational major's 职业面向."""

    __tablename__ = "ref_major_occupation"

    major_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(String(12), primary_key=True)


class RefOccupation(Base):
    """职业分类大典 2022: 大类 / 中类 / 小类 / 细类."""

    __tablename__ = "ref_occupation"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    level_name: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120), index=True)
    digital: Mapped[bool] = mapped_column(Boolean, default=False)  # S 数字职业
    green: Mapped[bool] = mapped_column(Boolean, default=False)  # L 绿色职业
    definition: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")


class RefIndustry(Base):
    """GB/T 4754-2017 国民经济行业分类: 门类 (letter), 大类, 中类, 小类."""

    __tablename__ = "ref_industry"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    level_name: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120), index=True)
    section: Mapped[str] = mapped_column(String(1), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(8))
    remark: Mapped[str] = mapped_column(Text, default="")


class RefDivision(Base):
    """Administrative divisions (province, prefecture, county) with centroid coordinates where known."""

    __tablename__ = "ref_division"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    level: Mapped[str] = mapped_column(String(12))  # province / prefecture / county
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class RefDivisionHistory(Base):
    """Division codes of GB/T 2260 across the years, for resident IDs that carry retired codes."""

    __tablename__ = "ref_division_history"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    province: Mapped[str] = mapped_column(String(30), default="")
    valid_from: Mapped[int | None] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer)


class RefLoad(Base):
    """One row per catalog and load run: how many rows the files held and what changed."""

    __tablename__ = "ref_load"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog: Mapped[str] = mapped_column(String(40), index=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
