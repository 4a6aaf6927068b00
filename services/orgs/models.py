from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, TimestampMixin


class OrgKind(StrEnum):
    CITY = "city"  # 市总工会 / 市总帮扶中心
    COUNTY = "county"  # 县区总工会
    PARK = "park"  # 园区总工会
    DIRECT = "direct"  # 市直基层工会（集合）
    GRASSROOTS = "grassroots"  # 基层工会、学校
    EXTERNAL = "external"  # 外地县区、市总工会（异地求职接收方，不在本市单位树中）


class OrgUnit(TimestampMixin, Base):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)  # "/1/3/7/": ancestors then self
