"""Stored matching results: top-k per graduate with the catalog version used, recommendations made from a
match (features kept for learning), and the ranking weights with the figures that decided them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, utcnow


class MatchResult(Base):
    """One of a graduate's stored top-k positions (rank 1 is the best), with its reasons at that time."""

    __tablename__ = "match_result"
    __table_args__ = (
        UniqueConstraint("graduate_id", "rank"),
        Index("ix_match_result_graduate_position", "graduate_id", "position_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id", ondelete="CASCADE"))
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the graduate's
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    catalog_version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchSnapshot(Base):
    """When a graduate's top-k was last computed, against which catalog version and weights."""

    __tablename__ = "match_snapshot"

    graduate_id: Mapped[int] = mapped_column(
        ForeignKey("registry_graduate.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    catalog_version: Mapped[int] = mapped_column(Integer, index=True)
    weights_id: Mapped[int | None] = mapped_column(ForeignKey("match_weights.id"))
    computed_on: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    result_count: Mapped[int] = mapped_column(Integer, default=0)


class MatchWeights(Base):
    """A set of ranking weights and the offline evaluation that decided on it; one row at most is active."""

    __tablename__ = "match_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decision: Mapped[str] = mapped_column(String(16))  # adopted / rejected
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=False, index=True)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class MatchRecommendation(Base):
    """A recommendation made from a match: the tracked application and the features/score when it was made."""

    __tablename__ = "match_recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("tracking_application.id"), unique=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("registry_graduate.id"), index=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    features: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    catalog_version: Mapped[int] = mapped_column(Integer)
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # where the application stands now, kept by tracking on every move (:func:`record_outcome`)
    outcome: Mapped[str] = mapped_column(String(16), default="recommended", server_default="recommended")
